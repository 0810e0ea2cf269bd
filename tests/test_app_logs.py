"""The Ereignisprotokolle page: the list of stored logs and the upload wizard, driven by AppTest.

Uploads go through the real ``st.file_uploader`` (AppTest's ``file_uploader.set_value``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from mining.ingest.pipeline import ImportOptions
from mining.ingest.store import LogStore
from process_registry import Database, Registry, load_catalogue_folder, upgrade_schema
from tests.conftest import PROJECT, SAMPLE_MODELS
from tests.municipal_log import generate_hundesteuer_log

PAGE = str(PROJECT / "app_pages" / "logs.py")
LOGS = PROJECT / "tests" / "data" / "logs"
TAXES = "Fachdienst Steuern und Abgaben"  # department of hundesteuer-anmeldung


@pytest.fixture
def store(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LogStore:
    """The sample registry in a fresh database; uploads' temp files land in ``tmp_path/tmp``."""
    monkeypatch.setenv("PMO_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("PMO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PMO_USER", "anna.amsel")
    monkeypatch.delenv("PMO_LOCAL_ROLE", raising=False)
    monkeypatch.delenv("PMO_LOCAL_DEPARTMENT", raising=False)
    monkeypatch.delenv("PMO_SECRET_KEY", raising=False)
    monkeypatch.chdir(PROJECT)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    db = Database(sqlite_url)
    upgrade_schema(db)
    load_catalogue_folder(Registry(db), SAMPLE_MODELS, author="demo")
    return LogStore(db, tmp_path / "data")


@pytest.fixture
def hundesteuer_csv(tmp_path: Path) -> Path:
    return generate_hundesteuer_log(tmp_path / "hundesteuer.csv", cases=40)


def _page() -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=120)
    app.run()
    _ok(app)
    return app


def _ok(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]


def _upload(app: AppTest, path: Path, name: str | None = None) -> None:
    app.file_uploader[0].set_value((name or path.name, path.read_bytes(), "text/csv")).run()
    _ok(app)


def _click(app: AppTest, key: str) -> None:
    app.button(key=key).click().run()
    _ok(app)


def _errors(app: AppTest) -> list[str]:
    return [e.value for e in app.error]


def test_a_log_goes_through_every_step_and_lands(
    store: LogStore, hundesteuer_csv: Path, tmp_path: Path
) -> None:
    app = _page()
    assert app.title[0].value == "Ereignisprotokolle"
    _upload(app, hundesteuer_csv)
    # Step "Erkennung": what was detected, German Excel CSV.
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Format"] == "csv"
    assert metrics["Zeichenkodierung"] == "cp1252"
    assert metrics["Trennzeichen"] == ";"
    _click(app, "logs_to_mapping")
    # Step "Spaltenzuordnung": the suggestions are preselected.
    assert app.selectbox(key="logs_map_case").value == "Aktenzeichen"
    assert app.selectbox(key="logs_map_activity").value == "Tätigkeit"
    assert app.selectbox(key="logs_map_timestamp").value == "Zeitpunkt"
    assert app.selectbox(key="logs_map_resource").value == "Bearbeiter"
    # The intake channel is preselected: it describes the application, not a person.
    assert app.multiselect(key="logs_map_attributes").value == ["Eingangskanal"]
    assert any("Als Eingangskanal erkannt" in c.value for c in app.caption)
    app.selectbox(key="logs_process").set_value("hundesteuer-anmeldung").run()
    _click(app, "logs_to_check")
    # Step "Prüfbericht": counts and the detected timestamp format, nothing stored yet.
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Fälle"] == "40"
    assert metrics["Verworfene Zeilen"] == "0"
    assert any("TT.MM.JJJJ hh:mm" in m.value for m in app.markdown)
    # Berlin wall-clock time, as in the file (stored as UTC, 07:00).
    assert any(m.value.startswith("Zeitraum: 08.01.2024 08:00 –") for m in app.markdown)
    assert store.list_logs() == []
    _click(app, "logs_to_privacy")
    # Step "Datenschutz": resource pseudonymized with HMAC; import only after the confirmation.
    notice = app.info[-1].value
    assert "„Bearbeiter“" in notice and "HMAC-SHA256" in notice
    assert "„Eingangskanal“ (als Eingangskanal: beschreibt den Antrag, keine Person)" in notice
    assert app.button(key="logs_import").disabled
    app.checkbox(key="logs_privacy_ack").check().run()
    _click(app, "logs_import")

    assert not _errors(app)
    [log] = store.list_logs()
    assert (log.process, log.cases, log.source_name) == (
        "hundesteuer-anmeldung",
        40,
        "hundesteuer.csv",
    )
    assert log.department == TAXES and log.uploaded_by == "anna.amsel"
    assert log.mapping["attributes"] == ["Eingangskanal"]
    assert log.privacy["resource_mode"] == "pseudonymisiert"
    assert f"Importiert als {log.log_id}: 40 Fälle" in app.success[0].value
    assert list(app.dataframe[0].value["Kennung"]) == [log.log_id]
    assert app.file_uploader[0].value is None  # a fresh wizard for the next file
    assert list((tmp_path / "tmp").iterdir()) == []  # the upload's temp copies are gone


def _through_to_privacy(app: AppTest) -> str:
    app.selectbox(key="logs_process").set_value("hundesteuer-anmeldung").run()
    _click(app, "logs_to_check")
    _click(app, "logs_to_privacy")
    return app.info[-1].value


def _import_confirmed(app: AppTest) -> None:
    app.checkbox(key="logs_privacy_ack").check().run()
    _click(app, "logs_import")
    assert not _errors(app)


def test_a_deselected_channel_is_not_stored(store: LogStore, hundesteuer_csv: Path) -> None:
    app = _page()
    _upload(app, hundesteuer_csv)
    _click(app, "logs_to_mapping")
    app.multiselect(key="logs_map_attributes").set_value([])
    notice = _through_to_privacy(app)
    assert "als Eingangskanal" not in notice
    assert "Nicht gespeichert werden diese Spalten (nicht zugeordnet): „Eingangskanal“" in notice
    _import_confirmed(app)
    [log] = store.list_logs()
    assert log.mapping["attributes"] == []
    assert "Eingangskanal" in log.privacy["dropped_columns"]


def test_a_channel_column_of_e_mail_addresses_is_not_preselected(
    store: LogStore, tmp_path: Path
) -> None:
    export = tmp_path / "mails.csv"
    export.write_text(
        "Vorgangsnummer;Tätigkeit;Zeitpunkt;Kanal\n"
        + "".join(
            f"A-{n};Antrag eingegangen;0{n}.02.2024 09:00;person{n}@example.org\n"
            f"A-{n};Antrag prüfen;0{n}.02.2024 10:00;person{n}@example.org\n"
            for n in range(1, 8)
        ),
        encoding="utf-8",
    )
    app = _page()
    _upload(app, export)
    _click(app, "logs_to_mapping")
    assert app.multiselect(key="logs_map_attributes").value == []
    assert any("„Kanal“ klingt nach Eingangskanal" in c.value for c in app.caption)
    notice = _through_to_privacy(app)
    assert "als Eingangskanal" not in notice
    assert (
        "Die Spalte „Kanal“ klingt nach Eingangskanal, wird aber nicht gespeichert: "
        "Werte sehen wie E-Mail-Adressen aus" in notice
    )
    _import_confirmed(app)
    [log] = store.list_logs()
    assert "Kanal" in log.privacy["dropped_columns"]


def test_preview_shows_the_columns_of_the_file(store: LogStore) -> None:
    app = _page()
    _upload(app, LOGS / "running-example.csv")
    header = (LOGS / "running-example.csv").read_text(encoding="utf-8").splitlines()[0]
    # The first header cell is empty; the reader names it "Spalte 1".
    assert list(app.dataframe[-1].value.columns) == ["Spalte 1", *header.split(",")[1:]]
    assert app.metric[0].value == "csv"


def test_a_wrong_separator_can_be_corrected(store: LogStore, hundesteuer_csv: Path) -> None:
    app = _page()
    _upload(app, hundesteuer_csv)
    app.selectbox(key="logs_sep").set_value(",").run()
    _ok(app)
    # Read with the user's separator: the whole line is one column, as the preview shows.
    assert len(app.dataframe[-1].value.columns) == 1
    assert {m.label: m.value for m in app.metric}["Trennzeichen"] == ","
    app.selectbox(key="logs_sep").set_value("").run()  # "wie erkannt"
    _ok(app)
    assert "Eingangskanal" in app.dataframe[-1].value.columns


def test_broken_timestamp_names_the_line_and_stores_nothing(
    store: LogStore, tmp_path: Path
) -> None:
    broken = tmp_path / "kaputt.csv"
    broken.write_text(
        "Vorgangsnummer;Tätigkeit;Zeitpunkt\n"
        "A-1;Antrag eingegangen;01.02.2024 09:00\n"
        "A-1;Antrag prüfen;02.02.2024 10:00\n"
        "A-2;Antrag eingegangen;31.02.2024 11:00\n"
        "A-2;Antrag prüfen;04.03.2024 12:00\n",
        encoding="utf-8",
    )
    app = _page()
    _upload(app, broken)
    _click(app, "logs_to_mapping")
    _click(app, "logs_to_check")
    [error] = _errors(app)
    assert "kaputt.csv, Zeile 4" in error and "Datum existiert nicht" in error
    assert not [b for b in app.button if b.key == "logs_to_privacy"]  # no way on to the import
    assert store.list_logs() == []
    assert not list((tmp_path / "data" / "logs").glob("*.parquet"))


def test_leadership_is_refused(store: LogStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMO_LOCAL_ROLE", "leadership")
    app = _page()
    assert _errors(app) == ["Diese Seite ist für Ihre Rolle nicht freigegeben."]
    assert not app.file_uploader and not app.title


def _import(store: LogStore, path: Path, process: str) -> str:
    options = ImportOptions(process_key=process)
    return store.import_file(path, uploader="pm", options=options).log_id


def test_department_sees_its_own_logs_and_links_only_its_processes(
    store: LogStore, hundesteuer_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = _import(store, hundesteuer_csv, "hundesteuer-anmeldung")
    _import(store, LOGS / "running-example.csv", "wohngeld")
    monkeypatch.setenv("PMO_LOCAL_ROLE", "department")
    monkeypatch.setenv("PMO_LOCAL_DEPARTMENT", TAXES)
    app = _page()
    assert list(app.dataframe[0].value["Kennung"]) == [own]
    # It may delete its own logs, and is offered no other.
    assert app.selectbox(key="logs_delete_choice").options == [f"{own} – hundesteuer.csv"]
    assert not [s for s in app.selectbox if s.key == "logs_reference_process"]  # office only

    _upload(app, hundesteuer_csv, "eigener-export.csv")
    _click(app, "logs_to_mapping")
    assert app.selectbox(key="logs_process").options == [
        "– ohne Prozess –",
        f"Hundesteuer – Anmeldung eines Hundes (hundesteuer-anmeldung) – {TAXES}",
    ]
    # Without a process link the upload still belongs to the department that made it.
    _through_to_import(app)
    mine = store.list_logs(department=TAXES)
    assert {i.source_name for i in mine} == {"hundesteuer.csv", "eigener-export.csv"}
    assert len(app.dataframe[0].value) == 2


def test_process_manager_deletes_a_log_after_confirming(
    store: LogStore, hundesteuer_csv: Path, tmp_path: Path
) -> None:
    log_id = _import(store, hundesteuer_csv, "hundesteuer-anmeldung")
    app = _page()
    _click(app, "logs_delete")
    assert log_id in app.warning[0].value
    _click(app, "logs_delete_no")
    assert [i.log_id for i in store.list_logs()] == [log_id]
    _click(app, "logs_delete")
    _click(app, "logs_delete_yes")
    assert store.list_logs() == []
    assert f"Protokoll {log_id} wurde gelöscht." in app.success[0].value
    assert not list((tmp_path / "data" / "logs").glob("*.parquet"))


def test_department_deletes_its_own_log_audited_and_nobody_elses(
    store: LogStore, hundesteuer_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = _import(store, hundesteuer_csv, "hundesteuer-anmeldung")
    other = _import(store, LOGS / "running-example.csv", "wohngeld")
    monkeypatch.setenv("PMO_LOCAL_ROLE", "department")
    monkeypatch.setenv("PMO_LOCAL_DEPARTMENT", TAXES)
    app = _page()
    # Another department's log cannot be brought to the confirmation, not even by the state.
    app.session_state["logs_confirm_delete"] = other
    app.run()
    assert not [b for b in app.button if b.key == "logs_delete_yes"]
    _click(app, "logs_delete")
    assert own in app.warning[0].value
    _click(app, "logs_delete_yes")
    assert f"Protokoll {own} wurde gelöscht." in app.success[0].value
    assert [i.log_id for i in store.list_logs()] == [other]
    [deletion] = Registry(store.db).audit_trail(own)[:1]
    assert (deletion.action, deletion.actor) == ("log.delete", "anna.amsel")
    assert deletion.details["reason"] == f"im Arbeitsbereich gelöscht (für: {TAXES})"


def _through_to_import(app: AppTest) -> None:
    _click(app, "logs_to_check")
    _click(app, "logs_to_privacy")
    app.checkbox(key="logs_privacy_ack").check().run()
    _click(app, "logs_import")
    assert not _errors(app)


def test_no_resource_column_chosen_means_no_resource_stored(
    store: LogStore, hundesteuer_csv: Path
) -> None:
    app = _page()
    _upload(app, hundesteuer_csv)
    _click(app, "logs_to_mapping")
    app.selectbox(key="logs_map_resource").set_value("").run()
    _click(app, "logs_to_check")
    _click(app, "logs_to_privacy")
    notes = app.info[-1].value.split("\n\n")
    assert any("keine Bearbeiterangaben gespeichert" in n for n in notes)
    [not_stored] = [n for n in notes if n.startswith("- Nicht gespeichert")]
    assert "„Bearbeiter“" in not_stored
    app.checkbox(key="logs_privacy_ack").check().run()
    _click(app, "logs_import")
    [log] = store.list_logs()
    assert log.privacy["resource_mode"] == "verworfen"


def test_a_file_that_is_no_event_log_is_refused_with_the_reason(store: LogStore) -> None:
    app = _page()
    pdf = b"%PDF-1.7\n%\xe2\xe3"
    app.file_uploader[0].set_value(("export[1](x).csv", pdf, "text/csv")).run()
    _ok(app)
    # The file name is shown as text, never as a Markdown link.
    assert _errors(app) == [
        "export\\[1\\](x).csv: Das ist ein PDF-Dokument, kein Ereignisprotokoll."
    ]
    assert not [b for b in app.button if b.key == "logs_to_mapping"]
