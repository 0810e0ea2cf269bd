"""What every command shares: the root group, the database option, JSON output, the log store and
the options of an import."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from mining import default_language
from process_registry import (
    DEFAULT_MIN_GROUP_SIZE,
    MAX_BPMN_BYTES,
    OFFICE_TIMEZONE,
    Database,
    Registry,
    data_dir,
    office_settings,
    open_database,
    prepared_schema,
    read_limited,
)

__all__ = [
    "LANG",
    "WORKING_TIME",
    "office_defaults",
    "MAPPING_OPTIONS",
    "MIN_GROUP_SIZE",
    "PROJECT_ROOT",
    "cli",
    "date_range_options",
    "db_option",
    "emit_json",
    "import_options",
    "log_store",
    "mapping_options",
    "open_db",
    "read_file",
    "registry_of",
]

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def read_file(path: str) -> bytes:
    """A BPMN file named on the command line, read only if it is a regular file within the limit."""
    return read_limited(path, limit=MAX_BPMN_BYTES)


def db_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--db",
        "db_url",
        envvar="PMO_DATABASE_URL",
        default=None,
        help="SQLAlchemy-URL der Katalogdatenbank (Standard: PMO_DATABASE_URL bzw. SQLite-Datei).",
    )(command)


def open_db(db_url: str | None) -> Database:
    """The database, created on first use; an outdated schema is reported, not silently migrated."""
    return prepared_schema(open_database(db_url))


def registry_of(db_url: str | None) -> Registry:
    return Registry(open_db(db_url))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """pmo – Werkzeug der Prozessmanagement-Stelle: Prozessregister, Process Mining, Arbeitsbereich."""


def log_store(db_url: str | None):  # type: ignore[no-untyped-def]
    from mining import LogStore

    return LogStore(open_db(db_url), data_dir())


MAPPING_OPTIONS = (
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
        help="Weitere Spalte, die übernommen wird (z. B. Bemerkung); mehrfach möglich. "
        "Eingangskanal-Spalten (Eingangskanal, Kanal, Posteingang …) werden ohnehin übernommen.",
    ),
    click.option(
        "--drop-attribute",
        "drop_attributes",
        multiple=True,
        help="Spalte, die nie übernommen wird, auch wenn sie als Eingangskanal erkannt ist; "
        "mehrfach möglich.",
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


MIN_GROUP_SIZE = click.option(
    "--min-group-size",
    type=int,
    default=None,
    help="Mindestgröße von Personengruppen in Auswertungen "
    f"(Standard: Einstellung des Arbeitsbereichs, sonst {DEFAULT_MIN_GROUP_SIZE}).",
)
# Without either flag the office setting (page Einstellungen) decides, as in the workspace.
WORKING_TIME = click.option(
    "--working-time/--clock-time",
    "working_time",
    default=None,
    help="Wartezeiten in Arbeitszeit (Dienstzeit, Arbeitstage und Feiertage des Landes laut "
    "Einstellungen des Arbeitsbereichs; mitgeliefert Mo–Fr 8–16 Uhr, Niedersachsen) oder in "
    "Kalenderzeit (Standard: Einstellung des Arbeitsbereichs).",
)

# Generated texts (reasons, notes) and report labels; keys of --json output never change.
LANG = click.option(
    "--lang",
    type=click.Choice(["de", "en"]),
    default=None,
    callback=lambda _ctx, _param, value: value or default_language(),
    help="Sprache der erzeugten Texte: de oder en (Standard: PMO_LANGUAGE, sonst de).",
)


def office_defaults(
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


def date_range_options(command: Callable[..., Any]) -> Callable[..., Any]:
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


def mapping_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The column-mapping and reading options shared by `log import` and `analyze FILE`."""
    for option in reversed(MAPPING_OPTIONS):
        command = option(command)
    return command


def import_options(mapping: dict[str, Any], **extra: Any):  # type: ignore[no-untyped-def]
    from mining import ImportOptions, ReadOptions

    read = ReadOptions(
        sep=mapping.pop("sep"), encoding=mapping.pop("encoding"), sheet=mapping.pop("sheet")
    )
    return ImportOptions(read=read, **mapping, **extra)
