"""Working time: office hours, weekdays and public holidays, for waits measured the way staff work.

A wait from Friday 15:00 to Monday 09:00 is 66 hours on the clock but 2 hours of office time; a
bottleneck ranking on clock time blames the weekend. :class:`WorkingCalendar` counts only the
seconds inside office hours on working days, in local wall-clock time of the office.

The arithmetic is per day and vectorized with numpy's business-day functions::

    working(s, e) = day_length × working_days_in[day(s), day(e)) + part(e) − part(s)

where ``part(t)`` is the office time already elapsed on ``t``'s own day (0 on a day off). It is
exact for any span, however long, and needs no loop over rows or days.

Hours are wall-clock hours: a working day has ``end − start`` seconds even on the two days a year
the clocks change, which in Germany happens on Sunday nights, outside any office hours.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time

import holidays
import numpy as np
import pandas as pd
from dateutil.easter import easter

from process_registry import LANDS, OFFICE_TIMEZONE, OfficeSettings

__all__ = [
    "HOLIDAY_YEARS",
    "WorkingCalendar",
    "easter_sunday",
    "land_holidays",
    "lower_saxony_holidays",
    "office_calendar",
]

_WORKDAYS = frozenset({0, 1, 2, 3, 4})  # Monday = 0, as datetime.date.weekday()
_NS_PER_S = 1_000_000_000


def _seconds_of_day(value: time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


@dataclass(frozen=True)
class WorkingCalendar:
    """Office hours ``start``–``end`` on ``weekdays`` (Monday = 0), except ``holidays``.

    Example::

        from mining.measures.calendar import WorkingCalendar, lower_saxony_holidays

        office = WorkingCalendar(holidays=lower_saxony_holidays([2024, 2025]))
        office.working_seconds(events["from"], events["to"])  # seconds, one per row
    """

    start: time = time(8, 0)
    end: time = time(16, 0)
    weekdays: frozenset[int] = field(default=_WORKDAYS)
    holidays: frozenset[date] = frozenset()
    timezone: str = OFFICE_TIMEZONE
    # The Land whose public holidays ``holidays`` are (a key of LANDS), to name them in texts.
    land: str | None = None

    def __post_init__(self) -> None:
        if self.start.microsecond or self.end.microsecond:
            raise ValueError("Arbeitszeiten werden auf die Sekunde genau angegeben.")
        if self.end <= self.start:
            raise ValueError("Das Ende der Arbeitszeit muss nach ihrem Beginn liegen.")
        if not self.weekdays or not set(self.weekdays) <= set(range(7)):
            raise ValueError("Arbeitstage sind Zahlen von 0 (Montag) bis 6 (Sonntag).")

    @property
    def day_seconds(self) -> int:
        """Working seconds of one full working day."""
        return _seconds_of_day(self.end) - _seconds_of_day(self.start)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays

    def working_seconds(self, start: pd.Series, end: pd.Series) -> pd.Series:
        """Working seconds from each ``start`` to the matching ``end`` (floats, same index as ``end``).

        Timestamps without a time zone are taken as UTC, the storage time zone of the event
        files. A row with a missing timestamp gives NaN; an ``end`` before its ``start`` gives the
        negative of the reverse span.
        """
        if len(start) != len(end):
            raise ValueError("start and end must have the same length")
        begin_local = self._local(start)
        end_local = self._local(end)
        missing = np.isnat(begin_local) | np.isnat(end_local)
        # busday_count cannot take NaT; any date will do, the row is set to NaN below.
        filler = np.datetime64("2000-01-01T00:00:00", "ns")
        begin_local = np.where(missing, filler, begin_local)
        end_local = np.where(missing, filler, end_local)

        begin_day = begin_local.astype("datetime64[D]")
        end_day = end_local.astype("datetime64[D]")
        weekmask = [day in self.weekdays for day in range(7)]
        holidays = np.array(sorted(self.holidays), dtype="datetime64[D]")
        # Working days in [begin_day, end_day): negative when end_day is earlier, which keeps the
        # formula antisymmetric.
        full_days = np.busday_count(begin_day, end_day, weekmask=weekmask, holidays=holidays)
        total = (
            full_days.astype(np.float64) * self.day_seconds
            + self._elapsed_today(end_local, end_day, weekmask, holidays)
            - self._elapsed_today(begin_local, begin_day, weekmask, holidays)
        )
        total[missing] = np.nan
        return pd.Series(total, index=end.index, dtype="float64")

    def _local(self, values: pd.Series) -> np.ndarray:
        """Local wall-clock times as naive ``datetime64[ns]``."""
        stamps = pd.to_datetime(values)
        if stamps.dt.tz is None:
            stamps = stamps.dt.tz_localize("UTC")
        local = stamps.dt.tz_convert(self.timezone).dt.tz_localize(None)
        return local.to_numpy(dtype="datetime64[ns]")

    def _elapsed_today(
        self,
        moments: np.ndarray,
        days: np.ndarray,
        weekmask: list[bool],
        holidays: np.ndarray,
    ) -> np.ndarray:
        """Working seconds between the start of ``moments``' own day and ``moments``."""
        since_midnight = (moments - days.astype("datetime64[ns]")).astype(np.int64) / _NS_PER_S
        elapsed = np.clip(since_midnight - _seconds_of_day(self.start), 0, self.day_seconds)
        working = np.is_busday(days, weekmask=weekmask, holidays=holidays)
        return np.where(working, elapsed, 0.0)


def easter_sunday(year: int) -> date:
    """Easter Sunday (Gregorian), from ``dateutil`` (which ``holidays`` builds on)."""
    return easter(year)


def lower_saxony_holidays(years: Iterable[int]) -> frozenset[date]:
    """The statutory public holidays of Lower Saxony (Niedersachsen) in ``years``."""
    return land_holidays("NI", years)


# The years an office calendar knows holidays of: wide enough for any log an office keeps.
HOLIDAY_YEARS = range(2000, 2041)


def land_holidays(land: str, years: Iterable[int]) -> frozenset[date]:
    """The Land-wide statutory public holidays of ``land`` (ISO 3166-2:DE code without "DE-",
    e.g. ``"BY"``) in ``years``, from the maintained library ``holidays``.

    Holidays of only part of a Land are not included: Mariä Himmelfahrt in Bavaria's mostly
    Catholic municipalities, the Augsburger Friedensfest, Fronleichnam in parts of Saxony and
    Thuringia. One-off holidays are (Reformationstag 2017 everywhere, Berlin's 8 May 2020).
    """
    if land not in LANDS:
        raise ValueError(
            f"Feiertagskalender „{land}“ ist nicht bekannt; bekannt: {', '.join(LANDS)}."
        )
    return frozenset(holidays.Germany(subdiv=land, years=list(years)))


def office_calendar(settings: OfficeSettings | None = None) -> WorkingCalendar:
    """The office's working-time calendar (office hours and working days of ``settings``, the
    public holidays of its Land in :data:`HOLIDAY_YEARS`, its time zone): what "working time"
    means in an analysis. Without ``settings``: the shipped defaults (Mon–Fri 8–16, Lower Saxony).
    """
    settings = settings or OfficeSettings()
    return WorkingCalendar(
        start=settings.office_start,
        end=settings.office_end,
        weekdays=frozenset(settings.working_days),
        holidays=land_holidays(settings.holiday_calendar, HOLIDAY_YEARS),
        timezone=settings.timezone,
        land=settings.holiday_calendar,
    )
