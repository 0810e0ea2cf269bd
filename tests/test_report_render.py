"""The leadership portfolio report in every format, rendered from one frozen snapshot."""

from __future__ import annotations

import copy
import csv
import io
import json
import re
import zipfile

import openpyxl
import pytest
from pypdf import PdfReader

from mining.report import figures, labels, pdf
from mining.report.cells import neutralize, write_csv
from mining.report.render import FORMATS, render_report
from tests.report_fixture import (
    FORMULA,
    GEWERBE,
    HOSTILE_NAMES,
    HUNDESTEUER,
    SCRIPT,
    SONDERNUTZUNG,
    make_snapshot,
)

PROCESS_NAMES = [HUNDESTEUER, SONDERNUTZUNG, GEWERBE]
SHEETS = [
    "Zusammenfassung",
    "Kandidaten",
    "Prozesse",
    "Engpässe",
    "Fristen",
    "Entwicklung",
    "Annahmen",
]


def _flat(text: str) -> str:
    """Text with every run of whitespace as one space: table cells wrap names across lines."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def snapshot() -> dict:
    return make_snapshot()


@pytest.fixture(scope="module")
def pdf_pages(snapshot: dict) -> list[str]:
    reader = PdfReader(io.BytesIO(render_report(snapshot, "pdf")))
    return [_flat(page.extract_text()) for page in reader.pages]


@pytest.fixture(scope="module")
def workbook_bytes(snapshot: dict) -> bytes:
    return render_report(snapshot, "xlsx")


@pytest.fixture(scope="module")
def html(snapshot: dict) -> str:
    return render_report(snapshot, "html").decode("utf-8")


class TestRenderReport:
    def test_unknown_format_is_refused_in_german(self, snapshot: dict) -> None:
        with pytest.raises(ValueError, match="Unbekanntes Berichtsformat „docx“"):
            render_report(snapshot, "docx")

    def test_json_round_trips_to_the_same_dict(self, snapshot: dict) -> None:
        data = render_report(snapshot, "json")
        assert json.loads(data.decode("utf-8")) == snapshot
        assert "Straße".encode() in data  # not escaped to \\u00df

    def test_rendering_leaves_the_snapshot_unchanged(self) -> None:
        snapshot = make_snapshot()
        before = copy.deepcopy(snapshot)
        for fmt in FORMATS:
            render_report(snapshot, fmt)
        assert snapshot == before

    def test_an_empty_portfolio_renders_in_every_format(self, snapshot: dict) -> None:
        empty = copy.deepcopy(snapshot)
        empty.update(id=None, candidates=[], processes=[], assumptions={}, assumption_labels={})
        empty["summary"] = dict.fromkeys(snapshot["summary"], 0)
        empty["filters"] = {"from": None, "to": None}
        for fmt in FORMATS:
            assert render_report(empty, fmt)
        first = _flat(PdfReader(io.BytesIO(render_report(empty, "pdf"))).pages[0].extract_text())
        assert "Keine Kandidaten gefunden." in first
        assert "alle Daten der Protokolle" in first


class TestPdf:
    def test_summary_first_then_a_page_per_process_then_assumptions(
        self, pdf_pages: list[str]
    ) -> None:
        assert len(pdf_pages) >= 1 + len(PROCESS_NAMES) + 1
        assert "Zusammenfassung" in pdf_pages[0]
        assert "Eingesparte Arbeitsstunden je Jahr" in pdf_pages[0]
        assert "Annahmen und Methode" in pdf_pages[-1]

    def test_process_names_keep_their_umlauts(self, pdf_pages: list[str]) -> None:
        later = " ".join(pdf_pages[1:])
        for name in PROCESS_NAMES:
            assert name in later

    def test_summary_lists_the_top_candidates(self, pdf_pages: list[str]) -> None:
        for activity in ["Hundesteuer berechnen", "Unterlagen nachfordern", FORMULA, SCRIPT]:
            assert activity in pdf_pages[0]
        assert "ganzer Prozess" in pdf_pages[0]  # the Gewerbe candidate has no single step
        assert "wenige Fälle" in pdf_pages[0]
        assert "§ 35a" in pdf_pages[0]

    def test_key_figures_in_german_format(self, pdf_pages: list[str], snapshot: dict) -> None:
        euros = labels.euros(snapshot["summary"]["euros_saved_per_year"])
        assert euros in pdf_pages[0]
        # "₂" needs a font that has it (DejaVu where installed); Helvetica spells it "2".
        co2 = "CO₂/Jahr" if "₂" in pdf.pdf_fonts().glyphs else "CO2/Jahr"
        assert co2 in pdf_pages[0]

    def test_process_pages_show_analysis_and_reasons(self, pdf_pages: list[str]) -> None:
        text = " ".join(pdf_pages[1:])
        assert "Engpässe" in text and "6,5 Tage" in text
        assert "Fitness (0–1) 0,97" in text  # in the technical appendix
        assert "Eingangskanäle" in text and "Papier" in text
        assert "31 % der Anträge kommen unvollständig an und werden nachgefordert." in text
        assert "Kein Ereignisprotokoll: Bewertung nur aus Registerdaten." in text
        assert "sondernutzung <export>.xlsx" in text
        assert "Fachdienst Straßen & Verkehr" in text

    def test_the_trends_are_drawn_on_the_process_page(self, pdf_pages: list[str]) -> None:
        [page] = [text for text in pdf_pages if "Entwicklung je Monat" in text]
        assert HUNDESTEUER in page  # the only process whose snapshot has trends
        for label in ("Fälle je Monat", "offen am Monatsende", "90 % bis", "Jan 24", "Nov 24"):
            assert label in page
        assert "12 Monate (2024-01 bis 2024-12)" in page

    def test_assumptions_use_labels_or_the_key(self, pdf_pages: list[str]) -> None:
        assert "Jahresarbeitsstunden je Vollzeitstelle 1.600" in pdf_pages[-1]
        assert "min_group_size" in pdf_pages[-1]  # no label given

    def test_every_page_has_the_footer(self, pdf_pages: list[str]) -> None:
        for number, text in enumerate(pdf_pages, start=1):
            assert "Digitalisierungsportfolio · erstellt 28.11.2026, 07:15 Uhr" in text
            assert f"Seite {number}" in text

    def test_same_snapshot_same_bytes(self, snapshot: dict) -> None:
        assert render_report(snapshot, "pdf") == render_report(snapshot, "pdf")

    def test_without_a_unicode_font_helvetica_spells_co2_out(
        self, snapshot: dict, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(pdf, "_FONT_DIRS", ("/nonexistent",))
        pdf.pdf_fonts.cache_clear()
        try:
            data = render_report(snapshot, "pdf")
        finally:
            pdf.pdf_fonts.cache_clear()
        first = _flat(PdfReader(io.BytesIO(data)).pages[0].extract_text())
        assert "CO2/Jahr" in first
        assert HUNDESTEUER in first
        assert "Straße" in first and "Ölhandel" in first


class TestXlsx:
    def test_all_sheets_with_german_bold_frozen_headers(self, workbook_bytes: bytes) -> None:
        workbook = openpyxl.load_workbook(io.BytesIO(workbook_bytes))
        assert workbook.sheetnames == SHEETS
        for sheet in workbook:
            assert sheet.freeze_panes == "A2"
            assert all(cell.font.b for cell in sheet[1] if cell.value is not None)
        headers = [cell.value for cell in workbook["Engpässe"][1]]
        assert headers[2:] == [
            "Von",
            "Nach",
            "Übergänge",
            "Fälle",
            "Ø Wartezeit je Übergang (Tage)",
            "Wartezeit gesamt (Tage, Übergänge × Ø)",
        ]
        assert workbook["Kandidaten"].auto_filter.ref.startswith("A1:")

    def test_no_formula_cell_anywhere(self, workbook_bytes: bytes) -> None:
        workbook = openpyxl.load_workbook(io.BytesIO(workbook_bytes))
        for sheet in workbook:
            for row in sheet.iter_rows():
                assert all(cell.data_type != "f" for cell in row)
        with zipfile.ZipFile(io.BytesIO(workbook_bytes)) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/"):
                    assert not re.search(rb"<f[ >]", archive.read(name)), name

    def test_hostile_activity_names_are_neutralized(self, workbook_bytes: bytes) -> None:
        workbook = openpyxl.load_workbook(io.BytesIO(workbook_bytes))
        texts = {
            cell.value
            for sheet in workbook
            for row in sheet.iter_rows()
            for cell in row
            if isinstance(cell.value, str)
        }
        for name in [FORMULA, *HOSTILE_NAMES]:
            assert "'" + name in texts
            assert name not in texts
        assert SCRIPT in texts  # markup is harmless in a spreadsheet

    def test_numbers_stay_numbers(self, workbook_bytes: bytes, snapshot: dict) -> None:
        workbook = openpyxl.load_workbook(io.BytesIO(workbook_bytes))
        candidates = workbook["Kandidaten"]
        headers = [cell.value for cell in candidates[1]]
        first = candidates[2]
        trend = first[headers.index("Signal: volume_trend_per_year")]
        assert (trend.value, trend.data_type) == (-5, "n")
        hours = first[headers.index("Stunden/Jahr")]
        assert (hours.value, hours.data_type) == (64.4, "n")
        reasons = first[headers.index("Begründung")].value
        assert reasons == "\n".join(snapshot["candidates"][0]["reasons"])
        summary = {row[0].value: row[1] for row in workbook["Zusammenfassung"].iter_rows(min_row=2)}
        euros = summary["Euro/Jahr"]
        assert euros.data_type == "n"
        assert euros.value == snapshot["summary"]["euros_saved_per_year"]

    def test_process_and_bottleneck_rows(self, workbook_bytes: bytes) -> None:
        workbook = openpyxl.load_workbook(io.BytesIO(workbook_bytes))
        processes = list(workbook["Prozesse"].iter_rows(min_row=2, values_only=True))
        assert [row[1] for row in processes] == PROCESS_NAMES
        headers = [cell.value for cell in workbook["Prozesse"][1]]
        hundesteuer = dict(zip(headers, processes[0], strict=True))
        assert hundesteuer["Fitness"] == 0.97
        assert hundesteuer["Ø Durchlaufzeit (Tage)"] == pytest.approx(12.3)
        assert hundesteuer["Daten von"].year == 2024
        gewerbe = dict(zip(headers, processes[2], strict=True))
        assert gewerbe["Protokoll-ID"] is None and gewerbe["Fälle/Jahr (Register)"] == 1150
        bottleneck = next(workbook["Engpässe"].iter_rows(min_row=2, values_only=True))
        assert bottleneck[2:] == ("Unterlagen nachfordern", "Unterlagen prüfen", 140, 124, 6.5, 910)

    def test_trend_rows_per_process_and_month(self, workbook_bytes: bytes, snapshot: dict) -> None:
        sheet = openpyxl.load_workbook(io.BytesIO(workbook_bytes))["Entwicklung"]
        rows = list(sheet.iter_rows(min_row=2))
        trends = snapshot["processes"][0]["analysis"]["trends"]
        assert len(rows) == len(trends)  # only Hundesteuer's snapshot has trends
        for cells, trend in zip(rows, trends, strict=True):
            values = [cell.value for cell in cells]
            assert values[:3] == [snapshot["processes"][0]["key"], HUNDESTEUER, trend["period"]]
            assert values[3:6] == [trend["started"], trend["completed"], trend["in_progress"]]
            median = trend["median_duration_s"]
            assert values[6] == (None if median is None else pytest.approx(median / 86400))
            assert values[8:] == [trend["deadline_over_share"], trend["paper_share"]]
            if trend["deadline_over_share"] is not None:
                assert cells[8].number_format == "0.0%"
        # August completed nothing: empty cells, not zero days.
        august = [cell.value for cell in rows[7]]
        assert august[2] == "2024-08" and august[6] is None and august[7] is None


class TestCells:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("＝1+1", "'＝1+1"),
            ("Antrag prüfen", "Antrag prüfen"),
            ("", ""),
            (-5, -5),
            (1234.5, 1234.5),
            (None, None),
            (True, True),
        ],
    )
    def test_neutralize(self, value: object, expected: object) -> None:
        assert neutralize(value) == expected
        assert type(neutralize(value)) is type(expected)

    def test_csv_for_german_excel(self) -> None:
        rows = [
            {"Schritt": FORMULA, "Fälle": -5, "Stunden": 1234.5, "Hinweis": None},
            {"Schritt": "Straße prüfen; ablegen", "Fälle": 3, "Stunden": 0.25, "Hinweis": "@x"},
        ]
        data = write_csv(rows, ["Schritt", "Fälle", "Stunden", "Hinweis"])
        assert data.startswith(b"\xef\xbb\xbf")
        back = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
        assert back == [
            ["Schritt", "Fälle", "Stunden", "Hinweis"],
            ["'" + FORMULA, "-5", "1234,5", ""],
            ["Straße prüfen; ablegen", "3", "0,25", "'@x"],
        ]


class TestHtml:
    def test_markup_in_data_is_escaped_and_no_script_runs(self, html: str) -> None:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script" not in html.lower()
        assert "Fachdienst Straßen &amp; Verkehr" in html
        assert "sondernutzung &lt;export&gt;.xlsx" in html

    def test_self_contained(self, html: str) -> None:
        assert "http://" not in html and "https://" not in html
        references = re.findall(r"""(?:src|href)\s*=\s*["']?([^"'\s>]*)""", html, flags=re.I)
        assert references and all(ref.startswith("#") for ref in references)
        assert "<link" not in html.lower() and "@import" not in html

    def test_german_page_with_umlauts_and_figures(self, html: str) -> None:
        assert '<html lang="de">' in html
        for name in PROCESS_NAMES:
            assert name in html
        # Bars, matrix, two process maps (Gewerbe has no log), the Hundesteuer trends.
        assert html.count("<svg") == 5
        assert "<?xml" not in html and "<!DOCTYPE svg" not in html
        assert len(set(re.findall(r'id="(clip-\d+)"', html))) == 5  # unique ids per figure

    def test_the_trends_are_a_figure_with_german_labels(self, html: str) -> None:
        assert html.count('aria-label="Entwicklung je Monat"') == 1  # Sondernutzung has none
        assert "Durchlaufzeit der abgeschlossenen Fälle (Tage)" in html
        assert "Mär 24" in html and "über der Frist" in html and "Papiereingang" in html


class TestFigures:
    def test_process_map_keeps_the_most_frequent_steps(self) -> None:
        names = [f"Schritt {i}" for i in range(30)]
        data = {
            "nodes": [{"activity": n, "count": 100 + i} for i, n in enumerate(names)],
            "edges": [
                {"source": a, "target": b, "count": i + 1, "mean_wait_s": 60.0}
                for i, (a, b) in enumerate(zip(names, names[1:], strict=False))
            ],
        }
        drawing = figures.process_map(data, figures.SVG_FONTS)
        texts = [s.text for s in _strings(drawing)]
        assert {t for t in texts if t.startswith("Schritt")} == set(names[15:])
        assert "Schritt 29" in texts and "Schritt 14" not in texts

    def test_no_process_map_without_activities(self) -> None:
        assert figures.process_map({"nodes": [], "edges": []}, figures.SVG_FONTS) is None

    def test_a_month_without_completions_breaks_the_duration_line(self) -> None:
        from reportlab.graphics.shapes import Circle, PolyLine

        days = {"2024-10": 4.0, "2024-11": None, "2024-12": 5.0, "2025-01": 20.0}
        rows = [
            {
                "period": period,
                "started": 3,
                "completed": 0 if median is None else 2,
                "in_progress": 1,
                "median_duration_s": None if median is None else median * 86400,
                "p90_duration_s": None if median is None else (median + 5) * 86400,
                "deadline_over_share": None,
                "paper_share": None,
            }
            for period, median in days.items()
        ]
        drawing = figures.trend_chart(rows, figures.SVG_FONTS, 600, 150)
        assert drawing is not None
        median = [
            shape
            for shape in drawing.contents
            if (isinstance(shape, PolyLine) and shape.strokeColor == figures.ACCENT)
            or (isinstance(shape, Circle) and shape.fillColor == figures.ACCENT)
        ]
        # October alone (a dot), November left out, December to January one line: no zero.
        assert [type(shape).__name__ for shape in median] == ["Circle", "PolyLine"]
        assert len(median[1].points) == 4  # two points, x and y each
        texts = [s.text for s in _strings(drawing)]
        assert {"Okt 24", "Jan 25"} <= set(texts) and "12,5" in texts  # axis of 25 days
        assert "Anteile" not in texts  # no deadline, no paper: no panel of shares

    def test_no_trend_chart_without_rows(self) -> None:
        assert figures.trend_chart([], figures.SVG_FONTS) is None


def _strings(node: object) -> list:
    from reportlab.graphics.shapes import Group, String

    if isinstance(node, String):
        return [node]
    contents = node.contents if isinstance(node, Group) or hasattr(node, "contents") else []
    return [s for child in contents for s in _strings(child)]


class TestLabels:
    def test_german_number_formats(self) -> None:
        assert labels.number(1234.5, 1) == "1.234,5"
        assert labels.percent(0.4) == "40 %"
        assert labels.hours(1234) == "1.234 h"
        assert labels.euros(12345) == "12.345 €"
        assert labels.days(3 * 86400) == "3,0 Tage"
        assert labels.date_time("2026-11-28T07:15:00+01:00") == "28.11.2026, 07:15 Uhr"
        assert labels.number(None) == labels.hours(None) == "–"
