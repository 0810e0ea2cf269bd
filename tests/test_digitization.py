"""The scoring rules of the digitization candidates, table-driven, and their invariants."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mining.digitization import (
    RULES,
    ActivitySignals,
    AssumptionsError,
    ProcessFacts,
    ProcessSignals,
    find_candidates,
    load_assumptions,
    rank_candidates,
    recommend,
)
from mining.query.view import open_log
from tests.municipal_log import RPA_STEPS, stored_hundesteuer_log

ASSUMPTIONS = load_assumptions()


def step(activity: str = "Gebühr berechnen", **changes: object) -> ActivitySignals:
    """A frequent, short, uniform system step whose next step is always the same."""
    values: dict[str, object] = {
        "activity": activity,
        "events": 1000,
        "cases": 1000,
        "events_per_year": 4000.0,
        "time_kind": "Bearbeitungszeit",
        "median_minutes": 2.0,
        "mean_minutes": 2.1,
        "variation": 0.2,
        "wait_before_days": 0.5,
        "successor_share": 1.0,
        "rework_cases": 0,
        "extra_executions_per_year": 0.0,
        "rework_time_lost_days": 0.0,
        "media_break": False,
        "decides": False,
        "model_type": "serviceTask",
    }
    values.update(changes)
    return ActivitySignals(**values)  # type: ignore[arg-type]


def process(*steps: ActivitySignals, **changes: object) -> ProcessSignals:
    values: dict[str, object] = {
        "facts": ProcessFacts(
            key="wohngeld", name="Wohngeld", ozg_maturity_level=3, ozg_maturity_scale="1.1"
        ),
        "cases": 1000,
        "events": 8000,
        "period_days": 91.0,
        "year_factor": 4.0,
        "volume_source": "Protokoll",
        "activities": steps or (step(),),
        "rework_share": 0.0,
    }
    values.update(changes)
    return ProcessSignals(**values)  # type: ignore[arg-type]


def kinds(signals: ProcessSignals) -> set[str]:
    return {c.recommendation for c in recommend(signals, ASSUMPTIONS)}


# -- RPA: every condition on its own --------------------------------------------------------------

RPA_CASES = [
    ("frequent, short, uniform, predictable", {}, True),
    ("too rare", {"events_per_year": 300.0}, False),
    ("takes too long", {"median_minutes": 25.0, "mean_minutes": 26.0}, False),
    ("varies too much", {"variation": 0.9}, False),
    ("next step not predictable", {"successor_share": 0.6}, False),
    ("decides about the case (§ 35a VwVfG)", {"decides": True}, False),
    ("media break: paper cannot be robotized", {"media_break": True}, False),
    ("manual task in the model", {"model_type": "manualTask"}, False),
    ("no time measured", {"median_minutes": None, "mean_minutes": None, "variation": None}, False),
    (
        "exactly at the thresholds",
        {
            "events_per_year": 500.0,
            "median_minutes": 10.0,
            "variation": 0.5,
            "successor_share": 0.9,
        },
        True,
    ),
]


@pytest.mark.parametrize(("case", "changes", "applies"), RPA_CASES, ids=[c[0] for c in RPA_CASES])
def test_rpa_rule(case: str, changes: dict[str, object], applies: bool) -> None:
    found = RULES["rpa"](process(step(**changes)), ASSUMPTIONS)
    assert bool(found) is applies, case


def test_rpa_reasons_state_the_measured_values_and_the_estimate() -> None:
    [candidate] = [c for c in recommend(process(step()), ASSUMPTIONS) if c.recommendation == "rpa"]
    text = "\n".join(candidate.reasons)
    assert "4.000 Ausführungen pro Jahr" in text
    assert "Median 2,0 Minuten" in text
    assert "in 100 % der Fälle folgt derselbe nächste Schritt" in text
    assert "Systemaufgabe (serviceTask)" in text
    # 4000 × 2.1 min × 80 % = 112 h; every derived figure follows from the assumptions.
    assert candidate.hours_saved_per_year == pytest.approx(112.0)
    assert candidate.fte_saved == pytest.approx(112.0 / 1600, abs=0.005)
    assert candidate.euros_saved_per_year == pytest.approx(112.0 * 71.0, abs=1)
    assert candidate.activity == "Gebühr berechnen"
    assert not candidate.low_evidence and not candidate.decides


# -- process-level rules --------------------------------------------------------------------------

PROCESS_CASES = [
    (
        "40 % paper and OZG level 2: online service",
        {
            "paper_share": 0.4,
            "channel_column": "Kanal",
            "paper_channels": ("Papier",),
            "facts": ProcessFacts(
                key="p", name="P", ozg_maturity_level=2, ozg_maturity_scale="1.1"
            ),
        },
        "online_service",
        True,
    ),
    (
        "10 % paper: no online service",
        {"paper_share": 0.1, "channel_column": "Kanal"},
        "online_service",
        False,
    ),
    ("no channel and no paper step: unknown, no online service", {}, "online_service", False),
    (
        "online service exists but paper dominates: promote it",
        {"paper_share": 0.5, "channel_column": "Kanal", "paper_channels": ("Papier",)},
        "online_service",
        True,
    ),
    ("20 % rework: AI form assistance", {"rework_share": 0.2}, "ai_form_assistance", True),
    ("5 % rework: no AI form assistance", {"rework_share": 0.05}, "ai_form_assistance", False),
    (
        "10 days at the bottleneck: redesign",
        {"bottleneck": ("A", "B"), "bottleneck_wait_days": 10.0, "bottleneck_cases": 900},
        "process_redesign",
        True,
    ),
    (
        "short waits, few hand-overs: no redesign",
        {
            "bottleneck": ("A", "B"),
            "bottleneck_wait_days": 1.0,
            "bottleneck_cases": 900,
            "handovers_per_case": 0.5,
        },
        "process_redesign",
        False,
    ),
    (
        "two hand-overs per case: redesign",
        {
            "bottleneck": ("A", "B"),
            "bottleneck_wait_days": 1.0,
            "bottleneck_cases": 900,
            "handovers_per_case": 2.0,
        },
        "process_redesign",
        True,
    ),
]


@pytest.mark.parametrize(
    ("case", "changes", "kind", "applies"), PROCESS_CASES, ids=[c[0] for c in PROCESS_CASES]
)
def test_process_rules(case: str, changes: dict[str, object], kind: str, applies: bool) -> None:
    assert (kind in kinds(process(**changes))) is applies, case


def test_online_service_from_a_paper_step_when_the_log_has_no_channel() -> None:
    scan = step(
        "Papierantrag scannen",
        cases=300,
        media_break=True,
        model_type="manualTask",
        mean_minutes=6.0,
        successor_share=0.7,
    )
    [online] = [
        c
        for c in recommend(process(step(), scan), ASSUMPTIONS)
        if c.recommendation == "online_service"
    ]
    assert online.activity == "Papierantrag scannen"
    assert any("30 % der Fälle durchlaufen einen Medienbruch-Schritt" in r for r in online.reasons)
    # 1000 cases × 4/year × 30 % paper × 60 % move online = 720 applications × 6 min = 72 h;
    # 4 pages each at 10 g CO₂.
    assert online.hours_saved_per_year == pytest.approx(72.0)
    assert online.pages_avoided_per_year == pytest.approx(720.0 * 4)
    assert online.co2_kg_avoided_per_year == pytest.approx(720.0 * 4 * 10 / 1000, abs=0.1)


def test_online_service_names_the_maturity_gap() -> None:
    facts = ProcessFacts(key="p", name="P", ozg_maturity_level=1, ozg_maturity_scale="1.1")
    signals = process(
        paper_share=0.6, channel_column="Eingang", paper_channels=("Fax", "Papier"), facts=facts
    )
    [online] = [c for c in recommend(signals, ASSUMPTIONS) if c.recommendation == "online_service"]
    assert any("60 % der Fälle gehen über Fax/Papier ein" in r for r in online.reasons)
    assert any("OZG-Reifegrad 1 liegt unter dem Ziel 3" in r for r in online.reasons)


def test_ai_form_assistance_targets_the_follow_up_step() -> None:
    follow_up = step("Unterlagen nachfordern", cases=250, successor_share=0.5, decides=False)
    signals = process(step(), follow_up, rework_share=0.05)
    [ai] = [c for c in recommend(signals, ASSUMPTIONS) if c.recommendation == "ai_form_assistance"]
    assert ai.activity == "Unterlagen nachfordern"
    assert any("25 % der Fälle brauchen Nacharbeit" in r for r in ai.reasons)


def test_ai_form_assistance_never_sits_on_a_deciding_step() -> None:
    # Repeated checks point at incomplete applications: the assistant belongs to the intake,
    # and the check itself stays with the staff.
    intake = step("Antrag eingegangen", successor_share=1.0)
    check = step(
        "Antrag prüfen",
        decides=True,
        rework_cases=200,
        extra_executions_per_year=800.0,
        rework_time_lost_days=3.0,
        successor_share=0.5,
    )
    signals = process(intake, check, rework_share=0.2, start_activities=("Antrag eingegangen",))
    [ai] = [c for c in recommend(signals, ASSUMPTIONS) if c.recommendation == "ai_form_assistance"]
    assert ai.activity == "Antrag eingegangen" and not ai.decides
    assert any("„Antrag prüfen“ entscheidet" in r for r in ai.reasons)
    assert not any("§ 35a VwVfG" in r for r in ai.reasons)


def test_without_an_intake_that_decides_nothing_no_form_assistance() -> None:
    check = step(
        "Antrag prüfen",
        decides=True,
        rework_cases=200,
        extra_executions_per_year=800.0,
        rework_time_lost_days=3.0,
        successor_share=0.5,
    )
    signals = process(check, rework_share=0.2, start_activities=("Antrag prüfen",))
    assert "ai_form_assistance" not in kinds(signals)


def test_deadline_pressure_is_a_reason_for_redesign() -> None:
    facts = ProcessFacts(key="bau", name="Baugenehmigung", legal_deadline_days=90)
    signals = process(
        facts=facts,
        bottleneck=("Prüfen", "Bescheid"),
        bottleneck_wait_days=20.0,
        bottleneck_cases=800,
        deadline_over_share=0.12,
        deadline_close_share=0.3,
    )
    [redesign] = [
        c for c in recommend(signals, ASSUMPTIONS) if c.recommendation == "process_redesign"
    ]
    assert any(
        "Frist von 90 Tagen: 12 % der Fälle darüber, 30 % knapp davor" in r
        for r in redesign.reasons
    )


# -- score and evidence ---------------------------------------------------------------------------


def test_lower_effort_scores_higher_all_else_equal() -> None:
    cheap = ASSUMPTIONS.with_values({"rpa.effort": 1})
    dear = ASSUMPTIONS.with_values({"rpa.effort": 5})
    [low] = recommend(process(step()), cheap)
    [high] = recommend(process(step()), dear)
    assert low.score > high.score
    assert low.score - high.score == pytest.approx(100 * 0.3, abs=0.2)  # the effort weight


def test_few_cases_are_flagged() -> None:
    [candidate] = recommend(process(step(cases=40), cases=40), ASSUMPTIONS)
    assert candidate.low_evidence
    assert any("nur 40 Fälle" in r for r in candidate.reasons)


def test_more_volume_never_lowers_the_score() -> None:
    small = recommend(process(step(events_per_year=600.0)), ASSUMPTIONS)[0]
    large = recommend(process(step(events_per_year=20000.0)), ASSUMPTIONS)[0]
    assert large.score > small.score
    assert large.hours_saved_per_year > small.hours_saved_per_year


# -- the assumptions file -------------------------------------------------------------------------


def test_an_assumptions_file_overrides_single_keys(tmp_path: Path) -> None:
    path = tmp_path / "annahmen.toml"
    path.write_text(
        "[rpa]\nmax_median_minutes = 1.0\n\n[cost_rates_eur_per_hour]\nE9b = 50.0\n",
        encoding="utf-8",
    )
    strict = load_assumptions(path)
    assert strict["rpa"]["max_median_minutes"] == 1.0
    assert strict["rpa"]["automation_share"] == ASSUMPTIONS["rpa"]["automation_share"]
    assert not RULES["rpa"](process(step()), strict)
    assert strict.hourly_rate() == 50.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[rpa]\nmax_median_minute = 1\n", "unbekannter Schlüssel [rpa] max_median_minute"),
        ('[rpa]\nmax_median_minutes = "kurz"\n', "[rpa] max_median_minutes hat den falschen Typ"),
        ("[robots]\nx = 1\n", "unbekannter Abschnitt [robots]"),
        ("[rpa\n", "kein gültiges TOML"),
        ("[rpa]\neffort = -1\n", "darf nicht negativ sein"),
    ],
)
def test_a_bad_assumptions_file_is_refused_with_file_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "annahmen.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AssumptionsError) as caught:
        load_assumptions(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


# -- order independence ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stored_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("digitization")
    return stored_hundesteuer_log(folder, cases=200, service_times=True)


FACTS = ProcessFacts(
    key="hundesteuer-anmeldung",
    name="Hundesteuer-Anmeldung",
    annual_case_volume=2300,
    ozg_maturity_level=2,
    ozg_maturity_scale="1.1",
)


def _ranking(events: Path) -> list[tuple[object, ...]]:
    found = find_candidates(open_log(events), FACTS, ASSUMPTIONS, channel_column="Eingangskanal")
    return [(c.activity, c.recommendation, c.score, c.hours_saved_per_year) for c in found]


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_ranking_ignores_the_row_order_of_the_log(
    stored_log: Path, tmp_path_factory: pytest.TempPathFactory, seed: int
) -> None:
    import numpy as np

    table = pq.read_table(stored_log)
    order = np.random.default_rng(seed).permutation(table.num_rows)
    shuffled = tmp_path_factory.mktemp("shuffled") / "events.parquet"
    pq.write_table(table.take(order), shuffled)
    assert _ranking(shuffled) == _ranking(stored_log)


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_ranking_ignores_the_order_of_candidates(data: st.DataObject) -> None:
    candidates = recommend(
        process(
            step("A"),
            step("B", events_per_year=900.0),
            step("C", median_minutes=8.0),
            step("Papier scannen", media_break=True),
            rework_share=0.3,
            paper_share=0.5,
            channel_column="Kanal",
            paper_channels=("Papier",),
        ),
        ASSUMPTIONS,
    )
    shuffled = data.draw(st.permutations(candidates))
    assert rank_candidates(shuffled) == candidates


def test_candidates_are_plain_data() -> None:
    [candidate] = recommend(process(step()), ASSUMPTIONS)
    as_dict = candidate.to_dict()
    assert as_dict["recommendation_label"] == "RPA (Softwareroboter)"
    assert {"activity", "score", "recommendation", "reasons", "hours_saved_per_year"} <= set(
        as_dict
    )
    assert dataclasses.is_dataclass(candidate)


def test_the_generated_log_ranks_its_two_robot_steps_first(stored_log: Path) -> None:
    ranking = _ranking(stored_log)
    top = {(activity, kind) for activity, kind, *_ in ranking[:3]}
    assert {(name, "rpa") for name in RPA_STEPS} <= top
