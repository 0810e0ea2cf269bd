"""One clock for everything pmo shows: instants are UTC inside, Europe/Berlin outside.

The catalogue stores instants in UTC; SQLite hands them back without their zone, PostgreSQL in
the session's zone. A person reads Berlin wall-clock time (:func:`local_text`); JSON carries the
instant with its Berlin offset (:func:`iso`), so a program gets the instant and a person reading
the JSON the same wall clock as on the page. Every output goes through these few functions
instead of its own ``strftime``/``isoformat``, so a new output cannot show UTC as if it were
local time. Calendar days (a deletion date, ``--from``/``--to``) are dates, not instants, and
stay as they are.

Example::

    local_text(record.updated_at)   # "31.03.2024 03:30"
    iso(record.updated_at)          # "2024-03-31T03:30:00+02:00"
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from .settings import OFFICE_TIMEZONE

__all__ = [
    "BERLIN",
    "as_utc",
    "iso",
    "local",
    "local_date",
    "local_date_text",
    "local_day_window",
    "local_text",
    "now",
    "parse_iso",
    "today",
]

BERLIN = ZoneInfo(OFFICE_TIMEZONE)
_MISSING = "–"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def now() -> dt.datetime:
    """This instant, UTC-aware."""
    return _now()


def today() -> dt.date:
    """Today's calendar day in Berlin. Deletion dates and "due today" are days of the office,
    not of the machine's zone (often UTC): after 23:00 UTC Berlin is a day ahead."""
    return _now().astimezone(BERLIN).date()


def as_utc(moment: dt.datetime) -> dt.datetime:
    """The instant as a UTC-aware datetime. A naive value is a stored UTC time whose zone the
    database dropped (SQLite), never a local time."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def local(moment: dt.datetime) -> dt.datetime:
    """The instant on Berlin's clock (aware, with the offset in force at that instant)."""
    return as_utc(moment).astimezone(BERLIN)


def local_date(moment: dt.datetime) -> dt.date:
    """The Berlin calendar day of the instant (it may differ from the UTC day near midnight)."""
    return local(moment).date()


def local_day_window(
    first: dt.date | None, last: dt.date | None
) -> tuple[dt.datetime, dt.datetime]:
    """The instants from the start of Berlin day ``first`` to the start of the day after ``last``
    (both days inclusive, the end exclusive); a missing day leaves that side open.

    The one translation of ``--from``/``--to`` and the date fields of the workspace and reports
    into instants. Every day from :attr:`datetime.date.min` to :attr:`datetime.date.max` is valid.
    """
    # Berlin's first midnight of year 1 lies before the first UTC instant Python knows.
    start = (
        dt.datetime.combine(first, dt.time(), BERLIN)
        if first is not None and first > dt.date.min
        else dt.datetime.min.replace(tzinfo=dt.UTC)
    )
    if last is None:
        end = dt.datetime.max.replace(tzinfo=dt.UTC)
    elif last < dt.date.max:
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), BERLIN)
    else:
        # The next midnight is not a Python date; in UTC it is. No clock change falls on
        # 31 December, so that day has 24 hours.
        midnight = dt.datetime.combine(last, dt.time(), BERLIN).astimezone(dt.UTC)
        end = midnight + dt.timedelta(days=1)
    return start, end


def local_text(moment: dt.datetime | None, *, missing: str = _MISSING) -> str:
    """``31.03.2024 03:30``: the instant as a person in the office reads it."""
    return missing if moment is None else f"{local(moment):%d.%m.%Y %H:%M}"


def local_date_text(moment: dt.datetime | None, *, missing: str = _MISSING) -> str:
    """``31.03.2024``: the Berlin calendar day of the instant."""
    return missing if moment is None else f"{local(moment):%d.%m.%Y}"


def iso(moment: dt.datetime | None) -> str | None:
    """``2024-03-31T03:30:00+02:00``: the instant for JSON, with its Berlin offset."""
    return None if moment is None else local(moment).isoformat()


def parse_iso(text: str | None) -> dt.datetime | None:
    """An ISO 8601 instant as a UTC-aware datetime; ``None`` when missing or unreadable.

    A value without an offset is read as UTC: JSON written before every time carried its
    offset (report snapshots among it) held the catalogue's UTC times as SQLite returned them.
    """
    if not text:
        return None
    try:
        return as_utc(dt.datetime.fromisoformat(text))
    except (TypeError, ValueError):
        return None
