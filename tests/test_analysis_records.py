"""The analysis result is what mining.results declares: no undeclared key, no missing one, and
every value of the declared type, on real logs and in the JSON of `pmo analyze --json`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, get_type_hints

import pytest

from mining import (
    AnalysisOptions,
    AnalysisResult,
    ImportOptions,
    LogView,
    ProcessContext,
    WorkingCalendar,
    analyze,
    lower_saxony_holidays,
    open_log,
)
from mining.ingest import ingest_file
from mining.ingest.privacy import load_or_create_secret
from process_registry.bpmn import parse_bpmn
from tests.cli_office import office_env, pmo_output
from tests.conftest import TESTS
from tests.records import record_problems

LOGS = TESTS / "data" / "logs"
CONDITIONAL = AnalysisResult.__optional_keys__
UNITS = {"handovers", "org_units", "org_unit_groups"}

# pm4py's alignments still build numpy.matrix objects.
pytestmark = pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, LogView]:
    folder = tmp_path_factory.mktemp("records")
    secret = load_or_create_secret(folder)

    def ingest(name: str, options: ImportOptions) -> LogView:
        events = folder / f"{name}.parquet"
        ingest_file(LOGS / name, events, options=options, secret=secret, source=name)
        return open_log(events)

    return {
        # Resources but no org unit and no channel column.
        "running": ingest("running-example.csv", ImportOptions()),
        # Ten org units (two of fewer than five people) and the intake channel.
        "receipt": ingest(
            "receipt.csv", ImportOptions(org_unit="org:group", attributes=("case:channel",))
        ),
    }


def _process(
    model: str, *, deadline_days: int, starts_with: str | None = None, ends_with: str | None = None
) -> ProcessContext:
    return ProcessContext(
        key=model,
        version=1,
        document=parse_bpmn((LOGS / f"{model}.bpmn").read_bytes()),
        legal_deadline_days=deadline_days,
        deadline_starts_with=starts_with,
        deadline_ends_with=ends_with,
    )


# Per scenario: how to analyse, and which of the conditional keys the result must have.
SCENARIOS: dict[str, tuple[Callable[[dict[str, LogView]], AnalysisResult], set[str]]] = {
    "no process, no units": (lambda logs: analyze(logs["running"]), set()),
    "model by alignments, deadline from the first event": (
        lambda logs: analyze(
            logs["running"],
            process=_process("running-example", deadline_days=10),
            options=AnalysisOptions(conformance_method="alignments", time_budget_s=60),
        ),
        {"conformance", "deadline"},
    ),
    "units and channel, no process": (
        lambda logs: analyze(logs["receipt"]),
        UNITS | {"channels"},
    ),
    # Units, channel, model, a deadline between two named steps, waits in working time.
    "everything": (
        lambda logs: analyze(
            logs["receipt"],
            process=_process(
                "receipt",
                deadline_days=14,
                starts_with="Confirmation of receipt",
                ends_with="T10 Determine necessity to stop indication",
            ),
            options=AnalysisOptions(
                calendar=WorkingCalendar(holidays=lower_saxony_holidays(range(2010, 2013)))
            ),
        ),
        set(CONDITIONAL),
    ),
    # Every unit withheld: the sections are there, with no rows.
    "units below the minimum group size": (
        lambda logs: analyze(logs["receipt"], options=AnalysisOptions(min_group_size=1000)),
        UNITS | {"channels"},
    ),
}


@pytest.fixture(scope="module")
def results(logs: dict[str, LogView]) -> dict[str, AnalysisResult]:
    return {name: build(logs) for name, (build, _) in SCENARIOS.items()}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_the_result_is_the_declared_record(
    results: dict[str, AnalysisResult], scenario: str
) -> None:
    result = results[scenario]
    assert record_problems(result, AnalysisResult) == []
    # A conditional key appears exactly under the condition mining.results names for it.
    assert set(result) & CONDITIONAL == SCENARIOS[scenario][1]


def test_the_scenarios_reach_every_declared_key(results: dict[str, AnalysisResult]) -> None:
    """A key added to AnalysisResult needs a scenario here that produces, and so checks, it."""
    seen = set().union(*(result.keys() for result in results.values()))
    assert seen == set(get_type_hints(AnalysisResult))


def test_withheld_units_leave_empty_rows_under_their_summary(
    results: dict[str, AnalysisResult],
) -> None:
    result = results["units below the minimum group size"]
    assert (result["handovers"], result["org_units"]) == ([], [])
    summary = result["org_unit_groups"]
    assert summary["withheld_units"] == summary["units"] == 10


def test_an_undeclared_key_a_missing_key_and_a_wrong_number_are_found(
    results: dict[str, AnalysisResult],
) -> None:
    result: dict[str, Any] = json.loads(json.dumps(results["everything"]))
    result["log"]["median_events"] = 7
    del result["working_time"]
    result["variants"][0]["cases"] = float(result["variants"][0]["cases"])
    result["dfg"][0]["count"] = True
    result["conformance"]["deviations"].append({"kind": "late", "activity": "x"})
    result["channels"]["values"][0]["mean_wait_s"] = "1 Tag"
    places = [problem.split(":")[0] for problem in record_problems(result, AnalysisResult)]
    last = len(result["conformance"]["deviations"]) - 1
    assert places == [
        "result",  # working_time is missing
        "result.log.median_events",
        "result.variants[0].cases",
        "result.dfg[0].count",
        "result.channels.values[0].mean_wait_s",
        # no cases, share, example_cases, variants
        *[f"result.conformance.deviations[{last}]"] * 4,
        f"result.conformance.deviations[{last}].kind",  # not one of the three kinds
    ]


def test_pmo_analyze_json_prints_exactly_the_record(
    tmp_path: Path, results: dict[str, AnalysisResult]
) -> None:
    output = pmo_output(
        "analyze",
        str(LOGS / "receipt.csv"),
        "--org-unit",
        "org:group",
        "--attribute",
        "case:channel",
        "--json",
        env=office_env(tmp_path),
    )
    assert record_problems(json.loads(output), AnalysisResult) == []
    # Nothing is added, dropped or reordered between analyze() and the printed JSON. Sums of
    # doubles from DuckDB's parallel aggregation may differ in the last bit between two runs of
    # the same analysis, so numbers compare to 1e-12 and everything else exactly, keys in order.
    expected = json.loads(json.dumps(results["units and channel, no process"], ensure_ascii=False))
    assert output.endswith("}\n") and output.startswith("{\n  ")
    assert _same(json.loads(output), expected), "the printed JSON differs from analyze()"


def _same(printed: Any, expected: Any) -> bool:
    if isinstance(printed, dict) and isinstance(expected, dict):
        return list(printed) == list(expected) and all(
            _same(printed[key], expected[key]) for key in printed
        )
    if isinstance(printed, list) and isinstance(expected, list):
        return len(printed) == len(expected) and all(map(_same, printed, expected))
    if isinstance(printed, float) and isinstance(expected, float):
        return printed == pytest.approx(expected, rel=1e-12, abs=1e-9)
    return type(printed) is type(expected) and printed == expected
