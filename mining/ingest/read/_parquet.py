"""Parquet uploads: typed columns rendered as text, so every format hands over the same thing.

Timestamps become ISO 8601 (``2024-02-03T14:05:00``, with ``+01:00`` when the column has a time
zone), numbers their shortest text (``7``, ``1234.5``), booleans ``true``/``false``, nulls ``""``.
``__line__`` is the row index + 1: Parquet has no lines, and this is what a user sees when
the file is opened in a table tool.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from mining.errors import EventLogError, UnsafeFileError
from mining.ingest.read._detect import detect_decimal, header_names
from mining.ingest.read._model import LINE_COLUMN, Detected, ReadOptions, TableReader
from mining.ingest.read._text import de_int, mib

__all__ = ["ParquetReader", "as_text"]

SAMPLE_ROWS = 1000


class ParquetReader(TableReader):
    """Reads a local Parquet file in batches; see the module docstring."""

    def __init__(self, path: Path, *, options: ReadOptions, source: str, fmt: str) -> None:
        try:
            self._file = pq.ParquetFile(path)
        except (pa.ArrowException, OSError):
            raise EventLogError(
                "Die Parquet-Datei ist beschädigt oder unvollständig.", source=source
            ) from None
        try:
            schema = self._file.schema_arrow
            for field in schema:
                if pa.types.is_nested(field.type):
                    raise EventLogError(
                        f"Die Spalte „{field.name}“ hat einen verschachtelten Typ "
                        f"({field.type}); erwartet sind einfache Werte.",
                        source=source,
                        column=field.name,
                    )
            self._names = header_names(schema.names, source=source, line=None)
            meta = self._file.metadata
            inflated = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
            if inflated > options.max_bytes:
                raise UnsafeFileError(
                    f"Die Parquet-Datei ist entpackt {mib(inflated)} MiB groß; erlaubt sind "
                    f"höchstens {mib(options.max_bytes)} MiB.",
                    source=source,
                )
            if options.max_rows is not None and meta.num_rows > options.max_rows:
                raise EventLogError(
                    f"Die Datei hat {de_int(meta.num_rows)} Zeilen; die Obergrenze für einen "
                    f"Import sind {de_int(options.max_rows)}.",
                    source=source,
                )
            sample = self._sample(source)
        except BaseException:
            self._file.close()
            raise
        super().__init__(
            Detected(
                format=fmt,
                encoding=None,
                separator=None,
                decimal=detect_decimal(sample),
                columns=tuple(self._names),
            ),
            source=source,
            options=options,
        )

    def close(self) -> None:
        self._file.close()

    def _sample(self, source: str) -> list[list[str | None]]:
        for batch in self._iterate(SAMPLE_ROWS, source):
            return [batch.column(i).to_pylist() for i in range(len(self._names))]
        return [[] for _ in self._names]

    def _batches(self) -> Iterator[pa.RecordBatch]:
        return self._iterate(max(1, self.options.batch_rows), self.source)

    def _iterate(self, size: int, source: str) -> Iterator[pa.RecordBatch]:
        offset = 0
        batches = self._file.iter_batches(batch_size=size, use_threads=False)
        while True:
            try:
                batch = next(batches)
            except StopIteration:
                return
            except (pa.ArrowException, OSError):
                raise EventLogError(
                    "Die Parquet-Datei ist beschädigt oder unvollständig.",
                    source=source,
                    line=offset + 1,
                ) from None
            columns = [
                as_text(batch.column(i), name=self._names[i], source=source)
                for i in range(batch.num_columns)
            ]
            lines = pa.array(range(offset + 1, offset + batch.num_rows + 1), type=pa.int64())
            offset += batch.num_rows
            yield pa.RecordBatch.from_arrays([*columns, lines], names=[*self._names, LINE_COLUMN])


def as_text(column: pa.Array, *, name: str, source: str) -> pa.Array:
    """One column as ``pa.string()``, nulls as ``""``."""
    try:
        return pc.fill_null(_text(column), "")
    except pa.ArrowException:  # e.g. binary that is not UTF-8, a time zone Arrow does not know
        raise EventLogError(
            f"Die Spalte „{name}“ ({column.type}) lässt sich nicht als Text lesen.",
            source=source,
            column=name,
        ) from None


def _text(column: pa.Array) -> pa.Array:
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    kind = column.type
    if pa.types.is_timestamp(kind):
        return _timestamp_text(column)
    if pa.types.is_time(kind):
        return _trim_fraction(pc.cast(column, pa.string()))
    if pa.types.is_null(kind):
        return pa.array([""] * len(column), type=pa.string())
    return pc.cast(column, pa.string())


def _timestamp_text(column: pa.Array) -> pa.Array:
    kind = column.type
    if kind.tz is None:
        return _trim_fraction(pc.strftime(column, format="%Y-%m-%dT%H:%M:%S"))
    text = _trim_fraction(pc.strftime(column, format="%Y-%m-%dT%H:%M:%S%z"))
    # strftime's %z is +0100; ISO 8601 extended format (and Python's fromisoformat) is +01:00.
    return pc.replace_substring_regex(text, pattern=r"([+-]\d{2})(\d{2})$", replacement=r"\1:\2")


def _trim_fraction(text: pa.Array) -> pa.Array:
    # Arrow prints the unit's full precision (14:05:00.000000); drop zeros nobody wrote.
    text = pc.replace_substring_regex(text, pattern=r"(\.\d*?[1-9])0+($|[+-])", replacement=r"\1\2")
    return pc.replace_substring_regex(text, pattern=r"\.0+($|[+-])", replacement=r"\1")
