"""The leadership portfolio: every registered process analysed once, frozen into one snapshot.

:func:`build_report` reads the registry and the stored logs and returns a JSON-ready dict (the
schema ``pmo-report/1``, documented in :mod:`mining.report`); the renderers only ever read that
dict. Stored with :class:`process_registry.ReportArchive`, a snapshot re-renders to the same
numbers no matter what is imported or changed afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mining import (
    ASSUMPTION_LABELS,
    AnalysisOptions,
    AnalysisResult,
    Assumptions,
    EmptySelectionError,
    GroupTooSmallError,
    LogStore,
    LogView,
    analyze_stored,
    channel_column,
    conclusions,
    filter_local_days,
    load_assumptions,
    localized,
    office_calendar,
    open_log,
    register_candidates,
    run_scenario,
    step_totals,
)
from pmo.context import process_context, process_facts
from process_registry import ReferenceLog, Registry, iso, office_settings, parse_iso

__all__ = ["ReportFilters", "ReportScenario", "build_report"]

SCHEMA = "pmo-report/1"
# The process map in a report shows the most frequent paths only, so it stays readable on paper.
_MAP_EDGES = 25
_MAP_NODES = 15
_TOP = 5


@dataclass(frozen=True)
class ReportFilters:
    """Calendar days (local time, Berlin) that limit every process's log; both ends inclusive."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def apply(self, view: LogView) -> LogView:
        return filter_local_days(view, self.date_from, self.date_to)

    def to_dict(self) -> dict[str, str | None]:
        return {
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
        }


@dataclass(frozen=True)
class ReportScenario:
    """Accepted changes ((activity, kind) pairs) and a target online share, replayed on the log
    of ``process`` (:func:`mining.run_scenario`) and shown on its page; ``process`` None: on each
    reported process (the changes name activities, so that suits a one-process report)."""

    changes: tuple[tuple[str, str], ...] = ()
    online_share: float | None = None
    process: str | None = None


def build_report(
    registry: Registry,
    store: LogStore,
    *,
    keys: Sequence[str] | None = None,
    assumptions: Assumptions | None = None,
    filters: ReportFilters | None = None,
    actor: str,
    min_group_size: int | None = None,
    working_time: bool | None = None,
    title: str | None = None,
    now: dt.datetime | None = None,
    scenario: ReportScenario | None = None,
    data_age_warning_days: int | None = None,
    lang: str | None = None,
) -> dict[str, Any]:
    """The portfolio of ``keys`` (default: every registered process) as a snapshot dict.

    Each process is analysed on its reference log (:meth:`Registry.reference_log`: the one its
    process manager chose, else the newest that passed the import checks), filtered by
    ``filters``, and the section names that log and why; a process without a log is assessed
    from its catalogue data alone and says so. With ``scenario`` each process with a log gets a
    ``scenario`` (:meth:`mining.ScenarioResult.to_dict`) on its page. ``min_group_size`` and
    ``working_time`` default to the office settings beside the store's logs, as in the workspace,
    and so does ``data_age_warning_days``: a log's ``age_days`` (newest event to ``created_at``)
    above it is warned about. ``conclusions`` holds the opening paragraph in German and English.
    Generated texts (reasons, notes) are frozen in ``lang``, which the snapshot records so that
    its renderings label it in the same language; without ``lang`` they stay
    :class:`mining.Text` (German, with the English at hand) for a caller that picks later.
    """
    # Always read: the office's Land ends legal deadlines, whatever the caller overrides.
    settings = office_settings(store.data_dir)
    min_group_size = settings.min_group_size if min_group_size is None else min_group_size
    working_time = settings.working_time if working_time is None else working_time
    if data_age_warning_days is None:
        data_age_warning_days = settings.data_age_warning_days
    created = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    assumptions = assumptions or load_assumptions()
    filters = filters or ReportFilters()
    # None means every process; an empty selection is an empty portfolio, not everything.
    wanted = list(keys) if keys is not None else [p.key for p in registry.list_processes()]
    for key in wanted:
        registry.get_process(key)  # an unknown key fails before any work is done
    references = registry.reference_logs()
    calendar = office_calendar(settings)
    options = AnalysisOptions(
        calendar=calendar if working_time else None,
        office=calendar,
        min_group_size=min_group_size,
        assumptions=assumptions,
    )
    processes = [
        _process_section(registry, store, key, references.get(key), filters, options, scenario)
        for key in wanted
    ]
    for process in processes:
        if process["log"] is not None and process["log"]["end"]:
            end = parse_iso(process["log"]["end"])
            process["log"]["age_days"] = max((created - end) // dt.timedelta(days=1), 0)
    # Leadership reads the processes with measured findings first, the most promising on top.
    processes.sort(
        key=lambda p: (
            p["analysis"] is None,
            -max((c["score"] for c in p["candidates"]), default=0.0),
            p["name"],
        )
    )
    candidates = sorted(
        (c for p in processes for c in p["candidates"]),
        key=lambda c: (
            -c["score"],
            -c["hours_saved_per_year"],
            c["process"] or "",
            c["activity"] or "",
            c["recommendation"],
        ),
    )
    flat = assumptions.flat()
    flat["general.min_group_size"] = min_group_size
    flat["general.working_time"] = working_time
    title = title or ("Digitization portfolio" if lang == "en" else "Digitalisierungsportfolio")
    snapshot = {
        "schema": SCHEMA,
        "language": lang or "de",
        "id": None,
        "title": title,
        "created_at": iso(created),
        "created_by": actor,
        "filters": filters.to_dict(),
        "assumptions": flat,
        "assumption_labels": {
            key: ASSUMPTION_LABELS.get(key, ASSUMPTION_LABELS.get(key.split(".")[0], key))
            for key in flat
        }
        | {
            "general.min_group_size": "Mindestgruppengröße (Personen)",
            "general.working_time": "Wartezeiten in Arbeitszeit (Mo–Fr 8–16 Uhr)",
        },
        "summary": _summary(processes, candidates, assumptions),
        "candidates": candidates,
        "processes": processes,
        "data_age_warning_days": data_age_warning_days,
    }
    snapshot["conclusions"] = {code: conclusions(snapshot, code) for code in ("de", "en")}
    return snapshot if lang is None else localized(snapshot, lang)


def _process_section(
    registry: Registry,
    store: LogStore,
    key: str,
    reference: ReferenceLog | None,
    filters: ReportFilters,
    options: AnalysisOptions,
    scenario: ReportScenario | None = None,
) -> dict[str, Any]:
    record = registry.get_process(key)
    section: dict[str, Any] = {
        "key": key,
        "name": record.name,
        "department": record.department,
        "model_version": record.head.number if record.head else None,
        "ozg_maturity_level": record.ozg_maturity_level,
        "ozg_maturity_scale": record.ozg_maturity_scale,
        "annual_case_volume": record.annual_case_volume,
        "log": None,
        "analysis": None,
        "process_map": {"nodes": [], "edges": []},
        "candidates": [],
        "notes": [],
        # How the model was read for the conformance check (element ids, boundary events): the
        # report's appendix, not the process page leadership reads.
        "technical_notes": [],
    }
    log = reference.log if reference is not None else None
    if reference is None or log is None:
        section["notes"].append(
            "Kein Ereignisprotokoll verknüpft: Bewertung nur aus den Registerdaten."
        )
        facts = process_facts(registry, key)
        section["candidates"] = [
            c.to_dict() for c in register_candidates(facts, options.assumptions)
        ]
        return section
    section["log"] = {
        "log_id": log.log_id,
        "source_name": log.source_name,
        "uploaded_at": iso(log.uploaded_at),
        "cases": log.cases,
        "events": log.events,
        "start": iso(log.first_event),
        "end": iso(log.last_event),
        # Why this log speaks for the process (Registry.reference_log): "chosen",
        # "newest_passing" or "newest", the sentence every format shows, the checks it failed.
        "reason": reference.reason,
        "reason_text": reference.reason_text,
        "failed_checks": list(reference.failed_checks),
    }
    view = filters.apply(open_log(store.events_path(log.log_id)))
    context = process_context(registry, key) if record.head else None
    try:
        # Kept beside the log: a second report, the Übersicht and a restart read it back.
        result = analyze_stored(store, log.log_id, view, process=context, options=options)
    except (EmptySelectionError, GroupTooSmallError) as exc:
        section["notes"].append(str(exc))
        return section
    section["analysis"] = _analysis_digest(result)
    section["process_map"] = _process_map(result)
    section["candidates"] = result["candidates"]
    section["technical_notes"].extend(result.get("conformance", {}).get("notes", []))
    if scenario is not None and scenario.process in (None, key):
        section["scenario"] = run_scenario(
            view,
            scenario.changes,
            assumptions=options.assumptions or load_assumptions(),
            facts=context.facts if context is not None else process_facts(registry, key),
            online_share=scenario.online_share,
            channel_column=channel_column(view),
        ).to_dict()
    return section


def _analysis_digest(result: AnalysisResult) -> dict[str, Any]:
    conformance = result.get("conformance")
    return {
        "log": result["log"],
        "case_duration_s": result["case_duration_s"],
        "bottlenecks": result["bottlenecks"][:_TOP],
        "rework": result["rework"][:_TOP],
        "conformance": None
        if conformance is None
        else {
            "model": conformance["model"],
            "version": conformance["version"],
            "fitness": conformance.get("fitness"),
            "precision": conformance.get("precision"),
            "fitting_cases_share": conformance.get("fitting_cases_share"),
            "deviations": conformance.get("deviations", [])[:_TOP],
        },
        "channels": result.get("channels"),
        "deadline": result.get("deadline"),
        # Already guarded by the analysis (mining.measures.groups); all rows, so they add up to the totals.
        "handovers": result.get("handovers"),
        "org_units": result.get("org_units"),
        "org_unit_groups": result.get("org_unit_groups"),
        # Per calendar month (mining.results.TrendRecord); the weeks stay in the workspace.
        "trends": result["trends"],
    }


def _process_map(result: AnalysisResult) -> dict[str, Any]:
    counts = {row["activity"]: row["events"] for row in result["activity_times"]}
    nodes = sorted(counts, key=lambda a: (-counts[a], a))[:_MAP_NODES]
    kept = set(nodes)
    edges = sorted(
        (e for e in result["dfg"] if e["source"] in kept and e["target"] in kept),
        key=lambda e: (-e["count"], e["source"], e["target"]),
    )[:_MAP_EDGES]
    return {
        "nodes": [{"activity": a, "count": counts[a]} for a in nodes],
        "edges": [
            {
                "source": e["source"],
                "target": e["target"],
                "count": e["count"],
                "mean_wait_s": e["mean_wait_s"],
            }
            for e in edges
        ],
    }


def _summary(
    processes: list[dict[str, Any]], candidates: list[dict[str, Any]], assumptions: Assumptions
) -> dict[str, Any]:
    # Each step once (its best-ranked recommendation): a robot and a form assistant on the same
    # step save its hours once, as the conclusions count them (mining.step_totals).
    hours, euros = step_totals(candidates)
    return {
        "processes": len(processes),
        "processes_with_log": sum(1 for p in processes if p["analysis"] is not None),
        "candidates": len(candidates),
        "hours_saved_per_year": round(hours, 1),
        "fte_saved": round(hours / assumptions["general"]["hours_per_fte"], 2),
        "euros_saved_per_year": round(euros, 0),
        "pages_avoided_per_year": round(sum(c["pages_avoided_per_year"] for c in candidates), 0),
        "co2_kg_avoided_per_year": round(sum(c["co2_kg_avoided_per_year"] for c in candidates), 1),
    }
