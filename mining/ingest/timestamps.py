"""Timestamps of uploaded event logs: format detection, strict parsing, DST policy, plausibility.

Why this module exists (docs/RELIABILITY.md §2): pandas' inference and ``pm4py.format_dataframe`` silently
swap day and month in German ``dd.mm.yyyy`` timestamps — even inconsistently within one column —
and label local time as UTC. Here every value is parsed with one explicit format, detected from a
sample in a fixed candidate order that never guesses month-first for dotted dates.

**Time zones.** Values with ``Z`` or a ``±hh:mm`` offset are taken as written. Naive values are wall
clock times in :attr:`TimestampPolicy.timezone` (default Europe/Berlin). Output is always UTC.

**DST policy** (documented contract, tests depend on it):

* *Ambiguous* local times at the end of summer time (27.10.2024 02:30 occurs twice) take the
  **first occurrence** — summer time, the earlier instant.
* *Non-existent* local times at the start of summer time (31.03.2024 02:30 never happens) are
  **shifted forward** to the first valid time after the gap (03:00 summer time).

Both rules map wall-clock time monotonically onto instants, so a case whose steps were recorded in
increasing local time never gets a negative duration. Both are reported by line.

**Plausibility.** Values after :attr:`TimestampPolicy.not_after` (default: now + 1 day) or before
:attr:`TimestampPolicy.not_before` (default 1970-01-01) are invalid, like unparseable or impossible
ones (31.02.2024). Invalid values are never coerced silently: each is listed with its line and a
short German reason that does not repeat the cell content.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mining.errors import EventLogError
from mining.ingest import _timeparse as tp
from process_registry import OFFICE_TIMEZONE

__all__ = [
    "BERLIN",
    "ISO8601",
    "ParsedTimestamps",
    "TimestampPolicy",
    "describe_format",
    "detect_timestamp_format",
    "parse_timestamps",
]

BERLIN = OFFICE_TIMEZONE  # the zone of naive times unless an import names another
ISO8601 = tp.ISO8601
UTC_TIMESTAMP = pa.timestamp("us", tz="UTC")

REASONS = {
    tp.EMPTY: "Zeitstempel fehlt",
    tp.UNPARSEABLE: "kein gültiges Datum",
    tp.IMPOSSIBLE: "Datum existiert nicht",
    tp.FUTURE: "liegt in der Zukunft",
    tp.TOO_EARLY: "liegt vor dem frühesten zulässigen Datum",
}

# Detection order. Dotted dates are always day-first (German); ISO first because it is
# unambiguous. Slash dates come in day-first/month-first twins and are only accepted when the
# sample itself decides between them.
_DOTTED = tuple(
    f"%d.%m.{year}{time}"
    for year in ("%Y", "%y")
    for time in (" %H:%M:%S", " %H:%M", "", " %H:%M:%S.%f")
)
_YEAR_SLASH = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d")
_SLASH_TWINS = tuple(
    (f"%d/%m/{year}{time}", f"%m/%d/{year}{time}")
    for year in ("%Y", "%y")
    for time in (" %H:%M:%S", " %H:%M", "")
)
CANDIDATES: tuple[str, ...] = (
    ISO8601,
    *_DOTTED,
    *_YEAR_SLASH,
    *(fmt for pair in _SLASH_TWINS for fmt in pair),
)
_TWIN = dict(_SLASH_TWINS) | {b: a for a, b in _SLASH_TWINS}
_MIN_SHARE = 0.5  # below this share of the sample, the column is not a timestamp column
_SHARE_SAMPLE = 200  # values enough to judge a column in the mapping wizard


@dataclass(frozen=True)
class TimestampPolicy:
    """How naive values are placed in time and which instants are plausible."""

    format: str | None = None  # explicit strptime format (or "ISO8601") wins over detection
    timezone: str = BERLIN  # zone of naive local times
    not_after: datetime | None = None  # None: now + 1 day, computed at each parse call
    not_before: datetime = datetime(1970, 1, 1, tzinfo=UTC)

    def __post_init__(self) -> None:
        for bound in (self.not_after, self.not_before):
            if bound is not None and bound.tzinfo is None:
                raise ValueError("not_after/not_before need a time zone (e.g. tzinfo=UTC)")


@dataclass(frozen=True)
class ParsedTimestamps:
    """One parsed column: UTC instants (null where invalid) and the affected source lines."""

    values: pa.TimestampArray  # timestamp[us, tz="UTC"]
    invalid_lines: tuple[int, ...]
    invalid_reasons: tuple[str, ...]  # parallel to invalid_lines
    dst_shifted_lines: tuple[int, ...]
    dst_ambiguous_lines: tuple[int, ...]


def detect_timestamp_format(values: Sequence[str], *, column: str, source: str) -> str:
    """The format of a sample of timestamp strings, as a token :func:`parse_timestamps` accepts.

    Candidates are tried in a fixed order (ISO 8601, German dotted day-first, ``%Y/%m/%d``, slash
    dates) and the one that parses most of the sample wins; ties go to the earlier candidate.
    Slash dates such as ``03/02/2024`` are US or European: they are accepted only when the sample
    contains a first field above 12 (day-first) or a second field above 12 (month-first).

    Raises :class:`EventLogError` naming the column when the sample is empty, ambiguous, or mostly
    not a date.
    """
    sample = [value.strip() for value in values if value and value.strip()]
    if not sample:
        raise EventLogError("die Spalte enthält keine Zeitangaben", source=source, column=column)
    fmt, matched, ambiguous = best_format(sample)
    if ambiguous:
        raise EventLogError(
            "Datumsangaben mit Schrägstrich sind mehrdeutig (Tag/Monat oder Monat/Tag, "
            "z. B. 03/02/2024). Bitte das Zeitformat angeben (Kommandozeile: --timestamp-format), z. B. "
            '"%d/%m/%Y %H:%M" (Tag zuerst) oder "%m/%d/%Y %H:%M" (Monat zuerst).',
            source=source,
            column=column,
        )
    if fmt is None or matched < _MIN_SHARE * len(sample):
        raise EventLogError(
            f"Zeitformat nicht erkannt ({len(sample) - matched} von {len(sample)} geprüften "
            "Werten passen zu keinem bekannten Format). Bitte das Format angeben, z. B. "
            '--timestamp-format "%d.%m.%Y %H:%M".',
            source=source,
            column=column,
        )
    return fmt


def best_format(sample: Sequence[str]) -> tuple[str | None, int, bool]:
    """(best candidate or None, how many sample values have its shape, slash-ambiguous?).

    A value of the right shape counts even if the day does not exist (``31.02.2024``): it says
    which format the column uses, and parsing then reports that row by line. Between candidates
    matching as many values, the one that also parses more wins, then the earlier one.
    """
    text = pa.array(list(sample), type=pa.string())
    counts = {fmt: _count_matches(text, fmt) for fmt in CANDIDATES}
    best = max(CANDIDATES, key=lambda fmt: counts[fmt])  # max() keeps the first of equals
    if counts[best][0] == 0:
        return None, 0, False
    ambiguous = best in _TWIN and counts[_TWIN[best]] == counts[best]
    return best, counts[best][0], ambiguous


def date_share(sample: Sequence[str]) -> float:
    """Share of the non-empty values that parse with the best candidate (for mapping hints)."""
    values = [value.strip() for value in sample if value and value.strip()][:_SHARE_SAMPLE]
    if not any(char.isdigit() for value in values for char in value):
        return 0.0  # cheap exit for text columns: every candidate format needs digits
    _, matched, _ = best_format(values)
    return matched / len(values)


def parse_timestamps(
    values: pa.Array,
    lines: pa.Array,
    *,
    fmt: str,
    policy: TimestampPolicy,
    required: bool = True,
) -> ParsedTimestamps:
    """Parse a string column exactly in ``fmt``; see the module docstring for the rules.

    ``values`` (strings) and ``lines`` (int64 source lines) are parallel. With ``required=False``
    an empty value is a null, not an error (for optional start timestamps).
    """
    column = parse_column(values, fmt=fmt, policy=policy, required=required)
    line_numbers = np.asarray(lines.cast(pa.int64()).to_numpy(zero_copy_only=False))
    invalid = np.flatnonzero(column.code != tp.OK)
    return ParsedTimestamps(
        values=to_arrow(column.utc_us, column.present),
        invalid_lines=tuple(line_numbers[invalid].tolist()),
        invalid_reasons=reasons(column.code[invalid]),
        dst_shifted_lines=tuple(line_numbers[column.shifted].tolist()),
        dst_ambiguous_lines=tuple(line_numbers[column.ambiguous].tolist()),
    )


@dataclass(frozen=True)
class ParsedColumn:
    """The array form behind :func:`parse_timestamps` (one entry per row, no line numbers)."""

    utc_us: np.ndarray  # int64 UTC microseconds, meaningful where ``present``
    code: np.ndarray  # int8 reason code; ``_timeparse.OK`` = no problem (empty optional is OK)
    present: np.ndarray  # bool: a valid instant is in utc_us
    shifted: np.ndarray  # bool: non-existent local time moved forward (valid rows only)
    ambiguous: np.ndarray  # bool: ambiguous local time read as first occurrence (valid rows)


def parse_column(
    values: pa.Array, *, fmt: str, policy: TimestampPolicy, required: bool = True
) -> ParsedColumn:
    """Parse and check plausibility; the normalizer uses this to stay in row positions."""
    text = pc.utf8_trim_whitespace(values.cast(pa.string()).fill_null(""))
    raw = tp.parse_raw(text, fmt, policy.timezone)
    code = raw.code.copy()
    parsed = code == tp.OK
    not_after = policy.not_after or datetime.now(UTC) + timedelta(days=1)
    code[parsed & (raw.utc_us > _us(not_after))] = tp.FUTURE
    code[parsed & (raw.utc_us < _us(policy.not_before))] = tp.TOO_EARLY
    empty = raw.code == tp.EMPTY
    if not required:
        code[empty] = tp.OK
    present = (code == tp.OK) & ~empty
    return ParsedColumn(
        utc_us=raw.utc_us,
        code=code,
        present=present,
        shifted=raw.shifted & present,
        ambiguous=raw.ambiguous & present,
    )


def to_arrow(utc_us: np.ndarray, valid: np.ndarray) -> pa.TimestampArray:
    """UTC microseconds → ``timestamp[us, tz=UTC]``, null where not ``valid``."""
    ints = pa.array(utc_us, type=pa.int64(), mask=~valid)
    return ints.view(UTC_TIMESTAMP)


def reasons(codes: np.ndarray) -> tuple[str, ...]:
    return tuple(REASONS[int(code)] for code in codes)


def describe_format(fmt: str) -> str:
    """A format for German users: ``%d.%m.%Y %H:%M`` → ``TT.MM.JJJJ hh:mm``."""
    if fmt == ISO8601:
        return "ISO 8601 (JJJJ-MM-TT…)"
    names = {
        "%d": "TT",
        "%m": "MM",
        "%Y": "JJJJ",
        "%y": "JJ",
        "%H": "hh",
        "%M": "mm",
        "%S": "ss",
        "%f": "ffffff",
        "%z": "±hh:mm",
    }
    for directive, name in names.items():
        fmt = fmt.replace(directive, name)
    return fmt


def _count_matches(text: pa.Array, fmt: str) -> tuple[int, int]:
    """(values of the format's shape, values that also parse) for one candidate."""
    # UTC: detection only asks "is this a date in that format", the zone does not matter.
    code = tp.parse_raw(text, fmt, "UTC").code
    parsed = int(np.count_nonzero(code == tp.OK))
    return parsed + int(np.count_nonzero(code == tp.IMPOSSIBLE)), parsed


def _us(moment: datetime) -> int:
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
