"""What one net says about one trace, kept between conformance checks of the same model.

Token replay, an alignment and the transitions a prefix enables are functions of the net and the
trace alone; only their weighting uses the cases behind a variant. A filtered view of a log
(another period, a filter chip) has mostly the variants of the whole log with other counts, so
its check replays only the traces it has not met with an equal net. The net is converted anew
for each analysis, so nets are compared by content (:func:`net_key`), not by identity. What
depends on the time budget (an alignment cut short) is never kept, and nothing refers to the
objects of one net: entries hold numbers and labels only.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pm4py.objects.petri_net.obj import Marking, PetriNet

__all__ = ["ALIGNMENTS", "PREFIXES", "REPLAYS", "Memo", "net_key"]


def net_key(net: PetriNet, initial_marking: Marking, final_marking: Marking) -> str:
    """A digest of the net's structure: places by name, transitions by label and arcs, the two
    markings. pm4py names silent transitions with random UUIDs, so transitions are described by
    what they connect; two nets with equal keys behave alike on every trace."""

    def arcs(arcs: Any, end: str) -> tuple[tuple[str, int], ...]:
        return tuple(sorted((str(getattr(arc, end).name), int(arc.weight)) for arc in arcs))

    def marking(marking: Marking) -> tuple[tuple[str, int], ...]:
        return tuple(sorted((str(place.name), int(count)) for place, count in marking.items()))

    described = (
        tuple(sorted(str(place.name) for place in net.places)),
        tuple(
            sorted(
                (
                    repr(transition.label),
                    arcs(transition.in_arcs, "source"),
                    arcs(transition.out_arcs, "target"),
                )
                for transition in net.transitions
            )
        ),
        marking(initial_marking),
        marking(final_marking),
    )
    return hashlib.sha256(repr(described).encode("utf-8")).hexdigest()


class Memo:
    """A thread-safe mapping that forgets its least recently used entries beyond ``size``
    (the app server checks conformance in several sessions at once)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            if key not in self._entries:
                return None
            self._entries.move_to_end(key)
            return self._entries[key]

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


# (net key, trace) → token counts and fit flag; → Alignment; (net key, prefix) → enabled labels.
# Sized for a few thousand variants of a handful of models at some tens of MB at most (an
# alignment of a long trace is a few kB, a prefix entry well under one).
REPLAYS = Memo(20_000)
ALIGNMENTS = Memo(5_000)
PREFIXES = Memo(50_000)
