"""Disco's filters (issue 14): directly-follows relation, variants by number, endpoints, the four
period modes and attribute values keep exactly the cases pm4py's filters keep on the real logs;
each filter reads as a German chip, and the period says what it counts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pm4py
import pytest

from mining import (
    ImportOptions,
    LogView,
    LogViewError,
    describe_filter,
    describe_period,
    filter_activity_presence,
    filter_attribute,
    filter_case_duration,
    filter_directly_follows,
    filter_endpoints,
    filter_local_days,
    filter_time_range,
    filter_variant_coverage,
    filter_variants,
    filter_variants_top_k,
    get_cases,
    get_variants,
    open_log,
)
from mining.ingest import ingest_file
from mining.ingest.privacy import load_or_create_secret
from tests.conftest import TESTS
from tests.test_aggregates import events, read_with_pm4py, write_log

LOGS = TESTS / "data" / "logs"
CASE = "case:concept:name"
# Per real log: its file and the attribute columns imported besides the standard ones.
REAL_LOGS = {
    "running-example": ("running-example.xes", ()),
    "receipt": ("08_receipt.xes.gz", ("case:channel",)),
    "roadtraffic100traces": ("roadtraffic100traces.xes", ("vehicleClass",)),
}


@pytest.fixture(scope="module", params=sorted(REAL_LOGS))
def real(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LogView, pd.DataFrame]]:
    name, attributes = REAL_LOGS[request.param]
    folder = tmp_path_factory.mktemp(request.param)
    events_file = folder / "events.parquet"
    ingest_file(
        LOGS / name,
        events_file,
        options=ImportOptions(attributes=attributes),
        secret=load_or_create_secret(folder),
        source=name,
    )
    yield open_log(events_file), read_with_pm4py(LOGS / name, folder)


def ours(view: LogView) -> set[str]:
    return {row.case for row in get_cases(view).cases}


def theirs(frame: pd.DataFrame) -> set[str]:
    return set(frame[CASE].astype(str))


def assert_same_cases(view: LogView, frame: pd.DataFrame) -> None:
    expected = theirs(frame)
    assert ours(view) == expected
    assert get_cases(view).total == len(expected)


# -- parity with pm4py on the real logs -------------------------------------------------------


def _edges(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """The most and the least frequent directly-follows edge, and a loop if the log has one."""
    counts, _, _ = pm4py.discover_dfg(frame)
    ranked = sorted(counts, key=lambda edge: (-counts[edge], edge))
    loops = [edge for edge in ranked if edge[0] == edge[1]]
    return list(dict.fromkeys([ranked[0], ranked[-1], *loops[:1]]))


@pytest.mark.parametrize("keep", [True, False])
def test_directly_follows_keeps_the_cases_pm4py_keeps(
    real: tuple[LogView, pd.DataFrame], keep: bool
) -> None:
    view, frame = real
    for source, target in _edges(frame):
        expected = pm4py.filter_directly_follows_relation(frame, [(source, target)], retain=keep)
        assert_same_cases(filter_directly_follows(view, source, target, keep=keep), expected)


@pytest.mark.parametrize("keep", [True, False])
def test_variant_numbers_keep_the_cases_pm4py_keeps(
    real: tuple[LogView, pd.DataFrame], keep: bool
) -> None:
    view, frame = real
    listed = get_variants(view)
    # Numbering: most frequent first, with pm4py's counts.
    assert sorted(pm4py.get_variants(frame).values(), reverse=True) == list(listed["cases"])
    last = len(listed)
    for numbers in ([1], [2, 3], [last], list(range(1, last + 1, 2))):
        activities = [listed["activities"][n - 1] for n in numbers]
        expected = pm4py.filter_variants(frame, activities, retain=keep)
        assert_same_cases(filter_variants(view, numbers, keep=keep), expected)


def test_endpoints_keep_the_cases_pm4py_keeps(real: tuple[LogView, pd.DataFrame]) -> None:
    view, frame = real
    starts = sorted(pm4py.get_start_activities(frame).items(), key=lambda s: (-s[1], s[0]))
    ends = sorted(pm4py.get_end_activities(frame).items(), key=lambda e: (-e[1], e[0]))
    first_start = [starts[0][0]]
    two_ends = [name for name, _ in ends[:2]]
    assert_same_cases(
        filter_endpoints(view, start=first_start),
        pm4py.filter_start_activities(frame, first_start),
    )
    assert_same_cases(
        filter_endpoints(view, end=two_ends), pm4py.filter_end_activities(frame, two_ends)
    )
    rare_end = [ends[-1][0]]
    assert_same_cases(
        filter_endpoints(view, start=first_start, end=rare_end),
        pm4py.filter_end_activities(pm4py.filter_start_activities(frame, first_start), rare_end),
    )


@pytest.mark.parametrize(
    ("mode", "pm4py_mode"),
    [
        ("contained", "traces_contained"),
        ("intersecting", "traces_intersecting"),
        ("started", "traces_starting_in"),
        ("completed", "traces_completing_in"),
    ],
)
def test_period_modes_keep_the_cases_pm4py_keeps(
    real: tuple[LogView, pd.DataFrame], mode: str, pm4py_mode: str
) -> None:
    view, frame = real
    first, last = frame["time:timestamp"].min(), frame["time:timestamp"].max()
    sizes = set()
    for low, high in ((1 / 3, 2 / 3), (1 / 5, 4 / 5), (0, 1 / 2), (1 / 2, 1)):
        start = (first + low * (last - first)).to_pydatetime()
        end = (first + high * (last - first)).to_pydatetime()
        expected = pm4py.filter_time_range(frame, start, end, mode=pm4py_mode)
        kept = filter_time_range(view, start, end, mode=mode)  # type: ignore[arg-type]
        assert_same_cases(kept, expected)
        sizes.add(len(ours(kept)))
    # Some window kept some cases and dropped others: the comparison decided something.
    assert any(0 < size < get_cases(view).total for size in sizes)


@pytest.mark.parametrize("keep", [True, False])
def test_attribute_values_keep_the_cases_pm4py_keeps(
    real: tuple[LogView, pd.DataFrame], keep: bool
) -> None:
    view, frame = real
    imported = [name for name in view.columns() if name in IMPORTED_ATTRIBUTES]
    for column, their_column in [
        ("activity", "concept:name"),
        *((name, name) for name in imported),
    ]:
        value = str(frame[their_column].dropna().value_counts().index[-1])
        expected = pm4py.filter_event_attribute_values(
            frame, their_column, [value], level="case", retain=keep
        )
        assert_same_cases(filter_attribute(view, column, [value], keep=keep), expected)


IMPORTED_ATTRIBUTES = {name for _, attributes in REAL_LOGS.values() for name in attributes}


@pytest.mark.parametrize("present", [True, False])
def test_activity_presence_keeps_the_cases_pm4py_keeps(
    real: tuple[LogView, pd.DataFrame], present: bool
) -> None:
    view, frame = real
    rare = str(frame["concept:name"].value_counts().index[-1])
    expected = pm4py.filter_event_attribute_values(
        frame, "concept:name", [rare], level="case", retain=present
    )
    assert_same_cases(filter_activity_presence(view, rare, present=present), expected)


def test_filters_combine_as_pm4py_chains_them(real: tuple[LogView, pd.DataFrame]) -> None:
    view, frame = real
    source, target = _edges(frame)[0]
    chained = filter_variants(filter_directly_follows(view, source, target), [1, 2])
    narrowed = pm4py.filter_directly_follows_relation(frame, [(source, target)])
    numbered = sorted(pm4py.get_variants(narrowed).items(), key=lambda v: (-v[1], v[0]))
    expected = pm4py.filter_variants(narrowed, [activities for activities, _ in numbered[:2]])
    assert_same_cases(chained, expected)


# -- a small log with known answers ------------------------------------------------------------

BERLIN_MARCH = [
    # m1 ends on the last instant of March in Berlin, m2 at midnight starting April.
    *events("m1", ("A", "2024-03-01T00:00+01:00"), ("B", "2024-03-31T23:59:59+02:00")),
    *events("m2", ("A", "2024-03-15T10:00+01:00"), ("B", "2024-04-01T00:00+02:00")),
    # m3 starts in the last second of February in Berlin.
    *events("m3", ("A", "2024-02-29T23:59:59+01:00"), ("B", "2024-03-10T10:00+01:00")),
]


@pytest.fixture
def march(tmp_path: Path) -> LogView:
    return write_log(tmp_path / "march.parquet", BERLIN_MARCH)


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("completed", {"m1", "m3"}),  # m2 completes on 1 April
        ("started", {"m1", "m2"}),  # m3 starts on 29 February
        ("contained", {"m1"}),
        ("intersecting", {"m1", "m2", "m3"}),
    ],
)
def test_period_of_days_ends_with_its_last_day(
    march: LogView, mode: str, expected: set[str]
) -> None:
    kept = filter_local_days(march, date(2024, 3, 1), date(2024, 3, 31), mode=mode)  # type: ignore[arg-type]
    assert ours(kept) == expected


def test_trimmed_period_of_days_keeps_the_events_of_its_days(march: LogView) -> None:
    trimmed = filter_local_days(march, date(2024, 3, 1), date(2024, 3, 31), mode="trim")
    assert {row.case: row.events for row in get_cases(trimmed).cases} == {
        "m1": 2,
        "m2": 1,
        "m3": 1,
    }


def test_filter_local_days_without_days_is_the_view_itself(march: LogView) -> None:
    assert filter_local_days(march, None, None, mode="completed") is march


@pytest.mark.parametrize(
    ("build", "label"),
    [
        (
            lambda v: filter_local_days(v, date(2024, 3, 1), date(2024, 3, 31), mode="started"),
            "Zeitraum (begonnen): 01.03.2024–31.03.2024",
        ),
        (
            lambda v: filter_local_days(v, date(2024, 3, 1), date(2024, 3, 31)),
            "Zeitraum (überschneidend): 01.03.2024–31.03.2024",
        ),
        (
            lambda v: filter_local_days(v, date(2024, 3, 1), None, mode="completed"),
            "Zeitraum (abgeschlossen): ab 01.03.2024",
        ),
        (
            lambda v: filter_local_days(v, None, date(2024, 3, 31), mode="contained"),
            "Zeitraum (enthalten): bis 31.03.2024",
        ),
        (
            lambda v: filter_time_range(
                v,
                datetime(2024, 3, 1, 8, 0, tzinfo=UTC),
                datetime(2024, 3, 2, 17, 30, tzinfo=UTC),
                mode="trim",
            ),
            "Zeitraum (zugeschnitten): 01.03.2024 09:00–02.03.2024 18:30",
        ),
        (lambda v: filter_directly_follows(v, "A", "B"), "Direkt gefolgt: A → B"),
        (
            lambda v: filter_directly_follows(v, "A", "B", keep=False),
            "Nicht direkt gefolgt: A → B",
        ),
        (lambda v: filter_variants(v, [3, 1]), "Varianten: 1, 3"),
        (lambda v: filter_variants(v, [2], keep=False), "Ohne Varianten: 2"),
        (lambda v: filter_endpoints(v, start=["A"]), "Beginnt mit: A"),
        (
            lambda v: filter_endpoints(v, start=["A"], end=["C", "B"]),
            "Beginnt mit: A · Endet mit: B, C",
        ),
        (lambda v: filter_activity_presence(v, "B"), "Mit Aktivität: B"),
        (lambda v: filter_activity_presence(v, "B", present=False), "Ohne Aktivität: B"),
        (lambda v: filter_attribute(v, "activity", ["B"]), "Aktivität: B"),
        (
            lambda v: filter_attribute(v, "org_unit", ["Amt 1"], keep=False),
            "Organisationseinheit nicht: Amt 1",
        ),
        (
            lambda v: filter_case_duration(v, min_s=86400, max_s=30 * 86400),
            "Durchlaufzeit: 1 Tag bis 30 Tage",
        ),
        (lambda v: filter_case_duration(v, max_s=12 * 3600), "Durchlaufzeit: höchstens 12 Std."),
        (
            lambda v: filter_case_duration(v, min_s=1.5 * 86400),
            "Durchlaufzeit: mindestens 1,5 Tage",
        ),
        (lambda v: filter_variants_top_k(v, 5), "Häufigste 5 Varianten"),
        (lambda v: filter_variant_coverage(v, 0.8), "Häufigste Varianten für 80 % der Fälle"),
    ],
)
def test_each_filter_reads_as_a_german_chip(march: LogView, build, label: str) -> None:  # type: ignore[no-untyped-def]
    assert describe_filter(build(march).filters[-1]) == label


@pytest.mark.parametrize(
    ("mode", "sentence"),
    [
        ("started", "Fälle, die im Zeitraum 01.03.2024–31.03.2024 begonnen haben"),
        ("completed", "Fälle, die im Zeitraum 01.03.2024–31.03.2024 abgeschlossen wurden"),
        ("contained", "Fälle, die ganz im Zeitraum 01.03.2024–31.03.2024 liegen"),
        ("intersecting", "Fälle, die im Zeitraum 01.03.2024–31.03.2024 liefen"),
        ("trim", "Ereignisse im Zeitraum 01.03.2024–31.03.2024"),
    ],
)
def test_the_period_says_what_it_counts(march: LogView, mode: str, sentence: str) -> None:
    view = filter_directly_follows(
        filter_local_days(march, date(2024, 3, 1), date(2024, 3, 31), mode=mode),  # type: ignore[arg-type]
        "A",
        "B",
    )
    assert describe_period(view).startswith(sentence)


def test_without_a_period_or_filter_all_cases_count(march: LogView) -> None:
    assert describe_period(march) == "Alle Fälle des Protokolls (kein Zeitraum gewählt)"


def test_the_period_names_the_filters_that_narrow_it(march: LogView) -> None:
    # A caption saying "all cases" over a filtered figure misleads whoever checks the figure.
    narrowed = filter_directly_follows(filter_variants(march, [1]), "A", "B")
    assert describe_period(narrowed) == (
        "Fälle aus dem ganzen Protokoll (kein Zeitraum gewählt), eingeschränkt durch 2 Filter: "
        "Varianten: 1 · Direkt gefolgt: A → B"
    )
    in_march = filter_variants(
        filter_local_days(march, date(2024, 3, 1), date(2024, 3, 31), mode="started"), [1]
    )
    assert describe_period(in_march) == (
        "Fälle, die im Zeitraum 01.03.2024–31.03.2024 begonnen haben (erstes Ereignis darin), "
        "eingeschränkt durch 1 Filter: Varianten: 1"
    )


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda v: filter_variants(v, [0]), "ab 1"),
        (lambda v: filter_variants(v, 2), "ab 1"),
        (lambda v: filter_variants(v, [True]), "ab 1"),
        (lambda v: filter_endpoints(v, start="A"), "Sammlungen"),
        (lambda v: filter_directly_follows(v, "A", None), "zwei Aktivitäten"),
        (lambda v: filter_local_days(v, date(2024, 3, 1), None, mode="during"), "Modus"),
    ],
)
def test_invalid_disco_filters_are_refused(march: LogView, build, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(LogViewError, match=message):
        build(march)


def test_variant_numbers_may_come_from_a_dataframe(march: LogView) -> None:
    """A page passes the numbers it reads from a variants table: numpy integers."""
    numbers = pd.Series([1, 2], dtype="int64").to_numpy()
    assert ours(filter_variants(march, numbers)) == ours(filter_variants(march, [1, 2]))
    assert len(get_cases(march, limit=numbers[0]).cases) == 1


def test_a_removed_chip_leaves_the_other_filters(march: LogView) -> None:
    period = filter_local_days(march, date(2024, 3, 1), date(2024, 3, 31), mode="completed")
    chained = filter_directly_follows(filter_variants(period, [1]), "A", "B")
    removed = chained.without_filter(0)
    assert removed == filter_directly_follows(filter_variants(march, [1]), "A", "B")
    assert ours(removed) == ours(filter_variants(march, [1]))
    with pytest.raises(LogViewError, match="Stelle 3"):
        chained.without_filter(3)
