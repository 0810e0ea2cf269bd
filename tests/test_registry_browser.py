"""The Prozessregister in a real headless Chromium: after saving catalogue data the user is still
on the tab they worked in and reads the message there (Streamlit tabs used to reset to the
first tab on the rerun a save causes)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from process_registry import Database, Registry, load_catalogue_folder, upgrade_schema
from tests.browser import Page, browser_programs, chrome, streamlit_server
from tests.conftest import PROJECT, SAMPLE_MODELS


@pytest.fixture
def office(tmp_path: Path) -> dict[str, str]:
    browser_programs()  # skips with a message where Debian's chromium is missing
    url = f"sqlite:///{tmp_path / 'pmo.sqlite3'}"
    db = Database(url)
    upgrade_schema(db)
    load_catalogue_folder(Registry(db), SAMPLE_MODELS, author="demo")
    db.dispose()
    return {
        **os.environ,
        "PMO_DATABASE_URL": url,
        "PMO_DATA_DIR": str(tmp_path / "daten"),
        "PMO_USER": "Anna Beispiel",
    }


def test_saving_catalogue_data_stays_on_the_edit_tab(
    office: dict[str, str], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    with streamlit_server(PROJECT, office) as url:
        driver = chrome(tmp_path)
        try:
            page = Page(driver, "registry")
            driver.get(url)
            page.idle()
            page.open_page("Prozessregister")
            page.open_tab("Bearbeiten")
            owner = page.wait.until(
                lambda d: [
                    field
                    for field in d.find_elements(By.XPATH, "//input[@aria-label='Verantwortlich']")
                    if field.is_displayed()
                ]
            )[0]
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", owner)
            owner.clear()
            owner.send_keys("Team Bürgerservice")
            page.click_button("Katalogdaten speichern")
            page.see("Änderungen gespeichert.")
            selected = driver.find_element(By.XPATH, "//*[@role='tab'][@aria-selected='true']")
            assert "Bearbeiten" in selected.text
            # In the form, beside the button the user clicked.
            message = driver.find_element(
                By.XPATH,
                "//*[@data-testid='stForm'][.//button[contains(., 'Katalogdaten speichern')]]"
                "//*[@data-testid='stAlert'][contains(., 'Änderungen gespeichert.')]",
            )
            assert message.is_displayed()
            page.shot("saved-on-edit-tab", focus="[data-testid='stForm'] [data-testid='stAlert']")
        finally:
            driver.quit()
