"""The BPMN diagram in the browser: bpmn-js served from the checkout, and data that stays data."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages import _bpmn_viewer as viewer
from app_pages._bpmn_viewer import (
    DetailRow,
    ElementDetails,
    Overlay,
    render_html,
    viewer_available,
)
from tests.conftest import BPMN_DATA, SAMPLE_MODELS

ATTACK = "</script><script>alert(1)</script>"
# In the browser an alert() would block the headless page, so the attack there marks the title.
MARK = "document.title='pwned'"
BROWSER_ATTACK = f'</script><script>{MARK}</script><img src=x onerror="{MARK}">'
CHROMIUM = Path("/usr/bin/chromium")

needs_frontend = pytest.mark.skipif(
    not viewer_available(), reason="front-end not installed: run `make install` (npm ci)"
)


def _model_with_label(label: str, *, encoding: str = "UTF-8") -> bytes:
    """The sample Hundesteuer model with its first task renamed to ``label`` (XML-escaped)."""
    text = (SAMPLE_MODELS / "hundesteuer-anmeldung.bpmn").read_text(encoding="utf-8")
    escaped = label.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace('name="Papieranmeldung scannen"', f'name="{escaped}"', 1)
    assert escaped in text
    text = re.sub(r"^<\?xml[^>]*\?>", f'<?xml version="1.0" encoding="{encoding}"?>', text)
    return text.encode(encoding)


def _payload(html: str) -> dict:
    match = re.search(r"<script type='application/json' id='pmo-data'>(.*?)</script>", html, re.S)
    assert match, "no data block"
    return json.loads(match.group(1))


@needs_frontend
def test_the_page_carries_the_bundle_and_loads_nothing_from_outside() -> None:
    html = render_html((SAMPLE_MODELS / "wohngeld.bpmn").read_bytes())
    assert "bpmn-navigated-viewer v18" in html
    assert ".djs-container" in html  # diagram-js.css is inlined, so shapes and overlays are styled
    assert not re.search(r"<script[^>]*\ssrc\s*=", html, re.I)
    assert not re.search(r"<link[^>]*\shref\s*=", html, re.I)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", html, re.I)


@needs_frontend
def test_markup_in_a_label_or_overlay_stays_inert_data() -> None:
    xml = _model_with_label(ATTACK)
    html = render_html(
        xml, {"Activity_PapieranmeldungScannen": Overlay(label=ATTACK, tooltip=ATTACK)}
    )
    # Exactly our three script elements: the data block, bpmn-js, and our start-up code.
    assert len(re.findall(r"<script", html, re.I)) == 3
    assert len(re.findall(r"</script", html, re.I)) == 3
    assert "alert(1)</script>" not in html
    payload = _payload(html)
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in payload["xml"]
    assert payload["overlays"]["Activity_PapieranmeldungScannen"]["label"] == ATTACK


@needs_frontend
def test_the_side_panel_gets_its_details_as_data_and_only_web_links() -> None:
    html = render_html(
        _model_with_label("Antrag prüfen"),
        details={
            "Activity_AnmeldungPruefen": ElementDetails(
                ATTACK,
                (
                    DetailRow("FIM-Typ", "03 – Sachliche Prüfung"),
                    DetailRow("Handlungsgrundlage", "§ 20 MuSchG", "https://example.org/__20"),
                    DetailRow("Handlungsgrundlage", "§ 1 X", "javascript:alert(1)"),
                ),
            )
        },
    )
    assert len(re.findall(r"<script", html, re.I)) == 3
    rows = _payload(html)["details"]["Activity_AnmeldungPruefen"]["rows"]
    assert rows[1] == {
        "label": "Handlungsgrundlage",
        "text": "§ 20 MuSchG",
        "url": "https://example.org/__20",
    }
    # A link the browser would run as code is shown as text only.
    assert rows[2] == {"label": "Handlungsgrundlage", "text": "§ 1 X"}
    assert _payload(html)["details"]["Activity_AnmeldungPruefen"]["title"] == ATTACK
    assert "pmo-with-panel" in html and "element.click" in html


@needs_frontend
def test_declared_encodings_reach_the_browser_as_text() -> None:
    xml = _model_with_label("Anmeldung prüfen (Straße)", encoding="windows-1252")
    assert "Anmeldung prüfen (Straße)" in _payload(render_html(xml))["xml"]


@needs_frontend
def test_an_unknown_marker_is_refused() -> None:
    with pytest.raises(ValueError, match="marker"):
        render_html(b"<x/>", {"a": Overlay(marker="blink")})


def test_without_the_front_end_a_warning_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(viewer, "DIST", tmp_path)
    assert not viewer_available()
    app = AppTest.from_string(
        "from app_pages._bpmn_viewer import bpmn_viewer\nbpmn_viewer(b'<definitions/>')\n"
    )
    app.run()
    assert not app.exception
    assert "make install" in app.warning[0].value
    assert not app.get("iframe")


def _chromium_dom(html: str, folder: Path) -> str:
    page = folder / "viewer.html"
    page.write_text(html, encoding="utf-8")
    command = [
        str(CHROMIUM),
        "--headless",
        "--disable-gpu",
        f"--user-data-dir={folder / 'profile'}",
        "--virtual-time-budget=10000",
        "--dump-dom",
        page.as_uri(),
    ]
    if os.geteuid() == 0:
        command.insert(1, "--no-sandbox")  # Chromium refuses to sandbox as root (CI containers)
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def _shape_tag(dom: str, element_id: str) -> str:
    match = re.search(rf'<g [^>]*data-element-id="{element_id}"[^>]*>', dom)
    assert match, element_id
    return match.group(0)


@needs_frontend
def test_a_real_browser_draws_the_diagram_with_overlays(tmp_path: Path) -> None:
    if not CHROMIUM.is_file() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip(f"{CHROMIUM} not installed: the drawing check needs a real browser")
    html = render_html(
        _model_with_label(BROWSER_ATTACK),
        {
            "Activity_PapieranmeldungScannen": Overlay(
                label=BROWSER_ATTACK, fill="#f4a6a6", marker="deviation", tooltip=BROWSER_ATTACK
            ),
            "Activity_AnmeldungPruefen": Overlay(label="412 Fälle", marker="skipped"),
            "not-in-this-model": Overlay(label="x", fill="#000"),
        },
    )
    dom = _chromium_dom(html, tmp_path)
    assert 'data-rendered="true"' in dom, "bpmn-js did not finish the import"
    assert len(re.findall(r'class="djs-element', dom)) > 20
    assert 'id="message"></div>' in dom  # no import error, the unknown id broke nothing
    # The badges exist, as text: the attack string ran nowhere and added no element.
    assert ">412 Fälle</div>" in dom
    assert "<title>pwned</title>" not in dom  # what document.title= would have created
    assert len(re.findall(r"<script", dom, re.I)) == 3
    assert not re.search(r"<img", dom, re.I)
    assert "&lt;/script&gt;&lt;script&gt;document.title" in dom  # the label, drawn as text
    assert "pmo-deviation" in _shape_tag(dom, "Activity_PapieranmeldungScannen")
    assert "pmo-skipped" in _shape_tag(dom, "Activity_AnmeldungPruefen")
    assert "fill: rgb(244, 166, 166)" in dom


@needs_frontend
def test_a_real_browser_opens_the_side_panel_for_elements_with_details(tmp_path: Path) -> None:
    if not CHROMIUM.is_file() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip(f"{CHROMIUM} not installed: the drawing check needs a real browser")
    html = render_html(
        _model_with_label("Antrag prüfen"),
        {"Activity_PapieranmeldungScannen": Overlay(stroke="#b3261e")},
        details={
            "Activity_AnmeldungPruefen": ElementDetails(
                "Anmeldung prüfen", (DetailRow("FIM-Typ", "03 – Sachliche Prüfung"),)
            ),
            "Activity_PapieranmeldungScannen": ElementDetails("Scannen"),
        },
    )
    dom = _chromium_dom(html, tmp_path)
    assert 'data-rendered="true"' in dom and 'id="message"></div>' in dom
    assert re.search(r'<body[^>]*class="[^"]*pmo-with-panel', dom)
    # Until a click, the panel says what to do; the element with details is outlined.
    assert "pmo-hint" in dom
    assert "pmo-detailed" in _shape_tag(dom, "Activity_AnmeldungPruefen")
    # Outlined in blue, except where a finding's colour already marks the element.
    assert dom.count("stroke: rgb(31, 78, 121)") == 1
    assert "stroke: rgb(179, 38, 30)" in dom


@needs_frontend
def test_a_click_on_an_activity_group_shows_its_type_and_legal_basis(tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.browser import browser_programs, chrome
    from tests.xprozess_fixture import DEFAULT_GROUPS, fim_bpmn

    browser_programs()  # skips the test without chromium and chromedriver
    uri = "https://www.gesetze-im-internet.de/muschg_2018/__20.html"
    page = tmp_path / "diagram.html"
    page.write_text(
        render_html(
            fim_bpmn(DEFAULT_GROUPS),
            details={
                "sp_sachlich": ElementDetails(
                    "Anspruch sachlich prüfen",
                    (
                        DetailRow("FIM-Typ", "03 – Sachliche Prüfung"),
                        DetailRow("Handlungsgrundlage", "§ 20 MuSchG", uri),
                    ),
                )
            },
        ),
        encoding="utf-8",
    )
    driver = chrome(tmp_path)
    try:
        driver.get(page.as_uri())
        wait = WebDriverWait(driver, 90)  # as the other browser tests: a hung page fails
        wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-rendered"))
        panel = driver.find_element(By.ID, "panel")
        assert "anklicken" in panel.text or "Click" in panel.text
        driver.find_element(By.CSS_SELECTOR, 'g[data-element-id="sp_sachlich"]').click()
        wait.until(lambda d: "Sachliche Prüfung" in d.find_element(By.ID, "panel").text)
        assert "Anspruch sachlich prüfen" in panel.text
        link = panel.find_element(By.TAG_NAME, "a")
        assert (link.text, link.get_attribute("href")) == ("§ 20 MuSchG", uri)
        assert link.get_attribute("target") == "_blank"
        # An element without details brings the hint back.
        driver.find_element(By.CSS_SELECTOR, 'g[data-element-id="sp_formell"]').click()
        wait.until(lambda d: not d.find_element(By.ID, "panel").find_elements(By.TAG_NAME, "a"))
    finally:
        driver.quit()


# The smallest drawn label, in CSS pixels on screen: font size times the SVG's scale.
_SMALLEST_LABEL_PX = """
var sizes = Array.from(document.querySelectorAll('.djs-label, .djs-visual text')).map(function (t) {
  return parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a;
}).filter(function (size) { return size > 0; });
return Math.min.apply(null, sizes);
"""


@needs_frontend
def test_a_large_model_opens_readable_and_the_buttons_fit_and_restore(tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.browser import browser_programs, chrome

    browser_programs()  # skips the test without chromium and chromedriver
    page = tmp_path / "diagram.html"
    page.write_text(render_html((SAMPLE_MODELS / "baugenehmigung.bpmn").read_bytes()), "utf-8")
    driver = chrome(tmp_path)
    try:
        driver.set_window_size(760, 560)  # about the frame on the registry page
        driver.get(page.as_uri())
        wait = WebDriverWait(driver, 90)  # as the other browser tests: a hung page fails
        wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-rendered"))
        opened = driver.execute_script(_SMALLEST_LABEL_PX)
        assert opened >= 10, f"labels drawn at {opened:.1f} px at open"
        viewport = 'document.querySelector(".viewport").getAttribute("transform")'
        at_open = driver.execute_script(f"return {viewport};")
        driver.find_element(By.ID, "pmo-fit").click()
        fitted = driver.execute_script(f"return {viewport};")
        assert fitted != at_open
        # Fitting this model to the frame is what made labels unreadable; 100 % brings them back.
        assert driver.execute_script(_SMALLEST_LABEL_PX) < 10 <= opened
        assert driver.find_element(By.ID, "pmo-fit").text == "Einpassen"
        driver.find_element(By.ID, "pmo-actual").click()
        assert driver.execute_script(_SMALLEST_LABEL_PX) == pytest.approx(opened)
    finally:
        driver.quit()


@needs_frontend
def test_a_small_model_opens_fitted(tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.browser import browser_programs, chrome

    browser_programs()
    page = tmp_path / "diagram.html"
    page.write_text(
        render_html((BPMN_DATA / "miwg-reference" / "A.1.0.bpmn").read_bytes()), "utf-8"
    )
    driver = chrome(tmp_path)
    try:
        driver.set_window_size(760, 560)
        driver.get(page.as_uri())
        WebDriverWait(driver, 90).until(
            lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-rendered")
        )
        at_open = driver.execute_script(_SMALLEST_LABEL_PX)
        driver.find_element(By.ID, "pmo-fit").click()
        assert driver.execute_script(_SMALLEST_LABEL_PX) == pytest.approx(at_open)
    finally:
        driver.quit()
