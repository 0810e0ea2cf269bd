"""The generated sample logs in event_logs/ and `pmo demo`, which loads them into the workspace."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from sqlalchemy import select

from mining.measures.calendar import lower_saxony_holidays
from pmo._sample_logs import COLUMNS, ENCODING, FOLDER, REAL_LOGS, Sample, generate, samples
from process_registry import Database, parse_bpmn
from process_registry.models import EventLog
from tests.cli_office import office_env, pmo_output
from tests.conftest import PROJECT, SAMPLE_MODELS
from tests.test_deadline import BERLIN, reference

SAMPLES = samples()
BY_KEY = {sample.key: sample for sample in SAMPLES}
CATALOGUE = json.loads((SAMPLE_MODELS / "catalogue.json").read_text(encoding="utf-8"))
MODEL_FILES = {entry["key"]: SAMPLE_MODELS / entry["file"] for entry in CATALOGUE}
# The called sub-process's lane stands for whichever unit calls it.
CALLER_LANE = "Sachbearbeitung des anfordernden Fachdienstes"
HOLIDAYS = lower_saxony_holidays(range(2024, 2027))
# `pmo demo` gives the sample office Bavaria's holidays (its legal bases are Bavarian): typed in
# from the Bavarian Feiertagsgesetz, the Land-wide ones (not Mariä Himmelfahrt).
BY_HOLIDAYS = {
    dt.date(2024, 1, 1), dt.date(2024, 1, 6), dt.date(2024, 3, 29), dt.date(2024, 4, 1),
    dt.date(2024, 5, 1), dt.date(2024, 5, 9), dt.date(2024, 5, 20), dt.date(2024, 5, 30),
    dt.date(2024, 10, 3), dt.date(2024, 11, 1), dt.date(2024, 12, 25), dt.date(2024, 12, 26),
    dt.date(2025, 1, 1), dt.date(2025, 1, 6), dt.date(2025, 4, 18), dt.date(2025, 4, 21),
    dt.date(2025, 5, 1), dt.date(2025, 5, 29), dt.date(2025, 6, 9), dt.date(2025, 6, 19),
    dt.date(2025, 10, 3), dt.date(2025, 11, 1), dt.date(2025, 12, 25), dt.date(2025, 12, 26),
}  # fmt: skip


def _rows(sample: Sample, folder: Path = FOLDER) -> list[dict[str, str]]:
    with zipfile.ZipFile(folder / sample.file_name) as archive:
        [member] = archive.namelist()
        text = archive.read(member).decode(ENCODING)
    reader = csv.reader(io.StringIO(text), delimiter=";")
    assert tuple(next(reader)) == COLUMNS
    return [dict(zip(COLUMNS, row, strict=True)) for row in reader]


def _model(key: str) -> tuple[set[str], set[str]]:
    """Task names and lane names of the model, with those of the processes it calls."""
    document = parse_bpmn(MODEL_FILES[key].read_bytes())
    tasks = {n.name for n in document.tasks if n.name}
    lanes = {lane.name for lane in document.lanes if lane.name}
    for call in document.call_activities:
        called_tasks, called_lanes = _model(call.called_element)
        tasks |= called_tasks
        lanes |= called_lanes - {CALLER_LANE}
    return tasks, lanes


# -- the committed files ------------------------------------------------------------------------


def test_committed_logs_equal_a_fresh_generation(tmp_path: Path) -> None:
    generate(tmp_path)
    for sample in SAMPLES:
        with (
            zipfile.ZipFile(FOLDER / sample.file_name) as committed,
            zipfile.ZipFile(tmp_path / sample.file_name) as fresh,
        ):
            assert committed.namelist() == fresh.namelist() == [sample.member_name]
            # The CSV inside, byte for byte (zlib builds may deflate the same bytes differently).
            assert committed.read(sample.member_name) == fresh.read(sample.member_name), sample.key
    assert sum((FOLDER / s.file_name).stat().st_size for s in SAMPLES) < 6 * 1024 * 1024


def test_every_process_but_the_called_fee_process_has_a_log() -> None:
    assert set(BY_KEY) == {entry["key"] for entry in CATALOGUE} - {"gebuehren-erheben"}


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.key)
def test_activities_are_the_models_task_names_plus_the_documented_unmodelled_ones(
    sample: Sample,
) -> None:
    tasks, _ = _model(sample.key)
    activities = {row["Tätigkeit"] for row in _rows(sample)}
    assert activities - tasks == set(sample.unmodelled)
    assert not set(sample.unmodelled) & tasks


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.key)
def test_org_units_are_the_lanes_and_each_has_at_least_five_clerks(sample: Sample) -> None:
    _, lanes = _model(sample.key)
    clerks: dict[str, set[str]] = defaultdict(set)
    for row in _rows(sample):
        clerks[row["Organisationseinheit"]].add(row["Bearbeitung"])
    assert set(clerks) <= lanes
    assert all(len(people) >= 5 for people in clerks.values()), clerks


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.key)
def test_work_happens_in_office_hours_on_working_days(sample: Sample) -> None:
    opening, closing = dt.time(7, 30), dt.time(16, 0)
    for row in _rows(sample):
        begin = dt.datetime.strptime(row["Beginn"], "%d.%m.%Y %H:%M:%S")
        end = dt.datetime.strptime(row["Ende"], "%d.%m.%Y %H:%M:%S")
        assert begin <= end, row
        for moment in (begin, end):
            assert moment.weekday() < 5 and moment.date() not in HOLIDAYS, row
            assert opening <= moment.time() <= closing, row


def test_paper_share_falls_with_the_ozg_maturity() -> None:
    def paper_share(key: str) -> float:
        channels = {row["Vorgangsnummer"]: row["Eingangskanal"] for row in _rows(BY_KEY[key])}
        return sum(c in ("Papier", "E-Mail") for c in channels.values()) / len(channels)

    # Level 2 (Hundesteuer, Sondernutzung) above level 3 (Anwohnerparkausweis, Gewerbe).
    assert min(paper_share("hundesteuer-anmeldung"), paper_share("sondernutzungserlaubnis")) > 0.5
    assert max(paper_share("anwohnerparkausweis"), paper_share("gewerbeanmeldung")) < 0.35


# -- pmo demo and the analysis ------------------------------------------------------------------


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], list[str]]:
    folder = tmp_path_factory.mktemp("demo")
    env = office_env(folder)
    return env, [pmo_output("demo", env=env), pmo_output("demo", env=env)]


@pytest.fixture(scope="module")
def analyses(office: tuple[dict[str, str], list[str]]) -> dict[str, dict]:
    env, _ = office
    logs = json.loads(pmo_output("log", "list", "--json", env=env))
    running = {
        log["process"]: subprocess.Popen(
            [sys.executable, "-m", "pmo", "analyze", log["log_id"], "--json"],
            cwd=PROJECT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for log in logs
        if log["process"]
    }
    results = {}
    for key, process in running.items():
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err.decode()
        results[key] = json.loads(out)
    return results


def test_demo_twice_imports_every_log_once(office: tuple[dict[str, str], list[str]]) -> None:
    env, (first, second) = office
    logs = json.loads(pmo_output("log", "list", "--json", env=env))
    names = Counter(log["source_name"] for log in logs)
    assert names == Counter([s.file_name for s in SAMPLES] + list(REAL_LOGS))
    linked = {log["source_name"]: log["process"] for log in logs}
    assert {s.file_name: s.key for s in SAMPLES}.items() <= linked.items()
    assert all(linked[name] is None for name in REAL_LOGS)
    for name in names:
        assert f"{name} → " in first
        assert f"{name}: bereits geladen" in second


def test_generated_logs_import_whole(office: tuple[dict[str, str], list[str]]) -> None:
    env, _ = office
    db = Database(env["PMO_DATABASE_URL"])
    try:
        with db.read() as session:
            stored = {row.source_name: row for row in session.scalars(select(EventLog))}
    finally:
        db.dispose()
    for sample in SAMPLES:
        rows = _rows(sample)
        log = stored[sample.file_name]
        assert log.rejected_rows == 0
        assert (log.events, log.cases) == (len(rows), len({r["Vorgangsnummer"] for r in rows}))


@pytest.mark.parametrize("key", sorted(BY_KEY))
def test_conformance_is_high_with_every_kind_of_deviation(
    analyses: dict[str, dict], key: str
) -> None:
    conformance = analyses[key]["conformance"]
    assert 0.98 < conformance["fitness"] < 1.0
    kinds = {d["kind"] for d in conformance["deviations"]}
    assert kinds == {"skipped", "unmodelled", "wrong_order"}
    unmodelled = {d["activity"] for d in conformance["deviations"] if d["kind"] == "unmodelled"}
    assert unmodelled == set(BY_KEY[key].unmodelled)


@pytest.mark.parametrize("key", sorted(BY_KEY))
def test_the_injected_bottleneck_ranks_first(analyses: dict[str, dict], key: str) -> None:
    first = analyses[key]["bottlenecks"][0]
    assert (first["source"], first["target"]) == BY_KEY[key].bottleneck


@pytest.mark.parametrize("key", sorted(BY_KEY))
def test_no_org_unit_is_merged_for_being_too_small(analyses: dict[str, dict], key: str) -> None:
    groups = [unit["group"] for unit in analyses[key]["org_units"]]
    assert groups and not any(group.startswith("Sonstige") for group in groups)


def test_baugenehmigung_has_cases_close_to_and_over_the_90_day_deadline(
    analyses: dict[str, dict],
) -> None:
    deadline = analyses["baugenehmigung"]["deadline"]
    assert deadline["deadline_days"] == 90
    assert 0 < deadline["over_share"] < deadline["close_share"] < 0.3


def test_baugenehmigung_counts_its_deadline_from_the_complete_application(
    analyses: dict[str, dict],
) -> None:
    """§ 42a (2) VwVfG: the clock starts when the complete application is received, counted
    here from the log's own rows with plain datetime and zoneinfo (tests/test_deadline.py)."""
    complete = "Eingang des vollständigen Bauantrags bestätigen"
    log: dict[str, list[tuple[str, dt.datetime]]] = defaultdict(list)
    for row in _rows(BY_KEY["baugenehmigung"]):
        moment = dt.datetime.strptime(row["Ende"], "%d.%m.%Y %H:%M:%S").replace(tzinfo=BERLIN)
        log[row["Vorgangsnummer"]].append((row["Tätigkeit"], moment))
    assert max(moment.year for steps in log.values() for _, moment in steps) <= 2025
    expected = reference(log, 90, complete, None, holidays=BY_HOLIDAYS).figures(90)
    deadline = analyses["baugenehmigung"]["deadline"]
    assert deadline["holidays_of"] == "BY"
    assert (deadline["starts_with"], deadline["starts_with_default"]) == (complete, False)
    assert (deadline["ends_with"], deadline["ends_with_default"]) == (None, True)
    assert {key: deadline[key] for key in expected} == expected
    # Applications withdrawn as incomplete (Art. 65 (2) BayBO) never started the clock.
    withdrawn = {case for case, steps in log.items() if "Rücknahmefiktion mitteilen" in dict(steps)}
    assert deadline["not_started"] == len(withdrawn) > 0
    # Counted from the first event, as before, the share over the deadline is several times higher.
    from_first = reference(log, 90, None, None, holidays=BY_HOLIDAYS).figures(90)
    assert from_first["over_share"] > 3 * deadline["over_share"] > 0


def test_paper_heavy_and_system_steps_become_candidates(analyses: dict[str, dict]) -> None:
    def kinds(key: str) -> set[tuple[str | None, str]]:
        return {(c["activity"], c["recommendation"]) for c in analyses[key]["candidates"]}

    assert ("Papieranmeldung scannen", "online_service") in kinds("hundesteuer-anmeldung")
    assert ("Antragsdaten manuell erfassen", "online_service") in kinds("sondernutzungserlaubnis")
    assert {
        ("Steuerfall im Fachverfahren anlegen", "rpa"),
        ("Hundesteuer berechnen", "rpa"),
    } <= kinds("hundesteuer-anmeldung")
    assert ("Gebühr berechnen", "rpa") in kinds("anwohnerparkausweis")
    # Long, variable checks are no work for a robot.
    robot = {a for key in BY_KEY for a, kind in kinds(key) if kind == "rpa"}
    assert not {a for a in robot if a and "prüfen" in a}


def test_every_sample_candidate_shows_its_calculation_and_none_sits_on_a_decision(
    analyses: dict[str, dict],
) -> None:
    candidates = [c for result in analyses.values() for c in result["candidates"]]
    # All four kinds appear somewhere in the portfolio, where the signals justify them.
    assert {c["recommendation"] for c in candidates} == {
        "rpa",
        "ai_form_assistance",
        "online_service",
        "process_redesign",
    }
    for candidate in candidates:
        calculation = candidate["calculation"]
        assert calculation["formula"] and calculation["inputs"], candidate["activity"]
        assert calculation["result"] == pytest.approx(candidate["hours_saved_per_year"], abs=0.05)
        assert candidate["assumptions_used"], candidate["activity"]
        # Software never takes over a step that decides (§ 35a VwVfG).
        if candidate["recommendation"] in ("rpa", "ai_form_assistance"):
            assert not candidate["decides"], candidate["activity"]
