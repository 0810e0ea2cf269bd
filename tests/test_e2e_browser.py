"""The workspace in a real headless Chromium, as a process manager uses it end to end.

Open the app, upload a log, map its columns, import it, run the analysis, open the model-versus-
reality view, create and download a report. Screenshots of every step land in ``test-artifacts/``
(``PMO_TEST_ARTIFACTS``); the README's screenshots come from here.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader

from tests.browser import Page, chrome, demo_office, streamlit_server
from tests.conftest import PROJECT
from tests.municipal_log import generate_hundesteuer_log

_DOWNLOAD_WAIT_S = 120


@pytest.fixture
def office(tmp_path: Path) -> dict[str, str]:
    return demo_office(tmp_path, user="Prozessmanagement")


def _downloaded(folder: Path, suffix: str) -> Path:
    deadline = time.monotonic() + _DOWNLOAD_WAIT_S
    while time.monotonic() < deadline:
        done = [p for p in folder.glob(f"*{suffix}") if p.stat().st_size > 0]
        if done and not list(folder.glob("*.crdownload")):
            return done[0]
        time.sleep(0.5)
    raise AssertionError(f"no {suffix} download in {folder}: {list(folder.iterdir())}")


def test_upload_analyse_compare_and_download_a_report(
    office: dict[str, str], tmp_path: Path
) -> None:
    export = generate_hundesteuer_log(tmp_path / "hundesteuer-export.csv", service_times=True)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with streamlit_server(PROJECT, office) as url:
        driver = chrome(downloads)
        try:
            page = Page(driver, "workspace")
            driver.get(url)
            page.idle()
            page.see("Übersicht")
            page.see("Die fünf besten Digitalisierungskandidaten")
            page.shot("01-uebersicht")

            page.open_page("Ereignisprotokolle")
            page.upload(export)
            page.see("Schritt 2 von 5")
            page.see("cp1252")
            page.click_button("Weiter")
            page.see("Schritt 3 von 5")
            page.see("Aktenzeichen")  # the file's own case column, suggested for the case id
            page.choose("Prozess im Register", "Hundesteuer")
            page.shot("02-spaltenzuordnung")
            page.click_button("Prüfen")
            page.see("Die Datei lässt sich importieren.")
            page.shot("03-pruefbericht")
            page.click_button("Weiter")
            page.check("Ich habe den Hinweis gelesen")
            page.click_button("Importieren")
            page.see("Importiert als")
            page.shot("04-import")

            page.open_page("Analyse")
            page.choose("Ereignisprotokoll", "hundesteuer-export.csv")
            page.see("Prozesslandkarte")
            page.wait_for('.pmo-map[data-rendered="true"]')  # cytoscape drew the map
            page.shot("05-prozesslandkarte", focus='[data-testid="stTabs"]')
            page.open_tab("Engpässe")
            page.see("Nacharbeit")
            page.shot("06-engpaesse", focus='[data-testid="stTabs"]')
            page.open_tab("Entwicklung")
            page.see("Eingang, Erledigung und offene Fälle")
            page.wait_for('[data-testid="stVegaLiteChart"] svg')
            page.shot("06b-entwicklung", focus='[data-testid="stTabs"]')
            page.open_tab("Modell und Realität")
            page.see("Abweichungen")
            page.wait_for_in_frame("svg .djs-element")  # bpmn-js drew the registered model
            page.shot("07-modell-und-realitaet", focus="iframe")

            page.open_page("Digitalisierung")
            page.see("Portfolio-Matrix: Nutzen und Aufwand")  # shown once the portfolio is computed
            page.see("Ein Kandidat im Detail")
            page.shot("08-digitalisierung")

            page.open_page("Berichte")
            page.click_button("Bericht erstellen")
            page.see("ist gespeichert")
            page.click_button("PDF")
            pdf = _downloaded(downloads, ".pdf")
            page.shot("09-berichte")
        except Exception:
            page.shot("fehler")  # the state the test saw when it failed, for the CI artifacts
            raise
        finally:
            driver.quit()
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(pdf).pages).split())
    assert "Hundesteuer – Anmeldung eines Hundes" in text
    assert "Zusammenfassung" in text


def _pmo(env: dict[str, str], *args: str) -> object:
    done = subprocess.run(
        [sys.executable, "-m", "pmo", *args],
        cwd=PROJECT,
        env=env,
        check=True,
        timeout=600,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout)


def _german(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _german_decimal(value: float) -> str:
    """As the CSV export writes a number of days: decimal comma, four places at most."""
    return repr(round(value, 4)).replace(".", ",")


def test_from_a_bottleneck_and_a_map_edge_to_their_cases(
    office: dict[str, str], tmp_path: Path
) -> None:
    source_name = "musterstadt-gewerbeanmeldung.zip"
    logs = _pmo(office, "log", "list", "--json")
    stored = next(log for log in logs if log["source_name"] == source_name)  # type: ignore[index, union-attr]
    log_id = stored["log_id"]
    downloads = tmp_path / "downloads"
    downloads.mkdir()

    def cli_cases(*options: str) -> dict:
        return _pmo(office, "cases", log_id, "--json", *options)  # type: ignore[return-value]

    with streamlit_server(PROJECT, office) as url:
        driver = chrome(downloads)
        page = Page(driver, "drilldown")

        def cases_metric() -> str:
            return driver.execute_script(
                "return document.querySelector('[data-testid=\"stMetricValue\"]').innerText;"
            ).strip()

        try:
            driver.get(url)
            page.idle()
            page.open_page("Analyse")
            page.choose("Ereignisprotokoll", source_name)
            page.wait.until(lambda _: cases_metric() == _german(stored["cases"]))
            page.wait_for('.pmo-map[data-rendered="true"]')

            # The worst bottleneck's cases: the same set the command line lists, longest first.
            page.open_tab("Engpässe")
            label = page.choose_first("Fälle anzeigen: Übergang")
            source, target = label.removeprefix("Übergang ").split(" → ")
            expected = cli_cases("--edge", source, target)
            assert expected["total"] > 0
            page.see(f"{_german(expected['total'])} Fälle – Übergang {source} → {target}")
            longest = page.choose_first("Verlauf des Falls")
            assert longest == expected["cases"][0]["case"]
            page.see(f"Fall {longest}")
            page.shot("10-faelle", focus='[data-testid="stTabs"]')
            page.click_button("Fälle als CSV herunterladen")
            exported = _downloaded(downloads, ".csv").read_text(encoding="utf-8-sig")
            rows = list(csv.DictReader(io.StringIO(exported), delimiter=";"))
            assert [row["Fall"] for row in rows] == [c["case"] for c in expected["cases"]]
            assert rows[0]["Durchlaufzeit (Tage)"] == _german_decimal(
                expected["cases"][0]["duration_s"] / 86400
            )

            # A transition clicked on the map: its panel, its cases, then the whole page narrowed.
            page.open_tab("Prozesslandkarte")
            # One that not every case takes, so that the filter narrows the page.
            source, target, _ = next(edge for edge in page.map_transitions() if edge[2] < 1)
            page.click_map_edge(source, target)
            page.see(f"Übergang „{source}“ → „{target}“")
            page.click_button("SVG")
            drawing = ElementTree.parse(_downloaded(downloads, ".svg")).getroot()
            assert drawing.tag == "{http://www.w3.org/2000/svg}svg"
            # A box's label is drawn line by line, one <text> per line, in reading order.
            lines = " ".join(t.text or "" for t in drawing.iter("{http://www.w3.org/2000/svg}text"))
            assert source in lines and target in lines
            page.click_button("Fälle anzeigen")
            expected = cli_cases("--edge", source, target)
            page.see(f"{_german(expected['total'])} Fälle – Übergang {source} → {target}")
            page.shot("08-prozesslandkarte", focus='[data-testid="stTabs"]')
            page.click_button("Als Filter hinzufügen")
            page.see(f"Direkt gefolgt: {source} → {target}")
            page.see("eingeschränkt durch 1 Filter")
            assert cases_metric() == _german(expected["total"])
            assert expected["total"] < stored["cases"]  # the figures changed with the filter
            page.shot("11-filter", focus='[data-testid="stMainBlockContainer"]')
        except Exception:
            page.shot("fehler")
            raise
        finally:
            driver.quit()
