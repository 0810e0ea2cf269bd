"""Where cases leave the model: skipped, unmodelled and wrongly ordered activities.

Three kinds, each counted in cases (a case counts once per kind and activity, however often it
shows the deviation) and as a share of all cases of the log:

``unmodelled``
    A log activity without a model label (no confirmed mapping). Counted over every variant,
    also when a time budget stopped the replay early.

``skipped``
    A model activity the case needed but never executed. From alignments: a model move on a
    visible transition whose label the trace does not contain. From token replay (see
    :func:`token_replay_findings`): the activities that would have produced a missing token, or
    would have consumed a token left behind, none of which the trace contains. When the model
    allows several alternatives there ("B or D"), the activity reads ``"B oder D"``: the model
    cannot tell which one was left out.

``wrong_order``
    An activity of the model that the case executed where the model does not allow it: too
    early, again, or after the model moved on. From alignments: a log move on a modelled
    activity, or a model move on a label the trace does contain elsewhere. From token replay: a
    transition that fired with missing tokens while an activity that produces its input tokens
    occurs somewhere in the trace.

The activity of ``skipped`` and ``wrong_order`` is the model label, so the UI can point at the
diagram; ``unmodelled`` names the log activity.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from mining.results import DeviationRecord

if TYPE_CHECKING:
    from pm4py.objects.petri_net.obj import Marking

__all__ = [
    "MAX_EXAMPLE_CASES",
    "Deviation",
    "DeviationKind",
    "DeviationTally",
    "Finding",
    "PlaceNeighbours",
    "alignment_findings",
    "token_replay_findings",
]

DeviationKind = Literal["skipped", "unmodelled", "wrong_order"]
Finding = tuple[DeviationKind, str]
MAX_EXAMPLE_CASES = 3
_KIND_ORDER = {"skipped": 0, "wrong_order": 1, "unmodelled": 2}


@dataclass(frozen=True)
class Deviation:
    """One kind of deviation at one activity: how many cases, their share, up to three examples,
    and the variants that show it: their numbers (1-based) in the sequence of variants checked,
    which are :func:`get_variants`' numbers when that sequence is its list (as in
    :func:`analyze`), so ``filter_variants(view, deviation.variants)`` selects its cases."""

    kind: DeviationKind
    activity: str
    cases: int
    share: float
    example_cases: tuple[str, ...]
    variants: tuple[int, ...] = ()

    def to_dict(self) -> DeviationRecord:
        return {
            "kind": self.kind,
            "activity": self.activity,
            "cases": self.cases,
            "share": self.share,
            "example_cases": list(self.example_cases),
            "variants": list(self.variants),
        }


class DeviationTally:
    """Adds up findings per variant, weighted by the variant's case count."""

    def __init__(self, total_cases: int) -> None:
        self.total_cases = total_cases
        self._cases: dict[Finding, int] = {}
        self._examples: dict[Finding, list[str]] = {}
        self._variants: dict[Finding, set[int]] = {}

    def add(
        self,
        findings: Iterable[Finding],
        cases: int,
        examples: Sequence[str],
        variants: Iterable[int] = (),
    ) -> None:
        """Count ``findings`` for ``cases`` cases of the variants numbered ``variants``."""
        numbers = set(variants)
        for finding in set(findings):
            self._cases[finding] = self._cases.get(finding, 0) + int(cases)
            kept = self._examples.setdefault(finding, [])
            kept.extend(str(case) for case in examples[: MAX_EXAMPLE_CASES - len(kept)])
            self._variants.setdefault(finding, set()).update(numbers)

    def result(self) -> tuple[Deviation, ...]:
        deviations = [
            Deviation(
                kind=kind,
                activity=activity,
                cases=cases,
                share=cases / self.total_cases if self.total_cases else 0.0,
                example_cases=tuple(self._examples.get((kind, activity), ())),
                variants=tuple(sorted(self._variants.get((kind, activity), ()))),
            )
            for (kind, activity), cases in self._cases.items()
        ]
        deviations.sort(key=lambda d: (-d.cases, _KIND_ORDER[d.kind], d.activity))
        return tuple(deviations)


def alignment_findings(
    trace: Sequence[str], alignment: Sequence[tuple[Any, Any]], labels: Collection[str]
) -> set[Finding]:
    """Skipped and wrongly ordered activities from one alignment (pairs of log, model label)."""
    occurring = set(trace)
    findings: set[Finding] = set()
    for log_move, model_move in alignment:
        if log_move != ">>" and model_move == ">>" and log_move in labels:
            findings.add(("wrong_order", log_move))
        elif log_move == ">>" and model_move not in (None, ">>"):
            kind: DeviationKind = "wrong_order" if model_move in occurring else "skipped"
            findings.add((kind, str(model_move)))
    return findings


class PlaceNeighbours:
    """Visible transitions that feed or drain a place through silent transitions.

    Cached per place: build one per net and reuse it for every trace.
    """

    def __init__(self) -> None:
        self._producers: dict[Any, frozenset[str]] = {}
        self._consumers: dict[Any, frozenset[str]] = {}

    def producers(self, place: Any) -> frozenset[str]:
        if place not in self._producers:
            self._producers[place] = _walk(place, forward=False)
        return self._producers[place]

    def consumers(self, place: Any) -> frozenset[str]:
        if place not in self._consumers:
            self._consumers[place] = _walk(place, forward=True)
        return self._consumers[place]


def _walk(place: Any, *, forward: bool) -> frozenset[str]:
    labels: set[str] = set()
    seen = {place}
    stack = [place]
    while stack:
        current = stack.pop()
        arcs = current.out_arcs if forward else current.in_arcs
        for arc in arcs:
            transition = arc.target if forward else arc.source
            if transition.label is not None:
                labels.add(transition.label)
                continue
            for next_arc in transition.out_arcs if forward else transition.in_arcs:
                nxt = next_arc.target if forward else next_arc.source
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
    return frozenset(labels)


def token_replay_findings(
    trace: Sequence[str],
    activated: Sequence[Any],
    initial_marking: Marking,
    final_marking: Marking,
    neighbours: PlaceNeighbours,
) -> set[Finding]:
    """Skipped and wrongly ordered activities from one pm4py token replay.

    pm4py reports which transitions fired (``activated_transitions``, silent ones included, in
    order) but not where tokens were missing. Firing them again on a copy of the initial marking
    shows exactly that: a transition that is not enabled had missing tokens in the input places
    that lack one (pm4py adds them, then fires). At the end, tokens beyond the final marking were
    left behind. Then, with "producers" the visible activities that can put a token into a place
    through silent transitions and "consumers" those that can take it out:

    - a transition with missing tokens is ``wrong_order`` when a producer of a missing place
      occurs in the trace (it came too late, or was used up by an earlier occurrence); when none
      occurs, the producers were ``skipped``;
    - a token left behind means its consumers were ``skipped`` when none of them occurs in the
      trace (otherwise the leftover is the trace of an order problem reported above).
    """
    occurring = set(trace)
    marking: dict[Any, int] = dict(initial_marking)
    findings: set[Finding] = set()
    for transition in activated:
        missing = [a.source for a in transition.in_arcs if marking.get(a.source, 0) < a.weight]
        for arc in transition.in_arcs:
            marking[arc.source] = max(0, marking.get(arc.source, 0) - arc.weight)
        for arc in transition.out_arcs:
            marking[arc.target] = marking.get(arc.target, 0) + arc.weight
        if not missing or transition.label is None:
            continue
        producers = frozenset().union(*(neighbours.producers(p) for p in missing))
        if not producers or producers & occurring:
            findings.add(("wrong_order", transition.label))
        else:
            findings.add(("skipped", _alternatives(producers)))
    for place, tokens in marking.items():
        if tokens > final_marking.get(place, 0):
            consumers = neighbours.consumers(place)
            if consumers and not consumers & occurring:
                findings.add(("skipped", _alternatives(consumers)))
    return findings


def _alternatives(labels: Iterable[str]) -> str:
    return " oder ".join(sorted(labels))
