"""The Prozessregister page as a user meets it, driven through Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages._bpmn_viewer import viewer_available
from process_registry import Database, Registry, load_catalogue_folder, upgrade_schema
from tests.conftest import PROJECT, SAMPLE_MODELS, bpmn_file

WOHNGELD = SAMPLE_MODELS / "wohngeld.bpmn"
BROKEN_BPMN = b'<?xml version="1.0"?>\n<bpmn:definitions xmlns:bpmn="x">\n  <bpmn:process id="p">\n'


@pytest.fixture
def workspace(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Registry:
    monkeypatch.setenv("PMO_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("PMO_DATA_DIR", str(tmp_path / "daten"))
    monkeypatch.setenv("PMO_USER", "pm.mueller")
    monkeypatch.chdir(PROJECT)
    db = Database(sqlite_url)
    upgrade_schema(db)
    return Registry(db)


@pytest.fixture
def samples(workspace: Registry) -> Registry:
    load_catalogue_folder(workspace, SAMPLE_MODELS, author="demo")
    return workspace


def _renamed_wohngeld() -> bytes:
    """Version 2 of the sample: one task relabelled."""
    text = WOHNGELD.read_text(encoding="utf-8")
    return text.replace('name="Antrag prüfen"', 'name="Online-Antrag prüfen"', 1).encode()


def _registry_page(language: str = "de") -> AppTest:
    app = AppTest.from_file(str(PROJECT / "app_pages" / "registry.py"), default_timeout=120)
    app.session_state["pmo_language"] = language
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _open(app: AppTest, key: str) -> AppTest:
    app.selectbox(key="registry_selected").set_value(key).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _frame(app: AppTest, column: str):  # noqa: ANN202 - a pandas DataFrame
    """The first table on the page with that column (AppTest does not expose dataframe keys)."""
    return next(d.value for d in app.dataframe if column in d.value.columns)


def _click(app: AppTest, label: str) -> None:
    next(b for b in app.button if b.label == label).click().run()
    assert not app.exception, [e.value for e in app.exception]


def _keys(app: AppTest) -> list[str]:
    return list(app.dataframe[0].value["Schlüssel"])


def test_registry_page_lists_registered_processes(workspace: Registry) -> None:
    for key, name, department in [
        ("hundesteuer", "Hundesteuer anmelden", "Fachdienst Steuern"),
        ("wohngeld", "Wohngeld bewilligen", "Fachdienst Soziales"),
    ]:
        workspace.add_process(
            bpmn_file("miwg-reference/A.1.0.bpmn"),
            key=key,
            name=name,
            department=department,
            author="a",
        )
    app = _registry_page()
    assert app.title[0].value == "Prozessregister"
    table = app.dataframe[0].value
    assert set(table["Leistung"]) == {"Hundesteuer anmelden", "Wohngeld bewilligen"}
    assert set(table["Fachdienst"]) == {"Fachdienst Steuern", "Fachdienst Soziales"}


def test_registry_page_lists_the_sample_registry(samples: Registry) -> None:
    """What a newcomer sees after `make run`: the Musterstadt services, searchable."""
    app = _registry_page()
    table = app.dataframe[0].value
    assert len(table) == len(samples.list_processes()) >= 6
    assert "Wohngeld (Mietzuschuss)" in set(table["Leistung"])
    app.text_input(key="registry_search").set_value("wohngeld").run()
    assert _keys(app) == ["wohngeld"]


def test_filters_narrow_the_catalogue(samples: Registry) -> None:
    app = _registry_page()
    app.multiselect(key="registry_departments").set_value(["Fachdienst Finanzen"]).run()
    assert _keys(app) == ["gebuehren-erheben"]
    app.multiselect(key="registry_departments").set_value([]).run()
    app.multiselect(key="registry_tags").set_value(["Teilprozess"]).run()
    assert _keys(app) == ["gebuehren-erheben"]
    app.multiselect(key="registry_tags").set_value([]).run()
    app.multiselect(key="registry_ozg").set_value(["3 (OZG 1.1)"]).run()
    expected = {
        p.key
        for p in samples.list_processes()
        if (p.ozg_maturity_level, p.ozg_maturity_scale) == (3, "1.1")
    }
    assert set(_keys(app)) == expected and 0 < len(expected) < len(samples.list_processes())
    samples.update_process("wohngeld", {"status": "archiviert"}, expected_revision=1, actor="x")
    app.multiselect(key="registry_ozg").set_value([]).run()
    app.multiselect(key="registry_status").set_value(["archiviert"]).run()
    assert _keys(app) == ["wohngeld"]


def test_detail_view_shows_versions_diff_and_lint_findings(samples: Registry) -> None:
    samples.add_process(
        bpmn_file("bpmnlint-rule-examples/label-required-incorrect.bpmn"),
        key="ohne-namen",
        name="Ohne Beschriftung",
        department="Fachdienst Test",
        author="a",
        leika_key="keine",
    )
    renamed = _renamed_wohngeld()
    samples.add_version("wohngeld", renamed, author="b", comment="Onlineantrag")
    app = _open(_registry_page(), "wohngeld")
    versions = _frame(app, "SHA-256")
    assert list(versions["Version"]) == [2, 1]
    assert "Onlineantrag" in set(versions["Kommentar"])
    assert any("Online-Antrag prüfen" in str(table.value.values) for table in app.table)
    # The model, and old and new side by side (without the front-end: a warning instead).
    assert len(app.get("iframe")) == (3 if viewer_available() else 0)
    assert any("nichts zu beanstanden" in s.value for s in app.success)
    _open(app, "ohne-namen")
    findings = _frame(app, "Regel")
    assert set(findings["Regel"]) == {"label-required"}
    assert len(findings) == 3


def test_an_invalid_bpmn_upload_shows_the_reason_and_stores_nothing(samples: Registry) -> None:
    app = _open(_registry_page(), "wohngeld")
    app.file_uploader(key="registry_upload_wohngeld_file").set_value(
        ("kaputt.bpmn", BROKEN_BPMN, "application/xml")
    )
    _click(app, "Als neue Version speichern")
    assert not app.exception
    assert any("kaputt.bpmn, Zeile" in e.value for e in app.error), [e.value for e in app.error]
    assert len(samples.get_process("wohngeld").versions) == 1


def test_a_valid_upload_becomes_the_new_version_and_can_be_restored(samples: Registry) -> None:
    app = _open(_registry_page(), "wohngeld")
    renamed = _renamed_wohngeld()
    app.file_uploader(key="registry_upload_wohngeld_file").set_value(
        ("wohngeld-v2.bpmn", renamed, "application/xml")
    )
    app.text_input(key="registry_upload_wohngeld_comment").set_value("Onlineantrag")
    _click(app, "Als neue Version speichern")
    assert not app.exception and not app.error, [e.value for e in app.error]
    record = samples.get_process("wohngeld")
    assert [(v.number, v.author, v.comment) for v in record.versions][-1] == (
        2,
        "pm.mueller",
        "Onlineantrag",
    )
    assert any("Version 2 gespeichert" in s.value for s in app.success)
    app.selectbox(key="registry_restore_wohngeld_number").set_value(1)
    app.button[
        [b.label for b in app.button].index("Als neue Version wiederherstellen")
    ].click().run()
    head = samples.get_process("wohngeld").head
    assert (head.number, head.restored_from) == (3, 1)
    assert samples.export_version("wohngeld", 3) == WOHNGELD.read_bytes()


def test_a_stale_metadata_edit_shows_the_conflict_and_keeps_the_other_change(
    samples: Registry,
) -> None:
    app = _open(_registry_page(), "wohngeld")
    revision = samples.get_process("wohngeld").revision
    # A colleague saves while this user still has the form open.
    samples.update_process(
        "wohngeld", {"owner": "Frau Kollegin"}, expected_revision=revision, actor="kollegin"
    )
    app.text_input(key=f"registry_edit_wohngeld_{revision}_owner").set_value("Herr Ich")
    _click(app, "Katalogdaten speichern")
    assert not app.exception
    assert any("inzwischen von kollegin geändert" in e.value for e in app.error)
    conflict = next(t.value for t in app.table if "Jetzt gespeichert" in t.value.columns)
    row = conflict.set_index("Feld").loc["Verantwortlich"]
    assert row["Jetzt gespeichert"] == "Frau Kollegin"
    assert row["Ihre Eingabe (nicht gespeichert)"] == "Herr Ich"
    assert samples.get_process("wohngeld").owner == "Frau Kollegin"
    # After loading the current state, the same edit goes through.
    app.button(key="registry_reload_wohngeld").click().run()
    fresh = samples.get_process("wohngeld").revision
    app.text_input(key=f"registry_edit_wohngeld_{fresh}_owner").set_value("Herr Ich")
    _click(app, "Katalogdaten speichern")
    assert samples.get_process("wohngeld").owner == "Herr Ich"


def test_the_edit_form_sets_and_clears_where_the_deadline_runs(samples: Registry) -> None:
    key, complete = "baugenehmigung", "Eingang des vollständigen Bauantrags bestätigen"
    app = _open(_registry_page(), key)
    revision = samples.get_process(key).revision
    start = app.text_input(key=f"registry_edit_{key}_{revision}_deadline_starts_with")
    assert start.value == complete
    start.set_value("Nachgereichte Bauvorlagen entgegennehmen")
    app.text_input(key=f"registry_edit_{key}_{revision}_deadline_ends_with").set_value(
        "Baugenehmigung zustellen"
    )
    _click(app, "Katalogdaten speichern")
    assert not app.error, [e.value for e in app.error]
    record = samples.get_process(key)
    assert (record.deadline_starts_with, record.deadline_ends_with) == (
        "Nachgereichte Bauvorlagen entgegennehmen",
        "Baugenehmigung zustellen",
    )
    entry = samples.audit_trail(key)[0]
    assert entry.actor == "pm.mueller"
    assert entry.details["changes"]["deadline_starts_with"] == [
        complete,
        "Nachgereichte Bauvorlagen entgegennehmen",
    ]
    shown = next(t.value for t in app.table if "Wert" in t.value.columns).set_index("Feld")
    assert shown.loc["Frist endet mit (Schritt im Protokoll)", "Wert"] == "Baugenehmigung zustellen"
    # Emptying the field clears it: the clock stops at the case's last event again.
    app.text_input(key=f"registry_edit_{key}_{record.revision}_deadline_ends_with").set_value("")
    _click(app, "Katalogdaten speichern")
    assert samples.get_process(key).deadline_ends_with is None


def test_a_stale_edit_of_the_deadline_start_shows_the_conflict(samples: Registry) -> None:
    key = "baugenehmigung"
    app = _open(_registry_page(), key)
    revision = samples.get_process(key).revision
    samples.update_process(
        key,
        {"deadline_starts_with": "Nachgereichte Bauvorlagen entgegennehmen"},
        expected_revision=revision,
        actor="kollegin",
    )
    app.text_input(key=f"registry_edit_{key}_{revision}_deadline_starts_with").set_value(
        "Bauantrag auf Vollständigkeit prüfen"
    )
    _click(app, "Katalogdaten speichern")
    assert any("inzwischen von kollegin geändert" in e.value for e in app.error)
    conflict = next(t.value for t in app.table if "Jetzt gespeichert" in t.value.columns)
    row = conflict.set_index("Feld").loc["Frist beginnt mit (Schritt im Protokoll)"]
    assert row["Jetzt gespeichert"] == "Nachgereichte Bauvorlagen entgegennehmen"
    assert row["Ihre Eingabe (nicht gespeichert)"] == "Bauantrag auf Vollständigkeit prüfen"
    assert samples.get_process(key).deadline_starts_with == (
        "Nachgereichte Bauvorlagen entgegennehmen"
    )


def test_status_change_by_a_process_manager(samples: Registry) -> None:
    app = _open(_registry_page(), "wohngeld")
    revision = samples.get_process("wohngeld").revision
    app.selectbox(key=f"registry_status_wohngeld_{revision}_value").set_value("archiviert")
    _click(app, "Status speichern")
    assert not app.exception and not app.error
    assert samples.get_process("wohngeld").status == "archiviert"


@pytest.mark.parametrize(
    ("role", "department"),
    [("department", "Fachdienst Wohnen"), ("leadership", None)],
)
def test_departments_and_leadership_read_without_edit_controls(
    samples: Registry, monkeypatch: pytest.MonkeyPatch, role: str, department: str | None
) -> None:
    monkeypatch.setenv("PMO_LOCAL_ROLE", role)
    if department:
        monkeypatch.setenv("PMO_LOCAL_DEPARTMENT", department)
    app = _registry_page()
    if department:  # a department starts with its own services, and may see all
        assert _keys(app) == ["wohngeld"]
        app.multiselect(key="registry_departments").set_value([]).run()
    assert len(_keys(app)) == len(samples.list_processes())
    _open(app, "wohngeld")
    assert "Bearbeiten" not in [tab.label for tab in app.tabs]
    assert not app.file_uploader
    assert not [b for b in app.button if b.label != "Version 1 herunterladen (BPMN)"]
    assert any("Nur lesen" in c.value for c in app.caption)


def test_the_english_switch_translates_the_page(samples: Registry) -> None:
    app = _registry_page(language="en")
    assert app.title[0].value == "Process registry"
    assert "Service" in app.dataframe[0].value.columns
    assert "Diagram" in [tab.label for tab in app.tabs]


def test_without_the_front_end_the_tables_still_work(
    samples: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app_pages import _bpmn_viewer

    monkeypatch.setattr(_bpmn_viewer, "DIST", tmp_path / "nothing")
    app = _open(_registry_page(), "wohngeld")
    assert any("make install" in w.value for w in app.warning)
    assert not app.get("iframe")
    assert list(_frame(app, "SHA-256")["Version"]) == [1]


def test_empty_registry_explains_how_to_load_samples(workspace: Registry) -> None:
    app = _registry_page()
    assert any("pmo demo" in info.value for info in app.info)


def test_unreachable_database_shows_an_error_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PMO_DATABASE_URL", "postgresql+psycopg://x@127.0.0.1:1/x?connect_timeout=2")
    monkeypatch.chdir(PROJECT)
    app = AppTest.from_file(str(PROJECT / "app_pages" / "registry.py"), default_timeout=120)
    app.run()
    assert not app.exception
    assert "nicht erreichbar" in app.error[0].value
