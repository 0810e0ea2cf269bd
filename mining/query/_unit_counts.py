"""Events, people, cases and waits per org unit (or merged group of units), in one numpy pass.

The counts behind :mod:`mining.measures.groups`. What makes them expensive in SQL is the two distinct
counts per unit, people and cases, each a hash aggregate over every event (0.1–0.2 s per million
events). Here each is the number of set cells per column of a small bitmap (cases × groups,
people × groups) filled by one scatter; only when that bitmap would be large (very many units)
do the pairs get sorted instead. The result is registered as a table of the session, so the SQL
of :mod:`mining.query.queries` reads it like any other.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mining.query.layout import microseconds

__all__ = ["unit_counts"]

# Cells of a (items × groups) bitmap that are cheaper to fill than to sort the pairs: 64 MiB.
_BITMAP_CELLS = 1 << 26


def _codes(column: pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    """Dictionary codes of a string column and the dictionary's values; a null gets the code
    ``len(values)``, one past the last value, so no event needs to be masked out."""
    encoded = column if pa.types.is_dictionary(column.type) else pc.dictionary_encode(column)
    if isinstance(encoded, pa.ChunkedArray):
        if encoded.num_chunks == 0:
            return np.empty(0, dtype=np.int64), []
        encoded = encoded.unify_dictionaries().combine_chunks()
    values = encoded.dictionary.cast(pa.string()).to_pylist()
    codes = encoded.indices
    if codes.null_count:
        codes = pc.fill_null(codes, len(values))
    return codes.to_numpy(zero_copy_only=False).astype(np.int64, copy=False), values


def _distinct(items: np.ndarray, groups: np.ndarray, n_items: int, n_groups: int) -> np.ndarray:
    """How many distinct ``items`` (codes 0 … n_items − 1) each group (0 … n_groups − 1) holds."""
    pairs = items * n_groups + groups
    if n_items * n_groups <= _BITMAP_CELLS:
        seen = np.zeros(n_items * n_groups, dtype=bool)
        seen[pairs] = True
        return seen.reshape(n_items, n_groups).sum(axis=0, dtype=np.int64)
    return np.bincount(np.unique(pairs) % n_groups, minlength=n_groups).astype(np.int64)


def unit_counts(
    events: pa.Table, *, column: str, merged: Collection[str] = (), label: str = ""
) -> pa.Table:
    """Per value of ``column`` that occurs (a value in ``merged`` counted as ``label``):
    ``group``, ``events``, ``people`` (distinct non-null ``resource``; 0 without that column),
    ``cases`` (distinct ``_case``), ``wait_sum_s`` and ``waits`` (time since the case's previous
    event, over the events that have one). ``events`` are session events: in the layout (a
    case's events together, in order), with ``_case``."""
    codes, values = _codes(events[column])
    occurs = np.bincount(codes, minlength=len(values) + 1)[: len(values)] > 0
    chosen = set(merged)
    names = [label if value in chosen else value for value in values]
    present = sorted({names[code] for code in np.flatnonzero(occurs)})
    n = len(present)
    # Group n collects the events without a unit; it is counted along and dropped at the end.
    index = {name: number for number, name in enumerate(present)}
    group_of_code = np.array([index.get(name, n) for name in [*names, None]], dtype=np.int64)
    groups = group_of_code[codes]
    width = n + 1

    case = events["_case"].to_numpy().astype(np.int64, copy=False)
    cases = _distinct(case, groups, int(case[-1]) + 1 if len(case) else 0, width)
    people = np.zeros(width, dtype=np.int64)
    if "resource" in events.column_names:
        persons, known = _codes(events["resource"])
        # The code past the last pseudonym is "no person": its row of the bitmap is left out.
        seen = _distinct(persons, groups, len(known) + 1, width)
        unnamed = np.bincount(groups[persons == len(known)], minlength=width) > 0
        people = seen - unnamed

    times = microseconds(events["timestamp"])
    # Whole microseconds / 10⁶, as the SQL aggregates compute a wait (mining.query.queries._seconds).
    follows = case[1:] == case[:-1]
    waits = np.where(follows, np.diff(times), 0) / 1e6
    later = groups[1:]
    return pa.table(
        {
            "group": pa.array(present, pa.string()),
            "events": pa.array(np.bincount(groups, minlength=width)[:n].astype(np.int64)),
            "people": pa.array(people[:n]),
            "cases": pa.array(cases[:n]),
            "wait_sum_s": pa.array(np.bincount(later, weights=waits, minlength=width)[:n]),
            "waits": pa.array(
                np.bincount(later, weights=follows, minlength=width)[:n].astype(np.int64)
            ),
        }
    )
