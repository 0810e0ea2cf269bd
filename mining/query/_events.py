"""The events of a stored log (:mod:`mining.query.layout`), with what every aggregate needs
worked out once.

**Session tables.** From that order, numpy finds in one vectorized pass what SQL would need a
window sort per query for: each event's case number, position, and previous and next event of
its case; per case its trace, first and last timestamp; and the distinct traces (variants).
:mod:`mining.query.queries` registers the results as DuckDB tables and keeps all aggregation in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mining.query.layout import UTC_MICROSECONDS, layout_order, microseconds, ranked_codes

__all__ = ["Headline", "SessionTables", "headline", "session_tables", "value_changes"]


@dataclass(frozen=True)
class SessionTables:
    """``events``: the input columns plus ``_case`` (case number), ``_pos`` (position in the
    layout), ``_act`` (activity code in name order), ``_prev_time``, ``_next_time``,
    ``_prev_activity``, ``_next_activity`` (neighbours in the same case, null at its ends) and
    ``_repeated`` (the case executes this activity more than once).
    ``cases``: ``_case``, ``case_id``, ``_variant``, ``events``, ``first_time``, ``last_time``.
    ``variants``: ``_variant`` (rank of the trace in lexicographic order of activity codes,
    shorter prefix first), ``activities`` (list of names).
    ``steps``: the variants step by step: ``_variant``, ``_step`` (1, 2, …), ``_act``.
    ``activities``: ``_act``, ``activity``."""

    events: pa.Table
    cases: pa.Table
    variants: pa.Table
    steps: pa.Table
    activities: pa.Table


def session_tables(events: pa.Table) -> SessionTables:
    """The session tables of ``events`` (filtered or not; sorted into the layout if need be)."""
    n = events.num_rows
    case_codes, _ = ranked_codes(events["case_id"])
    order = layout_order(events, case_codes) if n else None
    if order is not None:
        events, case_codes = events.take(pa.array(order)), case_codes[order]
    act_codes, names = ranked_codes(events["activity"])
    first = np.ones(n, dtype=bool)
    first[1:] = case_codes[1:] != case_codes[:-1]
    last = np.ones(n, dtype=bool)
    last[:-1] = first[1:]
    case_number = np.cumsum(first, dtype=np.int32) - 1
    times = microseconds(events["timestamp"])
    starts = np.flatnonzero(first)
    ends = np.append(starts[1:], n) if n else starts
    variants = _Variants.of(act_codes, starts, ends, len(names))
    # Event i of a case starting at s with variant v is step i − s of v: sequential numpy
    # (np.repeat per case), no gather over millions of events.
    step_base = np.repeat(variants.offsets[variants.of_case] - starts, ends - starts)
    repeated = variants.repeated[np.arange(n, dtype=np.int64) + step_base]

    activity_type = pa.dictionary(pa.int32(), pa.string())

    def activity_of(codes: np.ndarray, missing: np.ndarray) -> pa.Array:
        return pa.DictionaryArray.from_arrays(pa.array(codes, mask=missing), names).cast(
            activity_type
        )

    extra = {
        "_case": pa.array(case_number),
        "_pos": pa.array(np.arange(1, n + 1, dtype=np.int32 if n < 2**31 else np.int64)),
        "_act": pa.array(act_codes),
        "_prev_time": pa.array(np.roll(times, 1), mask=first).cast(UTC_MICROSECONDS),
        "_next_time": pa.array(np.roll(times, -1), mask=last).cast(UTC_MICROSECONDS),
        "_prev_activity": activity_of(np.roll(act_codes, 1), first),
        "_next_activity": activity_of(np.roll(act_codes, -1), last),
        "_repeated": pa.array(repeated),
    }
    for name, column in extra.items():
        events = events.append_column(name, column)

    cases = pa.table(
        {
            "_case": pa.array(np.arange(len(starts), dtype=np.int32)),
            "case_id": events["case_id"].take(pa.array(starts)).cast(pa.string()),
            "_variant": pa.array(variants.of_case),
            "events": pa.array((ends - starts).astype(np.int64)),
            # Within a case events are in time order: its first and last event hold the extremes.
            "first_time": pa.array(times[starts]).cast(UTC_MICROSECONDS),
            "last_time": pa.array(times[ends - 1]).cast(UTC_MICROSECONDS),
        }
    )
    name_list = names.to_pylist()
    variant_table = pa.table(
        {
            "_variant": pa.array(np.arange(len(variants.traces), dtype=np.int32)),
            "activities": pa.array(
                [[name_list[code] for code in trace] for trace in variants.traces],
                pa.list_(pa.string()),
            ),
        }
    )
    steps = pa.table(
        {
            "_variant": pa.array(
                np.repeat(np.arange(len(variants.traces), dtype=np.int32), variants.lengths)
            ),
            "_step": pa.array(_steps(variants.lengths)),
            "_act": pa.array(np.concatenate([*variants.traces, np.empty(0, np.int32)])),
        }
    )
    activities = pa.table(
        {"_act": pa.array(np.arange(len(names), dtype=np.int32)), "activity": names}
    )
    return SessionTables(events, cases, variant_table, steps, activities)


@dataclass(frozen=True)
class Headline:
    """The counts of :func:`mining.query.get_log_stats`; times in UTC microseconds."""

    cases: int
    events: int
    activities: int
    variants: int
    first_us: int | None
    last_us: int | None


def headline(events: pa.Table) -> Headline:
    """The headline counts of ``events`` in the layout, straight from the table (the import has
    it in memory; the session tables would build everything else as well)."""
    n = events.num_rows
    if n == 0:
        return Headline(0, 0, 0, 0, None, None)
    case_codes, _ = ranked_codes(events["case_id"])
    act_codes, names = ranked_codes(events["activity"])
    starts = np.flatnonzero(np.append(True, case_codes[1:] != case_codes[:-1]))
    traces = _trace_bytes(act_codes, starts, len(names))
    times = microseconds(events["timestamp"])
    return Headline(
        cases=len(starts),
        events=n,
        activities=len(names),
        variants=len(pc.unique(traces)),
        first_us=int(times.min()),
        last_us=int(times.max()),
    )


def _trace_bytes(codes: np.ndarray, starts: np.ndarray, alphabet: int) -> pa.LargeBinaryArray:
    """Each case's trace as a byte string of its codes, big-endian and of fixed width, so byte
    order is the lexicographic order of the code lists (a shorter prefix first); grouping byte
    strings is exact and needs no per-case Python loop."""
    width = _code_width(alphabet)
    data = codes.astype(f">u{width}").tobytes()
    offsets = np.append(starts, len(codes)).astype(np.int64) * width
    if len(starts) == 0:
        offsets = np.zeros(1, dtype=np.int64)
    return pa.LargeBinaryArray.from_buffers(
        pa.large_binary(),
        len(starts),
        [None, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data)],
    )


def _code_width(alphabet: int) -> int:
    """Bytes a code takes in a trace's byte string (:func:`_trace_bytes`)."""
    return 1 if alphabet <= 1 << 8 else 2 if alphabet <= 1 << 16 else 4


def _steps(lengths: np.ndarray) -> np.ndarray:
    """1, 2, …, k for each length k, concatenated."""
    total = int(lengths.sum())
    restart = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return (np.arange(total, dtype=np.int64) - restart + 1).astype(np.int32)


@dataclass(frozen=True)
class _Variants:
    """The distinct traces in lexicographic order, each case's variant, and per step of each
    trace whether its activity occurs more than once in it (``repeated``, all traces
    concatenated; trace ``v`` starts at ``offsets[v]``)."""

    traces: list[np.ndarray]
    of_case: np.ndarray
    lengths: np.ndarray
    offsets: np.ndarray
    repeated: np.ndarray

    @classmethod
    def of(
        cls, codes: np.ndarray, starts: np.ndarray, ends: np.ndarray, alphabet: int
    ) -> _Variants:
        width = _code_width(alphabet)
        traces = _trace_bytes(codes, starts, alphabet)
        encoded = pc.dictionary_encode(traces)
        by_trace = pc.sort_indices(encoded.dictionary).to_numpy()
        rank = np.empty(len(by_trace), dtype=np.int32)
        rank[by_trace] = np.arange(len(by_trace), dtype=np.int32)
        of_case = rank[encoded.indices.to_numpy().astype(np.int64, copy=False)]
        distinct = [
            np.frombuffer(trace, dtype=f">u{width}").astype(np.int32)
            for trace in encoded.dictionary.take(pa.array(by_trace)).to_pylist()
        ]
        lengths = np.array([len(trace) for trace in distinct], dtype=np.int64)
        repeated = [
            np.unique(trace, return_counts=True)[1][np.unique(trace, return_inverse=True)[1]] > 1
            for trace in distinct
        ]
        return cls(
            traces=distinct,
            of_case=of_case,
            lengths=lengths,
            offsets=np.cumsum(lengths) - lengths,
            repeated=np.concatenate([*repeated, np.empty(0, dtype=bool)]),
        )


def value_changes(events: pa.Table, column: str) -> pa.Table:
    """Where ``column`` changes between successive events of a case that have a value in it
    (hand-overs between units): ``_case``, ``from_value``, ``to_value``, ``wait_s`` (from the
    earlier to the later event, whole microseconds / 10⁶ as in the SQL aggregates). ``events``
    are session events (in the layout, with ``_case``)."""
    values = events[column]
    if not pa.types.is_dictionary(values.type):
        values = pc.dictionary_encode(values)
    values = values.unify_dictionaries().combine_chunks() if values.num_chunks else None
    if values is None or len(values) == 0:
        empty = pa.array([], pa.dictionary(pa.int32(), pa.string()))
        return pa.table(
            {
                "_case": pa.array([], pa.int32()),
                "from_value": empty,
                "to_value": empty,
                "wait_s": pa.array([], pa.float64()),
            }
        )
    valued = np.flatnonzero(values.is_valid().to_numpy(zero_copy_only=False))
    codes = values.indices.to_numpy(zero_copy_only=False)[valued].astype(np.int32)
    cases = events["_case"].to_numpy()[valued]
    times = microseconds(events["timestamp"])[valued]
    rows = np.flatnonzero((cases[1:] == cases[:-1]) & (codes[1:] != codes[:-1]))
    dictionary = values.dictionary.cast(pa.string())
    return pa.table(
        {
            "_case": pa.array(cases[rows]),
            "from_value": pa.DictionaryArray.from_arrays(pa.array(codes[rows]), dictionary),
            "to_value": pa.DictionaryArray.from_arrays(pa.array(codes[rows + 1]), dictionary),
            "wait_s": pa.array((times[rows + 1] - times[rows]) / 1e6),
        }
    )
