"""One clock: every time a person reads is Europe/Berlin wall-clock time, every time in JSON
carries its offset — for instants just after midnight, across the night the clocks go forward
(31 March 2024) and the night they go back (27 October 2024), on SQLite and PostgreSQL.

The catalogue's own instants (upload, creation, change, audit) are set with an UPDATE after
the fact, so that they fall where UTC and Berlin disagree about the date or the offset."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from pypdf import PdfReader
from sqlalchemy.engine import make_url

from mining.ingest.store import LogStore
from mining.report import labels as lb
from mining.report.render import render_report
from pmo import build_report
from process_registry import Database, Registry, clock
from process_registry.models import AuditEntry, EventLog, ModelVersion, Process, ReportSnapshot
from tests.app_office import Office, run_page, table, use_office
from tests.cli_office import office_env, pmo_output
from tests.conftest import SAMPLE_MODELS, _postgres_base_url

KEY = "wohngeld"
# Still 30 March in UTC, already 31 March in Berlin (CET, +01:00).
BEFORE_CHANGE = dt.datetime(2024, 3, 30, 23, 30, tzinfo=dt.UTC)
# Half an hour after the clocks went forward at 01:00 UTC: 03:30 CEST (+02:00).
AFTER_CHANGE = dt.datetime(2024, 3, 31, 1, 30, tzinfo=dt.UTC)
# Still 26 October in UTC, 00:45 CEST on 27 October, the night the clocks go back.
AUTUMN = dt.datetime(2024, 10, 26, 22, 45, tzinfo=dt.UTC)

# What a person reads, and what JSON says, for each instant (worked out by hand).
SHOWN = {
    BEFORE_CHANGE: ("31.03.2024 00:30", "2024-03-31T00:30:00+01:00"),
    AFTER_CHANGE: ("31.03.2024 03:30", "2024-03-31T03:30:00+02:00"),
    AUTUMN: ("27.10.2024 00:45", "2024-10-27T00:45:00+02:00"),
}


def text(moment: dt.datetime) -> str:
    return SHOWN[moment][0]


def iso(moment: dt.datetime) -> str:
    return SHOWN[moment][1]


def _log(path: Path) -> Path:
    """Three cases between BEFORE_CHANGE and AFTER_CHANGE, written in UTC."""
    rows = ["Vorgangsnummer;Tätigkeit;Zeitpunkt"]
    for number, minutes in enumerate((0, 20, 40)):
        first = BEFORE_CHANGE + dt.timedelta(minutes=minutes)
        steps = [(first, "Antrag eingegangen"), (first + dt.timedelta(minutes=30), "Antrag prüfen")]
        steps.append((AFTER_CHANGE - dt.timedelta(minutes=minutes), "Bescheid erlassen"))
        rows += [f"W-{number};{name};{at:%d.%m.%Y %H:%M}" for at, name in steps]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _postgres_schema() -> tuple[str, sa.Engine, str]:
    base = _postgres_base_url()
    schema = f"pmo_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), admin, schema


def _set_clock(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.update(Process.__table__).values(created_at=AFTER_CHANGE))
        conn.execute(sa.update(Process.__table__).values(updated_at=BEFORE_CHANGE))
        conn.execute(sa.update(ModelVersion.__table__).values(created_at=AUTUMN))
        conn.execute(sa.update(AuditEntry.__table__).values(at=AUTUMN))
        conn.execute(sa.update(EventLog.__table__).values(uploaded_at=BEFORE_CHANGE))
    engine.dispose()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def office(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    folder = tmp_path_factory.mktemp(f"uhr-{request.param}")
    admin = None
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'pmo.sqlite3'}"
    else:
        url, admin, schema = _postgres_schema()
    env = {**office_env(folder), "PMO_DATABASE_URL": url}
    pmo_output(
        "registry", "add", str(SAMPLE_MODELS / "wohngeld.bpmn"), "--key", KEY,
        "--name", "Wohngeld bewilligen", "--department", "Fachdienst Soziales", env=env,
    )  # fmt: skip
    imported = json.loads(
        pmo_output(
            "log",
            "import",
            str(_log(folder / "wohngeld.csv")),
            "--process",
            KEY,
            "--timezone",
            "UTC",
            "--json",
            env=env,
        )  # fmt: skip
    )
    _set_clock(url)
    snapshot_file = folder / "bericht.json"
    pmo_output("report", "--format", "json", "-o", str(snapshot_file), env=env)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.update(ReportSnapshot.__table__).values(created_at=AFTER_CHANGE))
    engine.dispose()
    yield {
        "url": url,
        "folder": folder,
        "env": env,
        "imported": imported,
        "snapshot": json.loads(snapshot_file.read_text(encoding="utf-8")),
    }
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _json(office: dict, *args: str) -> object:
    return json.loads(pmo_output(*args, "--json", env=office["env"]))


def _assert_offset(value: str) -> None:
    assert dt.datetime.fromisoformat(value).utcoffset() is not None, value


# -- JSON: the instant with its offset ---------------------------------------------------------


def test_log_import_and_list_json_times_carry_the_berlin_offset(office: dict) -> None:
    imported = office["imported"]
    assert (imported["start"], imported["end"]) == (iso(BEFORE_CHANGE), iso(AFTER_CHANGE))
    (listed,) = _json(office, "log", "list")
    for key in ("uploaded_at", "start", "end"):
        _assert_offset(listed[key])
    assert listed["uploaded_at"] == iso(BEFORE_CHANGE)
    assert (listed["start"], listed["end"]) == (iso(BEFORE_CHANGE), iso(AFTER_CHANGE))
    assert listed["delete_after"] == dt.date.fromisoformat(listed["delete_after"]).isoformat()


def test_registry_show_and_history_json_times_carry_the_berlin_offset(office: dict) -> None:
    shown = _json(office, "registry", "show", KEY)
    assert (shown["created_at"], shown["updated_at"]) == (iso(AFTER_CHANGE), iso(BEFORE_CHANGE))
    assert [v["created_at"] for v in shown["versions"]] == [iso(AUTUMN)]
    history = _json(office, "registry", "history", KEY)
    assert history and {entry["at"] for entry in history} == {iso(AUTUMN)}


def test_analyze_and_report_list_json_times_carry_the_berlin_offset(office: dict) -> None:
    log_id = office["imported"]["log_id"]
    analysed = _json(office, "analyze", log_id)
    assert (analysed["log"]["start"], analysed["log"]["end"]) == (
        iso(BEFORE_CHANGE),
        iso(AFTER_CHANGE),
    )
    (listed,) = _json(office, "report", "--list")
    assert listed["created_at"] == iso(AFTER_CHANGE)


def test_report_snapshot_times_carry_the_berlin_offset(office: dict) -> None:
    snapshot = office["snapshot"]
    _assert_offset(snapshot["created_at"])
    (process,) = snapshot["processes"]
    log = process["log"]
    assert (log["uploaded_at"], log["start"], log["end"]) == (
        iso(BEFORE_CHANGE),
        iso(BEFORE_CHANGE),
        iso(AFTER_CHANGE),
    )
    assert (process["analysis"]["log"]["start"], process["analysis"]["log"]["end"]) == (
        iso(BEFORE_CHANGE),
        iso(AFTER_CHANGE),
    )


def test_a_snapshot_made_at_a_utc_moment_states_it_in_berlin_time(office: dict) -> None:
    db = Database(office["url"])
    try:
        store = LogStore(db, office["folder"] / "daten")
        snapshot = build_report(Registry(db), store, actor="test", now=AUTUMN)
    finally:
        db.dispose()
    assert snapshot["created_at"] == iso(AUTUMN)


# -- text: Berlin wall-clock time ----------------------------------------------------------------


def test_cli_text_shows_berlin_wall_clock_time(office: dict) -> None:
    env = office["env"]
    shown = pmo_output("registry", "show", KEY, env=env)
    assert f"v1  {text(AUTUMN)}" in shown
    history = pmo_output("registry", "history", KEY, env=env).splitlines()
    assert history and all(line.startswith(text(AUTUMN)) for line in history)
    listed = pmo_output("report", "--list", env=env)
    assert text(AFTER_CHANGE) in listed
    analysed = pmo_output("analyze", office["imported"]["log_id"], env=env)
    assert f"({text(BEFORE_CHANGE)} bis {text(AFTER_CHANGE)})" in analysed


def test_xlsx_data_period_cells_are_berlin_wall_clock_time(office: dict) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(render_report(office["snapshot"], "xlsx")))
    sheet = workbook["Prozesse"]
    headers = [cell.value for cell in sheet[1]]
    row = dict(zip(headers, next(sheet.iter_rows(min_row=2, values_only=True)), strict=True))
    assert row["Daten von"] == dt.datetime(2024, 3, 31, 0, 30)
    assert row["Daten bis"] == dt.datetime(2024, 3, 31, 3, 30)


def test_pdf_and_html_show_berlin_wall_clock_time(office: dict) -> None:
    snapshot = office["snapshot"]
    reader = PdfReader(io.BytesIO(render_report(snapshot, "pdf")))
    pdf = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    markup = render_report(snapshot, "html").decode("utf-8")
    html = " ".join(re.sub(r"<[^>]+>", " ", markup).split())
    for shown in (pdf, html):
        assert "Hochgeladen am 31.03.2024, 00:30 Uhr" in shown
        assert "31.03.2024 – 31.03.2024" in shown
        assert "30.03.2024" not in shown


def test_a_report_from_an_older_snapshot_reads_its_zoneless_times_as_utc() -> None:
    """Snapshots stored before this change hold SQLite's UTC times without their zone."""
    naive = BEFORE_CHANGE.replace(tzinfo=None).isoformat()
    assert lb.date_time(naive) == "31.03.2024, 00:30 Uhr"
    assert lb.date(naive) == "31.03.2024"
    assert lb.date("2024-03-30") == "30.03.2024"  # a calendar day stays that day
    snapshot = {
        "processes": [
            {"key": KEY, "name": "Wohngeld", "log": {"start": naive, "end": naive}},
        ]
    }
    sheet = openpyxl.load_workbook(io.BytesIO(render_report(snapshot, "xlsx")))["Prozesse"]
    headers = [cell.value for cell in sheet[1]]
    row = dict(zip(headers, next(sheet.iter_rows(min_row=2, values_only=True)), strict=True))
    assert row["Daten von"] == dt.datetime(2024, 3, 31, 0, 30)


# -- the workspace -------------------------------------------------------------------------------


def _use(office: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    use_office(monkeypatch, Office(office["url"], office["folder"] / "daten", "", ""))


def test_registry_page_shows_berlin_wall_clock_time(
    office: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use(office, monkeypatch)
    app = run_page("registry", state={"registry_selected": KEY})
    catalogue = next(t.value for t in app.table if "Feld" in t.value.columns)
    values = dict(zip(catalogue["Feld"], catalogue["Wert"], strict=True))
    assert values["Zuletzt geändert"] == text(BEFORE_CHANGE)
    assert list(table(app, "Erstellt")["Erstellt"]) == [text(AUTUMN)]
    when = table(app, "Zeitpunkt")["Zeitpunkt"]
    assert len(when) and set(when) == {text(AUTUMN)}


def test_log_analysis_and_report_pages_show_berlin_wall_clock_time(
    office: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use(office, monkeypatch)
    logs = table(run_page("logs"), "Hochgeladen am")
    assert list(logs["Hochgeladen am"]) == [text(BEFORE_CHANGE)]
    assert list(logs["Zeitraum"]) == ["31.03.2024 – 31.03.2024"]
    analysis = run_page("analysis", state={"analysis_log_id": office["imported"]["log_id"]})
    (label,) = analysis.selectbox(key="analysis_log_choice").options
    assert "hochgeladen 31.03.2024" in label
    assert [d.value for d in analysis.date_input][:2] == [dt.date(2024, 3, 31)] * 2
    assert any("31.03.2024 bis 31.03.2024" in c.value for c in analysis.caption)
    reports = run_page("reports")
    created = table(reports, "Erstellt am")["Erstellt am"]
    assert [str(c) for c in created] == [text(AFTER_CHANGE)]


@pytest.mark.parametrize(
    "stored",
    [
        BEFORE_CHANGE.replace(tzinfo=None),  # SQLite: the UTC wall clock without its zone
        BEFORE_CHANGE,
        BEFORE_CHANGE.astimezone(dt.timezone(dt.timedelta(hours=-5))),  # a session's own zone
        pd.Timestamp(BEFORE_CHANGE),  # what pandas and DuckDB hand back
    ],
    ids=["naive", "utc", "other-zone", "pandas"],
)
def test_every_representation_of_an_instant_reads_alike(stored: dt.datetime) -> None:
    assert clock.local_text(stored) == text(BEFORE_CHANGE)
    assert clock.local_date_text(stored) == "31.03.2024"
    assert clock.iso(stored) == iso(BEFORE_CHANGE)
    assert clock.parse_iso(clock.iso(stored)) == BEFORE_CHANGE
    assert clock.local_text(None) == "–" and clock.iso(None) is None
