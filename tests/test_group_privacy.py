"""No figure describes an org unit of fewer than the minimum group size, in any output.

A generated log runs every case through a few org units; some are small (two people, one person,
small only within a date range, two small ones that together reach the minimum and two that do
not, one that only ever receives cases). Each scenario is analysed through every output a user
meets — ``pmo analyze --json`` and its text, the report in every format, the Analyse page — and
no output may name a small unit, while the hand-overs and events shown add up to the totals.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from mining import render_report
from mining.analysis import analyze
from mining.ingest.pipeline import ImportOptions
from mining.ingest.store import LogStore
from mining.measures.groups import GroupTooSmallError
from mining.query.view import filter_attribute, open_log
from pmo import ReportFilters, build_report
from pmo.cli import cli
from process_registry import Database, Registry, upgrade_schema
from tests.analysis_tabs import open_tab
from tests.app_office import pdf_text, run_page
from tests.conftest import PROJECT

K = 5
KEY = "hundesteuer-anmeldung"
MODEL = PROJECT / "bpmn_models" / "hundesteuer-anmeldung.bpmn"
FIRST_DAY = dt.date(2024, 3, 4)  # a Monday
DAYS = 28
CASES_PER_DAY = 3

# The big units every case passes: first, then a middle unit, then the decision.
INTAKE, CHECK, DECISION = "Team Anlage", "Team Pruefung", "Team Bescheid"
STEPS = ("Anmeldung prüfen", "Steuerfall im Fachverfahren anlegen", "Steuerbescheid erstellen")
PAYMENT_STEP = "Sollstellung buchen"


@dataclass(frozen=True)
class Scenario:
    """``middle``: units that share the middle step (people each); ``window``: the date range
    analysed; ``window_people``: a middle unit's people inside that range; ``payment``: a unit
    that only ever receives cases, as their last step."""

    name: str
    middle: dict[str, int]
    small: tuple[str, ...]
    merged_units: int
    window: tuple[dt.date, dt.date] | None = None
    window_people: dict[str, int] | None = None
    payment: tuple[str, int] | None = None


UNITS = {INTAKE: 6, DECISION: 5}
SCENARIOS = [
    Scenario("two-person unit", {CHECK: 6, "Team Zwerg": 2}, ("Team Zwerg",), merged_units=2),
    Scenario("one-person unit", {CHECK: 6, "Einzelbuero Z": 1}, ("Einzelbuero Z",), 2),
    Scenario(
        "small only within the date range",
        {CHECK: 6, "Team Saison": 6},
        ("Team Saison",),
        merged_units=2,
        window=(FIRST_DAY + dt.timedelta(days=7), FIRST_DAY + dt.timedelta(days=13)),
        window_people={"Team Saison": 2},
    ),
    # 3 + 2 people reach five together: their merged group is shown, the big units by name;
    # neither small unit is named, though one reaches k only with the other.
    Scenario(
        "two small units that reach k",
        {CHECK: 6, "Team Nord": 3, "Team Sued": 2},
        ("Team Nord", "Team Sued"),
        merged_units=2,
    ),
    # 2 + 2 people do not: the smallest big unit joins them, so the rest cannot be subtracted.
    Scenario(
        "two small units that do not reach k",
        {CHECK: 6, "Team Ost": 2, "Team West": 2},
        ("Team Ost", "Team West"),
        merged_units=3,
    ),
    Scenario(
        "small on the receiving side only",
        {CHECK: 6},
        ("Kasse Mini",),
        merged_units=2,
        payment=("Kasse Mini", 2),
    ),
]


@dataclass(frozen=True)
class Event:
    case: str
    activity: str
    moment: dt.datetime
    person: str
    unit: str


def _generate(scenario: Scenario) -> list[Event]:
    """Cases of one day each (so a date range keeps or drops whole cases); people take turns."""
    turns: dict[str, int] = {}

    def person(unit: str, size: int, day: dt.date) -> str:
        inside = scenario.window and scenario.window[0] <= day <= scenario.window[1]
        if inside and scenario.window_people and unit in scenario.window_people:
            size = scenario.window_people[unit]
        turn = turns.get(unit, 0)
        turns[unit] = turn + 1
        return f"{unit.split()[-1]} Mitarbeiter {turn % size}"

    middle = list(scenario.middle)
    events: list[Event] = []
    number = 0
    for offset in range(DAYS):
        day = FIRST_DAY + dt.timedelta(days=offset)
        for slot in range(CASES_PER_DAY):
            case = f"HST-{number:04d}"
            unit = middle[number % len(middle)]
            start = dt.datetime.combine(day, dt.time(8 + slot))
            route = [
                (STEPS[0], INTAKE, UNITS[INTAKE]),
                (STEPS[1], unit, scenario.middle[unit]),
                (STEPS[2], DECISION, UNITS[DECISION]),
            ]
            if scenario.payment and number % 2 == 0:
                route.append((PAYMENT_STEP, *scenario.payment))
            for position, (activity, owner, size) in enumerate(route):
                moment = start + dt.timedelta(hours=2 * position, minutes=7 * (number % 5))
                events.append(Event(case, activity, moment, person(owner, size, day), owner))
            number += 1
    return events


def _write_csv(events: list[Event], path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(
            ["Vorgang", "Tätigkeit", "Zeitpunkt", "Bearbeiter", "Team", "Eingangskanal"]
        )
        for number, event in enumerate(events):
            writer.writerow(
                [
                    event.case,
                    event.activity,
                    event.moment.strftime("%d.%m.%Y %H:%M"),
                    event.person,
                    event.unit,
                    "Papier" if number % 3 == 0 else "Online",
                ]
            )
    return path


def _in_view(scenario: Scenario, events: list[Event]) -> list[Event]:
    if scenario.window is None:
        return events
    start, end = scenario.window
    return [e for e in events if start <= e.moment.date() <= end]


def _handover_total(events: list[Event]) -> int:
    """Changes of unit between successive events of a case: counted here, not by pmo."""
    total = 0
    for before, after in zip(events, events[1:], strict=False):
        total += before.case == after.case and before.unit != after.unit
    return total


@dataclass(frozen=True)
class Office:
    url: str
    data_dir: Path
    log_id: str
    events: list[Event]


def _office(folder: Path, scenario: Scenario, *, drop_resources: bool = False) -> Office:
    url = f"sqlite:///{folder / 'pmo.sqlite3'}"
    db = Database(url)
    upgrade_schema(db)
    Registry(db).add_process(
        MODEL.read_bytes(),
        name="Hund zur Hundesteuer anmelden",
        department="Fachdienst Steuern und Abgaben",
        author="test",
        key=KEY,
    )
    events = _generate(scenario)
    source = _write_csv(events, folder / "hundesteuer.csv")
    options = ImportOptions(
        case="Vorgang",
        activity="Tätigkeit",
        timestamp="Zeitpunkt",
        resource="Bearbeiter",
        org_unit="Team",
        attributes=("Eingangskanal",),
        process_key=KEY,
        drop_resources=drop_resources,
    )
    log_id = (
        LogStore(db, folder / "daten").import_file(source, uploader="test", options=options).log_id
    )
    db.dispose()
    return Office(url, folder / "daten", log_id, events)


def _environment(office: Office) -> dict[str, str]:
    return {
        "PMO_DATABASE_URL": office.url,
        "PMO_DATA_DIR": str(office.data_dir),
        "PMO_USER": "test",
    }


def _pmo(office: Office, *args: str) -> str:
    result = CliRunner().invoke(cli, list(args), env=_environment(office), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _date_options(scenario: Scenario) -> list[str]:
    if scenario.window is None:
        return []
    start, end = scenario.window
    return ["--from", start.isoformat(), "--to", end.isoformat()]


def _reports(office: Office, scenario: Scenario) -> dict[str, str]:
    """The report of the office in every format, as the text a reader gets from it."""
    db = Database(office.url)
    try:
        filters = ReportFilters(*scenario.window) if scenario.window else ReportFilters()
        snapshot = build_report(
            Registry(db),
            LogStore(db, office.data_dir),
            keys=[KEY],
            filters=filters,
            actor="test",
            min_group_size=K,
        )
    finally:
        db.dispose()
    texts = {}
    for fmt in ("json", "html", "pdf", "xlsx"):
        data = render_report(snapshot, fmt)
        if fmt == "pdf":
            texts[fmt] = pdf_text(data)
        elif fmt == "xlsx":
            workbook = load_workbook(io.BytesIO(data))
            texts[fmt] = "\n".join(
                str(cell.value)
                for sheet in workbook.worksheets
                for row in sheet.iter_rows()
                for cell in row
                if cell.value is not None
            )
        else:
            texts[fmt] = html.unescape(data.decode("utf-8"))
    texts["snapshot"] = json.dumps(snapshot, ensure_ascii=False)
    return texts


def _page_text(office: Office, scenario: Scenario, monkeypatch: pytest.MonkeyPatch) -> str:
    """Everything the Analyse page puts on screen: every element, every table cell."""
    for name, value in _environment(office).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PMO_LOCAL_ROLE", "process_manager")
    monkeypatch.delenv("PMO_LOCAL_DEPARTMENT", raising=False)
    monkeypatch.delenv("PMO_ROLES_FILE", raising=False)
    monkeypatch.chdir(PROJECT)
    state: dict[str, object] = {"analysis_log_id": office.log_id}
    if scenario.window:
        state[f"analysis_from_{office.log_id}"] = scenario.window[0]
        state[f"analysis_to_{office.log_id}"] = scenario.window[1]
    app = run_page("analysis", state=state)
    parts: list[str] = []

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    # Only the open tab is on screen: every tab, one after the other, as a user opens them.
    for label in [tab.label for tab in app.tabs]:
        open_tab(app, label)
        assert not app.error, [e.value for e in app.error]
        parts.extend(frame.value.to_csv() for frame in app.dataframe)
        walk(app._tree)
    return "\n".join(parts)


@pytest.fixture(scope="module", params=SCENARIOS, ids=[s.name for s in SCENARIOS])
def analysed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Scenario, Office, dict, dict[str, str]]]:
    scenario: Scenario = request.param
    office = _office(tmp_path_factory.mktemp("groups"), scenario)
    dates = _date_options(scenario)
    result = json.loads(_pmo(office, "analyze", office.log_id, *dates, "--json"))
    with pytest.MonkeyPatch.context() as monkeypatch:
        page = _page_text(office, scenario, monkeypatch)
    outputs = {
        "analyze --json": json.dumps(result, ensure_ascii=False),
        "analyze": _pmo(office, "analyze", office.log_id, *dates),
        **{f"report {fmt}": text for fmt, text in _reports(office, scenario).items()},
        "Analyse page": page,
    }
    yield scenario, office, result, outputs


def test_no_output_names_a_small_unit(analysed: tuple) -> None:
    scenario, _office, _result, outputs = analysed
    for name, text in outputs.items():
        for unit in scenario.small:
            assert unit not in text, f"{unit} in {name}"
        # The suffix alone is how the generator names the unit's people: no pseudonym either.
        assert "Mitarbeiter" not in text, name


def test_the_rows_add_up_and_say_what_was_merged(analysed: tuple) -> None:
    scenario, office, result, outputs = analysed
    view = _in_view(scenario, office.events)
    merge = result["org_unit_groups"]
    assert merge["merged_units"] == scenario.merged_units
    assert merge["units"] == len({e.unit for e in view})
    assert merge["min_group_size"] == K and merge["people_known"]
    label = f"Sonstige (< {K} Personen)"
    assert merge["merged_label"] == label
    shown = {row["group"] for row in result["org_units"]}
    assert label in shown and len(shown) == merge["units"] - merge["merged_units"] + 1
    # Hand-overs and events, re-aggregated, add up to what the log holds in the view.
    assert sum(row["count"] for row in result["handovers"]) == _handover_total(view)
    assert merge["handovers"] == _handover_total(view)
    assert sum(row["events"] for row in result["org_units"]) == len(view)
    assert merge["events"] == len(view)
    merged_rows = [r for r in result["handovers"] if label in (r["from_unit"], r["to_unit"])]
    assert merged_rows and all(r["cases"] <= r["count"] for r in merged_rows)
    # A caption says it, in the text output, on the page and in every report format.
    note = merge["note"]
    assert f"{scenario.merged_units} " in note and label in note
    names = ("analyze", "report html", "report pdf", "report xlsx", "report json", "Analyse page")
    for name in names:
        text = " ".join(outputs[name].split())
        assert label in text and "zusammengefasst" in text, name


def test_a_merge_keeps_the_weighted_mean_wait(analysed: tuple) -> None:
    scenario, office, result, _outputs = analysed
    view = _in_view(scenario, office.events)
    label = f"Sonstige (< {K} Personen)"
    merged = {e.unit for e in view} - {r["group"] for r in result["org_units"]}
    waits = [
        (after.moment - before.moment).total_seconds()
        for before, after in zip(view, view[1:], strict=False)
        if before.case == after.case
        and before.unit != after.unit
        and (before.unit in merged or after.unit in merged)
    ]
    rows = [r for r in result["handovers"] if label in (r["from_unit"], r["to_unit"])]
    assert sum(r["count"] for r in rows) == len(waits)
    total = sum(r["count"] * r["mean_wait_s"] for r in rows)
    assert total == pytest.approx(sum(waits))


def test_without_people_no_unit_is_shown_and_the_output_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = SCENARIOS[0]
    office = _office(tmp_path, scenario, drop_resources=True)
    result = json.loads(_pmo(office, "analyze", office.log_id, "--json"))
    text = _pmo(office, "analyze", office.log_id)
    page = _page_text(office, scenario, monkeypatch)
    reports = _reports(office, scenario)
    assert result["handovers"] == [] and result["org_units"] == []
    merge = result["org_unit_groups"]
    assert not merge["people_known"] and merge["withheld_units"] == merge["units"] == 4
    assert merge["handovers"] == _handover_total(office.events)
    assert "Personen" in merge["note"] and "unbekannt" in merge["note"]
    for name, output in {"json": json.dumps(result), "text": text, "page": page, **reports}.items():
        for unit in (INTAKE, CHECK, DECISION, "Team Zwerg"):
            assert unit not in output, f"{unit} in {name}"
    assert "unbekannt" in text and "unbekannt" in page


def _view(office: Office):
    db = Database(office.url)
    try:
        return open_log(LogStore(db, office.data_dir).events_path(office.log_id))
    finally:
        db.dispose()


def test_selecting_a_small_unit_is_refused_though_its_cases_hold_more_people(
    tmp_path: Path,
) -> None:
    # The cases of the two-person unit also pass the intake and decision teams: the selection
    # names eleven people, but its figures are those of the unit's two.
    view = _view(_office(tmp_path, SCENARIOS[0]))
    with pytest.raises(GroupTooSmallError, match=f"weniger als {K} Personen"):
        analyze(filter_attribute(view, "org_unit", ["Team Zwerg"]))
    with pytest.raises(GroupTooSmallError):
        analyze(filter_attribute(view, "org_unit", ["Team Zwerg", "Einzelbuero"]))
    assert analyze(filter_attribute(view, "org_unit", [CHECK]))["log"]["cases"] == DAYS * 3 // 2
    assert analyze(filter_attribute(view, "org_unit", ["Team Zwerg"], keep=False))


def test_selecting_a_unit_of_a_log_without_people_is_refused(tmp_path: Path) -> None:
    view = _view(_office(tmp_path, SCENARIOS[0], drop_resources=True))
    with pytest.raises(GroupTooSmallError, match="unbekannt"):
        analyze(filter_attribute(view, "org_unit", [CHECK]))
    assert analyze(view)["log"]["cases"] == DAYS * CASES_PER_DAY  # the whole log: the process
