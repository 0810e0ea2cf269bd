"""Vectorized timestamp parsing behind :mod:`mining.ingest.timestamps` (private).

Two engines, one contract. ``pyarrow.compute.strptime`` is fast (about 0.2 µs a value) but
lenient: it rolls ``31.02.2024`` over to 2 March, reads ``24`` as the year 24 and seconds ``60``
as the next minute. pandas' ``to_datetime(format=...)`` is strict but about twenty times slower.
So the fast path checks the *shape* of every value with a regular expression compiled from the
format (field ranges included), lets Arrow parse, and then re-checks the only roll-over Arrow can
still produce: a day beyond the month's end, which always lands on day 1–3 of the next month,
so only those rows are re-examined. Formats the fast path cannot handle (``%f``, ``%z``, other
directives) go through pandas as a whole. Before all of these, a column whose values all have
the format's one width (two-digit fields, as exports write them) is read as a byte matrix
(:mod:`mining.ingest._fixed_width`), under the same contract.

Everything works on NumPy int64 microseconds plus a validity mask; rows are never visited one by
one in Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mining.ingest._fixed_width import fixed_layout, parse_fixed

ISO8601 = "ISO8601"

# Shape of each supported directive. Ranges are part of the shape so that the lenient Arrow
# parser never sees a month 13 or a minute 60.
_DIRECTIVE_RE = {
    "d": r"(?:0?[1-9]|[12]\d|3[01])",
    "m": r"(?:0?[1-9]|1[0-2])",
    "Y": r"\d{4}",
    "y": r"\d{2}",
    "H": r"(?:[01]?\d|2[0-3])",
    "M": r"[0-5]?\d",
    "S": r"[0-5]?\d",
    "f": r"\d{1,9}",
    "z": r"(?:Z|[+-]\d{2}:?\d{2})",
    "%": "%",
}
_FAST_DIRECTIVES = frozenset("dmYyHMS%")

# ISO 8601 as people and systems write it: date, optional time with 'T' or ' ', optional
# seconds and fraction, optional 'Z' or ±hh[:mm] offset (only after a time).
_ISO_RE = (
    r"^\d{4}-\d{2}-\d{2}"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$"
)
_ISO_OFFSET_RE = r"\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)$"

_TS_US = pa.timestamp("us")

# Reason codes; the German texts live in mining.ingest.timestamps.
OK, EMPTY, UNPARSEABLE, IMPOSSIBLE, FUTURE, TOO_EARLY = range(6)


@dataclass(frozen=True)
class RawParse:
    """Parse result before plausibility checks: UTC microseconds plus masks, one entry per row."""

    utc_us: np.ndarray  # int64, meaningful where code == OK
    code: np.ndarray  # int8 reason code per row (OK, EMPTY, UNPARSEABLE, IMPOSSIBLE)
    shifted: np.ndarray  # bool: non-existent local time moved forward
    ambiguous: np.ndarray  # bool: ambiguous local time resolved to the first occurrence


def format_regex(fmt: str, *, capture: str | None = None) -> str | None:
    """An anchored RE2/Python regex for values in strptime format ``fmt``, or None.

    None means the format uses a directive this module does not know; callers then rely on
    pandas alone. ``capture`` names one directive to capture as a group (for re-checks).
    """
    out: list[str] = ["^"]
    i = 0
    while i < len(fmt):
        char = fmt[i]
        if char == "%":
            if i + 1 >= len(fmt) or fmt[i + 1] not in _DIRECTIVE_RE:
                return None
            directive = fmt[i + 1]
            pattern = _DIRECTIVE_RE[directive]
            out.append(f"(?P<{directive}>{pattern})" if directive == capture else pattern)
            i += 2
        elif char.isspace():
            out.append(r"\s+")  # exports pad with one or two blanks; any run counts as one
            i += 1
        else:
            out.append(re.escape(char))
            i += 1
    out.append("$")
    return "".join(out)


def directives(fmt: str) -> frozenset[str]:
    return frozenset(re.findall(r"%(.)", fmt))


def parse_raw(text: pa.Array, fmt: str, timezone: str) -> RawParse:
    """Parse stripped strings (no nulls; "" means empty) in ``fmt`` and convert to UTC."""
    n = len(text)
    code = np.full(n, OK, dtype=np.int8)
    empty = _np_bool(pc.equal(text, ""))
    code[empty] = EMPTY
    out = _Instants.none(n)
    naive_us, naive_ok, aware_us, aware_ok = out.naive_us, out.naive_ok, out.aware_us, out.aware_ok

    if empty.all():
        # An optional column the log does not have (no start times) is all empty: a tenth of a
        # second of regular expressions on every million rows that nothing could match.
        shape_ok = np.zeros(n, dtype=bool)
    elif fmt == ISO8601:
        shape_ok = _np_bool(pc.match_substring_regex(text, _ISO_RE))
        has_offset = shape_ok & _np_bool(pc.match_substring_regex(text, _ISO_OFFSET_RE))
        _pandas_into(text, shape_ok & ~has_offset, ISO8601, False, naive_us, naive_ok)
        _pandas_into(text, has_offset, ISO8601, True, aware_us, aware_ok)
    else:
        shape_ok = _by_format(text, empty, fmt, out)

    # A value of the right shape that still did not parse names a day that does not exist.
    failed = ~empty & ~naive_ok & ~aware_ok
    code[failed] = np.where(shape_ok[failed], IMPOSSIBLE, UNPARSEABLE)

    utc_us, loc_ok, shifted, ambiguous = localize(naive_us, naive_ok, timezone)
    utc_us = np.where(aware_ok, aware_us, utc_us)
    ok = aware_ok | loc_ok
    code[~ok & (code == OK)] = UNPARSEABLE  # defensive: localisation never drops a row today
    return RawParse(utc_us=utc_us, code=code, shifted=shifted & ok, ambiguous=ambiguous & ok)


@dataclass(frozen=True)
class _Instants:
    """Where a parse writes: naive (wall-clock) and offset-aware microseconds, each with the
    rows it read."""

    naive_us: np.ndarray
    naive_ok: np.ndarray
    aware_us: np.ndarray
    aware_ok: np.ndarray

    @classmethod
    def none(cls, rows: int) -> _Instants:
        zeros, no = np.zeros(rows, dtype=np.int64), np.zeros(rows, dtype=bool)
        return cls(zeros, no, zeros.copy(), no.copy())


def _by_format(text: pa.Array, empty: np.ndarray, fmt: str, out: _Instants) -> np.ndarray:
    """Parse ``text`` in the strptime format ``fmt`` into ``out``; the shape mask.

    A column whose values all have the format's one width is read as a byte matrix first; the
    values that matrix does not accept (a blank where a digit was, which the shape regex allows
    as a one-digit field after a longer blank run) are left to the regex path, so both paths
    decide every value alike."""
    layout = fixed_layout(fmt)
    fixed = parse_fixed(text, empty, layout) if layout is not None else None
    if fixed is None:
        return _by_shape(text, empty, fmt, out)
    shape_ok, out.naive_us[:], out.naive_ok[:] = fixed
    undecided = np.flatnonzero(~shape_ok & ~empty)
    if len(undecided):
        rest = _Instants.none(len(undecided))
        shape_ok[undecided] = _by_shape(
            text.take(pa.array(undecided)), np.zeros(len(undecided), dtype=bool), fmt, rest
        )
        out.naive_us[undecided], out.naive_ok[undecided] = rest.naive_us, rest.naive_ok
    return shape_ok


def _by_shape(text: pa.Array, empty: np.ndarray, fmt: str, out: _Instants) -> np.ndarray:
    """The general path: the shape regex, then Arrow's strptime or pandas."""
    regex = format_regex(fmt)
    shape_ok = (
        _np_bool(pc.match_substring_regex(text, regex)) if regex else ~empty
    )  # unknown directive: no shape check, pandas alone decides
    if "z" in directives(fmt):
        _pandas_into(text, shape_ok, fmt, True, out.aware_us, out.aware_ok)
    elif regex is not None and directives(fmt) <= _FAST_DIRECTIVES:
        _arrow_into(text, shape_ok, fmt, out.naive_us, out.naive_ok)
    else:
        _pandas_into(text, shape_ok, fmt, False, out.naive_us, out.naive_ok)
    return shape_ok


def localize(
    naive_us: np.ndarray, ok: np.ndarray, timezone: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Wall-clock microseconds in ``timezone`` → UTC microseconds, with the DST policy.

    One full pass marks every ambiguous or non-existent local time as NaT; only those (a handful
    of rows twice a year) are then resolved: ambiguous → the earlier instant (first occurrence),
    non-existent → shifted forward to the first valid time after the gap.
    """
    n = len(naive_us)
    shifted = np.zeros(n, dtype=bool)
    ambiguous = np.zeros(n, dtype=bool)
    if timezone.upper() in {"UTC", "ETC/UTC", "Z"}:
        return naive_us.copy(), ok.copy(), shifted, ambiguous
    index = pd.DatetimeIndex(np.where(ok, naive_us, np.iinfo(np.int64).min).view("datetime64[us]"))
    local = index.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")
    utc_us = local.as_unit("us").asi8.copy()
    trouble = ok & np.asarray(local.isna())
    if trouble.any():
        sub = index[trouble]
        ones = np.ones(len(sub), dtype=bool)
        # Take the earlier of the two readings rather than trusting the DST flag: zones with a
        # negative "DST" (Europe/Dublin in tzdata) would otherwise pick the later one.
        as_dst = sub.tz_localize(timezone, ambiguous=ones, nonexistent="shift_forward")
        as_std = sub.tz_localize(timezone, ambiguous=~ones, nonexistent="shift_forward")
        resolved = np.minimum(as_dst.as_unit("us").asi8, as_std.as_unit("us").asi8)
        gap = np.asarray(sub.tz_localize(timezone, ambiguous=ones, nonexistent="NaT").isna())
        utc_us[trouble] = resolved
        shifted[trouble] = gap
        ambiguous[trouble] = ~gap
    return utc_us, ok.copy(), shifted, ambiguous


def _arrow_into(
    text: pa.Array, shape_ok: np.ndarray, fmt: str, out_us: np.ndarray, out_ok: np.ndarray
) -> None:
    parsed = pc.strptime(text, format=fmt, unit="s", error_is_null=True).cast(_TS_US)
    valid = shape_ok & ~_np_bool(pc.is_null(parsed))
    values = _np_int64(parsed)
    if "d" in directives(fmt):
        # Arrow rolls 31.02. over to 02.03.; such rows always land on day 1-3. Re-read the day
        # from the text for those rows only and reject where it differs.
        suspects = np.flatnonzero(valid & (_np_int64(pc.day(parsed)) <= 3))
        if len(suspects):
            regex = format_regex(fmt, capture="d")
            take = pa.array(suspects)
            written = pc.extract_regex(text.take(take), regex).field(0).cast(pa.int64())
            real = pc.day(parsed.take(take))
            bad = ~_np_bool(pc.equal(written, real))
            valid[suspects[bad]] = False
    out_us[valid] = values[valid]
    out_ok |= valid


def _pandas_into(
    text: pa.Array,
    rows: np.ndarray,
    fmt: str,
    utc: bool,
    out_us: np.ndarray,
    out_ok: np.ndarray,
) -> None:
    """Strict pandas parse of ``text[rows]`` written into ``out_us``/``out_ok``."""
    index = np.flatnonzero(rows)
    if not len(index):
        return
    subset = text.take(pa.array(index)).to_numpy(zero_copy_only=False)
    parsed = pd.to_datetime(pd.Series(subset, dtype=object), format=fmt, errors="coerce", utc=utc)
    parsed_ok = np.asarray(parsed.notna())
    if utc:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    values = np.asarray(parsed.astype("datetime64[us]")).view(np.int64)
    out_us[index[parsed_ok]] = values[parsed_ok]
    out_ok[index[parsed_ok]] = True


def _np_bool(array: pa.Array) -> np.ndarray:
    return np.asarray(array.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _np_int64(array: pa.Array) -> np.ndarray:
    return np.asarray(array.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False))
