"""Legal deadlines counted as the law counts them, e.g. the three months of § 42a VwVfG.

**Where the clock runs.** A deadline for a decision starts when the complete application is
received (§ 42a (2) VwVfG), not with the first event a system logs. Per process the registry
names the start activity (e.g. "Unterlagen vollständig"); the clock starts with its *last*
occurrence in the case, because the last Nachreichung completes the application. It stops with
the first occurrence of the stop activity after that (a named decision step), by default with the
case's last event; without a start activity it starts with the case's first event.

**How days are counted** (§ 31 (1) VwVfG with §§ 187–188 BGB): in calendar days of the office's
time zone, Europe/Berlin. The day of the starting event is not counted (§ 187 (1) BGB); a
deadline of N days ends at the end of the N-th day after it (§ 188 (1) BGB); if that day is a
Saturday, Sunday or public holiday, it ends at the end of the next working day (§ 31 (3) VwVfG).
A case is *over* when its clock stopped on a later local day. So an event at 23:30 and one at
00:30 two nights later are one day apart, whatever the UTC clock says, and a clock change adds
or loses no day.

**Cases the clock does not fit** are reported, never dropped silently:

* *not started*: the start activity never occurs in the case (the application was never
  complete, or the log names the step differently). Such cases are not in ``cases``.
* *running*: the clock started but no stop activity follows within the log. The clock is read at
  the log's end (its last event): a case whose deadline had passed by then is *over* — no
  decision was logged in time —, one that had come close is *close*; both are in ``cases`` and are
  counted again in ``running`` and ``running_over``. A stop activity that occurs only before the
  start does not stop the clock (``stop_before_start`` counts those cases).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from mining.measures.calendar import WorkingCalendar, land_holidays
from mining.query import LogView, LogViewError, query_deadline_clocks
from mining.results import DeadlineRecord
from mining.texts import Text, bi
from process_registry import DEFAULT_HOLIDAY_CALENDAR, LANDS, OFFICE_TIMEZONE, iso

__all__ = [
    "COUNTING_RULE",
    "counting_rule",
    "DeadlineStatus",
    "clock_status",
    "clock_texts",
    "deadline_cases",
    "deadline_status",
    "event_clocks",
]

# § 31 (3) VwVfG names Saturday, Sunday and public holidays, not the office's own opening days.
_LEGAL_WEEKMASK = "1111100"


@dataclass(frozen=True)
class DeadlineStatus:
    """How many cases passed, or came close to, a legal deadline, and where its clock ran."""

    deadline_days: int
    starts_with: str | None  # None: the case's first event
    ends_with: str | None  # None: the case's last event
    cases: int  # cases whose clock started
    over: int  # stopped after the deadline, or still running past it at the log's end
    over_share: float
    close: int  # stopped, or still running, on or after close_threshold days, not over
    close_share: float
    close_threshold: float  # days
    not_started: int  # the start activity never occurs: not in ``cases``
    running: int  # started, no stop within the log: read at the log's end
    running_over: int  # of ``running``, already over at the log's end (also in ``over``)
    stop_before_start: int  # of ``running``, the stop activity occurs only before the start
    measured_until: datetime | None  # the log's last event, where running clocks are read
    # The Land (key of process_registry.LANDS) whose public holidays ended deadlines; None: a
    # calendar of the caller's own holidays.
    holidays_of: str | None = DEFAULT_HOLIDAY_CALENDAR

    def to_dict(self) -> DeadlineRecord:
        """The ``deadline`` object of ``pmo analyze --json``."""
        return {
            "starts_with": self.starts_with,
            "starts_with_default": self.starts_with is None,
            "ends_with": self.ends_with,
            "ends_with_default": self.ends_with is None,
            "deadline_days": self.deadline_days,
            "cases": self.cases,
            "over": self.over,
            "over_share": self.over_share,
            "close": self.close,
            "close_share": self.close_share,
            "close_threshold": self.close_threshold,
            "not_started": self.not_started,
            "running": self.running,
            "running_over": self.running_over,
            "stop_before_start": self.stop_before_start,
            "measured_until": iso(self.measured_until),
            "holidays_of": self.holidays_of,
        }


def deadline_status(
    view: LogView,
    *,
    deadline_days: int,
    starts_with: str | None = None,
    ends_with: str | None = None,
    warn_share: float = 0.8,
    calendar_days: bool = True,
    calendar: WorkingCalendar | None = None,
) -> DeadlineStatus:
    """Cases over a deadline of ``deadline_days`` and close to it (see the module docstring).

    ``starts_with``/``ends_with`` name the activities where the clock starts and stops (None:
    the case's first/last event). "Close" means at least ``warn_share`` × the deadline
    (``close_threshold`` days) but not over. Shares are of ``cases`` (0 when no clock started).

    With ``calendar_days`` (default) days are counted as the law counts them, in the time zone and
    with the public holidays of ``calendar`` (default: Europe/Berlin, Lower Saxony). Otherwise in
    working days: working seconds of ``calendar`` between start and stop, divided by the length of
    its working day (default: office hours 8–16, Monday to Friday, holidays of Lower Saxony).

    Example::

        status = deadline_status(view, deadline_days=90, starts_with="Unterlagen vollständig")
        f"{status.over_share:.0%} über der Frist, {status.not_started} ohne Fristbeginn"
    """
    _check(deadline_days, starts_with, ends_with, warn_share)
    return clock_status(
        query_deadline_clocks(view, starts_with=starts_with, ends_with=ends_with),
        deadline_days=deadline_days,
        starts_with=starts_with,
        ends_with=ends_with,
        warn_share=warn_share,
        calendar_days=calendar_days,
        calendar=calendar,
    )


def clock_status(
    clocks: pd.DataFrame,
    *,
    deadline_days: int,
    starts_with: str | None = None,
    ends_with: str | None = None,
    warn_share: float = 0.8,
    calendar_days: bool = True,
    calendar: WorkingCalendar | None = None,
) -> DeadlineStatus:
    """:func:`deadline_status` of clocks read elsewhere: ``clocks`` has the columns of
    :func:`event_clocks` (a log replayed with changed steps counts its deadline as the stored
    log does)."""
    _check(deadline_days, starts_with, ends_with, warn_share)
    clocks = _counted(
        clocks,
        deadline_days=deadline_days,
        warn_share=warn_share,
        calendar_days=calendar_days,
        calendar=calendar,
    )
    over, close, running = clocks.over, clocks.close, clocks.running
    cases = len(clocks.case_ids)
    return DeadlineStatus(
        deadline_days=deadline_days,
        starts_with=starts_with,
        ends_with=ends_with,
        cases=cases,
        over=int(over.sum()),
        over_share=int(over.sum()) / cases if cases else 0.0,
        close=int(close.sum()),
        close_share=int(close.sum()) / cases if cases else 0.0,
        close_threshold=clocks.threshold,
        not_started=clocks.not_started,
        running=int(running.sum()),
        running_over=int((running & over).sum()),
        stop_before_start=clocks.stop_before_start,
        measured_until=clocks.measured_until,
        holidays_of=calendar.land if calendar is not None else DEFAULT_HOLIDAY_CALENDAR,
    )


def deadline_cases(
    view: LogView,
    *,
    deadline_days: int,
    starts_with: str | None = None,
    ends_with: str | None = None,
    calendar_days: bool = True,
    calendar: WorkingCalendar | None = None,
) -> pd.DataFrame:
    """Per case whose clock started: ``case_id`` and ``over`` (the deadline passed), counted
    exactly as :func:`deadline_status` counts its ``over`` cases (same arguments, same rules); the
    cases whose clock never started are not in the frame. Sorted by ``case_id``.

    Example::

        late = deadline_cases(view, deadline_days=90, starts_with="Unterlagen vollständig")
        late.loc[late["over"], "case_id"]
    """
    clocks = _read_clocks(
        view,
        deadline_days=deadline_days,
        starts_with=starts_with,
        ends_with=ends_with,
        warn_share=0.8,
        calendar_days=calendar_days,
        calendar=calendar,
    )
    return pd.DataFrame({"case_id": clocks.case_ids, "over": clocks.over.astype(bool)})


@dataclass(frozen=True)
class _Clocks:
    """Per case whose clock started (in ``case_ids`` order): over, close, still running."""

    case_ids: np.ndarray
    over: np.ndarray
    close: np.ndarray
    running: np.ndarray
    threshold: float
    not_started: int
    stop_before_start: int
    measured_until: datetime | None


def _check(
    deadline_days: int, starts_with: str | None, ends_with: str | None, warn_share: float
) -> None:
    if deadline_days <= 0:
        raise LogViewError("Die Frist muss mindestens einen Tag lang sein.")
    if not 0.0 <= warn_share <= 1.0:
        raise LogViewError("warn_share muss zwischen 0 und 1 liegen.")
    if starts_with is not None and starts_with == ends_with:
        raise LogViewError(
            f"Beginn und Ende der Frist dürfen nicht derselbe Schritt sein („{starts_with}“)."
        )


def _read_clocks(
    view: LogView,
    *,
    deadline_days: int,
    starts_with: str | None,
    ends_with: str | None,
    warn_share: float,
    calendar_days: bool,
    calendar: WorkingCalendar | None,
) -> _Clocks:
    _check(deadline_days, starts_with, ends_with, warn_share)
    return _counted(
        query_deadline_clocks(view, starts_with=starts_with, ends_with=ends_with),
        deadline_days=deadline_days,
        warn_share=warn_share,
        calendar_days=calendar_days,
        calendar=calendar,
    )


def event_clocks(
    events: pd.DataFrame, *, starts_with: str | None, ends_with: str | None
) -> pd.DataFrame:
    """:func:`mining.query.query_deadline_clocks` of an events frame (``case_id``, ``activity``,
    ``timestamp``; a case's events together and in order), with the same columns and rules: the
    clock starts with the last ``starts_with`` (the first event when None) and stops with the
    first ``ends_with`` after it (the last event when None)."""
    frame = events[["case_id", "activity", "timestamp"]].reset_index(drop=True)
    frame["_pos"] = np.arange(len(frame))
    cases = frame.groupby("case_id", sort=True)
    out = pd.DataFrame({"last_time": cases["timestamp"].last()})
    if starts_with is None:
        start_pos = cases["_pos"].min()
    else:
        start_pos = frame[frame["activity"] == starts_with].groupby("case_id")["_pos"].max()
    out["start_pos"] = start_pos
    if ends_with is None:
        out["stop_pos"] = cases["_pos"].max()
        out["stop_before_start"] = False
    else:
        stops = frame[frame["activity"] == ends_with].join(out["start_pos"], on="case_id")
        after = stops[stops["_pos"] > stops["start_pos"]]
        out["stop_pos"] = after.groupby("case_id")["_pos"].min()
        before = stops[stops["_pos"] < stops["start_pos"]].groupby("case_id").size()
        out["stop_before_start"] = out["stop_pos"].isna() & out.index.isin(before.index)
    times = frame["timestamp"]
    out["start_time"] = _at(times, out["start_pos"])
    out["stop_time"] = _at(times, out["stop_pos"])
    out = out.reset_index()
    return out[["case_id", "start_time", "stop_time", "stop_before_start", "last_time"]]


def _at(times: pd.Series, positions: pd.Series) -> pd.Series:
    found = positions.notna()
    values = pd.Series(pd.NaT, index=positions.index, dtype=times.dtype)
    values[found] = times.to_numpy()[positions[found].astype(np.int64).to_numpy()]
    return values


def _counted(
    clocks: pd.DataFrame,
    *,
    deadline_days: int,
    warn_share: float,
    calendar_days: bool,
    calendar: WorkingCalendar | None,
) -> _Clocks:
    last = _utc(clocks["last_time"])
    measured_until = last.max() if len(last) else None
    started = clocks["start_time"].notna().to_numpy()
    start = _utc(clocks["start_time"][started])
    stop = _utc(clocks["stop_time"][started])
    running = stop.isna().to_numpy()
    stop = stop.fillna(measured_until) if measured_until is not None else stop
    # Rounded so 0.8 × 12 reads 9.6 days, not 9.600000000000001.
    threshold = round(warn_share * deadline_days, 4)
    office = calendar or _default_office(start, stop, deadline_days)
    if calendar_days:
        over, elapsed = _law_days(start, stop, deadline_days, office)
    else:
        elapsed = office.working_seconds(start, stop).to_numpy(dtype="float64") / office.day_seconds
        over = elapsed > deadline_days
    close = ~over & (elapsed >= threshold)
    return _Clocks(
        case_ids=clocks["case_id"][started].astype(str).to_numpy(),
        over=np.asarray(over, dtype=bool),
        close=np.asarray(close, dtype=bool),
        running=running,
        threshold=threshold,
        not_started=int((~started).sum()),
        stop_before_start=int(clocks["stop_before_start"][started].sum()),
        measured_until=_local(measured_until, office.timezone),
    )


def counting_rule(land: str | None = DEFAULT_HOLIDAY_CALENDAR) -> Text:
    """How deadline days are counted, naming the Land whose holidays count (a key of
    ``process_registry.LANDS``; None: the caller's own holiday list); German with its English
    twin (mining.texts)."""
    holidays = f" ({LANDS.get(land, land)})" if land else ""
    return bi(
        "Gezählt in Kalendertagen (Europe/Berlin) nach § 31 VwVfG mit §§ 187, 188 BGB: Der Tag des "
        "Fristbeginns zählt nicht mit; fällt das Fristende auf ein Wochenende oder einen Feiertag"
        f"{holidays}, endet die Frist mit dem nächsten Werktag.",
        "Counted in calendar days (Europe/Berlin) under § 31 VwVfG with §§ 187, 188 BGB: the day "
        "the deadline starts does not count; a deadline ending on a weekend or public holiday"
        f"{holidays} ends with the next working day.",
    )


# The rule with the shipped Land; a snapshot without ``holidays_of`` was counted with it.
COUNTING_RULE = counting_rule()


def clock_texts(deadline: Mapping[str, Any]) -> tuple[Text, Text]:
    """Where the clock of a ``deadline`` object (:meth:`DeadlineStatus.to_dict`) starts and stops,
    in German, for the terminal and the report. An object without the activities (a report
    snapshot from before they existed) was counted from the first to the last event."""
    starts, ends = deadline.get("starts_with"), deadline.get("ends_with")
    return (
        bi(f"letztes „{starts}“ im Fall", f"the last „{starts}“ of the case")
        if starts
        else bi(
            "erstes Ereignis des Falls (Standard, kein Schritt im Register)",
            "the first event of the case (default, no step in the registry)",
        ),
        bi(f"erstes „{ends}“ nach dem Fristbeginn", f"the first „{ends}“ after the start")
        if ends
        else bi(
            "letztes Ereignis des Falls (Standard, kein Schritt im Register)",
            "the last event of the case (default, no step in the registry)",
        ),
    )


def _utc(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, utc=True).reset_index(drop=True)


def _local(moment: pd.Timestamp | None, timezone: str) -> datetime | None:
    if moment is None or pd.isna(moment):
        return None
    return moment.tz_convert(timezone).to_pydatetime()


def _local_days(moments: pd.Series, timezone: str) -> np.ndarray:
    return moments.dt.tz_convert(timezone).dt.tz_localize(None).to_numpy("datetime64[D]")


def _law_days(
    start: pd.Series, stop: pd.Series, deadline_days: int, office: WorkingCalendar
) -> tuple[np.ndarray, np.ndarray]:
    """Per case: over the deadline (stopped after the end of its last day), and the days counted
    from the day after the start to the day of the stop."""
    start_day = _local_days(start, office.timezone)
    stop_day = _local_days(stop, office.timezone)
    holidays = np.array(sorted(office.holidays), dtype="datetime64[D]")
    last_day = np.busday_offset(
        start_day + np.timedelta64(deadline_days, "D"),
        0,
        roll="forward",
        weekmask=_LEGAL_WEEKMASK,
        holidays=holidays,
    )
    elapsed = (stop_day - start_day).astype(np.int64)
    return stop_day > last_day, elapsed


def _default_office(start: pd.Series, stop: pd.Series, deadline_days: int) -> WorkingCalendar:
    if start.empty:
        return WorkingCalendar(timezone=OFFICE_TIMEZONE)
    last_due = start.max() + pd.Timedelta(days=deadline_days)
    # A deadline ending on 31 December rolls over into the next year's holidays.
    years = range(start.min().year, max(stop.max().year, last_due.year) + 2)
    holidays = land_holidays(DEFAULT_HOLIDAY_CALENDAR, years)
    return WorkingCalendar(
        holidays=holidays, timezone=OFFICE_TIMEZONE, land=DEFAULT_HOLIDAY_CALENDAR
    )
