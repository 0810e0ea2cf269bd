"""``pmo registry import-fim|derive|stamm-diff|stamm-reviewed``: FIM Stammprozesse and the local
processes derived from them."""

from __future__ import annotations

from pathlib import Path

import click

from pmo.cli._common import db_option, emit_json, registry_of
from pmo.cli.registry import registry
from process_registry import MAX_XPROZESS_BYTES, BpmnDiff, current_user, read_limited

__all__ = [
    "registry_derive",
    "registry_import_fim",
    "registry_stamm_diff",
    "registry_stamm_reviewed",
]


@registry.command("import-fim")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--key",
    default=None,
    help="Registereintrag (Standard: der Eintrag dieses Stammprozesses, sonst aus dem Namen).",
)
@click.option(
    "--department",
    default=None,
    help="Zuständiger Fachdienst (Standard: beim neuen Eintrag „FIM-Stammprozesse“).",
)
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@db_option
def registry_import_fim(
    file: str, key: str | None, department: str | None, as_json: bool, db_url: str | None
) -> None:
    """FIM-Stammprozess aus einer XProzess-2-Datei importieren (neue Version, wenn schon da)."""
    data = read_limited(file, limit=MAX_XPROZESS_BYTES)
    result = registry_of(db_url).import_fim(
        data, source=Path(file).name, author=current_user(), key=key, department=department
    )
    if as_json:
        answer = result.to_dict()
        emit_json(
            {k: answer[k] for k in ("key", "version", "leika", "status", "activity_groups")}
            | answer
        )
        return
    if result.unchanged:
        click.echo(
            f"{result.key}: unverändert – Version {result.version} enthält schon dieses Modell "
            "mit diesen Daten; nichts gespeichert."
        )
    else:
        what = "registriert" if result.created else "neue Version"
        click.echo(
            f"{result.key}: {what}, Version {result.version} (LeiKa {result.leika}, "
            f"FIM-Version {result.fim_version or '–'}, Status {result.status or '–'}, "
            f"{result.activity_groups} Aktivitätengruppen)"
        )
    for warning in result.warnings:
        click.echo(f"Hinweis: {warning}", err=True)


@registry.command("derive")
@click.argument("stamm_key")
@click.option("--key", required=True, help="Schlüssel des lokalen Prozesses.")
@click.option("--name", default=None, help="Name (Standard: der des Stammprozesses).")
@click.option("--department", default=None, help="Zuständiger Fachdienst.")
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@db_option
def registry_derive(
    stamm_key: str,
    key: str,
    name: str | None,
    department: str | None,
    as_json: bool,
    db_url: str | None,
) -> None:
    """Lokalen Prozess (Referenzprozess) von einem Stammprozess ableiten; er bleibt verknüpft."""
    reg = registry_of(db_url)
    ref = reg.derive_process(
        stamm_key, key=key, author=current_user(), name=name, department=department
    )
    record = reg.get_process(ref.key)
    if as_json:
        emit_json(
            ref.to_dict()
            | {"derived_from": record.derived_from, "stamm_version": record.derived_version}
        )
    else:
        click.echo(
            f"{ref.key}: abgeleitet von {record.derived_from} (Version {record.derived_version}),"
            f" Version {ref.version} gespeichert"
        )


@registry.command("stamm-diff")
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@db_option
def registry_stamm_diff(key: str, as_json: bool, db_url: str | None) -> None:
    """Unterschiede eines lokalen Prozesses zur aktuellen Version seines Stammprozesses."""
    comparison = registry_of(db_url).stamm_comparison(key)
    if as_json:
        emit_json(comparison.to_dict())
        return
    click.echo(
        f"{key} gegenüber Stammprozess {comparison.stamm_key} (Version "
        f"{comparison.stamm_version}; abgestimmt mit Version {comparison.aligned_version})"
    )
    if comparison.review_needed:
        click.echo(
            f"Prüfung nötig: Der Stammprozess hat seit Version {comparison.aligned_version} eine "
            f"neue Version {comparison.stamm_version}. Nach der Prüfung: "
            f"`pmo registry stamm-reviewed {key}`."
        )
        if comparison.stamm_changes is not None:
            click.echo("Im Stammprozess geändert:")
            click.echo(_changes(comparison.stamm_changes, "neu", "entfernt"))
    click.echo("Lokale Abweichungen:")
    click.echo(_changes(comparison.diff, "hinzugefügt", "entfernt"))


@registry.command("stamm-reviewed")
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@db_option
def registry_stamm_reviewed(key: str, as_json: bool, db_url: str | None) -> None:
    """Bestätigen, dass der lokale Prozess mit der aktuellen Stammprozess-Version abgeglichen ist."""
    version = registry_of(db_url).mark_stamm_reviewed(key, author=current_user())
    if as_json:
        emit_json({"key": key, "aligned_version": version, "review_needed": False})
    else:
        click.echo(f"{key}: mit Stammprozess-Version {version} abgeglichen")


def _changes(diff: BpmnDiff, added: str, removed: str) -> str:
    lines = [f"  {added}: {e.name or e.id} [{e.kind}]" for e in diff.added]
    lines += [f"  {removed}: {e.name or e.id} [{e.kind}]" for e in diff.removed]
    lines += [
        f"  umbenannt: {r.old_name or '–'} → {r.new_name or '–'} [{r.kind}]"
        for r in diff.relabelled
    ]
    flows = len(diff.flows_added) + len(diff.flows_removed) + len(diff.flows_changed)
    if flows:
        lines.append(f"  Sequenzflüsse geändert: {flows}")
    return "\n".join(lines) or "  keine"
