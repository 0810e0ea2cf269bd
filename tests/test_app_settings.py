"""Page "Einstellungen": language for everyone, office settings and hourly rates for the office."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.app_office import Office, make_office, run_page, table, use_office


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    return make_office(tmp_path_factory.mktemp("settings"), with_log=False)


@pytest.fixture
def data(office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data folder of its own, so each test starts from the shipped values."""
    use_office(monkeypatch, office, data_dir=tmp_path)
    return tmp_path


def _toml(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def test_office_settings_are_saved_and_a_small_group_needs_the_personalrat(data: Path) -> None:
    app = run_page("settings")
    assert app.title[0].value == "Einstellungen"
    assert app.number_input(key="settings_min_group_size").value == 5
    assert not app.warning
    app.number_input(key="settings_min_group_size").set_value(3)
    app.toggle(key="settings_working_time").set_value(True)
    app.button(key="settings_save_office").click().run()
    assert not app.exception
    assert _toml(data / "arbeitsbereich.toml") == {"min_group_size": 3, "working_time": True}
    assert any("Personalrat" in w.value for w in app.warning)


def test_a_minimum_group_of_one_is_refused(data: Path) -> None:
    app = run_page("settings")
    app.number_input(key="settings_min_group_size").set_value(1)
    app.button(key="settings_save_office").click().run()
    assert not app.exception
    assert any("mindestens 2 Personen" in e.value for e in app.error)
    assert not (data / "arbeitsbereich.toml").exists()


def test_a_negative_hourly_rate_is_refused_with_the_reason(data: Path) -> None:
    app = run_page("settings")
    app.number_input(key="settings_rate_E9b").set_value(-71.0)
    app.button(key="settings_save_rates").click().run()
    assert not app.exception
    assert any("Stundensatz E9b" in e.value and "positive Zahl" in e.value for e in app.error)
    assert not (data / "annahmen.toml").exists()


def test_changed_rates_go_into_the_assumptions_file_alone(data: Path) -> None:
    (data / "annahmen.toml").write_text("[rpa]\nautomation_share = 0.7\n", encoding="utf-8")
    app = run_page("settings")
    app.number_input(key="settings_rate_E9b").set_value(75.5)
    app.button(key="settings_save_rates").click().run()
    assert not app.exception and app.success
    saved = _toml(data / "annahmen.toml")
    assert saved == {"rpa": {"automation_share": 0.7}, "cost_rates_eur_per_hour": {"E9b": 75.5}}
    assert run_page("settings").number_input(key="settings_rate_E9b").value == 75.5


def test_others_see_the_values_read_only(
    office: Office, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (data / "arbeitsbereich.toml").write_text("min_group_size = 7\n", encoding="utf-8")
    use_office(monkeypatch, office, role="leadership", data_dir=data)
    app = run_page("settings")
    assert not app.number_input and not app.toggle
    values = table(app, "Einstellung").set_index("Einstellung")["Wert"]
    assert values["Mindestgruppengröße (Personen)"] == "7"
    rates = table(app, "Entgeltgruppe").set_index("Entgeltgruppe")["Euro je Stunde"]
    assert rates["E9b"] == "71,00 €"  # German notation, as the tiles and reports write euros


def test_the_language_switch_shows_english_titles(data: Path) -> None:
    app = run_page("settings")
    app.radio(key="settings_language").set_value("en").run()
    assert not app.exception
    assert app.session_state["pmo_language"] == "en"
    assert app.title[0].value == "Settings"
    assert app.subheader[0].value == "Language of the workspace"
