"""RPA on a completion-only export: evidence instead of processing times, never for a deciding step.

The permit export (tests/permit_log.py) has one timestamp per step, as most specialist systems
write it. Its two rule-bound steps are done by a system account, always followed by the same step,
two hours (± 5 %) after the previous one; the clerks' steps vary widely."""

from __future__ import annotations

import pytest

from mining.digitization import (
    ActivitySignals,
    Candidate,
    ProcessFacts,
    find_candidates,
    load_assumptions,
    recommend,
    shown_signal,
)
from mining.query.view import open_log
from tests.permit_log import DECIDING_STEPS, INTAKE, RULE_BOUND_STEPS, stored_permit_log
from tests.test_digitization import process, step

ASSUMPTIONS = load_assumptions()
FACTS = ProcessFacts(key="sondernutzung", name="Sondernutzung", ozg_maturity_level=2)


@pytest.fixture(scope="module")
def candidates(tmp_path_factory: pytest.TempPathFactory) -> list[Candidate]:
    events = stored_permit_log(tmp_path_factory.mktemp("permit"))
    return find_candidates(open_log(events), FACTS, ASSUMPTIONS, channel_column="Eingangskanal")


def test_rpa_for_exactly_the_rule_bound_steps(candidates: list[Candidate]) -> None:
    rpa = [c for c in candidates if c.recommendation == "rpa"]
    assert sorted(c.activity for c in rpa) == sorted(RULE_BOUND_STEPS)
    for candidate in candidates:
        if candidate.recommendation in ("rpa", "ai_form_assistance"):
            assert candidate.activity not in DECIDING_STEPS or candidate.decides


def test_each_piece_of_evidence_is_shown_with_its_value(candidates: list[Candidate]) -> None:
    for candidate in (c for c in candidates if c.recommendation == "rpa"):
        text = "\n".join(candidate.reasons)
        assert candidate.signals["system_account_share"] == 1.0
        assert candidate.signals["gap_variation"] <= ASSUMPTIONS["rpa"]["max_gap_variation"]
        for key in ("gap_variation", "system_account_share", "successor_share", "median_gap_min"):
            assert shown_signal(key, candidate.signals[key]) in text, key
        assert "Systemkonto" in text and "Startzeiten" in text


def test_the_estimate_says_its_minutes_are_assumed(candidates: list[Candidate]) -> None:
    minutes = ASSUMPTIONS["rpa"]["assumed_minutes_per_step"]
    for candidate in (c for c in candidates if c.recommendation == "rpa"):
        calculation = candidate.to_dict()["calculation"]
        assert calculation["inputs"]["Minuten je Ausführung"] == minutes
        assert "angenommen" in calculation["inputs"]["Grundlage der Minuten"]
        assert any("angenommen" in r and "Stunden/Jahr" in r for r in candidate.reasons)
        sources = {u["key"]: u["source"] for u in candidate.to_dict()["assumptions_used"]}
        assert sources["rpa.assumed_minutes_per_step"] == "Standard"
        assert sources["Ausführungen/Jahr"] == "gemessen"


def test_the_other_kinds_find_their_places(candidates: list[Candidate]) -> None:
    by_kind = {c.recommendation: c for c in candidates}
    assert by_kind["online_service"].activity == INTAKE
    assert by_kind["ai_form_assistance"].activity == "Unterlagen nachfordern"


def _completion_only(**changes: object) -> ActivitySignals:
    """A step of a log without start times: the times are the time since the previous step."""
    values: dict[str, object] = {
        "activity": "Gebühr berechnen",
        "time_kind": "Verweilzeit",
        "median_minutes": 120.0,
        "mean_minutes": 121.0,
        "variation": 0.03,
        "model_type": None,
        "system_account_share": 1.0,
        "same_session_share": 0.0,
    }
    values.update(changes)
    return step(**values)  # type: ignore[arg-type]


EVIDENCE_CASES = [
    ("uniform, system account, transfer verb", {}, True),
    ("only one piece of evidence", {"variation": 0.6, "system_account_share": 0.0}, False),
    (
        "a working session and a system task, name says nothing",
        {
            "activity": "Vorgang 7",
            "variation": 0.6,
            "system_account_share": 0.0,
            "same_session_share": 0.9,
            "model_type": "serviceTask",
        },
        True,
    ),
    ("next step not predictable", {"successor_share": 0.6}, False),
    ("decides (§ 35a VwVfG)", {"decides": True}, False),
    ("the name decides", {"activity": "Gebühr berechnen und festsetzen"}, False),
    ("paper step", {"media_break": True}, False),
]


@pytest.mark.parametrize(
    ("case", "changes", "applies"), EVIDENCE_CASES, ids=[c[0] for c in EVIDENCE_CASES]
)
def test_rpa_evidence_without_start_times(
    case: str, changes: dict[str, object], applies: bool
) -> None:
    found = recommend(process(_completion_only(**changes)), ASSUMPTIONS)
    assert any(c.recommendation == "rpa" for c in found) is applies, case


def test_the_office_can_extend_the_verb_lexicon() -> None:
    plain = _completion_only(activity="Vorgang abschließen", system_account_share=0.0)
    assert not [c for c in recommend(process(plain), ASSUMPTIONS) if c.recommendation == "rpa"]
    verbs = (*ASSUMPTIONS["rpa"]["transfer_verbs"], "abschließen")
    extended = ASSUMPTIONS.with_values({"rpa.transfer_verbs": list(verbs)})
    [rpa] = [c for c in recommend(process(plain), extended) if c.recommendation == "rpa"]
    sources = {u["key"]: u["source"] for u in rpa.to_dict()["assumptions_used"]}
    assert sources["rpa.transfer_verbs"] == "Änderung"
