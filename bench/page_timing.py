"""How long the workspace keeps a user waiting, in a real headless Chromium (issue 18).

    PMO_DATA_DIR=/tmp/office python -m bench.page_timing --log w1m.csv [--small musterstadt-wohngeld]

Needs an office with data (``pmo demo``, plus e.g. a generated 1M-event log imported for the
demo's Wohngeld process: ``python -m bench.generate --events 1000000 -o w1m.csv`` then
``pmo log import w1m.csv --process wohngeld …``) and Debian's chromium + chromedriver. Starts
``streamlit run app.py`` in the current folder and prints JSON, seconds per action.

A time is from the user's action to the last message the server sent for it, as the browser's
network layer received it (Chrome's performance log: a page busy drawing does not delay it); an
action is over after 1.5 s of silence and no running indicator. "Map drawn" is from the
navigation until the process map reports it is rendered. The log named by
``--log`` must be the newest (the Analyse page opens it); ``--small`` is chosen in the box.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

_MAP = '.pmo-map[data-rendered="true"]'


def _chrome(downloads: Path) -> Any:
    """tests.browser's Chromium, with the performance log that reports WebSocket frames."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    from tests.browser import browser_programs

    chromium, driver = browser_programs()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1440,1000",
        "--lang=de-DE",
    ):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads)})
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


class Frames:
    """The app's WebSocket frames since :meth:`start`, by the network layer's clock."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver
        self.sent: float | None = None
        self.received: float | None = None

    def _read(self) -> bool:
        new = False
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            stamp = message.get("params", {}).get("timestamp")
            if message.get("method") == "Network.webSocketFrameSent" and self.sent is None:
                self.sent = float(stamp)
            elif message.get("method") == "Network.webSocketFrameReceived":
                self.received, new = float(stamp), True
        return new

    def start(self) -> None:
        self._read()
        self.sent = self.received = None

    def settled(self) -> float:
        """Seconds from the first frame the browser sent after :meth:`start` (the rerun request)
        to the last frame the server sent, once the app is quiet for 1.5 s."""
        from selenium.webdriver.common.by import By

        quiet_since = time.monotonic()
        while True:
            if self._read():
                quiet_since = time.monotonic()
            running = self.driver.find_elements(
                By.CSS_SELECTOR, '[data-testid="stStatusWidget"] svg'
            )
            if time.monotonic() - quiet_since > 1.5 and not running and self.received:
                return round(self.received - (self.sent or self.received), 2)
            time.sleep(0.1)


def _map_controls(driver: Any, frames: Frames, out: dict[str, list[float]], key: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    for step in range(3):  # the "Pfade" slider, one notch left, right, left
        thumb = driver.find_elements(
            By.CSS_SELECTOR, '[data-testid="stSlider"] input[type="range"]'
        )[1]
        driver.execute_script(
            "arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus();", thumb
        )
        frames.start()
        ActionChains(driver).send_keys(Keys.ARROW_RIGHT if step % 2 else Keys.ARROW_LEFT).perform()
        out.setdefault(f"{key}_path_slider", []).append(frames.settled())
    for label in ("Fälle", "Häufigkeit"):  # the map's labels
        radio = driver.find_elements(
            By.XPATH,
            "(//div[@data-testid='stRadio'][.//label[contains(normalize-space(.), 'Häufigkeit')]])"
            f"[1]//label[normalize-space(.)='{label}']",
        )[0]
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", radio)
        frames.start()
        driver.execute_script("arguments[0].click();", radio)
        out.setdefault(f"{key}_label_switch", []).append(frames.settled())


def _date_filter(driver: Any, frames: Frames, out: dict[str, list[float]], key: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    # "Von" one month later, then back (the second is the cached whole log). The date field
    # takes its value when it loses the focus.
    for arrow in (Keys.ARROW_UP, Keys.ARROW_DOWN):
        month = driver.find_elements(
            By.CSS_SELECTOR, '[data-testid="stDateInput"] [data-type="month"]'
        )[0]
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", month)
        ActionChains(driver).click(month).send_keys(arrow).perform()
        frames.start()
        ActionChains(driver).click(driver.find_element(By.TAG_NAME, "h1")).perform()
        out.setdefault(f"{key}_date_filter", []).append(frames.settled())


def measure(project: Path, big: str, small: str | None) -> dict[str, list[float]]:
    sys.path.insert(0, str(project))
    from tests.browser import Page, streamlit_server

    out: dict[str, list[float]] = {}
    env = {**os.environ, "PMO_USER": os.environ.get("PMO_USER", "bench")}
    with streamlit_server(project, env) as url:
        driver = _chrome(Path(os.environ.get("TMPDIR", "/tmp")) / "pmo-page-timing")
        page, frames = Page(driver, "timing"), Frames(driver)
        try:
            driver.get(url + "/overview")
            frames.settled()
            for _ in range(3):
                frames.start()
                driver.refresh()
                out.setdefault("overview_reload", []).append(frames.settled())
            for _ in range(3):  # the first computes the analysis, then it is cached
                frames.start()
                began = time.monotonic()
                driver.get(url + "/analysis")
                page.wait_for(_MAP)
                drawn = round(time.monotonic() - began, 2)
                out.setdefault(f"{big}_open_map_drawn", []).append(drawn)
                out.setdefault(f"{big}_open_last_message", []).append(frames.settled())
            _map_controls(driver, frames, out, big)
            _date_filter(driver, frames, out, big)
            if small:
                frames.start()
                began = time.monotonic()
                page.choose("Ereignisprotokoll", small)
                page.wait_for(_MAP)
                out.setdefault(f"{small}_open_map_drawn", []).append(
                    round(time.monotonic() - began, 2)
                )
                frames.settled()
                _map_controls(driver, frames, out, small)
                _date_filter(driver, frames, out, small)
        finally:
            driver.quit()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", required=True, help="source name of the newest, large log")
    parser.add_argument("--small", help="source name of a second log to time")
    parser.add_argument("--project", type=Path, default=Path.cwd())
    args = parser.parse_args()
    print(json.dumps(measure(args.project, args.log, args.small), indent=1))


if __name__ == "__main__":
    main()
