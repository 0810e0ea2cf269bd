"""Page "Einstellungen": language for everyone, office settings and hourly rates for the office."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest

from process_registry import office_settings
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


def test_the_data_age_warning_is_an_office_setting_saved_from_the_page(data: Path) -> None:
    app = run_page("settings")
    assert app.number_input(key="settings_data_age_warning_days").value == 180
    app.number_input(key="settings_data_age_warning_days").set_value(365)
    app.button(key="settings_save_office").click().run()
    assert not app.exception
    assert _toml(data / "arbeitsbereich.toml")["data_age_warning_days"] == 365
    assert run_page("settings").number_input(key="settings_data_age_warning_days").value == 365


def test_land_office_hours_days_and_retention_are_saved_and_read_back(data: Path) -> None:
    app = run_page("settings")
    assert app.selectbox(key="settings_holiday_calendar").value == "NI"
    app.selectbox(key="settings_holiday_calendar").set_value("BY")
    app.time_input(key="settings_office_start").set_value(dt.time(7, 30))
    app.time_input(key="settings_office_end").set_value(dt.time(15, 30))
    app.multiselect(key="settings_working_days").set_value([0, 1, 2, 3])
    app.number_input(key="settings_retention_days").set_value(90)
    app.button(key="settings_save_office").click().run()
    assert not app.exception and not app.error
    assert _toml(data / "arbeitsbereich.toml") == {
        "min_group_size": 5,
        "working_time": False,
        "retention_days": 90,
        "holiday_calendar": "BY",
        "office_start": "07:30",
        "office_end": "15:30",
        "working_days": ["Mo", "Di", "Mi", "Do"],
    }
    # What the CLI, the reports and the import read is what the page saved.
    settings = office_settings(data)
    assert (settings.holiday_calendar, settings.retention_days) == ("BY", 90)
    assert (settings.office_start, settings.office_end) == (dt.time(7, 30), dt.time(15, 30))
    assert settings.working_days == (0, 1, 2, 3)
    again = run_page("settings")
    assert again.selectbox(key="settings_holiday_calendar").value == "BY"
    assert again.number_input(key="settings_retention_days").value == 90


def test_office_hours_ending_before_they_start_are_refused(data: Path) -> None:
    app = run_page("settings")
    app.time_input(key="settings_office_start").set_value(dt.time(16, 0))
    app.time_input(key="settings_office_end").set_value(dt.time(8, 0))
    app.button(key="settings_save_office").click().run()
    assert any("muss nach dem Beginn" in e.value for e in app.error)
    assert not (data / "arbeitsbereich.toml").exists()


def test_no_working_day_is_refused(data: Path) -> None:
    app = run_page("settings")
    app.multiselect(key="settings_working_days").set_value([])
    app.button(key="settings_save_office").click().run()
    assert any("mindestens ein Wochentag" in e.value for e in app.error)
    assert not (data / "arbeitsbereich.toml").exists()


def test_back_to_the_standard_shows_the_defaults_after_one_click(data: Path) -> None:
    (data / "arbeitsbereich.toml").write_text(
        'min_group_size = 8\nretention_days = 30\nholiday_calendar = "BE"\n', encoding="utf-8"
    )
    app = run_page("settings")
    assert app.number_input(key="settings_min_group_size").value == 8
    app.button(key="settings_reset_office").click().run()
    assert not app.exception
    assert app.number_input(key="settings_min_group_size").value == 5
    assert app.number_input(key="settings_retention_days").value == 365
    assert app.selectbox(key="settings_holiday_calendar").value == "NI"
    # Shown, not saved: the file changes only with "Einstellungen speichern".
    assert office_settings(data).min_group_size == 8
    app.button(key="settings_save_office").click().run()
    saved = office_settings(data)
    assert (saved.min_group_size, saved.retention_days, saved.holiday_calendar) == (5, 365, "NI")


def test_retention_from_the_environment_is_shown_but_not_editable(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMO_RETENTION_DAYS", "30")
    app = run_page("settings")
    field = app.number_input(key="settings_retention_days")
    assert field.value == 30 and field.disabled
    assert any("PMO_RETENTION_DAYS" in c.value for c in app.caption)
    app.button(key="settings_reset_office").click().run()
    assert app.number_input(key="settings_retention_days").value == 30  # what applies


def test_others_see_land_and_retention(
    office: Office, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (data / "arbeitsbereich.toml").write_text(
        'holiday_calendar = "BY"\nretention_days = 60\n', encoding="utf-8"
    )
    use_office(monkeypatch, office, role="department", data_dir=data)
    values = table(run_page("settings"), "Einstellung").set_index("Einstellung")["Wert"]
    assert values["Feiertage des Landes"] == "Bayern"
    assert values["Aufbewahrungsfrist importierter Protokolle (Tage)"] == "60"
    assert values["Dienstzeit"] == "08:00–16:00"
