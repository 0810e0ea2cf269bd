"""The events of a stored log in pm4py's order, with what every aggregate needs worked out once.

**Layout.** The import writes each log sorted by ``(case_id, "timestamp", seq)``: a case's events
are contiguous and in pm4py's order (``seq``, the line order of the upload, breaks ties of equal
timestamps, as pm4py's stable sort does). Readers check the order (one vectorized pass) rather
than trust it, and sort a file that is not in it (imported before the layout existed, or
rewritten by another tool).

**Session tables.** From that order, numpy finds in one vectorized pass what SQL would need a
window sort per query for: each event's case number, position, and previous and next event of
its case; per case its trace, first and last timestamp; and the distinct traces (variants).
:mod:`mining.aggregates` registers the results as DuckDB tables and keeps all aggregation in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

__all__ = [
    "SessionTables",
    "arrange",
    "read_events",
    "session_tables",
    "value_changes",
    "write_arranged",
]

# Row groups small enough for DuckDB and pyarrow to read in parallel, large enough to compress.
_ROW_GROUP = 1 << 18
_UTC = pa.timestamp("us", tz="UTC")


def _string_columns(schema: pa.Schema) -> list[str]:
    return [
        field.name
        for field in schema
        if pa.types.is_string(field.type)
        or pa.types.is_large_string(field.type)
        or (pa.types.is_dictionary(field.type) and pa.types.is_string(field.type.value_type))
    ]


def _ranked_codes(column: pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """Codes of a string column numbered in code-point order of the values (the order DuckDB
    and pm4py sort strings in), and the sorted values; nulls get −1."""
    encoded = column if pa.types.is_dictionary(column.type) else pc.dictionary_encode(column)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.unify_dictionaries().combine_chunks() if encoded.num_chunks else None
    if encoded is None or len(encoded) == 0:
        return np.empty(0, dtype=np.int32), pa.array([], pa.string())
    indices = encoded.indices
    raw = indices.fill_null(0).to_numpy().astype(np.int64, copy=False)
    missing = indices.is_null().to_numpy(zero_copy_only=False) if indices.null_count else None
    # A dictionary read from the file also holds values of rows a filter removed: only the
    # values that occur get codes.
    occurs = np.bincount(
        raw if missing is None else raw[~missing], minlength=len(encoded.dictionary)
    )
    used = np.flatnonzero(occurs)
    values = encoded.dictionary.cast(pa.string()).take(pa.array(used))
    by_name = pc.sort_indices(values).to_numpy()
    rank = np.full(len(encoded.dictionary), -1, dtype=np.int32)
    rank[used[by_name]] = np.arange(len(by_name), dtype=np.int32)
    codes = rank[raw]
    if missing is not None:
        codes[missing] = -1
    return codes, values.take(pa.array(by_name))


def _microseconds(column: pa.ChunkedArray) -> np.ndarray:
    return column.combine_chunks().cast(_UTC).view(pa.int64()).to_numpy(zero_copy_only=False)


def _layout_order(table: pa.Table, cases: np.ndarray) -> np.ndarray | None:
    """The permutation that puts ``table`` into the layout, or None when it is in it."""
    times = _microseconds(table["timestamp"])
    seq = table["seq"].to_numpy()
    case_step = np.diff(cases)
    # Element-wise tests only: masking arrays of millions of events costs more than the test.
    in_order = not (case_step < 0).any()
    if in_order:
        same_case = case_step == 0
        time_step = np.diff(times)
        in_order = not ((time_step < 0) & same_case).any()
        if in_order:
            in_order = not ((time_step == 0) & same_case & (np.diff(seq) <= 0)).any()
    return None if in_order else np.lexsort((seq, times, cases))


def arrange(table: pa.Table) -> pa.Table:
    """``table`` sorted into the stored layout."""
    cases, _ = _ranked_codes(table["case_id"])
    order = _layout_order(table, cases)
    return table if order is None else table.take(pa.array(order))


def write_arranged(source: Path, target: Path) -> None:
    """Rewrite the Parquet file ``source`` (events in upload order) as ``target`` in the layout."""
    schema = pq.read_schema(source)
    table = pq.read_table(source, read_dictionary=_string_columns(schema))
    # Read as dictionaries to sort cheaply; stored with the original types, so other readers
    # (pandas, DuckDB, a city's BI tool) see plain strings.
    arranged = arrange(table).cast(schema)
    pq.write_table(arranged, target, compression="zstd", row_group_size=_ROW_GROUP)


def read_events(path: Path, columns: list[str] | None = None) -> pa.Table:
    """The events of a stored file as stored, string columns dictionary-encoded."""
    schema = pq.read_schema(path)
    wanted = [name for name in (columns or schema.names) if name in schema.names]
    return pq.read_table(
        path,
        columns=wanted,
        read_dictionary=[name for name in _string_columns(schema) if name in wanted],
    )


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
    case_codes, _ = _ranked_codes(events["case_id"])
    order = _layout_order(events, case_codes) if n else None
    if order is not None:
        events, case_codes = events.take(pa.array(order)), case_codes[order]
    act_codes, names = _ranked_codes(events["activity"])
    first = np.ones(n, dtype=bool)
    first[1:] = case_codes[1:] != case_codes[:-1]
    last = np.ones(n, dtype=bool)
    last[:-1] = first[1:]
    case_number = np.cumsum(first, dtype=np.int32) - 1
    times = _microseconds(events["timestamp"])
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
        "_prev_time": pa.array(np.roll(times, 1), mask=first).cast(_UTC),
        "_next_time": pa.array(np.roll(times, -1), mask=last).cast(_UTC),
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
            "first_time": pa.array(times[starts]).cast(_UTC),
            "last_time": pa.array(times[ends - 1]).cast(_UTC),
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
        # A trace becomes a byte string of its codes, big-endian and of fixed width, so byte
        # order is the lexicographic order of the code lists (a shorter prefix first); grouping
        # byte strings is exact and needs no per-case Python loop.
        width = 1 if alphabet <= 1 << 8 else 2 if alphabet <= 1 << 16 else 4
        data = codes.astype(f">u{width}").tobytes()
        offsets = np.append(starts, len(codes)).astype(np.int64) * width
        if len(starts) == 0:
            offsets = np.zeros(1, dtype=np.int64)
        traces = pa.LargeBinaryArray.from_buffers(
            pa.large_binary(),
            len(starts),
            [None, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data)],
        )
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
    times = _microseconds(events["timestamp"])[valued]
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
