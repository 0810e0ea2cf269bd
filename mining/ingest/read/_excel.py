"""XLSX uploads through openpyxl's read-only mode, after ``_zip.check_xlsx`` looked at the parts.

openpyxl parses with defusedxml when it is installed (``openpyxl.xml.DEFUSEDXML``); our own
prolog check in ``check_xlsx`` refuses a DTD before that, so both layers have to fail for an
entity bomb to get through. Read-only mode streams the sheet; the shared strings are loaded
whole, which is why ``check_xlsx`` caps the inflated size of every part first.

Cells become text the way a person reads them in Excel: ``7`` not ``7.0``, at most 15
significant digits (Excel's own precision, so no ``0.30000000000000004``), dates as ISO 8601
without a time zone (Excel has none), booleans ``true``/``false``, empty cells ``""``. Text cells
stay exactly as typed (``007``, ``NA``, ``None``).

Which cells were date cells (a date or date-and-time, or a number in a date format) travels
along in ``__date_cells__``: a column of an export that took over old records often holds real
date cells beside dates typed as text ("03.02.2019 14:05"), and the importer reads each by its
type (issue 12.6). A time of day alone is no timestamp and counts as text.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from mining.errors import EventLogError, UnsafeFileError
from mining.ingest.read._detect import detect_decimal, header_names
from mining.ingest.read._model import (
    DATE_CELLS_COLUMN,
    LINE_COLUMN,
    Detected,
    ReadOptions,
    TableReader,
)
from mining.ingest.read._text import de_int, listed
from mining.ingest.read._xmlguard import DTD_REASON
from mining.ingest.read._zip import check_xlsx, open_zip

__all__ = ["ExcelReader", "cell_text"]

SAMPLE_ROWS = 1000
MAX_LISTED_BAD_ROWS = 1000
_Row = tuple[int, list[str], tuple[int, ...]]  # sheet row, cell texts, date-cell columns


class ExcelReader(TableReader):
    """The rows of one sheet (``options.sheet`` or the first) as string batches."""

    def __init__(self, path: Path, *, options: ReadOptions, source: str) -> None:
        with open_zip(path, source) as archive:
            check_xlsx(archive, source=source, max_bytes=options.max_bytes)
        import openpyxl  # deferred: only xlsx uploads pay for the import

        # A file object, not the path: openpyxl refuses paths without an .xlsx suffix, and an
        # upload's temp file has none.
        self._file = open(path, "rb")  # closed in close()
        try:
            self._book = openpyxl.load_workbook(self._file, read_only=True, data_only=True)
        except Exception as err:  # openpyxl raises plain ValueError/KeyError for bad parts
            self._file.close()
            raise _excel_error(err, source) from None
        try:
            sheet = self._sheet(options.sheet, source)
            self._sheet_title = sheet.title
            limit = options.max_rows
            if limit is not None and (sheet.max_row or 0) > limit + 1:
                raise EventLogError(
                    f"Das Tabellenblatt hat {de_int(sheet.max_row or 0)} Zeilen; die Obergrenze "
                    f"für einen Import sind {de_int(limit)} Datenzeilen.",
                    source=source,
                )
            self._cells = self._guarded(sheet.iter_rows(values_only=True), source)
            header_line, header = self._header(source)
            self._names = header_names(header, source=source, line=header_line)
            self._bad_lines: list[int] = []
            self._bad_count = 0
            self._peeked: list[_Row] = list(islice(self._data_rows(source), SAMPLE_ROWS))
            if not self._peeked:
                if self._bad_count:
                    raise self._bad_rows_error(source)
                raise EventLogError(
                    "Das Tabellenblatt enthält nur die Kopfzeile, keine Datenzeilen.",
                    source=source,
                    line=header_line,
                )
        except BaseException:
            self.close()
            raise
        columns = [[values[i] for _, values, _ in self._peeked] for i in range(len(self._names))]
        super().__init__(
            Detected(
                format="xlsx",
                encoding=None,
                separator=None,
                decimal=detect_decimal(columns),
                columns=tuple(self._names),
                sheet=self._sheet_title,
            ),
            source=source,
            options=options,
        )

    def close(self) -> None:
        try:
            self._book.close()
        finally:
            self._file.close()

    def _batches(self) -> Iterator[pa.RecordBatch]:
        rows = self._peeked
        self._peeked = []
        size = max(1, self.options.batch_rows)
        for row in self._data_rows(self.source):
            rows.append(row)
            if len(rows) >= size:
                yield self._to_batch(rows)
                rows = []
        if rows:
            yield self._to_batch(rows)
        if self._bad_count:
            raise self._bad_rows_error(self.source)

    def _bad_rows_error(self, source: str) -> EventLogError:
        return EventLogError(
            f"{de_int(self._bad_count)} Zeile(n) haben Werte rechts der letzten Spalte mit "
            f"Überschrift; die Datei wird nicht übernommen. Betroffen: Zeile "
            f"{listed(self._bad_lines, total=self._bad_count)}. Überschrift ergänzen oder die Werte entfernen.",
            source=source,
            line=self._bad_lines[0],
            lines=tuple(self._bad_lines),
        )

    def _sheet(self, name: str | None, source: str) -> Any:
        if name is None:
            if not self._book.worksheets:
                raise EventLogError("Die Excel-Datei enthält kein Tabellenblatt.", source=source)
            return self._book.worksheets[0]
        if name not in self._book.sheetnames:
            raise EventLogError(
                f"Tabellenblatt „{name}“ nicht gefunden; vorhanden: "
                + ", ".join(f"„{n}“" for n in self._book.sheetnames)
                + ".",
                source=source,
            )
        return self._book[name]

    def _header(self, source: str) -> tuple[int, list[str]]:
        # Leading empty rows are common above a hand-made table; the first row with content is
        # the header. Trailing empty header cells are padding, not columns.
        for line, values in self._cells:
            texts = [cell_text(v) for v in values]
            while texts and not texts[-1].strip():
                texts.pop()
            if texts:
                return line, texts
        raise EventLogError("Das Tabellenblatt ist leer.", source=source)

    def _data_rows(self, source: str) -> Iterator[_Row]:
        width = len(self._names)
        for line, values in self._cells:
            texts = [cell_text(v) for v in values]
            if not any(texts):
                continue  # an empty row is layout, not an event
            if any(texts[width:]):
                self._bad_count += 1
                if len(self._bad_lines) < MAX_LISTED_BAD_ROWS:
                    self._bad_lines.append(line)
                continue
            texts = texts[:width]
            texts.extend([""] * (width - len(texts)))
            dates = tuple(i for i, v in enumerate(values[:width]) if isinstance(v, dt.date))
            yield line, texts, dates

    def _to_batch(self, rows: list[_Row]) -> pa.RecordBatch:
        width = len(self._names)
        arrays = [
            pa.array([values[i] for _, values, _ in rows], type=pa.string()) for i in range(width)
        ]
        dates = np.zeros((len(rows), width), dtype=bool)
        for index, (_, _, columns) in enumerate(rows):
            dates[index, list(columns)] = True
        marks = pa.StructArray.from_arrays(
            [pa.array(dates[:, i]) for i in range(width)], names=self._names
        )
        lines = pa.array([line for line, _, _ in rows], type=pa.int64())
        return pa.RecordBatch.from_arrays(
            [*arrays, marks, lines], names=[*self._names, DATE_CELLS_COLUMN, LINE_COLUMN]
        )

    @staticmethod
    def _guarded(rows: Iterator[tuple[Any, ...]], source: str) -> Iterator[tuple[int, tuple]]:
        # Read-only sheets yield every row from 1 on, empty ones included, so the count is the
        # sheet row number.
        try:
            yield from enumerate(rows, start=1)
        except Exception as err:
            raise _excel_error(err, source) from None


def cell_text(value: object) -> str:
    """One cell as the text a user sees in Excel (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".15g")
    if isinstance(value, dt.datetime):
        return _iso_datetime(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value.total_seconds())
    return str(value)


def _iso_datetime(value: dt.datetime) -> str:
    # Excel stores days as a float; conversions can land a hair off the intended value
    # (14:04:59.999999). Excel itself shows milliseconds at most, so round to those.
    value = value.replace(tzinfo=None)
    rounded = value + dt.timedelta(microseconds=500)
    rounded = rounded.replace(microsecond=rounded.microsecond // 1000 * 1000)
    if rounded.microsecond == 0:
        return rounded.isoformat(timespec="seconds")
    return rounded.isoformat(timespec="milliseconds")


def _excel_error(err: Exception, source: str) -> EventLogError:
    if isinstance(err, EventLogError):
        return err
    if _is_defused(err):
        return UnsafeFileError(DTD_REASON, source=source)
    if isinstance(err, zipfile.BadZipFile):
        return EventLogError("Die Excel-Datei ist beschädigt.", source=source)
    return EventLogError(
        f"Die Excel-Datei kann nicht gelesen werden ({type(err).__name__}). Bitte in Excel "
        "öffnen und erneut als .xlsx speichern.",
        source=source,
    )


def _is_defused(err: BaseException) -> bool:
    try:
        from defusedxml import DefusedXmlException
    except ImportError:  # pragma: no cover - defusedxml is a dependency
        return False
    seen: BaseException | None = err
    while seen is not None:
        if isinstance(seen, DefusedXmlException):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
