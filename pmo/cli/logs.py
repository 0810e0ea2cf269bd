"""``pmo log …``: import, list, delete and purge event logs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pmo.cli._common import (
    cli,
    db_option,
    emit_json,
    import_options,
    log_store,
    mapping_options,
)
from process_registry import (
    Registry,
    current_user,
)

__all__ = ["log_group"]


@cli.group("log")
def log_group() -> None:
    """Ereignisprotokolle der Fachverfahren importieren, auflisten, löschen."""


@log_group.command("import")
# A plain path: pmo itself says, in German, when it names a folder, a device or a pipe.
@click.argument("file", type=click.Path())
@click.option("--process", "process_key", default=None, help="Schlüssel des Prozesses im Register.")
@mapping_options
@click.option("--department", default=None, help="Fachdienst (Standard: der des Prozesses).")
@click.option("--surrogate-case-ids", is_flag=True, help="Fall-IDs durch Surrogate ersetzen.")
@click.option(
    "--resource-map",
    type=click.Path(dir_okay=False),
    default=None,
    help="CSV Name;Rolle – Bearbeiter/innen werden Rollen statt Pseudonymen.",
)
@click.option("--drop-resources", is_flag=True, help="Bearbeiterspalte gar nicht übernehmen.")
@click.option(
    "--retention-days",
    type=int,
    default=None,
    help="Aufbewahrung in Tagen (Standard: PMO_RETENTION_DAYS bzw. 365; 0: heute fällig).",
)
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@db_option
def log_import(
    file: str,
    process_key: str | None,
    department: str | None,
    surrogate_case_ids: bool,
    resource_map: str | None,
    drop_resources: bool,
    retention_days: int | None,
    as_json: bool,
    db_url: str | None,
    **mapping: Any,
) -> None:
    """Ereignisprotokoll (CSV, XES, XES.GZ, Parquet, XLSX) importieren – ganz oder gar nicht."""
    options = import_options(
        mapping,
        process_key=process_key,
        department=department,
        surrogate_case_ids=surrogate_case_ids,
        resource_map=Path(resource_map) if resource_map else None,
        drop_resources=drop_resources,
        retention_days=retention_days,
    )
    from pmo.log_checks import model_review

    store = log_store(db_url)
    result = store.import_file(
        Path(file),
        uploader=current_user(),
        options=options,
        display_name=Path(file).name,
        review=model_review(Registry(store.db)),
    )
    if as_json:
        emit_json(result.to_dict())
        return
    d = result.detected
    click.echo(
        f"Importiert als {result.log_id}: {result.cases} Fälle, {result.events} Ereignisse, "
        f"{result.activities} Aktivitäten, {result.variants} Varianten"
    )
    click.echo(
        f"  Format {d.format}"
        + (f", Kodierung {d.encoding}" if d.encoding else "")
        + (f", Trennzeichen {d.separator!r}" if d.separator else "")
    )
    m = result.mapping
    click.echo(
        f"  Fall: {m.case} · Aktivität: {m.activity} · Zeitpunkt: {m.timestamp}"
        + (f" · Beginn: {m.start_timestamp}" if m.start_timestamp else "")
        + (f" · Bearbeitung: {m.resource}" if m.resource else "")
    )
    for message in result.messages:
        click.echo(f"  {message}")
    if result.model_overlap is not None:
        click.echo(f"  Modellabgleich: {result.model_overlap.describe()}")
    for check in result.checks:
        click.echo(f"  Warnung: {check.message}")
    if result.suggestion is not None:
        click.echo(
            f"  Ohne Prozess importiert. Vorschlag: {result.suggestion.describe()} "
            f"(--process {result.suggestion.process_key})"
        )
    click.echo(f"  Löschung spätestens am {result.delete_after:%d.%m.%Y}")


@log_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@db_option
def log_list(as_json: bool, db_url: str | None) -> None:
    """Gespeicherte Ereignisprotokolle."""
    store = log_store(db_url)
    store.sweep_orphans()
    logs = store.list_logs()
    # Which log speaks for its process (overview, report), and why.
    references = {
        ref.log_id: ref for ref in Registry(store.db).reference_logs().values() if ref.log_id
    }
    if as_json:
        emit_json(
            [
                {
                    **info.to_dict(),
                    "reference": info.log_id in references,
                    "reference_reason": (
                        references[info.log_id].reason if info.log_id in references else None
                    ),
                }
                for info in logs
            ]
        )
        return
    if not logs:
        click.echo("Keine Ereignisprotokolle gespeichert.")
    for info in logs:
        mark = "*" if info.log_id in references else " "
        click.echo(
            f"{mark}{info.log_id}  {info.process or '–':<24} {info.cases:>8} Fälle "
            f"{info.events:>9} Ereignisse  {info.source_name}  "
            f"(löschen bis {info.delete_after:%d.%m.%Y})"
        )
        for check in info.checks:
            click.echo(f"    Warnung: {check.get('message')}")
    if references:
        click.echo("* Referenzprotokoll seines Prozesses (Übersicht, Bericht)")


@log_group.command("delete")
@click.argument("log_id")
@db_option
def log_delete(log_id: str, db_url: str | None) -> None:
    """Ereignisprotokoll mit Datei und Katalogeintrag endgültig löschen."""
    redacted = log_store(db_url).delete(log_id, actor=current_user())
    click.echo(f"{log_id} gelöscht")
    if redacted:
        listed = ", ".join(str(report_id) for report_id in redacted)
        click.echo(f"  Berichte, die darauf beruhen, bereinigt und mit Vermerk versehen: {listed}")


@log_group.command("purge")
@db_option
def log_purge(db_url: str | None) -> None:
    """Alle Protokolle löschen, deren Löschdatum erreicht ist (für einen täglichen Cron-Job)."""
    removed = log_store(db_url).purge_expired()
    click.echo(f"{len(removed)} Protokoll(e) nach Fristablauf gelöscht")
