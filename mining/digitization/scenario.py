"""Scenarios: what accepted candidates would change, computed by replaying the log's own cases.

A process manager accepts candidates (an activity and a kind of change) or sets a target online
share; :func:`run_scenario` replays every case of the view with the changed steps
(:mod:`mining.digitization.replay`) and reports the work hours and euros saved per year, median
and P90 throughput time and the share over the legal deadline, before and after::

    result = run_scenario(view, [("Hundesteuer berechnen", "rpa")],
                          assumptions=load_assumptions(), facts=facts,
                          online_share=0.8, channel_column="Kanal")

The changes are applied in a fixed order whatever order they are given in: online intake first,
then the avoided rework loops, then automation of what remains, each on the timeline the ones
before it left.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mining.digitization import signals as _signals
from mining.digitization.assumptions import ASSUMPTION_LABELS, Assumptions
from mining.digitization.replay import Replayed, automate, remove_loops, shift_online
from mining.digitization.rules import RECOMMENDATION_LABELS, is_follow_up
from mining.digitization.signals import ProcessFacts, is_media_break_channel
from mining.errors import MiningError
from mining.measures import clock_status, event_clocks
from mining.query import LogView, checked_attribute, query_events
from mining.results import (
    ScenarioAssumptionRecord,
    ScenarioChangeRecord,
    ScenarioFiguresRecord,
    ScenarioRecord,
)
from mining.texts import bi

__all__ = [
    "SCENARIO_KINDS",
    "ScenarioChange",
    "ScenarioError",
    "ScenarioFigures",
    "ScenarioResult",
    "run_scenario",
]

# The kinds a replay can compute (applied online first, then rework, then automation).
SCENARIO_KINDS = ("rpa", "ai_form_assistance", "online_service")
_DAY_S = 86400.0


class ScenarioError(MiningError, ValueError):
    """A scenario that cannot be computed: an unknown step or kind, a share outside 0 … 1."""


@dataclass(frozen=True)
class ScenarioChange:
    activity: str | None
    kind: str
    eligible_cases: int
    cases: int
    events_removed: int
    hours_saved_per_year: float
    euros_saved_per_year: float
    calculation: dict[str, Any]

    @property
    def kind_label(self) -> str:
        return RECOMMENDATION_LABELS[self.kind]

    def to_dict(self) -> ScenarioChangeRecord:
        return {
            "activity": self.activity,
            "kind": self.kind,
            "kind_label": self.kind_label,
            "eligible_cases": self.eligible_cases,
            "cases": self.cases,
            "events_removed": self.events_removed,
            "hours_saved_per_year": self.hours_saved_per_year,
            "euros_saved_per_year": self.euros_saved_per_year,
            "calculation": dict(self.calculation),
        }


@dataclass(frozen=True)
class ScenarioFigures:
    median_days: float | None
    p90_days: float | None
    deadline_over_share: float | None
    deadline_cases: int

    def to_dict(self) -> ScenarioFiguresRecord:
        return {
            "median_days": self.median_days,
            "p90_days": self.p90_days,
            "deadline_over_share": self.deadline_over_share,
            "deadline_cases": self.deadline_cases,
        }


@dataclass(frozen=True)
class ScenarioResult:
    process: str | None
    cases: int
    year_factor: float
    volume_source: str
    deadline_days: int | None
    online_share_before: float | None
    online_share_target: float | None
    changes: tuple[ScenarioChange, ...]
    before: ScenarioFigures
    after: ScenarioFigures
    hours_saved_per_year: float
    fte_saved: float
    euros_saved_per_year: float
    assumptions: tuple[ScenarioAssumptionRecord, ...]
    notes: tuple[str, ...]

    def to_dict(self) -> ScenarioRecord:
        """What ``pmo scenario --json`` prints."""
        return {
            "process": self.process,
            "cases": self.cases,
            "year_factor": self.year_factor,
            "volume_source": self.volume_source,
            "deadline_days": self.deadline_days,
            "online_share_before": self.online_share_before,
            "online_share_target": self.online_share_target,
            "changes": [c.to_dict() for c in self.changes],
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
            "hours_saved_per_year": self.hours_saved_per_year,
            "fte_saved": self.fte_saved,
            "euros_saved_per_year": self.euros_saved_per_year,
            "assumptions": list(self.assumptions),
            "notes": list(self.notes),
        }


def run_scenario(
    view: LogView,
    changes: Iterable[tuple[str, str]],
    *,
    assumptions: Assumptions,
    facts: ProcessFacts | None = None,
    online_share: float | None = None,
    channel_column: str | None = None,
) -> ScenarioResult:
    """Replay the cases of ``view`` with ``changes`` ((activity, kind) pairs, kinds of
    :data:`SCENARIO_KINDS`) and, with ``online_share``, that share of the cases arriving online
    (paper cases by ``channel_column``'s value, else by a media-break step)."""
    facts = facts or ProcessFacts()
    columns = [checked_attribute(view, channel_column)] if channel_column else []
    frame = query_events(view, columns)
    wanted = _checked(changes, frame, online_share)
    events = _prepared(frame)
    case_ids = events["case_id"].drop_duplicates()
    if case_ids.empty:
        raise ScenarioError("Die Auswahl enthält keine Fälle; es gibt nichts zu rechnen.")
    _, factor, source = _signals._year_factor(view, facts, len(case_ids))
    rate = assumptions.hourly_rate()
    used = _Used(assumptions)
    used.add("general.default_pay_group")
    paper, known, online_before = _paper_cases(frame, channel_column)
    notes: list[str] = []
    done: list[ScenarioChange] = []
    changed = events
    online = [a for a, k in wanted if k == "online_service"]
    if online or online_share is not None:
        # One shift of the intake, whichever steps named it: the paper cases move only once.
        moved = None
        if online_share is not None:
            moved = min(len(paper), max(0, round(online_share * known) - (known - len(paper))))
            if moved == 0 and paper:
                before, target = _pct(online_before or 0.0), _pct(online_share)
                notes.append(
                    bi(
                        f"Schon {before} der Fälle gehen online ein; das Ziel "
                        f"{target} verschiebt keine Papierfälle.",
                        f"{before} of cases already come in online; the target {target} moves "
                        "no paper cases.",
                    )
                )
        activity = online[0] if online else None
        step = _apply(changed, activity, "online_service", assumptions, used, paper, moved)
        done.append(_change(activity, "online_service", step, factor, rate, assumptions, used))
        changed = step.events
    for kind in ("ai_form_assistance", "rpa"):
        for activity in [a for a, k in wanted if k == kind]:
            step = _apply(changed, activity, kind, assumptions, used, paper, None)
            done.append(_change(activity, kind, step, factor, rate, assumptions, used))
            changed = step.events
    if any(c.kind == "online_service" for c in done) and not paper:
        notes.append(
            bi(
                "Keine Papierfälle erkannt (kein Papier-, Post-, E-Mail- oder Fax-Eingang und kein "
                "Scan-Schritt): der Onlinedienst ändert an diesen Fällen nichts.",
                "No paper cases found (no paper, post, e-mail or fax intake and no scan step): "
                "the online service changes nothing about these cases.",
            )
        )
    hours = sum(c.hours_saved_per_year for c in done)
    year = bi("Hochrechnung auf ein Jahr", "scaled to one year")
    used.measured("measured.year_factor", year, round(factor, 4), source)
    return ScenarioResult(
        process=facts.key,
        cases=len(case_ids),
        year_factor=factor,
        volume_source=source,
        deadline_days=facts.legal_deadline_days,
        online_share_before=online_before,
        online_share_target=online_share,
        changes=tuple(done),
        before=_figures(events, case_ids, facts, events),
        after=_figures(changed, case_ids, facts, events),
        hours_saved_per_year=round(hours, 1),
        fte_saved=round(hours / assumptions["general"]["hours_per_fte"], 2),
        euros_saved_per_year=round(hours * rate, 0),
        assumptions=tuple(used.records),
        notes=tuple(notes),
    )


def _checked(
    changes: Iterable[tuple[str, str]], frame: pd.DataFrame, online_share: float | None
) -> list[tuple[str, str]]:
    activities = sorted(set(frame["activity"].dropna().astype(str)))
    wanted: list[tuple[str, str]] = []
    for activity, kind in changes:
        if kind not in SCENARIO_KINDS:
            extra = (
                f" „{RECOMMENDATION_LABELS['process_redesign']}“ ändert den Ablauf selbst und "
                "lässt sich nicht aus den Fällen nachrechnen."
                if kind == "process_redesign"
                else ""
            )
            raise ScenarioError(
                f"Unbekannte Art „{kind}“ für „{activity}“; möglich sind "
                f"{', '.join(SCENARIO_KINDS)}.{extra}"
            )
        if activity not in activities:
            raise ScenarioError(
                f"Die Aktivität „{activity}“ kommt im Protokoll nicht vor. Aktivitäten des "
                f"Protokolls: {', '.join(activities)}."
            )
        if (activity, kind) not in wanted:
            wanted.append((activity, kind))
    if online_share is not None and not 0.0 <= online_share <= 1.0:
        raise ScenarioError(
            f"Der Online-Anteil ist ein Anteil zwischen 0 und 1, nicht {online_share:g} "
            "(80 % = 0,8)."
        )
    return wanted


def _prepared(frame: pd.DataFrame) -> pd.DataFrame:
    events = pd.DataFrame(
        {
            "case_id": frame["case_id"].astype(str),
            "activity": frame["activity"].astype(str),
            "timestamp": pd.to_datetime(frame["timestamp"], utc=True),
        }
    )
    start = pd.to_datetime(frame["start_timestamp"], utc=True)
    events["work_s"] = (events["timestamp"] - start).dt.total_seconds().clip(lower=0.0)
    return events


def _paper_cases(frame: pd.DataFrame, column: str | None) -> tuple[set[str], int, float | None]:
    """Paper cases, cases with a known channel, and the online share among those."""
    cases = frame["case_id"].astype(str)
    if column is not None:
        # A case's channel is the value of its first event that has one (as compare_channels).
        valued = frame.assign(case_id=cases).dropna(subset=[column])
        channel = valued.groupby("case_id", sort=False)[column].first().astype(str)
        paper = set(channel.index[channel.map(is_media_break_channel)])
        known = len(channel)
    else:
        breaks = (
            frame["activity"].astype(str).map(lambda a: bool(_signals._MEDIA_BREAK_STEP.search(a)))
        )
        paper = set(cases[breaks.to_numpy()])
        known = int(cases.nunique())
    # Without a channel column and without a scanning step the intake is simply unknown.
    unknown = not known or (column is None and not paper)
    return paper, known, None if unknown else (known - len(paper)) / known


def _apply(
    events: pd.DataFrame,
    activity: str | None,
    kind: str,
    assumptions: Assumptions,
    used: _Used,
    paper: set[str],
    moved: int | None,
) -> Replayed:
    if kind == "rpa":
        cfg = assumptions["rpa"]
        used.add("rpa.automation_share")
        step = automate(
            events,
            str(activity),
            share=cfg["automation_share"],
            minutes=cfg["assumed_minutes_per_step"],
        )
        if step.assumed_work:
            # The RPA rule assumes the same minutes: rule and scenario price a step alike.
            used.add("rpa.assumed_minutes_per_step")
        return step
    if kind == "ai_form_assistance":
        cfg = assumptions["ai_form_assistance"]
        used.add("ai_form_assistance.rework_reduction")
        step = remove_loops(
            events,
            str(activity),
            share=cfg["rework_reduction"],
            # Priced as the candidate prices them: a follow-up request, or a repetition.
            minutes=lambda name: cfg[
                "minutes_per_follow_up" if is_follow_up(name) else "minutes_per_repetition"
            ],
            salt=f"{kind}:{activity}",
        )
        if step.assumed_work:
            used.add("ai_form_assistance.minutes_per_follow_up")
            used.add("ai_form_assistance.minutes_per_repetition")
        return step
    cfg = assumptions["online_service"]
    if moved is None:
        used.add("online_service.shift_share")
        moved = round(cfg["shift_share"] * len(paper))
    step = shift_online(
        events,
        paper,
        moved,
        media_break=_signals._MEDIA_BREAK_STEP,
        minutes=cfg["minutes_per_paper_case"],
        salt=kind,
    )
    if step.assumed_work:
        used.add("online_service.minutes_per_paper_case")
    return step


_FORMULAS = {
    "rpa": bi(
        "Σ Bearbeitungszeit der Ausführungen × Automatisierungsanteil × Hochrechnung",
        "Σ processing time of the executions × automation share × scaling",
    ),
    "ai_form_assistance": bi(
        "Σ Bearbeitungszeit der vermiedenen Schleifen × Hochrechnung",
        "Σ processing time of the avoided loops × scaling",
    ),
    "online_service": bi(
        "Σ Bearbeitungszeit der entfallenden Medienbruch-Schritte × Hochrechnung",
        "Σ processing time of the media-break steps that fall away × scaling",
    ),
}


def _change(
    activity: str | None,
    kind: str,
    step: Replayed,
    factor: float,
    rate: float,
    assumptions: Assumptions,
    used: _Used,
) -> ScenarioChange:
    hours = step.work_s / 3600.0 * factor
    inputs: dict[str, Any] = {
        "hours_in_log": round(step.work_s / 3600.0, 2),
        "year_factor": round(factor, 4),
        "executions_assumed": step.assumed_work,
    }
    if kind == "rpa":
        inputs["automation_share"] = assumptions["rpa"]["automation_share"]
    return ScenarioChange(
        activity=activity,
        kind=kind,
        eligible_cases=step.eligible,
        cases=step.cases,
        events_removed=step.removed,
        hours_saved_per_year=round(hours, 1),
        euros_saved_per_year=round(hours * rate, 0),
        calculation={"formula": _FORMULAS[kind], "inputs": inputs, "result": round(hours, 1)},
    )


def _figures(
    events: pd.DataFrame, case_ids: pd.Series, facts: ProcessFacts, original: pd.DataFrame
) -> ScenarioFigures:
    spans = events.groupby("case_id", sort=False)["timestamp"].agg(["min", "max"])
    # A case whose every step was removed took no time at all.
    durations = (
        (spans["max"] - spans["min"]).dt.total_seconds().reindex(case_ids, fill_value=0.0)
    ).to_numpy(dtype="float64")
    median, p90 = (
        (float(v) / _DAY_S for v in np.percentile(durations, [50, 90]))
        if len(durations)
        else (None, None)
    )
    over, started = None, 0
    if facts.legal_deadline_days:
        clocks = event_clocks(
            events, starts_with=facts.deadline_starts_with, ends_with=facts.deadline_ends_with
        )
        # Running clocks are read when the log was exported, which the changes do not move.
        ends = original.groupby("case_id")["timestamp"].max()
        clocks["last_time"] = clocks["case_id"].map(ends)
        status = clock_status(
            clocks,
            deadline_days=facts.legal_deadline_days,
            starts_with=facts.deadline_starts_with,
            ends_with=facts.deadline_ends_with,
        )
        over, started = status.over_share, status.cases
    return ScenarioFigures(
        median_days=median, p90_days=p90, deadline_over_share=over, deadline_cases=started
    )


def _pct(value: float) -> str:
    return f"{value * 100:.0f} %"


class _Used:
    """The assumptions a scenario's figures rest on, each once, with its source."""

    def __init__(self, assumptions: Assumptions) -> None:
        self.assumptions = assumptions
        self.records: list[ScenarioAssumptionRecord] = []
        self._seen: set[str] = set()

    def add(self, key: str) -> None:
        if key in self._seen:
            return
        self._seen.add(key)
        section, _, name = key.partition(".")
        value = self.assumptions[section][name]
        label = ASSUMPTION_LABELS.get(key, key)
        # Per key, as the candidates say it: one changed key does not make the rest "the file's".
        source = self.assumptions.origin(key)
        self.records.append({"key": key, "label": label, "value": value, "source": source})
        if key == "general.default_pay_group":
            rate = f"cost_rates_eur_per_hour.{value}"
            self.records.append(
                {
                    "key": rate,
                    "label": f"Stundensatz {value} (Euro)",
                    "value": self.assumptions.hourly_rate(),
                    "source": self.assumptions.origin(rate),
                }
            )

    def measured(self, key: str, label: str, value: float, source: str) -> None:
        origin = "gemessen (Protokoll)" if source == "Protokoll" else "Register (Fallzahl/Jahr)"
        self.records.append({"key": key, "label": label, "value": value, "source": origin})
