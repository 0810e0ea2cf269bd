"""Timestamps written at one fixed width, read as a byte matrix (private to ``_timeparse``).

Exports write their timestamps with two-digit fields and a four-digit year ("02.01.2024
08:02:06", "2024-01-02 08:02:06"), so every value of a column has the same length. Then the
column's text is an n × width byte matrix, and the regular-expression shape check plus Arrow's
``strptime`` (about 0.2 µs a value each, the largest part of an import) become a few NumPy
operations on its columns. The contract is the regular expression's and Arrow's: the same
shapes pass, the same field ranges hold, a day beyond the month's end is a day that does not
exist. A column whose values are not all of the one width is left to the general path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

__all__ = ["FixedLayout", "fixed_layout", "parse_fixed"]

# directive: (width, lowest, highest)
_FIELDS = {
    "Y": (4, 0, 9999),
    "m": (2, 1, 12),
    "d": (2, 1, 31),
    "H": (2, 0, 23),
    "M": (2, 0, 59),
    "S": (2, 0, 59),
}
# What a blank of the format matches at this width: one whitespace character (``\s``).
_BLANKS = np.frombuffer(b" \t\n\v\f\r", dtype=np.uint8)
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


@dataclass(frozen=True)
class FixedLayout:
    """Where each field and each literal byte of a fixed-width format sits."""

    width: int
    fields: dict[str, int]  # directive → first byte
    literals: tuple[tuple[int, int], ...]  # (byte position, byte)
    blanks: tuple[int, ...]  # positions of a blank of the format


def fixed_layout(fmt: str) -> FixedLayout | None:
    """The layout of ``fmt`` at its natural width, or None when a value of it need not have one
    width: another directive than %Y %m %d %H %M %S, a field twice, a non-ASCII literal."""
    fields: dict[str, int] = {}
    literals: list[tuple[int, int]] = []
    blanks: list[int] = []
    position, i = 0, 0
    while i < len(fmt):
        char = fmt[i]
        if char == "%":
            directive = fmt[i + 1] if i + 1 < len(fmt) else ""
            if directive not in _FIELDS or directive in fields:
                return None
            fields[directive] = position
            position += _FIELDS[directive][0]
            i += 2
            continue
        if not char.isascii():
            return None
        if char.isspace():
            blanks.append(position)
        else:
            literals.append((position, ord(char)))
        position += 1
        i += 1
    if not fields:
        return None
    return FixedLayout(position, fields, tuple(literals), tuple(blanks))


def parse_fixed(
    text: pa.Array, empty: np.ndarray, layout: FixedLayout
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(shape_ok, naive microseconds, parsed) per row of ``text`` (strings, no nulls), or None
    when a non-empty value has another length than ``layout.width``."""
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    if text.type != pa.string():
        text = text.cast(pa.string())
    n = len(text)
    lengths = np.diff(np.frombuffer(text.buffers()[1], dtype=np.int32)[text.offset :][: n + 1])
    if not np.all(lengths[~empty] == layout.width):
        return None
    filled = np.flatnonzero(~empty)
    shape_ok = np.zeros(n, dtype=bool)
    micros = np.zeros(n, dtype=np.int64)
    parsed = np.zeros(n, dtype=bool)
    if len(filled) == 0:
        return shape_ok, micros, parsed
    values = text if len(filled) == n else text.take(pa.array(filled))
    start = np.frombuffer(values.buffers()[1], dtype=np.int32)[values.offset]
    data = np.frombuffer(values.buffers()[2], dtype=np.uint8)
    matrix = data[start : start + len(filled) * layout.width].reshape(len(filled), layout.width)

    # One byte position per row of the transposed copy: each check below runs over contiguous
    # memory instead of striding through the matrix.
    columns = np.ascontiguousarray(matrix.T)
    ok = np.ones(len(filled), dtype=bool)
    for position, byte in layout.literals:
        ok &= columns[position] == byte
    for position in layout.blanks:
        ok &= np.isin(columns[position], _BLANKS)
    number: dict[str, np.ndarray] = {}
    for directive, first in layout.fields.items():
        width, lowest, highest = _FIELDS[directive]
        value = np.zeros(len(filled), dtype=np.int32)
        for position in range(first, first + width):
            digit = columns[position] - np.uint8(48)  # a non-digit wraps above 9
            ok &= digit <= 9
            value = value * 10 + digit
        ok &= (value >= lowest) & (value <= highest)
        number[directive] = value.astype(np.int64)

    year = number.get("Y", np.full(len(filled), 1900, dtype=np.int64))
    month = number.get("m", np.ones(len(filled), dtype=np.int64))
    day = number.get("d", np.ones(len(filled), dtype=np.int64))
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    last_day = _DAYS_IN_MONTH[np.where(ok, month, 1)] + (leap & (month == 2))
    exists = ok & (day <= last_day)
    seconds = (
        _days_from_civil(year, month, day) * 86400
        + number.get("H", 0) * 3600
        + number.get("M", 0) * 60
        + number.get("S", 0)
    )
    shape_ok[filled] = ok
    parsed[filled] = exists
    micros[filled] = np.where(exists, seconds * 1_000_000, 0)
    return shape_ok, micros, parsed


def _days_from_civil(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's ``days_from_civil``)."""
    year = year - (month <= 2)
    era = np.floor_divide(year, 400)
    year_of_era = year - era * 400
    day_of_year = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468
