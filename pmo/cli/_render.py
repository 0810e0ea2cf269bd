"""Plain-text views for the terminal; JSON output never goes through here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mining import AnalysisResult, tr
from process_registry import (
    BpmnDiff,
    BpmnDocument,
    ProcessRecord,
    local_date_text,
    local_text,
    parse_iso,
)

_LABELS = (
    ("name", "Name"),
    ("department", "Fachdienst"),
    ("owner", "Verantwortlich"),
    ("status", "Status"),
    ("leika_key", "LeiKa-Schlüssel"),
    ("ozg_service", "OZG-Leistung"),
    ("legal_basis", "Rechtsgrundlage"),
    ("annual_case_volume", "Fälle pro Jahr"),
    ("legal_deadline_days", "Gesetzliche Frist (Tage)"),
    ("deadline_starts_with", "Frist beginnt mit"),
    ("deadline_ends_with", "Frist endet mit"),
    ("valid_from", "Gültig ab"),
    ("valid_until", "Gültig bis"),
    ("resubmission_date", "Wiedervorlage"),
)


def _name(item: dict[str, Any]) -> str:
    return item.get("name") or f"({item.get('id')})"


def render_process(record: ProcessRecord, document: BpmnDocument) -> str:
    lines = [f"{record.key}  (Stand {record.revision})"]
    for attr, label in _LABELS:
        value = getattr(record, attr)
        if value not in (None, ""):
            lines.append(f"  {label + ':':<26}{value}")
    if record.ozg_maturity_level is not None:
        lines.append(
            f"  {'OZG-Reifegrad:':<26}{record.ozg_maturity_level} (Skala {record.ozg_maturity_scale})"
        )
    if record.tags:
        lines.append(f"  {'Schlagworte:':<26}{', '.join(record.tags)}")
    lines.append("Versionen:")
    for v in record.versions:
        note = f" – {v.comment}" if v.comment else ""
        lines.append(
            f"  v{v.number}  {local_text(v.created_at)}  {v.author}  {v.sha256[:12]}{note}"
        )
    model = document.to_dict()
    lines.append(f"Modell (Diagrammlayout: {'ja' if model.get('has_diagram_layout') else 'nein'}):")
    for pool in model.get("pools", []):
        lines.append(f"  Pool: {_name(pool)}")
    for process in model.get("processes", []):
        lines.append(f"  Prozess {process.get('id')}: {process.get('name') or ''}")
        for lane in process.get("lanes", []):
            lines.append(f"    Lane: {_name(lane)}")
        for task in process.get("tasks", []):
            lines.append(f"    Aufgabe: {_name(task)} [{task.get('type')}]")
        for sub in process.get("sub_processes", []):
            lines.append(f"    Teilprozess: {_name(sub)} [{sub.get('type')}]")
        for call in process.get("call_activities", []):
            lines.append(
                f"    Aufruf: {_name(call)} → {call.get('called_element') or '(kein Ziel)'}"
            )
        for event in process.get("events", []):
            lines.append(f"    Ereignis: {_name(event)} [{event.get('type')}]")
        gateways = process.get("gateways", [])
        if gateways:
            lines.append(f"    Gateways: {len(gateways)}")
    lines.append(
        f"  Sequenzflüsse: {len(model.get('sequence_flows', []))}, "
        f"Nachrichtenflüsse: {len(model.get('message_flows', []))}"
    )
    return "\n".join(lines)


def render_diff(key: str, old: int, new: int, diff: BpmnDiff) -> str:
    data = diff.to_dict()
    lines = [f"{key}: Version {old} → Version {new}"]
    empty = True
    for section, entries in data.items():
        if isinstance(entries, list) and entries:
            empty = False
            lines.append(f"  {section}:")
            lines.extend(f"    {entry}" for entry in entries)
    if empty:
        lines.append("  keine Unterschiede im Modell")
    return "\n".join(lines)


def _number(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",")


def _share(value: float) -> str:
    return f"{_number(value * 100)} %"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds >= 86400:
        return f"{_number(seconds / 86400)} Tage"
    if seconds >= 3600:
        return f"{_number(seconds / 3600)} Std."
    return f"{_number(seconds / 60, 0)} Min."


def _unit(seconds: float) -> tuple[float, str, int]:
    """The unit :func:`_duration` would choose for ``seconds``: its length, name and decimals."""
    if seconds >= 86400:
        return 86400.0, "Tage", 1
    if seconds >= 3600:
        return 3600.0, "Std.", 1
    return 60.0, "Min.", 0


def _count(number: int, one: str, many: str) -> str:
    return f"{_number(number, 0)} {one if number == 1 else many}"


def _bottleneck(edge: Mapping[str, Any]) -> str:
    # Mean and total in one unit, so that transitions × mean gives the total as printed.
    length, unit, digits = _unit(edge["mean_wait_s"])
    return (
        f"  {edge['source']} → {edge['target']}: "
        f"{_count(edge['transitions'], 'Übergang', 'Übergänge')} in "
        f"{_count(edge['cases'], 'Fall', 'Fällen')}, "
        f"Ø {_number(edge['mean_wait_s'] / length, digits)} {unit} je Übergang, "
        f"gesamt {_number(edge['total_wait_s'] / length, digits)} {unit}"
    )


def _days(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _deadline_lines(deadline: Mapping[str, Any]) -> list[str]:
    from mining import clock_texts, counting_rule

    starts, ends = clock_texts(deadline)
    lines = [
        f"Gesetzliche Frist {deadline['deadline_days']} Tage: {_share(deadline['over_share'])} "
        f"von {deadline['cases']} Fällen überschritten ({deadline['over']}), "
        f"{_share(deadline['close_share'])} knapp davor ({deadline['close']}, ab "
        f"{_days(deadline['close_threshold'])} Tagen)",
        f"  Fristbeginn: {starts}; Fristende: {ends}",
        f"  {counting_rule(deadline.get('holidays_of', 'NI'))}",
    ]
    if deadline["not_started"]:
        lines.append(
            f"  {deadline['not_started']} Fälle ohne „{deadline['starts_with']}“: Frist nie "
            f"begonnen, nicht mitgezählt"
        )
    if deadline["running"]:
        until = local_date_text(parse_iso(deadline["measured_until"]))
        lines.append(
            f"  {deadline['running']} Fälle ohne Fristende im Protokoll, gemessen bis {until}: "
            f"{deadline['running_over']} davon schon über der Frist (mitgezählt)"
        )
    if deadline["stop_before_start"]:
        lines.append(
            f"  {deadline['stop_before_start']} davon mit „{deadline['ends_with']}“ nur vor dem "
            f"Fristbeginn"
        )
    return lines


_TREND_MONTHS = 6


def _trend_lines(trends: list[Any]) -> list[str]:
    """The last months of ``trends``: what came in, what was done, what stayed open."""
    if not trends:
        return []
    lines = [
        f"Entwicklung der letzten {min(len(trends), _TREND_MONTHS)} Monate (begonnen, "
        "abgeschlossen, offen am Monatsende, Durchlaufzeit der abgeschlossenen Fälle):"
    ]
    for row in trends[-_TREND_MONTHS:]:
        line = (
            f"  {row['period']}: {_number(row['started'], 0)} begonnen, "
            f"{_number(row['completed'], 0)} abgeschlossen, {_number(row['in_progress'], 0)} "
            f"offen, Median {_duration(row['median_duration_s'])}, "
            f"90 % bis {_duration(row['p90_duration_s'])}"
        )
        if row["deadline_over_share"] is not None:
            line += f", über der Frist {_share(row['deadline_over_share'])}"
        if row["paper_share"] is not None:
            line += f", Papier {_share(row['paper_share'])}"
        lines.append(line)
    if len(trends) > _TREND_MONTHS:
        lines.append(f"  … {len(trends) - _TREND_MONTHS} Monate davor (--json zeigt alle)")
    return lines


def render_analysis(result: AnalysisResult) -> str:
    log = result["log"]
    durations = result["case_duration_s"]
    start, end = local_text(parse_iso(log["start"])), local_text(parse_iso(log["end"]))
    mean, median = _duration(durations["mean"]), _duration(durations["median"])
    p90 = _duration(durations["p90"])
    lines = [
        tr(
            f"{log['cases']} Fälle, {log['events']} Ereignisse, {log['activities']} Aktivitäten, "
            f"{log['variants']} Varianten ({start} bis {end})",
            f"{log['cases']} cases, {log['events']} events, {log['activities']} activities, "
            f"{log['variants']} variants ({start} to {end})",
        ),
        tr(
            f"Durchlaufzeit: Mittel {mean}, Median {median}, 90 % unter {p90}",
            f"Throughput time: mean {mean}, median {median}, 90 % below {p90}",
        ),
        tr("Häufigste Varianten:", "Most frequent variants:"),
    ]
    for variant in result["variants"][:5]:
        lines.append(f"  {_share(variant['share']):>7}  {' → '.join(variant['activities'])}")
    lines.append(tr("Engpässe (nach gesamter Wartezeit):", "Bottlenecks (by total waiting time):"))
    lines.extend(_bottleneck(edge) for edge in result["bottlenecks"][:5])
    conformance = result.get("conformance")
    if conformance:
        model = f"{conformance['model']} v{conformance['version']}"
        fitness = _number(conformance["fitness"], 3)
        fitting = _share(conformance["fitting_cases_share"])
        lines.append(
            tr(
                f"Modell {model}: Fitness {fitness}, konforme Fälle {fitting}",
                f"Model {model}: fitness {fitness}, conforming cases {fitting}",
            )
        )
        labels = {
            "skipped": tr("ausgelassen", "skipped"),
            "unmodelled": tr("nicht modelliert", "not modelled"),
            "wrong_order": tr("falsche Reihenfolge", "wrong order"),
        }
        for deviation in conformance["deviations"][:8]:
            lines.append(
                f"  {labels.get(deviation['kind'], deviation['kind'])}: {deviation['activity']} "
                f"({deviation['cases']} {tr('Fälle', 'cases')}, {_share(deviation['share'])})"
            )
    lines.extend(_unit_lines(result))
    deadline = result.get("deadline")
    if deadline:
        lines += _deadline_lines(deadline)
    lines += _trend_lines(result.get("trends") or [])
    candidates = result.get("candidates") or []
    if candidates:
        lines.append(
            tr(
                "Digitalisierungskandidaten (Score, Empfehlung, Schritt, Stunden/Jahr):",
                "Digitization candidates (score, recommendation, step, hours/year):",
            )
        )
    for candidate in candidates[:5]:
        flags = f" [{tr('wenige Fälle', 'few cases')}]" if candidate["low_evidence"] else ""
        flags += " [§ 35a VwVfG]" if candidate["decides"] else ""
        lines.append(
            f"  {_number(candidate['score'])}  {candidate['recommendation_label']}: "
            f"{candidate['activity'] or tr('(ganzer Prozess)', '(whole process)')}, "
            f"{_number(candidate['hours_saved_per_year'], 0)} h{flags}"
        )
        lines.append(f"      {candidate['reasons'][0]}")
    return "\n".join(lines)


def _unit_lines(result: AnalysisResult) -> list[str]:
    """Hand-overs between org units, as ``analyze`` guarded them, with the note that says what
    was merged or withheld (the rows are already safe to show; nothing is filtered here)."""
    groups = result.get("org_unit_groups")
    if not groups:
        return []
    rows = result.get("handovers", [])
    lines = ["Übergaben zwischen Organisationseinheiten:"]
    for row in rows[:5]:
        lines.append(
            f"  {row['from_unit']} → {row['to_unit']}: {row['count']} Übergaben, "
            f"{row['cases']} Fälle, Ø {_duration(row['mean_wait_s'])}"
        )
    if len(rows) > 5:
        lines.append(f"  … und {len(rows) - 5} weitere Paare (--json zeigt alle)")
    lines.append(f"  {groups['note']}")
    return lines


def render_fim(fim: dict[str, Any]) -> str:
    """The FIM part of ``registry show``: Stammprozess data, activity groups, the local link."""
    lines: list[str] = []
    stamm = fim.get("stammprozess")
    if stamm:
        lines.append(
            f"FIM-Stammprozess {stamm['leika']}, Version {stamm.get('version') or '–'}, "
            f"Status {stamm.get('status_name') or '–'}"
        )
        lands = ", ".join(land["name"] or land["code"] for land in stamm.get("lands", []))
        if lands:
            lines.append(f"  Land: {lands}")
        for basis in stamm.get("legal_bases", []):
            link = f" <{basis['uri']}>" if basis.get("uri") else ""
            lines.append(f"  Handlungsgrundlage: {basis['name']}{link}")
        for path, day in (stamm.get("release_dates") or {}).items():
            lines.append(f"  Freigabe ({path}): {day}")
    groups = fim.get("activity_groups") or []
    if groups:
        lines.append("Aktivitätengruppen:")
    for group in groups:
        kind = group.get("type_name") or group.get("type_code") or "ohne Typ"
        legal = "; ".join(b["name"] for b in group.get("legal_bases", []))
        lines.append(
            f"  {group.get('task_name') or group['element_id']} [{kind}]"
            + (f" – {legal}" if legal else "")
        )
    link = fim.get("derived_from")
    if link:
        lines.append(
            f"Abgeleitet von {link['stamm_key']} (abgestimmt mit Version "
            f"{link['aligned_version']}, aktuell Version {link['stamm_version']})"
        )
        if link["review_needed"]:
            lines.append("  Prüfung nötig: neue Stammprozess-Version (`pmo registry stamm-diff`).")
    return "\n".join(lines)
