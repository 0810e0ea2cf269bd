"""The Prozessregister page after a save: the user stays where they clicked, sees the new
version and reads the message there; the release rule with its override; the history as text."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from process_registry import Database, Registry, load_catalogue_folder, upgrade_schema
from tests.conftest import PROJECT, SAMPLE_MODELS, bpmn_file
from tests.test_app_registry import _click, _open, _registry_page

FAULTY = bpmn_file("bpmnlint-rule-examples/label-required-incorrect.bpmn")
RELEASED = "fachlich freigegeben"


@pytest.fixture
def samples(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Registry:
    monkeypatch.setenv("PMO_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("PMO_DATA_DIR", str(tmp_path / "daten"))
    monkeypatch.setenv("PMO_USER", "pm.mueller")
    monkeypatch.chdir(PROJECT)
    db = Database(sqlite_url)
    upgrade_schema(db)
    registry = Registry(db)
    load_catalogue_folder(registry, SAMPLE_MODELS, author="demo")
    return registry


def _messages(container) -> list[str]:  # noqa: ANN001 - an AppTest block
    return [m.value for m in container.success] + [m.value for m in container.warning]


def _edit_tab(app: AppTest):  # noqa: ANN202 - an AppTest Tab
    return next(tab for tab in app.tabs if tab.label == "Bearbeiten")


def _on_edit_tab(app: AppTest) -> AppTest:
    app.session_state["registry_tab"] = "Bearbeiten"
    app.run()
    return app


def test_saving_catalogue_data_keeps_the_tab_and_shows_the_message_there(
    samples: Registry,
) -> None:
    app = _on_edit_tab(_open(_registry_page(), "wohngeld"))
    revision = samples.get_process("wohngeld").revision
    app.number_input(key=f"registry_edit_wohngeld_{revision}_legal_deadline_days").set_value(90)
    _click(app, "Katalogdaten speichern")
    assert samples.get_process("wohngeld").legal_deadline_days == 90
    assert app.session_state["registry_tab"] == "Bearbeiten"
    assert "Änderungen gespeichert." in _messages(_edit_tab(app))
    # Only there, not at the top of the page above the tabs, where it would be out of sight.
    assert [m.value for m in app.success].count("Änderungen gespeichert.") == 1


def test_after_a_new_version_the_picker_shows_it(samples: Registry) -> None:
    app = _open(_registry_page(), "wohngeld")
    assert app.selectbox(key="registry_diagram_version_wohngeld_1").value == 1
    app = _on_edit_tab(app)
    app.file_uploader(key="registry_upload_wohngeld_file").set_value(
        ("v2.bpmn", samples.export_version("wohngeld"), "application/xml")
    )
    _click(app, "Als neue Version speichern")
    assert app.selectbox(key="registry_diagram_version_wohngeld_2").value == 2
    assert app.session_state["registry_tab"] == "Bearbeiten"
    assert any("Version 2 gespeichert" in m for m in _messages(_edit_tab(app)))


def _status(app: AppTest, samples: Registry, value: str, reason: str = "") -> AppTest:
    revision = samples.get_process("wohngeld").revision
    app.selectbox(key=f"registry_status_wohngeld_{revision}_value").set_value(value)
    app.text_input(key=f"registry_status_wohngeld_{revision}_override").set_value(reason)
    _click(app, "Status speichern")
    return app


def test_a_release_with_lint_errors_is_refused_in_place_then_overridden(
    samples: Registry,
) -> None:
    samples.add_version("wohngeld", FAULTY, author="bob")
    app = _on_edit_tab(_open(_registry_page(), "wohngeld"))
    assert any("3 Fehler der Modellprüfung" in c.value for c in _edit_tab(app).caption)
    app = _status(app, samples, RELEASED)
    [error] = [e.value for e in _edit_tab(app).error]
    assert "kann nicht „fachlich freigegeben“ werden" in error and "label-required" in error
    assert samples.get_process("wohngeld").status != RELEASED
    app = _status(app, samples, RELEASED, "Beschriftung folgt")
    assert samples.get_process("wohngeld").status == RELEASED
    assert app.session_state["registry_tab"] == "Bearbeiten"
    sentences = next(d.value for d in app.dataframe if "Was geschah" in d.value.columns)
    assert sentences["Was geschah"][0] == (
        "pm.mueller setzte den Status von „methodisch freigegeben“ auf „fachlich freigegeben“ "
        "(trotz 3 Lint-Fehlern: Beschriftung folgt)"
    )


def test_a_faulty_upload_on_a_released_process_says_it_was_withdrawn(samples: Registry) -> None:
    samples.set_status("wohngeld", RELEASED, actor="anna")
    app = _on_edit_tab(_open(_registry_page(), "wohngeld"))
    app.file_uploader(key="registry_upload_wohngeld_file").set_value(
        ("kaputt.bpmn", FAULTY, "application/xml")
    )
    _click(app, "Als neue Version speichern")
    [warning] = [w.value for w in _edit_tab(app).warning if "zurückgesetzt" in w.value]
    assert "Version 2 gespeichert." in warning
    assert "von „fachlich freigegeben“ auf „in Bearbeitung“ zurückgesetzt" in warning
    assert samples.get_process("wohngeld").status == "in Bearbeitung"
    assert not [w.value for w in app.warning if "inzwischen" in w.value]
