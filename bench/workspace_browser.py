"""The workspace in a real headless Chromium, for ``bench.workspace``: start the server as
``make run`` does, drive the pages by their stable handles, and time each action until the page
is settled.

**Settled** means, all at once: Streamlit's script has finished a run that began after the action
(the ``data-test-script-state`` of ``stApp`` turned ``notRunning`` after the action), no status
widget ("Running…") and no skeleton is shown, the element the action is about is there (the map
drawn, the figures changed, the download offered), and the page's DOM has not changed for a quiet
window. The time recorded is that of the **last DOM change** (a ``MutationObserver`` installed
before the page's own scripts) minus the time of the action, both on the page's clock
(``performance.now()``): the quiet window itself is not counted. A navigation starts at the
page's time origin, i.e. when the browser begins to load it.

Widgets are found by their ``key=`` (Streamlit gives the element the class ``st-key-<key>``),
by test ids and by the page URLs, not by layout; the language is German (the session's default,
``--lang=de-DE``, and checked on the navigation).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["Workspace", "browser_missing", "session"]

PROJECT = Path(__file__).resolve().parent.parent
QUIET_S = 0.5
TIMEOUT_S = 180.0
_POLL_S = 0.05

# Installed into every new document before its own scripts run.
_OBSERVER = """
window.__bench = {last: performance.now(), idleAt: -1};
new MutationObserver((mutations) => {
  const now = performance.now();
  window.__bench.last = now;
  for (const m of mutations) {
    if (m.attributeName === 'data-test-script-state'
        && m.target.getAttribute('data-test-script-state') === 'notRunning') {
      window.__bench.idleAt = now;
    }
  }
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""

_STATE = """
const b = window.__bench || {last: 0, idleAt: -1};
const app = document.querySelector('[data-testid="stApp"]');
const ready = (function () { %s })();
return {
  now: performance.now(), last: b.last, idleAt: b.idleAt,
  script: app ? app.getAttribute('data-test-script-state') : null,
  busy: !!document.querySelector('[data-testid="stStatusWidget"], [data-testid="stSkeleton"]'),
  ready: !!ready,
};
"""

# What each page shows once it is drawn (JavaScript returning true or false).
OVERVIEW_READY = """
const main = document.querySelector('[data-testid="stMain"]');
return main && main.querySelector('h1')
  && main.querySelector('[data-testid="stDataFrame"], [data-testid="stTable"], table');
"""
MAP_READY = "return document.querySelector('.pmo-map[data-rendered=\"true\"]');"


def browser_missing() -> str | None:
    """Why the workspace cannot be measured here (None: Chromium and its driver are there)."""
    if shutil.which("chromium") and shutil.which("chromedriver"):
        return None
    return (
        "Chromium und chromedriver fehlen (apt-get install chromium chromium-driver); "
        "ohne sie misst `--skip-workspace` nur die Analyse."
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _server(data_dir: Path, log: Path) -> Iterator[str]:
    """``pmo app`` (as ``make run`` starts it) on a free port; its URL once it reports healthy."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PMO_DATABASE_URL", "PMO_ROLES_FILE", "PMO_USER")
    }
    env.update(PMO_DATA_DIR=str(data_dir), PMO_LANGUAGE="de")
    port = _free_port()
    with log.open("ab") as err:
        server = subprocess.Popen(
            [sys.executable, "-m", "pmo", "app", "--port", str(port)],
            cwd=PROJECT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as response:
                    if response.read().decode() == "ok":
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    tail = log.read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"workspace server did not start:\n{tail}") from None
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _chromium():  # type: ignore[no-untyped-def]
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--disable-extensions",
        "--no-first-run",
        "--renderer-process-limit=2",
        "--window-size=1440,1000",
        "--lang=de-DE",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(
        service=Service(executable_path=shutil.which("chromedriver")), options=options
    )
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _OBSERVER})
    return driver


@contextmanager
def session(data_dir: Path, log: Path) -> Iterator[Workspace]:
    """A fresh server on ``data_dir`` and a fresh Chromium (empty cache), closed afterwards."""
    with _server(data_dir, log) as url:
        driver = _chromium()
        try:
            yield Workspace(driver, url)
        finally:
            driver.quit()


class Workspace:
    """The verbs of the measured actions; each timed one returns seconds until settled."""

    def __init__(self, driver, url: str) -> None:  # type: ignore[no-untyped-def]
        self.driver = driver
        self.url = url

    # -- settling -------------------------------------------------------------------------

    def _now(self) -> float:
        return float(self.driver.execute_script("return performance.now();"))

    def settle(self, start_ms: float, ready_js: str = "return true;") -> float:
        """Seconds from ``start_ms`` (page clock) to the last DOM change once settled."""
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            s = self.driver.execute_script(_STATE % ready_js)
            if (
                s["script"] == "notRunning"
                and s["idleAt"] >= start_ms
                and not s["busy"]
                and s["ready"]
                and s["now"] - s["last"] >= QUIET_S * 1000
            ):
                return (s["last"] - start_ms) / 1000
            time.sleep(_POLL_S)
        raise TimeoutError(f"page not settled within {TIMEOUT_S:.0f} s: {self.driver.current_url}")

    def _click(self, css: str, ready_js: str, *, text: str | None = None) -> float:
        """Click the (first visible) element ``css`` whose text contains ``text``; timed."""
        element = self._find(css, text)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        start = self.driver.execute_script(
            "const t = performance.now(); arguments[0].click(); return t;", element
        )
        return self.settle(start, ready_js)

    def _find(self, css: str, text: str | None = None, *, visible: bool = True):  # type: ignore[no-untyped-def]
        from selenium.webdriver.common.by import By

        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            for element in self.driver.find_elements(By.CSS_SELECTOR, css):
                shown = not visible or element.is_displayed()
                if shown and (text is None or text in element.text):
                    return element
            time.sleep(_POLL_S)
        raise TimeoutError(f"no element {css!r}" + (f" with {text!r}" if text else ""))

    # -- navigation -----------------------------------------------------------------------

    def first_visit(self) -> float:
        self.driver.get(self.url + "/")
        seconds = self.settle(0, OVERVIEW_READY)
        self._find('a[data-testid="stSidebarNavLink"]', "Übersicht")  # the German workspace
        return seconds

    def reload(self) -> float:
        self.driver.refresh()
        return self.settle(0, OVERVIEW_READY)

    def open_page(self, url_path: str, ready_js: str = "return true;") -> float:
        """Click the sidebar link of the page at ``url_path`` (e.g. ``analysis``)."""
        css = f'a[data-testid="stSidebarNavLink"][href$="/{url_path}"]'
        return self._click(css, ready_js)

    # -- Analyse --------------------------------------------------------------------------

    def open_analysis(self, log_name: str) -> float:
        """Open Analyse from the sidebar; settled when the map of ``log_name`` is drawn."""
        ready = MAP_READY.replace(
            "return ",
            "const box = document.querySelector('.st-key-analysis_log_choice input');\n"
            f"return box && box.value.includes({json.dumps(log_name)}) && ",
            1,
        )
        return self.open_page("analysis", ready)

    def choose_log(self, log_name: str) -> None:
        from selenium.webdriver.common.by import By

        field = self._find(".st-key-analysis_log_choice input")
        field.click()
        field.send_keys(log_name)
        option = self._find('[role="option"]', log_name)
        start = self._now()
        option.click()
        self.settle(start, MAP_READY)
        assert log_name in self.driver.find_element(
            By.CSS_SELECTOR, ".st-key-analysis_log_choice input"
        ).get_attribute("value")

    def move_path_slider(self) -> float:
        """One step of the map's path slider to the left, with the keyboard as a user can."""
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        css = '.st-key-analysis_map_paths input[type="range"]'
        thumb = self._find(css, visible=False)  # react-aria's input is visually hidden
        before = thumb.get_attribute("value")
        self.driver.execute_script(
            "arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus();", thumb
        )
        start = self._now()
        ActionChains(self.driver).send_keys(Keys.ARROW_LEFT).perform()
        seconds = self.settle(start, MAP_READY)
        now = self._find(css, visible=False).get_attribute("value")
        assert now != before, f"the path slider did not move ({before})"
        return seconds

    def switch_labels(self) -> float:
        """Choose the next label of the map (another option of its radio group)."""
        css = (
            '.st-key-analysis_map_measure [data-testid="stRadioOption"]:not([data-selected="true"])'
        )
        return self._click(css, MAP_READY)

    def date_filter(self) -> float:
        """Move the "Von" date one month on; timed from leaving the field (it applies then)."""
        from selenium.webdriver.common.keys import Keys

        metrics = (
            "Array.from(document.querySelectorAll('[data-testid=\"stMetric\"]'))"
            ".map((m) => m.innerText).join('|')"
        )
        before = self.driver.execute_script(f"return {metrics};")
        month = self._find(
            '[class*="st-key-analysis_from_"] [role="spinbutton"][data-type="month"]'
        )
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", month)
        month.click()
        month.send_keys(Keys.ARROW_UP)
        # Leaving the field applies it: a click on the page's title, as a user does.
        title = self._find('[data-testid="stMain"] h1')
        start = self._now()
        title.click()
        ready = MAP_READY.replace("return ", f"return {metrics} !== {json.dumps(before)} && ", 1)
        return self.settle(start, ready)

    # -- Digitalisierung, Berichte ----------------------------------------------------------

    def recompute(self, hours_per_fte: int) -> float:
        """Change the hours per FTE in the assumptions, then "Neu berechnen" (timed)."""
        from selenium.webdriver.common.keys import Keys

        self.open_page("digitization")
        field = '[class*="hours_per_fte"] input'
        # A closed expander keeps its fields in the DOM, hidden.
        if not any(e.is_displayed() for e in self.driver.find_elements("css selector", field)):
            self._find('[data-testid="stExpander"] summary', "Annahmen").click()
        field = self._find(field)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", field)
        field.click()
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys(str(hours_per_fte))
        start = self._now()
        field.send_keys(Keys.ENTER)
        self.settle(start)
        ready = (
            'return document.querySelector(\'[data-testid="stMain"] [data-testid="stDataFrame"]\');'
        )
        return self._click(".st-key-digitization_a_go button", ready)

    def create_report(self) -> float:
        """Berichte: "Bericht erstellen" with all processes; settled when its download is offered."""
        self.open_page("reports")
        ready = (
            "return document.querySelector('[data-testid=\"stAlertContentSuccess\"]')"
            " && document.querySelector('[class*=\"st-key-reports_download_\"] button');"
        )
        return self._click('[data-testid="stFormSubmitButton"] button', ready)
