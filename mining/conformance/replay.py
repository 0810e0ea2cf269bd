"""Check counted trace variants against a converted model: fitness, precision, deviations.

A log reaches this module as its variants (DuckDB counts them over the Parquet file), each with
its number of cases and a few example case ids. Each variant is translated through the activity
mapping (unmapped activities stay as they are and count as unmodelled), variants that translate
alike are merged, and pm4py replays ONE small log with one trace per unique translated variant.
Every per-trace number is then weighted by the cases behind it, so the figures are those pm4py
computes on the full log, at the cost of the variants only.

Token replay: fitness is pm4py's log fitness ``0.5·(1 − missing/consumed) + 0.5·(1 −
remaining/produced)`` over token counts summed over all cases — for the same log equal to
``pm4py.fitness_token_based_replay(log, net, im, fm)["log_fitness"]``. A case fits when its replay
needs no missing token, leaves none behind and contains no unmodelled activity (pm4py's replay
skips unknown activities and would call such a case fitting). The deviations of unfit variants come from alignments where the
budget allows (pm4py's token replay misjudges some traces on nets with many silent steps).

Alignments: per unique variant, most frequent first, within a wall-clock budget; when the budget
runs out the result is ``partial`` and fitness, fitting share and deviations cover the checked
variants only (``checked_cases_share`` says how much of the log that is). Fitness counts visible
moves, ``1 − Σ deviations / Σ (trace length + shortest model path)`` (see ``_align``).

Precision is pm4py's token-based ETC precision (``_precision``) in both cases.

.. code-block:: python3

    result = check_conformance(
        [VariantCount(("Antrag eingegangen", "Antrag prüfen", "Bescheid erstellen"), 412,
                      ("WG-2024-00017", "WG-2024-00023")),
         VariantCount(("Antrag eingegangen", "Bescheid erstellen"), 58, ("WG-2024-00031",))],
        model, mapping,
    )
    result.fitness, result.deviations[0].kind, result.to_dict()
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from mining.conformance._align import Aligner
from mining.conformance._memo import REPLAYS, net_key
from mining.conformance.convert import ConvertedModel
from mining.conformance.deviations import (
    Deviation,
    DeviationTally,
    Finding,
    PlaceNeighbours,
    alignment_findings,
    token_replay_findings,
)
from mining.conformance.errors import ConformanceError
from mining.conformance.mapping import ActivityMapping
from mining.query import VariantCount
from mining.results import ConformanceCheckRecord
from mining.texts import bi

__all__ = [
    "FIRST_ALIGNMENT_MIN_S",
    "ConformanceResult",
    "Method",
    "VariantCount",
    "VariantLike",
    "check_conformance",
]

Method = Literal["token_replay", "alignments"]
ACTIVITY_KEY = "concept:name"
# With the method "alignments" the most frequent variant is always aligned, with at least this
# long, so that a partial result still rests on the bulk of the cases even for a zero budget.
FIRST_ALIGNMENT_MIN_S = 2.0

# Wall clock for the time budgets; tests replace it to stay deterministic.
_clock: Callable[[], float] = time.monotonic


class VariantLike(Protocol):
    """What :func:`check_conformance` reads from a variant (``mining.measures.discovery``'s type fits)."""

    @property
    def activities(self) -> tuple[str, ...]: ...

    @property
    def cases(self) -> int: ...


@dataclass(frozen=True)
class ConformanceResult:
    """How well a log fits a model.

    ``fitness`` and ``precision`` are pm4py's (see the module docstring); ``precision`` is
    ``None`` when it was not computed (not requested, or over the time budget — see ``notes``).
    ``fitting_cases_share`` is the share of (checked) cases whose variant fits the model.
    ``deviations`` are sorted by cases, most first. ``partial`` is true when alignments ran out
    of time; then ``variants_checked`` < ``variants_total`` and ``checked_cases_share`` < 1.
    """

    method: Method
    fitness: float
    precision: float | None
    fitting_cases_share: float
    deviations: tuple[Deviation, ...]
    partial: bool
    variants_checked: int
    variants_total: int
    notes: tuple[str, ...]
    checked_cases_share: float = 1.0

    def to_dict(self) -> ConformanceCheckRecord:
        """A JSON-ready form (in the ``conformance`` object of ``pmo analyze --json``)."""
        return {
            "method": self.method,
            "fitness": self.fitness,
            "precision": self.precision,
            "fitting_cases_share": self.fitting_cases_share,
            "deviations": [d.to_dict() for d in self.deviations],
            "partial": self.partial,
            "variants_checked": self.variants_checked,
            "variants_total": self.variants_total,
            "checked_cases_share": self.checked_cases_share,
            "notes": list(self.notes),
        }


@dataclass
class _Group:
    """The input variants that translate to the same model trace."""

    trace: tuple[str, ...]
    cases: int = 0
    variants: list[VariantLike] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)  # 1-based positions in the input

    @property
    def examples(self) -> list[str]:
        return [c for v in self.variants for c in getattr(v, "example_cases", ())]


@dataclass
class _Replayed:
    """What one method found over the groups it checked."""

    fitness: float
    fitting_cases: int
    checked: list[_Group]
    findings: list[set[Finding]]
    method: Method
    notes: list[str] = field(default_factory=list)


def check_conformance(
    variants: Sequence[VariantLike],
    model: ConvertedModel,
    mapping: ActivityMapping,
    *,
    method: str = "token_replay",
    time_budget_s: float = 10.0,
    with_precision: bool = True,
) -> ConformanceResult:
    """Check counted variants against ``model`` (see the module docstring).

    ``time_budget_s`` bounds, each on its own, the alignments (of the method "alignments", or
    those confirming token replay's deviations) and the precision computation, whose cost grows
    with the number of distinct trace prefixes.
    """
    if method not in ("token_replay", "alignments"):
        raise ConformanceError(
            f"Unbekanntes Prüfverfahren „{method}“; möglich sind token_replay und alignments."
        )
    if not (isinstance(time_budget_s, int | float) and math.isfinite(time_budget_s)) or (
        time_budget_s < 0
    ):
        raise ConformanceError("Das Zeitbudget muss eine Zahl von Sekunden ≥ 0 sein.")
    groups = _group(variants, mapping)
    total_cases = sum(g.cases for g in groups)
    if total_cases == 0:
        raise ConformanceError("Das Protokoll enthält keine Fälle; nichts zu prüfen.")

    tally = DeviationTally(total_cases)
    for number, variant in enumerate(variants, start=1):
        unmodelled = {
            ("unmodelled", a)
            for a in variant.activities
            if mapping.translate(a) not in model.labels
        }
        tally.add(unmodelled, variant.cases, getattr(variant, "example_cases", ()), [number])

    notes = _mapping_notes(mapping, model)
    if method == "alignments":
        replayed = _alignments(groups, model, float(time_budget_s))
    else:
        replayed = _token_replay(groups, model, float(time_budget_s))
    notes += replayed.notes
    for group, findings in zip(replayed.checked, replayed.findings, strict=True):
        tally.add(findings, group.cases, group.examples, group.numbers)

    checked_cases = sum(g.cases for g in replayed.checked)
    checked_variants = sum(len(g.variants) for g in replayed.checked)
    partial = checked_variants < len(variants)
    if partial:
        notes.append(
            bi(
                f"Zeitbudget von {time_budget_s:g} s erschöpft: {checked_variants} von "
                f"{len(variants)} Varianten ({checked_cases / total_cases:.0%} der Fälle) geprüft. "
                "Fitness und Abweichungen „übersprungen“/„falsche Reihenfolge“ gelten nur für sie.",
                f"Time budget of {time_budget_s:g} s used up: {checked_variants} of "
                f"{len(variants)} variants ({checked_cases / total_cases:.0%} of cases) checked. "
                "Fitness and the deviations „skipped“/„wrong order“ hold for them only.",
            )
        )

    precision: float | None = None
    if with_precision:
        precision = _precision(groups, model, float(time_budget_s), notes)
    return ConformanceResult(
        method=replayed.method,
        fitness=replayed.fitness,
        precision=precision,
        fitting_cases_share=replayed.fitting_cases / checked_cases if checked_cases else 0.0,
        deviations=tally.result(),
        partial=partial,
        variants_checked=checked_variants,
        variants_total=len(variants),
        notes=tuple(notes),
        checked_cases_share=checked_cases / total_cases,
    )


def _group(variants: Sequence[VariantLike], mapping: ActivityMapping) -> list[_Group]:
    if isinstance(variants, VariantCount):
        raise ConformanceError("Erwartet wird eine Liste von Varianten, nicht eine einzelne.")
    groups: dict[tuple[str, ...], _Group] = {}
    for position, variant in enumerate(variants, start=1):
        cases = variant.cases
        # numbers.Integral also admits numpy's integers, which DuckDB and pandas hand out.
        if isinstance(cases, bool) or not isinstance(cases, numbers.Integral) or cases < 0:
            raise ConformanceError(
                f"Variante {position}: die Anzahl der Fälle muss eine ganze Zahl ≥ 0 sein."
            )
        trace = tuple(mapping.translate(a) for a in variant.activities)
        group = groups.setdefault(trace, _Group(trace))
        group.cases += int(cases)
        group.variants.append(variant)
        group.numbers.append(position)
    # Most frequent first: alignments check them in this order, examples come from them first.
    return sorted(groups.values(), key=lambda g: (-g.cases, g.trace))


def _event_log(traces: Sequence[tuple[str, ...]]) -> Any:
    from pm4py.objects.log.obj import Event, EventLog, Trace

    return EventLog([Trace([Event({ACTIVITY_KEY: a}) for a in trace]) for trace in traces])


_TOKENS = ("missing_tokens", "consumed_tokens", "remaining_tokens", "produced_tokens")


def _replay_traces(traces: Sequence[tuple[str, ...]], model: ConvertedModel) -> list[dict]:
    """pm4py's token replay of each of ``traces`` on ``model``, in their order."""
    from pm4py.algo.conformance.tokenreplay import algorithm as replayer
    from pm4py.algo.conformance.tokenreplay.variants import token_replay

    if not traces:
        return []
    # The parameters pm4py's replay_fitness token variant passes. Not its option
    # consider_activities_not_in_model_in_fitness: it keeps the unknown activities in one dict
    # for the whole log, so once one trace had one, every later trace counts as unfit.
    parameters = {
        token_replay.Parameters.ACTIVITY_KEY: ACTIVITY_KEY,
        token_replay.Parameters.CONSIDER_REMAINING_IN_FITNESS: True,
        token_replay.Parameters.CLEANING_TOKEN_FLOOD: False,
        token_replay.Parameters.SHOW_PROGRESS_BAR: False,
    }
    return replayer.apply(
        _event_log(list(traces)),
        model.net,
        model.initial_marking,
        model.final_marking,
        variant=replayer.Variants.TOKEN_REPLAY,
        parameters=parameters,
    )


def _replayed(groups: list[_Group], model: ConvertedModel) -> list[dict]:
    """The token replay of each group: traces met before on an equal net come from the memo
    with their token counts and fit flag only (no ``activated_transitions``: those belong to
    the net they were replayed on; :func:`_token_replay_findings` replays again if it needs
    them)."""
    key = net_key(model.net, model.initial_marking, model.final_marking)
    known = [REPLAYS.get((key, g.trace)) for g in groups]
    fresh = iter(
        _replay_traces([g.trace for g, k in zip(groups, known, strict=True) if k is None], model)
    )
    results = []
    for group, memo in zip(groups, known, strict=True):
        if memo is None:
            result = next(fresh)
            memo = {name: result[name] for name in (*_TOKENS, "trace_is_fit")}
            REPLAYS.put((key, group.trace), memo)
            results.append(result)
        else:
            results.append(dict(memo))
    return results


def _token_replay(groups: list[_Group], model: ConvertedModel, budget: float) -> _Replayed:
    results = _replayed(groups, model)
    missing = consumed = remaining = produced = 0
    fitting = 0
    for group, result in zip(groups, results, strict=True):
        missing += result["missing_tokens"] * group.cases
        consumed += result["consumed_tokens"] * group.cases
        remaining += result["remaining_tokens"] * group.cases
        produced += result["produced_tokens"] * group.cases
        if _fits(result, group, model):
            fitting += group.cases
    fitness = 0.0
    if consumed > 0 and produced > 0:  # as pm4py's replay_fitness.evaluate
        fitness = 0.5 * (1 - missing / consumed) + 0.5 * (1 - remaining / produced)
    findings, notes = _token_replay_findings(groups, results, model, budget)
    return _Replayed(fitness, fitting, groups, findings, "token_replay", notes)


def _fits(result: dict[str, Any], group: _Group, model: ConvertedModel) -> bool:
    return bool(result["trace_is_fit"]) and all(a in model.labels for a in group.trace)


def _token_replay_findings(
    groups: list[_Group], results: list[dict[str, Any]], model: ConvertedModel, budget: float
) -> tuple[list[set[Finding]], list[str]]:
    """Deviations of the variants token replay finds unfit, confirmed by alignments.

    pm4py's token replay walks silent transitions by a shortest-path heuristic and misses valid
    paths: on the receipt log it calls 14 cases unfit that align without a single deviation. So
    each unfit variant (most frequent first, within the budget) is aligned; the alignment's
    moves give its deviations, or none. Variants beyond the budget keep the token-replay
    reading (``token_replay_findings``), with a note.
    """
    aligner = Aligner(model.net, model.initial_marking, model.final_marking, budget, _clock)
    neighbours = PlaceNeighbours()
    findings: list[set[Finding]] = []
    cleared = unconfirmed = 0
    for group, result in zip(groups, results, strict=True):
        if _fits(result, group, model):
            findings.append(set())
            continue
        alignment = aligner.align(group.trace)
        if alignment is not None:
            found = alignment_findings(group.trace, alignment.moves, model.labels)
            if not alignment.deviations:
                cleared += group.cases
        else:
            unconfirmed += group.cases
            if "activated_transitions" not in result:  # from the memo
                result = _replay_traces([group.trace], model)[0]
            found = token_replay_findings(
                group.trace,
                result["activated_transitions"],
                model.initial_marking,
                model.final_marking,
                neighbours,
            )
        findings.append(found)
    notes: list[str] = []
    if cleared:
        notes.append(
            bi(
                f"{cleared} Fälle sind laut Token-Replay nicht passend, lassen sich aber ohne "
                "Abweichung ausrichten (Alignment); pm4pys Token-Replay findet bei stillen "
                "Übergängen nicht jeden Weg. Für sie sind keine Abweichungen ausgewiesen.",
                f"{cleared} cases do not fit by token replay but align without a deviation "
                "(alignment); pm4py's token replay does not find every path through silent "
                "transitions. No deviations are reported for them.",
            )
        )
    if unconfirmed:
        notes.append(
            bi(
                f"Zeitbudget erschöpft: die Abweichungen von {unconfirmed} Fällen stammen nur aus "
                "dem Token-Replay und nicht aus einem Alignment; sie können zu streng sein.",
                f"Time budget used up: the deviations of {unconfirmed} cases come from the token "
                "replay only, not from an alignment; they may be too strict.",
            )
        )
    return findings, notes


def _alignments(groups: list[_Group], model: ConvertedModel, budget: float) -> _Replayed:
    aligner = Aligner(model.net, model.initial_marking, model.final_marking, budget, _clock)
    shortest = aligner.shortest_path(max(budget, FIRST_ALIGNMENT_MIN_S))
    if shortest is None:
        raise ConformanceError(
            "Alignments brauchen ein Modell, dessen Endzustand erreichbar ist; dieses Modell "
            "erreicht ihn nicht (oder nicht im Zeitbudget). Bitte Token-Replay verwenden."
        )
    checked: list[_Group] = []
    findings: list[set[Finding]] = []
    deviations = worst = 0
    fitting = 0
    for position, group in enumerate(groups):
        # The most frequent variant is always aligned, so a partial result has a basis.
        at_least = FIRST_ALIGNMENT_MIN_S if position == 0 else 0.0
        alignment = aligner.align(group.trace, at_least_s=at_least)
        if alignment is None:
            break
        checked.append(group)
        findings.append(alignment_findings(group.trace, alignment.moves, model.labels))
        deviations += alignment.deviations * group.cases
        worst += (len(group.trace) + shortest) * group.cases
        if not alignment.deviations:
            fitting += group.cases
    if not checked:
        replayed = _token_replay(groups, model, 0.0)
        replayed.notes.append(
            bi(
                "Schon das häufigste Alignment überschritt das Zeitbudget; Ergebnis per Token-Replay.",
                "Already the most frequent alignment exceeded the time budget; result by token replay.",
            )
        )
        return replayed
    fitness = 1.0 - deviations / worst if worst > 0 else 1.0
    return _Replayed(fitness, fitting, checked, findings, "alignments")


def _precision(
    groups: list[_Group], model: ConvertedModel, budget: float, notes: list[str]
) -> float | None:
    from mining.conformance._precision import etc_precision

    start = _clock()
    value = etc_precision(
        {g.trace: g.cases for g in groups},
        model.net,
        model.initial_marking,
        model.final_marking,
        out_of_time=lambda: _clock() - start > budget,
    )
    if value is None:
        notes.append(
            bi(
                f"Präzision nicht berechnet: mehr als {budget:g} s für die Präfixe des Protokolls.",
                f"Precision not computed: more than {budget:g} s for the prefixes of the log.",
            )
        )
    return value


def _mapping_notes(mapping: ActivityMapping, model: ConvertedModel) -> list[str]:
    hidden = sorted({label for label in mapping.pairs.values() if label not in model.labels})
    if not hidden:
        return []
    names = ", ".join(f"„{label}“" for label in hidden)
    return [
        f"Zugeordnet, aber im Modell nicht sichtbar: {names}. Ereignisse, die das Protokoll "
        "aufzeichnet, bei der Umwandlung in event_labels angeben."
    ]
