"""The report's summary leads (issue 17): a paragraph of conclusions from the figures, the score
explained where it is shown, the data's age with a warning, technical notes in an appendix, and a
PDF whose document properties say when and by whom it was made."""

from __future__ import annotations

import copy
import io
import re

import openpyxl
from pypdf import PdfReader

from mining import conclusions, render_report
from mining.report import leadership
from tests.report_fixture import FORMULA, HUNDESTEUER, SONDERNUTZUNG, make_snapshot

BOUNDARY_NOTE = "Zwischenereignis Frist abgelaufen (BoundaryEvent_0x7f3) als Alternative behandelt."


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _snapshot(**changes: object) -> dict:
    snapshot = make_snapshot()
    snapshot.update(changes)
    return snapshot


def test_the_paragraph_names_the_first_steps_with_process_step_and_recommendation() -> None:
    text = conclusions(_snapshot())
    assert text.startswith("Zuerst angehen: (1) Hundesteuer-Anmeldung für Hundehalter, ")
    assert "„Hundesteuer berechnen“: RPA (Softwareroboter) (Score 78,4)" in text
    assert "Gewerbeanmeldung (Ölhandel), ganzer Prozess: Onlinedienst (OZG)" in text
    assert f"„{FORMULA}“: Ablauf neu ordnen (Score 66,9, wenige Fälle)" in text


def test_two_recommendations_for_one_step_save_its_hours_once() -> None:
    snapshot = make_snapshot()
    best = snapshot["candidates"][0]
    twin = best | {"recommendation": "ai_form_assistance", "score": best["score"] - 0.1}
    snapshot["candidates"].insert(1, twin)
    first = leadership.first_steps(snapshot["candidates"])
    assert twin not in first and len(first) == 3  # the next step moves up instead
    hours, _euros = leadership.step_totals(snapshot["candidates"])
    assert hours == sum(c["hours_saved_per_year"] for c in make_snapshot()["candidates"])
    expected = sum(c["hours_saved_per_year"] for c in first)
    assert f"rund {round(expected)} Arbeitsstunden" in conclusions(snapshot)


def test_what_it_needs_an_interface_an_agreement_for_staff_data_and_35a() -> None:
    snapshot = make_snapshot()
    best = snapshot["candidates"][0]
    best["signals"] = best["signals"] | {"same_session_share": 0.9}
    best["decides"] = True
    text = conclusions(snapshot)
    assert "Aufwand in dieser Reihenfolge: gering (2/5), hoch (4/5), mittel (3/5)." in text
    assert "Schnittstelle" in text
    assert "Dienstvereinbarung mit dem Personalrat" in text
    assert "§ 35a VwVfG" in text


def test_old_data_are_warned_about_with_the_offices_threshold() -> None:
    text = conclusions(_snapshot())
    # Created 28.11.2026; the Hundesteuer log ends 30.12.2024, 697 days before.
    assert "Achtung: Die Daten von 2 Prozessen sind älter als 180 Tage" in text
    assert f"{HUNDESTEUER} 697" in text
    assert "Achtung" not in conclusions(_snapshot(data_age_warning_days=1000))


def test_the_paragraph_in_english_uses_english_numbers_and_names() -> None:
    text = conclusions(_snapshot(), "en")
    assert text.startswith("Start with: (1) Hundesteuer-Anmeldung für Hundehalter, ")
    assert "Reorder the process (score 66.9, few cases)" in text
    assert "Caution: the data of 2 processes are older than 180 days" in text


def test_the_html_summary_opens_with_the_paragraph_and_explains_the_score() -> None:
    html = render_report(_snapshot(), "html").decode()
    paragraph = html.index('class="conclusions"')
    assert paragraph < html.index("Die 10 besten Kandidaten")
    assert "Score = 100 × (0,7 × Nutzen + 0,3 × (5 − Aufwand) / 4)" in html
    assert "Alter der Daten beim Bericht</dt><dd>697 Tage – Achtung: älter als 180 Tage" in html


def test_technical_notes_leave_the_process_page_for_the_appendix() -> None:
    snapshot = make_snapshot()
    snapshot["processes"][0]["technical_notes"] = [BOUNDARY_NOTE]
    html = render_report(snapshot, "html").decode()
    appendix = html.index('id="anhang"')
    assert html.index("BoundaryEvent_0x7f3") > appendix
    assert html.index("Fitness (0–1)") > appendix
    pages = [
        _flat(p.extract_text()) for p in PdfReader(io.BytesIO(render_report(snapshot, "pdf"))).pages
    ]
    text = " ".join(pages)
    before, _, appendix_text = text.partition("Anhang: Technische Hinweise zum Modellabgleich")
    assert "Engpässe" in before and "Fälle ohne Abweichung" in before
    assert "BoundaryEvent" not in before and "Fitness" not in before
    assert "BoundaryEvent_0x7f3" in appendix_text and "Fitness (0–1) 0,97" in appendix_text


def test_the_pdf_is_dated_by_its_snapshot_and_names_the_office() -> None:
    snapshot = _snapshot()
    reader = PdfReader(io.BytesIO(render_report(snapshot, "pdf")))
    meta = reader.metadata
    assert meta["/CreationDate"] == "D:20261128071500+01'00'"  # created_at, not 2000-01-01
    assert meta.creation_date.year == 2026
    assert meta.title == "Digitalisierungsportfolio"
    assert meta.author == "Prozessmanagement-Büro (pmo)"
    assert "Digitalisierungskandidaten" in meta.subject
    assert reader.trailer["/Root"]["/Lang"] == "de-DE"


def test_identical_snapshots_give_identical_pdfs_and_another_time_another_date() -> None:
    snapshot = _snapshot()
    assert render_report(snapshot, "pdf") == render_report(copy.deepcopy(snapshot), "pdf")
    later = _snapshot(created_at="2026-12-01T10:00:00+01:00")
    meta = PdfReader(io.BytesIO(render_report(later, "pdf"))).metadata
    assert meta["/CreationDate"] == "D:20261201100000+01'00'"


def test_the_summary_sheet_starts_with_the_paragraph_and_the_score() -> None:
    snapshot = _snapshot()
    book = openpyxl.load_workbook(io.BytesIO(render_report(snapshot, "xlsx")))
    sheet = book["Zusammenfassung"]
    assert sheet["A2"].value == "Ergebnis"
    assert sheet["B2"].value.startswith("Zuerst angehen:")
    values = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert values["Score"].startswith("Score = 100 ×")
    processes = book["Prozesse"]
    header = [c.value for c in processes[1]]
    column = header.index("Alter der Daten beim Bericht (Tage)")
    ages = {row[1]: row[column] for row in processes.iter_rows(min_row=2, values_only=True)}
    assert ages[HUNDESTEUER] == 697 and ages[SONDERNUTZUNG] == 728


def test_the_summary_page_still_holds_the_paragraph_the_top_ten_and_both_charts() -> None:
    snapshot = make_snapshot()
    extra = [
        c | {"activity": f"{c['activity'] or 'Eingang'} (Variante {n})", "score": c["score"] - 20}
        for n in range(2)
        for c in snapshot["candidates"]
    ]
    snapshot["candidates"] += extra  # twelve candidates: the top ten fill the table
    first = _flat(PdfReader(io.BytesIO(render_report(snapshot, "pdf"))).pages[0].extract_text())
    assert "Zuerst angehen" in first
    assert "Eingesparte Arbeitsstunden je Jahr" in first and "Nutzen und Aufwand" in first
