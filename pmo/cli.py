"""``pmo``: registry and mining from the shell. The names, options and JSON keys are a public contract.

Domain errors become one line on stderr and exit code 1; usage errors exit 2 (click's convention).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from mining.errors import MiningError
from pmo._output import OutputError, StagedOutput, write_atomically
from pmo._registry_edit import catalogue_changes, changed_fields, edit_options
from process_registry import (
    Database,
    Registry,
    RegistryError,
    lint_bpmn,
    load_catalogue_folder,
    open_database,
    parse_bpmn,
    prepared_schema,
    upgrade_schema,
)
from process_registry.bpmn.safe_xml import (
    MAX_BPMN_BYTES,
    UnsafeXmlRuntimeError,
    check_xml_runtime,
)
from process_registry.clock import local_text
from process_registry.files import read_limited
from process_registry.schema import current_revision
from process_registry.settings import (
    DEFAULT_MIN_GROUP_SIZE,
    OFFICE_TIMEZONE,
    current_user,
    data_dir,
    office_settings,
)

__all__ = ["cli", "main"]

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _read_file(path: str) -> bytes:
    """A BPMN file named on the command line, read only if it is a regular file within the limit."""
    return read_limited(path, limit=MAX_BPMN_BYTES)


def _db_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--db",
        "db_url",
        envvar="PMO_DATABASE_URL",
        default=None,
        help="SQLAlchemy-URL der Katalogdatenbank (Standard: PMO_DATABASE_URL bzw. SQLite-Datei).",
    )(command)


def _open(db_url: str | None) -> Database:
    """The database, created on first use; an outdated schema is reported, not silently migrated."""
    return prepared_schema(open_database(db_url))


def _registry(db_url: str | None) -> Registry:
    return Registry(_open(db_url))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """pmo – Werkzeug der Prozessmanagement-Stelle: Prozessregister, Process Mining, Arbeitsbereich."""


# -- registry ---------------------------------------------------------------------------------


@cli.group()
def registry() -> None:
    """Prozessregister: BPMN-Modelle mit Katalogdaten, versioniert."""


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
@_db_option
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
    ref = _registry(db_url).add_process(
        _read_file(file),
        name=name,
        department=department,
        key=key,
        author=current_user(),
        file_name=Path(file).name,
        comment=comment,
        **catalogue,
    )
    if as_json:
        _emit_json(ref.to_dict())
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
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@_db_option
def registry_edit(
    key: str,
    clear: tuple[str, ...],
    revision: int | None,
    as_json: bool,
    db_url: str | None,
    **fields: Any,
) -> None:
    """Katalogdaten eines Prozesses ändern (nicht genannte Felder bleiben, wie sie sind)."""
    changes = catalogue_changes(fields, clear)
    reg = _registry(db_url)
    before = reg.get_process(key)
    after = reg.update_process(
        key,
        changes,
        expected_revision=before.revision if revision is None else revision,
        actor=current_user(),
    )
    # A save succeeds only on the revision read here, so `before` is the state it changed.
    changed = changed_fields(before, after)
    if as_json:
        _emit_json({"key": after.key, "revision": after.revision, "changed": changed})
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
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@_db_option
def registry_new_version(
    key: str,
    file: str,
    comment: str | None,
    base_version: int | None,
    as_json: bool,
    db_url: str | None,
) -> None:
    """Neue Modellversion an einen Prozess anhängen (ältere bleiben unverändert)."""
    ref = _registry(db_url).add_version(
        key,
        _read_file(file),
        author=current_user(),
        file_name=Path(file).name,
        comment=comment,
        base_version=base_version,
    )
    if as_json:
        _emit_json(ref.to_dict())
    else:
        click.echo(f"{ref.key}: Version {ref.version} gespeichert")


@registry.command("restore")
@click.argument("key")
@click.argument("version", type=int)
@click.option("--comment", default=None)
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@_db_option
def registry_restore(
    key: str, version: int, comment: str | None, as_json: bool, db_url: str | None
) -> None:
    """Alte Version als neue aktuelle Version wiederherstellen."""
    ref = _registry(db_url).restore_version(key, version, author=current_user(), comment=comment)
    if as_json:
        _emit_json(ref.to_dict())
    else:
        click.echo(f"{ref.key}: Version {version} als Version {ref.version} wiederhergestellt")


@registry.command("list")
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@_db_option
def registry_list(as_json: bool, db_url: str | None) -> None:
    """Alle registrierten Prozesse."""
    processes = _registry(db_url).list_processes()
    if as_json:
        _emit_json(
            [
                {
                    "key": p.key,
                    "name": p.name,
                    "department": p.department,
                    "status": p.status,
                    "versions": p.versions,
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
        click.echo(f"{p.key:<{width}}  v{p.versions:<3} {p.status:<24} {p.department}: {p.name}")


@registry.command("show")
@click.argument("key")
@click.option(
    "--version", "number", type=int, default=None, help="Modellversion (Standard: aktuell)."
)
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@_db_option
def registry_show(key: str, number: int | None, as_json: bool, db_url: str | None) -> None:
    """Katalogdaten, Versionen und Modellinhalt (Pools, Aufgaben, Flüsse) eines Prozesses."""
    reg = _registry(db_url)
    record = reg.get_process(key)
    document = reg.get_document(key, number)
    if as_json:
        _emit_json({**record.to_dict(), "model": document.to_dict()})
        return
    from pmo._render import render_process

    click.echo(render_process(record, document))


@registry.command("export")
@click.argument("key")
@click.option(
    "--version", "number", type=int, default=None, help="Modellversion (Standard: aktuell)."
)
@click.option("-o", "output", type=click.Path(dir_okay=False), default=None, help="Zieldatei.")
@_db_option
def registry_export(key: str, number: int | None, output: str | None, db_url: str | None) -> None:
    """Die BPMN-Datei einer Version, Byte für Byte wie hochgeladen."""
    content = _registry(db_url).export_version(key, number)
    if output:
        write_atomically(output, content)
    else:
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()


@registry.command("lint")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@_db_option
def registry_lint(file: str, as_json: bool, db_url: str | None) -> None:
    """BPMN-Datei prüfen (bpmnlint-Regeln und kommunale Regeln). Exit 1 bei Fehlern."""
    document = parse_bpmn(_read_file(file), source=file)
    context = _registry(db_url).lint_context(catalogue=False)
    findings = lint_bpmn(document, context)
    if as_json:
        _emit_json([f.to_dict() for f in findings])
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
@_db_option
def registry_diff(key: str, v1: int, v2: int, as_json: bool, db_url: str | None) -> None:
    """Unterschiede zwischen zwei Modellversionen."""
    diff = _registry(db_url).diff_versions(key, v1, v2)
    if as_json:
        _emit_json(diff.to_dict())
        return
    from pmo._render import render_diff

    click.echo(render_diff(key, v1, v2, diff))


@registry.command("history")
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@_db_option
def registry_history(key: str, as_json: bool, db_url: str | None) -> None:
    """Änderungsprotokoll eines Prozesses (wer hat wann was getan)."""
    reg = _registry(db_url)
    reg.get_process(key)
    entries = reg.audit_trail(key)
    if as_json:
        _emit_json([e.to_dict() for e in entries])
        return
    for e in entries:
        click.echo(f"{local_text(e.at)}  {e.actor:<16} {e.action:<16} {e.details}")


# -- event logs ---------------------------------------------------------------------------------


def _log_store(db_url: str | None):  # type: ignore[no-untyped-def]
    from mining.logstore import LogStore

    return LogStore(_open(db_url), data_dir())


_MAPPING_OPTIONS = (
    click.option(
        "--case", default=None, help="Spalte mit der Fall-ID (Vorgangsnummer, Aktenzeichen)."
    ),
    click.option("--activity", default=None, help="Spalte mit der Aktivität (Tätigkeit)."),
    click.option(
        "--timestamp", default=None, help="Spalte mit dem Zeitpunkt (Ende der Tätigkeit)."
    ),
    click.option(
        "--resource", default=None, help="Spalte mit Bearbeiter/in (wird pseudonymisiert)."
    ),
    click.option("--start-timestamp", default=None, help="Spalte mit dem Beginn der Tätigkeit."),
    click.option("--org-unit", default=None, help="Spalte mit der Organisationseinheit."),
    click.option(
        "--attribute",
        "attributes",
        multiple=True,
        help="Weitere Spalte, die übernommen wird (z. B. Eingangskanal); mehrfach möglich.",
    ),
    click.option("--sep", default=None, help="Trennzeichen (Standard: erkannt)."),
    click.option("--encoding", default=None, help="Zeichenkodierung (Standard: erkannt)."),
    click.option("--timestamp-format", default=None, help="strptime-Format, z. B. %d.%m.%Y %H:%M."),
    click.option(
        "--timezone",
        default=OFFICE_TIMEZONE,
        show_default=True,
        help="Zeitzone von Zeitangaben ohne Zonenangabe, z. B. UTC für Systemexporte in UTC.",
    ),
    click.option("--sheet", default=None, help="Tabellenblatt (XLSX)."),
)


_MIN_GROUP_SIZE = click.option(
    "--min-group-size",
    type=int,
    default=None,
    help="Mindestgröße von Personengruppen in Auswertungen "
    f"(Standard: Einstellung des Arbeitsbereichs, sonst {DEFAULT_MIN_GROUP_SIZE}).",
)
# Without either flag the office setting (page Einstellungen) decides, as in the workspace.
_WORKING_TIME = click.option(
    "--working-time/--clock-time",
    "working_time",
    default=None,
    help="Wartezeiten in Arbeitszeit (Mo–Fr 8–16 Uhr, Feiertage Niedersachsen) oder in "
    "Kalenderzeit (Standard: Einstellung des Arbeitsbereichs).",
)


def _office_defaults(
    folder: Path, min_group_size: int | None, working_time: bool | None
) -> tuple[int, bool]:
    """The options as given, the office settings where not: an explicit option always wins, and
    a broken settings file only matters when it is needed."""
    if min_group_size is None or working_time is None:
        settings = office_settings(folder)
        if min_group_size is None:
            min_group_size = settings.min_group_size
        if working_time is None:
            working_time = settings.working_time
    return min_group_size, working_time


def _date_range_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--from``/``--to``: calendar days (local time) of the cases to include, both ends too."""
    command = click.option(
        "--to",
        "date_to",
        type=click.DateTime(["%Y-%m-%d"]),
        default=None,
        help="Nur Fälle mit Ereignissen bis zu diesem Tag (einschließlich).",
    )(command)
    return click.option(
        "--from",
        "date_from",
        type=click.DateTime(["%Y-%m-%d"]),
        default=None,
        help="Nur Fälle mit Ereignissen ab diesem Tag (JJJJ-MM-TT).",
    )(command)


def _mapping_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The column-mapping and reading options shared by `log import` and `analyze FILE`."""
    for option in reversed(_MAPPING_OPTIONS):
        command = option(command)
    return command


def _import_options(mapping: dict[str, Any], **extra: Any):  # type: ignore[no-untyped-def]
    from mining.ingest import ImportOptions
    from mining.io import ReadOptions

    read = ReadOptions(
        sep=mapping.pop("sep"), encoding=mapping.pop("encoding"), sheet=mapping.pop("sheet")
    )
    return ImportOptions(read=read, **mapping, **extra)


@cli.group("log")
def log_group() -> None:
    """Ereignisprotokolle der Fachverfahren importieren, auflisten, löschen."""


@log_group.command("import")
# A plain path: pmo itself says, in German, when it names a folder, a device or a pipe.
@click.argument("file", type=click.Path())
@click.option("--process", "process_key", default=None, help="Schlüssel des Prozesses im Register.")
@_mapping_options
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
@_db_option
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
    options = _import_options(
        mapping,
        process_key=process_key,
        department=department,
        surrogate_case_ids=surrogate_case_ids,
        resource_map=Path(resource_map) if resource_map else None,
        drop_resources=drop_resources,
        retention_days=retention_days,
    )
    result = _log_store(db_url).import_file(
        Path(file), uploader=current_user(), options=options, display_name=Path(file).name
    )
    if as_json:
        _emit_json(result.to_dict())
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
    click.echo(f"  Löschung spätestens am {result.delete_after:%d.%m.%Y}")


@log_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@_db_option
def log_list(as_json: bool, db_url: str | None) -> None:
    """Gespeicherte Ereignisprotokolle."""
    store = _log_store(db_url)
    store.sweep_orphans()
    logs = store.list_logs()
    if as_json:
        _emit_json([info.to_dict() for info in logs])
        return
    if not logs:
        click.echo("Keine Ereignisprotokolle gespeichert.")
    for info in logs:
        click.echo(
            f"{info.log_id}  {info.process or '–':<24} {info.cases:>8} Fälle "
            f"{info.events:>9} Ereignisse  {info.source_name}  "
            f"(löschen bis {info.delete_after:%d.%m.%Y})"
        )


@log_group.command("delete")
@click.argument("log_id")
@_db_option
def log_delete(log_id: str, db_url: str | None) -> None:
    """Ereignisprotokoll mit Datei und Katalogeintrag endgültig löschen."""
    redacted = _log_store(db_url).delete(log_id, actor=current_user())
    click.echo(f"{log_id} gelöscht")
    if redacted:
        listed = ", ".join(str(report_id) for report_id in redacted)
        click.echo(f"  Berichte, die darauf beruhen, bereinigt und mit Vermerk versehen: {listed}")


@log_group.command("purge")
@_db_option
def log_purge(db_url: str | None) -> None:
    """Alle Protokolle löschen, deren Löschdatum erreicht ist (für einen täglichen Cron-Job)."""
    removed = _log_store(db_url).purge_expired()
    click.echo(f"{len(removed)} Protokoll(e) nach Fristablauf gelöscht")


# -- analysis ----------------------------------------------------------------------------------


@cli.command("analyze")
@click.argument("target", metavar="(LOG_ID | FILE)")
@click.option(
    "--process",
    "process_key",
    default=None,
    help="Prozess im Register (Standard: der mit dem Protokoll verknüpfte).",
)
@click.option(
    "--version", "version", type=int, default=None, help="Modellversion (Standard: aktuell)."
)
@_mapping_options
@_WORKING_TIME
@click.option("--alignments", is_flag=True, help="Alignments statt Token-Replay (mit Zeitbudget).")
@_date_range_options
@click.option("--top-variants", type=int, default=None, help="Nur die K häufigsten Varianten.")
@click.option(
    "--discovered-bpmn",
    type=click.Path(dir_okay=False),
    default=None,
    help="Entdecktes Modell (Inductive Miner) als BPMN mit Layout in diese Datei schreiben.",
)
@click.option(
    "--noise",
    type=float,
    default=0.2,
    show_default=True,
    help="Rauschschwelle des Inductive Miners für --discovered-bpmn.",
)
@_MIN_GROUP_SIZE
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@_db_option
def analyze_command(
    target: str,
    process_key: str | None,
    version: int | None,
    working_time: bool | None,
    alignments: bool,
    date_from: Any,
    date_to: Any,
    top_variants: int | None,
    discovered_bpmn: str | None,
    noise: float,
    min_group_size: int | None,
    as_json: bool,
    db_url: str | None,
    **mapping: Any,
) -> None:
    """Ein gespeichertes Protokoll oder eine Datei analysieren (gegen das Registermodell)."""
    from pmo._analyze import apply_filters, discovered_model, run_analysis, stored_or_ingested

    store = _log_store(db_url)
    min_group_size, working_time = _office_defaults(store.data_dir, min_group_size, working_time)
    options = _import_options(mapping)
    with stored_or_ingested(store, target, options) as (view, linked_process):
        view = apply_filters(view, date_from=date_from, date_to=date_to, top_variants=top_variants)
        result = run_analysis(
            view,
            registry=Registry(store.db),
            process_key=process_key or linked_process,
            version=version,
            working_time=working_time,
            alignments=alignments,
            min_group_size=min_group_size,
        )
        if discovered_bpmn:
            write_atomically(discovered_bpmn, discovered_model(view, noise_threshold=noise))
    if as_json:
        _emit_json(result)
        return
    from pmo._render import render_analysis

    click.echo(render_analysis(result))


# -- reports ------------------------------------------------------------------------------------

_REPORT_FORMATS = ("pdf", "xlsx", "html", "json")


@cli.command("report")
@click.option(
    "--process",
    "keys",
    multiple=True,
    help="Prozess im Register (mehrfach möglich; Standard: alle Prozesse).",
)
@click.option(
    "--format", "fmt", type=click.Choice(_REPORT_FORMATS), default=None, help="Ausgabeformat."
)
@click.option("-o", "output", type=click.Path(dir_okay=False), default=None, help="Zieldatei.")
@click.option(
    "--snapshot",
    "snapshot_id",
    type=int,
    default=None,
    help="Einen gespeicherten Bericht erneut ausgeben (gleiche Zahlen wie beim Erstellen).",
)
@click.option("--list", "list_reports", is_flag=True, help="Gespeicherte Berichte auflisten.")
@_date_range_options
@click.option(
    "--assumptions",
    "assumptions_file",
    type=click.Path(dir_okay=False),
    envvar="PMO_ASSUMPTIONS_FILE",
    default=None,
    help="TOML-Datei mit eigenen Annahmen und Gewichten (Standard: mitgelieferte Werte).",
)
@_MIN_GROUP_SIZE
@_WORKING_TIME
@click.option("--title", default="Digitalisierungsportfolio", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Antwort als JSON.")
@_db_option
def report_command(
    keys: tuple[str, ...],
    fmt: str | None,
    output: str | None,
    snapshot_id: int | None,
    list_reports: bool,
    date_from: Any,
    date_to: Any,
    assumptions_file: str | None,
    min_group_size: int | None,
    working_time: bool | None,
    title: str,
    as_json: bool,
    db_url: str | None,
) -> None:
    """Portfoliobericht für die Leitung erstellen, als Schnappschuss speichern und ausgeben."""
    from mining.digitization import load_assumptions
    from mining.report import ReportFilters, build_report, render_report
    from process_registry import ReportArchive

    store = _log_store(db_url)
    archive = ReportArchive(store.db)
    if list_reports:
        rows = archive.list()
        if as_json:
            _emit_json([row.to_dict() for row in rows])
            return
        for row in rows:
            keys_text = ", ".join(row.process_keys)
            click.echo(f"{row.id:>5}  {local_text(row.created_at)}  {row.title}  ({keys_text})")
        return
    if fmt is None or output is None:
        raise click.UsageError("--format und -o sind nötig (oder --list).")
    creating = snapshot_id is None
    with StagedOutput(output) as staged:
        if not creating:
            staged.write(render_report(archive.get(snapshot_id), fmt))
        else:
            snapshot = build_report(
                Registry(store.db),
                store,
                keys=keys or None,
                assumptions=load_assumptions(Path(assumptions_file) if assumptions_file else None),
                filters=ReportFilters(
                    date_from=date_from.date() if date_from else None,
                    date_to=date_to.date() if date_to else None,
                ),
                actor=current_user(),
                min_group_size=min_group_size,
                working_time=working_time,
                title=title,
            )
            # The file is written before the snapshot commits: a report that cannot be written
            # leaves no snapshot behind, and a stored snapshot always reached its file.
            snapshot_id = archive.save(
                snapshot,
                actor=current_user(),
                deliver=lambda frozen: staged.write(render_report(frozen, fmt)),
            )
        try:
            staged.publish()
        except OutputError:
            if creating:
                # Renaming beside the staged file failed after the commit (the target turned
                # into a folder, a permission changed): take the snapshot back, visibly audited.
                archive.delete(snapshot_id, actor=current_user())
            raise
    if as_json:
        _emit_json({"report_id": snapshot_id, "format": fmt, "file": output})
    else:
        click.echo(f"Bericht {snapshot_id} als {fmt.upper()} geschrieben: {output}")


# -- database, samples, app ---------------------------------------------------------------------


@cli.group()
def db() -> None:
    """Datenbank anlegen und migrieren."""


@db.command("upgrade")
@_db_option
def db_upgrade(db_url: str | None) -> None:
    """Schema anlegen oder auf den neuesten Stand migrieren."""
    database = open_database(db_url)
    upgrade_schema(database)
    click.echo(f"Datenbankschema auf Stand {current_revision(database)}")


@cli.command()
@click.option(
    "--folder",
    type=click.Path(file_okay=False),
    default=None,
    help="Ordner mit catalogue.json (Standard: bpmn_models/ des Projekts).",
)
@click.option(
    "--no-logs",
    is_flag=True,
    help="Nur die Modelle laden, keine Beispielprotokolle aus event_logs/.",
)
@_db_option
def demo(folder: str | None, no_logs: bool, db_url: str | None) -> None:
    """Beispielmodelle und Beispielprotokolle laden (bereits vorhandene bleiben unverändert)."""
    source = Path(folder) if folder else PROJECT_ROOT / "bpmn_models"
    added = load_catalogue_folder(_registry(db_url), source, author="pmo demo")
    click.echo(
        f"{len(added)} Beispielprozesse geladen"
        if added
        else "Beispielprozesse sind bereits geladen"
    )
    if no_logs:
        return
    from pmo._sample_logs import load_sample_logs

    # Imported one by one: each file lands whole or not at all, so a rerun completes the rest.
    for name, note, result in load_sample_logs(_log_store(db_url), uploader="pmo demo"):
        if result is None:
            click.echo(f"  {name}: {note}")
        else:
            click.echo(
                f"  {name} → {note}: {result.cases} Fälle, {result.events} Ereignisse "
                f"({result.log_id})"
            )


@cli.command()
@click.option("--port", type=int, default=8501, show_default=True)
@_db_option
def app(port: int, db_url: str | None) -> None:
    """Den Arbeitsbereich (Streamlit) starten."""
    _open(db_url)
    if db_url:
        os.environ["PMO_DATABASE_URL"] = db_url
    os.chdir(PROJECT_ROOT)  # .streamlit/config.toml is read from the working directory
    os.execvp(
        sys.executable,
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
    )


def main() -> None:
    _leave(_run())


def _run() -> int:
    try:
        check_xml_runtime()
    except UnsafeXmlRuntimeError as err:
        click.echo(f"Installationsfehler: {err}", err=True)
        return 3
    try:
        # Without standalone mode click returns ctx.exit's code instead of exiting.
        returned = cli.main(standalone_mode=False, prog_name="pmo")
    except (RegistryError, MiningError, OutputError) as err:
        click.echo(f"Fehler: {err}", err=True)
        return 1
    except click.exceptions.Abort:
        click.echo("Abgebrochen.", err=True)
        return 1
    except click.ClickException as err:
        err.show()
        return err.exit_code
    return returned if isinstance(returned, int) else 0


def _leave(code: int) -> NoReturn:
    """Exit without the interpreter's teardown.

    Freeing the module state of pandas, DuckDB, pyarrow and SQLAlchemy at exit takes a quarter of
    a second on this project's machines, which every command would add to its wait after the work
    is done (``pmo analyze`` on a million events takes about a second in all). By now every
    transaction is committed and every temporary folder removed; what is left is to flush the
    output and the log handlers.
    """
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`pmo … | head`) or stream
            pass
    os._exit(code)
