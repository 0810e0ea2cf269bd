"""RPA: frequent, rule-bound steps whose next step is always the same — a robot's work.

With start times the step's measured processing time decides (short and uniform). Most specialist
systems export one timestamp per step, though: then the time since the previous event is only an
upper bound of the work (it holds the waiting too), and rule-boundness is judged from evidence the
log does have — a uniform time since the previous step, the same person's working session, a
system account doing the step, a system task in the model, the FIM type, and what the step's name
says it does. The hours saved then rest on an assumed minutes-per-step, marked as assumed.

A FIM type that says the step decides the case (a decision or a substantive check) forbids the
robot whatever the log shows (§ 35a VwVfG): such a step becomes an assistance candidate without a
savings estimate instead (:func:`assistance_rule`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from mining.digitization.assumptions import Assumptions
from mining.digitization.calculation import Calculation, dec, num, pct, shown_signal
from mining.digitization.fim import ASSISTANCE_ONLY, FimPrior, fim_prior, fim_reason, used_key
from mining.digitization.finding import (
    MEASURED,
    Finding,
    measured_source,
    saturate,
    say,
    volume_note,
)
from mining.digitization.signals import ActivitySignals, ProcessSignals
from mining.texts import Text, bi, join, pick

__all__ = ["assistance_rule", "names_a_verb", "rpa_evidence", "rpa_rule"]

_SYSTEM_TASKS = frozenset({"serviceTask", "scriptTask", "businessRuleTask"})
# FIM types that say a step moves information or checks form: a piece of RPA evidence.
_RULE_BOUND_PRIORS = frozenset({FimPrior.INTAKE, FimPrior.OUTPUT, FimPrior.FORMAL_CHECK})
_FORMULA = bi(
    "Ausführungen/Jahr × Minuten je Ausführung ÷ 60 × Automatisierungsanteil",
    "executions/year × minutes per execution ÷ 60 × automation share",
)


def _stem(verb: str) -> str:
    verb = verb.strip().lower()
    for ending in ("en", "n"):
        if verb.endswith(ending) and len(verb) - len(ending) >= 4:
            return verb[: -len(ending)]
    return verb


def names_a_verb(name: str, verbs: Sequence[str]) -> str | None:
    """The first of ``verbs`` a word of ``name`` starts with (its stem: "Berechnung" names
    "berechnen"), or None."""
    words = [w for w in re.split(r"[^\w]+", name.lower()) if w]
    for verb in verbs:
        stem = _stem(verb)
        if stem and any(word.startswith(stem) for word in words):
            return verb
    return None


def rpa_evidence(
    step: ActivitySignals, cfg: Mapping[str, Any], prior: FimPrior | None = None
) -> list[str]:
    """The evidence that a step without measured processing time is rule-bound, one German phrase
    per signal that holds, each with its value. A FIM ``prior`` (intake, output, formal check)
    counts only beside evidence the log measured, so the model alone never makes a candidate."""
    found = []
    if step.variation is not None and step.variation <= cfg["max_gap_variation"]:
        spread = shown_signal("gap_variation", step.variation)
        limit = dec(cfg["max_gap_variation"], 2)
        found.append(
            bi(
                f"gleichförmige Zeit seit dem Vorschritt (Streuung {spread}, höchstens {limit})",
                f"uniform time since the previous step (spread {spread}, at most {limit})",
            )
        )
    if (
        step.same_session_share is not None
        and step.same_session_share >= cfg["min_same_session_share"]
    ):
        found.append(
            bi(
                f"in {pct(step.same_session_share)} der Ausführungen erledigt dieselbe Person den "
                f"Vorschritt binnen {num(cfg['session_minutes'])} Minuten (eine Arbeitssitzung)",
                f"in {pct(step.same_session_share)} of executions the same person did the "
                f"previous step within {num(cfg['session_minutes'])} minutes (one work session)",
            )
        )
    if (
        step.system_account_share is not None
        and step.system_account_share >= cfg["min_system_account_share"]
    ):
        found.append(
            bi(
                f"in {pct(step.system_account_share)} der Ausführungen arbeitet ein Systemkonto",
                f"in {pct(step.system_account_share)} of executions a system account works",
            )
        )
    measured_by_log = len(found)
    if step.model_type in _SYSTEM_TASKS:
        found.append(
            bi(
                f"im Modell als Systemaufgabe ({step.model_type}) beschrieben",
                f"described as a system task ({step.model_type}) in the model",
            )
        )
    if prior in _RULE_BOUND_PRIORS and measured_by_log:
        found.append(
            bi(f"FIM-Aktivitätengruppe „{step.fim_type}“", f"FIM activity group „{step.fim_type}“")
        )
    verb = names_a_verb(step.activity, cfg["transfer_verbs"])
    if verb:
        found.append(
            bi(
                f"der Name nennt eine Übertragung oder Berechnung („{verb}“)",
                f"the name names a transfer or calculation („{verb}“)",
            )
        )
    return found


def _routine(step: ActivitySignals, cfg: Mapping[str, Any]) -> bool:
    """Frequent and predictable, no paper, not done by hand in the model: the log's side."""
    return (
        step.events_per_year >= cfg["min_events_per_year"]
        and step.successor_share >= cfg["min_successor_share"]
        # A robot cannot scan paper.
        and not step.media_break
        and step.model_type != "manualTask"
    )


def _decides_by_name_or_model(step: ActivitySignals, cfg: Mapping[str, Any]) -> bool:
    # A step that decides is no routine (§ 35a VwVfG).
    return step.decides or names_a_verb(step.activity, cfg["deciding_verbs"]) is not None


def _qualifies(process: ProcessSignals, step: ActivitySignals, a: Assumptions) -> Finding | None:
    """The RPA finding the log's measurements support for a routine ``step``, or None."""
    cfg = a["rpa"]
    prior = fim_prior(step, a)
    if step.time_kind == "Bearbeitungszeit":
        return _measured(process, step, a, prior) if _measured_applies(step, cfg) else None
    evidence = rpa_evidence(step, cfg, prior)
    if len(evidence) >= cfg["min_evidence"]:
        return _from_evidence(process, step, a, evidence, prior)
    return None


def _measured_applies(step: ActivitySignals, cfg: Mapping[str, Any]) -> bool:
    return (
        step.median_minutes is not None
        and step.median_minutes <= cfg["max_median_minutes"]
        and step.variation is not None
        and step.variation <= cfg["max_variation"]
    )


def rpa_rule(process: ProcessSignals, a: Assumptions) -> list[Finding]:
    cfg = a["rpa"]
    found = []
    for step in process.activities:
        prior = fim_prior(step, a)
        if not _routine(step, cfg) or prior in ASSISTANCE_ONLY:
            continue
        # FIM's "formal check" names what kind of check this is; "prüfen" in the name or a
        # gateway after it (a complete application goes on, an incomplete one is asked for
        # more) says only that something is checked, so the FIM type outweighs them.
        if prior is not FimPrior.FORMAL_CHECK and _decides_by_name_or_model(step, cfg):
            continue
        finding = _qualifies(process, step, a)
        if finding is not None:
            found.append(finding)
    return found


_ASSISTANCE_FORMULA = bi(
    "keine Einsparschätzung: eine Assistenz bereitet die Entscheidung vor, die Beschäftigten "
    "treffen sie; wie viel Zeit das spart, zeigt erst ein Versuch",
    "no savings estimate: an assistant prepares the decision, the staff take it; only a trial "
    "shows how much time that saves",
)


def assistance_rule(process: ProcessSignals, a: Assumptions) -> list[Finding]:
    """Steps the log would give a robot but whose FIM type decides the case (§ 35a VwVfG): an
    assistance for the staff, with the log's evidence and no hours — benefit 0, so the prior
    ranks nothing up."""
    found = []
    for step in process.activities:
        prior = fim_prior(step, a)
        if prior is None or prior not in ASSISTANCE_ONLY or not _routine(step, a["rpa"]):
            continue
        robot = _qualifies(process, step, a)
        if robot is None:
            continue
        # The FIM type first (it is why there is no robot), then the log's evidence (why the
        # step looked automatable); the robot's estimate goes.
        veto = fim_reason(step, prior)
        reasons = [veto] + [
            r for r in robot.reasons if r != veto and not r.startswith(_ESTIMATE_START)
        ]
        found.append(
            Finding(
                activity=step.activity,
                benefit=0.0,
                reasons=reasons,
                signals=robot.signals,
                calculation=Calculation(_ASSISTANCE_FORMULA, {}, 0.0),
                cases=step.cases,
                decides=True,
                used=tuple(u for u in robot.used if u != "rpa.automation_share"),
            )
        )
    return found


def _estimate(
    step: ActivitySignals, cfg: Mapping[str, Any], minutes: float, basis: str
) -> Calculation:
    share = cfg["automation_share"]
    return Calculation(
        _FORMULA,
        {
            "Ausführungen/Jahr": step.events_per_year,
            "Minuten je Ausführung": minutes,
            "Grundlage der Minuten": basis,
            "Automatisierungsanteil": share,
        },
        step.events_per_year * minutes / 60.0 * share,
    )


_ESTIMATE_START = "Schätzung: "


def _estimate_reason(calc: Calculation, basis: str) -> Text:
    inputs = calc.inputs
    runs, minutes = num(inputs["Ausführungen/Jahr"]), dec(inputs["Minuten je Ausführung"])
    share, hours = pct(inputs["Automatisierungsanteil"]), num(calc.result)
    return bi(
        f"{_ESTIMATE_START}{runs} Ausführungen/Jahr × {minutes} Min. ({basis}) ÷ 60 × "
        f"{share} Automatisierungsanteil = {hours} Stunden/Jahr.",
        f"Estimate: {runs} executions/year × {minutes} min. ({pick(basis, 'en')}) ÷ 60 × "
        f"{share} automation share = {hours} hours/year.",
    )


def _measured(
    process: ProcessSignals, step: ActivitySignals, a: Assumptions, prior: FimPrior | None
) -> Finding:
    cfg = a["rpa"]
    basis = "gemessene Bearbeitungszeit, Mittelwert"
    calc = _estimate(step, cfg, step.mean_minutes or 0.0, basis)
    rule_bound = (
        (1 - (step.median_minutes or 0.0) / cfg["max_median_minutes"])
        + (1 - (step.variation or 0.0) / cfg["max_variation"])
        + (step.successor_share - cfg["min_successor_share"])
        / max(1e-9, 1 - cfg["min_successor_share"])
    ) / 3
    signals = {
        "events_per_year": step.events_per_year,
        "median_processing_min": step.median_minutes,
        "variation": step.variation,
        "successor_share": step.successor_share,
    }
    reasons = [
        _frequent(signals, process),
        bi(
            f"Kurz: Bearbeitungszeit im Median {say(signals, 'median_processing_min')} Minuten.",
            f"Short: median processing time {say(signals, 'median_processing_min')} minutes.",
        ),
        bi(
            f"Gleichförmig: Streuung {say(signals, 'variation')} (Standardabweichung/Mittelwert).",
            f"Uniform: spread {say(signals, 'variation')} (standard deviation/mean).",
        ),
        _predictable(signals),
    ]
    if step.model_type in _SYSTEM_TASKS:
        reasons.append(
            bi(
                f"Im Modell als Systemaufgabe ({step.model_type}) beschrieben.",
                f"Described as a system task ({step.model_type}) in the model.",
            )
        )
    if prior is not None:
        reasons.append(fim_reason(step, prior))
    reasons.append(_estimate_reason(calc, basis))
    return _finding(
        process, step, a, calc, reasons, signals, rule_bound, measured=True, prior=prior
    )


def _from_evidence(
    process: ProcessSignals,
    step: ActivitySignals,
    a: Assumptions,
    evidence: list[str],
    prior: FimPrior | None,
) -> Finding:
    cfg = a["rpa"]
    basis = bi(
        "angenommen (rpa.assumed_minutes_per_step); ohne Startzeiten nicht messbar",
        "assumed (rpa.assumed_minutes_per_step); not measurable without start times",
    )
    calc = _estimate(step, cfg, cfg["assumed_minutes_per_step"], basis)
    possible = 6
    signals = {
        "events_per_year": step.events_per_year,
        "successor_share": step.successor_share,
        "median_gap_min": step.median_minutes,
        "gap_variation": step.variation,
        "same_session_share": step.same_session_share,
        "system_account_share": step.system_account_share,
        "rpa_evidence": float(len(evidence)),
    }
    listed = join("; ", evidence)
    reasons = [
        _frequent(signals, process),
        _predictable(signals),
        bi(
            "Das Protokoll hat keine Startzeiten, die Bearbeitungszeit ist nicht gemessen; "
            f"{len(evidence)} Belege für einen regelgebundenen Schritt: {listed}.",
            "The log has no start times, the processing time is not measured; "
            f"{len(evidence)} signs of a rule-bound step: {listed.en}.",
        ),
    ]
    if step.median_minutes is not None:
        reasons.append(
            bi(
                f"Zeit seit dem Vorschritt im Median {say(signals, 'median_gap_min')} Minuten: "
                "eine obere Schranke mit Wartezeit, daher nicht als Arbeitszeit gerechnet.",
                f"Median time since the previous step {say(signals, 'median_gap_min')} minutes: "
                "an upper bound that includes waiting, hence not counted as working time.",
            )
        )
    if prior is not None:
        reasons.append(fim_reason(step, prior))
    reasons.append(_estimate_reason(calc, basis))
    rule_bound = len(evidence) / possible
    return _finding(
        process, step, a, calc, reasons, signals, rule_bound, measured=False, prior=prior
    )


def _frequent(signals: dict[str, float | None], process: ProcessSignals) -> Text:
    note = volume_note(process)
    return bi(
        f"Häufig: {say(signals, 'events_per_year')} Ausführungen pro Jahr ({note}).",
        f"Frequent: {say(signals, 'events_per_year')} executions per year ({note.en}).",
    )


def _predictable(signals: dict[str, float | None]) -> Text:
    return bi(
        f"Vorhersehbar: in {say(signals, 'successor_share')} der Fälle folgt derselbe nächste "
        "Schritt.",
        f"Predictable: in {say(signals, 'successor_share')} of cases the same next step follows.",
    )


def _finding(
    process: ProcessSignals,
    step: ActivitySignals,
    a: Assumptions,
    calc: Calculation,
    reasons: list[str],
    signals: dict[str, float | None],
    rule_bound: float,
    *,
    measured: bool,
    prior: FimPrior | None,
) -> Finding:
    cfg, general = a["rpa"], a["general"]
    benefit = (
        cfg["weight_hours"] * saturate(calc.result, general["hours_saturation"])
        + cfg["weight_rule_bound"] * max(0.0, min(1.0, rule_bound))
        + cfg["weight_volume"] * saturate(step.events_per_year, general["volume_saturation"])
    )
    used = ["rpa.automation_share", "rpa.min_successor_share", "rpa.min_events_per_year"]
    if measured:
        used += ["rpa.max_median_minutes", "rpa.max_variation"]
    else:
        used += [
            "rpa.assumed_minutes_per_step",
            "rpa.min_evidence",
            "rpa.max_gap_variation",
            "rpa.session_minutes",
            "rpa.min_same_session_share",
            "rpa.system_accounts",
            "rpa.min_system_account_share",
            "rpa.transfer_verbs",
            "rpa.deciding_verbs",
        ]
    if prior is not None:
        used.append(used_key(prior))
    return Finding(
        activity=step.activity,
        benefit=benefit,
        reasons=reasons,
        signals=signals,
        calculation=calc,
        cases=step.cases,
        # Calendar days: the robot works at once, so the wait before the step shrinks.
        throughput_days=(step.wait_before_days or 0.0) * cfg["automation_share"],
        used=tuple(used),
        measured=(
            ("Ausführungen/Jahr", measured_source(process)),
            *((("Minuten je Ausführung", MEASURED),) if measured else ()),
        ),
    )
