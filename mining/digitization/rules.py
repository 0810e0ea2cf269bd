"""From signals to recommendations: one rule per kind of digitization, each a pure function.

A rule decides whether it applies (thresholds from the assumptions file), explains itself in plain
German, and estimates what it saves. The score combines a normalized benefit with a low effort,
weighted as the assumptions file says. :data:`RULES` is the table the recommender walks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from mining.digitization.assumptions import ASSUMPTION_LABELS, Assumptions
from mining.digitization.calculation import Calculation, dec, input_name, num, pct
from mining.digitization.fim import FimPrior, deciding, fim_prior, online_reason, priors, used_key
from mining.digitization.finding import MEASURED, Finding, measured_source, saturate, say
from mining.digitization.rpa import assistance_rule, rpa_rule
from mining.digitization.signals import ActivitySignals, ProcessFacts, ProcessSignals
from mining.results import CandidateRecord, UsedAssumptionRecord
from mining.texts import Text, bi, pick

__all__ = [
    "RECOMMENDATION_LABELS",
    "RECOMMENDATION_NAMES",
    "RULES",
    "Candidate",
    "rank_candidates",
    "recommend",
    "score_explanation",
    "register_candidates",
]

# The one vocabulary of the recommendations: the workspace shows the user's language, the
# reports and the CLI the German name (mining.report.labels and app_pages._portfolio read it here).
RECOMMENDATION_NAMES = {
    "rpa": {"de": "RPA (Softwareroboter)", "en": "RPA (software robot)"},
    "ai_form_assistance": {"de": "KI-Ausfüllhilfe", "en": "AI form assistance"},
    "online_service": {"de": "Onlinedienst (OZG)", "en": "Online service (OZG)"},
    "process_redesign": {"de": "Ablauf neu ordnen", "en": "Reorder the process"},
    "decision_assistance": {
        "de": "KI-Assistenz bei Entscheidungen",
        "en": "AI assistance for decisions",
    },
}
# The German name, with its English twin attached (mining.texts) for readers in English.
RECOMMENDATION_LABELS = {
    kind: bi(names["de"], names["en"]) for kind, names in RECOMMENDATION_NAMES.items()
}
_SECTION_35A = bi(
    "Der Schritt entscheidet über den Fall: vollautomatisiert nur, wenn eine Rechtsvorschrift es "
    "zulässt und weder Ermessen noch Beurteilungsspielraum besteht (§ 35a VwVfG); "
    "sonst nur als Assistenz für die Beschäftigten.",
    "The step decides the case: fully automated only where a legal provision allows it and "
    "there is neither discretion nor latitude of judgement (§ 35a VwVfG); otherwise only as "
    "assistance for the staff.",
)


# Recommendations that hand (part of) a step to software: there § 35a VwVfG matters.
_AUTOMATING = frozenset({"rpa", "ai_form_assistance", "decision_assistance"})


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
    calculation: Calculation = Calculation("")
    # The assumptions the figures used, with where each value came from.
    assumptions_used: tuple[UsedAssumptionRecord, ...] = ()

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
            "calculation": self.calculation.to_dict(),
            "assumptions_used": [dict(u) for u in self.assumptions_used],  # type: ignore[misc]
        }


# -- the three rules beside RPA (mining.digitization.rpa) ----------------------------------------


_FOLLOW_UP = ("nachforder", "nachreich", "nachgereicht", "rückfrage", "klären", "unvollständig")


def is_follow_up(activity: str) -> bool:
    """Whether a step asks for or receives what an application lacked (priced per follow-up,
    not per repetition, by the form-assistance rule and its scenario alike)."""
    return any(word in activity.lower() for word in _FOLLOW_UP)


_AI_FORMULA = bi(
    "(Wiederholungen/Jahr × Minuten je Wiederholung + Nachforderungen/Jahr × "
    "Minuten je Nachforderung) ÷ 60 × vermiedene Nacharbeit",
    "(repetitions/year × minutes per repetition + follow-up requests/year × "
    "minutes per follow-up request) ÷ 60 × rework avoided",
)


_BASIS_EN = {
    "gemessen": "measured",
    "angenommen": "assumed",
    "teils gemessen, teils angenommen": "partly measured, partly assumed",
}


def _minutes_of(
    steps: list[ActivitySignals], count: Callable[[ActivitySignals], float], assumed: float
) -> tuple[float, float, str]:
    """``(executions, mean minutes, basis)`` over ``steps``: a measured processing time where the
    log has one, else ``assumed`` — never the time since the previous step, which holds waiting."""
    executions = minutes = 0.0
    bases: set[str] = set()
    for step in steps:
        n = count(step)
        if not n:
            continue
        measured = step.time_kind == "Bearbeitungszeit" and bool(step.mean_minutes)
        minutes += n * ((step.mean_minutes or 0.0) if measured else assumed)
        executions += n
        bases.add("gemessen" if measured else "angenommen")
    basis = (
        "teils gemessen, teils angenommen" if len(bases) > 1 else next(iter(bases), "angenommen")
    )
    basis = bi(basis, _BASIS_EN[basis])
    return executions, (minutes / executions if executions else assumed), basis


def ai_form_rule(process: ProcessSignals, a: Assumptions) -> list[Finding]:
    """Rework and follow-ups because applications arrive incomplete: an AI form assistant."""
    cfg, general = a["ai_form_assistance"], a["general"]
    follow_ups = [s for s in process.activities if is_follow_up(s.activity)]
    follow_up_share = max((s.cases / process.cases for s in follow_ups), default=0.0)
    share = max(process.rework_share, follow_up_share)
    if process.cases == 0 or share < cfg["min_rework_share"]:
        return []
    reworked = max(process.activities, key=lambda s: (s.rework_cases, s.activity), default=None)
    target = follow_ups[0] if follow_ups and follow_up_share >= process.rework_share else reworked
    if target is None:
        return []
    # The assistant works where the applicant fills in the form; a check that is repeated stays
    # with the staff, so the recommendation sits at the intake, never on a deciding step.
    kept_check = target if deciding(target, a) else None
    if kept_check is not None:
        intake = _intake(process, [s for s in process.activities if s.media_break], a)
        target = next((s for s in process.activities if s.activity == intake), None)
        if target is None or deciding(target, a):
            return []
    # A follow-up step's every execution counts once, as a follow-up, not again as a repetition.
    repeated = [s for s in process.activities if s not in follow_ups]
    repetitions, repeat_minutes, repeat_basis = _minutes_of(
        repeated, lambda s: s.extra_executions_per_year, cfg["minutes_per_repetition"]
    )
    requests, request_minutes, request_basis = _minutes_of(
        follow_ups, lambda s: s.events_per_year, cfg["minutes_per_follow_up"]
    )
    reduction = cfg["rework_reduction"]
    calc = Calculation(
        _AI_FORMULA,
        {
            "Wiederholungen/Jahr": repetitions,
            "Minuten je Wiederholung": repeat_minutes,
            "Grundlage Minuten je Wiederholung": repeat_basis,
            "Nachforderungen/Jahr": requests,
            "Minuten je Nachforderung": request_minutes,
            "Grundlage Minuten je Nachforderung": request_basis,
            "vermiedene Nacharbeit": reduction,
        },
        (repetitions * repeat_minutes + requests * request_minutes) / 60 * reduction,
    )
    signals = {
        "rework_share": share,
        "rework_days_per_loop": reworked.rework_time_lost_days if reworked else 0.0,
    }
    lost_days = signals["rework_days_per_loop"] or 0.0
    benefit = (
        cfg["weight_hours"] * saturate(calc.result, general["hours_saturation"])
        + cfg["weight_rework"] * saturate(share, 0.5)
        + cfg["weight_wait"] * saturate(lost_days, 30.0)
    )
    reasons = [
        bi(
            f"{say(signals, 'rework_share')} der Fälle brauchen Nacharbeit oder Nachforderungen.",
            f"{say(signals, 'rework_share')} of cases need rework or follow-up requests.",
        )
    ]
    if follow_ups:
        names = ", ".join(f"„{s.activity}“" for s in follow_ups)
        reasons.append(
            bi(
                f"Nachforderungsschritte im Protokoll: {names} ({pct(follow_up_share)} der Fälle).",
                f"Follow-up request steps in the log: {names} ({pct(follow_up_share)} of cases).",
            )
        )
    if reworked is not None and reworked.rework_cases:
        reasons.append(
            bi(
                f"„{reworked.activity}“ wird in {num(reworked.rework_cases)} Fällen wiederholt; "
                f"eine Schleife kostet im Mittel {say(signals, 'rework_days_per_loop')} "
                "Kalendertage (Durchlaufzeit, nicht Arbeitszeit).",
                f"„{reworked.activity}“ is repeated in {num(reworked.rework_cases)} cases; "
                f"a loop costs {say(signals, 'rework_days_per_loop')} calendar days on average "
                "(throughput time, not working time).",
            )
        )
    if kept_check is not None:
        reasons.append(
            bi(
                f"Die Ausfüllhilfe gehört zum Antragseingang „{target.activity}“; der wiederholte "
                f"Schritt „{kept_check.activity}“ entscheidet und bleibt bei den Beschäftigten.",
                f"The form assistant belongs to the intake „{target.activity}“; the repeated "
                f"step „{kept_check.activity}“ decides and stays with the staff.",
            )
        )
    reasons.append(
        bi(
            "Eine KI-Ausfüllhilfe prüft Angaben und Nachweise schon beim Ausfüllen, sodass "
            f"Anträge vollständig eingehen; angenommen werden {pct(reduction)} weniger Nacharbeit: "
            f"({num(repetitions)} Wiederholungen × {dec(repeat_minutes)} Min. ({repeat_basis}) + "
            f"{num(requests)} Nachforderungen × {dec(request_minutes)} Min. ({request_basis})) "
            f"÷ 60 × {pct(reduction)} = {num(calc.result)} Stunden/Jahr.",
            "An AI form assistant checks entries and evidence while the form is filled in, so "
            f"applications arrive complete; assumed: {pct(reduction)} less rework: "
            f"({num(repetitions)} repetitions × {dec(repeat_minutes)} min. "
            f"({pick(repeat_basis, 'en')}) + {num(requests)} follow-up requests × "
            f"{dec(request_minutes)} min. ({pick(request_basis, 'en')})) ÷ 60 × {pct(reduction)} "
            f"= {num(calc.result)} hours/year.",
        )
    )
    return [
        Finding(
            activity=target.activity,
            benefit=benefit,
            reasons=reasons,
            signals=signals,
            calculation=calc,
            cases=process.cases,
            decides=deciding(target, a),
            throughput_days=share * lost_days * reduction,
            used=(
                "ai_form_assistance.min_rework_share",
                "ai_form_assistance.rework_reduction",
                "ai_form_assistance.minutes_per_follow_up",
                "ai_form_assistance.minutes_per_repetition",
            ),
            measured=(
                ("Wiederholungen/Jahr", measured_source(process)),
                ("Nachforderungen/Jahr", measured_source(process)),
            ),
        )
    ]


_ONLINE_FORMULA = bi(
    "Fälle/Jahr × Papieranteil × Anteil, der online käme × Minuten Erfassung je Papierantrag ÷ 60",
    "cases/year × paper share × share that would go online × minutes of data entry per paper "
    "application ÷ 60",
)


def _intake(process: ProcessSignals, breaks: list[ActivitySignals], a: Assumptions) -> str | None:
    """Where applications come in: a media-break step the cases start with, else the most
    frequent start step that decides nothing (a check is no intake), else the first media break."""
    starts = process.start_activities
    for step in breaks:
        if step.activity in starts:
            return step.activity
    decide = {s.activity for s in process.activities if deciding(s, a)}
    for activity in starts:
        if activity not in decide:
            return activity
    if breaks:
        return breaks[0].activity
    return None if starts else (process.activities[0].activity if process.activities else None)


# FIM types where information crosses the authority's border: an online service's place.
_EXCHANGE = frozenset({FimPrior.INTAKE, FimPrior.OUTPUT})


def online_service_rule(process: ProcessSignals, a: Assumptions) -> list[Finding]:
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
    measured = next(
        (s for s in breaks if s.time_kind == "Bearbeitungszeit" and s.mean_minutes), None
    )
    minutes = measured.mean_minutes if measured else cfg["minutes_per_paper_case"]
    source = (
        bi(f"gemessen an „{measured.activity}“", f"measured at „{measured.activity}“")
        if measured
        else bi("angenommen, nicht gemessen", "assumed, not measured")
    )
    calc = Calculation(
        _ONLINE_FORMULA,
        {
            "Fälle/Jahr": process.cases_per_year,
            "Papieranteil": paper_share,
            "Anteil, der online käme": cfg["shift_share"],
            "Minuten Erfassung je Papierantrag": minutes,
            "Grundlage der Minuten": source,
        },
        process.cases_per_year * paper_share * cfg["shift_share"] * (minutes or 0.0) / 60.0,
    )
    moved = process.cases_per_year * paper_share * cfg["shift_share"]
    pages = moved * cfg["pages_per_paper_application"]
    benefit = (
        cfg["weight_hours"] * saturate(calc.result, general["hours_saturation"])
        + cfg["weight_paper"] * min(1.0, paper_share)
        + cfg["weight_maturity_gap"] * (saturate(gap, target) if gap is not None else 0.5)
    )
    signals = {
        "paper_share": paper_share,
        "ozg_maturity_gap": gap,
        "cases_per_year": process.cases_per_year,
    }
    if evidence == "channel":
        channels = "/".join(process.paper_channels)
        reasons = [
            bi(
                f"{say(signals, 'paper_share')} der Fälle gehen über {channels} ein "
                f"(Spalte „{process.channel_column}“): Medienbruch.",
                f"{say(signals, 'paper_share')} of cases come in by {channels} "
                f"(column „{process.channel_column}“): a media break.",
            )
        ]
    else:
        reasons = [
            bi(
                f"{say(signals, 'paper_share')} der Fälle durchlaufen einen Medienbruch-Schritt "
                f"(„{breaks[0].activity}“).",
                f"{say(signals, 'paper_share')} of cases pass a media-break step "
                f"(„{breaks[0].activity}“).",
            )
        ]
    if gap is None:
        reasons.append(
            bi(
                "Der OZG-Reifegrad ist im Register nicht erfasst.",
                "The registry holds no OZG maturity level.",
            )
        )
    elif gap > 0:
        reasons.append(_maturity_below(facts, target))
    else:
        reasons.append(
            bi(
                f"Ein Onlinedienst besteht (Reifegrad {facts.ozg_maturity_level}), wird aber "
                "wenig genutzt: Nutzung fördern und den Papierweg zurückdrängen.",
                f"An online service exists (maturity {facts.ozg_maturity_level}) but is little "
                "used: promote its use and push back the paper route.",
            )
        )
    reasons.append(
        bi(
            f"Schätzung: {say(signals, 'cases_per_year')} Fälle/Jahr × "
            f"{say(signals, 'paper_share')} Papier × {pct(cfg['shift_share'])} kämen online = "
            f"{num(moved)} Anträge × {dec(minutes or 0.0)} Min. Erfassung ({source}) ÷ 60 = "
            f"{num(calc.result)} Stunden/Jahr; {num(pages)} Seiten Papier weniger.",
            f"Estimate: {say(signals, 'cases_per_year')} cases/year × "
            f"{say(signals, 'paper_share')} paper × {pct(cfg['shift_share'])} would go online = "
            f"{num(moved)} applications × {dec(minutes or 0.0)} min. of data entry "
            f"({pick(source, 'en')}) ÷ 60 = {num(calc.result)} hours/year; "
            f"{num(pages)} fewer pages of paper.",
        )
    )
    days = process.paper_minus_online_days
    if days and days > 0:
        reasons.append(
            bi(
                f"Papierfälle dauern im Mittel {dec(days)} Kalendertage länger als Onlinefälle.",
                f"Paper cases take {dec(days)} calendar days longer than online cases on average.",
            )
        )
    intake = _intake(process, breaks, a)
    # Where information comes in or goes out by the model's FIM types: the intake step first.
    exchange = sorted(
        ((s, k) for s, k in priors(process.activities, a) if k in _EXCHANGE),
        key=lambda sk: sk[0].activity != intake,
    )
    reasons += [online_reason(s, k) for s, k in exchange]
    return [
        Finding(
            activity=intake,
            benefit=benefit,
            reasons=reasons,
            signals=signals,
            calculation=calc,
            cases=process.cases,
            pages=pages,
            throughput_days=paper_share * cfg["shift_share"] * max(0.0, days or 0.0),
            used=(
                "online_service.min_paper_share",
                "online_service.shift_share",
                *(() if measured else ("online_service.minutes_per_paper_case",)),
                "online_service.pages_per_paper_application",
                "online_service.co2_g_per_page",
                "online_service.target_maturity_1_1"
                if facts.ozg_maturity_scale != "2.0"
                else "online_service.target_maturity_2_0",
                *dict.fromkeys(used_key(k) for _s, k in exchange),
            ),
            measured=(
                ("Fälle/Jahr", measured_source(process)),
                ("Papieranteil", MEASURED),
                *((("Minuten Erfassung je Papierantrag", MEASURED),) if measured else ()),
            ),
        )
    ]


_REDESIGN_FORMULA = bi(
    "Fälle/Jahr × Übergaben je Fall × Minuten je Übergabe ÷ 60 × vermiedene Übergaben",
    "cases/year × hand-overs per case × minutes per hand-over ÷ 60 × hand-overs avoided",
)


def process_redesign_rule(process: ProcessSignals, a: Assumptions) -> list[Finding]:
    """Long waits at a bottleneck or many hand-overs between units: reorder the process.

    The hours come from the hand-overs' effort only; the waiting shortens the throughput time
    (calendar days) and is never counted as work."""
    cfg, general = a["process_redesign"], a["general"]
    wait = process.bottleneck_wait_days or 0.0
    handovers = process.handovers_per_case or 0.0
    if process.bottleneck is None or (
        wait < cfg["min_wait_days"] and handovers < cfg["min_handovers_per_case"]
    ):
        return []
    calc = Calculation(
        _REDESIGN_FORMULA,
        {
            "Fälle/Jahr": process.cases_per_year,
            "Übergaben je Fall": handovers,
            "Minuten je Übergabe": cfg["minutes_per_handover"],
            "vermiedene Übergaben": cfg["handover_reduction"],
        },
        process.cases_per_year
        * handovers
        * cfg["minutes_per_handover"]
        / 60
        * cfg["handover_reduction"],
    )
    pressure = (process.deadline_over_share or 0.0) + 0.5 * (process.deadline_close_share or 0.0)
    benefit = (
        cfg["weight_hours"] * saturate(calc.result, general["hours_saturation"])
        + cfg["weight_wait"] * max(saturate(wait, 30.0), min(1.0, pressure))
        + cfg["weight_handovers"] * saturate(handovers, 4.0)
    )
    signals = {"bottleneck_wait_days": wait, "handovers_per_case": process.handovers_per_case}
    source, target = process.bottleneck
    reasons = [
        bi(
            f"Fälle warten im Mittel {say(signals, 'bottleneck_wait_days')} Kalendertage zwischen "
            f"„{source}“ und „{target}“ ({num(process.bottleneck_cases)} Fälle) — der größte "
            "Engpass.",
            f"Cases wait {say(signals, 'bottleneck_wait_days')} calendar days on average between "
            f"„{source}“ and „{target}“ ({num(process.bottleneck_cases)} cases) — the largest "
            "bottleneck.",
        )
    ]
    if handovers:
        reasons.append(
            bi(
                f"{say(signals, 'handovers_per_case')} Übergaben zwischen Organisationseinheiten "
                "je Fall.",
                f"{say(signals, 'handovers_per_case')} hand-overs between organisational units "
                "per case.",
            )
        )
    if process.deadline_over_share is not None:
        reasons.append(
            bi(
                f"Gesetzliche Frist von {process.facts.legal_deadline_days} Tagen: "
                f"{pct(process.deadline_over_share)} der Fälle darüber, "
                f"{pct(process.deadline_close_share or 0.0)} knapp davor.",
                f"Legal deadline of {process.facts.legal_deadline_days} days: "
                f"{pct(process.deadline_over_share)} of cases exceed it, "
                f"{pct(process.deadline_close_share or 0.0)} come close.",
            )
        )
    share = process.bottleneck_cases / process.cases if process.cases else 0.0
    throughput = wait * cfg["wait_reduction"] * share
    reasons.append(
        bi(
            f"Erwartet: {pct(cfg['wait_reduction'])} kürzere Liegezeit am Engpass, im Mittel "
            f"{dec(throughput)} Kalendertage kürzere Durchlaufzeit je Fall (Wartezeit, keine "
            "Arbeitszeit: sie geht nicht in die Stunden ein).",
            f"Expected: {pct(cfg['wait_reduction'])} shorter idle time at the bottleneck, on "
            f"average {dec(throughput)} calendar days shorter throughput time per case (waiting "
            "time, not working time: it does not count towards the hours).",
        )
    )
    if calc.result:
        reasons.append(
            bi(
                f"Schätzung: {num(process.cases_per_year)} "
                f"Fälle/Jahr × {say(signals, 'handovers_per_case')} Übergaben × "
                f"{dec(cfg['minutes_per_handover'])} Min. ÷ 60 × "
                f"{pct(cfg['handover_reduction'])} weniger Übergaben = {num(calc.result)} "
                "Stunden/Jahr.",
                f"Estimate: {num(process.cases_per_year)} "
                f"cases/year × {say(signals, 'handovers_per_case')} hand-overs × "
                f"{dec(cfg['minutes_per_handover'])} min. ÷ 60 × "
                f"{pct(cfg['handover_reduction'])} fewer hand-overs = {num(calc.result)} "
                "hours/year.",
            )
        )
    return [
        Finding(
            activity=target,
            benefit=benefit,
            reasons=reasons,
            signals=signals,
            calculation=calc,
            cases=process.cases,
            throughput_days=throughput,
            used=(
                "process_redesign.min_wait_days",
                "process_redesign.min_handovers_per_case",
                "process_redesign.minutes_per_handover",
                "process_redesign.handover_reduction",
                "process_redesign.wait_reduction",
            ),
            measured=(("Fälle/Jahr", measured_source(process)), ("Übergaben je Fall", MEASURED)),
        )
    ]


RULES: dict[str, Callable[[ProcessSignals, Assumptions], list[Finding]]] = {
    "rpa": rpa_rule,
    "ai_form_assistance": ai_form_rule,
    "online_service": online_service_rule,
    "process_redesign": process_redesign_rule,
    "decision_assistance": assistance_rule,
}


def recommend(process: ProcessSignals, assumptions: Assumptions) -> list[Candidate]:
    """Every candidate the rules find in one process, ranked."""
    out = []
    for kind, rule in RULES.items():
        for found in rule(process, assumptions):
            decides = _decides(kind, found, process, assumptions)
            out.append(_candidate(kind, found, process.facts, assumptions, decides=decides))
    return rank_candidates(out)


def _decides(kind: str, found: Finding, process: ProcessSignals, a: Assumptions) -> bool:
    """Whether § 35a VwVfG concerns the candidate: software takes over part of a step that
    decides the case (by its name, the model or its FIM type)."""
    if kind not in _AUTOMATING:
        return False
    step = next((s for s in process.activities if s.activity == found.activity), None)
    if step is None:
        return found.decides
    # The RPA rule admits a "prüfen" step only when FIM calls it a formal check: no decision.
    if kind == "rpa" and fim_prior(step, a) is FimPrior.FORMAL_CHECK:
        return found.decides
    return found.decides or deciding(step, a)


def _maturity_below(facts: ProcessFacts, target: object) -> Text:
    scale = facts.ozg_maturity_scale or "1.1"
    return bi(
        f"OZG-Reifegrad {facts.ozg_maturity_level} liegt unter dem Ziel {target} (Skala {scale}).",
        f"OZG maturity level {facts.ozg_maturity_level} is below the target {target} "
        f"(scale {scale}).",
    )


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
    reasons = [_maturity_below(facts, target)]
    if facts.annual_case_volume:
        reasons.append(
            bi(
                f"{num(facts.annual_case_volume)} Fälle pro Jahr laut Register.",
                f"{num(facts.annual_case_volume)} cases per year according to the registry.",
            )
        )
    reasons.append(
        bi(
            "Kein Ereignisprotokoll: Papieranteil und Aufwand sind nicht gemessen, daher keine "
            "Einsparschätzung. Ein Protokoll-Upload macht die Bewertung belastbar.",
            "No event log: paper share and effort are not measured, hence no savings estimate. "
            "Uploading a log makes the assessment reliable.",
        )
    )
    found = Finding(
        activity=None,
        benefit=cfg["weight_maturity_gap"] * saturate(gap, target),
        reasons=reasons,
        signals={"ozg_maturity_gap": gap, "cases_per_year": facts.annual_case_volume},
        calculation=Calculation(
            bi(
                "keine Schätzung ohne Ereignisprotokoll (Papieranteil und Aufwand unbekannt)",
                "no estimate without an event log (paper share and effort unknown)",
            ),
            {},
            0.0,
        ),
        cases=0,
        used=(
            "online_service.target_maturity_2_0"
            if facts.ozg_maturity_scale == "2.0"
            else "online_service.target_maturity_1_1",
        ),
    )
    return [_candidate("online_service", found, facts, assumptions, decides=False)]


def _candidate(
    kind: str, found: Finding, facts: ProcessFacts, assumptions: Assumptions, *, decides: bool
) -> Candidate:
    general = assumptions["general"]
    effort = int(assumptions[kind]["effort"])
    reasons = list(found.reasons)
    if decides:
        reasons.append(_SECTION_35A)
    low = found.cases < general["min_cases"]
    if low and found.cases:
        reasons.append(
            bi(
                f"Wenige Fälle: nur {num(found.cases)} Fälle stützen diese Aussage.",
                f"Few cases: only {num(found.cases)} cases support this statement.",
            )
        )
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
        calculation=found.calculation,
        assumptions_used=_used(kind, found, assumptions),
    )


def _used(kind: str, found: Finding, assumptions: Assumptions) -> tuple[UsedAssumptionRecord, ...]:
    """Every assumption behind the figure, with its value and where the value came from."""
    keys = [*found.used, f"{kind}.effort", "general.hours_per_fte", "general.default_pay_group"]
    rate = f"cost_rates_eur_per_hour.{assumptions['general']['default_pay_group']}"
    out: list[UsedAssumptionRecord] = [
        {
            "key": name,
            "label": input_name(name),
            "value": found.calculation.inputs.get(name),
            "source": source,
        }
        for name, source in found.measured
    ]
    for dotted in dict.fromkeys([*keys, rate]):
        section, _, key = dotted.partition(".")
        value = assumptions[section][key]
        label = ASSUMPTION_LABELS.get(dotted) or (
            bi(f"Stundensatz {key}", f"Hourly rate {key}")
            if section == "cost_rates_eur_per_hour"
            else dotted
        )
        out.append(
            {
                "key": dotted,
                "label": label,
                "value": list(value) if isinstance(value, tuple) else value,
                "source": assumptions.origin(dotted),
            }
        )
    return tuple(out)


def score_explanation(
    benefit_weight: float, effort_weight: float, hours_saturation: float, language: str = "de"
) -> str:
    """How :func:`_candidate` computes the score, in one sentence for wherever a score is shown."""

    def fmt(value: float) -> str:
        text = f"{value:,.{0 if float(value).is_integer() else 1}f}"
        if language == "de":
            text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
        return text

    b, e, h = fmt(benefit_weight), fmt(effort_weight), fmt(hours_saturation)
    if language == "en":
        return (
            f"Score = 100 × ({b} × benefit + {e} × (5 − effort) / 4), at most 100, higher is "
            f"better: the benefit (0 to 1) weighs, per kind of recommendation, the hours saved "
            f"(full from {h} h a year) with volume, rule-boundness, rework, paper share or "
            "waiting time; the effort (1 low to 5 high) is set per kind in the assumptions."
        )
    return (
        f"Score = 100 × ({b} × Nutzen + {e} × (5 − Aufwand) / 4), höchstens 100, höher ist "
        f"besser: Der Nutzen (0 bis 1) gewichtet je Empfehlungsart die eingesparten Stunden "
        f"(voll ab {h} h im Jahr) mit Menge, Regelhaftigkeit, Nacharbeit, Papieranteil oder "
        "Liegezeit; der Aufwand (1 gering bis 5 hoch) ist je Empfehlungsart in den Annahmen "
        "festgelegt."
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
