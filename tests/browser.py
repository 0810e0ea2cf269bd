"""Driving the workspace in a real headless Chromium (Debian's ``chromium`` + ``chromedriver``).

No test tool downloads a browser: the driver is the system's ``chromedriver``, given by path, so
Selenium Manager never runs. Where either program is missing, the tests are skipped with a
message saying so (``.ci/run`` installs both with apt).
"""

from __future__ import annotations

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

import pytest

ARTIFACTS = Path(
    os.environ.get("PMO_TEST_ARTIFACTS", Path(__file__).parent.parent / "test-artifacts")
)
_WAIT_S = 90.0


def browser_programs() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.skip(
            "Browser-Test übersprungen: Debians chromium und chromium-driver sind nicht installiert "
            "(.ci/run installiert sie mit apt: apt-get install chromium chromium-driver)."
        )
    return chromium, driver


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def streamlit_server(project: Path, env: dict[str, str]) -> Iterator[str]:
    """``streamlit run app.py`` on a free port; yields its base URL once it answers."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
        ],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + _WAIT_S
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health") as response:
                    if response.read().decode() == "ok":
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        server.stderr.read().decode() if server.stderr else ""
                    ) from None
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def chrome(downloads: Path):  # type: ignore[no-untyped-def]
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

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
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


class Page:
    """Small verbs over Streamlit's DOM, by the labels a user reads."""

    def __init__(self, driver, name: str) -> None:  # type: ignore[no-untyped-def]
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver = driver
        self.name = name
        self.wait = WebDriverWait(driver, _WAIT_S)

    def _xpath_text(self, text: str) -> str:
        return f"contains(normalize-space(.), {self._literal(text)})"

    @staticmethod
    def _literal(text: str) -> str:
        if "'" not in text:
            return f"'{text}'"
        parts = text.split("'")
        return "concat(" + ', "\'", '.join(f"'{p}'" for p in parts) + ")"

    def idle(self) -> None:
        """Wait until Streamlit has finished running the script (no 'running' indicator)."""
        from selenium.webdriver.common.by import By

        time.sleep(0.5)
        self.wait.until(
            lambda d: (
                not d.find_elements(By.CSS_SELECTOR, '[data-testid="stStatusWidget"] svg')
                and not d.find_elements(By.CSS_SELECTOR, '[data-testid="stSkeleton"]')
            )
        )

    def see(self, text: str) -> None:
        from selenium.webdriver.common.by import By

        self.wait.until(
            lambda d: d.find_elements(By.XPATH, f"//*[not(self::script)][{self._xpath_text(text)}]")
        )

    def click_button(self, label: str) -> None:
        from selenium.webdriver.common.by import By

        xpath = f"//button[{self._xpath_text(label)}] | //a[{self._xpath_text(label)}]"
        button = self.wait.until(
            lambda d: [b for b in d.find_elements(By.XPATH, xpath) if b.is_displayed()]
        )[0]
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
        button.click()
        self.idle()

    def open_page(self, title: str) -> None:
        from selenium.webdriver.common.by import By

        xpath = f"//a[@data-testid='stSidebarNavLink'][{self._xpath_text(title)}]"
        self.wait.until(lambda d: d.find_elements(By.XPATH, xpath))[0].click()
        self.idle()

    def open_tab(self, title: str) -> None:
        from selenium.webdriver.common.by import By

        xpath = f"//*[@role='tab'][{self._xpath_text(title)}]"
        tab = self.wait.until(lambda d: d.find_elements(By.XPATH, xpath))[0]
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", tab)
        tab.click()
        self.idle()

    def upload(self, path: Path) -> None:
        from selenium.webdriver.common.by import By

        field = self.wait.until(
            lambda d: d.find_elements(
                By.CSS_SELECTOR, '[data-testid="stFileUploader"] input[type="file"]'
            )
        )[0]
        field.send_keys(str(path))
        self.idle()

    def choose(self, label: str, option: str) -> None:
        """Pick ``option`` in the select box labelled ``label`` (a combo box: type, then pick)."""
        from selenium.webdriver.common.by import By

        field = self.wait.until(
            lambda d: d.find_elements(
                By.XPATH,
                f"//div[@data-testid='stSelectbox']//input[@aria-label={self._literal(label)}]",
            )
        )[0]
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", field)
        field.click()
        field.send_keys(option)
        self.wait.until(
            lambda d: d.find_elements(By.XPATH, f"//*[@role='option'][{self._xpath_text(option)}]")
        )[0].click()
        self.idle()

    def check(self, label: str) -> None:
        """Tick the checkbox labelled ``label``."""
        from selenium.webdriver.common.by import By

        xpath = f"//div[@data-testid='stCheckbox']//label[{self._xpath_text(label)}]"
        self.wait.until(lambda d: d.find_elements(By.XPATH, xpath))[0].click()
        self.idle()

    def choose_first(self, label: str) -> str:
        """Pick the first option of the select box labelled ``label``; returns its text."""
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.common.by import By

        xpath = f"//div[@data-testid='stSelectbox']//input[@aria-label={self._literal(label)}]"
        # A rerun still on its way replaces the box; pick again from the new one.
        for _attempt in range(3):
            try:
                field = self.wait.until(
                    lambda d: [f for f in d.find_elements(By.XPATH, xpath) if f.is_displayed()]
                )[0]
                self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", field)
                field.click()
                option = self.wait.until(
                    lambda d: d.find_elements(By.XPATH, "//*[@role='option']")
                )[0]
                text = " ".join(option.text.split())
                option.click()
            except StaleElementReferenceException:
                self.idle()
                continue
            self.idle()
            return text
        raise AssertionError(f"the select box {label!r} kept changing under the click")

    def map_transitions(self) -> list[tuple[str, str, float]]:
        """The transitions the process map shows in its frame now (the middle of the arrow
        inside it, clear of the toolbar) as (source, target, weight), heaviest first."""
        from selenium.webdriver.common.by import By

        canvas = self.wait.until(
            lambda d: d.find_elements(
                By.CSS_SELECTOR, '.pmo-map[data-rendered="true"] .pmo-map-canvas'
            )
        )[0]
        drawn = self.driver.execute_script(
            """
            const canvas = arguments[0];
            const margin = 40;
            return canvas._cyreg.cy.edges('[kind = "transition"]').filter((e) => {
                const m = e.renderedMidpoint();
                return m.x > margin && m.x < canvas.clientWidth - margin
                    && m.y > margin && m.y < canvas.clientHeight - margin / 2;
            }).map((e) => [e.data('from'), e.data('to'), e.data('weight')]);
            """,
            canvas,
        )
        return sorted(((s, t, float(w)) for s, t, w in drawn), key=lambda e: -e[2])

    def click_map_edge(self, source: str, target: str) -> None:
        """Click, with the mouse, the middle of the process map's transition ``source → target``
        (where cytoscape draws it on its canvas)."""
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.by import By

        canvas = self.wait.until(
            lambda d: d.find_elements(
                By.CSS_SELECTOR, '.pmo-map[data-rendered="true"] .pmo-map-canvas'
            )
        )[0]
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", canvas)
        time.sleep(0.5)
        point = self.driver.execute_script(
            """
            const [canvas, source, target] = arguments;
            const cy = canvas._cyreg.cy;
            const edge = cy.edges('[kind = "transition"]').filter(
                (e) => e.data('from') === source && e.data('to') === target);
            if (edge.empty()) { return null; }
            const middle = edge.first().renderedMidpoint();
            return { x: middle.x, y: middle.y, width: canvas.clientWidth,
                     height: canvas.clientHeight };
            """,
            canvas,
            source,
            target,
        )
        assert point is not None, f"no transition {source} → {target} on the map"
        assert 0 < point["x"] < point["width"] and 0 < point["y"] < point["height"], point
        # Selenium's offsets count from the element's centre.
        ActionChains(self.driver).move_to_element_with_offset(
            canvas,
            round(point["x"] - point["width"] / 2),
            round(point["y"] - point["height"] / 2),
        ).click().perform()
        self.idle()

    def wait_for(self, css: str) -> None:
        from selenium.webdriver.common.by import By

        self.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, css))

    def wait_for_in_frame(self, css: str) -> None:
        """Wait until some component iframe contains ``css`` (components render in iframes)."""
        from selenium.webdriver.common.by import By

        def found(driver) -> bool:  # type: ignore[no-untyped-def]
            for frame in driver.find_elements(By.TAG_NAME, "iframe"):
                driver.switch_to.frame(frame)
                try:
                    if driver.find_elements(By.CSS_SELECTOR, css):
                        return True
                finally:
                    driver.switch_to.default_content()
            return False

        self.wait.until(found)

    def shot(self, step: str, *, focus: str | None = None) -> Path:
        """Save a screenshot; ``focus`` (CSS) scrolls that element to the top first."""
        from selenium.webdriver.common.by import By

        if focus:
            found = self.driver.find_elements(By.CSS_SELECTOR, focus)
            if found:
                self.driver.execute_script(
                    "arguments[0].scrollIntoView({block: 'start'});", found[0]
                )
                time.sleep(1.0)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.name}-{step}.png"
        self.driver.save_screenshot(str(path))
        return path


def demo_office(folder: Path, *, user: str, logs: bool = True) -> dict[str, str]:
    """The environment of a sample office in ``folder`` (`pmo demo`, with the sample logs unless
    ``logs`` is False), signed in as ``user``; skips where Debian's chromium is missing."""
    browser_programs()
    env = {
        **os.environ,
        "PMO_DATABASE_URL": f"sqlite:///{folder / 'pmo.sqlite3'}",
        "PMO_DATA_DIR": str(folder / "daten"),
        "PMO_USER": user,
    }
    demo = [sys.executable, "-m", "pmo", "demo", *([] if logs else ["--no-logs"])]
    project = Path(__file__).resolve().parent.parent
    subprocess.run(demo, cwd=project, env=env, check=True, timeout=900, capture_output=True)
    return env
