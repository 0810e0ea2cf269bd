"""What the portfolio concludes, in one paragraph: what to do first, what it saves, what it needs,
and how old the data are. Deterministic text from the snapshot's figures, German and English, so
the report and the workspace's Übersicht say the same thing.

Savings are summed honestly: two recommendations for the same step (e.g. a robot and an AI form
assistance on "Unterlagen prüfen") save the same hours once, so each step counts once, with its
best-ranked recommendation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from mining.digitization import RECOMMENDATION_NAMES, score_explanation
from mining.report import labels as lb
from process_registry import DEFAULT_DATA_AGE_WARNING_DAYS

__all__ = [
    "FIRST_STEPS",
    "conclusions",
    "data_age_days",
    "data_age_threshold",
    "first_steps",
    "prerequisites",
    "score_note",
    "stale_processes",
    "step_totals",
]

FIRST_STEPS = 3  # what leadership can start at once; the ranked table holds the rest
_NAMED_STALE = 3

# What each kind needs before it can start (the interface, the service, the decision).
_NEEDS = {
    "rpa": {
        "de": "Zugriff auf die Fachanwendung über eine Schnittstelle oder freigegebene "
        "Oberflächensteuerung",
        "en": "access to the specialist application through an interface or approved UI automation",
    },
    "ai_form_assistance": {
        "de": "ein KI-Dienst mit Datenschutz-Folgenabschätzung für die Antragsdaten",
        "en": "an AI service with a data protection impact assessment for the application data",
    },
    "online_service": {
        "de": "ein Onlinedienst mit Anbindung an die Fachanwendung (z. B. über FIT-Connect)",
        "en": "an online service connected to the specialist application (e.g. via FIT-Connect)",
    },
    "process_redesign": {
        "de": "eine Organisationsentscheidung der beteiligten Fachdienste",
        "en": "an organisational decision by the departments involved",
    },
    "decision_assistance": {
        "de": "eine Rechtsgrundlage nach § 35a VwVfG für jede Vollautomatisierung",
        "en": "a legal basis under § 35a VwVfG for any full automation",
    },
}
# Signals measured from who did the work: acting on them uses data about employees, which needs
# an agreement with the staff council (Dienstvereinbarung) first.
_PERSONAL_SIGNALS = frozenset({"same_session_share", "system_account_share", "handovers_per_case"})
_AGREEMENT = {
    "de": "eine Dienstvereinbarung mit dem Personalrat, weil die Auswertung Daten über "
    "Beschäftigte nutzt",
    "en": "an agreement with the staff council (Dienstvereinbarung), because the analysis uses "
    "data about employees",
}


def _number(value: float | int | None, decimals: int, language: str) -> str:
    if language == "de":
        return lb.number(value, decimals)
    return lb.DASH if value is None else f"{value:,.{decimals}f}"


def _step_key(candidate: dict) -> tuple[str, str | None]:
    return (
        str(candidate.get("process") or candidate.get("process_name")),
        candidate.get("activity"),
    )


def first_steps(candidates: Iterable[dict], limit: int = FIRST_STEPS) -> list[dict]:
    """The best-ranked candidates, at most one per step (process and activity)."""
    chosen: dict[tuple[str, str | None], dict] = {}
    for candidate in candidates:
        chosen.setdefault(_step_key(candidate), candidate)
        if len(chosen) == limit:
            break
    return list(chosen.values())


def step_totals(candidates: Iterable[dict]) -> tuple[float, float]:
    """Hours and euros a year of ``candidates`` with each step counted once (its best-ranked
    recommendation, the snapshot's order)."""
    best: dict[tuple[str, str | None], dict] = {}
    for candidate in candidates:
        best.setdefault(_step_key(candidate), candidate)
    hours = sum(c.get("hours_saved_per_year") or 0.0 for c in best.values())
    euros = sum(c.get("euros_saved_per_year") or 0.0 for c in best.values())
    return hours, euros


def prerequisites(candidate: dict, language: str = "de") -> list[str]:
    """What ``candidate`` needs before it can start: its kind's prerequisite, a staff-council
    agreement where it rests on data about employees, § 35a where the step decides."""
    needs = []
    kind = _NEEDS.get(candidate.get("recommendation") or "")
    if kind:
        needs.append(kind[language])
    if _PERSONAL_SIGNALS & set(candidate.get("signals") or {}):
        needs.append(_AGREEMENT[language])
    if candidate.get("decides") and candidate.get("recommendation") != "decision_assistance":
        needs.append(_NEEDS["decision_assistance"][language])
    return needs


def data_age_threshold(snapshot: dict) -> int:
    return int(snapshot.get("data_age_warning_days") or DEFAULT_DATA_AGE_WARNING_DAYS)


def data_age_days(process: dict, snapshot: dict) -> int | None:
    """Days from the newest event of the process's reference log to the report's creation;
    None without a log. Older snapshots lack ``age_days``: it is worked out the same way."""
    log = process.get("log") or {}
    if log.get("age_days") is not None:
        return int(log["age_days"])
    end, created = lb.parse_datetime(log.get("end")), lb.parse_datetime(snapshot.get("created_at"))
    if end is None or created is None:
        return None
    return max((created - end) // dt.timedelta(days=1), 0)


def stale_processes(snapshot: dict) -> list[tuple[dict, int]]:
    """The processes whose data are older than the office's threshold, oldest first."""
    limit = data_age_threshold(snapshot)
    aged = [(p, data_age_days(p, snapshot)) for p in snapshot.get("processes") or []]
    stale = [(p, age) for p, age in aged if age is not None and age > limit]
    return sorted(stale, key=lambda pair: (-pair[1], str(pair[0].get("name"))))


def score_note(snapshot: dict, language: str = "de") -> str:
    """:func:`mining.score_explanation` with the weights this snapshot was scored with."""
    values = snapshot.get("assumptions") or {}
    return score_explanation(
        values.get("general.benefit_weight", 0.7),
        values.get("general.effort_weight", 0.3),
        values.get("general.hours_saturation", 1500),
        language,
    )


def _effort(effort: int | None, language: str) -> str:
    if effort is None:
        return lb.DASH
    words = {"de": ("gering", "mittel", "hoch"), "en": ("low", "medium", "high")}[language]
    word = words[0] if effort <= 2 else words[1] if effort == 3 else words[2]
    return f"{word} ({effort}/5)"


def _step(candidate: dict, language: str) -> str:
    process = candidate.get("process_name") or candidate.get("process") or lb.DASH
    activity = candidate.get("activity")
    names = RECOMMENDATION_NAMES.get(candidate.get("recommendation") or "")
    kind = names[language] if names else str(candidate.get("recommendation"))
    if language == "en":
        where = "the whole process" if activity is None else f"“{activity}”"
        text = f"{process}, {where}: {kind} (score {_number(candidate.get('score'), 1, 'en')}"
        text += ", few cases" if candidate.get("low_evidence") else ""
    else:
        where = "ganzer Prozess" if activity is None else f"„{activity}“"
        text = f"{process}, {where}: {kind} (Score {lb.number(candidate.get('score'), 1)}"
        text += ", wenige Fälle" if candidate.get("low_evidence") else ""
    return text + ")"


def _listed(items: list[str], language: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    joiner = " und " if language == "de" else " and "
    return "; ".join(items[:-1]) + joiner + items[-1]


def conclusions(snapshot: dict, language: str = "de") -> str:
    """The paragraph that opens the report and the Übersicht, from the snapshot's figures only."""
    de = language == "de"
    candidates = snapshot.get("candidates") or []
    parts = []
    if not candidates:
        parts.append(
            "Die Auswertung findet keinen Digitalisierungskandidaten."
            if de
            else "The analysis finds no digitization candidate."
        )
    else:
        first = first_steps(candidates)
        steps = [f"({i}) {_step(c, language)}" for i, c in enumerate(first, start=1)]
        hours, euros = step_totals(first)
        total_hours, total_euros = step_totals(candidates)
        per_fte = (snapshot.get("assumptions") or {}).get("general.hours_per_fte") or 1600
        efforts = ", ".join(_effort(c.get("effort"), language) for c in first)
        needs = list(dict.fromkeys(n for c in first for n in prerequisites(c, language)))
        h, e, fte = _number(hours, 0, language), _number(euros, 0, language), hours / per_fte
        th, te = _number(total_hours, 0, language), _number(total_euros, 0, language)
        count = _number(len({_step_key(c) for c in candidates}), 0, language)
        if de:
            parts += [
                f"Zuerst angehen: {_listed(steps, language)}.",
                f"Zusammen sparen diese Vorhaben rund {h} Arbeitsstunden "
                f"({lb.number(fte, 2)} Vollzeitstellen) und {e} € im Jahr; alle {count} "
                f"Schritte mit Kandidaten zusammen {th} Stunden und {te} € (jeder Schritt "
                "einmal gezählt, Schätzung aus den Annahmen).",
                f"Aufwand in dieser Reihenfolge: {efforts}. Voraussetzungen: {_listed(needs, language)}.",
            ]
        else:
            parts += [
                f"Start with: {_listed(steps, language)}.",
                f"Together these save about {h} working hours ({_number(fte, 2, 'en')} FTE) "
                f"and €{e} a year; all {count} steps with candidates together {th} hours and "
                f"€{te} (each step counted once, estimated from the assumptions).",
                f"Effort in this order: {efforts}. Prerequisites: {_listed(needs, language)}.",
            ]
    stale = stale_processes(snapshot)
    if stale:
        # The oldest three by name; every process page gives its own age.
        limit = _number(data_age_threshold(snapshot), 0, language)
        named = ", ".join(
            f"{p.get('name') or p.get('key')} {_number(age, 0, language)}"
            for p, age in stale[:_NAMED_STALE]
        )
        more = len(stale) - _NAMED_STALE
        if de:
            rest = f" und {more} weitere" if more > 0 else ""
            parts.append(
                f"Achtung: Die Daten von {len(stale)} Prozess{'en' if len(stale) > 1 else ''} "
                f"sind älter als {limit} Tage ({named} Tage{rest}) – die Zahlen beschreiben "
                "womöglich nicht mehr den heutigen Ablauf; ein neues Protokoll vor der "
                "Entscheidung hilft."
            )
        else:
            rest = f" and {more} more" if more > 0 else ""
            parts.append(
                f"Caution: the data of {len(stale)} process{'es' if len(stale) > 1 else ''} are "
                f"older than {limit} days ({named} days{rest}) – the figures may no longer "
                "describe today's process; a new log before deciding helps."
            )
    return " ".join(parts)
