"""The stored layout of a log's events: sorted by ``(case_id, "timestamp", seq)``.

A case's events are contiguous and in pm4py's order (``seq``, the line order of the upload, breaks
ties of equal timestamps, as pm4py's stable sort does). The import writes this layout
(:func:`write_arranged`); readers check the order (one vectorized pass, :func:`layout_order`)
rather than trust it, and sort a file that is not in it (imported before the layout existed, or
rewritten by another tool).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

__all__ = [
    "UTC_MICROSECONDS",
    "arrange",
    "layout_order",
    "microseconds",
    "ranked_codes",
    "read_events",
    "write_arranged",
]

# Row groups small enough for DuckDB and pyarrow to read in parallel, large enough to compress.
_ROW_GROUP = 1 << 18
# pyarrow's default dictionary page limit: a larger dictionary is not worth a page per row group.
_DICTIONARY_PAGE_BYTES = 1 << 20
UTC_MICROSECONDS = pa.timestamp("us", tz="UTC")


def _string_columns(schema: pa.Schema) -> list[str]:
    return [
        field.name
        for field in schema
        if pa.types.is_string(field.type)
        or pa.types.is_large_string(field.type)
        or (pa.types.is_dictionary(field.type) and pa.types.is_string(field.type.value_type))
    ]


def ranked_codes(column: pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
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


def microseconds(column: pa.ChunkedArray) -> np.ndarray:
    return (
        column.combine_chunks()
        .cast(UTC_MICROSECONDS)
        .view(pa.int64())
        .to_numpy(zero_copy_only=False)
    )


def layout_order(table: pa.Table, cases: np.ndarray) -> np.ndarray | None:
    """The permutation that puts ``table`` into the layout, or None when it is in it."""
    times = microseconds(table["timestamp"])
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
    cases, _ = ranked_codes(table["case_id"])
    order = layout_order(table, cases)
    return table if order is None else table.take(pa.array(order))


def write_arranged(events: pa.Table, target: Path, *, drop: Sequence[str] = ()) -> pa.Table:
    """Write ``events`` (in upload order, text columns plain or dictionary-encoded) to the
    Parquet file ``target`` in the layout, without the columns in ``drop`` (the import's last
    word on what is kept); return the table as written."""
    table = events.drop_columns([name for name in drop if name in events.column_names])
    table = pa.table(
        [
            _used_values(column) if pa.types.is_dictionary(column.type) else column
            for column in table.columns
        ],
        schema=table.schema,
    )
    arranged = arrange(table)
    # A dictionary as large as a Parquet dictionary page (the case ids) would be written whole
    # into every row group, and every analysis would unify those copies again: such a column is
    # written plain, so each row group gets a dictionary of its own values only.
    columns = [
        column.cast(column.type.value_type)
        if pa.types.is_dictionary(column.type)
        and column.num_chunks
        and column.chunk(0).dictionary.nbytes > _DICTIONARY_PAGE_BYTES
        else column
        for column in arranged.columns
    ]
    arranged = pa.table(
        columns,
        schema=pa.schema(
            [
                field.with_type(column.type)
                for field, column in zip(arranged.schema, columns, strict=True)
            ]
        ),
    )
    # Other dictionaries go to Parquet as they are (no second hashing of every value); the Arrow
    # schema is left out so that other readers (pandas, DuckDB, a city's BI tool) see plain
    # strings: the Parquet types alone say string, UTC microseconds, and which columns are never
    # empty.
    # Times, lines and sequence numbers are nearly unique: dictionary pages would only cost.
    pq.write_table(
        arranged,
        target,
        compression="zstd",
        row_group_size=_ROW_GROUP,
        store_schema=False,
        use_dictionary=_string_columns(arranged.schema),
    )
    return arranged


def _used_values(column: pa.ChunkedArray) -> pa.DictionaryArray:
    """One dictionary for the whole column, holding only the values some row has: a value of a
    row the import dropped would otherwise reach the file's dictionary pages."""
    combined = column.unify_dictionaries().combine_chunks() if column.num_chunks else None
    if combined is None:
        return pa.array([], column.type)
    indices = combined.indices
    raw = indices.fill_null(0).to_numpy().astype(np.int64, copy=False)
    valid = indices.is_valid().to_numpy(zero_copy_only=False) if indices.null_count else None
    occurs = np.bincount(raw if valid is None else raw[valid], minlength=len(combined.dictionary))
    if occurs.all():
        return combined
    used = np.flatnonzero(occurs)
    code = np.zeros(len(occurs), dtype=np.int32)
    code[used] = np.arange(len(used), dtype=np.int32)
    return pa.DictionaryArray.from_arrays(
        pa.array(code[raw], mask=None if valid is None else ~valid),
        combined.dictionary.take(pa.array(used)),
    )


def read_events(path: Path, columns: list[str] | None = None) -> pa.Table:
    """The events of a stored file as stored, string columns dictionary-encoded."""
    schema = pq.read_schema(path)
    wanted = [name for name in (columns or schema.names) if name in schema.names]
    return pq.read_table(
        path,
        columns=wanted,
        read_dictionary=[name for name in _string_columns(schema) if name in wanted],
    )
