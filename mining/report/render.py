"""The portfolio report in one of its formats, and what the report says, independent of the format.

A report is rendered from a frozen snapshot dict only (never from the database or the clock), so
rendering the same snapshot again gives the same figures. The PDF and the HTML page show the same
sections: this module turns the snapshot into German texts and tables, the format modules lay
them out.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mining.digitization import input_name
from mining.report import labels as lb
from mining.report import leadership as cc
from mining.report.redact import redaction_notes
from mining.texts import as_read, reading, reading_language, tr

__all__ = [
    "Bullets",
    "CandidateView",
    "Facts",
    "Figure",
    "Section",
    "Table",
    "appendix_sections",
    "assumption_rows",
    "conclusion_text",
    "key_figures",
    "process_sections",
    "render_report",
    "report_facts",
    "scenario_sections",
    "score_note",
    "top_candidates",
]

FORMATS = ("pdf", "xlsx", "html", "json")
TOP_CANDIDATES = 10
TOP_ROWS = 5


def render_report(snapshot: dict, fmt: str, lang: str | None = None) -> bytes:
    """The report of ``snapshot`` as ``"pdf"``, ``"xlsx"``, ``"html"`` or ``"json"`` bytes.

    Example::

        Path("portfolio.pdf").write_bytes(render_report(snapshot, "pdf"))
    """
    if fmt == "json":
        return json.dumps(snapshot, ensure_ascii=False, indent=2, sort_keys=True).encode()
    if fmt not in FORMATS:
        raise ValueError(
            f"Unbekanntes Berichtsformat „{fmt}“; möglich sind: {', '.join(sorted(FORMATS))}."
        )
    # Imported on use: the format modules import the sections below (and reportlab is heavy).
    module = importlib.import_module(f".{fmt}", __package__)
    # A snapshot built for English readers says so; its labels follow unless the caller asks.
    with reading(lang or snapshot.get("language") or "de"):
        return getattr(module, f"render_{fmt}")(snapshot)


@dataclass(frozen=True)
class Facts:
    rows: list[tuple[str, str]]


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    numeric: tuple[int, ...] = ()  # right-aligned columns


@dataclass(frozen=True)
class Bullets:
    items: list[str]


@dataclass(frozen=True)
class CandidateView:
    title: str
    figures: str
    flags: list[str]
    reasons: list[str]
    calculation: list[str] = field(default_factory=list)  # formula, inputs, result, assumptions


@dataclass(frozen=True)
class Figure:
    data: dict = field(default_factory=dict)  # a process map, or ``{"rows": trends}``
    kind: str = "process_map"  # or "trends"


@dataclass(frozen=True)
class Section:
    heading: str | None
    content: Facts | Table | Bullets | Figure | list[CandidateView]


def activity_text(candidate: dict) -> str:
    activity = candidate.get("activity")
    return tr("ganzer Prozess", "whole process") if activity is None else str(activity)


def _text(value: object) -> str:
    return lb.DASH if value is None or value == "" else str(value)


def _filters(snapshot: dict) -> str:
    filters = snapshot.get("filters") or {}
    start, end = filters.get("from"), filters.get("to")
    if not start and not end:
        return tr("alle Daten der Protokolle", "all data of the logs")
    return f"{lb.date(start) if start else 'Beginn'} bis {lb.date(end) if end else 'Ende'}"


def _data_period(snapshot: dict) -> str:
    stamps = []
    for process in snapshot.get("processes") or []:
        log = process.get("log") or {}
        for iso in (log.get("start"), log.get("end")):
            parsed = lb.parse_datetime(iso)
            if parsed is not None:
                stamps.append((parsed, iso))
    if not stamps:
        return tr("keine Ereignisprotokolle", "no event logs")
    return f"{lb.date(min(stamps)[1])} – {lb.date(max(stamps)[1])}"


def conclusion_text(snapshot: dict) -> str:
    """The opening paragraph in the reading language (mining.texts.reading): stored with the
    snapshot, worked out for older ones."""
    lang = reading_language()
    stored = snapshot.get("conclusions") or {}
    return stored.get(lang) or cc.conclusions(snapshot, lang)


def score_note(snapshot: dict) -> str:
    return cc.score_note(snapshot, reading_language())


def data_age_text(process: dict, snapshot: dict) -> str | None:
    """``"555 Tage – älter als 180 Tage: …"`` for a process with a log, else None."""
    age = cc.data_age_days(process, snapshot)
    if age is None:
        return None
    limit = cc.data_age_threshold(snapshot)
    text = "1 Tag" if age == 1 else f"{lb.number(age)} Tage"
    if age > limit:
        text += (
            f" – Achtung: älter als {lb.number(limit)} Tage, die Zahlen beschreiben womöglich "
            "nicht mehr den heutigen Ablauf"
        )
    return text


def report_facts(snapshot: dict) -> Facts:
    summary = snapshot.get("summary") or {}
    rows = [
        (tr("Erstellt am", "Created on"), lb.date_time(snapshot.get("created_at"))),
        (tr("Erstellt von", "Created by"), _text(snapshot.get("created_by"))),
        (
            tr("Datenbasis", "Data basis"),
            tr(
                f"{lb.number(summary.get('processes'))} Prozesse, davon "
                f"{lb.number(summary.get('processes_with_log'))} mit Ereignisprotokoll",
                f"{lb.number(summary.get('processes'))} processes, "
                f"{lb.number(summary.get('processes_with_log'))} of them with an event log",
            ),
        ),
        (tr("Datenstand der Protokolle", "Period of the logs"), _data_period(snapshot)),
        (tr("Zeitraum", "Period"), _filters(snapshot)),
    ]
    if snapshot.get("id") is not None:
        rows.append((tr("Bericht Nr.", "Report no."), str(snapshot["id"])))
    # A snapshot whose log was deleted says so wherever it is read.
    rows += [
        (tr("Nachträglich entfernt", "Removed afterwards"), note)
        for note in redaction_notes(snapshot)
    ]
    return Facts(rows)


def key_figures(snapshot: dict) -> list[tuple[str, str]]:
    summary = snapshot.get("summary") or {}
    return [
        (tr("Kandidaten", "Candidates"), lb.number(summary.get("candidates"))),
        (tr("Stunden/Jahr", "Hours/year"), lb.hours(summary.get("hours_saved_per_year"))),
        (tr("Vollzeitstellen", "Full-time posts"), lb.number(summary.get("fte_saved"), 2)),
        (tr("Euro/Jahr", "Euros/year"), lb.euros(summary.get("euros_saved_per_year"))),
        (
            tr("Papierseiten/Jahr", "Paper pages/year"),
            lb.number(summary.get("pages_avoided_per_year")),
        ),
        (tr("CO₂/Jahr", "CO₂/year"), f"{lb.number(summary.get('co2_kg_avoided_per_year'), 1)} kg"),
    ]


def top_candidates(snapshot: dict, limit: int = TOP_CANDIDATES) -> Table:
    rows = [
        [
            str(rank),
            _text(c.get("process_name") or c.get("process")),
            activity_text(c),
            lb.recommendation_label(c),
            lb.number(c.get("score"), 1),
            lb.hours(c.get("hours_saved_per_year")),
            ", ".join(lb.candidate_flags(c)),
        ]
        for rank, c in enumerate((snapshot.get("candidates") or [])[:limit], start=1)
    ]
    headers = [
        tr("Nr.", "No."),
        tr("Prozess", "Process"),
        tr("Schritt", "Step"),
        tr("Empfehlung", "Recommendation"),
        "Score",
        tr("Stunden/Jahr", "Hours/year"),
        tr("Hinweise", "Notes"),
    ]
    return Table(headers, rows, numeric=(0, 4, 5))


def _process_facts(process: dict, snapshot: dict) -> Facts:
    log = process.get("log") or {}
    maturity = process.get("ozg_maturity_level")
    if maturity is not None and process.get("ozg_maturity_scale"):
        maturity = f"{maturity} (Skala {process['ozg_maturity_scale']})"
    rows = [
        (tr("Fachdienst", "Department"), _text(process.get("department"))),
        (tr("Prozessschlüssel", "Process key"), _text(process.get("key"))),
        (tr("Modellversion", "Model version"), _text(process.get("model_version"))),
        (tr("OZG-Reifegrad", "OZG maturity"), _text(maturity)),
        (
            tr("Fälle/Jahr (Register)", "Cases/year (registry)"),
            lb.number(process.get("annual_case_volume")),
        ),
    ]
    if log:
        rows += [
            (
                tr("Ereignisprotokoll", "Event log"),
                f"{_text(log.get('source_name'))} (ID {_text(log.get('log_id'))})",
            ),
            (tr("Hochgeladen am", "Uploaded on"), lb.date_time(log.get("uploaded_at"))),
            # Snapshots before the reference log existed have no reason: the row stays out.
            *(
                [(tr("Warum dieses Protokoll", "Why this log"), _text(log["reason_text"]))]
                if log.get("reason_text")
                else []
            ),
            (
                tr("Datenzeitraum", "Data period"),
                f"{lb.date(log.get('start'))} – {lb.date(log.get('end'))}",
            ),
            *(
                [(tr("Alter der Daten beim Bericht", "Age of the data at the report"), age)]
                if (age := data_age_text(process, snapshot))
                else []
            ),
            (
                tr("Fälle / Ereignisse", "Cases / events"),
                f"{lb.number(log.get('cases'))} / {lb.number(log.get('events'))}",
            ),
            (tr("Zeitraum", "Period"), _filters(snapshot)),
        ]
    duration = ((process.get("analysis") or {}).get("case_duration_s")) or {}
    if duration:
        rows.append(
            (
                tr("Durchlaufzeit", "Throughput time"),
                tr(
                    f"Mittel {lb.days(duration.get('mean'))} · "
                    f"Median {lb.days(duration.get('median'))}"
                    f" · 90 % der Fälle bis {lb.days(duration.get('p90'))}",
                    f"mean {lb.days(duration.get('mean'))} · "
                    f"median {lb.days(duration.get('median'))}"
                    f" · 90 % of cases within {lb.days(duration.get('p90'))}",
                ),
            )
        )
    return Facts(rows)


Column = tuple[str, str, Callable[[Any], str]]  # header, key in the row dict, formatter


def _table(items: list[dict], text: list[Column], numbers: list[Column]) -> Table:
    """A table of text columns, then right-aligned number columns."""
    columns = text + numbers
    rows = [[fmt(item.get(key)) for _h, key, fmt in columns] for item in items]
    numeric = tuple(range(len(text), len(columns)))
    return Table([header for header, _k, _f in columns], rows, numeric)


def _bottlenecks(analysis: dict) -> Table:
    return _table(
        (analysis.get("bottlenecks") or [])[:TOP_ROWS],
        [(tr("Von", "From"), "source", _text), (tr("Nach", "To"), "target", _text)],
        [
            # A case that goes round a loop passes an edge more than once, and waits each time.
            (tr("Übergänge", "Transitions"), "transitions", lb.number),
            (tr("Fälle", "Cases"), "cases", lb.number),
            (
                tr("Ø Wartezeit je Übergang", "Ø waiting time per transition"),
                "mean_wait_s",
                lb.days,
            ),
            (
                tr("Wartezeit gesamt (Übergänge × Ø)", "Total waiting time (transitions × Ø)"),
                "total_wait_s",
                lambda s: lb.days(s, 0),
            ),
        ],
    )


def _rework(analysis: dict) -> Table:
    return _table(
        (analysis.get("rework") or [])[:TOP_ROWS],
        [(tr("Schritt", "Step"), "activity", _text)],
        [
            (tr("Fälle mit Nacharbeit", "Cases with rework"), "cases_with_rework", lb.number),
            (tr("Anteil", "Share"), "share_of_cases", lb.percent),
            (tr("Zusätzliche Ausführungen", "Extra executions"), "extra_executions", lb.number),
            (
                tr("Zeit in der Schleife (gesamt)", "Time in the loop (total)"),
                "time_lost_s",
                lambda s: lb.days(s, 0),
            ),
        ],
    )


def _conformance(conformance: dict) -> list[Section]:
    # Fitness and precision are the method's measures: the appendix has them (appendix_sections).
    facts = [
        (
            tr("Fälle ohne Abweichung", "Cases without deviation"),
            lb.percent(conformance.get("fitting_cases_share")),
        )
    ]
    sections = [Section(tr("Abgleich mit dem Modell", "Comparison with the model"), Facts(facts))]
    deviations = (conformance.get("deviations") or [])[:TOP_ROWS]
    if deviations:
        kind = lambda k: lb.deviation_kind(_text(k))  # noqa: E731
        text = [
            (tr("Abweichung", "Deviation"), "kind", kind),
            (tr("Schritt", "Step"), "activity", _text),
        ]
        numbers = [
            (tr("Fälle", "Cases"), "cases", lb.number),
            (tr("Anteil", "Share"), "share", lb.percent),
        ]
        sections.append(
            Section(
                tr("Häufigste Abweichungen", "Most frequent deviations"),
                _table(deviations, text, numbers),
            )
        )
    return sections


def _channels(channels: dict) -> Section:
    table = _table(
        channels.get("values") or [],
        [(tr("Kanal", "Channel"), "channel", _text)],
        [
            (tr("Fälle", "Cases"), "cases", lb.number),
            (tr("Ø Durchlaufzeit", "Ø throughput time"), "mean_throughput_s", lb.days),
            ("Median", "median_throughput_s", lb.days),
            (tr("Nacharbeit", "Rework"), "rework_share", lb.percent),
            (tr("Ø Wartezeit", "Ø waiting time"), "mean_wait_s", lb.days),
        ],
    )
    column = _text(channels.get("column"))
    return Section(
        tr(f"Eingangskanäle (Spalte „{column}“)", f"Intake channels (column „{column}“)"), table
    )


def _units(analysis: dict) -> list[Section]:
    """Hand-overs and figures per org unit as the analysis guarded them (mining.measures.groups), with
    the note that says what was merged or withheld, so the rows can be checked against it."""
    groups = analysis["org_unit_groups"]
    sections = []
    notes = []
    handovers = analysis.get("handovers") or []
    if handovers:
        table = _table(
            handovers[:TOP_ROWS],
            [(tr("Von", "From"), "from_unit", _text), (tr("Nach", "To"), "to_unit", _text)],
            [
                (tr("Übergaben", "Hand-overs"), "count", lb.number),
                (tr("Fälle", "Cases"), "cases", lb.number),
                (tr("Ø Wartezeit", "Ø waiting time"), "mean_wait_s", lb.days),
            ],
        )
        sections.append(
            Section(
                tr(
                    "Übergaben zwischen Organisationseinheiten",
                    "Hand-overs between organisational units",
                ),
                table,
            )
        )
        if len(handovers) > TOP_ROWS:
            notes.append(
                tr(
                    f"Gezeigt: die {TOP_ROWS} häufigsten von {len(handovers)} Übergaben-Paaren.",
                    f"Shown: the {TOP_ROWS} most frequent of {len(handovers)} hand-over pairs.",
                )
            )
    units = analysis.get("org_units") or []
    if units:
        table = _table(
            units[:TOP_ROWS],
            [(tr("Organisationseinheit", "Organisational unit"), "group", _text)],
            [
                (tr("Fälle", "Cases"), "cases", lb.number),
                (tr("Ereignisse", "Events"), "events", lb.number),
                (tr("Ø Wartezeit", "Ø waiting time"), "mean_wait_s", lb.days),
            ],
        )
        sections.append(Section(tr("Organisationseinheiten", "Organisational units"), table))
        if len(units) > TOP_ROWS:
            notes.append(
                tr(
                    f"Gezeigt: die {TOP_ROWS} größten von {len(units)} Einheiten.",
                    f"Shown: the {TOP_ROWS} largest of {len(units)} units.",
                )
            )
    heading = None if sections else tr("Organisationseinheiten", "Organisational units")
    sections.append(Section(heading, Bullets([_text(groups.get("note")), *notes])))
    return sections


def _deadline(deadline: dict) -> Section:
    from mining.measures import clock_texts, counting_rule

    def count_share(count: str, share: str) -> str:
        cases = tr("Fälle", "cases")
        return f"{lb.number(deadline.get(count))} {cases} ({lb.percent(deadline.get(share))})"

    starts, ends = (as_read(text) for text in clock_texts(deadline))
    rows = [
        (
            tr("Frist", "Deadline"),
            f"{lb.number(deadline.get('deadline_days'))} {tr('Tage', 'days')}",
        ),
        (tr("Fristbeginn", "Deadline starts"), starts),
        (tr("Fristende", "Deadline ends"), ends),
        (
            tr("Fälle mit Fristbeginn", "Cases with a deadline start"),
            lb.number(deadline.get("cases")),
        ),
        (tr("Frist überschritten", "Deadline exceeded"), count_share("over", "over_share")),
        (tr("Knapp vor Fristende", "Close to the deadline"), count_share("close", "close_share")),
    ]
    if "close_threshold" not in deadline:
        # A snapshot from before the clock activities: first to last event, in 24-hour blocks.
        return Section(tr("Gesetzliche Frist", "Legal deadline"), Facts(rows))
    rows[-1] = (
        tr(
            f"Knapp vor Fristende (ab {lb.plain(deadline['close_threshold'])} Tagen)",
            f"Close to the deadline (from {lb.plain(deadline['close_threshold'])} days)",
        ),
        rows[-1][1],
    )
    if deadline.get("not_started"):
        rows.append(
            (
                tr("Ohne Fristbeginn (nicht gezählt)", "Without deadline start (not counted)"),
                tr(
                    f"{lb.number(deadline['not_started'])} Fälle ohne „{deadline.get('starts_with')}“",
                    f"{lb.number(deadline['not_started'])} cases without „{deadline.get('starts_with')}“",
                ),
            )
        )
    if deadline.get("running"):
        rows.append(
            (
                tr(
                    f"Ohne Fristende bis {lb.date(deadline.get('measured_until'))}",
                    f"Without deadline end by {lb.date(deadline.get('measured_until'))}",
                ),
                tr(
                    f"{lb.number(deadline['running'])} Fälle, davon "
                    f"{lb.number(deadline.get('running_over'))} schon über der Frist (mitgezählt)",
                    f"{lb.number(deadline['running'])} cases, "
                    f"{lb.number(deadline.get('running_over'))} of them already over the deadline "
                    "(counted)",
                ),
            )
        )
    rows.append(
        (
            tr("Zählweise", "Counting rule"),
            as_read(counting_rule(deadline.get("holidays_of", "NI"))),
        )
    )
    return Section(tr("Gesetzliche Frist", "Legal deadline"), Facts(rows))


def _trends(rows: list[dict]) -> list[Section]:
    first, last = rows[0].get("period"), rows[-1].get("period")
    note = tr(
        f"{len(rows)} Monate ({_text(first)} bis {_text(last)}), Kalendermonate in Berliner Zeit. "
        "Ein Fall beginnt mit seinem ersten und gilt mit seinem letzten Ereignis im Protokoll als "
        "abgeschlossen – auch wenn er nach dem Export weiterläuft, daher ist der letzte Monat oft "
        "unvollständig. Die Durchlaufzeit ist die der im Monat abgeschlossenen Fälle; ein Monat "
        "ohne Abschluss hat keinen Wert.",
        f"{len(rows)} months ({_text(first)} to {_text(last)}), calendar months in Berlin time. "
        "A case starts with its first event and counts as completed with its last event in the "
        "log – even if it continues after the export, so the last month is often incomplete. "
        "The throughput time is that of the cases completed in the month; a month without a "
        "completion has no value.",
    )
    return [
        Section(
            tr("Entwicklung je Monat", "Development per month"),
            Figure({"rows": rows}, kind="trends"),
        ),
        Section(None, Bullets([note])),
    ]


def candidate_view(candidate: dict, rank: int) -> CandidateView:
    year = tr("Jahr", "year")
    parts = [
        f"Score {lb.number(candidate.get('score'), 1)}",
        f"{tr('Nutzen', 'Benefit')} {lb.number(candidate.get('benefit'), 2)}",
        tr(
            f"Aufwand {lb.number(candidate.get('effort'))} von 5",
            f"Effort {lb.number(candidate.get('effort'))} of 5",
        ),
        f"{lb.hours(candidate.get('hours_saved_per_year'))}/{year}",
        f"{lb.number(candidate.get('fte_saved'), 2)} {tr('Vollzeitstellen', 'full-time posts')}",
        f"{lb.euros(candidate.get('euros_saved_per_year'))}/{year}",
    ]
    if candidate.get("pages_avoided_per_year"):
        pages = lb.number(candidate["pages_avoided_per_year"])
        parts.append(tr(f"{pages} Seiten/Jahr", f"{pages} pages/year"))
    if candidate.get("throughput_reduction_days"):
        days_saved = lb.number(candidate["throughput_reduction_days"], 1)
        parts.append(
            tr(
                f"Durchlaufzeit {days_saved} Tage kürzer",
                f"throughput time {days_saved} days shorter",
            )
        )
    if candidate.get("cases") is not None:
        cases = lb.number(candidate["cases"])
        parts.append(tr(f"{cases} Fälle im Protokoll", f"{cases} cases in the log"))
    title = f"{rank}. {activity_text(candidate)} – {lb.recommendation_label(candidate)}"
    reasons = [str(reason) for reason in candidate.get("reasons") or []]
    return CandidateView(
        title,
        " · ".join(parts),
        lb.candidate_flags(candidate),
        reasons,
        calculation_lines(candidate),
    )


def calculation_lines(candidate: dict) -> list[str]:
    """The candidate's ``calculation`` as the reports print it: the formula verbatim, its inputs,
    the result, and the assumptions used with their source. Empty for older snapshots."""
    calculation = candidate.get("calculation") or {}
    lines = []
    if calculation.get("formula"):
        lines.append(f"{tr('Berechnung', 'Calculation')}: {calculation['formula']}")
        inputs = calculation.get("inputs") or {}
        if inputs:
            lines.append(
                tr("Eingangsgrößen: ", "Inputs: ")
                + "; ".join(
                    f"{as_read(input_name(name))} = {lb.plain(value)}"
                    for name, value in inputs.items()
                )
            )
        result = lb.number(calculation.get("result"), 1)
        lines.append(tr(f"Ergebnis: {result} Stunden/Jahr", f"Result: {result} hours/year"))
    used = candidate.get("assumptions_used") or []
    if used:
        lines.append(
            tr("Annahmen: ", "Assumptions: ")
            + "; ".join(f"{u['label']} = {lb.plain(u['value'])} ({u['source']})" for u in used)
        )
    return lines


def process_sections(process: dict, snapshot: dict) -> list[Section]:
    """The sections of one process page, in page order."""
    sections = [Section(None, _process_facts(process, snapshot))]
    process_map = process.get("process_map") or {}
    if process_map.get("nodes"):
        sections.append(
            Section(
                tr("Prozesslandkarte (häufigste Schritte)", "Process map (most frequent steps)"),
                Figure(process_map),
            )
        )
    analysis = process.get("analysis") or {}
    # Snapshots from before the trends have none: the section is left out, not shown empty.
    if analysis.get("trends"):
        sections += _trends(analysis["trends"])
    if analysis.get("bottlenecks"):
        sections.append(
            Section(
                tr(
                    "Engpässe (größte Wartezeit gesamt)", "Bottlenecks (largest total waiting time)"
                ),
                _bottlenecks(analysis),
            )
        )
    if analysis.get("rework"):
        sections.append(Section(tr("Nacharbeit", "Rework"), _rework(analysis)))
    if analysis.get("conformance"):
        sections += _conformance(analysis["conformance"])
    if analysis.get("channels"):
        sections.append(_channels(analysis["channels"]))
    if analysis.get("org_unit_groups"):
        sections += _units(analysis)
    if analysis.get("deadline"):
        sections.append(_deadline(analysis["deadline"]))
    candidates = process.get("candidates") or []
    views = [candidate_view(c, rank) for rank, c in enumerate(candidates, start=1)]
    sections.append(
        Section(
            tr("Digitalisierungskandidaten", "Digitization candidates"),
            views or Bullets([tr("Keine Kandidaten.", "No candidates.")]),
        )
    )
    if views:
        sections.append(Section(None, Bullets([score_note(snapshot)])))
    if process.get("scenario"):
        sections += scenario_sections(process["scenario"])
    if process.get("notes"):
        sections.append(
            Section(tr("Hinweise", "Notes"), Bullets([str(n) for n in process["notes"]]))
        )
    return sections


def appendix_sections(snapshot: dict) -> list[Section]:
    """The technical appendix: per process with such details, how well log and model fit
    (fitness, precision) and how the model was read (element ids, boundary events). Empty when no
    process has any, so the appendix is left out."""
    sections = []
    for process in snapshot.get("processes") or []:
        conformance = (process.get("analysis") or {}).get("conformance") or {}
        notes = [str(n) for n in process.get("technical_notes") or []]
        if not conformance and not notes:
            continue
        name = str(process.get("name") or process.get("key"))
        if conformance:
            rows = [
                (
                    "Modell, Version",
                    f"{_text(conformance.get('model'))}, {_text(conformance.get('version'))}",
                ),
                ("Fitness (0–1)", lb.number(conformance.get("fitness"), 2)),
                ("Präzision (0–1)", lb.number(conformance.get("precision"), 2)),
            ]
            sections.append(Section(name, Facts(rows)))
        if notes:
            sections.append(Section(None if conformance else name, Bullets(notes)))
    return sections


APPENDIX_HEADING = "Anhang: Technische Hinweise zum Modellabgleich"
APPENDIX_NOTE = (
    "Fitness: Anteil der protokollierten Schritte, die das Modell erklärt; Präzision: wie wenig "
    "das Modell zulässt, was nie vorkommt (jeweils 1 = vollständig). Die Hinweise sagen, wie das "
    "BPMN-Modell für den Abgleich gelesen wurde."
)


def scenario_sections(scenario: dict) -> list[Section]:
    """The chosen scenario (:meth:`mining.ScenarioResult.to_dict`): what changes, its savings,
    throughput and deadline before and after, and the assumptions it rests on."""
    items = [
        f"{c.get('kind_label')} – {c.get('activity') or 'Eingang'}: {lb.number(c.get('cases'))} "
        f"von {lb.number(c.get('eligible_cases'))} Fällen geändert, "
        f"{lb.hours(c.get('hours_saved_per_year'))}/Jahr "
        f"({(c.get('calculation') or {}).get('formula', '')})"
        for c in scenario.get("changes") or []
    ]
    if scenario.get("online_share_target") is not None:
        items.append(
            f"Online-Eingang: heute {lb.percent(scenario.get('online_share_before'))}, "
            f"Ziel {lb.percent(scenario['online_share_target'])}"
        )
    items.append(
        f"Eingespart: {lb.hours(scenario.get('hours_saved_per_year'))}/Jahr, "
        f"{lb.number(scenario.get('fte_saved'), 2)} Vollzeitstellen, "
        f"{lb.euros(scenario.get('euros_saved_per_year'))}/Jahr"
    )
    items += [str(note) for note in scenario.get("notes") or []]
    before, after = scenario.get("before") or {}, scenario.get("after") or {}
    rows = [
        [
            tr("Durchlaufzeit Median", "Throughput time median"),
            lb.number(before.get("median_days"), 1),
            lb.number(after.get("median_days"), 1),
        ],
        [
            tr("Durchlaufzeit P90", "Throughput time P90"),
            lb.number(before.get("p90_days"), 1),
            lb.number(after.get("p90_days"), 1),
        ],
    ]
    if scenario.get("deadline_days"):
        rows.append(
            [
                f"Über der Frist von {lb.number(scenario['deadline_days'])} Tagen",
                lb.percent(before.get("deadline_over_share"), 1),
                lb.percent(after.get("deadline_over_share"), 1),
            ]
        )
    assumptions = [
        [_text(a.get("label")), lb.plain(a.get("value")), _text(a.get("source"))]
        for a in scenario.get("assumptions") or []
    ]
    return [
        Section(
            tr("Szenario: übernommene Änderungen", "Scenario: accepted changes"), Bullets(items)
        ),
        Section(
            tr("Szenario: vorher und nachher (Tage)", "Scenario: before and after (days)"),
            Table(
                [tr("Kennzahl", "Measure"), tr("vorher", "before"), tr("nachher", "after")],
                rows,
                numeric=(1, 2),
            ),
        ),
        Section(
            tr("Szenario: Annahmen", "Scenario: assumptions"),
            Table(
                [tr("Annahme", "Assumption"), tr("Wert", "Value"), tr("Quelle", "Source")],
                assumptions,
            ),
        ),
    ]


def assumption_rows(snapshot: dict) -> list[tuple[str, str, str]]:
    """``(key, German label, value as text)`` for every assumption, in the snapshot's order."""
    labels = snapshot.get("assumption_labels") or {}
    return [
        (key, labels.get(key) or key, lb.plain(value))
        for key, value in (snapshot.get("assumptions") or {}).items()
    ]
