"""The office's settings: where the toolkit keeps its data, and how it counts and shows figures.

Two sources, read once per call, nothing cached:

* environment variables (README, "Environment variables"): ``PMO_DATA_DIR``, ``PMO_DATABASE_URL``,
  ``PMO_USER`` and ``PMO_RETENTION_DAYS`` are read here, the others where they are used;
* the office settings file :data:`SETTINGS_FILE` in ``PMO_DATA_DIR``, which the workspace's page
  Einstellungen writes (minimum group size, working-time calendar with office hours, working days
  and the Land whose public holidays count, retention) and an administrator may edit
  (``min_cases``: the fewest cases a log needs to speak for a process).
  :func:`office_settings` reads it for the command line, the workspace and the reports alike, so
  ``pmo analyze`` counts the way the workspace does.

``PMO_DATABASE_URL`` selects the catalogue database (SQLAlchemy URL); without it the registry uses a
SQLite file inside ``PMO_DATA_DIR``. ``PMO_DATA_DIR`` defaults to the XDG data directory, so the CLI
works from any folder; ``make run`` points it into the checkout.
"""

from __future__ import annotations

import getpass
import json
import os
import tomllib
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .errors import ValidationError
from .files import write_text_atomically

__all__ = [
    "DEFAULT_DATA_AGE_WARNING_DAYS",
    "DEFAULT_HOLIDAY_CALENDAR",
    "DEFAULT_MIN_CASES",
    "DEFAULT_MIN_GROUP_SIZE",
    "DEFAULT_OFFICE_END",
    "DEFAULT_OFFICE_START",
    "DEFAULT_WORKING_DAYS",
    "LANDS",
    "DEFAULT_RETENTION_DAYS",
    "OFFICE_TIMEZONE",
    "PERSONALRAT_THRESHOLD",
    "SETTINGS_FILE",
    "OfficeSettings",
    "SettingsError",
    "checked_data_age",
    "checked_calendar",
    "checked_settings",
    "configured_settings",
    "current_user",
    "data_dir",
    "database_url",
    "office_settings",
    "retention_days",
    "save_office_settings",
    "settings_path",
]

# The office's wall clock: naive times in imports, calendar days in filters, every time shown.
OFFICE_TIMEZONE = "Europe/Berlin"
# Public holidays of this Land (ISO 3166-2:DE code without "DE-") in the working-time calendar
# and in the deadline computations (§ 31 (3) VwVfG); the sample office (`pmo demo`) sets "BY".
DEFAULT_HOLIDAY_CALENDAR = "NI"
# The Länder by their ISO 3166-2:DE codes, as the library ``holidays`` names its subdivisions.
LANDS: dict[str, str] = {
    "BW": "Baden-Württemberg",
    "BY": "Bayern",
    "BE": "Berlin",
    "BB": "Brandenburg",
    "HB": "Bremen",
    "HH": "Hamburg",
    "HE": "Hessen",
    "MV": "Mecklenburg-Vorpommern",
    "NI": "Niedersachsen",
    "NW": "Nordrhein-Westfalen",
    "RP": "Rheinland-Pfalz",
    "SL": "Saarland",
    "SN": "Sachsen",
    "ST": "Sachsen-Anhalt",
    "SH": "Schleswig-Holstein",
    "TH": "Thüringen",
}
DEFAULT_OFFICE_START = time(8, 0)
DEFAULT_OFFICE_END = time(16, 0)
DEFAULT_WORKING_DAYS: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0, as date.weekday()
# How the settings file spells working days: readable for an administrator editing it by hand.
_DAY_NAMES = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
DEFAULT_MIN_GROUP_SIZE = 5
# Below this many people an org-unit figure comes close to judging individuals: the Personalrat
# has to agree to a smaller minimum group size.
PERSONALRAT_THRESHOLD = 5
DEFAULT_RETENTION_DAYS = 365
# A log with fewer cases gets a warning at import and does not become a process's reference log
# by default: at 100 cases the P90 throughput time rests on the ten slowest cases, below that one
# case more or less moves it, and a variant share of 1 % is a single case. The digitization
# assumption ``general.min_cases`` (annahmen.toml) has the same default but another job: it flags
# candidates resting on few cases; this one decides which log speaks for a process.
DEFAULT_MIN_CASES = 100
# A reference log whose newest event is older than this many days at report time gets a warning
# on the Übersicht and in the report: its figures may no longer describe today's process.
DEFAULT_DATA_AGE_WARNING_DAYS = 180
SETTINGS_FILE = "arbeitsbereich.toml"

_RETENTION_ENV = "PMO_RETENTION_DAYS"
_FILE_KEYS = (
    "min_group_size",
    "working_time",
    "retention_days",
    "min_cases",
    "data_age_warning_days",
    "holiday_calendar",
    "office_start",
    "office_end",
    "working_days",
)


class SettingsError(ValidationError):
    """A setting that cannot be used; the message is German, for the user.

    ``source`` names where it came from (the settings file, an environment variable) if not the
    user's own input; ``reason`` is the message without it.
    """

    def __init__(self, reason: str, *, source: str | None = None) -> None:
        self.reason = reason
        self.source = source
        super().__init__(f"{source}: {reason}" if source else reason)


def data_dir() -> Path:
    configured = os.environ.get("PMO_DATA_DIR")
    if configured:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "pmo"


def database_url() -> str:
    configured = os.environ.get("PMO_DATABASE_URL")
    if configured:
        return configured
    return f"sqlite:///{data_dir() / 'pmo.sqlite3'}"


def current_user() -> str:
    """The name recorded as author and actor when no login tells us better."""
    configured = os.environ.get("PMO_USER")
    if configured:
        return configured
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unbekannt"


@dataclass(frozen=True)
class OfficeSettings:
    """How the office counts: read with :func:`office_settings`, the defaults are the shipped ones.

    ``timezone`` is fixed for now (Europe/Berlin); it is a field so that every reader takes it
    from here and not from a literal of its own. ``holiday_calendar`` is a key of :data:`LANDS`;
    ``office_start``–``office_end`` on ``working_days`` (Monday = 0) is the working time.
    """

    min_group_size: int = DEFAULT_MIN_GROUP_SIZE
    working_time: bool = False
    retention_days: int = DEFAULT_RETENTION_DAYS
    min_cases: int = DEFAULT_MIN_CASES
    data_age_warning_days: int = DEFAULT_DATA_AGE_WARNING_DAYS
    timezone: str = OFFICE_TIMEZONE
    holiday_calendar: str = DEFAULT_HOLIDAY_CALENDAR
    office_start: time = DEFAULT_OFFICE_START
    office_end: time = DEFAULT_OFFICE_END
    working_days: tuple[int, ...] = field(default=DEFAULT_WORKING_DAYS)

    def __post_init__(self) -> None:
        checked_settings(self.min_group_size, self.working_time)
        checked_calendar(
            self.holiday_calendar, self.office_start, self.office_end, self.working_days
        )
        _checked_retention(self.retention_days)
        _checked_min_cases(self.min_cases)
        checked_data_age(self.data_age_warning_days)
        ZoneInfo(self.timezone)  # an unknown zone fails here, not in the middle of an analysis

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def checked_settings(min_group_size: Any, working_time: Any) -> dict[str, Any]:
    """The two settings the page Einstellungen edits, checked; raises :class:`SettingsError`."""
    if isinstance(min_group_size, bool) or not isinstance(min_group_size, int | float):
        raise SettingsError(f"Mindestgruppengröße: „{min_group_size}“ ist keine Zahl.")
    if min_group_size != int(min_group_size):
        raise SettingsError(f"Mindestgruppengröße: {min_group_size} ist keine ganze Zahl.")
    if min_group_size < 2:
        raise SettingsError(
            f"Mindestgruppengröße: mindestens 2 Personen, nicht {int(min_group_size)} – "
            "sonst stünden Zahlen über einzelne Beschäftigte im Arbeitsbereich."
        )
    if not isinstance(working_time, bool):
        raise SettingsError("Arbeitszeitkalender: nur „ja“ oder „nein“.")
    return {"min_group_size": int(min_group_size), "working_time": working_time}


def checked_calendar(
    holiday_calendar: Any, office_start: Any, office_end: Any, working_days: Any
) -> dict[str, Any]:
    """The working-time calendar as the page or the file gives it, checked: a Land code of
    :data:`LANDS`, office hours as :class:`datetime.time` or ``"HH:MM"``, working days as numbers
    (Monday = 0) or German abbreviations (``"Mo"``). Raises :class:`SettingsError`."""
    if holiday_calendar not in LANDS:
        raise SettingsError(
            f"Feiertage: „{holiday_calendar}“ ist kein Land; möglich: {', '.join(LANDS)} "
            "(BY = Bayern, NI = Niedersachsen, …)."
        )
    start = _checked_time(office_start, "Beginn der Arbeitszeit")
    end = _checked_time(office_end, "Ende der Arbeitszeit")
    if end <= start:
        raise SettingsError(
            f"Arbeitszeit: das Ende ({end:%H:%M}) muss nach dem Beginn ({start:%H:%M}) liegen."
        )
    if isinstance(working_days, str) or not isinstance(working_days, list | tuple | frozenset):
        raise SettingsError(f"Arbeitstage: „{working_days}“ ist keine Liste von Tagen.")
    days: set[int] = set()
    for day in working_days:
        if isinstance(day, str) and day in _DAY_NAMES:
            days.add(_DAY_NAMES.index(day))
        elif isinstance(day, int) and not isinstance(day, bool) and 0 <= day <= 6:
            days.add(day)
        else:
            raise SettingsError(
                f"Arbeitstage: „{day}“ ist kein Wochentag (möglich: {', '.join(_DAY_NAMES)})."
            )
    if not days:
        raise SettingsError("Arbeitstage: mindestens ein Wochentag.")
    return {
        "holiday_calendar": holiday_calendar,
        "office_start": start,
        "office_end": end,
        "working_days": tuple(sorted(days)),
    }


def _checked_time(value: Any, label: str) -> time:
    if isinstance(value, time):
        if value.second or value.microsecond or value.tzinfo:
            raise SettingsError(f"{label}: auf die Minute genau, ohne Zeitzone, nicht {value}.")
        return value
    if isinstance(value, str):
        try:
            parsed = time.fromisoformat(value)
        except ValueError:
            pass
        else:
            if len(value) == 5:  # HH:MM, nothing else
                return parsed
    raise SettingsError(f"{label}: „{value}“ ist keine Uhrzeit im Format HH:MM (etwa 08:00).")


def _checked_retention(days: Any, *, source: str | None = None) -> int:
    if isinstance(days, bool) or not isinstance(days, int):
        raise SettingsError(
            f"Aufbewahrungsfrist (retention_days) muss eine ganze Zahl sein, nicht „{days}“",
            source=source,
        )
    if days < 0:
        raise SettingsError(
            f"Aufbewahrungsfrist (retention_days) darf nicht negativ sein, nicht „{days}“ "
            "(0 heißt: am Tag des Imports zur Löschung fällig)",
            source=source,
        )
    return days


def _checked_min_cases(cases: Any, *, source: str | None = None) -> int:
    if isinstance(cases, bool) or not isinstance(cases, int) or cases < 0:
        raise SettingsError(
            f"Mindestzahl der Fälle (min_cases) muss eine ganze Zahl ab 0 sein, nicht „{cases}“ "
            "(0 heißt: keine Warnung für kleine Protokolle)",
            source=source,
        )
    return cases


def checked_data_age(days: Any, *, source: str | None = None) -> int:
    """The data-age warning threshold (days, at least 1); raises :class:`SettingsError`."""
    if isinstance(days, float) and days.is_integer():
        days = int(days)  # a number field of the page gives a float
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise SettingsError(
            "Warnung bei alten Daten (data_age_warning_days) muss eine ganze Zahl ab 1 sein "
            f"(Tage), nicht „{days}“",
            source=source,
        )
    return days


def settings_path(folder: Path | None = None) -> Path:
    """The office settings file in ``folder`` (default: ``PMO_DATA_DIR``)."""
    return (folder if folder is not None else data_dir()) / SETTINGS_FILE


def _file_values(folder: Path | None) -> dict[str, Any]:
    """What the settings file says (empty without a file); raises :class:`SettingsError` naming
    the file for a file that cannot be read or holds a key nobody reads."""
    path = settings_path(folder)
    try:
        with path.open("rb") as handle:
            values = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as err:
        raise SettingsError(f"kein gültiges TOML ({err})", source=str(path)) from None
    except OSError as err:
        raise SettingsError(f"nicht lesbar ({err.strerror})", source=str(path)) from None
    unknown = sorted(set(values) - set(_FILE_KEYS))
    if unknown:
        # A misspelt key would otherwise leave the default in force without anyone noticing.
        raise SettingsError(
            f"unbekannte Einstellung „{unknown[0]}“ (möglich: {', '.join(_FILE_KEYS)})",
            source=str(path),
        )
    return values


def configured_settings(folder: Path | None = None) -> frozenset[str]:
    """The settings the file in ``folder`` sets itself (the others are at their defaults)."""
    return frozenset(_file_values(folder))


def _env_retention() -> int | None:
    configured = os.environ.get(_RETENTION_ENV)
    if not configured:
        return None
    try:
        days = int(configured)
    except ValueError:
        raise SettingsError(
            f"PMO_RETENTION_DAYS muss eine ganze Zahl sein, nicht „{configured}“"
        ) from None
    if days < 0:
        raise SettingsError(
            f"PMO_RETENTION_DAYS darf nicht negativ sein, nicht „{configured}“ (0 heißt: am Tag "
            "des Imports zur Löschung fällig)"
        )
    return days


def _retention(values: dict[str, Any], source: str) -> int:
    if "retention_days" not in values:
        return DEFAULT_RETENTION_DAYS
    return _checked_retention(values["retention_days"], source=source)


def retention_days(folder: Path | None = None) -> int:
    """Days an imported event log is kept before the deletion job removes it; 0 makes it due on
    the day of the import. ``PMO_RETENTION_DAYS`` wins over ``retention_days`` in the settings
    file of ``folder`` (default ``PMO_DATA_DIR``), which wins over :data:`DEFAULT_RETENTION_DAYS`."""
    from_env = _env_retention()
    if from_env is not None:
        return from_env  # the file is not read: a deployment that sets the variable stays as it was
    return _retention(_file_values(folder), str(settings_path(folder)))


def office_settings(folder: Path | None = None) -> OfficeSettings:
    """The settings of the office whose data lie in ``folder`` (default: ``PMO_DATA_DIR``).

    Raises :class:`SettingsError` naming the file when it is broken: a minimum group size the
    Personalrat agreed to is never silently replaced by the default.
    """
    values = _file_values(folder)
    source = str(settings_path(folder))
    try:
        checked = checked_settings(
            values.get("min_group_size", DEFAULT_MIN_GROUP_SIZE),
            values.get("working_time", False),
        )
        calendar = checked_calendar(
            values.get("holiday_calendar", DEFAULT_HOLIDAY_CALENDAR),
            values.get("office_start", DEFAULT_OFFICE_START),
            values.get("office_end", DEFAULT_OFFICE_END),
            values.get("working_days", DEFAULT_WORKING_DAYS),
        )
    except SettingsError as err:
        raise SettingsError(err.reason, source=source) from None
    from_env = _env_retention()
    return OfficeSettings(
        min_group_size=checked["min_group_size"],
        working_time=checked["working_time"],
        retention_days=from_env if from_env is not None else _retention(values, source),
        min_cases=_checked_min_cases(values.get("min_cases", DEFAULT_MIN_CASES), source=source),
        data_age_warning_days=checked_data_age(
            values.get("data_age_warning_days", DEFAULT_DATA_AGE_WARNING_DAYS), source=source
        ),
        **calendar,
    )


def save_office_settings(
    min_group_size: Any,
    working_time: Any,
    *,
    folder: Path | None = None,
    actor: str = "",
    data_age_warning_days: Any = None,
    retention_days: Any = None,
    holiday_calendar: Any = None,
    office_start: Any = None,
    office_end: Any = None,
    working_days: Any = None,
) -> OfficeSettings:
    """Check the settings of the page Einstellungen and write them into the settings file of
    ``folder`` (default ``PMO_DATA_DIR``), keeping what else it holds; the old file stays if
    anything fails (:class:`SettingsError`). A keyword left at None keeps its current value.
    Returns the settings as now in force."""
    path = settings_path(folder)
    current = office_settings(folder)  # a broken file is reported, not overwritten
    values = {**_file_values(folder), **checked_settings(min_group_size, working_time)}
    if data_age_warning_days is not None:
        values["data_age_warning_days"] = checked_data_age(data_age_warning_days)
    if retention_days is not None:
        values["retention_days"] = _checked_retention(retention_days)
    calendar_given = (holiday_calendar, office_start, office_end, working_days)
    if any(value is not None for value in calendar_given):
        calendar = checked_calendar(
            current.holiday_calendar if holiday_calendar is None else holiday_calendar,
            current.office_start if office_start is None else office_start,
            current.office_end if office_end is None else office_end,
            current.working_days if working_days is None else working_days,
        )
        values.update(_file_calendar(calendar))
    lines = ["# Einstellungen des Arbeitsbereichs (Seite Einstellungen)."]
    if actor:
        lines.append(f"# Zuletzt gespeichert von {' '.join(actor.splitlines())}.")
    lines += [f"{key} = {_toml_value(value)}" for key, value in values.items()]
    text = "\n".join(lines) + "\n"

    def check(written: Path) -> None:
        with written.open("rb") as handle:
            if tomllib.load(handle) != values:
                raise SettingsError(
                    "Die Einstellungen ließen sich nicht fehlerfrei speichern.", source=str(path)
                )

    try:
        write_text_atomically(path, text, check=check)
    except OSError as exc:
        raise SettingsError(
            f"kann nicht geschrieben werden ({exc.strerror}).", source=str(path)
        ) from None
    return office_settings(folder)


def _file_calendar(calendar: dict[str, Any]) -> dict[str, Any]:
    """The checked calendar as the settings file spells it (see :func:`checked_calendar`)."""
    return {
        "holiday_calendar": calendar["holiday_calendar"],
        "office_start": f"{calendar['office_start']:%H:%M}",
        "office_end": f"{calendar['office_end']:%H:%M}",
        "working_days": [_DAY_NAMES[day] for day in calendar["working_days"]],
    }


def _toml_value(value: Any) -> str:
    # Whole numbers, yes/no, checked short texts (Land codes, HH:MM, day names) and lists of them,
    # which _file_values and office_settings check when reading back.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, time):
        return f"{value:%H:%M:%S}"
    return str(int(value))
