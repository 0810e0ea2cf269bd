"""The reader contract every format implements: options in, string-typed Arrow batches out.

Readers never infer types. An Aktenzeichen ``007`` or a name ``NA`` must reach the normalizer as
the text the user typed (docs/RELIABILITY.md item 23); converting is the normalizer's job, done once and
with the user's mapping in hand.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType

import pyarrow as pa

from mining.errors import EventLogError
from mining.ingest.read._text import de_int

__all__ = [
    "DATE_CELLS_COLUMN",
    "LINE_COLUMN",
    "RESERVED_COLUMNS",
    "SUPPORTED_FORMATS",
    "Detected",
    "ReadOptions",
    "TableReader",
]

LINE_COLUMN = "__line__"
# XLSX only: which cells were date cells rather than text (see ``TableReader``).
DATE_CELLS_COLUMN = "__date_cells__"
RESERVED_COLUMNS = frozenset((LINE_COLUMN, DATE_CELLS_COLUMN))

# For messages: what a user may upload, by the name they see on their disk.
SUPPORTED_FORMATS: tuple[str, ...] = (
    ".csv",
    ".txt",
    ".tsv",
    ".csv.gz",
    ".xes",
    ".xes.gz",
    ".xlsx",
    ".parquet",
    ".zip (mit genau einer .csv-, .xes-, .xes.gz- oder .parquet-Datei)",
)


@dataclass(frozen=True)
class ReadOptions:
    """How to read an upload; every field has a safe default.

    ``sep`` and ``encoding`` given explicitly win over detection. ``max_bytes`` caps the bytes read
    from one upload after decompression (gzip, zip, xlsx), ``max_rows`` the data rows.
    """

    sep: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    max_bytes: int = 2 * 1024**3
    max_rows: int | None = None
    batch_rows: int = 200_000


@dataclass(frozen=True)
class Detected:
    """What the reader found out about the file; shown to the user in the import report.

    ``encoding``/``separator`` are set for CSV only. ``decimal`` is ``","`` when German-style
    numbers (``1.234,50``, ``3,5``) dominate the numeric-looking columns of the sample, else
    ``"."``. ``columns`` are the header names in file order; for XES the attribute keys met in the
    first events (more may appear later, see ``TableReader.seen_columns``).
    """

    format: str
    encoding: str | None
    separator: str | None
    decimal: str | None
    columns: tuple[str, ...]
    sheet: str | None = None


class TableReader(ABC):
    """An open upload. ``batches()`` streams it once; use as a context manager.

    Every data column of a batch is ``pa.string()``; ``__line__`` (``pa.int64()``) is the 1-based
    line of the source where the row starts (CSV: physical line, header = 1; XLSX: sheet row; XES:
    line of the ``<event>`` tag; Parquet: row index + 1). XLSX batches also carry
    ``__date_cells__``, a struct with one boolean per data column: ``True`` where the cell was a
    date cell (its text is ISO 8601, written by the reader) rather than text the user typed, so
    that the importer can read each timestamp cell by its type. Neither is a data column.

    Errors surface as ``EventLogError`` (``UnsafeFileError`` for refused files), possibly after
    some batches were yielded: a CSV's bad rows are collected over the whole file and reported
    together at the end. Callers therefore write batches to a staging file and discard it when
    iteration raises; a batch is never "committed" before ``batches()`` is exhausted.

    ``detected`` is final once ``batches()`` is exhausted. Until then one field may still
    change: a CSV whose first MiB is pure ASCII is reported as ``utf-8`` and switches to
    ``cp1252`` if a later byte says so. Read ``reader.detected`` again after iterating.
    """

    # Whether ``batches()`` may run on a worker thread while the caller works on the previous
    # batch (pyarrow parses without the GIL). Not for readers built on lxml or openpyxl objects.
    streams_on_worker = False

    def __init__(self, detected: Detected, *, source: str, options: ReadOptions) -> None:
        self.detected = detected
        self.source = source
        self.options = options
        self._seen: dict[str, None] = dict.fromkeys(detected.columns)
        self._started = False
        self._row_count = 0

    def batches(self) -> Iterator[pa.RecordBatch]:
        """Yield the rows as string batches of at most ``options.batch_rows`` rows; once only."""
        if self._started:
            raise RuntimeError("TableReader.batches() can be iterated only once")
        self._started = True
        return self._counted(self._batches())

    def seen_columns(self) -> tuple[str, ...]:
        """All data columns met so far, in order of first appearance (complete after iteration)."""
        return tuple(self._seen)

    def close(self) -> None:
        """Release files and temporary copies; safe to call twice."""
        self._started = True  # a closed reader cannot start streaming any more

    def __enter__(self) -> TableReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @abstractmethod
    def _batches(self) -> Iterator[pa.RecordBatch]:
        """The format-specific stream; batches include ``__line__`` as the last column."""

    def _counted(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        limit = self.options.max_rows
        step = max(1, self.options.batch_rows)
        for batch in batches:
            for name in batch.schema.names:
                if name not in RESERVED_COLUMNS:
                    self._seen.setdefault(name, None)
            if limit is not None and self._row_count + batch.num_rows > limit:
                first_over = batch.column(LINE_COLUMN)[limit - self._row_count].as_py()
                raise EventLogError(
                    f"Die Datei hat mehr als {de_int(limit)} Datenzeilen; das ist die Obergrenze "
                    "für einen Import. Datei aufteilen oder die Grenze anheben.",
                    source=self.source,
                    line=first_over,
                )
            self._row_count += batch.num_rows
            # Readers may produce larger blocks (pyarrow's block size); consumers get the cap.
            for offset in range(0, batch.num_rows, step):
                yield batch.slice(offset, step)
