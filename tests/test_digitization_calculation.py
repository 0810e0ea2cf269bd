"""Every candidate carries its calculation, its reasons quote the signals as shown, waiting time
never becomes work hours, and the online service sits at the intake."""

from __future__ import annotations

import io
import math
import re
from pathlib import Path

import openpyxl
import pytest

from mining.digitization import (
    Candidate,
    ProcessFacts,
    find_candidates,
    load_assumptions,
    recommend,
    register_candidates,
    shown_signal,
)
from mining.query.view import open_log
from mining.report.render import render_report
from tests.municipal_log import START_EVENT, stored_hundesteuer_log
from tests.report_fixture import make_snapshot
from tests.test_digitization import process, step

ASSUMPTIONS = load_assumptions()


def _all_kinds() -> list[Candidate]:
    """A process that triggers all four rules (measured times, a follow-up, paper, a bottleneck)."""
    signals = process(
        step("Gebühr berechnen"),
        step(
            "Antrag prüfen",
            decides=True,
            rework_cases=200,
            extra_executions_per_year=800.0,
            rework_time_lost_days=3.25,
            successor_share=0.5,
        ),
        step(
            "Unterlagen nachfordern",
            cases=250,
            successor_share=0.5,
            time_kind="Verweilzeit",
            mean_minutes=40_000.0,
            median_minutes=30_000.0,
            rework_cases=40,
            extra_executions_per_year=160.0,
            rework_time_lost_days=27.9226,
        ),
        step("Papierantrag scannen", cases=400, media_break=True, model_type="manualTask"),
        rework_share=0.2,
        bottleneck=("Antrag prüfen", "Bescheid erstellen"),
        bottleneck_wait_days=12.34,
        bottleneck_cases=900,
        handovers_per_case=2.0,
    )
    return recommend(signals, ASSUMPTIONS)


def test_every_candidate_carries_a_calculation_whose_result_is_its_hours() -> None:
    candidates = _all_kinds()
    assert {c.recommendation for c in candidates} == {
        "rpa",
        "ai_form_assistance",
        "online_service",
        "process_redesign",
    }
    facts = ProcessFacts(key="p", name="P", ozg_maturity_level=1, ozg_maturity_scale="1.1")
    for candidate in [*candidates, *register_candidates(facts, ASSUMPTIONS)]:
        record = candidate.to_dict()["calculation"]
        assert record["formula"], candidate.recommendation
        assert record["result"] == pytest.approx(candidate.hours_saved_per_year, abs=0.05)
        # The formula names its inputs: every number it uses is listed under that name.
        for name, value in record["inputs"].items():
            if isinstance(value, int | float):
                assert name in record["formula"], (candidate.recommendation, name)


def test_the_rpa_formula_recomputes_from_its_inputs() -> None:
    [rpa] = [c for c in _all_kinds() if c.recommendation == "rpa"]
    inputs = rpa.to_dict()["calculation"]["inputs"]
    product = (
        inputs["Ausführungen/Jahr"]
        * inputs["Minuten je Ausführung"]
        / 60
        * inputs["Automatisierungsanteil"]
    )
    assert product == pytest.approx(rpa.hours_saved_per_year, abs=0.05)


def test_waiting_never_becomes_work_hours() -> None:
    """Longer waits at the bottleneck shorten more calendar days, never add hours; a repeated
    step without processing times costs the assumed minutes, not its days of waiting."""
    short, long = (
        process(
            bottleneck=("A", "B"),
            bottleneck_wait_days=days,
            bottleneck_cases=900,
            handovers_per_case=2.0,
        )
        for days in (6.0, 60.0)
    )
    [a] = [c for c in recommend(short, ASSUMPTIONS) if c.recommendation == "process_redesign"]
    [b] = [c for c in recommend(long, ASSUMPTIONS) if c.recommendation == "process_redesign"]
    assert a.hours_saved_per_year == b.hours_saved_per_year
    assert b.throughput_reduction_days > a.throughput_reduction_days
    assert any("Kalendertage" in r for r in b.reasons)

    def ai_hours(mean_minutes: float) -> float:
        repeated = step(
            "Antrag bearbeiten",
            time_kind="Verweilzeit",
            mean_minutes=mean_minutes,
            median_minutes=mean_minutes,
            rework_cases=200,
            extra_executions_per_year=800.0,
            rework_time_lost_days=3.0,
            successor_share=0.5,
        )
        [ai] = [
            c
            for c in recommend(process(repeated, rework_share=0.2), ASSUMPTIONS)
            if c.recommendation == "ai_form_assistance"
        ]
        return ai.hours_saved_per_year

    assert ai_hours(30.0) == ai_hours(30_000.0)
    cfg = ASSUMPTIONS["ai_form_assistance"]
    expected = 800.0 * cfg["minutes_per_repetition"] / 60 * cfg["rework_reduction"]
    assert ai_hours(30.0) == pytest.approx(expected, abs=0.05)


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\d[\d.]*(?:,\d+)?(?: %)?", text))


@pytest.mark.parametrize(
    "key", ["rework_share", "rework_days_per_loop", "bottleneck_wait_days", "paper_share"]
)
def test_reasons_quote_the_signal_as_displayed(key: str) -> None:
    [candidate] = [c for c in _all_kinds() if key in c.signals]
    displayed = shown_signal(key, candidate.signals[key])
    assert any(displayed in _numbers(reason) for reason in candidate.reasons), (
        displayed,
        candidate.reasons,
    )


def test_online_service_attaches_to_the_start_step_not_to_a_check() -> None:
    check = step("Vollständigkeit prüfen", decides=True, events_per_year=8000.0)
    intake = step("Antrag eingegangen", events_per_year=4000.0)
    signals = process(
        check,
        intake,
        start_activities=("Vollständigkeit prüfen", "Antrag eingegangen"),
        paper_share=0.5,
        channel_column="Kanal",
        paper_channels=("Papier",),
    )
    [online] = [c for c in recommend(signals, ASSUMPTIONS) if c.recommendation == "online_service"]
    assert online.activity == "Antrag eingegangen"


@pytest.fixture(scope="module")
def stored_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return stored_hundesteuer_log(tmp_path_factory.mktemp("calculation"), cases=200)


def test_online_service_of_a_log_sits_at_its_intake_step(stored_log: Path) -> None:
    """The paper step comes second in this log; the intake is the step every case starts with."""
    found = find_candidates(
        open_log(stored_log), ProcessFacts(ozg_maturity_level=2), channel_column="Eingangskanal"
    )
    [online] = [c for c in found if c.recommendation == "online_service"]
    assert online.activity == START_EVENT
    for candidate in found:
        assert math.isclose(
            candidate.to_dict()["calculation"]["result"],
            candidate.hours_saved_per_year,
            abs_tol=0.05,
        )


def _with(candidates: list[Candidate]) -> dict:
    snapshot = make_snapshot()
    records = [c.to_dict() for c in candidates]
    for record in records:
        record["process"] = snapshot["processes"][0]["key"]
    snapshot["candidates"] = records
    snapshot["processes"][0]["candidates"] = records
    return snapshot


def test_html_and_xlsx_show_formula_inputs_and_result() -> None:
    candidates = _all_kinds()
    snapshot = _with(candidates)
    html = render_report(snapshot, "html").decode("utf-8")
    workbook = openpyxl.load_workbook(io.BytesIO(render_report(snapshot, "xlsx")))
    sheet = workbook["Kandidaten"]
    headers = [cell.value for cell in sheet[1]]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    for candidate in candidates:
        calculation = candidate.to_dict()["calculation"]
        assert calculation["formula"] in html
        assert all(name in html for name in calculation["inputs"])
        [row] = [
            r
            for r in rows
            if r[headers.index("Empfehlung (Code)")] == candidate.recommendation
            and r[headers.index("Schritt")] == (candidate.activity or "ganzer Prozess")
        ]
        assert row[headers.index("Berechnung")] == calculation["formula"]
        assert row[headers.index("Ergebnis (Stunden/Jahr)")] == calculation["result"]
        for name in calculation["inputs"]:
            assert name in row[headers.index("Eingangsgrößen")]
