"""Scenarios: the log's own cases replayed with accepted changes, checked against plain pandas.

Each expected figure is computed here case by case from the stored events (read with pandas,
not through pmo's queries): the changed timestamps, then median and P90 of the case durations;
the share over the deadline is what ``deadline_status`` counts on a log of the expected events.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mining import (
    LogView,
    ProcessFacts,
    ScenarioError,
    deadline_status,
    load_assumptions,
    open_log,
    run_scenario,
)
from tests.cli_office import office_env, pmo_output, run_pmo
from tests.municipal_log import REWORK_STEP, generate_hundesteuer_log, stored_hundesteuer_log
from tests.test_aggregates import write_log

RPA_STEP = "Hundesteuer berechnen"
SCAN_STEP = "Papieranmeldung scannen"
FACTS = ProcessFacts(
    key="hundesteuer",
    legal_deadline_days=10,
    deadline_starts_with=REWORK_STEP,
    deadline_ends_with="Steuerbescheid versenden",
)
ASSUMPTIONS = load_assumptions()
Case = list[dict[str, Any]]


@pytest.fixture(scope="module", params=[False, True], ids=["completion_only", "service_times"])
def log(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("scenario")
    path = stored_hundesteuer_log(folder, service_times=request.param)
    frame = pd.read_parquet(path).sort_values(["case_id", "timestamp", "seq"], kind="stable")
    return open_log(path), frame, folder


def _cases(frame: pd.DataFrame) -> dict[str, Case]:
    out: dict[str, Case] = {}
    for row in frame.itertuples(index=False):
        work = (row.timestamp - row.start_timestamp).total_seconds()
        out.setdefault(row.case_id, []).append(
            {
                "activity": row.activity,
                "time": row.timestamp,
                "work_s": None if pd.isna(work) else max(work, 0.0),
                "channel": row.Eingangskanal,
            }
        )
    return out


def _assumed_minutes(assumptions: Any) -> float:
    """Minutes of an automated step without a measured time (the RPA rule's assumption)."""
    return assumptions["rpa"]["assumed_minutes_per_step"]


def _year_factor(frame: pd.DataFrame) -> float:
    days = (frame["timestamp"].max() - frame["timestamp"].min()).total_seconds() / 86400
    return 365.25 / max(days, 1.0)


def _shifted(case: Case, cuts: list[float], dropped: set[int]) -> Case:
    """Every event moves earlier by the cuts up to it; dropped events go."""
    out, total = [], 0.0
    for i, event in enumerate(case):
        total += cuts[i]
        if i not in dropped:
            out.append(event | {"time": event["time"] - pd.Timedelta(seconds=total)})
    return out


def _gap(case: Case, i: int) -> float:
    return 0.0 if i == 0 else (case[i]["time"] - case[i - 1]["time"]).total_seconds()


def _automated(cases: dict[str, Case], share: float, minutes: float) -> tuple[dict, float]:
    changed, work = {}, 0.0
    for key, case in cases.items():
        cuts = [
            share * _gap(case, i) if e["activity"] == RPA_STEP else 0.0 for i, e in enumerate(case)
        ]
        for e in case:
            if e["activity"] == RPA_STEP:
                work += share * (e["work_s"] if e["work_s"] is not None else minutes * 60)
        changed[key] = _shifted(case, cuts, set())
    return changed, work


def _without_rework(cases: dict[str, Case], minutes: float) -> tuple[dict, float]:
    """Every repeated execution of the rework step goes, with the wait before it."""
    changed, work = {}, 0.0
    for key, case in cases.items():
        seen, dropped = False, set()
        for i, e in enumerate(case):
            if e["activity"] == REWORK_STEP:
                if seen:
                    dropped.add(i)
                    work += e["work_s"] if e["work_s"] is not None else minutes * 60
                seen = True
        cuts = [_gap(case, i) if i in dropped else 0.0 for i in range(len(case))]
        changed[key] = _shifted(case, cuts, dropped)
    return changed, work


def _all_online(cases: dict[str, Case], minutes: float) -> tuple[dict, float]:
    """Every paper case loses its scanning step, the wait before it, and the wait (not the work)
    before the step after it."""
    changed, work = {}, 0.0
    for key, case in cases.items():
        if case[0]["channel"] != "Papier":
            changed[key] = case
            continue
        dropped = {i for i, e in enumerate(case) if e["activity"] == SCAN_STEP}
        cuts = [0.0] * len(case)
        for i in dropped:
            cuts[i] = _gap(case, i)
            e = case[i]
            work += e["work_s"] if e["work_s"] is not None else minutes * 60
            if i + 1 < len(case):
                gap = _gap(case, i + 1)
                cuts[i + 1] = gap - min(case[i + 1]["work_s"] or 0.0, gap)
        changed[key] = _shifted(case, cuts, dropped)
    return changed, work


def _durations_days(cases: dict[str, Case]) -> tuple[float, float]:
    days = np.array(
        [(c[-1]["time"] - c[0]["time"]).total_seconds() / 86400 for c in cases.values()]
    )
    return float(np.percentile(days, 50)), float(np.percentile(days, 90))


def _deadline_share(cases: dict[str, Case], folder: Path, name: str) -> float:
    rows = [
        {"case": key, "activity": e["activity"], "time": e["time"].to_pydatetime()}
        for key, case in cases.items()
        for e in case
    ]
    view = write_log(folder / f"{name}.parquet", rows)
    return deadline_status(
        view,
        deadline_days=FACTS.legal_deadline_days or 0,
        starts_with=FACTS.deadline_starts_with,
        ends_with=FACTS.deadline_ends_with,
    ).over_share


def _check(result: Any, expected: dict[str, Case], folder: Path, name: str) -> None:
    median, p90 = _durations_days(expected)
    assert result.after.median_days == pytest.approx(median, rel=1e-9, abs=1e-9)
    assert result.after.p90_days == pytest.approx(p90, rel=1e-9, abs=1e-9)
    assert result.after.deadline_over_share == pytest.approx(
        _deadline_share(expected, folder, name)
    )


def test_before_is_the_stored_log(log: tuple[LogView, pd.DataFrame, Path]) -> None:
    view, frame, _ = log
    result = run_scenario(view, [(RPA_STEP, "rpa")], assumptions=ASSUMPTIONS, facts=FACTS)
    median, p90 = _durations_days(_cases(frame))
    assert result.before.median_days == pytest.approx(median)
    assert result.before.p90_days == pytest.approx(p90)
    status = deadline_status(
        view,
        deadline_days=10,
        starts_with=FACTS.deadline_starts_with,
        ends_with=FACTS.deadline_ends_with,
    )
    assert result.before.deadline_over_share == status.over_share
    assert result.before.deadline_cases == status.cases


def test_rpa_shortens_the_automated_step_as_pandas_does(
    log: tuple[LogView, pd.DataFrame, Path],
) -> None:
    view, frame, folder = log
    result = run_scenario(view, [(RPA_STEP, "rpa")], assumptions=ASSUMPTIONS, facts=FACTS)
    share = ASSUMPTIONS["rpa"]["automation_share"]
    expected, work_s = _automated(_cases(frame), share, _assumed_minutes(ASSUMPTIONS))
    _check(result, expected, folder, "rpa")
    hours = work_s / 3600 * _year_factor(frame)
    assert result.hours_saved_per_year == pytest.approx(hours, abs=0.05)
    assert result.euros_saved_per_year == pytest.approx(
        hours * ASSUMPTIONS.hourly_rate(), abs=0.5 + 0.05 * ASSUMPTIONS.hourly_rate()
    )
    (change,) = result.changes
    assert change.cases == frame.loc[frame["activity"] == RPA_STEP, "case_id"].nunique()
    # Without start times the work is the assumption, and the scenario says so.
    keys = {a["key"] for a in result.assumptions}
    measured = frame["start_timestamp"].notna().any()
    assert any(k.endswith(".assumed_minutes_per_step") for k in keys) is not measured
    assert "rpa.automation_share" in keys


def test_ai_form_assistance_removes_the_rework_loops_as_pandas_does(
    log: tuple[LogView, pd.DataFrame, Path],
) -> None:
    view, frame, folder = log
    every = ASSUMPTIONS.with_values({"ai_form_assistance.rework_reduction": 1.0})
    result = run_scenario(
        view, [(REWORK_STEP, "ai_form_assistance")], assumptions=every, facts=FACTS
    )
    # The repeated check is a repetition, priced as the candidate prices it.
    minutes = every["ai_form_assistance"]["minutes_per_repetition"]
    expected, work_s = _without_rework(_cases(frame), minutes)
    _check(result, expected, folder, "ai")
    assert result.hours_saved_per_year == pytest.approx(
        work_s / 3600 * _year_factor(frame), abs=0.05
    )
    reworked = frame[frame["activity"] == REWORK_STEP].groupby("case_id").size()
    (change,) = result.changes
    assert change.cases == change.eligible_cases == int((reworked > 1).sum())
    assert change.events_removed == int((reworked - 1).sum())


def test_full_online_intake_drops_scanning_and_the_paper_wait_as_pandas_does(
    log: tuple[LogView, pd.DataFrame, Path],
) -> None:
    view, frame, folder = log
    result = run_scenario(
        view,
        [],
        assumptions=ASSUMPTIONS,
        facts=FACTS,
        online_share=1.0,
        channel_column="Eingangskanal",
    )
    minutes = ASSUMPTIONS["online_service"]["minutes_per_paper_case"]
    expected, work_s = _all_online(_cases(frame), minutes)
    _check(result, expected, folder, "online")
    assert result.hours_saved_per_year == pytest.approx(
        work_s / 3600 * _year_factor(frame), abs=0.05
    )
    channels = frame.groupby("case_id")["Eingangskanal"].first()
    assert result.online_share_before == pytest.approx((channels != "Papier").mean())
    assert result.changes[0].cases == int((channels == "Papier").sum())


def test_changes_together_apply_online_then_rework_then_automation(
    log: tuple[LogView, pd.DataFrame, Path],
) -> None:
    view, frame, folder = log
    every = ASSUMPTIONS.with_values({"ai_form_assistance.rework_reduction": 1.0})
    # Given in another order: the replay's order does not depend on it.
    result = run_scenario(
        view,
        [(RPA_STEP, "rpa"), (REWORK_STEP, "ai_form_assistance")],
        assumptions=every,
        facts=FACTS,
        online_share=1.0,
        channel_column="Eingangskanal",
    )
    cases, online_s = _all_online(_cases(frame), every["online_service"]["minutes_per_paper_case"])
    cases, rework_s = _without_rework(cases, every["ai_form_assistance"]["minutes_per_repetition"])
    cases, rpa_s = _automated(cases, every["rpa"]["automation_share"], _assumed_minutes(every))
    _check(result, cases, folder, "together")
    factor = _year_factor(frame)
    assert [c.kind for c in result.changes] == ["online_service", "ai_form_assistance", "rpa"]
    assert result.hours_saved_per_year == pytest.approx(
        (online_s + rework_s + rpa_s) / 3600 * factor, abs=0.15
    )


def test_without_a_channel_column_the_scanning_step_marks_paper_cases(
    log: tuple[LogView, pd.DataFrame, Path], tmp_path: Path
) -> None:
    view, frame, _ = log
    result = run_scenario(view, [], assumptions=ASSUMPTIONS, online_share=1.0)
    scanned = frame.loc[frame["activity"] == SCAN_STEP, "case_id"].nunique()
    assert result.changes[0].eligible_cases == result.changes[0].cases == scanned
    assert result.online_share_before == pytest.approx(1 - scanned / frame["case_id"].nunique())
    # No channel and no scanning step: the intake is unknown, and the scenario says so.
    rows = [
        {"case": "A-1", "activity": "Antrag prüfen", "time": "2024-03-01T09:00"},
        {"case": "A-1", "activity": "Bescheid erstellen", "time": "2024-03-04T09:00"},
    ]
    unknown = run_scenario(
        write_log(tmp_path / "plain.parquet", rows),
        [],
        assumptions=ASSUMPTIONS,
        online_share=0.8,
    )
    assert unknown.online_share_before is None
    assert unknown.changes[0].cases == 0 and unknown.after == unknown.before
    assert [n for n in unknown.notes if "Keine Papierfälle" in n]


def test_a_share_of_the_cases_is_chosen_reproducibly(
    log: tuple[LogView, pd.DataFrame, Path],
) -> None:
    view, frame, _ = log
    runs = [
        run_scenario(view, [(REWORK_STEP, "ai_form_assistance")], assumptions=ASSUMPTIONS)
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    change = runs[0].changes[0]
    share = ASSUMPTIONS["ai_form_assistance"]["rework_reduction"]
    assert change.cases == round(share * change.eligible_cases)
    assert change.events_removed == change.cases  # one repeat per reworked case in this log


def test_registry_volume_scales_the_hours(log: tuple[LogView, pd.DataFrame, Path]) -> None:
    view, frame, _ = log
    plain = run_scenario(view, [(RPA_STEP, "rpa")], assumptions=ASSUMPTIONS)
    volume = ProcessFacts(annual_case_volume=2000)
    scaled = run_scenario(view, [(RPA_STEP, "rpa")], assumptions=ASSUMPTIONS, facts=volume)
    cases = frame["case_id"].nunique()
    assert scaled.volume_source == "Register"
    assert scaled.hours_saved_per_year == pytest.approx(
        plain.hours_saved_per_year / _year_factor(frame) * 2000 / cases, abs=0.1
    )


def test_a_loop_through_a_follow_up_step_goes_as_a_whole(tmp_path: Path) -> None:
    """Prüfen → Nachfordern → Nachgereicht → Prüfen: accepting the follow-up step avoids the
    whole loop, from the first check to the second."""
    steps = [
        ("Antrag prüfen", "2024-03-01T09:00"),
        ("Unterlagen nachfordern", "2024-03-02T09:00"),
        ("Unterlagen nachgereicht", "2024-03-20T09:00"),
        ("Antrag prüfen", "2024-03-21T09:00"),
        ("Bescheid erstellen", "2024-03-25T09:00"),
    ]
    rows = [{"case": "A-1", "activity": a, "time": t} for a, t in steps]
    rows += [
        {"case": "A-2", "activity": a, "time": t}
        for a, t in [
            ("Antrag prüfen", "2024-03-01T09:00"),
            ("Bescheid erstellen", "2024-03-04T09:00"),
        ]
    ]
    view = write_log(tmp_path / "loop.parquet", rows)
    every = ASSUMPTIONS.with_values({"ai_form_assistance.rework_reduction": 1.0})
    result = run_scenario(
        view, [("Unterlagen nachfordern", "ai_form_assistance")], assumptions=every
    )
    (change,) = result.changes
    assert (change.eligible_cases, change.cases, change.events_removed) == (1, 1, 3)
    # A-1 now takes 24 days − 20 days of loop = 4 days; A-2 3 days.
    assert result.after.median_days == pytest.approx(3.5)
    assert result.before.median_days == pytest.approx(13.5)


@pytest.mark.parametrize(
    ("change", "online_share", "fragments"),
    [
        (("Hundesteuer rechnen", "rpa"), None, ["„Hundesteuer rechnen“", "Hundesteuer berechnen"]),
        ((RPA_STEP, "robot"), None, ["„robot“", "rpa, "]),
        ((RPA_STEP, "process_redesign"), None, ["Ablauf neu ordnen"]),
        ((RPA_STEP, "rpa"), 80.0, ["0,8"]),
    ],
)
def test_a_change_that_cannot_be_replayed_is_one_german_message(
    log: tuple[LogView, pd.DataFrame, Path],
    change: tuple[str, str],
    online_share: float | None,
    fragments: list[str],
) -> None:
    view, _, _ = log
    with pytest.raises(ScenarioError) as caught:
        run_scenario(view, [change], assumptions=ASSUMPTIONS, online_share=online_share)
    for fragment in fragments:
        assert fragment in str(caught.value)


# -- pmo scenario -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], str]:
    """An office with the Hundesteuer process (deadline 10 days) and a generated log of it."""
    folder = tmp_path_factory.mktemp("office")
    env = office_env(folder)
    pmo_output("demo", "--no-logs", env=env)
    pmo_output("registry", "edit", "hundesteuer-anmeldung", "--deadline-days", "10", env=env)
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
    return env, imported["log_id"]


def test_pmo_scenario_json_uses_the_registry_and_the_logs_figures(
    office: tuple[dict[str, str], str],
) -> None:
    env, log_id = office
    result = json.loads(
        pmo_output(
            "scenario",
            log_id,
            "--accept",
            f"{RPA_STEP}:rpa",
            "--online-share",
            "0.8",
            "--json",
            env=env,
        )
    )
    analysis = json.loads(pmo_output("analyze", log_id, "--json", env=env))
    assert result["cases"] == analysis["log"]["cases"]
    assert result["before"]["median_days"] == pytest.approx(
        analysis["case_duration_s"]["median"] / 86400
    )
    # Hundesteuer: 2300 cases a year in the register, 400 in the log.
    assert result["year_factor"] == pytest.approx(2300 / 400)
    assert result["deadline_days"] == 10
    assert result["before"]["deadline_over_share"] == pytest.approx(
        analysis["deadline"]["over_share"]
    )
    assert [c["kind"] for c in result["changes"]] == ["online_service", "rpa"]
    # 60 % online today: 80 % moves 20 % of all cases, half of the 40 % paper cases.
    assert result["changes"][0]["cases"] == round(0.2 * result["cases"])
    assert result["after"]["median_days"] < result["before"]["median_days"]


def test_pmo_scenario_text_shows_before_after_and_assumptions(
    office: tuple[dict[str, str], str],
) -> None:
    env, log_id = office
    text = pmo_output("scenario", log_id, "--accept", f"{REWORK_STEP}:ai_form_assistance", env=env)
    for fragment in ("vorher", "nachher", "Median", "P90", "Über der Frist", "Stunden/Jahr"):
        assert fragment in text
    assert "KI-Ausfüllhilfe: vermiedene Nacharbeit" in text


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (("--accept", "Hundesteuer berechnen"), 2, "AKTIVITÄT:ART"),
        (("--accept", "Hundesteuer berechnen:robot"), 2, "AKTIVITÄT:ART"),
        ((), 2, "--accept"),
        (("--accept", "Hundesteuer rechnen:rpa"), 1, "„Hundesteuer rechnen“"),
        (("--online-share", "80"), 1, "zwischen 0 und 1"),
    ],
)
def test_a_bad_scenario_is_one_german_line(
    office: tuple[dict[str, str], str], args: tuple[str, ...], code: int, fragment: str
) -> None:
    env, log_id = office
    result = run_pmo("scenario", log_id, *args, env=env)
    message = result.stderr.decode()
    assert result.returncode == code, message
    assert "Traceback" not in message and message.count("\n") == 1, message
    assert message.startswith("Fehler: ") and fragment in message


def test_pmo_report_shows_the_chosen_scenario_in_every_format(
    office: tuple[dict[str, str], str], tmp_path: Path
) -> None:
    env, log_id = office
    args = ("--scenario", f"{RPA_STEP}:rpa", "--online-share", "0.8")
    files = {}
    for fmt in ("json", "html", "xlsx"):
        files[fmt] = tmp_path / f"bericht.{fmt}"
        pmo_output(
            "report", "--process", "hundesteuer-anmeldung", *args, "--format", fmt,
            "-o", str(files[fmt]), env=env,
        )  # fmt: skip
    snapshot = json.loads(files["json"].read_text(encoding="utf-8"))
    (process,) = snapshot["processes"]
    # The report's scenario is pmo scenario's on the process's reference log.
    direct = json.loads(
        pmo_output(
            "scenario",
            log_id,
            "--accept",
            f"{RPA_STEP}:rpa",
            "--online-share",
            "0.8",
            "--json",
            env=env,
        )  # fmt: skip
    )
    assert process["scenario"] == direct
    html = files["html"].read_text(encoding="utf-8")
    assert "Szenario: vorher und nachher" in html and "Durchlaufzeit P90" in html
    from openpyxl import load_workbook

    sheet = load_workbook(files["xlsx"])["Szenario"]
    kinds = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert kinds == ["Onlinedienst (OZG)", "RPA (Softwareroboter)"]


def test_a_report_scenario_needs_exactly_one_process(
    office: tuple[dict[str, str], str], tmp_path: Path
) -> None:
    env, _ = office
    out = str(tmp_path / "x.html")
    for args in (
        ("--scenario", f"{RPA_STEP}:rpa"),
        ("--process", "hundesteuer-anmeldung", "--scenario", RPA_STEP),
    ):
        result = run_pmo("report", *args, "--format", "html", "-o", out, env=env)
        message = result.stderr.decode()
        assert result.returncode == 2, message
        assert message.startswith("Fehler: ") and message.count("\n") == 1, message
    assert not Path(out).exists()


def test_each_assumption_names_its_own_source(
    log: tuple[LogView, pd.DataFrame, Path], tmp_path: Path
) -> None:
    # An office file that changes one value must not make every other value "the office's".
    office_file = tmp_path / "annahmen.toml"
    office_file.write_text("[rpa]\nautomation_share = 0.6\n", encoding="utf-8")
    view, _, _ = log
    result = run_scenario(
        view, [(RPA_STEP, "rpa")], assumptions=load_assumptions(office_file), facts=FACTS
    )
    sources = {record["key"]: record["source"] for record in result.to_dict()["assumptions"]}
    assert sources["rpa.automation_share"] == "Datei der Verwaltung"
    assert sources["general.default_pay_group"] == "Standard"
    assert sources["cost_rates_eur_per_hour.E9b"] == "Standard"
