"""From signals to recommendations: one rule per kind of digitization, each a pure function.

A rule decides whether it applies (thresholds from the assumptions file), explains itself in plain
German, and estimates what it saves. The score combines a normalized benefit with a low effort,
weighted as the assumptions file says. :data:`RULES` is the table the recommender walks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from mining.digitization.assumptions import Assumptions
from mining.digitization.signals import ActivitySignals, ProcessFacts, ProcessSignals
from mining.results import CandidateRecord

__all__ = [
    "RECOMMENDATION_LABELS",
    "RULES",
    "Candidate",
    "rank_candidates",
    "recommend",
    "register_candidates",
]

RECOMMENDATION_LABELS = {
    "rpa": "RPA (Softwareroboter)",
    "ai_form_assistance": "KI-Ausfüllhilfe",
    "online_service": "Onlinedienst (OZG)",
    "process_redesign": "Prozess neu ordnen",
}
_SECTION_35A = (
    "Der Schritt entscheidet über den Fall: vollautomatisiert nur, wenn eine Rechtsvorschrift es "
    "zulässt und weder Ermessen noch Beurteilungsspielraum besteht (§ 35a VwVfG); "
    "sonst nur als Assistenz für die Beschäftigten."
)


# Recommendations that hand (part of) a step to software: there § 35a VwVfG matters.
_AUTOMATING = frozenset({"rpa", "ai_form_assistance"})


@dataclass(frozen=True)
class Candidate:
    process: str | None
    process_name: str | None
    activity: str | None
    recommendation: str
    score: float
    benefit: float
    effort: int
    reasons: tuple[str, ...]
    signals: dict[str, float | None]
    hours_saved_per_year: float
    fte_saved: float
    euros_saved_per_year: float
    pages_avoided_per_year: float
    co2_kg_avoided_per_year: float
    throughput_reduction_days: float
    cases: int
    low_evidence: bool
    decides: bool

    @property
    def recommendation_label(self) -> str:
        return RECOMMENDATION_LABELS[self.recommendation]

    def to_dict(self) -> CandidateRecord:
        """A row of ``candidates`` in ``pmo analyze --json`` and in the reports."""
        return {
            "process": self.process,
            "process_name": self.process_name,
            "activity": self.activity,
            "recommendation": self.recommendation,
            "score": self.score,
            "benefit": self.benefit,
            "effort": self.effort,
            "reasons": list(self.reasons),
            "signals": dict(self.signals),
            "hours_saved_per_year": self.hours_saved_per_year,
            "fte_saved": self.fte_saved,
            "euros_saved_per_year": self.euros_saved_per_year,
            "pages_avoided_per_year": self.pages_avoided_per_year,
            "co2_kg_avoided_per_year": self.co2_kg_avoided_per_year,
            "throughput_reduction_days": self.throughput_reduction_days,
            "cases": self.cases,
            "low_evidence": self.low_evidence,
            "decides": self.decides,
            "recommendation_label": self.recommendation_label,
        }


@dataclass(frozen=True)
class _Finding:
    """What a rule found before scoring: the part that differs from rule to rule."""

    activity: str | None
    benefit: float
    reasons: list[str]
    signals: dict[str, float | None]
    hours: float
    cases: int
    decides: bool = False
    pages: float = 0.0
    throughput_days: float = 0.0


def _share(value: float, saturation: float) -> float:
    return 0.0 if saturation <= 0 else max(0.0, min(1.0, value / saturation))


def _num(value: float) -> str:
    """German thousands separator, no decimals (the reasons are for reading, not computing)."""
    return f"{value:,.0f}".replace(",", ".")


def _dec(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def _pct(value: float) -> str:
    return f"{value * 100:.0f} %"


def _volume_note(process: ProcessSignals) -> str:
    if process.volume_source == "Register":
        return f"hochgerechnet auf {_num(process.facts.annual_case_volume or 0)} Fälle/Jahr laut Register"
    return f"hochgerechnet aus {_num(process.cases)} Fällen in {_num(process.period_days)} Tagen"


# -- the four rules -------------------------------------------------------------------------------


def rpa_rule(process: ProcessSignals, a: Assumptions) -> list[_Finding]:
    """Frequent, short, uniform steps whose next step is always the same: a robot's work."""
    cfg, general = a["rpa"], a["general"]
    found = []
    for step in process.activities:
        if not _rpa_applies(step, cfg):
            continue
        hours = step.events_per_year * (step.mean_minutes or 0.0) / 60.0 * cfg["automation_share"]
        rule_bound = (
            (1 - step.median_minutes / cfg["max_median_minutes"])
            + (1 - (step.variation or 0.0) / cfg["max_variation"])
            + (step.successor_share - cfg["min_successor_share"])
            / max(1e-9, 1 - cfg["min_successor_share"])
        ) / 3
        benefit = (
            cfg["weight_hours"] * _share(hours, general["hours_saturation"])
            + cfg["weight_rule_bound"] * max(0.0, min(1.0, rule_bound))
            + cfg["weight_volume"] * _share(step.events_per_year, general["volume_saturation"])
        )
        time_word = (
            "Bearbeitungszeit"
            if step.time_kind == "Bearbeitungszeit"
            else "Verweilzeit (obere Schranke; das Protokoll hat keine Startzeiten)"
        )
        reasons = [
            f"Häufig: {_num(step.events_per_year)} Ausführungen pro Jahr ({_volume_note(process)}).",
            f"Kurz: {time_word} im Median {_dec(step.median_minutes)} Minuten.",
            f"Gleichförmig: Streuung {_dec(step.variation or 0.0, 2)} (Standardabweichung/Mittelwert).",
            f"Vorhersehbar: in {_pct(step.successor_share)} der Fälle folgt derselbe nächste Schritt.",
        ]
        if step.model_type in ("serviceTask", "scriptTask", "businessRuleTask"):
            reasons.append(f"Im Modell als Systemaufgabe ({step.model_type}) beschrieben.")
        reasons.append(
            f"Schätzung: {_num(step.events_per_year)} × {_dec(step.mean_minutes or 0.0)} Min. × "
            f"{_pct(cfg['automation_share'])} Automatisierungsanteil = {_num(hours)} Stunden/Jahr."
        )
        found.append(
            _Finding(
                activity=step.activity,
                benefit=benefit,
                reasons=reasons,
                signals={
                    "events_per_year": step.events_per_year,
                    "median_processing_min": step.median_minutes,
                    "variation": step.variation,
                    "successor_share": step.successor_share,
                },
                hours=hours,
                cases=step.cases,
                throughput_days=(step.wait_before_days or 0.0) * cfg["automation_share"],
            )
        )
    return found


def _rpa_applies(step: ActivitySignals, cfg: dict) -> bool:
    return (
        step.events_per_year >= cfg["min_events_per_year"]
        and step.median_minutes is not None
        and step.median_minutes <= cfg["max_median_minutes"]
        and step.variation is not None
        and step.variation <= cfg["max_variation"]
        and step.successor_share >= cfg["min_successor_share"]
        # A robot cannot scan paper, and a step that decides is no routine (§ 35a VwVfG).
        and not step.media_break
        and step.model_type != "manualTask"
        and not step.decides
    )


_FOLLOW_UP = ("nachforder", "nachreich", "nachgereicht", "rückfrage", "klären", "unvollständig")


def ai_form_rule(process: ProcessSignals, a: Assumptions) -> list[_Finding]:
    """Rework and follow-ups because applications arrive incomplete: an AI form assistant."""
    cfg, general = a["ai_form_assistance"], a["general"]
    follow_ups = [
        s for s in process.activities if any(word in s.activity.lower() for word in _FOLLOW_UP)
    ]
    follow_up_share = max((s.cases / process.cases for s in follow_ups), default=0.0)
    share = max(process.rework_share, follow_up_share)
    if process.cases == 0 or share < cfg["min_rework_share"]:
        return []
    reworked = max(process.activities, key=lambda s: (s.rework_cases, s.activity), default=None)
    target = follow_ups[0] if follow_ups and follow_up_share >= process.rework_share else reworked
    if target is None:
        return []
    rework_hours = (
        sum(s.extra_executions_per_year * (s.mean_minutes or 0.0) for s in process.activities) / 60
    )
    follow_up_hours = (
        sum(
            s.events_per_year
            * (
                s.mean_minutes
                if s.time_kind == "Bearbeitungszeit" and s.mean_minutes
                else cfg["minutes_per_follow_up"]
            )
            for s in follow_ups
        )
        / 60
    )
    hours = (rework_hours + follow_up_hours) * cfg["rework_reduction"]
    lost_days = max((s.rework_time_lost_days for s in process.activities), default=0.0)
    benefit = (
        cfg["weight_hours"] * _share(hours, general["hours_saturation"])
        + cfg["weight_rework"] * _share(share, 0.5)
        + cfg["weight_wait"] * _share(lost_days, 30.0)
    )
    reasons = [f"{_pct(share)} der Fälle brauchen Nacharbeit oder Nachforderungen."]
    if follow_ups:
        names = ", ".join(f"„{s.activity}“" for s in follow_ups)
        reasons.append(
            f"Nachforderungsschritte im Protokoll: {names} ({_pct(follow_up_share)} der Fälle)."
        )
    if reworked is not None and reworked.rework_cases:
        reasons.append(
            f"„{reworked.activity}“ wird in {_num(reworked.rework_cases)} Fällen wiederholt; "
            f"eine Schleife kostet im Mittel {_dec(reworked.rework_time_lost_days)} Tage."
        )
    reasons.append(
        "Eine KI-Ausfüllhilfe prüft Angaben und Nachweise schon beim Ausfüllen, sodass "
        f"Anträge vollständig eingehen; angenommen werden {_pct(cfg['rework_reduction'])} weniger Nacharbeit: "
        f"{_num(hours)} Stunden/Jahr."
    )
    return [
        _Finding(
            activity=target.activity,
            benefit=benefit,
            reasons=reasons,
            signals={"rework_share": share, "rework_days_per_loop": lost_days},
            hours=hours,
            cases=process.cases,
            decides=target.decides,
            throughput_days=share * lost_days * cfg["rework_reduction"],
        )
    ]


def online_service_rule(process: ProcessSignals, a: Assumptions) -> list[_Finding]:
    """Much paper, e-mail or fax at intake, and an OZG maturity below online: an online service."""
    cfg, general = a["online_service"], a["general"]
    breaks = [s for s in process.activities if s.media_break]
    paper_share, evidence = process.paper_share, "channel"
    if paper_share is None and breaks and process.cases:
        paper_share, evidence = max(s.cases for s in breaks) / process.cases, "step"
    facts = process.facts
    target = (
        cfg["target_maturity_2_0"]
        if facts.ozg_maturity_scale == "2.0"
        else cfg["target_maturity_1_1"]
    )
    gap = None if facts.ozg_maturity_level is None else max(0, target - facts.ozg_maturity_level)
    if paper_share is None or paper_share < cfg["min_paper_share"]:
        return []
    moved = process.cases_per_year * paper_share * cfg["shift_share"]
    measured = next(
        (s for s in breaks if s.time_kind == "Bearbeitungszeit" and s.mean_minutes), None
    )
    minutes = measured.mean_minutes if measured else cfg["minutes_per_paper_case"]
    hours = moved * minutes / 60.0
    pages = moved * cfg["pages_per_paper_application"]
    benefit = (
        cfg["weight_hours"] * _share(hours, general["hours_saturation"])
        + cfg["weight_paper"] * min(1.0, paper_share)
        + cfg["weight_maturity_gap"] * (_share(gap, target) if gap is not None else 0.5)
    )
    if evidence == "channel":
        channels = "/".join(process.paper_channels)
        reasons = [
            f"{_pct(paper_share)} der Fälle gehen über {channels} ein (Spalte „{process.channel_column}“): Medienbruch."
        ]
    else:
        reasons = [
            f"{_pct(paper_share)} der Fälle durchlaufen einen Medienbruch-Schritt („{breaks[0].activity}“)."
        ]
    if gap is None:
        reasons.append("Der OZG-Reifegrad ist im Register nicht erfasst.")
    elif gap > 0:
        reasons.append(
            f"OZG-Reifegrad {facts.ozg_maturity_level} liegt unter dem Ziel {target} (Skala {facts.ozg_maturity_scale or '1.1'})."
        )
    else:
        reasons.append(
            f"Ein Onlinedienst besteht (Reifegrad {facts.ozg_maturity_level}), wird aber wenig genutzt: "
            "Nutzung fördern und den Papierweg zurückdrängen."
        )
    source = f"gemessen an „{measured.activity}“" if measured else "Annahme, nicht gemessen"
    reasons.append(
        f"Schätzung: {_num(moved)} Anträge/Jahr kämen online ({_pct(cfg['shift_share'])} der Papiereingänge) × "
        f"{_dec(minutes)} Min. Erfassung ({source}) = {_num(hours)} Stunden/Jahr; "
        f"{_num(pages)} Seiten Papier weniger."
    )
    if process.paper_minus_online_days and process.paper_minus_online_days > 0:
        reasons.append(
            f"Papierfälle dauern im Mittel {_dec(process.paper_minus_online_days)} Tage länger als Onlinefälle."
        )
    intake = (
        breaks[0].activity
        if breaks
        else (process.activities[0].activity if process.activities else None)
    )
    return [
        _Finding(
            activity=intake,
            benefit=benefit,
            reasons=reasons,
            signals={
                "paper_share": paper_share,
                "ozg_maturity_gap": gap,
                "cases_per_year": process.cases_per_year,
            },
            hours=hours,
            cases=process.cases,
            pages=pages,
            throughput_days=paper_share
            * cfg["shift_share"]
            * max(0.0, process.paper_minus_online_days or 0.0),
        )
    ]


def process_redesign_rule(process: ProcessSignals, a: Assumptions) -> list[_Finding]:
    """Long waits at a bottleneck or many hand-overs between units: reorder the process."""
    cfg, general = a["process_redesign"], a["general"]
    wait = process.bottleneck_wait_days or 0.0
    handovers = process.handovers_per_case or 0.0
    if process.bottleneck is None or (
        wait < cfg["min_wait_days"] and handovers < cfg["min_handovers_per_case"]
    ):
        return []
    hours = (
        process.cases_per_year
        * handovers
        * cfg["minutes_per_handover"]
        / 60
        * cfg["handover_reduction"]
    )
    pressure = (process.deadline_over_share or 0.0) + 0.5 * (process.deadline_close_share or 0.0)
    benefit = (
        cfg["weight_hours"] * _share(hours, general["hours_saturation"])
        + cfg["weight_wait"] * max(_share(wait, 30.0), min(1.0, pressure))
        + cfg["weight_handovers"] * _share(handovers, 4.0)
    )
    source, target = process.bottleneck
    reasons = [
        f"Fälle warten im Mittel {_dec(wait)} Tage zwischen „{source}“ und „{target}“ "
        f"({_num(process.bottleneck_cases)} Fälle) — der größte Engpass."
    ]
    if handovers:
        reasons.append(f"{_dec(handovers)} Übergaben zwischen Organisationseinheiten je Fall.")
    if process.deadline_over_share is not None:
        reasons.append(
            f"Gesetzliche Frist von {process.facts.legal_deadline_days} Tagen: {_pct(process.deadline_over_share)} "
            f"der Fälle darüber, {_pct(process.deadline_close_share or 0.0)} knapp davor."
        )
    reasons.append(
        f"Erwartet: {_pct(cfg['wait_reduction'])} kürzere Liegezeit am Engpass"
        + (
            f", {_pct(cfg['handover_reduction'])} weniger Übergaben ({_num(hours)} Stunden/Jahr)."
            if hours
            else "."
        )
    )
    share = process.bottleneck_cases / process.cases if process.cases else 0.0
    return [
        _Finding(
            activity=target,
            benefit=benefit,
            reasons=reasons,
            signals={
                "bottleneck_wait_days": wait,
                "handovers_per_case": process.handovers_per_case,
            },
            hours=hours,
            cases=process.cases,
            throughput_days=wait * cfg["wait_reduction"] * share,
        )
    ]


RULES: dict[str, Callable[[ProcessSignals, Assumptions], list[_Finding]]] = {
    "rpa": rpa_rule,
    "ai_form_assistance": ai_form_rule,
    "online_service": online_service_rule,
    "process_redesign": process_redesign_rule,
}


def recommend(process: ProcessSignals, assumptions: Assumptions) -> list[Candidate]:
    """Every candidate the rules find in one process, ranked."""
    out = []
    for kind, rule in RULES.items():
        for found in rule(process, assumptions):
            # Only where software takes over part of a step does § 35a VwVfG come into play.
            decides = kind in _AUTOMATING and (
                found.decides
                or any(s.decides for s in process.activities if s.activity == found.activity)
            )
            out.append(_candidate(kind, found, process.facts, assumptions, decides=decides))
    return rank_candidates(out)


def register_candidates(facts: ProcessFacts, assumptions: Assumptions) -> list[Candidate]:
    """What the registry alone suggests for a process without an event log: an online service
    where the OZG maturity is below target. No savings: paper share and effort are unknown."""
    cfg = assumptions["online_service"]
    if facts.ozg_maturity_level is None:
        return []
    target = (
        cfg["target_maturity_2_0"]
        if facts.ozg_maturity_scale == "2.0"
        else cfg["target_maturity_1_1"]
    )
    gap = target - facts.ozg_maturity_level
    if gap <= 0:
        return []
    reasons = [
        f"OZG-Reifegrad {facts.ozg_maturity_level} liegt unter dem Ziel {target} "
        f"(Skala {facts.ozg_maturity_scale or '1.1'})."
    ]
    if facts.annual_case_volume:
        reasons.append(f"{_num(facts.annual_case_volume)} Fälle pro Jahr laut Register.")
    reasons.append(
        "Kein Ereignisprotokoll: Papieranteil und Aufwand sind nicht gemessen, daher keine "
        "Einsparschätzung. Ein Protokoll-Upload macht die Bewertung belastbar."
    )
    found = _Finding(
        activity=None,
        benefit=cfg["weight_maturity_gap"] * _share(gap, target),
        reasons=reasons,
        signals={"ozg_maturity_gap": gap, "cases_per_year": facts.annual_case_volume},
        hours=0.0,
        cases=0,
    )
    return [_candidate("online_service", found, facts, assumptions, decides=False)]


def _candidate(
    kind: str, found: _Finding, facts: ProcessFacts, assumptions: Assumptions, *, decides: bool
) -> Candidate:
    general = assumptions["general"]
    effort = int(assumptions[kind]["effort"])
    reasons = list(found.reasons)
    if decides:
        reasons.append(_SECTION_35A)
    low = found.cases < general["min_cases"]
    if low and found.cases:
        reasons.append(f"Wenige Fälle: nur {_num(found.cases)} Fälle stützen diese Aussage.")
    score = 100 * (
        general["benefit_weight"] * found.benefit + general["effort_weight"] * (5 - effort) / 4
    )
    return Candidate(
        process=facts.key,
        process_name=facts.name,
        activity=found.activity,
        recommendation=kind,
        score=round(score, 1),
        benefit=round(found.benefit, 3),
        effort=effort,
        reasons=tuple(reasons),
        signals={k: (None if v is None else round(float(v), 4)) for k, v in found.signals.items()},
        hours_saved_per_year=round(found.hours, 1),
        fte_saved=round(found.hours / general["hours_per_fte"], 2),
        euros_saved_per_year=round(found.hours * assumptions.hourly_rate(), 0),
        pages_avoided_per_year=round(found.pages, 0),
        co2_kg_avoided_per_year=round(
            found.pages * assumptions["online_service"]["co2_g_per_page"] / 1000, 1
        ),
        throughput_reduction_days=round(found.throughput_days, 2),
        cases=found.cases,
        low_evidence=low,
        decides=decides,
    )


def rank_candidates(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Best first: score, then hours saved; names break ties so the order never depends on input order."""
    return sorted(
        candidates,
        key=lambda c: (
            -c.score,
            -c.hours_saved_per_year,
            c.process or "",
            c.activity or "",
            c.recommendation,
        ),
    )
