"""String-typed raw event rows → the canonical event table, batch by batch.

Input: ``pyarrow.RecordBatch``es from :mod:`mining.ingest.read` whose data columns are all strings (an
empty cell is ``""``) plus ``__line__`` (1-based source line). Output: batches with one fixed
schema (:func:`output_schema`), ready for Parquet. The steps and why:

* Only mapped columns survive (the allow-list of docs/RELIABILITY.md §4); :func:`dropped_columns` names
  the rest so the caller can tell the user.
* Text is stripped of surrounding blanks and otherwise taken literally: ``007`` stays ``007``,
  ``NA`` and ``None`` stay text (item 23). Empty optional cells become null.
* Rows with an empty case ID or activity are dropped and listed (item 22) — pm4py drops them with
  only a warning.
* Timestamps go through :mod:`mining.ingest.timestamps` with one format per column, detected once on the
  first batch that has values and reused for all later ones. Invalid rows are dropped from the
  output and listed with their reasons; whether that rejects the import is the caller's decision.
  An Excel sheet marks its date cells (``__date_cells__``): those are read as the dates they are,
  and only the text cells beside them go by the detected or the explicit format (issue 12.6), so
  neither kind can make the other fail.
* Intake-channel columns kept without being named (``mapping.channels``) are watched as they
  stream by: :meth:`Normalizer.report` names those whose values do not look like channels
  (e-mail addresses, names, too many values), and the caller leaves them out of the stored log.
* Resources are pseudonymized or replaced by roles, or dropped when no pseudonymizer is given;
  they are never written raw (item 37). Case IDs get surrogates when a case pseudonymizer is set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mining.errors import MappingError
from mining.ingest import _timeparse as tp
from mining.ingest._normalize_report import DROPPED, PSEUDONYMIZED, ROLES, NormalizeReport
from mining.ingest.channels import ChannelValues, is_channel_column
from mining.ingest.columns import LINE_COLUMN, ColumnMapping
from mining.ingest.privacy import Pseudonymizer
from mining.ingest.read import DATE_CELLS_COLUMN
from mining.ingest.timestamps import (
    ISO8601,
    REASONS,
    UTC_TIMESTAMP,
    ParsedColumn,
    TimestampPolicy,
    detect_timestamp_format,
    parse_column,
    to_arrow,
)

__all__ = [
    "CANONICAL_COLUMNS",
    "DROPPED",
    "PSEUDONYMIZED",
    "ROLES",
    "NormalizeOptions",
    "NormalizeReport",
    "Normalizer",
    "dropped_columns",
    "output_schema",
]

CANONICAL_COLUMNS = ("case_id", "activity", "timestamp", "start_timestamp", "resource", "org_unit")
LINE = "line"
START_AFTER_END = "Beginn nach Ende"
_DETECTION_SAMPLE = 1000  # values, spread over the first batch
# Text columns leave the normalizer dictionary-encoded: case IDs, activities and people repeat
# on every row, so stripping, empty checks and pseudonyms work on the distinct values, and the
# events wait for the sort in a few bytes a row.
TEXT = pa.dictionary(pa.int32(), pa.string())


@dataclass(frozen=True)
class NormalizeOptions:
    mapping: ColumnMapping
    timestamp_format: str | None = None  # explicit (also for start); else detected per column
    policy: TimestampPolicy = TimestampPolicy()
    resource_pseudonymizer: Pseudonymizer | None = None  # None: resource column dropped entirely
    case_pseudonymizer: Pseudonymizer | None = None  # None: case IDs kept as given


def output_schema(mapping: ColumnMapping) -> pa.Schema:
    """The fixed schema of every normalized batch for ``mapping``."""
    fields = [
        pa.field("case_id", TEXT, nullable=False),
        pa.field("activity", TEXT, nullable=False),
        pa.field("timestamp", UTC_TIMESTAMP, nullable=False),
        pa.field("start_timestamp", UTC_TIMESTAMP),
        pa.field("resource", TEXT),
        pa.field("org_unit", TEXT),
        *(pa.field(name, TEXT) for name in mapping.attributes),
        pa.field(LINE, pa.int64(), nullable=False),
    ]
    return pa.schema(fields)


def dropped_columns(all_columns: Sequence[str], mapping: ColumnMapping) -> tuple[str, ...]:
    """Source columns the allow-list drops (everything not mapped), in source order."""
    kept = set(mapping.columns()) | {LINE_COLUMN, DATE_CELLS_COLUMN}
    return tuple(name for name in all_columns if name not in kept)


class Normalizer:
    """Normalizes the batches of one source in order; :meth:`report` summarizes all of them."""

    def __init__(self, options: NormalizeOptions, *, source: str) -> None:
        mapping = options.mapping
        clash = sorted(set(mapping.attributes) & {*CANONICAL_COLUMNS, LINE})
        if clash:
            raise MappingError(
                "eine zusätzlich übernommene Spalte trägt den Namen einer Standardspalte; "
                "bitte umbenennen oder nicht übernehmen",
                source=source,
                column=clash[0],
            )
        self._options = options
        self._source = source
        self.schema = output_schema(mapping)
        self._needed = frozenset(mapping.columns()) | {LINE_COLUMN, DATE_CELLS_COLUMN}
        explicit = options.timestamp_format or options.policy.format
        self._format = explicit
        self._start_format = explicit if mapping.start_timestamp else None
        self._rows_in = 0
        self._rows_out = 0
        self._dropped: list[np.ndarray] = []
        self._invalid: list[tuple[int, str]] = []
        self._shifted: list[np.ndarray] = []
        self._ambiguous: list[np.ndarray] = []
        self._unmapped: set[str] = set()
        self._date_cells = 0
        self._channels = {name: ChannelValues() for name in mapping.channels}

    def normalize(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """One raw batch → one canonical batch (possibly with fewer rows)."""
        mapping = self._options.mapping
        if LINE_COLUMN not in batch.schema.names:
            raise ValueError(f"batch without column {LINE_COLUMN!r}: every reader adds it")
        self._rows_in += batch.num_rows
        # Allow-list first: unmapped columns are not even copied by the filters below.
        batch = batch.select([name for name in batch.schema.names if name in self._needed])
        lines = batch.column(LINE_COLUMN).cast(pa.int64())

        case = _codes(batch, mapping.case)
        activity = _codes(batch, mapping.activity)
        present = ~(_is_empty(case) | _is_empty(activity))
        if not present.all():
            self._dropped.append(_np(lines)[~present])
            keep = pa.array(present)
            batch = batch.filter(keep)
            lines, case, activity = (pc.filter(a, keep) for a in (lines, case, activity))

        end = self._parse(batch, mapping.timestamp, required=True)
        start = self._parse(batch, mapping.start_timestamp, required=False)
        line_numbers = _np(lines)
        valid = self._record_invalid(end, start, line_numbers)
        self._shifted.append(line_numbers[(end.shifted | start.shifted) & valid])
        self._ambiguous.append(line_numbers[(end.ambiguous | start.ambiguous) & valid])

        if not valid.all():
            keep = pa.array(valid)
            batch = batch.filter(keep)
            case, activity, lines = (pc.filter(a, keep) for a in (case, activity, lines))
        columns = [
            self._cases(case),
            activity,
            to_arrow(end.utc_us[valid], end.present[valid]),
            to_arrow(start.utc_us[valid], start.present[valid]),
            self._resources(batch),
            _nullable(_codes(batch, mapping.org_unit)),
            *(_nullable(_codes(batch, name)) for name in mapping.attributes),
            lines,
        ]
        self._rows_out += batch.num_rows
        for name, seen in self._channels.items():
            values = _codes(batch, name)
            present_rows = int(np.count_nonzero(~_is_empty(values)))
            seen.add(pc.unique(values).dictionary.to_pylist(), rows=present_rows)
        return pa.RecordBatch.from_arrays(columns, schema=self.schema)

    def report(self) -> NormalizeReport:
        options = self._options
        if options.resource_pseudonymizer is None or options.mapping.resource is None:
            mode = DROPPED
        else:
            mode = ROLES if options.resource_pseudonymizer.uses_roles else PSEUDONYMIZED
        withheld = {
            name: reason
            for name, seen in self._channels.items()
            if (reason := seen.reason()) is not None
        }
        return NormalizeReport(
            rows_in=self._rows_in,
            rows_out=self._rows_out,
            dropped_empty=_joined(self._dropped),
            invalid_timestamps=tuple(self._invalid),
            dst_shifted=_joined(self._shifted),
            dst_ambiguous=_joined(self._ambiguous),
            timestamp_format=self._format or "",
            start_timestamp_format=self._start_format,
            resource_mode=mode,
            unmapped_resources=len(self._unmapped),
            date_cells=self._date_cells,
            channels=tuple(
                name
                for name in options.mapping.attributes
                if is_channel_column(name) and name not in withheld
            ),
            withheld_channels=tuple(withheld.items()),
        )

    def _parse(self, batch: pa.RecordBatch, column: str | None, *, required: bool) -> ParsedColumn:
        """Parse one timestamp column: date cells as dates, text by the column's text format."""
        text = _text(batch, column)
        dates = _date_cells(batch, column)
        text_cells = text if dates is None else pc.filter(text, pa.array(~dates))
        is_start = not required
        fmt = self._start_format if is_start else self._format
        if fmt is None and column is not None:
            # The format of the text cells, detected on them alone.
            fmt = self._detect(text_cells, column)
            if is_start:
                self._start_format = fmt
            else:
                self._format = fmt
        policy = self._options.policy
        # No text values seen yet: any format reports every row as empty (or null when optional).
        parsed = parse_column(text, fmt=fmt or ISO8601, policy=policy, required=required)
        if dates is None or not dates.any():
            return parsed
        self._date_cells += int(dates.sum())
        cells = parse_column(text, fmt=ISO8601, policy=policy, required=required)
        return _by_cell_type(dates, cells, parsed)

    def _detect(self, text: pa.Array, column: str) -> str | None:
        values = pc.filter(text, pc.not_equal(text, ""))
        if len(values) == 0:
            return None
        spread = np.unique(np.linspace(0, len(values) - 1, _DETECTION_SAMPLE).astype(np.int64))
        sample = values.take(pa.array(spread)).to_pylist()
        return detect_timestamp_format(sample, column=column, source=self._source)

    def _record_invalid(
        self, end: ParsedColumn, start: ParsedColumn, line_numbers: np.ndarray
    ) -> np.ndarray:
        """Collect (line, reason) for every row that cannot be kept; return the keep mask."""
        start_after_end = end.present & start.present & (start.utc_us > end.utc_us)
        valid = (end.code == tp.OK) & (start.code == tp.OK) & ~start_after_end
        for index in np.flatnonzero(~valid):  # only the rejected rows are visited
            if end.code[index] != tp.OK:
                reason = REASONS[int(end.code[index])]
            elif start.code[index] != tp.OK:
                reason = "Beginn: " + REASONS[int(start.code[index])]
            else:
                reason = START_AFTER_END
            self._invalid.append((int(line_numbers[index]), reason))
        return valid

    def _cases(self, case: pa.DictionaryArray) -> pa.Array:
        pseudonymizer = self._options.case_pseudonymizer
        return case if pseudonymizer is None else pc.dictionary_encode(pseudonymizer.apply(case))

    def _resources(self, batch: pa.RecordBatch) -> pa.Array:
        pseudonymizer = self._options.resource_pseudonymizer
        column = self._options.mapping.resource
        if pseudonymizer is None or column is None:
            return pa.nulls(batch.num_rows, TEXT)  # never stored raw
        values, unmapped = pseudonymizer.apply_and_count(_codes(batch, column))
        self._unmapped |= unmapped
        return pc.dictionary_encode(values)


def _text(batch: pa.RecordBatch, column: str | None) -> pa.Array:
    """A stripped string column; a column missing from this batch (XES) is all empty."""
    if column is None or column not in batch.schema.names:
        return pa.repeat(pa.scalar("", pa.string()), batch.num_rows)
    values = batch.column(column)
    return pc.utf8_trim_whitespace(values.cast(pa.string()).fill_null(""))


def _codes(batch: pa.RecordBatch, column: str | None) -> pa.DictionaryArray:
    """A text column as its distinct stripped values and a code per row, "" for an empty cell
    (and for a column missing from this batch, as in XES)."""
    if column is None or column not in batch.schema.names:
        zeros = pa.array(np.zeros(batch.num_rows, dtype=np.int32))
        return pa.DictionaryArray.from_arrays(zeros, pa.array([""], pa.string()))
    raw = pc.dictionary_encode(batch.column(column).cast(pa.string()).fill_null(""))
    # Stripped once per distinct value, not per row; stripping can make two values equal.
    stripped = pc.dictionary_encode(pc.utf8_trim_whitespace(raw.dictionary))
    return pa.DictionaryArray.from_arrays(stripped.indices.take(raw.indices), stripped.dictionary)


def _is_empty(codes: pa.DictionaryArray) -> np.ndarray:
    empty = np.asarray(pc.equal(codes.dictionary, "").to_numpy(zero_copy_only=False), dtype=bool)
    return empty[codes.indices.to_numpy(zero_copy_only=False)]


def _date_cells(batch: pa.RecordBatch, column: str | None) -> np.ndarray | None:
    """Which rows of ``column`` were date cells of a sheet; None for a source without types."""
    if column is None or DATE_CELLS_COLUMN not in batch.schema.names:
        return None
    marks = batch.column(DATE_CELLS_COLUMN)
    if marks.type.get_field_index(column) < 0:
        return None
    return np.asarray(marks.field(column).to_numpy(zero_copy_only=False), dtype=bool)


def _by_cell_type(dates: np.ndarray, cells: ParsedColumn, text: ParsedColumn) -> ParsedColumn:
    """Row by row: ``cells`` where the cell was a date cell, ``text`` elsewhere."""
    return ParsedColumn(
        *(np.where(dates, getattr(cells, f.name), getattr(text, f.name)) for f in fields(cells))
    )


def _nullable(codes: pa.DictionaryArray) -> pa.DictionaryArray:
    """Empty cells as nulls (the empty value may stay in the dictionary, unused)."""
    empty = _is_empty(codes)
    if not empty.any():
        return codes
    indices = pa.array(codes.indices.to_numpy(zero_copy_only=False), mask=empty)
    return pa.DictionaryArray.from_arrays(indices, codes.dictionary)


def _np(array: pa.Array) -> np.ndarray:
    return np.asarray(array.to_numpy(zero_copy_only=False))


def _joined(parts: list[np.ndarray]) -> tuple[int, ...]:
    return tuple(np.concatenate(parts).tolist()) if parts else ()
