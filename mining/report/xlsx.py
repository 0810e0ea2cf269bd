"""The portfolio report as an Excel workbook: the figures as numbers, for own calculations.

Activity names come from uploaded logs; no cell may ever become a formula. Every string is
neutralized (see :mod:`.cells`) and typed as a string explicitly, because openpyxl would store a
string starting with ``=`` as a formula.
"""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from mining.report import labels as lb
from mining.report import leadership
from mining.report import render as rp
from mining.report.cells import neutralize
from process_registry import local

__all__ = ["render_xlsx"]

_DAY = 86400.0
_CANDIDATE_FIELDS = [
    ("score", "Score", "0.0"),
    ("benefit", "Nutzen (0–1)", "0.00"),
    ("effort", "Aufwand (1–5)", "0"),
    ("hours_saved_per_year", "Stunden/Jahr", "#,##0.0"),
    ("fte_saved", "Vollzeitstellen", "0.00"),
    ("euros_saved_per_year", "Euro/Jahr", "#,##0"),
    ("pages_avoided_per_year", "Seiten/Jahr", "#,##0"),
    ("co2_kg_avoided_per_year", "CO₂ kg/Jahr", "#,##0.0"),
    ("throughput_reduction_days", "Durchlaufzeit kürzer (Tage)", "0.0"),
    ("cases", "Fälle", "#,##0"),
]


def _value(value: object) -> object:
    if isinstance(value, list | tuple):  # the verb lexicons of the assumptions
        value = ", ".join(map(str, value))
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, str):
        # openpyxl refuses control characters; an uploaded name must not break the export.
        return neutralize(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def _sheet(
    workbook: Workbook,
    title: str,
    headers: list[str],
    rows: list[list],
    formats: dict[int, str] | None = None,
    *,
    grouped: bool = False,
) -> Worksheet:
    """``rows`` under bold ``headers``; ``formats`` are number formats per column index, and
    ``grouped`` gives every other number a thousands separator (German Excel: ``10.461,3``)."""
    sheet = workbook.create_sheet(title)
    for r, row in enumerate([headers, *rows], start=1):
        for c, raw in enumerate(row, start=1):
            value = _value(raw)
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            elif r > 1 and formats and c - 1 in formats and value is not None:
                cell.number_format = formats[c - 1]
            elif r > 1 and grouped and isinstance(value, int | float):
                cell.number_format = "#,##0" if isinstance(value, int) else "#,##0.0"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    _fit_columns(sheet)
    return sheet


def _fit_columns(sheet: Worksheet) -> None:
    for column in sheet.columns:
        longest = 0
        for cell in column:
            value = cell.value
            if isinstance(value, datetime):
                text = "00.00.0000 00:00"
            elif isinstance(value, float):
                text = f"{value:,.2f}"
            else:
                text = "" if value is None else str(value)
            longest = max(longest, *(len(line) for line in text.split("\n")))
        sheet.column_dimensions[column[0].column_letter].width = min(max(longest + 2, 8), 60)


def _days(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / _DAY


def _datetime(iso: str | None) -> object:
    parsed = lb.parse_datetime(iso)
    # Excel has no time zones: a cell holds the wall-clock time the office reads, Berlin's.
    return local(parsed).replace(tzinfo=None) if parsed else iso


def _summary(workbook: Workbook, snapshot: dict) -> None:
    summary = snapshot.get("summary") or {}
    rows: list[list] = [["Ergebnis", rp.conclusion_text(snapshot)]]
    rows += [[label, value] for label, value in rp.report_facts(snapshot).rows]
    rows += [
        ["Prozesse", summary.get("processes")],
        ["davon mit Ereignisprotokoll", summary.get("processes_with_log")],
        ["Kandidaten", summary.get("candidates")],
        ["Eingesparte Stunden/Jahr", summary.get("hours_saved_per_year")],
        ["Vollzeitstellen", summary.get("fte_saved")],
        ["Euro/Jahr", summary.get("euros_saved_per_year")],
        ["Vermiedene Papierseiten/Jahr", summary.get("pages_avoided_per_year")],
        ["Vermiedenes CO₂ (kg/Jahr)", summary.get("co2_kg_avoided_per_year")],
        [],
        ["Score", rp.score_note(snapshot)],
        [],
        [f"Die {rp.TOP_CANDIDATES} besten Kandidaten"],
    ]
    top = rp.top_candidates(snapshot)
    rows.append(top.headers)
    for rank, c in enumerate((snapshot.get("candidates") or [])[: rp.TOP_CANDIDATES], start=1):
        flags = ", ".join(lb.candidate_flags(c))
        rows.append(
            [
                rank,
                c.get("process_name"),
                rp.activity_text(c),
                lb.recommendation_label(c),
                c.get("score"),
                c.get("hours_saved_per_year"),
                flags,
            ]
        )
    sheet = _sheet(
        workbook,
        "Zusammenfassung",
        ["Kennzahl", "Wert"],
        rows,
        {4: "0.0", 5: "#,##0.0"},
        grouped=True,
    )
    header_row = len(rows) - len(top.rows) + 1
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    sheet.auto_filter.ref = None


def _candidates(workbook: Workbook, snapshot: dict) -> None:
    candidates = snapshot.get("candidates") or []
    signals = sorted({key for c in candidates for key in (c.get("signals") or {})})
    headers = ["Rang", "Prozessschlüssel", "Prozess", "Schritt", "Empfehlung", "Empfehlung (Code)"]
    headers += [label for _key, label, _fmt in _CANDIDATE_FIELDS]
    headers += ["Wenige Fälle", "Verwaltungsakt (§ 35a VwVfG)", "Begründung"]
    headers += ["Berechnung", "Eingangsgrößen", "Ergebnis (Stunden/Jahr)", "Annahmen (Herkunft)"]
    headers += [f"Signal: {lb.signal_label(key)}" for key in signals]
    rows = [
        [
            rank,
            c.get("process"),
            c.get("process_name"),
            rp.activity_text(c),
            lb.recommendation_label(c),
            c.get("recommendation"),
        ]
        + [c.get(key) for key, _label, _fmt in _CANDIDATE_FIELDS]
        + [
            bool(c.get("low_evidence")),
            bool(c.get("decides")),
            "\n".join(map(str, c.get("reasons") or [])),
            *_calculation(c),
        ]
        + [(c.get("signals") or {}).get(key) for key in signals]
        for rank, c in enumerate(candidates, start=1)
    ]
    formats = {6 + i: fmt for i, (_key, _label, fmt) in enumerate(_CANDIDATE_FIELDS)}
    sheet = _sheet(workbook, "Kandidaten", headers, rows, formats)
    for heading in ("Begründung", "Berechnung", "Eingangsgrößen", "Annahmen (Herkunft)"):
        column = get_column_letter(headers.index(heading) + 1)
        sheet.column_dimensions[column].width = 60
        for cell in sheet[column][1:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _calculation(candidate: dict) -> list[object]:
    """Formula (verbatim), inputs one per line, result, assumptions with their source."""
    calc = candidate.get("calculation") or {}
    inputs = calc.get("inputs") or {}
    used = candidate.get("assumptions_used") or []
    return [
        calc.get("formula"),
        "\n".join(f"{name} = {lb.plain(value)}" for name, value in inputs.items()) or None,
        calc.get("result"),
        "\n".join(f"{u['label']} = {lb.plain(u['value'])} ({u['source']})" for u in used) or None,
    ]


def _processes(workbook: Workbook, snapshot: dict) -> None:
    headers = [
        "Prozessschlüssel",
        "Prozess",
        "Fachdienst",
        "Modellversion",
        "OZG-Reifegrad",
        "Fälle/Jahr (Register)",
        "Protokoll-ID",
        "Datei",
        "Daten von",
        "Daten bis",
        "Fälle",
        "Ereignisse",
        "Fitness",
        "Ø Durchlaufzeit (Tage)",
        "Kandidaten",
        "Warum dieses Protokoll",
        "Alter der Daten beim Bericht (Tage)",
    ]
    rows = []
    for p in snapshot.get("processes") or []:
        log = p.get("log") or {}
        analysis = p.get("analysis") or {}
        fitness = (analysis.get("conformance") or {}).get("fitness")
        mean = (analysis.get("case_duration_s") or {}).get("mean")
        rows.append(
            [
                p.get("key"),
                p.get("name"),
                p.get("department"),
                p.get("model_version"),
                p.get("ozg_maturity_level"),
                p.get("annual_case_volume"),
                log.get("log_id"),
                log.get("source_name"),
                _datetime(log.get("start")),
                _datetime(log.get("end")),
                log.get("cases"),
                log.get("events"),
                fitness,
                _days(mean),
                len(p.get("candidates") or []),
                log.get("reason_text"),
                leadership.data_age_days(p, snapshot),
            ]
        )
    formats = {
        5: "#,##0",
        8: "DD.MM.YYYY HH:MM",
        9: "DD.MM.YYYY HH:MM",
        10: "#,##0",
        11: "#,##0",
        12: "0.00",
        13: "0.0",
    }
    _sheet(workbook, "Prozesse", headers, rows, formats)


def _bottlenecks(workbook: Workbook, snapshot: dict) -> None:
    headers = [
        "Prozessschlüssel",
        "Prozess",
        "Von",
        "Nach",
        "Übergänge",
        "Fälle",
        "Ø Wartezeit je Übergang (Tage)",
        "Wartezeit gesamt (Tage, Übergänge × Ø)",
    ]
    rows = [
        [
            p.get("key"),
            p.get("name"),
            b.get("source"),
            b.get("target"),
            b.get("transitions"),  # absent from snapshots made before it was recorded
            b.get("cases"),
            _days(b.get("mean_wait_s")),
            _days(b.get("total_wait_s")),
        ]
        for p in snapshot.get("processes") or []
        for b in (p.get("analysis") or {}).get("bottlenecks") or []
    ]
    formats = {4: "#,##0", 5: "#,##0", 6: "0.0", 7: "#,##0.0"}
    _sheet(workbook, "Engpässe", headers, rows, formats)


def _deadlines(workbook: Workbook, snapshot: dict) -> None:
    from mining.measures import clock_texts

    headers = [
        "Prozessschlüssel",
        "Prozess",
        "Frist (Tage)",
        "Fristbeginn",
        "Fristende",
        "Fälle mit Fristbeginn",
        "Frist überschritten",
        "Anteil überschritten",
        "Knapp davor",
        "Anteil knapp davor",
        "Knapp ab (Tage)",
        "Ohne Fristbeginn (nicht gezählt)",
        "Ohne Fristende im Protokoll",
        "davon schon über der Frist",
        "Gemessen bis",
    ]
    rows = []
    for p in snapshot.get("processes") or []:
        deadline = (p.get("analysis") or {}).get("deadline")
        if not deadline:
            continue
        rows.append(
            [
                p.get("key"),
                p.get("name"),
                deadline.get("deadline_days"),
                *clock_texts(deadline),
                deadline.get("cases"),
                deadline.get("over"),
                deadline.get("over_share"),
                deadline.get("close"),
                deadline.get("close_share"),
                deadline.get("close_threshold"),
                deadline.get("not_started"),
                deadline.get("running"),
                deadline.get("running_over"),
                _datetime(deadline.get("measured_until")),
            ]
        )
    formats = {5: "#,##0", 6: "#,##0", 7: "0.0%", 8: "#,##0", 9: "0.0%", 14: "DD.MM.YYYY HH:MM"}
    _sheet(workbook, "Fristen", headers, rows, formats)


def _trends(workbook: Workbook, snapshot: dict) -> None:
    headers = [
        "Prozessschlüssel",
        "Prozess",
        "Monat",
        "Begonnen",
        "Abgeschlossen",
        "Offen am Monatsende",
        "Durchlaufzeit Median (Tage)",
        "Durchlaufzeit 90 % (Tage)",
        "Anteil über der Frist",
        "Anteil Papiereingang",
    ]
    rows = [
        [
            p.get("key"),
            p.get("name"),
            row.get("period"),
            row.get("started"),
            row.get("completed"),
            row.get("in_progress"),
            _days(row.get("median_duration_s")),
            _days(row.get("p90_duration_s")),
            row.get("deadline_over_share"),
            row.get("paper_share"),
        ]
        for p in snapshot.get("processes") or []
        # Absent from snapshots made before the trends were recorded.
        for row in (p.get("analysis") or {}).get("trends") or []
    ]
    formats = {3: "#,##0", 4: "#,##0", 5: "#,##0", 6: "0.0", 7: "0.0", 8: "0.0%", 9: "0.0%"}
    _sheet(workbook, "Entwicklung", headers, rows, formats)


def _units(workbook: Workbook, snapshot: dict) -> None:
    """Hand-overs and figures per org unit, as the analysis guarded them, each sheet followed by
    the notes that say per process what was merged or withheld."""
    processes = [
        p
        for p in snapshot.get("processes") or []
        if (p.get("analysis") or {}).get("org_unit_groups")
    ]
    if not processes:
        return
    handovers = [
        [
            p.get("key"),
            p.get("name"),
            h.get("from_unit"),
            h.get("to_unit"),
            h.get("count"),
            h.get("cases"),
            _days(h.get("mean_wait_s")),
        ]
        for p in processes
        for h in p["analysis"].get("handovers") or []
    ]
    units = [
        [
            p.get("key"),
            p.get("name"),
            u.get("group"),
            u.get("cases"),
            u.get("events"),
            _days(u.get("mean_wait_s")),
        ]
        for p in processes
        for u in p["analysis"].get("org_units") or []
    ]
    notes = [f"{p.get('name')}: {p['analysis']['org_unit_groups'].get('note')}" for p in processes]
    key = ["Prozessschlüssel", "Prozess"]
    for title, headers, rows, formats in (
        (
            "Übergaben",
            [*key, "Von", "Nach", "Übergaben", "Fälle", "Ø Wartezeit (Tage)"],
            handovers,
            {4: "#,##0", 5: "#,##0", 6: "0.0"},
        ),
        (
            "Organisationseinheiten",
            [*key, "Organisationseinheit", "Fälle", "Ereignisse", "Ø Wartezeit (Tage)"],
            units,
            {3: "#,##0", 4: "#,##0", 5: "0.0"},
        ),
    ):
        sheet = _sheet(workbook, title, headers, rows, formats)
        for offset, note in enumerate(notes, start=len(rows) + 3):
            sheet.cell(row=offset, column=1, value=_value(note)).data_type = "s"


def _assumptions(workbook: Workbook, snapshot: dict) -> None:
    labels = snapshot.get("assumption_labels") or {}
    rows = []
    for key, value in (snapshot.get("assumptions") or {}).items():
        label = labels.get(key) or key
        if isinstance(value, dict):
            rows += [[f"{key}.{sub}", f"{label}: {sub}", v] for sub, v in value.items()]
        else:
            rows.append([key, label, value])
    _sheet(workbook, "Annahmen", ["Schlüssel", "Annahme", "Wert"], rows)


def _scenarios(workbook: Workbook, snapshot: dict) -> None:
    """One row per accepted change of each process's scenario, with its before/after figures;
    no sheet when the report has no scenario (older snapshots have none)."""
    headers = [
        "Prozessschlüssel",
        "Prozess",
        "Änderung",
        "Schritt",
        "Fälle möglich",
        "Fälle geändert",
        "Stunden/Jahr",
        "Euro/Jahr",
        "Formel",
        "Median vorher (Tage)",
        "Median nachher (Tage)",
        "P90 vorher (Tage)",
        "P90 nachher (Tage)",
        "Über der Frist vorher",
        "Über der Frist nachher",
    ]
    rows = []
    for p in snapshot.get("processes") or []:
        scenario = p.get("scenario")
        if not scenario:
            continue
        before, after = scenario.get("before") or {}, scenario.get("after") or {}
        for c in scenario.get("changes") or []:
            rows.append(
                [
                    p.get("key"),
                    p.get("name"),
                    c.get("kind_label"),
                    c.get("activity") or "Eingang",
                    c.get("eligible_cases"),
                    c.get("cases"),
                    c.get("hours_saved_per_year"),
                    c.get("euros_saved_per_year"),
                    (c.get("calculation") or {}).get("formula"),
                    before.get("median_days"),
                    after.get("median_days"),
                    before.get("p90_days"),
                    after.get("p90_days"),
                    before.get("deadline_over_share"),
                    after.get("deadline_over_share"),
                ]
            )
    if rows:
        formats = {6: "#,##0.0", 7: "#,##0", 13: "0.0%", 14: "0.0%"}
        formats |= dict.fromkeys(range(9, 13), "0.0")
        _sheet(workbook, "Szenario", headers, rows, formats)


def render_xlsx(snapshot: dict) -> bytes:
    """The report as XLSX bytes: Zusammenfassung, Kandidaten, Prozesse, Engpässe, Fristen,
    Szenario (when one was chosen), Entwicklung (per process and month), Übergaben and Organisationseinheiten (when a log has org
    units), Annahmen."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for write in (
        _summary,
        _candidates,
        _processes,
        _bottlenecks,
        _deadlines,
        _scenarios,
        _trends,
        _units,
        _assumptions,
    ):
        write(workbook, snapshot)
    created = lb.parse_datetime(snapshot.get("created_at"))
    if created is not None:
        # The creation date is the snapshot's (openpyxl stores UTC); "modified" is the save time.
        workbook.properties.created = created.replace(tzinfo=None)
    workbook.properties.title = _value(snapshot.get("title") or "Digitalisierungsportfolio")
    workbook.properties.creator = "pmo"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
