"""Plain-text views for the terminal; JSON output never goes through here."""

from __future__ import annotations

from typing import Any

from process_registry import BpmnDiff, BpmnDocument, ProcessRecord

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
            f"  v{v.number}  {v.created_at:%Y-%m-%d %H:%M}  {v.author}  {v.sha256[:12]}{note}"
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
