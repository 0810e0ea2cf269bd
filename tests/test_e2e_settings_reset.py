""" "Auf Standard zurücksetzen" in a real browser: one click, and the field shows the standard.

AppTest reads the session state, not what the browser draws; a field that keeps its old value on
screen after the reset is only seen here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.browser import Page, browser_programs, chrome, streamlit_server
from tests.conftest import PROJECT

_FIELD = "//input[@aria-label='Mindestgruppengröße (Personen)']"


def test_one_click_shows_the_standard_in_the_field(tmp_path: Path) -> None:
    browser_programs()  # skips with a message where Debian's chromium is missing
    data = tmp_path / "daten"
    data.mkdir()
    (data / "arbeitsbereich.toml").write_text("min_group_size = 8\n", encoding="utf-8")
    env = {
        **os.environ,
        "PMO_DATABASE_URL": f"sqlite:///{tmp_path / 'pmo.sqlite3'}",
        "PMO_DATA_DIR": str(data),
        "PMO_USER": "Prozessmanagement",
    }
    subprocess.run([sys.executable, "-m", "pmo", "db", "upgrade"], cwd=PROJECT, env=env, check=True)
    with streamlit_server(PROJECT, env) as url:
        driver = chrome(tmp_path)
        try:
            from selenium.webdriver.common.by import By

            page = Page(driver, "settings-reset")
            driver.get(url)
            page.idle()
            page.open_page("Einstellungen")
            page.see("Auf Standard zurücksetzen")

            def shown() -> str:
                return driver.find_element(By.XPATH, _FIELD).get_attribute("value")

            assert shown() == "8"
            page.click_button("Auf Standard zurücksetzen")
            page.wait.until(lambda _driver: shown() == "5")
            page.see("gelten erst nach")
            page.shot("einstellungen-zurueckgesetzt")
        finally:
            driver.quit()
    # Shown, not saved: the office's value stays until "Einstellungen speichern".
    assert (data / "arbeitsbereich.toml").read_text(encoding="utf-8") == "min_group_size = 8\n"


_SHARE = "//input[@aria-label='RPA: übernommener Anteil der Bearbeitungszeit (0–1)']"


def test_one_click_puts_the_assumptions_back_on_screen(tmp_path: Path) -> None:
    browser_programs()
    env = {
        **os.environ,
        "PMO_DATABASE_URL": f"sqlite:///{tmp_path / 'pmo.sqlite3'}",
        "PMO_DATA_DIR": str(tmp_path / "daten"),
        "PMO_USER": "Prozessmanagement",
    }
    subprocess.run(
        [sys.executable, "-m", "pmo", "demo", "--no-logs"], cwd=PROJECT, env=env, check=True
    )
    with streamlit_server(PROJECT, env) as url:
        driver = chrome(tmp_path)
        try:
            from selenium.webdriver.common.by import By
            from selenium.webdriver.common.keys import Keys

            page = Page(driver, "assumptions-reset")
            driver.get(url)
            page.idle()
            page.open_page("Digitalisierung")
            page.see("Annahmen anpassen")
            driver.find_element(By.XPATH, "//summary[contains(., 'Annahmen anpassen')]").click()
            page.idle()

            def shown() -> str:
                return driver.find_element(By.XPATH, _SHARE).get_attribute("value")

            assert shown() == "0.80"
            field = driver.find_element(By.XPATH, _SHARE)
            field.send_keys(Keys.CONTROL, "a")
            field.send_keys("0.4", Keys.ENTER)
            page.idle()
            page.click_button("Neu berechnen")
            assert shown() == "0.40"
            page.click_button("Auf Standard zurücksetzen")
            page.wait.until(lambda _driver: shown() == "0.80")
        finally:
            driver.quit()
