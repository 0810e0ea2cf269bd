"""The measured signals behind a digitization recommendation, per activity and per process.

Everything here is read from the stored log (SQL aggregates) and the registry's catalogue data;
nothing is scored yet. Each signal keeps the number of cases behind it, so a ranking can say when
it rests on too few.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from mining.measures import (
    WorkingCalendar,
    compare_channels,
    deadline_status,
    find_bottlenecks,
    find_rework,
    total_handovers,
)
from mining.query import (
    LogView,
    count_reworked_cases,
    get_activity_profile,
    get_case_durations,
    get_log_stats,
    get_start_end_activities,
    query_case_spans,
    query_resource_continuity,
)
from process_registry import BpmnDocument

__all__ = [
    "ActivitySignals",
    "ProcessFacts",
    "ProcessSignals",
    "collect_signals",
    "facts_from_model",
    "is_media_break_channel",
]

_DAY_S = 86400.0
# Intake channels where information changes medium before it reaches the specialist system.
_MEDIA_BREAK_CHANNEL = re.compile(r"papier|post|brief|fax|e-?mail|schriftlich", re.IGNORECASE)
# Steps that move information from paper or mail into a system, by name.
_MEDIA_BREAK_STEP = re.compile(r"scann|papier|abtipp|manuell erfass|ausdruck|fax", re.IGNORECASE)
# Steps that decide about a case (an administrative act or an assessment), by name.
_DECIDING_STEP = re.compile(
    r"entscheid|genehmig|bewillig|ablehn|versag|prüf|pruef|festsetz|ermessen|freigeb"
    r"|bescheid\w* (erstell|erlass|fertig)",
    re.IGNORECASE,
)
_SYSTEM_TASKS = frozenset({"serviceTask", "scriptTask", "businessRuleTask"})


def is_media_break_channel(value: str) -> bool:
    """Whether an intake channel value (``Papier``, ``E-Mail``, ``Fax`` …) is a media break."""
    return bool(_MEDIA_BREAK_CHANNEL.search(value))


@dataclass(frozen=True)
class ProcessFacts:
    """What the registry knows about a process (all optional: a log may stand alone)."""

    key: str | None = None
    name: str | None = None
    annual_case_volume: int | None = None
    ozg_maturity_level: int | None = None
    ozg_maturity_scale: str | None = None
    legal_deadline_days: int | None = None
    # Where the deadline's clock starts and stops (log activities); None: first/last event.
    deadline_starts_with: str | None = None
    deadline_ends_with: str | None = None
    # Task name → BPMN element type in the registered model, e.g. "serviceTask".
    task_types: Mapping[str, str] = field(default_factory=dict)
    # Model tasks whose outcome picks the path: followed by a diverging exclusive gateway.
    deciding_tasks: frozenset[str] = frozenset()
    # Task name → FIM activity-group type, where the model carries one (none does yet: a hook).
    fim_types: Mapping[str, str] = field(default_factory=dict)


def facts_from_model(document: BpmnDocument) -> tuple[dict[str, str], frozenset[str]]:
    """Task types and deciding tasks of a registered model (the two model-derived facts)."""
    nodes = document.nodes_by_id
    outgoing: dict[str, list[str]] = {}
    for flow in document.sequence_flows:
        outgoing.setdefault(flow.source, []).append(flow.target)
    task_types: dict[str, str] = {}
    deciding: set[str] = set()
    for node in document.nodes:
        if not node.is_activity or not node.name:
            continue
        name = " ".join(node.name.split())
        task_types[name] = node.type
        for target in outgoing.get(node.id, []):
            gateway = nodes.get(target)
            if (
                gateway is not None
                and gateway.type == "exclusiveGateway"
                and len(outgoing.get(gateway.id, [])) > 1
            ):
                deciding.add(name)
    return task_types, frozenset(deciding)


@dataclass(frozen=True)
class ActivitySignals:
    activity: str
    events: int
    cases: int
    events_per_year: float
    time_kind: str  # "Bearbeitungszeit" (start and end logged) or "Verweilzeit" (upper bound)
    median_minutes: float | None
    mean_minutes: float | None
    variation: float | None  # standard deviation / mean of the time
    wait_before_days: float | None
    successor_share: float  # share of executions followed by the most frequent next step
    rework_cases: int  # cases that execute the activity more than once
    extra_executions_per_year: float
    rework_time_lost_days: float  # per reworked case, first to last execution
    media_break: bool
    decides: bool
    model_type: str | None
    # Share of executions (with a resource) done by the resource of the case's previous event
    # within one working session; None without a resource column.
    same_session_share: float | None = None
    # Share of executions (with a resource) by a system or robot account; None without resources.
    system_account_share: float | None = None
    fim_type: str | None = None


@dataclass(frozen=True)
class ProcessSignals:
    facts: ProcessFacts
    cases: int
    events: int
    period_days: float
    year_factor: float  # multiply log counts by this for a year
    volume_source: str  # "Register" or "Protokoll"
    activities: tuple[ActivitySignals, ...]
    rework_share: float  # cases with any repeated activity
    channel_column: str | None = None
    # Activities cases start with, most frequent first: where an application comes in.
    start_activities: tuple[str, ...] = ()
    paper_share: float | None = None  # of the cases with a channel value
    paper_channels: tuple[str, ...] = ()
    paper_minus_online_days: float | None = None  # mean throughput difference
    handovers_per_case: float | None = None
    bottleneck: tuple[str, str] | None = None
    bottleneck_wait_days: float | None = None
    bottleneck_cases: int = 0
    median_duration_days: float | None = None
    deadline_over_share: float | None = None
    deadline_close_share: float | None = None

    @property
    def cases_per_year(self) -> float:
        return self.cases * self.year_factor


def _minutes(seconds: float) -> float | None:
    return None if seconds is None or math.isnan(seconds) else seconds / 60.0


def _days(seconds: float | None) -> float | None:
    return None if seconds is None or math.isnan(seconds) else seconds / _DAY_S


def _year_factor(view: LogView, facts: ProcessFacts, cases: int) -> tuple[float, float, str]:
    spans = query_case_spans(view)
    if spans.empty:
        return 0.0, 0.0, "Protokoll"
    period_days = max(
        (spans["last_time"].max() - spans["first_time"].min()).total_seconds() / _DAY_S, 1.0
    )
    if facts.annual_case_volume:
        # The registry's count is the office's official yearly volume; the log may be a sample.
        return period_days, facts.annual_case_volume / cases, "Register"
    return period_days, 365.25 / period_days, "Protokoll"


# Resource values of system, batch or robot accounts (the import keeps these unpseudonymized).
SYSTEM_ACCOUNTS = r"system|batch|robot|rpa|service|automat|schnittstelle"


def collect_signals(
    view: LogView,
    facts: ProcessFacts | None = None,
    *,
    channel_column: str | None = None,
    session_minutes: float = 30.0,
    system_pattern: str = SYSTEM_ACCOUNTS,
    office: WorkingCalendar | None = None,
) -> ProcessSignals:
    """Every signal of the (filtered) log ``view``; ``channel_column`` names the intake channel,
    ``session_minutes`` how close two steps of one resource count as one working session and
    ``system_pattern`` (a regular expression) which resources are system accounts."""
    facts = facts or ProcessFacts()
    stats = get_log_stats(view)
    period_days, factor, source = _year_factor(view, facts, stats.cases)
    rework = find_rework(view).set_index("activity")
    profile = get_activity_profile(view)
    continuity = query_resource_continuity(
        view, session_s=session_minutes * 60.0, system_pattern=system_pattern
    ).set_index("activity")
    activities = tuple(
        _activity_signals(row, rework, continuity, facts, factor)
        for row in profile.itertuples(index=False)
    )
    starts, _ends = get_start_end_activities(view)
    reworked_cases = count_reworked_cases(view)
    signals = {
        "facts": facts,
        "cases": stats.cases,
        "events": stats.events,
        "period_days": period_days,
        "year_factor": factor,
        "volume_source": source,
        "activities": activities,
        "start_activities": tuple(sorted(starts, key=lambda a: (-starts[a], a))),
        "rework_share": reworked_cases / stats.cases if stats.cases else 0.0,
        "median_duration_days": _days(get_case_durations(view).median_s),
    }
    if channel_column is not None:
        signals.update(_channel_signals(view, channel_column))
    # All hand-overs of the process together: a figure of no unit, so no unit is hidden from it.
    handovers = total_handovers(view)
    if handovers and stats.cases:
        signals["handovers_per_case"] = handovers / stats.cases
    bottlenecks = find_bottlenecks(view, top=1)
    if not bottlenecks.empty:
        top = bottlenecks.iloc[0]
        signals["bottleneck"] = (str(top["source"]), str(top["target"]))
        signals["bottleneck_wait_days"] = _days(float(top["mean_wait_s"]))
        signals["bottleneck_cases"] = int(top["cases"])
    if facts.legal_deadline_days:
        status = deadline_status(
            view,
            deadline_days=facts.legal_deadline_days,
            starts_with=facts.deadline_starts_with,
            ends_with=facts.deadline_ends_with,
            calendar=office,
        )
        signals["deadline_over_share"] = status.over_share
        signals["deadline_close_share"] = status.close_share
    return ProcessSignals(**signals)


def _activity_signals(
    row: object, rework: pd.DataFrame, continuity: pd.DataFrame, facts: ProcessFacts, factor: float
) -> ActivitySignals:
    activity = str(row.activity)
    mean_s = float(row.mean_s)
    variation = None
    if not math.isnan(mean_s) and mean_s > 0 and not math.isnan(float(row.std_s)):
        variation = float(row.std_s) / mean_s
    repeated = rework.loc[activity] if activity in rework.index else None
    name = " ".join(activity.split())
    model_type = facts.task_types.get(name)
    same_session = system = None
    if activity in continuity.index and int(continuity.loc[activity, "with_resource"]):
        with_resource = int(continuity.loc[activity, "with_resource"])
        same_session = int(continuity.loc[activity, "same_session"]) / with_resource
        system = int(continuity.loc[activity, "system_events"]) / with_resource
    return ActivitySignals(
        activity=activity,
        events=int(row.events),
        cases=int(row.cases),
        events_per_year=int(row.events) * factor,
        time_kind=str(row.kind),
        median_minutes=_minutes(float(row.median_s)),
        mean_minutes=_minutes(mean_s),
        variation=variation,
        wait_before_days=_days(float(row.wait_before_s)),
        successor_share=float(row.successor_share),
        rework_cases=int(repeated["cases_with_rework"]) if repeated is not None else 0,
        extra_executions_per_year=(
            int(repeated["extra_executions"]) * factor if repeated is not None else 0.0
        ),
        rework_time_lost_days=(
            float(repeated["time_lost_s"]) / int(repeated["cases_with_rework"]) / _DAY_S
            if repeated is not None
            else 0.0
        ),
        # By name only: a manual task may be posting a badge, not typing in a paper form.
        media_break=bool(_MEDIA_BREAK_STEP.search(activity)),
        decides=activity in facts.deciding_tasks or bool(_DECIDING_STEP.search(activity)),
        model_type=model_type,
        same_session_share=same_session,
        system_account_share=system,
        fim_type=facts.fim_types.get(name),
    )


def _channel_signals(view: LogView, column: str) -> dict[str, object]:
    channels = compare_channels(view, column=column)
    if channels.empty:
        return {"channel_column": column}
    paper = channels[channels["channel"].map(lambda v: is_media_break_channel(str(v)))]
    online = channels[~channels.index.isin(paper.index)]
    total = int(channels["cases"].sum())
    out: dict[str, object] = {
        "channel_column": column,
        "paper_share": int(paper["cases"].sum()) / total if total else None,
        "paper_channels": tuple(sorted(str(v) for v in paper["channel"])),
    }
    if not paper.empty and not online.empty:
        paper_mean = _weighted_mean(paper)
        online_mean = _weighted_mean(online)
        out["paper_minus_online_days"] = (paper_mean - online_mean) / _DAY_S
    return out


def _weighted_mean(frame: pd.DataFrame) -> float:
    return float((frame["mean_throughput_s"] * frame["cases"]).sum() / frame["cases"].sum())
