"""Streamlit's own widget texts in a real Chromium: German on German pages, English on English.

Streamlit writes the uploader's button, its size line, a form's "Press Enter to submit form" and
the select boxes' "Choose an option" itself; AppTest never renders them, so only a browser sees
whether app_pages/_i18n.py's placeholders and CSS reach the installed version's DOM.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import Page, chrome, demo_office, streamlit_server
from tests.conftest import PROJECT

_ENGLISH_PLACEHOLDERS = {"Choose an option", "Choose options"}
_UPLOAD_WORD = """
const p = document.querySelector('[data-testid="stFileUploaderDropzone"] '
  + '[data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] p');
const after = getComputedStyle(p, '::after').content;
return after && after !== 'none' && after !== 'normal' ? JSON.parse(after) : p.textContent;
"""


@pytest.fixture
def office(tmp_path: Path) -> dict[str, str]:
    return demo_office(tmp_path, user="Frau Test", logs=False)


def _placeholders(page: Page) -> set[str]:
    from selenium.webdriver.common.by import By

    return {
        field.get_attribute("placeholder") or ""
        for field in page.driver.find_elements(By.CSS_SELECTOR, "input[placeholder]")
    }


def _shown(page: Page, css: str) -> list[str]:
    from selenium.webdriver.common.by import By

    return [e.text for e in page.driver.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()]


def _type_in_a_form(page: Page) -> None:
    """Type into the first text field of a form, which makes Streamlit show its instructions."""
    from selenium.webdriver.common.by import By

    fields = page.driver.find_elements(By.CSS_SELECTOR, '[data-testid="stForm"] input[type="text"]')
    field = next(f for f in fields if f.is_displayed())
    page.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", field)
    field.click()
    field.send_keys("x")


def test_streamlit_widget_texts_follow_the_language(office: dict[str, str]) -> None:
    with streamlit_server(PROJECT, office) as url:
        driver = chrome(Path(office["PMO_DATA_DIR"]))
        try:
            page = Page(driver, "language")
            driver.get(url)
            page.idle()
            page.see("Angemeldet als Frau Test")

            page.open_page("Ereignisprotokolle")
            page.see("höchstens 200 MB je Datei")
            assert driver.execute_script(_UPLOAD_WORD) == "Hochladen"
            assert not _shown(page, '[data-testid="stFileUploaderDropzoneInstructions"]')
            assert not _placeholders(page) & _ENGLISH_PLACEHOLDERS
            page.shot("sprache-01-upload-deutsch", focus='[data-testid="stFileUploader"]')

            page.open_page("Prozessregister")
            assert not _placeholders(page) & _ENGLISH_PLACEHOLDERS
            page.open_page("Berichte")
            assert not _placeholders(page) & _ENGLISH_PLACEHOLDERS
            _type_in_a_form(page)
            page.idle()
            # Streamlit renders its instruction (the test sees it in the DOM); German hides it.
            assert driver.find_elements("css selector", '[data-testid="InputInstructions"]')
            assert not _shown(page, '[data-testid="InputInstructions"]')

            page.choose("Sprache", "English")
            page.see("Signed in as Frau Test")
            page.open_page("Event logs")
            page.see("Upload")
            assert driver.execute_script(_UPLOAD_WORD) == "Upload"
            assert any("per file" in text for text in _shown(page, "section"))
            assert "höchstens" not in driver.find_element("tag name", "body").text
            assert "Choose an option" in _placeholders(page)
            page.shot("sprache-02-upload-englisch", focus='[data-testid="stFileUploader"]')
        finally:
            driver.quit()
