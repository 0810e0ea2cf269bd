"""The legal deadline in the portfolio report: every format says where the clock started and
stopped, which cases it could not count, and how it counted; older snapshots still render."""

from __future__ import annotations

import copy
import io

import openpyxl
import pytest
from pypdf import PdfReader

from mining.report.render import render_report
from tests.report_fixture import HUNDESTEUER, make_snapshot

START = "Unterlagen vollständig <b>"
DEADLINE = {
    "starts_with": START,
    "starts_with_default": False,
    "ends_with": None,
    "ends_with_default": True,
    "deadline_days": 30,
    "cases": 380,
    "over": 19,
    "over_share": 0.05,
    "close": 57,
    "close_share": 0.15,
    "close_threshold": 24.0,
    "not_started": 20,
    "running": 4,
    "running_over": 3,
    "stop_before_start": 0,
    "measured_until": "2024-12-30T15:45:00+01:00",
}


@pytest.fixture(scope="module")
def snapshot() -> dict:
    snapshot = copy.deepcopy(make_snapshot())
    process = next(p for p in snapshot["processes"] if p["name"] == HUNDESTEUER)
    process["analysis"]["deadline"] = DEADLINE
    return snapshot


def _pdf_text(snapshot: dict) -> str:
    reader = PdfReader(io.BytesIO(render_report(snapshot, "pdf")))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_pdf_says_where_the_clock_ran_and_what_it_left_out(snapshot: dict) -> None:
    text = _pdf_text(snapshot)
    assert f"Fristbeginn letztes „{START}“ im Fall" in text
    assert "Fristende letztes Ereignis des Falls (Standard, kein Schritt im Register)" in text
    assert "Knapp vor Fristende (ab 24 Tagen) 57 Fälle (15 %)" in text
    assert f"Ohne Fristbeginn (nicht gezählt) 20 Fälle ohne „{START}“" in text
    assert "Ohne Fristende bis 30.12.2024 4 Fälle, davon 3 schon über der Frist" in text
    assert "§ 31 VwVfG mit §§ 187, 188 BGB" in text


def test_the_html_says_it_too_with_the_activity_escaped(snapshot: dict) -> None:
    html = render_report(snapshot, "html").decode("utf-8")
    assert "letztes „Unterlagen vollständig &lt;b&gt;“ im Fall" in html
    assert "Ohne Fristbeginn (nicht gezählt)" in html


def test_the_workbook_has_a_row_per_process_with_a_deadline(snapshot: dict) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(render_report(snapshot, "xlsx")))
    sheet = workbook["Fristen"]
    headers = [cell.value for cell in sheet[1]]
    rows = [
        dict(zip(headers, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    [row] = rows
    assert row["Prozess"] == HUNDESTEUER
    assert row["Fristbeginn"] == f"letztes „{START}“ im Fall"
    assert row["Fristende"].startswith("letztes Ereignis des Falls (Standard")
    assert (row["Fälle mit Fristbeginn"], row["Frist überschritten"]) == (380, 19)
    assert (row["Anteil überschritten"], row["Knapp ab (Tage)"]) == (0.05, 24)
    assert (row["Ohne Fristbeginn (nicht gezählt)"], row["davon schon über der Frist"]) == (20, 3)
    assert row["Gemessen bis"].isoformat() == "2024-12-30T15:45:00"


def test_a_snapshot_from_before_the_clock_activities_still_renders() -> None:
    old = make_snapshot()  # its deadline has only days, cases and shares
    text = _pdf_text(old)
    assert "Fristbeginn erstes Ereignis des Falls" in text
    assert "Frist überschritten 22 Fälle" in text
    workbook = openpyxl.load_workbook(io.BytesIO(render_report(old, "xlsx")))
    assert [row[1] for row in workbook["Fristen"].iter_rows(min_row=2, values_only=True)] == [
        HUNDESTEUER
    ]
