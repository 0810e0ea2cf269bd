"""The reference log in the workspace: the Übersicht shows the log that speaks for a process, a
process manager chooses it on the Protokolle page, the wizard warns and suggests (issue 14,
item 6)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from mining import LogStore
from pmo import model_review
from pmo._sample_logs import FOLDER, render, sample_options, samples
from process_registry import Database, Registry, load_catalogue_folder, upgrade_schema
from tests.app_office import Office, run_page, table, use_office
from tests.conftest import PROJECT, SAMPLE_MODELS

HUNDESTEUER = "hundesteuer-anmeldung"
TAXES = "Fachdienst Steuern und Abgaben"
SAMPLE = next(s for s in samples() if s.key == HUNDESTEUER)


def _test_upload(folder: Path) -> Path:
    """The department's 67-case test extract (the generator at a smaller volume)."""
    path = folder / "testexport.csv"
    path.write_bytes(render(SAMPLE, 134))
    return path


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> tuple[Office, dict[str, str]]:
    """The sample registry with the 1,150-case Hundesteuer log, then the 67-case test upload."""
    folder = tmp_path_factory.mktemp("reference")
    url = f"sqlite:///{folder / 'pmo.sqlite3'}"
    db = Database(url)
    upgrade_schema(db)
    registry = Registry(db)
    load_catalogue_folder(registry, SAMPLE_MODELS, author="demo")
    store = LogStore(db, folder / "daten")
    ids = {}
    for name, path in (("full", FOLDER / SAMPLE.file_name), ("test", _test_upload(folder))):
        result = store.import_file(
            path,
            uploader="fd-steuern",
            options=sample_options(HUNDESTEUER),
            review=model_review(registry),
        )
        ids[name] = result.log_id
    record = registry.get_process(HUNDESTEUER)
    db.dispose()
    return Office(url, folder / "daten", record.name, record.department), ids


def _reference_row(app: AppTest, name: str) -> tuple[str, str]:
    rows = table(app, "Referenzprotokoll").set_index("Prozess")
    return rows.loc[name, "Referenzprotokoll"], rows.loc[name, "Warum dieses"]


def test_the_overview_keeps_the_full_log_and_a_chosen_one_replaces_it(
    office: tuple[Office, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    place, ids = office
    use_office(monkeypatch, place)
    overview = run_page("overview")
    log_id, reason = _reference_row(overview, place.hundesteuer_name)
    assert log_id == f"{ids['full']} · {SAMPLE.file_name}"
    assert reason == "neuestes ohne Warnung"

    # The Protokolle page marks the reference and names the test upload's warning.
    logs = run_page("logs")
    listed = table(logs, "Referenz").set_index("Kennung")
    assert listed.loc[ids["full"], "Referenz"] == "✓ spricht für den Prozess"
    assert listed.loc[ids["test"], "Referenz"] == ""
    assert listed.loc[ids["test"], "Warnungen"] == "zu wenige Fälle"

    # A process manager chooses the test upload; the overview follows the choice.
    logs.selectbox(key="logs_reference_process").set_value(HUNDESTEUER).run()
    revision = Registry(Database(place.url)).get_process(HUNDESTEUER).revision
    logs.selectbox(key=f"logs_reference_{HUNDESTEUER}_{revision}").set_value(ids["test"]).run()
    logs.button(key="logs_reference_save").click().run()
    assert not logs.exception, [e.value for e in logs.exception]
    assert [s.value for s in logs.success] == [f"Referenzprotokoll für {HUNDESTEUER} gespeichert."]
    registry = Registry(Database(place.url))
    assert registry.get_process(HUNDESTEUER).reference_log_id == ids["test"]
    assert registry.audit_trail(HUNDESTEUER)[0].actor == "Frau Test"
    overview = run_page("overview")
    assert _reference_row(overview, place.hundesteuer_name) == (
        f"{ids['test']} · testexport.csv",
        "gewählt",
    )

    # "automatisch" returns to the default rule.
    revision = registry.get_process(HUNDESTEUER).revision
    logs = run_page("logs")
    logs.selectbox(key="logs_reference_process").set_value(HUNDESTEUER).run()
    logs.selectbox(key=f"logs_reference_{HUNDESTEUER}_{revision}").set_value("").run()
    logs.button(key="logs_reference_save").click().run()
    assert Registry(Database(place.url)).get_process(HUNDESTEUER).reference_log_id is None


def test_a_department_sees_the_reference_but_cannot_choose_it(
    office: tuple[Office, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    place, ids = office
    use_office(monkeypatch, place, role="department", department=TAXES)
    logs = run_page("logs")
    listed = table(logs, "Referenz").set_index("Kennung")
    assert listed.loc[ids["full"], "Referenz"] == "✓ spricht für den Prozess"
    assert not [box for box in logs.selectbox if box.key == "logs_reference_process"]
    assert not [button for button in logs.button if button.key == "logs_reference_save"]


@pytest.fixture
def empty_office(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LogStore:
    monkeypatch.setenv("PMO_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("PMO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PMO_USER", "anna.amsel")
    monkeypatch.delenv("PMO_LOCAL_ROLE", raising=False)
    monkeypatch.delenv("PMO_LOCAL_DEPARTMENT", raising=False)
    monkeypatch.chdir(PROJECT)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    db = Database(sqlite_url)
    upgrade_schema(db)
    load_catalogue_folder(Registry(db), SAMPLE_MODELS, author="demo")
    return LogStore(db, tmp_path / "data")


def _step(app: AppTest, key: str) -> None:
    app.button(key=key).click().run()
    assert not app.exception, [e.value for e in app.exception]


def test_the_wizard_warns_suggests_the_process_and_links_it(
    empty_office: LogStore, tmp_path: Path
) -> None:
    upload = _test_upload(tmp_path)
    app = AppTest.from_file(str(PROJECT / "app_pages" / "logs.py"), default_timeout=120)
    app.run()
    app.file_uploader[0].set_value((upload.name, upload.read_bytes(), "text/csv")).run()
    _step(app, "logs_to_mapping")
    app.selectbox(key="logs_map_case").set_value("Vorgangsnummer")
    app.selectbox(key="logs_map_activity").set_value("Tätigkeit")
    app.selectbox(key="logs_map_timestamp").set_value("Ende")
    app.selectbox(key="logs_map_start_timestamp").set_value("Beginn").run()
    _step(app, "logs_to_check")  # no process linked

    suggestion = "Vorschlag: „Hundesteuer – Anmeldung eines Hundes“ – 9 von 9 Tätigkeiten (100 %)"
    assert any(info.value.startswith(suggestion) for info in app.info)
    assert [w.value for w in app.warning] == [
        "Nur 67 Fälle, weniger als 100 (min_cases in arbeitsbereich.toml): zu wenige, um für den "
        "Prozess zu sprechen."
    ]
    _step(app, "logs_link_suggestion")
    assert app.session_state["logs_mapping"]["process"] == HUNDESTEUER
    assert any(
        c.value.startswith("Modellabgleich: 9 von 9 Tätigkeiten (100 %)") for c in app.caption
    )
    assert not any(info.value.startswith("Vorschlag") for info in app.info)

    _step(app, "logs_to_privacy")
    app.checkbox(key="logs_privacy_ack").check().run()
    _step(app, "logs_import")
    [log] = empty_office.list_logs()
    assert (log.process, log.cases) == (HUNDESTEUER, 67)
    assert [c["check"] for c in log.checks] == ["small"]
    assert any("zu wenige, um für den Prozess zu sprechen" in w.value for w in app.warning)


def test_the_analysis_tells_the_reference_log_from_the_newer_test_upload(
    office: tuple[Office, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    place, ids = office
    use_office(monkeypatch, place)
    choice = run_page("analysis").selectbox(key="analysis_log_choice")
    assert choice.format_func(ids["full"]).endswith(" · Referenzprotokoll")
    assert not choice.format_func(ids["test"]).endswith(" · Referenzprotokoll")
