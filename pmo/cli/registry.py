"""``pmo registry …``: the process registry from the shell."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from pmo.cli._common import (
    LANG,
    cli,
    db_option,
    emit_json,
    read_file,
    registry_of,
)
from pmo.cli._output import write_atomically
from pmo.cli._registry_edit import (
    catalogue_changes,
    changed_fields,
    edit_options,
    reference_choice,
)
from process_registry import (
    ProcessStatus,
    Registry,
    VersionRef,
    audit_sentence,
    clock,
    current_user,
    lint_bpmn,
    local_text,
    parse_bpmn,
)

__all__ = ["registry"]


@cli.group()
def registry() -> None:
    """Prozessregister: BPMN-Modelle mit Katalogdaten, versioniert."""


def override_option(command: Any) -> Any:
    return click.option(
        "--override-lint",
        "override_lint",
        default=None,
        metavar="BEGRÜNDUNG",
        help="„fachlich freigegeben“ trotz Lint-Fehlern im Modell (wird mit Begründung protokolliert).",
    )(command)


@registry.command("add")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--name", required=True, help="Name der Verwaltungsleistung.")
@click.option("--department", required=True, help="Zuständiger Fachdienst.")
@click.option("--key", default=None, help="Stabiler Schlüssel (Standard: aus dem Namen).")
@click.option(
    "--leika", default=None, help="LeiKa-/FIM-Leistungsschlüssel (14 Ziffern) oder „keine“."
)
@click.option("--owner", default=None, help="Prozessverantwortliche Rolle.")
@click.option("--status", default=None, help="FIM-Status, z. B. „Entwurf“.")
@click.option("--ozg-service", default=None, help="OZG-Leistung.")
@click.option("--ozg-level", type=int, default=None, help="OZG-Reifegrad.")
@click.option(
    "--ozg-scale", type=click.Choice(["1.1", "2.0"]), default=None, help="Reifegradskala."
)
@click.option("--legal-basis", default=None, help="Rechtsgrundlage.")
@click.option("--volume", type=int, default=None, help="Fallzahl pro Jahr.")
@click.option("--deadline-days", type=int, default=None, help="Gesetzliche Frist in Tagen.")
@click.option(
    "--deadline-starts-with",
    default=None,
    metavar="ACTIVITY",
    help="Schritt im Protokoll, mit dessen letztem Vorkommen die Frist beginnt "
    "(Standard: erstes Ereignis des Falls).",
)
@click.option(
    "--deadline-ends-with",
    default=None,
    metavar="ACTIVITY",
    help="Schritt im Protokoll, mit dessen erstem Vorkommen danach die Frist endet "
    "(Standard: letztes Ereignis des Falls).",
)
@click.option("--tag", "tags", multiple=True, help="Schlagwort (mehrfach möglich).")
@click.option("--comment", default=None, help="Kommentar zur ersten Version.")
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@override_option
@db_option
def registry_add(
    file: str,
    name: str,
    department: str,
    key: str | None,
    leika: str | None,
    owner: str | None,
    status: str | None,
    ozg_service: str | None,
    ozg_level: int | None,
    ozg_scale: str | None,
    legal_basis: str | None,
    volume: int | None,
    deadline_days: int | None,
    deadline_starts_with: str | None,
    deadline_ends_with: str | None,
    tags: tuple[str, ...],
    comment: str | None,
    override_lint: str | None,
    as_json: bool,
    db_url: str | None,
) -> None:
    """Neuen Prozess mit seiner ersten Modellversion registrieren."""
    catalogue = {
        "leika_key": leika,
        "owner": owner,
        "status": status,
        "ozg_service": ozg_service,
        "ozg_maturity_level": ozg_level,
        "ozg_maturity_scale": ozg_scale,
        "legal_basis": legal_basis,
        "annual_case_volume": volume,
        "legal_deadline_days": deadline_days,
        "deadline_starts_with": deadline_starts_with,
        "deadline_ends_with": deadline_ends_with,
        "tags": list(tags),
    }
    catalogue = {k: v for k, v in catalogue.items() if v not in (None, [])}
    ref = registry_of(db_url).add_process(
        read_file(file),
        name=name,
        department=department,
        key=key,
        author=current_user(),
        file_name=Path(file).name,
        comment=comment,
        override_lint=override_lint,
        **catalogue,
    )
    if as_json:
        emit_json(ref.to_dict())
    else:
        click.echo(f"Registriert: {ref.key}, Version {ref.version}")


@registry.command("edit")
@click.argument("key")
@edit_options
@click.option(
    "--revision",
    type=int,
    default=None,
    help="Stand, auf dem die Änderung beruht (`registry show --json`: revision); ist der "
    "Prozess inzwischen geändert worden: Konflikt, nichts wird gespeichert.",
)
@override_option
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@db_option
def registry_edit(
    key: str,
    clear: tuple[str, ...],
    reference_log: str | None,
    revision: int | None,
    override_lint: str | None,
    as_json: bool,
    db_url: str | None,
    **fields: Any,
) -> None:
    """Katalogdaten eines Prozesses ändern (nicht genannte Felder bleiben, wie sie sind)."""
    changes = catalogue_changes(fields, clear, required=reference_log is None)
    reference = {} if reference_log is None else {"reference_log": reference_choice(reference_log)}
    reg = registry_of(db_url)
    before = reg.get_process(key)
    after = reg.update_process(
        key,
        changes,
        expected_revision=before.revision if revision is None else revision,
        actor=current_user(),
        override_lint=override_lint,
        **reference,
    )
    # A save succeeds only on the revision read here, so `before` is the state it changed.
    changed = changed_fields(before, after)
    if as_json:
        emit_json({"key": after.key, "revision": after.revision, "changed": changed})
    elif changed:
        click.echo(f"{after.key}: Stand {after.revision} gespeichert ({', '.join(changed)})")
    else:
        click.echo(f"{after.key}: keine Änderung (Stand {after.revision})")


@registry.command("new-version")
@click.argument("key")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--comment", default=None, help="Was sich geändert hat.")
@click.option(
    "--base",
    "base_version",
    type=int,
    default=None,
    help="Version, auf der die Datei beruht; ist inzwischen eine neuere da: Konflikt.",
)
@override_option
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@db_option
def registry_new_version(
    key: str,
    file: str,
    comment: str | None,
    base_version: int | None,
    override_lint: str | None,
    as_json: bool,
    db_url: str | None,
) -> None:
    """Neue Modellversion an einen Prozess anhängen (ältere bleiben unverändert)."""
    ref = registry_of(db_url).add_version(
        key,
        read_file(file),
        author=current_user(),
        file_name=Path(file).name,
        comment=comment,
        base_version=base_version,
        override_lint=override_lint,
    )
    if as_json:
        emit_json(ref.to_dict())
    else:
        click.echo(f"{ref.key}: Version {ref.version} gespeichert")
        _echo_release_note(ref)


def _echo_release_note(ref: VersionRef) -> None:
    # A new version that withdrew the release must say so, or the user believes it still holds.
    if ref.status_to is not None:
        click.echo(
            f"Status von „{ref.status_from}“ auf „{ref.status_to}“ zurückgesetzt: die neue Version "
            f"hat {len(ref.findings)} Lint-Fehler."
        )
    elif ref.findings:
        click.echo(
            f"Freigabe trotz {len(ref.findings)} Lint-Fehlern beibehalten (Begründung protokolliert)."
        )
    for finding in ref.findings:
        click.echo(f"  - {finding.rule} bei „{finding.element}“: {finding.message}")


@registry.command("set-status")
@click.argument("key")
@click.argument("status")
@override_option
@click.option(
    "--revision",
    type=int,
    default=None,
    help="Stand, auf dem die Änderung beruht; ist der Prozess inzwischen geändert worden: Konflikt.",
)
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@db_option
def registry_set_status(
    key: str,
    status: str,
    override_lint: str | None,
    revision: int | None,
    as_json: bool,
    db_url: str | None,
) -> None:
    """FIM-Status setzen (in Planung, in Bearbeitung, Entwurf, methodisch freigegeben, fachlich
    freigegeben, archiviert). „fachlich freigegeben“ nur ohne Lint-Fehler im aktuellen Modell."""
    reg = registry_of(db_url)
    before = reg.get_process(key)
    after = reg.set_status(
        key,
        status,
        actor=current_user(),
        expected_revision=before.revision if revision is None else revision,
        override_lint=override_lint,
    )
    if as_json:
        emit_json(
            {
                "key": after.key,
                "status": after.status,
                "previous_status": before.status,
                "revision": after.revision,
                "override_lint": override_lint if before.status != after.status else None,
            }
        )
    elif before.status == after.status:
        click.echo(f"{after.key}: Status ist bereits „{after.status}“ (keine Änderung)")
    else:
        click.echo(f"{after.key}: Status von „{before.status}“ auf „{after.status}“ gesetzt")


@registry.command("restore")
@click.argument("key")
@click.argument("version", type=int)
@click.option("--comment", default=None)
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@db_option
def registry_restore(
    key: str, version: int, comment: str | None, as_json: bool, db_url: str | None
) -> None:
    """Alte Version als neue aktuelle Version wiederherstellen."""
    ref = registry_of(db_url).restore_version(key, version, author=current_user(), comment=comment)
    if as_json:
        emit_json(ref.to_dict())
    else:
        click.echo(f"{ref.key}: Version {version} als Version {ref.version} wiederhergestellt")
        _echo_release_note(ref)


@registry.command("list")
@LANG
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@db_option
def registry_list(lang: str, as_json: bool, db_url: str | None) -> None:
    """Alle registrierten Prozesse."""
    processes = registry_of(db_url).list_processes()
    if as_json:
        emit_json(
            [
                {
                    "key": p.key,
                    "name": p.name,
                    "department": p.department,
                    "status": p.status,
                    "versions": p.versions,
                    "derived_from": p.derived_from,
                    "review_needed": p.review_needed,
                }
                for p in processes
            ]
        )
        return
    if not processes:
        click.echo("Das Prozessregister ist leer. `pmo demo` lädt die Beispielmodelle.")
        return
    width = max(len(p.key) for p in processes)
    for p in processes:
        flag = "  [Stammprozess neu: prüfen]" if p.review_needed else ""
        status = _status(p.status, lang)
        click.echo(
            f"{p.key:<{width}}  v{p.versions:<3} {status:<24} {p.department}: {p.name}{flag}"
        )


def _status(value: str, lang: str) -> str:
    """The stored (German) status as the reader reads it; an unknown value as it is."""
    try:
        return ProcessStatus(value).label(lang)
    except ValueError:
        return value


@registry.command("show")
@click.argument("key")
@click.option(
    "--version", "number", type=int, default=None, help="Modellversion (Standard: aktuell)."
)
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@db_option
def registry_show(key: str, number: int | None, as_json: bool, db_url: str | None) -> None:
    """Katalogdaten, Versionen und Modellinhalt (Pools, Aufgaben, Flüsse) eines Prozesses."""
    reg = registry_of(db_url)
    record = reg.get_process(key)
    document = reg.get_document(key, number)
    reference = reg.reference_log(key)
    fim = fim_summary(reg, key, number)
    if as_json:
        emit_json(
            {
                **record.to_dict(),
                "model": document.to_dict(),
                "reference_log": reference.to_dict(),
                "fim": fim,
            }
        )
        return
    from pmo.cli._render import render_fim, render_process

    click.echo(render_process(record, document))
    if fim is not None:
        click.echo(render_fim(fim))
    click.echo(f"Referenzprotokoll: {reference.log_id or '–'} – {reference.reason_text}")


@registry.command("export")
@click.argument("key")
@click.option(
    "--version", "number", type=int, default=None, help="Modellversion (Standard: aktuell)."
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["bpmn", "xprozess"]),
    default="bpmn",
    show_default=True,
    help="bpmn: die Datei Byte für Byte wie hochgeladen; xprozess: XProzess-2-Nachricht mit "
    "Katalogdaten, Aktivitätengruppen und dem Modell.",
)
@click.option("-o", "output", type=click.Path(dir_okay=False), default=None, help="Zieldatei.")
@db_option
def registry_export(
    key: str, number: int | None, file_format: str, output: str | None, db_url: str | None
) -> None:
    """Eine Modellversion als BPMN-Datei (wie hochgeladen) oder als XProzess-2-Datei."""
    reg = registry_of(db_url)
    if file_format == "xprozess":
        content = reg.export_xprozess(
            key, number, created=clock.local(clock.now()), product=_version()
        )
    else:
        content = reg.export_version(key, number)
    if output:
        write_atomically(output, content)
    else:
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()


@registry.command("lint")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@db_option
def registry_lint(file: str, as_json: bool, db_url: str | None) -> None:
    """BPMN-Datei prüfen (bpmnlint-Regeln und kommunale Regeln). Exit 1 bei Fehlern."""
    document = parse_bpmn(read_file(file), source=file)
    context = registry_of(db_url).lint_context(catalogue=False)
    findings = lint_bpmn(document, context)
    if as_json:
        emit_json([f.to_dict() for f in findings])
    elif not findings:
        click.echo(f"{file}: keine Befunde")
    else:
        for f in findings:
            click.echo(f"{file}: {f.severity:<7} {f.rule:<32} {f.element}: {f.message}")
    if any(f.severity == "error" for f in findings):
        sys.exit(1)


@registry.command("diff")
@click.argument("key")
@click.argument("v1", type=int)
@click.argument("v2", type=int)
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@db_option
def registry_diff(key: str, v1: int, v2: int, as_json: bool, db_url: str | None) -> None:
    """Unterschiede zwischen zwei Modellversionen."""
    diff = registry_of(db_url).diff_versions(key, v1, v2)
    if as_json:
        emit_json(diff.to_dict())
        return
    from pmo.cli._render import render_diff

    click.echo(render_diff(key, v1, v2, diff))


@registry.command("history")
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@db_option
def registry_history(key: str, as_json: bool, db_url: str | None) -> None:
    """Änderungsprotokoll eines Prozesses (wer hat wann was getan)."""
    reg = registry_of(db_url)
    reg.get_process(key)
    entries = reg.audit_trail(key)
    if as_json:
        emit_json([e.to_dict() for e in entries])
        return
    for e in entries:
        click.echo(f"{local_text(e.at)}  {audit_sentence(e)}")


def fim_summary(reg: Registry, key: str, number: int | None) -> dict[str, Any] | None:
    """What ``registry show --json`` says under ``fim``: the Stammprozess data behind the version,
    each task's activity group, and for a local process its link; None for a plain process."""
    record = reg.get_process(key)
    stamm = reg.fim_record(key, number)
    if stamm is None and not record.derived_from:
        return None
    link = None
    if record.derived_from:
        comparison = reg.stamm_comparison(key)
        link = {
            "stamm_key": comparison.stamm_key,
            "aligned_version": comparison.aligned_version,
            "stamm_version": comparison.stamm_version,
            "review_needed": comparison.review_needed,
        }
    return {
        "stammprozess": None if stamm is None else stamm.describe(),
        "activity_groups": [t.to_dict() for t in reg.task_groups(key, number)],
        "derived_from": link,
    }


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pmo")
    except PackageNotFoundError:
        return "0"
