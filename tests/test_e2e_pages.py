"""Every page of the workspace in a real Chromium, in German and in English, as users read it.

The sample office (`pmo demo`: the sample registry with its logs) is opened page by page in
both languages; each page's visible text must hold no "None"/"nan", no number in the other
language's notation, and none of the other language's interface words. The screenshots go to the
test artifacts (tests/browser.py), from where the README's are taken.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser import Page, chrome, demo_office, streamlit_server
from tests.conftest import PROJECT

PAGES = {
    "de": [
        "Übersicht",
        "Prozessregister",
        "Ereignisprotokolle",
        "Analyse",
        "Digitalisierung",
        "Berichte",
        "Einstellungen",
    ],
    "en": [
        "Overview",
        "Process registry",
        "Event logs",
        "Analysis",
        "Digitization",
        "Reports",
        "Settings",
    ],
}
# Interface words of the other language that must not show (names from the data may be German).
FOREIGN = {
    "de": [
        "Choose an option",
        "Drag and drop",
        "Press Enter to submit",
        "Signed in as",
        "per file",
    ],
    "en": ["Angemeldet als", "Bitte wählen", "Hochladen", "Seite", "Zusammenfassung für die"],
}
MISSING = re.compile(r"\b(None|nan|NaN|NaT)\b")
# Numbers in the other notation: German pages have no "3.32 %" or "294,010"; English pages no
# "6,54" (a decimal comma) or "10.461" (a thousands dot).
OTHER_NOTATION = {
    "de": re.compile(r"(?<![\d.,])\d+\.\d+\s?%|(?<![\d.,])\d{2,3},\d{3}(?![\d,])"),
    "en": re.compile(r"(?<![\d.,])\d+,\d{1,2}(?![\d,])|(?<![\d.,])\d{1,3}\.\d{3}(?![\d.])"),
}


@pytest.fixture
def office(tmp_path: Path) -> dict[str, str]:
    return demo_office(tmp_path, user="Frau Test")


def _problems(text: str, lang: str) -> list[str]:
    found = [f"fehlender Wert „{m.group(0)}“" for m in MISSING.finditer(text)]
    found += [
        f"andere Zahlschreibweise „{m.group(0)}“" for m in OTHER_NOTATION[lang].finditer(text)
    ]
    found += [f"Wort der anderen Sprache „{w}“" for w in FOREIGN[lang] if w in text]
    return found


def _whole_page_shot(page: Page, step: str) -> None:
    """The whole page in one picture: the window grows to the page's height for the shot."""
    height = page.driver.execute_script(
        "const main = document.querySelector('[data-testid=\"stMain\"]');"
        "return main ? main.scrollHeight : document.body.scrollHeight;"
    )
    page.driver.set_window_size(1440, min(max(int(height) + 40, 1000), 8000))
    page.idle()
    page.shot(step)
    page.driver.set_window_size(1440, 1000)


def test_every_page_reads_right_in_german_and_in_english(office: dict[str, str]) -> None:
    with streamlit_server(PROJECT, office) as url:
        driver = chrome(Path(office["PMO_DATA_DIR"]))
        try:
            page = Page(driver, "seiten")
            driver.get(url)
            page.idle()
            problems: dict[str, list[str]] = {}
            for lang in ("de", "en"):
                if lang == "en":
                    page.choose("Sprache", "English")
                    page.see("Signed in as")
                for number, title in enumerate(PAGES[lang], start=1):
                    page.open_page(title)
                    page.see(title)
                    text = driver.find_element("tag name", "body").text
                    found = _problems(text, lang)
                    if found:
                        problems[f"{lang}: {title}"] = found
                    _whole_page_shot(page, f"{lang}-{number:02d}")
            assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())
        finally:
            driver.quit()
