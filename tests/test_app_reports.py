"""Page "Berichte": freeze the portfolio as a snapshot, download it, delete it — scoped per role."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from process_registry import Database, Registry, ReportArchive
from tests.app_office import (
    HUNDESTEUER,
    OTHER_DEPARTMENT,
    Downloads,
    Office,
    make_office,
    pdf_text,
    run_page,
    use_office,
)
from tests.municipal_log import RPA_STEPS

SONDERNUTZUNG = "sondernutzungserlaubnis"  # owned by OTHER_DEPARTMENT


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    return make_office(tmp_path_factory.mktemp("reports"))


def _save(office: Office, title: str, *keys: str) -> int:
    """A stored snapshot (its content does not matter for listing and scoping)."""
    db = Database(office.url)
    try:
        return ReportArchive(db).save(
            {"title": title, "processes": [{"key": k} for k in keys], "summary": {}},
            actor="test",
        )
    finally:
        db.dispose()


def test_creating_a_report_stores_a_snapshot_with_a_pdf_of_it(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    downloads = Downloads(monkeypatch)
    use_office(monkeypatch, office)
    app = run_page("reports")
    app.text_input(key="reports_title").set_value("Portfolio Hundesteuer")
    app.multiselect(key="reports_processes").set_value([HUNDESTEUER])
    app.button[0].click().run()  # the form's submit button
    assert not app.exception, [e.value for e in app.exception]
    created = [s.value for s in app.success if "ist gespeichert" in s.value]
    assert created
    report_id = int(created[0].split("Nr. ")[1].split(" ")[0])
    assert app.selectbox(key="reports_selected").value == report_id

    pdf = downloads.data(app, "PDF")
    assert pdf.startswith(b"%PDF")
    assert office.hundesteuer_name in pdf_text(pdf)
    assert downloads.data(app, "Excel (XLSX)").startswith(b"PK")  # a zip container
    assert b"Steuerfall im Fachverfahren anlegen" in downloads.data(app, "JSON")
    db = Database(office.url)
    stored = ReportArchive(db).get(report_id)
    db.dispose()
    assert stored["created_by"] == "Frau Test"
    assert [p["key"] for p in stored["processes"]] == [HUNDESTEUER]
    # The summary leads: the paragraph on the page and on the PDF's first page, dated by the snapshot.
    paragraph = [i.value.replace("\\", "") for i in app.info if "Zuerst angehen" in i.value]
    assert paragraph and office.hundesteuer_name in paragraph[0]
    assert "Zuerst angehen" in pdf_text(pdf)
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta.author == "Prozessmanagement-Büro (Frau Test)"
    created = dt.datetime.fromisoformat(stored["created_at"])
    assert meta.creation_date.timestamp() == created.timestamp()


def test_a_report_is_rendered_only_in_the_format_the_user_downloads(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rendering the whole portfolio as PDF takes seconds: creating a report or showing a stored
    # one must not wait for files nobody asked for.
    import mining

    rendered: list[str] = []
    original = mining.render_report

    def counted(snapshot: dict, fmt: str, lang: str | None = None) -> bytes:
        rendered.append(fmt)
        return original(snapshot, fmt, lang)

    monkeypatch.setattr(mining, "render_report", counted)
    downloads = Downloads(monkeypatch)
    use_office(monkeypatch, office)
    app = run_page("reports")
    app.text_input(key="reports_title").set_value("Nur auf Abruf")
    app.multiselect(key="reports_processes").set_value([HUNDESTEUER])
    app.button[0].click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert [s.value for s in app.success if "ist gespeichert" in s.value]
    labels = ("PDF", "Excel (XLSX)", "HTML", "JSON")
    assert all(downloads.is_deferred(app, label) for label in labels)
    assert rendered == []

    pdf = downloads.data(app, "PDF")
    assert pdf.startswith(b"%PDF") and rendered == ["pdf"]
    # The same file byte for byte on a second download, without rendering it again.
    assert downloads.data(app, "PDF") == pdf and rendered == ["pdf"]
    assert b"<html" in downloads.data(app, "HTML")[:200].lower()
    assert rendered == ["pdf", "html"]


def test_the_scenario_computed_on_the_digitization_page_goes_into_the_report(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office)
    app = run_page("reports")
    step = RPA_STEPS[0]
    app.session_state["scenario_for_report"] = {
        "process": HUNDESTEUER,
        "changes": [[step, "rpa"]],
        "online_share": 0.8,
    }
    app.run()
    offer = app.checkbox(key="reports_scenario")
    assert offer.value and step in offer.label and "80" in offer.label
    app.multiselect(key="reports_processes").set_value([HUNDESTEUER, SONDERNUTZUNG])
    app.button[0].click().run()
    assert not app.exception, [e.value for e in app.exception]
    created = [s.value for s in app.success if "ist gespeichert" in s.value]
    report_id = int(created[0].split("Nr. ")[1].split(" ")[0])
    db = Database(office.url)
    stored = ReportArchive(db).get(report_id)
    db.dispose()
    sections = {p["key"]: p for p in stored["processes"]}
    # Only the scenario's own process gets it: the other's steps are not the accepted ones.
    assert "scenario" not in sections[SONDERNUTZUNG]
    scenario = sections[HUNDESTEUER]["scenario"]
    assert [c["activity"] for c in scenario["changes"] if c["kind"] == "rpa"] == [step]
    assert scenario["online_share_target"] == 0.8

    app.multiselect(key="reports_processes").set_value([SONDERNUTZUNG])
    app.button[0].click().run()
    assert any("bitte diesen Prozess auswählen" in e.value for e in app.error)


@pytest.mark.parametrize(
    ("processes", "date_from", "date_to", "message"),
    [
        ([], None, None, "mindestens einen Prozess"),
        ([HUNDESTEUER], dt.date(2024, 6, 1), dt.date(2024, 1, 1), "nach dem Enddatum"),
    ],
)
def test_bad_input_is_refused_with_the_reason(
    office: Office,
    monkeypatch: pytest.MonkeyPatch,
    processes: list[str],
    date_from: dt.date | None,
    date_to: dt.date | None,
    message: str,
) -> None:
    use_office(monkeypatch, office)
    app = run_page("reports")
    before = len(app.selectbox(key="reports_selected").options) if app.selectbox else 0
    app.multiselect(key="reports_processes").set_value(processes)
    app.date_input(key="reports_from").set_value(date_from)
    app.date_input(key="reports_to").set_value(date_to)
    app.button[0].click().run()
    assert not app.exception
    assert any(message in e.value for e in app.error)
    after = len(app.selectbox(key="reports_selected").options) if app.selectbox else 0
    assert after == before


def test_a_tampered_snapshot_shows_an_error_instead_of_figures(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    report_id = _save(office, "Manipuliert", HUNDESTEUER)
    db = Database(office.url)
    db.write(
        lambda session: session.execute(
            text("UPDATE report_snapshots SET content = replace(content, 'Manipuliert', 'Echt')"
                 " WHERE id = :id"),
            {"id": report_id},
        )
    )  # fmt: skip
    db.dispose()
    use_office(monkeypatch, office)
    app = run_page("reports", state={"reports_selected": report_id})
    assert any("verändert" in e.value for e in app.error)
    assert not app.get("download_button")


def test_process_managers_delete_a_snapshot(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    report_id = _save(office, "Zum Löschen", HUNDESTEUER)
    use_office(monkeypatch, office)
    app = run_page("reports", state={"reports_selected": report_id})
    app.checkbox(key=f"reports_confirm_{report_id}").check().run()
    app.button(key="reports_delete").click().run()
    assert not app.exception
    assert any(f"Nr. {report_id} ist gelöscht" in s.value for s in app.success)
    assert report_id not in app.selectbox(key="reports_selected").options


def test_leadership_and_departments_create_but_do_not_delete(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    _save(office, "Für alle", HUNDESTEUER)
    use_office(monkeypatch, office, role="leadership")
    app = run_page("reports")
    assert app.multiselect(key="reports_processes")
    assert not [b for b in app.button if b.key == "reports_delete"]
    use_office(monkeypatch, office, role="department", department=office.hundesteuer_department)
    app = run_page("reports")
    assert app.multiselect(key="reports_processes")
    assert not [b for b in app.button if b.key == "reports_delete"]
    assert app.get("download_button")  # its own department's snapshots it may read


def test_a_department_creates_a_report_of_its_own_processes_only(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    downloads = Downloads(monkeypatch)
    use_office(monkeypatch, office, role="department", department=OTHER_DEPARTMENT)
    app = run_page("reports")
    field = app.multiselect(key="reports_processes")
    # Only its own processes are offered, and all of them are preselected.
    db = Database(office.url)
    own = {p.key for p in Registry(db).list_processes() if p.department == OTHER_DEPARTMENT}
    assert set(field.options) and len(field.options) == len(own)
    assert HUNDESTEUER not in own and SONDERNUTZUNG in own
    assert office.hundesteuer_name not in field.options
    app.text_input(key="reports_title").set_value("Sondernutzung im Fachdienst")
    field.set_value([next(o for o in field.options if "Sondernutzung" in o)])
    app.button[0].click().run()  # the form's submit button
    assert not app.exception and not app.error
    created = [s.value for s in app.success if "ist gespeichert" in s.value]
    report_id = int(created[0].split("Nr. ")[1].split(" ")[0])
    assert downloads.data(app, "PDF").startswith(b"%PDF")
    try:
        [summary] = [r for r in ReportArchive(db).list() if r.id == report_id]
        stored = ReportArchive(db).get(report_id)
        audit = Registry(db).audit_trail(f"report:{report_id}")[0]
    finally:
        db.dispose()
    # Who made it and of which processes, in the archive and in the snapshot itself.
    assert (summary.created_by, list(summary.process_keys)) == ("Frau Test", [SONDERNUTZUNG])
    assert stored["created_by"] == "Frau Test"
    assert [p["key"] for p in stored["processes"]] == [SONDERNUTZUNG]
    assert (audit.action, audit.actor) == ("report.save", "Frau Test")


def test_another_department_sees_only_snapshots_of_its_own_processes(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    hidden = _save(office, "Hundesteuer intern", HUNDESTEUER)
    mixed = _save(office, "Gemischt", HUNDESTEUER, SONDERNUTZUNG)
    own = _save(office, "Sondernutzung", SONDERNUTZUNG)
    use_office(monkeypatch, office, role="department", department=OTHER_DEPARTMENT)
    app = run_page("reports")
    options = app.selectbox(key="reports_selected").options
    assert any("Sondernutzung" in option for option in options)
    listed = app.dataframe[0].value["Nr."].tolist()
    assert own in listed and hidden not in listed and mixed not in listed
    shown = " ".join(str(frame.value.to_dict()) for frame in app.dataframe)
    assert office.hundesteuer_name not in shown and "Hundesteuer intern" not in shown
