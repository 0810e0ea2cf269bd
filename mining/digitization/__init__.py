"""Digitization candidates: which steps and processes to automate, put online or reorder first.

Signals are measured from a stored log and the registry's catalogue data; table-driven rules turn
them into ranked candidates with plain-German reasons and a savings estimate whose every
assumption comes from one TOML file::

    facts = ProcessFacts(key="hundesteuer", name="Hundesteuer", annual_case_volume=2300,
                         ozg_maturity_level=2, ozg_maturity_scale="1.1")
    candidates = find_candidates(view, facts, load_assumptions(), channel_column="Kanal")
"""

from __future__ import annotations

from mining.digitization.assumptions import (
    ASSUMPTION_LABELS,
    Assumptions,
    AssumptionsError,
    load_assumptions,
)
from mining.digitization.calculation import Calculation, input_name, shown_signal
from mining.digitization.fim import FimPrior, classify_fim_type
from mining.digitization.overrides import checked_values as checked_values
from mining.digitization.overrides import save_assumptions as save_assumptions
from mining.digitization.overrides import toml_text as toml_text
from mining.digitization.overrides import write_toml as write_toml
from mining.digitization.rules import (
    RECOMMENDATION_LABELS,
    RECOMMENDATION_NAMES,
    RULES,
    Candidate,
    rank_candidates,
    recommend,
    register_candidates,
    score_explanation,
)
from mining.digitization.scenario import (
    SCENARIO_KINDS,
    ScenarioChange,
    ScenarioError,
    ScenarioFigures,
    ScenarioResult,
    run_scenario,
)
from mining.digitization.signals import (
    ActivitySignals,
    ProcessFacts,
    ProcessSignals,
    collect_signals,
    facts_from_model,
)
from mining.measures import WorkingCalendar
from mining.query import LogView

__all__ = [
    "ASSUMPTION_LABELS",
    "RECOMMENDATION_LABELS",
    "RECOMMENDATION_NAMES",
    "RULES",
    "SCENARIO_KINDS",
    "ActivitySignals",
    "Assumptions",
    "AssumptionsError",
    "Calculation",
    "Candidate",
    "FimPrior",
    "ProcessFacts",
    "ProcessSignals",
    "ScenarioChange",
    "ScenarioError",
    "ScenarioFigures",
    "ScenarioResult",
    "checked_values",
    "classify_fim_type",
    "collect_signals",
    "facts_from_model",
    "find_candidates",
    "input_name",
    "load_assumptions",
    "rank_candidates",
    "recommend",
    "register_candidates",
    "run_scenario",
    "save_assumptions",
    "score_explanation",
    "shown_signal",
    "toml_text",
    "write_toml",
]


def find_candidates(
    view: LogView,
    facts: ProcessFacts | None = None,
    assumptions: Assumptions | None = None,
    *,
    channel_column: str | None = None,
    office: WorkingCalendar | None = None,
) -> list[Candidate]:
    """The ranked candidates of one process's (filtered) log; ``office`` is the calendar whose
    public holidays end a legal deadline (default: the shipped Land)."""
    assumptions = assumptions or load_assumptions()
    rpa = assumptions["rpa"]
    signals = collect_signals(
        view,
        facts,
        channel_column=channel_column,
        session_minutes=rpa["session_minutes"],
        system_pattern=rpa["system_accounts"],
        office=office,
    )
    return recommend(signals, assumptions)
