"""The whole analysis of one stored log, as one JSON-ready object (``pmo analyze --json``).

It composes the aggregate, performance, conformance and discovery functions; it holds no mining
logic of its own. The result's keys, meanings and units are :mod:`mining.results`; keys are only
ever added to.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pandas as pd

from mining.digitization import (
    Assumptions,
    ProcessFacts,
    ProcessSignals,
    collect_signals,
    load_assumptions,
    recommend,
)
from mining.errors import MiningError
from mining.ingest import channel_columns
from mining.measures import (
    GroupTooSmallError,
    WorkingCalendar,
    case_trends,
    check_selection,
    compare_channels,
    deadline_status,
    find_bottlenecks,
    find_rework,
    unit_figures,
)
from mining.query import (
    LogView,
    analysis_session,
    get_activity_times,
    get_case_durations,
    get_dfg,
    get_log_stats,
    get_start_end_activities,
    get_variants,
)
from mining.results import AnalysisResult, CandidateRecord, ConformanceRecord
from process_registry import DEFAULT_MIN_GROUP_SIZE, BpmnDocument, iso

__all__ = [
    "FLOW_KEYS",
    "SIGNAL_ASSUMPTIONS",
    "AnalysisOptions",
    "EmptySelectionError",
    "GroupTooSmallError",
    "ProcessContext",
    "aggregates",
    "analyze",
    "candidates",
    "channel_column",
    "detail_figures",
    "flow_figures",
    "in_order",
    "process_conformance",
    "signals",
    "with_candidates",
]


@dataclass(frozen=True)
class ProcessContext:
    """What the registry knows about the process a log belongs to."""

    key: str
    version: int
    document: BpmnDocument
    resolve_call: Callable[[str], BpmnDocument | None] | None = None
    legal_deadline_days: int | None = None
    # Where the deadline's clock starts and stops (log activities); None: first/last event.
    deadline_starts_with: str | None = None
    deadline_ends_with: str | None = None
    saved_mapping: Mapping[str, str] = field(default_factory=dict)
    # Catalogue data and model facts for the digitization candidates.
    facts: ProcessFacts | None = None


@dataclass(frozen=True)
class AnalysisOptions:
    calendar: WorkingCalendar | None = None
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE
    conformance_method: str = "token_replay"
    time_budget_s: float = 10.0
    max_variants: int = 50
    max_edges: int | None = None
    bottlenecks: int = 10
    assumptions: Assumptions | None = None
    # The office's calendar, whose public holidays end a legal deadline (§ 31 (3) VwVfG) whether
    # or not waits are counted in working time; None: the shipped Land.
    office: WorkingCalendar | None = None


def channel_column(view: LogView) -> str | None:
    """The attribute column that names the intake channel, if the log has one: recognized as
    the import recognizes it (:func:`mining.ingest.channel_columns`)."""
    import pyarrow.parquet as pq

    return next(iter(channel_columns(pq.read_schema(view.path).names)), None)


def _seconds(value: float | None) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def _records(frame: pd.DataFrame) -> list[Any]:
    """The rows of ``frame`` as JSON-ready dicts. Typed by the caller as a record of
    :mod:`mining.results`: a frame's columns carry no static types, so tests check the rows."""
    out = []
    for row in frame.to_dict(orient="records"):
        clean = {}
        for key, value in row.items():
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, float) and math.isnan(value):
                value = None
            elif hasattr(value, "item"):
                value = value.item()
            clean[key] = value
        out.append(clean)
    return out


def analyze(
    view: LogView, *, process: ProcessContext | None = None, options: AnalysisOptions | None = None
) -> AnalysisResult:
    """Everything ``pmo analyze --json`` reports for the (filtered) log ``view``; the keys and
    their units are documented in :mod:`mining.results`."""
    options = options or AnalysisOptions()
    # One read of the file for all aggregates below (see analysis_session).
    with analysis_session(view):
        result = aggregates(view, process, options)
        measured = signals(view, process, options)
    return with_candidates(result, candidates(measured, options))


def signals(
    view: LogView, process: ProcessContext | None, options: AnalysisOptions
) -> ProcessSignals:
    """What the digitization candidates are computed from: the log's part of them. Of the
    assumptions only the two that say how to read the log (a work session, system accounts)
    matter here; every other assumption changes :func:`candidates` alone."""
    rpa = (options.assumptions or load_assumptions())["rpa"]
    return collect_signals(
        view,
        process.facts if process is not None else None,
        channel_column=channel_column(view),
        session_minutes=rpa["session_minutes"],
        system_pattern=rpa["system_accounts"],
        office=options.office,
    )


# The assumptions :func:`signals` reads (section, key); a stored copy is keyed by them.
SIGNAL_ASSUMPTIONS = (("rpa", "session_minutes"), ("rpa", "system_accounts"))


def candidates(measured: ProcessSignals, options: AnalysisOptions) -> list[CandidateRecord]:
    """The ``candidates`` of :func:`analyze`, from its signals and the options' assumptions."""
    found = recommend(measured, options.assumptions or load_assumptions())
    return [candidate.to_dict() for candidate in found]


def with_candidates(result: AnalysisResult, found: list[CandidateRecord]) -> AnalysisResult:
    """``result`` with ``found`` as its ``candidates``, where the JSON has always had them:
    after the channels, before the deadline, conformance and trends."""
    return in_order({**result, "candidates": found})


def aggregates(
    view: LogView,
    process: ProcessContext | None,
    options: AnalysisOptions,
    *,
    conformance: bool = True,
) -> AnalysisResult:
    """:func:`analyze` without the candidates, which need the assumptions (:func:`candidates`),
    and without ``conformance`` unless asked for (it may take seconds where everything else takes
    one; :func:`process_conformance` computes it alone): :func:`flow_figures` and
    :func:`detail_figures` together. The caller holds ``analysis_session(view)`` open."""
    result = in_order({**flow_figures(view, options), **detail_figures(view, process, options)})
    if conformance and process is not None:
        result = in_order(
            {**result, "conformance": process_conformance(view, process, options=options)}
        )
    return result


# The keys of an analysis in the order of the JSON contract (mining.results.AnalysisResult).
KEY_ORDER = tuple(AnalysisResult.__annotations__)


def in_order(result: dict[str, Any]) -> AnalysisResult:
    """``result``'s keys in the order of the JSON contract, whatever parts it was put together
    from; keys the contract does not name keep their place after it."""
    rank = {key: number for number, key in enumerate(KEY_ORDER)}
    ordered = sorted(result, key=lambda key: rank.get(key, len(rank)))
    return {key: result[key] for key in ordered}  # type: ignore[return-value]


def _checked(view: LogView, options: AnalysisOptions) -> Any:
    # The whole-view rule lives beside the per-unit one (mining.measures.groups), so both count people
    # the same way: distinct pseudonyms within the view, filters applied.
    check_selection(view, options.min_group_size)
    stats = get_log_stats(view)
    if stats.cases == 0:
        raise EmptySelectionError(
            "Die Auswahl enthält keine Fälle; bitte Zeitraum oder Filter erweitern."
        )
    return stats


# The keys of flow_figures: what the process map, the variants and the page's head show.
FLOW_KEYS = (
    "log",
    "variants",
    "dfg",
    "start_activities",
    "end_activities",
    "activity_times",
    "working_time",
)


def flow_figures(view: LogView, options: AnalysisOptions) -> dict[str, Any]:
    """The part of :func:`aggregates` a process map and the variants are drawn from
    (:data:`FLOW_KEYS`); raises as :func:`aggregates` does for a view too small or empty."""
    stats = _checked(view, options)
    variants = get_variants(view)
    dfg = get_dfg(view)
    starts, ends = get_start_end_activities(view)
    return {
        "log": {
            "cases": stats.cases,
            "events": stats.events,
            "activities": stats.activities,
            "variants": stats.variants,
            "start": iso(stats.start),
            "end": iso(stats.end),
        },
        "variants": [
            {
                "activities": list(row.activities),
                "cases": int(row.cases),
                "share": float(row.share),
                "median_duration_s": float(row.median_duration_s),
                "p90_duration_s": float(row.p90_duration_s),
            }
            for row in variants.head(options.max_variants).itertuples()
        ],
        "dfg": _records(
            dfg[
                [
                    "source",
                    "target",
                    "count",
                    "mean_wait_s",
                    "median_wait_s",
                    "total_wait_s",
                    "cases",
                ]
            ]
        ),
        "start_activities": starts,
        "end_activities": ends,
        "activity_times": _records(get_activity_times(view)),
        "working_time": options.calendar is not None,
    }


def detail_figures(
    view: LogView, process: ProcessContext | None, options: AnalysisOptions
) -> dict[str, Any]:
    """The rest of :func:`aggregates` but the conformance: throughput times, bottlenecks,
    rework, org units, channels, the legal deadline and the trends."""
    _checked(view, options)
    durations = get_case_durations(view)
    bottlenecks = find_bottlenecks(view, calendar=options.calendar, top=options.bottlenecks)
    result: dict[str, Any] = {
        "case_duration_s": {
            "mean": _seconds(durations.mean_s),
            "median": _seconds(durations.median_s),
            "p90": _seconds(durations.p90_s),
        },
        # "transitions": how often the edge was passed; "cases": by how many distinct cases.
        "bottlenecks": _records(
            bottlenecks[
                ["source", "target", "count", "cases", "mean_wait_s", "total_wait_s"]
            ].rename(columns={"count": "transitions"})
        ),
        "rework": _records(find_rework(view)),
    }
    # Every figure keyed by org unit comes from here, and only with the minimum group size.
    units = unit_figures(view, min_group_size=options.min_group_size)
    if units.units:
        result["handovers"] = _records(units.handovers)
        result["org_units"] = _records(units.groups)
        result["org_unit_groups"] = units.summary()
    channel = channel_column(view)
    if channel is not None:
        result["channels"] = {
            "column": channel,
            "values": _records(compare_channels(view, column=channel)),
        }
    deadline: dict[str, Any] = {}
    if process is not None and process.legal_deadline_days:
        result["deadline"] = deadline_status(
            view,
            deadline_days=process.legal_deadline_days,
            starts_with=process.deadline_starts_with,
            ends_with=process.deadline_ends_with,
            calendar=options.office,
        ).to_dict()
        deadline = {
            "deadline_days": process.legal_deadline_days,
            "deadline_starts_with": process.deadline_starts_with,
            "deadline_ends_with": process.deadline_ends_with,
        }
    result["trends"] = _records(
        case_trends(view, period="month", channel_column=channel, **deadline)
    )
    result["trends_weekly"] = _records(
        case_trends(view, period="week", channel_column=channel, **deadline)
    )
    return result


class EmptySelectionError(MiningError, ValueError):
    """The filters leave no case to analyse."""


def process_conformance(
    view: LogView,
    process: ProcessContext,
    *,
    options: AnalysisOptions | None = None,
    with_precision: bool = True,
) -> ConformanceRecord:
    """The ``conformance`` record of :func:`analyze` alone, the same check with the same
    options (without precision it is quicker and its deviations are the same): what
    ``deviation_cases`` needs to list the cases behind a deviation.

    Example::

        record = process_conformance(view, context, with_precision=False)
        deviation_cases(view, record, "skipped", "Bescheid prüfen")
    """
    with analysis_session(view):
        variants = get_variants(view)
        return _conformance(
            view, variants, process, options or AnalysisOptions(), with_precision=with_precision
        )


def _conformance(
    view: LogView,
    variants: pd.DataFrame,
    process: ProcessContext,
    options: AnalysisOptions,
    *,
    with_precision: bool = True,
) -> ConformanceRecord:
    from mining.conformance import (
        VariantCount,
        check_conformance,
        convert_to_petri_net,
        map_activities,
    )

    log_activities = sorted({a for acts in variants["activities"] for a in acts})
    convert = partial(
        convert_to_petri_net,
        process.document,
        log_activities=log_activities,
        resolve_call=process.resolve_call,
    )
    model = convert()
    mapping = map_activities(
        log_activities,
        model.labels,
        manual=dict(process.saved_mapping),
        event_names=model.event_names,
    )
    # Systems log events the model draws as events ("Antrag eingegangen" as start event): once
    # mapped, those events become visible steps so replay expects them instead of flagging them.
    mapped_events = sorted(set(mapping.pairs.values()) & model.event_names)
    if mapped_events:
        model = convert(event_labels=mapped_events)
    counted = [
        VariantCount(tuple(row.activities), int(row.cases), tuple(row.example_cases))
        for row in variants.itertuples()
    ]
    checked = check_conformance(
        counted,
        model,
        mapping,
        method=options.conformance_method,
        time_budget_s=options.time_budget_s,
        with_precision=with_precision,
    )
    return {
        "model": process.key,
        "version": process.version,
        **checked.to_dict(),
        "mapping": mapping.to_dict(),
        "notes": list(model.notes) + list(checked.notes),
    }
