"""Performance questions on hand-built logs with known answers: bottlenecks, working time and
holidays, rework, hand-overs, channels, deadlines, and minimum group sizes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mining.measures.calendar import WorkingCalendar, easter_sunday, lower_saxony_holidays
from mining.measures.deadline import deadline_status
from mining.measures.performance import (
    compare_channels,
    find_bottlenecks,
    find_handovers,
    find_rework,
    group_statistics,
)
from mining.query.queries import query_handovers
from mining.query.view import LogView, LogViewError, filter_activity_presence
from tests.test_aggregates import events, write_log

BERLIN = ZoneInfo("Europe/Berlin")
HOUR = 3600.0
DAY = 86400.0


def at(text: str) -> str:
    """Berlin wall-clock time as ISO text with its offset (the log stores instants)."""
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN).isoformat()


def berlin(*texts: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(texts)).tz_localize(BERLIN))


# -- working calendar -----------------------------------------------------------------------------

OFFICE = WorkingCalendar()
NI_OFFICE = WorkingCalendar(holidays=lower_saxony_holidays([2024, 2025]))


@pytest.mark.parametrize(
    ("calendar", "start", "end", "hours"),
    [
        # the example: Friday 15:00 to Monday 09:00 is two working hours
        (OFFICE, "2024-06-07 15:00", "2024-06-10 09:00", 2.0),
        (OFFICE, "2024-06-04 09:00", "2024-06-04 11:30", 2.5),  # within one day
        (OFFICE, "2024-06-04 06:00", "2024-06-04 18:00", 8.0),  # before opening to after closing
        (OFFICE, "2024-06-04 15:00", "2024-06-05 09:00", 2.0),  # overnight
        (OFFICE, "2024-06-08 10:00", "2024-06-09 18:00", 0.0),  # a weekend
        (OFFICE, "2024-06-03 08:00", "2024-06-17 08:00", 80.0),  # two weeks
        (OFFICE, "2024-06-10 09:00", "2024-06-07 15:00", -2.0),  # reversed
        # the clocks go forward in the night to Sunday 31 March 2024: office hours are unchanged
        (OFFICE, "2024-03-28 15:00", "2024-04-02 09:00", 1.0 + 8 + 8 + 1),
        # holidays of Lower Saxony: Reformationstag, Easter 2025 (Karfreitag, Ostermontag)
        (NI_OFFICE, "2024-10-30 15:00", "2024-11-01 09:00", 2.0),
        (NI_OFFICE, "2025-04-17 15:00", "2025-04-22 09:00", 2.0),
        (NI_OFFICE, "2024-12-23 08:00", "2024-12-28 08:00", 24.0),  # 24/27 Dec are workdays
        (
            WorkingCalendar(start=time(7, 30), end=time(12, 0), weekdays=frozenset({0, 1, 2, 3})),
            "2024-06-06 11:00",  # Thursday
            "2024-06-10 08:00",  # Monday, Friday is off
            1.5,
        ),
    ],
)
def test_working_seconds(calendar: WorkingCalendar, start: str, end: str, hours: float) -> None:
    result = calendar.working_seconds(berlin(start), berlin(end))
    assert result.tolist() == [hours * HOUR]


def test_working_seconds_reads_utc_and_gives_nan_for_missing_times() -> None:
    start = pd.Series(pd.to_datetime(["2024-06-07T13:00Z", None], utc=True))
    end = pd.Series(pd.to_datetime(["2024-06-10T07:00Z", "2024-06-10T07:00Z"], utc=True))
    result = OFFICE.working_seconds(start, end)
    assert result[0] == 2 * HOUR and np.isnan(result[1])


def _reference_working_seconds(calendar: WorkingCalendar, start: datetime, end: datetime) -> float:
    """Day by day, the obvious way (naive local times)."""
    if end < start:
        return -_reference_working_seconds(calendar, end, start)
    total = 0.0
    day = start.date()
    while day <= end.date():
        if calendar.is_working_day(day):
            opens = datetime.combine(day, calendar.start)
            closes = datetime.combine(day, calendar.end)
            total += max(0.0, (min(end, closes) - max(start, opens)).total_seconds())
        day += timedelta(days=1)
    return total


_moments = st.datetimes(min_value=datetime(2023, 12, 1), max_value=datetime(2025, 12, 31)).map(
    lambda moment: moment.replace(second=0, microsecond=0, fold=0)
)


@settings(max_examples=200, deadline=None)
@given(start=_moments, span=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40)))
def test_working_seconds_equal_a_day_by_day_count(start: datetime, span: timedelta) -> None:
    end = start + span
    # Skip the wall-clock times that do not exist or exist twice (DST changes, Sunday 2–3 am):
    # for them the two readings of the time differ in offset.
    for moment in (start, end):
        if (
            moment.replace(tzinfo=BERLIN, fold=0).utcoffset()
            != moment.replace(tzinfo=BERLIN, fold=1).utcoffset()
        ):
            return
    result = NI_OFFICE.working_seconds(berlin(str(start)), berlin(str(end)))
    assert result[0] == pytest.approx(_reference_working_seconds(NI_OFFICE, start, end))


def test_working_seconds_are_vectorized_over_many_rows() -> None:
    starts = pd.Series(pd.date_range("2024-01-01", periods=200_000, freq="37min", tz="UTC"))
    ends = starts + pd.to_timedelta(np.arange(200_000) % 5000, unit="min")
    result = NI_OFFICE.working_seconds(starts, ends)
    sample = list(range(0, 200_000, 9973))

    def local(moment: pd.Timestamp) -> datetime:
        return moment.tz_convert(BERLIN).tz_localize(None).to_pydatetime()

    expected = [
        _reference_working_seconds(NI_OFFICE, local(starts[i]), local(ends[i])) for i in sample
    ]
    assert result[sample].tolist() == pytest.approx(expected)


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (
            2024,
            [
                "01-01",
                "03-29",
                "04-01",
                "05-01",
                "05-09",
                "05-20",
                "10-03",
                "10-31",
                "12-25",
                "12-26",
            ],
        ),
        (
            2025,
            [
                "01-01",
                "04-18",
                "04-21",
                "05-01",
                "05-29",
                "06-09",
                "10-03",
                "10-31",
                "12-25",
                "12-26",
            ],
        ),
    ],
)
def test_lower_saxony_holidays(year: int, expected: list[str]) -> None:
    assert sorted(lower_saxony_holidays([year])) == [
        date.fromisoformat(f"{year}-{day}") for day in expected
    ]


def test_reformationstag_since_2018_and_in_the_jubilee_year_2017() -> None:
    assert date(2016, 10, 31) not in lower_saxony_holidays([2016])
    assert date(2017, 10, 31) in lower_saxony_holidays([2017])
    assert date(2018, 10, 31) in lower_saxony_holidays([2018])
    assert len(lower_saxony_holidays([2024, 2025])) == 20


@pytest.mark.parametrize(
    "easter",
    [
        "2000-04-23",
        "2008-03-23",
        "2019-04-21",
        "2024-03-31",
        "2025-04-20",
        "2038-04-25",
        "2285-03-22",
    ],
)
def test_easter_sunday(easter: str) -> None:
    day = date.fromisoformat(easter)
    assert easter_sunday(day.year) == day


def test_calendar_refuses_inverted_hours() -> None:
    with pytest.raises(ValueError, match="Ende"):
        WorkingCalendar(start=time(16), end=time(8))


# -- bottlenecks ----------------------------------------------------------------------------------


def _pair(case: str, first: str, second: str, start: str, wait: timedelta) -> list[dict[str, Any]]:
    begin = datetime.fromisoformat(start)
    return events(case, (first, begin.isoformat()), (second, (begin + wait).isoformat()))


def test_bottlenecks_rank_by_total_wait_not_by_mean(tmp_path: Path) -> None:
    rows = []
    for number in range(2):  # A→B: two cases waiting a month each
        rows += _pair(f"rare{number}", "A", "B", f"2024-01-0{number + 1}T10:00", timedelta(days=30))
    for number in range(100):  # C→D: a hundred cases waiting a day each
        rows += _pair(f"many{number}", "C", "D", "2024-02-01T10:00", timedelta(days=1))
    ranked = find_bottlenecks(write_log(tmp_path / "log.parquet", rows))
    assert list(ranked.columns) == [
        "source",
        "target",
        "cases",
        "count",
        "mean_wait_s",
        "median_wait_s",
        "total_wait_s",
    ]
    assert ranked[["source", "target", "cases"]].values.tolist() == [["C", "D", 100], ["A", "B", 2]]
    assert ranked["total_wait_s"].tolist() == [100 * DAY, 60 * DAY]
    assert ranked["mean_wait_s"].tolist() == [DAY, 30 * DAY]  # the mean would rank A→B first


def test_bottleneck_cases_count_each_case_once(tmp_path: Path) -> None:
    rows = events(
        "loop",
        ("A", "2024-01-01T10:00"),
        ("B", "2024-01-01T11:00"),
        ("A", "2024-01-01T12:00"),
        ("B", "2024-01-01T15:00"),
    )
    ranked = find_bottlenecks(write_log(tmp_path / "log.parquet", rows), top=1)
    assert ranked.iloc[0][["source", "target", "cases", "count"]].tolist() == ["A", "B", 1, 2]
    assert ranked.iloc[0]["total_wait_s"] == 4 * HOUR
    assert len(ranked) == 1


def test_bottlenecks_with_a_calendar_count_working_time(tmp_path: Path) -> None:
    rows = [
        # over the weekend: 66 hours on the clock, 2 working hours
        *events("w", ("Eingang", at("2024-06-07T15:00")), ("Prüfung", at("2024-06-10T09:00"))),
        # within Monday: 3 hours on the clock and at work
        *events("m", ("Prüfung", at("2024-06-10T09:00")), ("Bescheid", at("2024-06-10T12:00"))),
    ]
    view = write_log(tmp_path / "log.parquet", rows)
    on_the_clock = find_bottlenecks(view)
    at_work = find_bottlenecks(view, calendar=OFFICE)
    assert on_the_clock["source"].tolist() == ["Eingang", "Prüfung"]
    assert at_work["source"].tolist() == ["Prüfung", "Eingang"]
    assert at_work["mean_wait_s"].tolist() == [3 * HOUR, 2 * HOUR]
    assert at_work["median_wait_s"].tolist() == [3 * HOUR, 2 * HOUR]


# -- rework ---------------------------------------------------------------------------------------


def test_rework_counts_repetitions_and_the_time_between_them(tmp_path: Path) -> None:
    rows = [
        *events(
            "c1",
            ("A", "2024-01-01T10:00"),
            ("B", "2024-01-01T11:00"),
            ("A", "2024-01-01T12:00"),
            ("B", "2024-01-01T14:00"),
            ("C", "2024-01-01T15:00"),
        ),
        *events(
            "c2",
            ("A", "2024-01-02T10:00"),
            ("A", "2024-01-02T10:30"),
            ("A", "2024-01-02T12:00"),
            ("C", "2024-01-02T13:00"),
        ),
        *events("c3", ("A", "2024-01-03T10:00"), ("C", "2024-01-03T11:00")),
    ]
    rework = find_rework(write_log(tmp_path / "log.parquet", rows))
    assert rework.to_dict("records") == [
        {
            "activity": "A",
            "cases_with_rework": 2,
            "share_of_cases": pytest.approx(2 / 3),
            "extra_executions": 3,
            "time_lost_s": 4 * HOUR,
        },
        {
            "activity": "B",
            "cases_with_rework": 1,
            "share_of_cases": pytest.approx(1 / 3),
            "extra_executions": 1,
            "time_lost_s": 3 * HOUR,
        },
    ]


# -- hand-overs -----------------------------------------------------------------------------------

HANDOVER_ROWS = [
    *events("c1", ("A", "2024-01-01T10:00"), ("B", "2024-01-01T11:00"), org_unit="Amt 1"),
    *events("c1", ("C", "2024-01-01T13:00"), org_unit="Amt 2"),
    *events("c1", ("D", "2024-01-01T14:00")),  # no unit recorded: skipped
    *events("c1", ("E", "2024-01-01T17:00"), org_unit="Amt 3"),
    *events("c2", ("A", "2024-01-02T10:00"), org_unit="Amt 1"),
    *events("c2", ("B", "2024-01-02T10:30"), org_unit="Amt 2"),
    *events("c2", ("C", "2024-01-02T12:30"), org_unit="Amt 1"),
]


def test_handovers_between_units(tmp_path: Path) -> None:
    # The raw aggregate, before the minimum group size (mining.measures.groups) merges any unit.
    handovers = query_handovers(write_log(tmp_path / "log.parquet", HANDOVER_ROWS), "org_unit")
    assert handovers.to_dict("records") == [
        {
            "from_unit": "Amt 1",
            "to_unit": "Amt 2",
            "count": 2,
            "cases": 2,
            "mean_wait_s": 1.25 * HOUR,
        },
        {"from_unit": "Amt 2", "to_unit": "Amt 1", "count": 1, "cases": 1, "mean_wait_s": 2 * HOUR},
        {"from_unit": "Amt 2", "to_unit": "Amt 3", "count": 1, "cases": 1, "mean_wait_s": 4 * HOUR},
    ]


def test_handovers_empty_without_the_column_or_its_values(tmp_path: Path) -> None:
    rows = events("c1", ("A", "2024-01-01T10:00"), ("B", "2024-01-01T11:00"))
    view = write_log(tmp_path / "log.parquet", rows, attributes=["Team"])
    for column in ("org_unit", "Team", "Abteilung"):
        frame = find_handovers(view, column=column)
        assert frame.empty
        assert list(frame.columns) == ["from_unit", "to_unit", "count", "cases", "mean_wait_s"]


# -- channels -------------------------------------------------------------------------------------


def test_compare_channels(tmp_path: Path) -> None:
    rows = [
        *events("c1", ("Eingang", "2024-01-01T08:00"), Kanal="Papier"),
        *events("c1", ("Prüfen", "2024-01-01T09:00"), Kanal="Online"),  # first value counts
        *events("c1", ("Prüfen", "2024-01-01T12:00")),
        *events("c2", ("Eingang", "2024-01-02T08:00")),  # the case's first value comes later
        *events("c2", ("Prüfen", "2024-01-02T10:00"), Kanal="Online"),
        *events(
            "c3", ("Eingang", "2024-01-03T08:00"), ("Prüfen", "2024-01-03T18:00"), Kanal="Papier"
        ),
        *events("c4", ("Eingang", "2024-01-04T08:00"), Kanal="Online"),
        *events("c5", ("Eingang", "2024-01-05T08:00"), ("Prüfen", "2024-01-05T09:00")),  # none
    ]
    channels = compare_channels(
        write_log(tmp_path / "log.parquet", rows, attributes=["Kanal"]), column="Kanal"
    )
    assert channels.to_dict("records") == [
        {
            "channel": "Online",
            "cases": 2,
            "mean_throughput_s": 1 * HOUR,
            "median_throughput_s": 1 * HOUR,
            "rework_share": 0.0,
            "mean_wait_s": 2 * HOUR,  # c2's one wait; c4 has none
        },
        {
            "channel": "Papier",
            "cases": 2,
            "mean_throughput_s": 7 * HOUR,
            "median_throughput_s": 7 * HOUR,
            "rework_share": 0.5,
            "mean_wait_s": pytest.approx(14 * HOUR / 3),  # waits 1 h, 3 h (c1) and 10 h (c3)
        },
    ]


# -- group statistics and minimum group sizes ---------------------------------------------------


def _staffed(unit: str, persons: list[str], start_day: int) -> list[dict[str, Any]]:
    rows = []
    for number, person in enumerate(persons):
        case = f"{unit}-{number}"
        rows += events(
            case,
            ("Eingang", f"2024-01-{start_day:02d}T08:00"),
            org_unit="Poststelle",
            resource="P-post",
        )
        rows += events(
            case, ("Prüfen", f"2024-01-{start_day:02d}T10:00"), org_unit=unit, resource=person
        )
    return rows


def test_group_statistics_merges_and_suppresses_small_groups(tmp_path: Path) -> None:
    rows = [
        *_staffed("Amt 1", [f"P-a{i}" for i in range(5)], 1),
        *_staffed("Amt 2", ["P-b0", "P-b1", "P-b2"], 2),
        *_staffed("Amt 3", ["P-c0", "P-c1"], 3),
    ]
    frame = group_statistics(write_log(tmp_path / "log.parquet", rows), column="org_unit")
    assert frame.to_dict("records") == [
        # Poststelle (1 person: all 10 case starts, no wait before them), Amt 2 (3), Amt 3 (2)
        # are merged into a group of 6 people, which may be shown
        {"group": "Sonstige (< 5 Personen)", "cases": 10, "events": 15, "mean_wait_s": 2 * HOUR},
        {"group": "Amt 1", "cases": 5, "events": 5, "mean_wait_s": 2 * HOUR},
    ]


def test_a_merged_group_still_too_small_takes_in_the_smallest_large_unit(tmp_path: Path) -> None:
    rows = [
        *_staffed("Amt 1", [f"P-a{i}" for i in range(6)], 1),
        *_staffed("Amt 4", [f"P-d{i}" for i in range(5)], 4),
        *_staffed("Amt 2", ["P-b0"], 2),
        *_staffed("Amt 3", ["P-b0"], 3),  # the same person
    ]
    view = write_log(tmp_path / "log.parquet", rows)
    # Poststelle (one person), Amt 2 and Amt 3 have two people together; leaving them out would
    # leave their figures as the total minus Amt 1 and Amt 4, so Amt 4 (five people) joins them.
    frame = group_statistics(view, column="org_unit")
    assert frame.to_dict("records") == [
        {"group": "Sonstige (< 5 Personen)", "cases": 13, "events": 20, "mean_wait_s": 2 * HOUR},
        {"group": "Amt 1", "cases": 6, "events": 6, "mean_wait_s": 2 * HOUR},
    ]
    assert frame["events"].sum() == len(rows)
    handovers = find_handovers(view)
    assert handovers.to_dict("records") == [
        {
            "from_unit": "Sonstige (< 5 Personen)",
            "to_unit": "Sonstige (< 5 Personen)",
            "count": 7,
            "cases": 7,
            "mean_wait_s": 2 * HOUR,
        },
        {
            "from_unit": "Sonstige (< 5 Personen)",
            "to_unit": "Amt 1",
            "count": 6,
            "cases": 6,
            "mean_wait_s": 2 * HOUR,
        },
    ]


def test_units_of_fewer_than_k_people_together_show_nothing(tmp_path: Path) -> None:
    rows = [*_staffed("Amt 1", ["P-a0", "P-a1"], 1), *_staffed("Amt 2", ["P-a1", "P-b"], 2)]
    view = write_log(tmp_path / "log.parquet", rows)
    assert group_statistics(view, column="org_unit").empty
    assert find_handovers(view).empty
    assert not group_statistics(view, column="org_unit", min_group_size=3).empty


def test_channels_are_not_compared_per_org_unit(tmp_path: Path) -> None:
    view = write_log(tmp_path / "log.parquet", _staffed("Amt 1", [f"P-{i}" for i in range(5)], 1))
    with pytest.raises(LogViewError, match="Mindestgruppengröße"):
        compare_channels(view, column="org_unit")


def test_group_statistics_without_pseudonyms_shows_nothing(tmp_path: Path) -> None:
    rows = events("c1", ("A", "2024-01-01T10:00"), ("B", "2024-01-01T11:00"), org_unit="Amt 1")
    frame = group_statistics(write_log(tmp_path / "log.parquet", rows), column="org_unit")
    assert frame.empty and list(frame.columns) == ["group", "cases", "events", "mean_wait_s"]


@pytest.mark.parametrize(
    "call",
    [
        lambda v: group_statistics(v, column="resource"),
        lambda v: compare_channels(v, column="resource"),
        lambda v: find_handovers(v, column="resource"),
    ],
)
def test_no_analysis_groups_by_person(tmp_path: Path, call: Any) -> None:
    view = write_log(tmp_path / "log.parquet", _staffed("Amt 1", ["P-1", "P-2"], 1))
    with pytest.raises(LogViewError, match="Personen"):
        call(view)


def test_group_statistics_refuses_groups_of_one(tmp_path: Path) -> None:
    view = write_log(tmp_path / "log.parquet", _staffed("Amt 1", ["P-1"], 1))
    with pytest.raises(LogViewError, match="mindestens 2"):
        group_statistics(view, column="org_unit", min_group_size=1)


_UNITS = ["Amt 1", "Amt 2", "Amt 3", "Amt 4"]
_PERSONS = [f"P-{i}" for i in range(9)]


@settings(max_examples=60, deadline=None)
@given(
    assignments=st.lists(
        st.tuples(st.sampled_from(_UNITS + [None]), st.sampled_from(_PERSONS + [None])),
        min_size=1,
        max_size=60,
    ),
    k=st.integers(min_value=2, max_value=6),
)
def test_group_statistics_never_shows_a_group_of_fewer_than_k_people(
    tmp_path_factory: pytest.TempPathFactory,
    assignments: list[tuple[str | None, str | None]],
    k: int,
) -> None:
    rows = [
        {
            "case": f"c{number // 3}",
            "activity": "A",
            "time": f"2024-01-01T{number % 24:02d}:00",
            "org_unit": unit,
            "resource": person,
        }
        for number, (unit, person) in enumerate(assignments)
    ]
    view: LogView = write_log(tmp_path_factory.mktemp("groups") / "log.parquet", rows)
    frame = group_statistics(view, column="org_unit", min_group_size=k)
    handovers = find_handovers(view, min_group_size=k)
    persons: dict[str, set[str]] = {}
    for unit, person in assignments:
        if unit is not None:
            persons.setdefault(unit, set()).update({person} - {None})
    shown = set(frame["group"])
    merged_label = f"Sonstige (< {k} Personen)"
    for group in shown - {merged_label}:
        assert len(persons[group]) >= k
    assert set(handovers["from_unit"]) | set(handovers["to_unit"]) <= shown
    merged = set(persons) - shown
    if merged_label in shown:
        # The merged group itself has k people or more.
        assert len(set().union(*(persons[unit] for unit in merged))) >= k
    everyone = set().union(set(), *persons.values())
    valued = sum(unit is not None for unit, _ in assignments)
    if len(everyone) >= k:
        # Nothing is left out, so no small unit is the total minus the rows shown.
        assert frame["events"].sum() == valued
        assert handovers["count"].sum() == query_handovers(view, "org_unit")["count"].sum()
    else:
        assert frame.empty and handovers.empty


def test_an_empty_view_gives_empty_answers(tmp_path: Path) -> None:
    rows = _staffed("Amt 1", [f"P-{i}" for i in range(5)], 1)
    view = filter_activity_presence(write_log(tmp_path / "log.parquet", rows), "X")
    assert find_bottlenecks(view).empty and find_bottlenecks(view, calendar=OFFICE).empty
    assert find_rework(view).empty and find_handovers(view).empty
    assert group_statistics(view, column="org_unit").empty
    status = deadline_status(view, deadline_days=30, calendar_days=False)
    assert (status.cases, status.over_share, status.close_share) == (0, 0.0, 0.0)
