"""German wording and German number formats of the portfolio report.

Every formatter takes ``None`` (a value the snapshot does not have) and returns the dash, so a
missing figure never reads as zero.
"""

from __future__ import annotations

import math
from datetime import datetime

from mining.digitization import RECOMMENDATION_LABELS
from mining.formats import MISSING, format_date, format_datetime, format_number
from mining.texts import tr
from process_registry import clock

__all__ = [
    "DASH",
    "DEVIATION_KINDS",
    "FLAG_DECIDES",
    "FLAG_LOW_EVIDENCE",
    "METHOD_NOTE",
    "RECOMMENDATION_LABELS",
    "candidate_flags",
    "date",
    "date_time",
    "deviation_kind",
    "method_note",
    "days",
    "euros",
    "hours",
    "number",
    "parse_datetime",
    "percent",
    "plain",
    "recommendation_label",
    "signal_label",
]

DASH = MISSING
FLAG_LOW_EVIDENCE = "wenige Fälle"
FLAG_DECIDES = "§ 35a"

DEVIATION_KINDS = {
    "skipped": "ausgelassen",
    "unmodelled": "nicht im Modell",
    "wrong_order": "falsche Reihenfolge",
}

_SIGNAL_LABELS = {
    "events_per_year": "Ausführungen/Jahr",
    "cases_per_year": "Fälle/Jahr",
    "median_processing_min": "Bearbeitungszeit Median (Min.)",
    "mean_processing_min": "Bearbeitungszeit Mittel (Min.)",
    "variation": "Streuung",
    "successor_share": "Anteil gleicher Folgeschritt",
    "rework_share": "Anteil Fälle mit Nacharbeit",
    "paper_share": "Anteil Papier/E-Mail/Fax",
    "wait_days": "Liegezeit (Tage)",
    "handovers_per_case": "Übergaben je Fall",
    "median_gap_min": "Zeit seit dem Vorschritt, Median (Min.)",
    "gap_variation": "Streuung der Zeit seit dem Vorschritt",
    "same_session_share": "Anteil gleiche Person in einer Arbeitssitzung",
    "system_account_share": "Anteil Systemkonto",
    "rpa_evidence": "Belege für Regelgebundenheit",
    "rework_days_per_loop": "Tage je Nacharbeitsschleife",
    "bottleneck_wait_days": "Liegezeit am Engpass (Tage)",
    "ozg_maturity_gap": "Abstand zum Ziel-Reifegrad",
}

METHOD_NOTE = (
    "Die Kandidaten stammen aus den Ereignisprotokollen und den Registerdaten der Prozesse. "
    "Jeder Schritt wird gegen feste Schwellen geprüft (Menge, Bearbeitungszeit, Regelhaftigkeit, "
    "Nacharbeit, Papieranteil, Liegezeiten); der Score gewichtet den erwarteten Nutzen (0 bis 1) "
    "gegen den Aufwand (1 gering bis 5 hoch). Eingesparte Stunden sind Schätzungen aus den "
    "gemessenen Zeiten und den Annahmen oben, Euro-Beträge Vollkosten nach den angegebenen "
    "Stundensätzen. „wenige Fälle“ kennzeichnet Ergebnisse aus weniger Fällen als der "
    "Mindestzahl; „§ 35a“ kennzeichnet Schritte, die einen Verwaltungsakt erlassen: Sie dürfen "
    "nur vollautomatisiert werden, wenn eine Rechtsvorschrift das zulässt (§ 35a VwVfG). Der "
    "Bericht ist ein eingefrorener Stand; spätere Protokolle ändern ihn nicht."
)
_METHOD_NOTE_EN = (
    "The candidates come from the event logs and the registry data of the processes. Every step "
    "is checked against fixed thresholds (volume, processing time, regularity, rework, paper "
    "share, idle times); the score weighs the expected benefit (0 to 1) against the effort (1 low "
    "to 5 high). Hours saved are estimates from the measured times and the assumptions above, "
    "euro amounts full costs at the hourly rates given. “few cases” marks results from fewer "
    "cases than the minimum; “§ 35a” marks steps that issue an administrative act: they may be "
    "fully automated only where a legal provision allows it (§ 35a VwVfG). The report is a "
    "frozen state; later logs do not change it."
)
_DEVIATION_KINDS_EN = {
    "skipped": "skipped",
    "unmodelled": "not in the model",
    "wrong_order": "wrong order",
}


def method_note() -> str:
    return tr(METHOD_NOTE, _METHOD_NOTE_EN)


def deviation_kind(kind: str) -> str:
    return tr(DEVIATION_KINDS.get(kind, kind), _DEVIATION_KINDS_EN.get(kind, kind))


def recommendation_label(candidate: dict) -> str:
    """The German name from the one vocabulary (the workspace's too), also for a snapshot that
    stored an older wording; the stored label only for a kind the table does not know."""
    return (
        RECOMMENDATION_LABELS.get(candidate.get("recommendation") or "")
        or candidate.get("recommendation_label")
        or str(candidate.get("recommendation") or DASH)
    )


def signal_label(key: str) -> str:
    return _SIGNAL_LABELS.get(key, key)


def candidate_flags(candidate: dict) -> list[str]:
    flags = []
    if candidate.get("low_evidence"):
        flags.append(tr(FLAG_LOW_EVIDENCE, "few cases"))
    if candidate.get("decides"):
        flags.append(FLAG_DECIDES)
    return flags


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def number(value: float | int | None, decimals: int = 0) -> str:
    """``1234.5`` → ``1.234,5`` (German grouping and decimal comma)."""
    return format_number(value, decimals, language="de")


def plain(value: object) -> str:
    """An assumption as written: numbers in German notation with the decimals they have, a
    flat dict (e.g. the hourly rates per pay group) as ``key: value`` pairs, a list (the verb
    lexicons) comma-separated."""
    if isinstance(value, dict):
        return "; ".join(f"{key}: {plain(v)}" for key, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(plain(v) for v in value)
    if isinstance(value, bool):
        return tr("ja", "yes") if value else tr("nein", "no")
    if isinstance(value, int):
        return number(value)
    if isinstance(value, float):
        return number(value, len(f"{value:.4f}".rstrip("0").partition(".")[2]))
    return DASH if value is None or value == "" else str(value)


def percent(share: float | None, decimals: int = 0) -> str:
    """A share of 0..1 as ``40 %`` (German typesetting puts a space before the sign)."""
    return DASH if _missing(share) else f"{number(share * 100, decimals)} %"


def hours(value: float | None) -> str:
    return DASH if _missing(value) else f"{number(value)} h"


def euros(value: float | None) -> str:
    return DASH if _missing(value) else f"{number(value)} €"


def days(seconds: float | None, decimals: int = 1) -> str:
    """A duration in seconds, in days."""
    if _missing(seconds):
        return DASH
    value = seconds / 86400
    return "1 Tag" if round(value, decimals) == 1 else f"{number(value, decimals)} Tage"


def parse_datetime(iso: str | None) -> datetime | None:
    """An ISO 8601 instant, UTC-aware (zoneless values of older snapshots are UTC); ``None``
    when missing or unreadable (shown as given instead)."""
    return clock.parse_iso(iso)


def date(iso: str | None) -> str:
    """The Berlin calendar day of an instant; a calendar day as it is."""
    return format_date(iso, language="de")


def date_time(iso: str | None) -> str:
    """An instant on Berlin's clock, as the report writes it: ``31.03.2024, 03:30 Uhr``."""
    parsed = parse_datetime(iso)
    return f"{format_datetime(parsed, language='de')} Uhr" if parsed else (iso or DASH)
