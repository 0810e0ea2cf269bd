"""Conformance on counted variants: pm4py's numbers on the full log, and the deviations found."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mining.conformance import (
    ActivityMapping,
    ConformanceError,
    ConformanceResult,
    ConvertedModel,
    VariantCount,
    check_conformance,
    convert_to_petri_net,
    map_activities,
)
from mining.conformance import replay as replay_module
from process_registry.bpmn import parse_bpmn

TESTS = Path(__file__).parent
LOGS = TESTS / "data" / "logs"
SAMPLES = TESTS.parent / "bpmn_models"

# pm4py's own alignments (the reference in two tests) still build numpy.matrix objects.
pytestmark = pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")

CASE, ACTIVITY, TIME = "case:concept:name", "concept:name", "time:timestamp"


def variants_of(log: pd.DataFrame) -> list[VariantCount]:
    """The log's variants in pm4py's event order (by timestamp, stable in file order)."""
    ordered = log.sort_values([CASE, TIME], kind="stable")
    traces = ordered.groupby(CASE, sort=False)[ACTIVITY].agg(tuple)
    cases: dict[tuple[str, ...], list[str]] = {}
    for case, trace in traces.items():
        cases.setdefault(trace, []).append(str(case))
    return [VariantCount(trace, len(ids), tuple(ids[:3])) for trace, ids in cases.items()]


def by_kind(result: ConformanceResult, kind: str) -> dict[str, float]:
    return {d.activity: d.share for d in result.deviations if d.kind == kind}


# -- pm4py's figures, computed on counted variants -------------------------------------------


@pytest.fixture(scope="module")
def receipt_log() -> pd.DataFrame:
    log = pd.read_csv(LOGS / "receipt.csv")
    log[TIME] = pd.to_datetime(log[TIME], utc=True, format="ISO8601")
    return log.sort_values([CASE, TIME], kind="stable")


def test_receipt_fitness_equals_pm4py_on_the_full_log(receipt_log: pd.DataFrame) -> None:
    import pm4py

    doc = parse_bpmn((LOGS / "receipt.bpmn").read_bytes())
    activities = sorted(receipt_log[ACTIVITY].unique())
    model = convert_to_petri_net(doc, log_activities=activities)
    mapping = map_activities(activities, model.labels, event_names=model.event_names)
    variants = variants_of(receipt_log)
    assert sum(v.cases for v in variants) == 1434 and len(variants) == 116

    result = check_conformance(variants, model, mapping, with_precision=False)

    expected = pm4py.fitness_token_based_replay(
        receipt_log, model.net, model.initial_marking, model.final_marking
    )
    assert result.fitness == pytest.approx(expected["log_fitness"], abs=1e-6)
    assert result.fitting_cases_share == pytest.approx(expected["perc_fit_traces"] / 100)
    assert result.variants_checked == result.variants_total == 116
    assert not result.partial
    # pm4py's own importer reads this model; its net gives the same number.
    theirs = pm4py.convert_to_petri_net(pm4py.read_bpmn(str(LOGS / "receipt.bpmn")))
    assert pm4py.fitness_token_based_replay(receipt_log, *theirs)["log_fitness"] == pytest.approx(
        result.fitness, abs=1e-9
    )


def test_receipt_token_replay_misfits_are_cleared_by_alignments(
    receipt_log: pd.DataFrame,
) -> None:
    """Token replay calls 14 cases unfit that align perfectly: no deviation is invented."""
    doc = parse_bpmn((LOGS / "receipt.bpmn").read_bytes())
    model = convert_to_petri_net(doc)
    activities = sorted(receipt_log[ACTIVITY].unique())
    result = check_conformance(
        variants_of(receipt_log),
        model,
        map_activities(activities, model.labels),
        with_precision=False,
        time_budget_s=120,
    )
    assert result.fitting_cases_share < 1.0
    assert result.deviations == ()
    assert any("ohne Abweichung ausrichten" in note for note in result.notes)


def test_running_example_our_conversion_matches_pm4py_importer() -> None:
    import pm4py

    log = pm4py.read_xes(str(LOGS / "running-example.xes"), variant="iterparse")
    bpmn_path = LOGS / "running-example.bpmn"
    net, im, fm = pm4py.convert_to_petri_net(pm4py.read_bpmn(str(bpmn_path)))
    model = convert_to_petri_net(parse_bpmn(bpmn_path.read_bytes()))
    activities = sorted(log[ACTIVITY].unique())
    result = check_conformance(
        variants_of(log), model, map_activities(activities, model.labels), time_budget_s=60
    )
    assert result.fitness == pytest.approx(
        pm4py.fitness_token_based_replay(log, net, im, fm)["log_fitness"], abs=1e-9
    )
    assert result.precision == pytest.approx(
        pm4py.precision_token_based_replay(log, net, im, fm), abs=1e-9
    )


# -- a generated municipal log against the Wohngeld model ------------------------------------

START_EVENT = "Wohngeldantrag eingegangen"
SKIPPED = "Antrag prüfen"
UNMODELLED = "Akte an Registratur abgeben"
APPROVAL = [
    START_EVENT,
    "Antrag im Fachverfahren anlegen",
    SKIPPED,
    "Wohngeld berechnen",
    "Bewilligungsbescheid erstellen",
    "Bescheid freigeben",
    "Zahlung anweisen",
    "Bewilligungsbescheid versenden",
]
SWAPPED = ("Bescheid freigeben", "Zahlung anweisen")


def wohngeld_log(cases: int = 200) -> pd.DataFrame:
    """Approvals with injected findings, by case number:

    30 % skip "Antrag prüfen" (n % 10 in 0, 1, 2); 10 % end with an activity the model lacks
    (n % 10 == 5); 20 % pay before the approval is released (n % 10 in 7, 8); 20 % arrive on
    paper and are scanned first (n % 5 == 4, a modelled path). Every case logs the start event.
    """
    rows: list[tuple[str, str, dt.datetime]] = []
    for n in range(cases):
        trace = list(APPROVAL)
        if n % 5 == 4:
            trace.insert(1, "Papierantrag scannen")
        if n % 10 in (0, 1, 2):
            trace.remove(SKIPPED)
        if n % 10 in (7, 8):
            i, j = trace.index(SWAPPED[0]), trace.index(SWAPPED[1])
            trace[i], trace[j] = trace[j], trace[i]
        if n % 10 == 5:
            trace.append(UNMODELLED)
        start = dt.datetime(2024, 3, 1, 8, tzinfo=dt.UTC) + dt.timedelta(hours=7 * n)
        for k, activity in enumerate(trace):
            rows.append((f"WG-2024-{n:05d}", activity, start + dt.timedelta(hours=k)))
    return pd.DataFrame(rows, columns=[CASE, ACTIVITY, TIME])


@pytest.fixture(scope="module")
def wohngeld() -> tuple[pd.DataFrame, ConvertedModel, ActivityMapping]:
    log = wohngeld_log()
    doc = parse_bpmn((SAMPLES / "wohngeld.bpmn").read_bytes())
    activities = sorted(log[ACTIVITY].unique())
    plain = convert_to_petri_net(doc, log_activities=activities)
    mapping = map_activities(activities, plain.labels, event_names=plain.event_names)
    logged_events = set(mapping.pairs.values()) & plain.event_names
    assert logged_events == {START_EVENT}
    model = convert_to_petri_net(doc, log_activities=activities, event_labels=logged_events)
    return log, model, mapping


def test_wohngeld_deviations(
    wohngeld: tuple[pd.DataFrame, ConvertedModel, ActivityMapping],
) -> None:
    log, model, mapping = wohngeld
    result = check_conformance(variants_of(log), model, mapping, time_budget_s=60)

    assert by_kind(result, "skipped") == {SKIPPED: pytest.approx(0.3)}
    assert by_kind(result, "unmodelled") == {UNMODELLED: pytest.approx(0.1)}
    wrong = by_kind(result, "wrong_order")
    assert len(wrong) == 1 and set(wrong) <= set(SWAPPED)
    assert next(iter(wrong.values())) == pytest.approx(0.2)
    assert START_EVENT not in by_kind(result, "unmodelled")
    # 30 % skip + 20 % swap + 10 % unmodelled (n % 10 == 5 never overlaps the others)
    assert result.fitting_cases_share == pytest.approx(0.4)
    assert [d.cases for d in result.deviations] == sorted(
        (d.cases for d in result.deviations), reverse=True
    )
    skipped = next(d for d in result.deviations if d.kind == "skipped")
    assert skipped.cases == 60
    assert len(skipped.example_cases) == 3
    assert all(int(case[-5:]) % 10 in (0, 1, 2) for case in skipped.example_cases)


def test_wohngeld_token_replay_reading_without_alignments(
    wohngeld: tuple[pd.DataFrame, ConvertedModel, ActivityMapping],
) -> None:
    """With no time for confirming alignments, the token-replay reading finds the same."""
    log, model, mapping = wohngeld
    result = check_conformance(
        variants_of(log), model, mapping, time_budget_s=0, with_precision=False
    )
    assert by_kind(result, "skipped") == {SKIPPED: pytest.approx(0.3)}
    assert by_kind(result, "wrong_order") == {SWAPPED[1]: pytest.approx(0.2)}
    assert any("nur aus dem Token-Replay" in note for note in result.notes)


def test_wohngeld_figures_equal_pm4py_on_the_full_log(
    wohngeld: tuple[pd.DataFrame, ConvertedModel, ActivityMapping],
) -> None:
    import pm4py

    log, model, mapping = wohngeld
    result = check_conformance(variants_of(log), model, mapping, time_budget_s=60)
    net, im, fm = model.net, model.initial_marking, model.final_marking
    assert result.fitness == pytest.approx(
        pm4py.fitness_token_based_replay(log, net, im, fm)["log_fitness"], abs=1e-9
    )
    assert result.precision == pytest.approx(
        pm4py.precision_token_based_replay(log, net, im, fm), abs=1e-9
    )


def test_logged_start_event_is_unmodelled_unless_made_visible(
    wohngeld: tuple[pd.DataFrame, ConvertedModel, ActivityMapping],
) -> None:
    log, _, mapping = wohngeld
    doc = parse_bpmn((SAMPLES / "wohngeld.bpmn").read_bytes())
    silent = convert_to_petri_net(doc)
    result = check_conformance(variants_of(log), silent, mapping, with_precision=False)
    assert by_kind(result, "unmodelled")[START_EVENT] == pytest.approx(1.0)
    assert any(START_EVENT in note and "event_labels" in note for note in result.notes)


def test_alignments_agree_with_token_replay_on_the_deviations(
    wohngeld: tuple[pd.DataFrame, ConvertedModel, ActivityMapping],
) -> None:
    import pm4py

    log, model, mapping = wohngeld
    result = check_conformance(
        variants_of(log), model, mapping, method="alignments", time_budget_s=60
    )
    assert result.method == "alignments" and not result.partial
    assert by_kind(result, "skipped") == {SKIPPED: pytest.approx(0.3)}
    assert by_kind(result, "unmodelled") == {UNMODELLED: pytest.approx(0.1)}
    expected = pm4py.fitness_alignments(log, model.net, model.initial_marking, model.final_marking)
    assert result.fitting_cases_share == pytest.approx(
        expected["percentage_of_fitting_traces"] / 100
    )
    # pm4py's log fitness also counts each silent step as cost 1; ours counts visible moves.
    assert result.fitness == pytest.approx(expected["log_fitness"], abs=1e-3)
    assert 0 < result.fitness < 1


def test_alignments_of_a_fitting_log_give_fitness_one() -> None:
    doc = parse_bpmn((SAMPLES / "wohngeld.bpmn").read_bytes())
    model = convert_to_petri_net(doc)
    trace = tuple(a for a in APPROVAL if a != START_EVENT)
    result = check_conformance(
        [VariantCount(trace, 5)],
        model,
        map_activities(trace, model.labels),
        method="alignments",
        with_precision=False,
    )
    assert result.fitness == 1.0 and result.fitting_cases_share == 1.0
    assert result.deviations == ()


# -- time budget -----------------------------------------------------------------------------


def test_alignments_with_zero_budget_check_only_the_most_frequent_variant(
    wohngeld: tuple[pd.DataFrame, ConvertedModel, ActivityMapping],
) -> None:
    log, model, mapping = wohngeld
    variants = variants_of(log)
    result = check_conformance(
        variants, model, mapping, method="alignments", time_budget_s=0, with_precision=False
    )
    top = max(variants, key=lambda v: v.cases)
    assert result.partial
    assert result.variants_checked == 1 < result.variants_total == len(variants)
    assert result.checked_cases_share == pytest.approx(top.cases / 200)
    assert any("Zeitbudget" in note for note in result.notes)
    # Unmodelled activities need no replay: still counted over the whole log.
    assert by_kind(result, "unmodelled") == {UNMODELLED: pytest.approx(0.1)}


@pytest.fixture
def ticking_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A clock that advances one second each time it is read."""
    ticks = iter(range(10_000))
    monkeypatch.setattr(replay_module, "_clock", lambda: float(next(ticks)))
    yield


@pytest.mark.usefixtures("ticking_clock")
def test_alignments_stop_when_the_budget_is_spent(
    wohngeld: tuple[pd.DataFrame, ConvertedModel, ActivityMapping],
) -> None:
    log, model, mapping = wohngeld
    result = check_conformance(
        variants_of(log),
        model,
        mapping,
        method="alignments",
        time_budget_s=4.5,
        with_precision=False,
    )
    # The clock reads 0 at the start, then 1, 2, 3, 4 before the first four alignments: each
    # still has budget left. Before the fifth it reads 5 > 4.5.
    assert result.partial
    assert result.variants_checked == 4 < result.variants_total


@pytest.mark.usefixtures("ticking_clock")
def test_precision_over_budget_is_none_with_a_note(
    wohngeld: tuple[pd.DataFrame, ConvertedModel, ActivityMapping],
) -> None:
    log, model, mapping = wohngeld
    result = check_conformance(variants_of(log), model, mapping, time_budget_s=0.5)
    assert result.precision is None
    assert any("Präzision nicht berechnet" in note for note in result.notes)


# -- variants, mapping and output ------------------------------------------------------------


def test_variants_translating_alike_are_replayed_once_and_counted_together(
    wohngeld: tuple[pd.DataFrame, ConvertedModel, ActivityMapping],
) -> None:
    _, model, _ = wohngeld
    trace = tuple(a for a in APPROVAL if a != SKIPPED)
    spelled = tuple(a.upper() if a == "Wohngeld berechnen" else a for a in trace)
    mapping = map_activities(set(trace) | set(spelled), model.labels, event_names=[START_EVENT])
    split = check_conformance(
        [VariantCount(trace, 3, ("a", "b")), VariantCount(spelled, 2, ("c",))], model, mapping
    )
    merged = check_conformance([VariantCount(trace, 5, ("a", "b", "c"))], model, mapping)
    assert split.fitness == merged.fitness and split.precision == merged.precision
    # The same deviations, each naming the input variants that show it.
    assert [replace(d, variants=()) for d in split.deviations] == [
        replace(d, variants=()) for d in merged.deviations
    ]
    assert [d.variants for d in split.deviations] == [(1, 2)] * len(split.deviations)
    assert [d.variants for d in merged.deviations] == [(1,)] * len(merged.deviations)
    assert split.deviations[0].example_cases == ("a", "b", "c")
    assert split.variants_total == 2


def test_result_is_json_ready(
    wohngeld: tuple[pd.DataFrame, ConvertedModel, ActivityMapping],
) -> None:
    log, model, mapping = wohngeld
    data = json.loads(json.dumps(check_conformance(variants_of(log), model, mapping).to_dict()))
    assert {
        "method",
        "fitness",
        "precision",
        "fitting_cases_share",
        "deviations",
        "partial",
    } <= set(data)
    assert {"kind", "activity", "cases", "share", "example_cases"} <= set(data["deviations"][0])


def test_numpy_case_counts_are_accepted_and_stay_json_ready(
    wohngeld: tuple[pd.DataFrame, ConvertedModel, ActivityMapping],
) -> None:
    """DuckDB and pandas hand out numpy integers; the result must still serialize."""
    import numpy as np

    _, model, mapping = wohngeld
    trace = (START_EVENT, "Antrag im Fachverfahren anlegen", UNMODELLED)
    variants = [VariantCount(trace, np.int64(4), (np.str_("WG-1"),))]  # type: ignore[arg-type]
    result = check_conformance(variants, model, mapping, with_precision=False)
    data = json.loads(json.dumps(result.to_dict()))
    assert {d["kind"] for d in data["deviations"]} >= {"unmodelled", "skipped"}
    assert all(type(d["cases"]) is int for d in data["deviations"])


@pytest.mark.parametrize(
    "variants,options,message",
    [
        ([VariantCount(("A",), 0)], {}, "keine Fälle"),
        ([], {}, "keine Fälle"),
        ([VariantCount(("A",), 1)], {"method": "heuristik"}, "Prüfverfahren"),
        ([VariantCount(("A",), 1)], {"time_budget_s": -1}, "Zeitbudget"),
        ([VariantCount(("A",), -3)], {}, "Anzahl der Fälle"),
    ],
)
def test_bad_input_raises_conformance_error(
    wohngeld: tuple[pd.DataFrame, ConvertedModel, ActivityMapping],
    variants: list[VariantCount],
    options: dict[str, object],
    message: str,
) -> None:
    _, model, mapping = wohngeld
    with pytest.raises(ConformanceError, match=message):
        check_conformance(variants, model, mapping, **options)  # type: ignore[arg-type]


LABELS = [*APPROVAL, "Papierantrag scannen", UNMODELLED]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(st.sampled_from(LABELS), min_size=1, max_size=9), st.integers(1, 50)),
        min_size=1,
        max_size=6,
    )
)
def test_figures_stay_within_bounds(
    wohngeld: tuple[pd.DataFrame, ConvertedModel, ActivityMapping],
    raw: list[tuple[list[str], int]],
) -> None:
    """Fitness, precision and every share stay in [0, 1]; deviations never exceed the cases."""
    _, model, mapping = wohngeld
    variants = [VariantCount(tuple(trace), cases) for trace, cases in raw]
    result = check_conformance(variants, model, mapping, time_budget_s=5)
    total = sum(v.cases for v in variants)
    assert 0.0 <= result.fitness <= 1.0
    assert result.precision is None or 0.0 <= result.precision <= 1.0
    assert 0.0 <= result.fitting_cases_share <= 1.0
    for deviation in result.deviations:
        assert 0 < deviation.cases <= total
        assert deviation.share == pytest.approx(deviation.cases / total)
