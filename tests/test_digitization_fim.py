"""FIM activity-group types as digitization priors (issue 16): a reason and a veto, never a figure.

Intake and output groups point to online services and data exchange, formal checks to rule-bound
automation; decisions and substantive checks never go to a robot (§ 35a VwVfG), whatever the log
shows. The log's measurements still decide whether a candidate exists and what it saves.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import random
from pathlib import Path

import pytest
from pypdf import PdfReader

from mining.digitization import (
    Assumptions,
    Candidate,
    FimPrior,
    ProcessFacts,
    classify_fim_type,
    find_candidates,
    load_assumptions,
    recommend,
)
from mining.query.view import open_log
from mining.report.render import render_report
from pmo.context import process_context
from process_registry import Registry
from tests.permit_log import INTAKE, RULE_BOUND_STEPS, stored_export, stored_permit_log
from tests.report_fixture import make_snapshot
from tests.test_digitization import process, step
from tests.test_digitization_completion_log import _completion_only
from tests.xprozess_fixture import DEFAULT_GROUPS, xprozess_file

ASSUMPTIONS = load_assumptions()
PATTERNS = ASSUMPTIONS["fim_priors"]
FACTS = ProcessFacts(key="sondernutzung", name="Sondernutzung", ozg_maturity_level=2)
TRANSFER, FEE = RULE_BOUND_STEPS


@pytest.mark.parametrize(
    ("type_name", "kind"),
    [
        ("Information empfangen", FimPrior.INTAKE),
        ("Information entgegennehmen", FimPrior.INTAKE),
        ("Information bereitstellen", FimPrior.OUTPUT),
        ("Information übermitteln", FimPrior.OUTPUT),
        ("INFORMATION UEBERMITTELN", FimPrior.OUTPUT),
        ("Formelle Prüfung", FimPrior.FORMAL_CHECK),
        ("Sachliche Prüfung", FimPrior.SUBSTANTIVE_CHECK),
        ("inhaltliche Pruefung", FimPrior.SUBSTANTIVE_CHECK),
        ("Materielle Prüfung", FimPrior.SUBSTANTIVE_CHECK),
        ("Entscheidung", FimPrior.DECISION),
        ("Bescheid  erstellen", FimPrior.DECISION),
        # A type naming a decision is a decision, even if it also names a transfer.
        ("Entscheidung übermitteln", FimPrior.DECISION),
        ("Mitwirkung", FimPrior.OTHER),
        ("Zahlung veranlassen", FimPrior.OTHER),
        ("", FimPrior.OTHER),
        (None, FimPrior.OTHER),
    ],
)
def test_a_type_name_is_classified_case_and_umlaut_tolerant(
    type_name: str | None, kind: FimPrior
) -> None:
    assert classify_fim_type(type_name, PATTERNS) is kind


def _only(candidates: list[Candidate], kind: str, activity: str | None = None) -> Candidate:
    [found] = [
        c
        for c in candidates
        if c.recommendation == kind and (activity is None or c.activity == activity)
    ]
    return found


def _text(candidate: Candidate) -> str:
    return "\n".join(candidate.reasons)


def _figures(candidate: Candidate) -> tuple[float, ...]:
    return (
        candidate.hours_saved_per_year,
        candidate.euros_saved_per_year,
        candidate.pages_avoided_per_year,
        candidate.calculation.result,
    )


# -- the permit export: a completion-only log with two robot steps --------------------------------


@pytest.fixture(scope="module")
def permit_events(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return stored_permit_log(tmp_path_factory.mktemp("permit"))


def _candidates(
    events: Path, fim_types: dict[str, str], assumptions: Assumptions = ASSUMPTIONS
) -> list[Candidate]:
    facts = dataclasses.replace(FACTS, fim_types=fim_types)
    return find_candidates(open_log(events), facts, assumptions, channel_column="Eingangskanal")


def test_an_intake_group_gives_the_online_and_data_exchange_reason(permit_events: Path) -> None:
    plain = _candidates(permit_events, {})
    typed = _candidates(
        permit_events, {INTAKE: "Information empfangen", TRANSFER: "Information empfangen"}
    )
    online = _only(typed, "online_service")
    assert online.activity == INTAKE
    assert f"FIM-Aktivitätengruppe „Information empfangen“: Schritt „{INTAKE}“" in _text(online)
    robot = _only(typed, "rpa", TRANSFER)
    assert "FIM-Aktivitätengruppe „Information empfangen“" in _text(robot)
    assert "Schnittstelle" in _text(robot)
    # A prior and a reason: the hours, euros and pages still come from the log alone.
    assert _figures(online) == _figures(_only(plain, "online_service"))
    assert _figures(robot) == _figures(_only(plain, "rpa", TRANSFER))
    used = {u["key"]: u["source"] for u in online.to_dict()["assumptions_used"]}
    assert used["fim_priors.intake"] == "Standard"


def test_a_decision_group_is_never_a_robot_and_cites_35a(permit_events: Path) -> None:
    # The log makes the fee step a robot's: a SYSTEM account, two hours (± 5 %) after the
    # previous step, always the same next step. FIM says the fee is set by a decision.
    assert FEE in {c.activity for c in _candidates(permit_events, {}) if c.recommendation == "rpa"}
    candidates = _candidates(permit_events, {FEE: "Entscheidung"})
    automating = {"rpa", "ai_form_assistance"}
    assert not [c for c in candidates if c.activity == FEE and c.recommendation in automating]
    assistance = _only(candidates, "decision_assistance", FEE)
    text = _text(assistance)
    assert "FIM-Aktivitätengruppe „Entscheidung“" in text and "§ 35a VwVfG" in text
    assert "Systemkonto" in text  # the log's evidence stays visible
    assert assistance.decides
    assert assistance.hours_saved_per_year == 0 and assistance.benefit == 0
    # The other robot step is untouched.
    assert _only(candidates, "rpa", TRANSFER).activity == TRANSFER


def test_an_unknown_type_changes_nothing(permit_events: Path) -> None:
    plain = [c.to_dict() for c in _candidates(permit_events, {})]
    typed = _candidates(permit_events, {FEE: "Zahlung veranlassen", INTAKE: "Mitwirkung"})
    assert [c.to_dict() for c in typed] == plain


def test_the_office_file_can_add_a_pattern(permit_events: Path, tmp_path: Path) -> None:
    path = tmp_path / "annahmen.toml"
    path.write_text('[fim_priors]\ndecision = ["entscheid", "abwägung"]\n', encoding="utf-8")
    office = load_assumptions(path)
    assert classify_fim_type("Abwägung", office["fim_priors"]) is FimPrior.DECISION
    assert classify_fim_type("Abwägung", PATTERNS) is FimPrior.OTHER
    candidates = _candidates(permit_events, {FEE: "Abwägung"}, office)
    assert not [c for c in candidates if c.activity == FEE and c.recommendation == "rpa"]
    used = _only(candidates, "decision_assistance", FEE).to_dict()["assumptions_used"]
    assert {u["key"]: u["source"] for u in used}["fim_priors.decision"] == "Datei der Verwaltung"


def test_a_type_given_only_as_code_counts_once_the_office_names_its_code(
    permit_events: Path, tmp_path: Path
) -> None:
    # Without the office's code list a bare code says nothing: no guessed prior.
    assert classify_fim_type("04", PATTERNS) is FimPrior.OTHER
    plain = [c.to_dict() for c in _candidates(permit_events, {})]
    assert [c.to_dict() for c in _candidates(permit_events, {FEE: "04"})] == plain

    path = tmp_path / "annahmen.toml"
    path.write_text('[fim_priors]\ndecision_codes = ["4"]\n', encoding="utf-8")
    office = load_assumptions(path)
    assert classify_fim_type("04", office["fim_priors"]) is FimPrior.DECISION
    assert classify_fim_type("14", office["fim_priors"]) is FimPrior.OTHER
    candidates = _candidates(permit_events, {FEE: "04"}, office)
    assert not [c for c in candidates if c.activity == FEE and c.recommendation == "rpa"]
    assert "§ 35a" in _text(_only(candidates, "decision_assistance", FEE))


# -- single steps ---------------------------------------------------------------------------------


def _typed(fim_type: str | None, **changes: object) -> list[Candidate]:
    return recommend(process(_completion_only(fim_type=fim_type, **changes)), ASSUMPTIONS)


def test_a_formal_check_is_a_rule_bound_robot_step() -> None:
    check = {"activity": "Vollständigkeit prüfen", "decides": True}
    assert not [c for c in _typed(None, **check) if c.recommendation == "rpa"]
    robot = _only(_typed("Formelle Prüfung", **check), "rpa")
    assert "FIM-Aktivitätengruppe „Formelle Prüfung“" in _text(robot)
    assert "formelle Prüfung" in _text(robot)
    assert not robot.decides and "§ 35a" not in _text(robot)


@pytest.mark.parametrize("fim_type", ["Entscheidung", "Sachliche Prüfung"])
def test_a_deciding_group_overrides_a_measured_robot_step(fim_type: str) -> None:
    candidates = recommend(process(step(fim_type=fim_type)), ASSUMPTIONS)
    assert not [c for c in candidates if c.recommendation == "rpa"]
    assistance = _only(candidates, "decision_assistance")
    assert "§ 35a VwVfG" in _text(assistance)
    assert assistance.activity == "Gebühr berechnen"


def test_the_model_alone_never_makes_a_robot_step() -> None:
    # No evidence from the log (times vary, no system account, no working session): the name's
    # transfer verb and the FIM type are both the model's word, and that is not enough.
    quiet = {"variation": 0.9, "system_account_share": 0.0, "same_session_share": 0.0}
    assert not [c for c in _typed("Information übermitteln", **quiet) if c.recommendation == "rpa"]


def test_beside_the_log_s_evidence_the_type_counts_as_one_more() -> None:
    # One piece of evidence from the log (a system account), a name that says nothing.
    single = {"activity": "Vorgang 7", "variation": 0.9, "same_session_share": 0.0}
    assert not [c for c in _typed(None, **single) if c.recommendation == "rpa"]
    robot = _only(_typed("Information empfangen", **single), "rpa")
    assert "2 Belege" in _text(robot) and "Systemkonto" in _text(robot)
    assert robot.signals["rpa_evidence"] == 2


def test_a_prior_never_changes_a_measured_figure() -> None:
    plain = _only(recommend(process(step()), ASSUMPTIONS), "rpa")
    typed = _only(recommend(process(step(fim_type="Information empfangen")), ASSUMPTIONS), "rpa")
    assert (typed.score, *_figures(typed)) == (plain.score, *_figures(plain))
    assert "FIM-Aktivitätengruppe „Information empfangen“" in _text(typed)


def test_the_form_assistance_leaves_a_fim_decision_to_the_staff() -> None:
    # The name says nothing about deciding; the model's FIM type does.
    intake = step("Antrag eingegangen", successor_share=1.0)
    repeated = step(
        "Vorgang 7",
        fim_type="Sachliche Prüfung",
        rework_cases=200,
        extra_executions_per_year=800.0,
        rework_time_lost_days=3.0,
        successor_share=0.5,
    )
    signals = process(intake, repeated, rework_share=0.2, start_activities=(intake.activity,))
    ai = _only(recommend(signals, ASSUMPTIONS), "ai_form_assistance")
    assert ai.activity == "Antrag eingegangen"
    assert any("„Vorgang 7“ entscheidet" in r for r in ai.reasons)


def test_the_reports_show_the_fim_reason_and_the_assistance() -> None:
    signals = process(
        step("Gebühr festsetzen", fim_type="Entscheidung"),
        step("Antragsdaten übernehmen", fim_type="Information empfangen"),
    )
    snapshot = make_snapshot()
    records = [c.to_dict() for c in recommend(signals, ASSUMPTIONS)]
    for record in records:
        record["process"] = snapshot["processes"][0]["key"]
    snapshot["candidates"] = snapshot["processes"][0]["candidates"] = records
    html = render_report(snapshot, "html").decode("utf-8")
    pdf = " ".join(
        " ".join(page.extract_text().split())
        for page in PdfReader(io.BytesIO(render_report(snapshot, "pdf"))).pages
    )
    for text in (html, pdf):
        assert "KI-Assistenz bei Entscheidungen" in text
        assert "FIM-Aktivitätengruppe „Entscheidung“" in text
        assert "FIM-Aktivitätengruppe „Information empfangen“" in text
        assert "§ 35a VwVfG" in text


# -- end to end: a registered FIM Stammprozess and its log ----------------------------------------


def _stamm_log(folder: Path) -> Path:
    """600 applications in a year along the Stammprozess's groups; the formal check and the
    decision by ``SYSTEM``, two hours (± 5 %) after the previous step, the rest by clerks."""
    rng = random.Random(3)
    system = {"Antrag formell prüfen", "Über Antrag entscheiden"}
    rows = []
    for number in range(600):
        moment = dt.datetime(2025, 1, 2) + dt.timedelta(minutes=rng.uniform(0, 364 * 24 * 60))
        channel = "Papier" if rng.random() < 0.4 else "Online"
        for group in DEFAULT_GROUPS:
            robot = group.name in system
            moment += dt.timedelta(
                hours=2 * rng.uniform(0.95, 1.05) if robot else rng.uniform(1, 90)
            )
            who = "SYSTEM" if robot else f"Sachbearbeitung {rng.choice('ABCDEF')}"
            rows.append(
                [f"MU-{number:04d}", group.name, moment.strftime("%d.%m.%Y %H:%M:%S"), who, channel]
            )
    export = folder / "mutterschutz.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Aktenzeichen", "Tätigkeit", "Zeitpunkt", "Bearbeiter", "Eingangskanal"])
        writer.writerows(rows)
    return stored_export(export, folder)


def test_a_registered_stammprozess_gives_its_types_to_the_candidates(
    registry: Registry, tmp_path: Path
) -> None:
    stamm = registry.import_fim(xprozess_file(), source="stamm.xml", author="anna").key
    facts = process_context(registry, stamm).facts
    found = find_candidates(
        open_log(_stamm_log(tmp_path)), facts, ASSUMPTIONS, channel_column="Eingangskanal"
    )
    robot = _only(found, "rpa")
    assert robot.activity == "Antrag formell prüfen" and not robot.decides
    assert "FIM-Aktivitätengruppe „Formelle Prüfung“" in _text(robot)
    assistance = _only(found, "decision_assistance")
    assert assistance.activity == "Über Antrag entscheiden"
    assert "§ 35a VwVfG" in _text(assistance)
    online = _only(found, "online_service")
    assert "FIM-Aktivitätengruppe „Information empfangen“: Schritt „Antrag empfangen“" in _text(
        online
    )
    assert "FIM-Aktivitätengruppe „Information bereitstellen“" in _text(online)
