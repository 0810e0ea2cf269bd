"""`pmo analyze` end to end on a generated municipal log with known findings (issue acceptance)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mining import AnalysisResult
from tests.cli_office import office_env, pmo_output
from tests.municipal_log import (
    BOTTLENECK,
    REWORK_STEP,
    SHARES,
    SKIPPED_STEP,
    START_EVENT,
    generate_hundesteuer_log,
)
from tests.records import record_problems


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    folder = tmp_path_factory.mktemp("analyse")
    env = office_env(folder)
    pmo_output("demo", "--no-logs", env=env)
    log = generate_hundesteuer_log(folder / "hundesteuer.csv")
    imported = json.loads(
        pmo_output(
            "log",
            "import",
            str(log),
            "--process",
            "hundesteuer-anmeldung",
            "--attribute",
            "Eingangskanal",
            "--json",
            env=env,
        )
    )
    output = pmo_output("analyze", imported["log_id"], "--json", env=env)
    return json.loads(output), output


def test_contract_keys_are_present(analysed: tuple[dict, str]) -> None:
    """The JSON is the record mining.results declares (tests/test_analysis_records.py has more)."""
    result, _ = analysed
    assert record_problems(result, AnalysisResult) == []
    assert {"conformance", "channels"} <= set(result)
    assert result["log"]["cases"] == 400


def test_injected_bottleneck_ranks_first(analysed: tuple[dict, str]) -> None:
    result, _ = analysed
    first = result["bottlenecks"][0]
    assert (first["source"], first["target"]) == BOTTLENECK
    assert first["cases"] == 400


def test_skipped_mandatory_step_is_reported_with_its_share(analysed: tuple[dict, str]) -> None:
    result, _ = analysed
    skipped = [
        d
        for d in result["conformance"]["deviations"]
        if d["kind"] == "skipped" and d["activity"] == SKIPPED_STEP
    ]
    assert len(skipped) == 1
    assert skipped[0]["share"] == pytest.approx(SHARES["skip"], abs=0.01)


def test_rework_is_reported(analysed: tuple[dict, str]) -> None:
    result, _ = analysed
    rework = {row["activity"]: row for row in result["rework"]}
    assert rework[REWORK_STEP]["share_of_cases"] == pytest.approx(SHARES["rework"], abs=0.01)


def test_start_event_logged_as_activity_is_not_unmodelled(analysed: tuple[dict, str]) -> None:
    result, _ = analysed
    unmodelled = {
        d["activity"] for d in result["conformance"]["deviations"] if d["kind"] == "unmodelled"
    }
    assert START_EVENT not in unmodelled


def test_paper_and_online_intake_are_compared(analysed: tuple[dict, str]) -> None:
    result, _ = analysed
    channels = {row["channel"]: row for row in result["channels"]["values"]}
    assert set(channels) == {"Papier", "Online"}
    assert channels["Papier"]["cases"] == 160


def test_no_person_appears_in_the_analysis(analysed: tuple[dict, str]) -> None:
    _, output = analysed
    assert re.search(r"Sachbearbeitung \d", output) is None  # the clerks' names in the log
    assert '"P-' not in output


def test_a_selection_of_fewer_than_k_people_is_refused(tmp_path: Path) -> None:
    """No per-person output: filtering down to one clerk's cases must not yield their figures."""
    from mining.analysis import GroupTooSmallError, analyze
    from mining.ingest.pipeline import ImportOptions, ingest_file
    from mining.ingest.privacy import load_or_create_secret
    from mining.query.view import filter_attribute, open_log

    rows = ["Fall;Aktivität;Zeitpunkt;Bearbeiter;Team"]
    for case in range(12):
        clerk, team = (f"Person {case % 6}", "A") if case < 10 else ("Person Solo", "B")
        rows += [
            f"{case};Antrag prüfen;0{case % 9 + 1}.02.2024 09:00;{clerk};{team}",
            f"{case};Bescheid erstellen;0{case % 9 + 1}.02.2024 15:00;{clerk};{team}",
        ]
    path = tmp_path / "teams.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    events = tmp_path / "events.parquet"
    secret = load_or_create_secret(tmp_path)
    ingest_file(path, events, options=ImportOptions(org_unit="Team"), secret=secret, source="t.csv")
    view = open_log(events)
    assert analyze(view)["log"]["cases"] == 12
    assert analyze(filter_attribute(view, "org_unit", ["A"]))["log"]["cases"] == 10
    with pytest.raises(GroupTooSmallError, match="weniger als 5 Personen") as refused:
        analyze(filter_attribute(view, "org_unit", ["B"]))
    # The refusal must not itself tell how many people the small selection holds.
    assert re.search(r"\b1 Person", str(refused.value)) is None
