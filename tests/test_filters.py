"""Filters on log views: each one on a small log with known answers, chains of them, and parity
with pm4py's filters on a real log (the DFG of the filtered view equals pm4py's)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pm4py
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mining.query.queries import (
    get_case_durations,
    get_dfg,
    get_log_stats,
    get_start_end_activities,
    get_variants,
)
from mining.query.view import (
    LogView,
    LogViewError,
    filter_activity_presence,
    filter_attribute,
    filter_case_duration,
    filter_directly_follows,
    filter_endpoints,
    filter_time_range,
    filter_variant_coverage,
    filter_variants,
    filter_variants_top_k,
)
from tests.conftest import PROJECT
from tests.test_aggregates import events, import_log, read_with_pm4py, write_log

DAY = 86400.0

# Variants: ABC ×3 (c1, c2, c6), AC ×2 (c3, c7), AB ×1 (c4), ABBC ×1 (c5).
# Durations: c1 2 d, c2 3 d, c3 10 d, c4 2 d, c5 3 d, c6 2 d, c7 7 d.
ROWS = [
    *events("c1", ("A", "2024-01-01T10:00"), Kanal="Papier", org_unit="Amt 1"),
    *events("c1", ("B", "2024-01-02T10:00"), ("C", "2024-01-03T10:00"), org_unit="Amt 2"),
    *events("c2", ("A", "2024-01-05T10:00"), ("B", "2024-01-06T10:00"), Kanal="Online"),
    *events("c2", ("C", "2024-01-08T10:00"), Kanal="Online"),
    *events("c3", ("A", "2024-01-10T10:00")),
    *events("c3", ("C", "2024-01-20T10:00"), Kanal="E-Mail"),
    *events("c4", ("A", "2024-01-31T10:00"), ("B", "2024-02-02T10:00"), Kanal="Online"),
    *events("c5", ("A", "2024-02-10T10:00"), ("B", "2024-02-11T10:00"), Kanal="Papier"),
    *events("c5", ("B", "2024-02-12T10:00"), ("C", "2024-02-13T10:00")),
    *events("c6", ("A", "2024-01-02T12:00"), ("B", "2024-01-03T12:00"), Kanal="Online"),
    *events("c6", ("C", "2024-01-04T12:00")),
    *events("c7", ("A", "2024-01-08T10:00"), ("C", "2024-01-15T10:00")),
]
ALL = {"c1", "c2", "c3", "c4", "c5", "c6", "c7"}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def view(tmp_path: Path) -> LogView:
    return write_log(tmp_path / "log.parquet", ROWS, attributes=["Kanal"])


def cases(view: LogView) -> set[str]:
    return set(get_case_durations(view).per_case.index)


Step = Callable[[LogView], LogView]

WINDOW = (utc("2024-01-02T00:00"), utc("2024-01-09T00:00"))

FILTER_TABLE: list[tuple[str, Step, set[str]]] = [
    # time range: pm4py's boundaries — contained and started inclusive, intersecting strict
    ("contained", lambda v: filter_time_range(v, *WINDOW, mode="contained"), {"c2", "c6"}),
    ("intersecting", lambda v: filter_time_range(v, *WINDOW), {"c1", "c2", "c6", "c7"}),
    ("started", lambda v: filter_time_range(v, *WINDOW, mode="started"), {"c2", "c6", "c7"}),
    ("trim", lambda v: filter_time_range(v, *WINDOW, mode="trim"), {"c1", "c2", "c6", "c7"}),
    ("completed", lambda v: filter_time_range(v, *WINDOW, mode="completed"), {"c1", "c2", "c6"}),
    (
        "completed, bounds inclusive",
        lambda v: filter_time_range(
            v, utc("2024-01-03T10:00"), utc("2024-01-04T12:00"), mode="completed"
        ),
        {"c1", "c6"},
    ),
    (
        "contained, bounds inclusive",
        lambda v: filter_time_range(
            v, utc("2024-01-05T10:00"), utc("2024-01-08T10:00"), mode="contained"
        ),
        {"c2"},
    ),
    (
        "intersecting, touching the window is not enough",
        lambda v: filter_time_range(v, utc("2024-01-03T10:00"), utc("2024-01-05T10:00")),
        {"c6"},
    ),
    (
        "naive times are Berlin time",
        # 2024-01-05 11:00 in Berlin is 10:00 UTC: c2's first event lies exactly on the start.
        lambda v: filter_time_range(
            v, datetime(2024, 1, 5, 11, 0), datetime(2024, 1, 5, 12, 0), mode="started"
        ),
        {"c2"},
    ),
    # variants: most frequent first, ties by activity sequence (AB < ABBC < AC)
    ("top 1", lambda v: filter_variants_top_k(v, 1), {"c1", "c2", "c6"}),
    ("top 2", lambda v: filter_variants_top_k(v, 2), {"c1", "c2", "c6", "c3", "c7"}),
    ("top 3: tie broken by activities", lambda v: filter_variants_top_k(v, 3), ALL - {"c5"}),
    ("top 0", lambda v: filter_variants_top_k(v, 0), set()),
    ("top 99", lambda v: filter_variants_top_k(v, 99), ALL),
    ("coverage 0.4", lambda v: filter_variant_coverage(v, 0.4), {"c1", "c2", "c6"}),
    ("coverage 3/7 exactly", lambda v: filter_variant_coverage(v, 3 / 7), {"c1", "c2", "c6"}),
    ("coverage 0.5", lambda v: filter_variant_coverage(v, 0.5), {"c1", "c2", "c6", "c3", "c7"}),
    ("coverage 1", lambda v: filter_variant_coverage(v, 1.0), ALL),
    ("coverage 0", lambda v: filter_variant_coverage(v, 0.0), set()),
    # attribute: a case counts if any event has the value
    ("Kanal Papier", lambda v: filter_attribute(v, "Kanal", ["Papier"]), {"c1", "c5"}),
    (
        "Kanal not Papier",
        lambda v: filter_attribute(v, "Kanal", ["Papier"], keep=False),
        ALL - {"c1", "c5"},
    ),
    (
        "Kanal Online or E-Mail",
        lambda v: filter_attribute(v, "Kanal", {"Online", "E-Mail"}),
        {"c2", "c3", "c4", "c6"},
    ),
    ("org unit", lambda v: filter_attribute(v, "org_unit", ["Amt 2"]), {"c1"}),
    ("no values kept", lambda v: filter_attribute(v, "Kanal", []), set()),
    ("no values dropped", lambda v: filter_attribute(v, "Kanal", [], keep=False), ALL),
    # case duration, bounds inclusive
    (
        "at least 3 days",
        lambda v: filter_case_duration(v, min_s=3 * DAY),
        {"c2", "c3", "c5", "c7"},
    ),
    ("at most 2 days", lambda v: filter_case_duration(v, max_s=2 * DAY), {"c1", "c4", "c6"}),
    (
        "3 to 5 days",
        lambda v: filter_case_duration(v, min_s=3 * DAY, max_s=5 * DAY),
        {"c2", "c5"},
    ),
    ("no bounds", lambda v: filter_case_duration(v), ALL),
    # activity presence
    ("with B", lambda v: filter_activity_presence(v, "B"), {"c1", "c2", "c4", "c5", "c6"}),
    ("without B", lambda v: filter_activity_presence(v, "B", present=False), {"c3", "c7"}),
    ("with unknown", lambda v: filter_activity_presence(v, "X"), set()),
    # directly follows: the next event of the case, not any later one
    ("A then B", lambda v: filter_directly_follows(v, "A", "B"), ALL - {"c3", "c7"}),
    ("B then B", lambda v: filter_directly_follows(v, "B", "B"), {"c5"}),
    ("A then C", lambda v: filter_directly_follows(v, "A", "C"), {"c3", "c7"}),
    (
        "not A then C",
        lambda v: filter_directly_follows(v, "A", "C", keep=False),
        ALL - {"c3", "c7"},
    ),
    ("C then A", lambda v: filter_directly_follows(v, "C", "A"), set()),
    # variant numbers as get_variants lists them: ABC, AC, AB, ABBC
    ("variant 1", lambda v: filter_variants(v, [1]), {"c1", "c2", "c6"}),
    ("variants 2 and 3", lambda v: filter_variants(v, [2, 3]), {"c3", "c7", "c4"}),
    ("variant 4", lambda v: filter_variants(v, [4]), {"c5"}),
    ("variant 5 does not exist", lambda v: filter_variants(v, [5]), set()),
    ("not variant 1", lambda v: filter_variants(v, [1], keep=False), {"c3", "c4", "c5", "c7"}),
    ("no variant", lambda v: filter_variants(v, []), set()),
    ("no variant dropped", lambda v: filter_variants(v, [], keep=False), ALL),
    # endpoints: first and last activity
    ("starts with A", lambda v: filter_endpoints(v, start=["A"]), ALL),
    ("ends with B", lambda v: filter_endpoints(v, end=["B"]), {"c4"}),
    ("starts with B", lambda v: filter_endpoints(v, start=["B"]), set()),
    ("A to C", lambda v: filter_endpoints(v, start=["A"], end=["C"]), ALL - {"c4"}),
    ("ends with B or C", lambda v: filter_endpoints(v, end=["B", "C"]), ALL),
    ("ends with nothing", lambda v: filter_endpoints(v, end=[]), set()),
]


@pytest.mark.parametrize(
    ("step", "expected"),
    [pytest.param(step, expected, id=name) for name, step, expected in FILTER_TABLE],
)
def test_filter_keeps_the_expected_cases(view: LogView, step: Step, expected: set[str]) -> None:
    assert cases(step(view)) == expected


def test_trim_cuts_cases_to_the_window(view: LogView) -> None:
    trimmed = filter_time_range(view, *WINDOW, mode="trim")
    variants = get_variants(trimmed)
    assert dict(zip(variants["activities"], variants["cases"], strict=True)) == {
        ("A", "B", "C"): 2,  # c2, c6 lie wholly inside
        ("B", "C"): 1,  # c1 lost its A of 1 January
        ("A",): 1,  # c7 lost its C of 15 January
    }
    assert get_log_stats(trimmed).events == 9


CHAINS: list[tuple[str, list[Step], set[str]]] = [
    (
        "Online, then the top variant among them",
        [lambda v: filter_attribute(v, "Kanal", ["Online"]), lambda v: filter_variants_top_k(v, 1)],
        {"c2", "c6"},
    ),
    (
        "the top variant, then Papier among them",
        [lambda v: filter_variants_top_k(v, 1), lambda v: filter_attribute(v, "Kanal", ["Papier"])],
        {"c1"},
    ),
    (
        "trimmed to the window, then short cases by their trimmed duration",
        [
            lambda v: filter_time_range(v, *WINDOW, mode="trim"),
            lambda v: filter_case_duration(v, max_s=1 * DAY),
        ],
        {"c1", "c7"},
    ),
    (
        "three filters",
        [
            lambda v: filter_activity_presence(v, "B"),
            lambda v: filter_time_range(v, utc("2024-01-01T00:00"), utc("2024-02-01T00:00")),
            lambda v: filter_case_duration(v, min_s=2.5 * DAY),
        ],
        {"c2"},
    ),
]


@pytest.mark.parametrize(
    ("steps", "expected"),
    [pytest.param(steps, expected, id=name) for name, steps, expected in CHAINS],
)
def test_filters_chain_in_order(view: LogView, steps: list[Step], expected: set[str]) -> None:
    chained = view
    for step in steps:
        chained = step(chained)
    assert cases(chained) == expected
    assert len(chained.filters) == len(steps)


def test_filters_return_new_views_and_leave_the_original_alone(view: LogView) -> None:
    filtered = filter_variants_top_k(view, 1)
    assert view.filters == () and cases(view) == ALL
    assert filtered.path == view.path and hash(filtered) != hash(view)


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (lambda v: filter_attribute(v, "resource", ["P-1"]), "Personen"),
        (lambda v: filter_attribute(v, "Nope", ["x"]), "Verfügbar"),
        (lambda v: filter_attribute(v, "Kanal", "Papier"), "Sammlung"),
        (lambda v: filter_time_range(v, WINDOW[1], WINDOW[0]), "vor seinem Beginn"),
        (lambda v: filter_time_range(v, *WINDOW, mode="during"), "Modus"),
        (lambda v: filter_variants_top_k(v, -1), "k muss"),
        (lambda v: filter_variant_coverage(v, 1.5), "Anteil"),
        (lambda v: filter_case_duration(v, min_s=5, max_s=1), "niedrigsten"),
    ],
)
def test_invalid_filters_are_refused(view: LogView, step: Step, message: str) -> None:
    with pytest.raises(LogViewError, match=message):
        step(view)


# Property: whatever the chain, a filter never adds cases or events.
_STEPS: list[Step] = [step for _, step, _ in FILTER_TABLE]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(chain=st.lists(st.sampled_from(_STEPS), min_size=1, max_size=3))
def test_filters_never_add_cases_or_events(view: LogView, chain: list[Step]) -> None:
    current = view
    for step in chain:
        narrowed = step(current)
        before, after = get_log_stats(current), get_log_stats(narrowed)
        assert after.events <= before.events and after.cases <= before.cases
        assert cases(narrowed) <= cases(current)
        current = narrowed


# -- parity with pm4py on a real log --------------------------------------------------------------

RECEIPT = PROJECT / "event_logs" / "08_receipt.xes.gz"
REAL_WINDOW = (utc("2011-03-01T00:00"), utc("2011-06-01T00:00"))


@pytest.fixture(scope="module")
def receipt(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LogView, pd.DataFrame]]:
    tmp = tmp_path_factory.mktemp("receipt")
    yield import_log(RECEIPT, tmp), read_with_pm4py(RECEIPT, tmp)


def assert_same_dfg(view: LogView, frame: pd.DataFrame) -> None:
    """Edge counts, mean waits and start/end activities of ``view`` equal pm4py's on ``frame``."""
    ours = get_dfg(view)
    counts, starts, ends = pm4py.discover_dfg(frame)
    assert len(counts) > 0, "the filter left nothing to compare"
    assert dict(
        zip(zip(ours["source"], ours["target"], strict=True), ours["count"], strict=True)
    ) == dict(counts)
    means, _, _ = pm4py.discover_performance_dfg(frame, perf_aggregation_key="mean")
    for (source, target), mean in zip(
        zip(ours["source"], ours["target"], strict=True), ours["mean_wait_s"], strict=True
    ):
        assert math.isclose(mean, means[(source, target)], rel_tol=1e-6, abs_tol=1e-9)
    assert get_start_end_activities(view) == (starts, ends)
    assert get_log_stats(view).cases == frame["case:concept:name"].nunique()


@pytest.mark.parametrize(
    ("mode", "pm4py_mode"),
    [
        ("contained", "traces_contained"),
        ("intersecting", "traces_intersecting"),
        ("started", "traces_starting_in"),
        ("trim", "events"),
    ],
)
def test_time_range_dfg_equals_pm4py(
    receipt: tuple[LogView, pd.DataFrame], mode: str, pm4py_mode: str
) -> None:
    view, frame = receipt
    theirs = pm4py.filter_time_range(frame, *REAL_WINDOW, mode=pm4py_mode)
    assert_same_dfg(filter_time_range(view, *REAL_WINDOW, mode=mode), theirs)  # type: ignore[arg-type]


@pytest.mark.parametrize("k", [1, 2, 5, 9, 13])
def test_variants_top_k_dfg_equals_pm4py(receipt: tuple[LogView, pd.DataFrame], k: int) -> None:
    view, frame = receipt
    counts = sorted(pm4py.get_variants(frame).values(), reverse=True)
    # pm4py breaks ties by the activity tuple descending, we ascending (get_variants order):
    # compare where the k-th and the (k+1)-th variant differ in frequency.
    assert counts[k - 1] != counts[k], "k splits a tie; pick another k"
    assert_same_dfg(filter_variants_top_k(view, k), pm4py.filter_variants_top_k(frame, k))


def test_variants_top_k_across_a_tie_keeps_what_get_variants_lists_first(
    receipt: tuple[LogView, pd.DataFrame],
) -> None:
    view, _ = receipt
    listed = get_variants(view)
    assert listed["cases"][9] == listed["cases"][10]  # the 10th and 11th variant tie
    kept = get_variants(filter_variants_top_k(view, 10))
    assert set(kept["activities"]) == set(listed["activities"][:10])


@pytest.mark.parametrize("keep", [True, False])
def test_attribute_dfg_equals_pm4py(receipt: tuple[LogView, pd.DataFrame], keep: bool) -> None:
    view, frame = receipt
    theirs = pm4py.filter_event_attribute_values(
        frame, "org:group", ["Group 4"], level="case", retain=keep
    )
    assert_same_dfg(filter_attribute(view, "org_unit", ["Group 4"], keep=keep), theirs)


def test_case_duration_dfg_equals_pm4py(receipt: tuple[LogView, pd.DataFrame]) -> None:
    view, frame = receipt
    theirs = pm4py.filter_case_performance(frame, DAY, 30 * DAY)
    assert_same_dfg(filter_case_duration(view, min_s=DAY, max_s=30 * DAY), theirs)


@pytest.mark.parametrize("present", [True, False])
def test_activity_presence_dfg_equals_pm4py(
    receipt: tuple[LogView, pd.DataFrame], present: bool
) -> None:
    view, frame = receipt
    activity = "T06 Determine necessity of stop advice"
    theirs = pm4py.filter_event_attribute_values(
        frame, "concept:name", [activity], level="case", retain=present
    )
    assert_same_dfg(filter_activity_presence(view, activity, present=present), theirs)


def test_chained_filters_equal_pm4py_chain(receipt: tuple[LogView, pd.DataFrame]) -> None:
    view, frame = receipt
    theirs = pm4py.filter_variants_top_k(
        pm4py.filter_time_range(frame, *REAL_WINDOW, mode="traces_intersecting"), 3
    )
    ours = filter_variants_top_k(filter_time_range(view, *REAL_WINDOW), 3)
    assert_same_dfg(ours, theirs)


def test_berlin_window_equals_the_utc_window(receipt: tuple[LogView, pd.DataFrame]) -> None:
    view, _ = receipt
    berlin = ZoneInfo("Europe/Berlin")
    start, end = (moment.astimezone(berlin) for moment in REAL_WINDOW)
    naive = filter_time_range(view, start.replace(tzinfo=None), end.replace(tzinfo=None))
    assert cases(naive) == cases(filter_time_range(view, *REAL_WINDOW))
