"""pm4py's token-based ETC precision, computed on counted variants instead of a full log.

``pm4py.algo.evaluation.precision.variants.etconformance_token.apply`` takes only a log: it
collects every prefix of every trace with the activities that follow it, replays each unique
prefix once and weighs the result by how often the prefix occurs. Counted variants give the same
prefixes and weights without expanding the log to one trace per case, so this module repeats
those steps with the variants' counts, calling pm4py's own token replay and enabling functions.
For the same log the value is pm4py's (tests/test_conformance_replay.py).

Two deliberate differences. Prefixes stay tuples: pm4py joins them with "," and splits again,
which breaks an activity name containing a comma. And the unique prefixes are replayed in
batches, most frequent first, so a time budget can stop an expensive run between batches; a
stopped run gives no value, never a value from part of the prefixes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from mining.conformance._memo import PREFIXES, net_key

if TYPE_CHECKING:
    from pm4py.objects.petri_net.obj import Marking, PetriNet

__all__ = ["BATCH_SIZE", "etc_precision"]

BATCH_SIZE = 100
ACTIVITY_KEY = "concept:name"


def etc_precision(
    traces: Mapping[tuple[str, ...], int],
    net: PetriNet,
    initial_marking: Marking,
    final_marking: Marking,
    *,
    out_of_time: Callable[[], bool] = lambda: False,
) -> float | None:
    """ETC precision of ``traces`` (activity tuple → number of cases); ``None`` if out of time."""
    from pm4py.algo.conformance.tokenreplay import algorithm as replayer
    from pm4py.algo.conformance.tokenreplay.variants import token_replay
    from pm4py.objects.log.obj import Event, EventLog, Trace
    from pm4py.objects.petri_net.utils.align_utils import (
        get_visible_transitions_eventually_enabled_by_marking,
    )

    followers: dict[tuple[str, ...], set[str]] = {}
    counts: dict[tuple[str, ...], int] = {}
    for trace, cases in traces.items():
        for i in range(1, len(trace)):
            prefix = trace[:i]
            followers.setdefault(prefix, set()).add(trace[i])
            counts[prefix] = counts.get(prefix, 0) + cases

    # The parameters etconformance_token.apply passes to the replay.
    parameters = {
        token_replay.Parameters.SHOW_PROGRESS_BAR: False,
        token_replay.Parameters.CONSIDER_REMAINING_IN_FITNESS: False,
        token_replay.Parameters.TRY_TO_REACH_FINAL_MARKING_THROUGH_HIDDEN: False,
        token_replay.Parameters.STOP_IMMEDIATELY_UNFIT: True,
        token_replay.Parameters.WALK_THROUGH_HIDDEN_TRANS: True,
        token_replay.Parameters.CLEANING_TOKEN_FLOOD: False,
        token_replay.Parameters.ACTIVITY_KEY: ACTIVITY_KEY,
    }
    # pm4py's "fix: also the empty prefix should be counted": every case starts in the initial
    # marking, where the visible transitions reachable through silent ones are enabled.
    enabled_at_start = {
        t.label for t in get_visible_transitions_eventually_enabled_by_marking(net, initial_marking)
    }
    start_activities = {trace[0] for trace in traces if trace}
    n_cases = sum(traces.values())
    sum_at = n_cases * len(enabled_at_start)
    sum_ee = n_cases * len(enabled_at_start - start_activities)

    # What a prefix enables is the net's answer alone (None: the prefix does not replay): a
    # prefix met before on an equal net is not replayed again (mining.conformance._memo).
    key = net_key(net, initial_marking, final_marking)
    enabled_after: dict[tuple[str, ...], frozenset[str] | None] = {}
    unknown = []
    for prefix in sorted(counts, key=lambda p: (-counts[p], p)):
        known = PREFIXES.get((key, prefix))
        if known is None:
            unknown.append(prefix)
        else:
            enabled_after[prefix] = known[0]
    if counts and out_of_time():  # as before each batch: a late run gives no value at all
        return None
    for begin in range(0, len(unknown), BATCH_SIZE):
        if begin and out_of_time():
            return None
        batch = unknown[begin : begin + BATCH_SIZE]
        log = EventLog([Trace([Event({ACTIVITY_KEY: a}) for a in prefix]) for prefix in batch])
        results = replayer.apply(
            log,
            net,
            initial_marking,
            final_marking,
            variant=replayer.Variants.TOKEN_REPLAY,
            parameters=parameters,
        )
        for prefix, result in zip(batch, results, strict=True):
            enabled = None
            if result["trace_is_fit"]:
                enabled = frozenset(
                    t.label for t in result["enabled_transitions_in_marking"] if t.label is not None
                )
            PREFIXES.put((key, prefix), (enabled,))
            enabled_after[prefix] = enabled
    for prefix, enabled in enabled_after.items():
        if enabled is not None:
            sum_at += len(enabled) * counts[prefix]
            sum_ee += len(enabled - followers[prefix]) * counts[prefix]
    return 1.0 - sum_ee / sum_at if sum_at > 0 else 1.0
