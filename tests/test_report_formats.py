"""The report reads right (issue 17): German notation in HTML and PDF text, real numbers with a
number format in the workbook, and a dash — never "None" — for a missing figure."""

from __future__ import annotations

import copy
import html as html_lib
import io
import re

import openpyxl
import pytest
from pypdf import PdfReader

from mining import render_report
from tests.report_fixture import make_snapshot

LEAKS = re.compile(r"\b(None|nan|NaN|NaT)\b|<NA>")
ISO_DAY = re.compile(r"\b\d{4}-\d\d-\d\d\b")


def _html_text(snapshot: dict) -> str:
    page = render_report(snapshot, "html").decode("utf-8")
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _pdf_text(snapshot: dict) -> str:
    reader = PdfReader(io.BytesIO(render_report(snapshot, "pdf")))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.fixture(scope="module")
def snapshot() -> dict:
    return make_snapshot()


@pytest.mark.parametrize("render", [_html_text, _pdf_text], ids=["html", "pdf"])
def test_figures_and_days_are_in_german_notation(snapshot: dict, render) -> None:  # noqa: ANN001
    text = render(snapshot)
    # summary: 43274.0 euros, 0.38 FTE, 2208 pages, 22.1 kg; created 2026-11-28T07:15+01:00
    for shown in ("43.274 €", "0,38", "2.208", "22,1 kg", "28.11.2026, 07:15 Uhr"):
        assert shown in text, shown
    assert "43274" not in text and "0.38" not in text
    assert ISO_DAY.findall(text) == []
    assert LEAKS.findall(text) == []


@pytest.mark.parametrize(
    ("render", "dash"),
    # the tiles: value over label in HTML, a row of values over a row of labels in the PDF
    [(_html_text, "– Vollzeitstellen"), (_pdf_text, "610 h – 43.274 €")],
    ids=["html", "pdf"],
)
def test_a_missing_figure_is_a_dash(snapshot: dict, render, dash: str) -> None:  # noqa: ANN001
    gaps = copy.deepcopy(snapshot)
    gaps["summary"]["fte_saved"] = None
    gaps["summary"]["co2_kg_avoided_per_year"] = float("nan")
    text = render(gaps)
    assert LEAKS.findall(text) == []
    assert dash in text


def test_the_workbook_keeps_numbers_with_a_german_readable_number_format(snapshot: dict) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(render_report(snapshot, "xlsx")))
    summary = workbook["Zusammenfassung"]
    cells = {row[0].value: row[1] for row in summary.iter_rows(min_row=2) if row[0].value}
    hours = cells["Eingesparte Stunden/Jahr"]
    assert hours.value == pytest.approx(609.5) and hours.number_format == "#,##0.0"
    processes = cells["Prozesse"]
    assert processes.value == 3 and processes.number_format == "#,##0"
    euros = cells["Euro/Jahr"]
    assert euros.value == 43274 and "#,##0" in euros.number_format
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert not any(isinstance(v, str) and LEAKS.fullmatch(v) for v in row), sheet.title
