"""CSV uploads: pyarrow's streaming reader, all text, with the physical source line of each row.

pyarrow parses in C++ with bounded memory (a few blocks in flight), so a 5-million-row export
streams. Three things it does not do for us, done here:

* **Line numbers.** pyarrow's ``InvalidRow.number`` counts *rows* (header and blank lines
  included), not physical lines, and valid rows carry no number at all. We count ourselves: a
  row starts one line after the previous row's start plus the newlines embedded in the previous
  row's quoted values (``pc.count_substring`` per column, vectorised), and rows the handler
  rejected occupy their own number of lines. Blank lines arrive as all-empty rows (with
  ``ignore_empty_lines=False``; with ``True`` they would vanish and shift every later line) and
  are dropped after numbering, like any row whose fields are all empty: it holds no event. Line breaks are counted as LF: a lone CR inside a quoted value
  would not be counted (old Mac files only).
* **Bad rows** (docs/RELIABILITY.md item 21): too many or too few fields are never padded or skipped
  silently. The handler collects them all; after the last row one ``EventLogError`` names
  every line.
* **Swallowed rows** (issue 12.2). A quote that is never closed, or closed only by some later
  quote, turns the rows after it into one value; pyarrow reports that only when the field count
  happens to break, so a quote in the last column, or one closed later, used to cost rows
  without an error. (Re-parsing the last row when the file's quote count was odd missed both:
  the parity says nothing once a quote is text somewhere, and Python's csv module gave up at
  its field-size limit, which read as "closed".) ``QuoteScanner`` follows the quotes over the
  very bytes pyarrow reads and refuses the file at the first batch after the problem, naming
  the line where the quote opened.
* **Encodings**, via ``TranscodingStream`` (strict, with the line of a bad byte; a file that
  mixes UTF-8 with Windows-1252 is refused naming the lines in the other encoding).
"""

from __future__ import annotations

import codecs
import heapq
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from mining.errors import EventLogError
from mining.ingest.read._detect import (
    detect_decimal,
    header_names,
    normalize_separator,
    parse_records,
    sniff_separator,
)
from mining.ingest.read._encoding import EncodingChoice, TranscodingStream, choose_encoding
from mining.ingest.read._model import LINE_COLUMN, Detected, ReadOptions, TableReader
from mining.ingest.read._quotes import TOO_LONG, QuoteProblem, QuoteScanner
from mining.ingest.read._stream import Source, read_head
from mining.ingest.read._text import de_int, listed, mib

__all__ = ["CsvReader"]

DETECT_BYTES = 1024 * 1024
# pyarrow's peak memory grows steeply with the block size (measured on 5 million rows: 1 MiB
# blocks 124 MB RSS, 4 MiB 263 MB, 8 MiB 404 MB, same speed). A row must fit into one block, so
# 2 MiB also caps a single row; more than that in one event is an unterminated quote in practice.
BLOCK_BYTES = 2 * 1024 * 1024
SAMPLE_RECORDS = 1000
MAX_LISTED_BAD_ROWS = 1000
# Type hints for more columns than the sample showed cost nothing and keep every column text
# even if pyarrow's header parse disagreed with the sample's.
_SPARE_COLUMNS = 64
_LF = ord("\n")
_SEPARATOR_LABELS = {";": "';'", ",": "','", "\t": "Tabulator", "|": "'|'"}


@dataclass(frozen=True)
class _BadRow:
    number: int | None  # pyarrow's 1-based row count (header and blank lines included)
    newlines: int
    expected: int
    actual: int
    open_quote: bool


class CsvReader(TableReader):
    """Reads a CSV (plain, gzip or zip member) as string batches; see the module docstring."""

    streams_on_worker = True

    def __init__(self, source: Source, *, options: ReadOptions, fmt: str) -> None:
        name = source.name
        head, complete = read_head(source, DETECT_BYTES)
        _refuse_binary(head, name)
        choice = choose_encoding(head, complete=complete, explicit=options.encoding, source=name)
        text = _sample_text(head[choice.skip_bom :], choice, complete=complete)
        if not text.strip():
            raise EventLogError("Die Datei ist leer.", source=name)
        sep = self._separator(text, options, complete=complete, source=name)
        records = parse_records(text, sep, complete=complete, limit=SAMPLE_RECORDS)
        width = max(1, len(records[0]) if records else 1)

        self._source = source
        self._sep = sep
        self._quotes = QuoteScanner(sep, max_bytes=BLOCK_BYTES)
        # Filled by pyarrow's callback (possibly from its own thread): a deque is thread-safe.
        self._invalid: deque[_BadRow] = deque()
        self._pending: list[tuple[int, int, _BadRow]] = []  # heap by row number
        self._bad_lines: list[int] = []
        self._bad_count = 0
        self._bad_kinds = {"extra": 0, "missing": 0, "quote": 0}
        self._next_row = 1  # pyarrow row number of the next row to place
        self._next_line = 1
        self._names: list[str] | None = None
        self._ready: list[pa.RecordBatch] = []
        self.blank_rows = 0

        self._stream = TranscodingStream(
            source.open(), choice, source=name, observer=self._quotes.feed
        )
        try:
            self._reader = pcsv.open_csv(
                self._stream,
                read_options=pcsv.ReadOptions(
                    autogenerate_column_names=True, use_threads=False, block_size=BLOCK_BYTES
                ),
                parse_options=pcsv.ParseOptions(
                    delimiter=sep,
                    quote_char='"',
                    double_quote=True,
                    escape_char=False,
                    newlines_in_values=True,
                    ignore_empty_lines=False,
                    invalid_row_handler=self._on_invalid_row,
                ),
                convert_options=pcsv.ConvertOptions(
                    column_types={f"f{i}": pa.string() for i in range(width + _SPARE_COLUMNS)},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except pa.ArrowException as err:
            self._stream.close()
            raise self._arrow_error(err) from None
        except BaseException:
            self._stream.close()
            raise
        if any(field.type != pa.string() for field in self._reader.schema):
            self.close()
            raise EventLogError(
                "Die Kopfzeile hat mehr Spalten als erwartet; bitte das Trennzeichen mit --sep "
                "angeben.",
                source=name,
            )
        self._expected = len(self._reader.schema)
        super().__init__(
            Detected(
                format=fmt,
                encoding=choice.name,
                separator=sep,
                decimal=detect_decimal(
                    zip(*(r for r in records[1:] if len(r) == width), strict=True)
                ),
                columns=(),
            ),
            source=name,
            options=options,
        )
        try:
            self._fill_first()
        except BaseException:
            self.close()
            raise

    # -- public -----------------------------------------------------------------------------

    def close(self) -> None:
        # pyarrow reads ahead from the stream on an I/O thread of its own. A reader dropped
        # unread (a wrong column, a preview) is first run to its end with the stream ended here,
        # so that thread is idle when the stream closes: a read still running when the
        # interpreter shuts down aborts the whole process (PyGILState_Release).
        self._stream.stop()
        try:
            while True:
                self._reader.read_next_batch()
        except Exception:  # noqa: BLE001, S110 - closing: the reason it is closed is the news
            pass
        self._stream.close()

    # -- reading ----------------------------------------------------------------------------

    def _batches(self) -> Iterator[pa.RecordBatch]:
        # One batch per pyarrow block (~30 000 rows), as parsed: the import holds them until it
        # writes the sorted log once, so gathering them into larger batches first was a copy of
        # every value for nothing (and, in a new process, a first touch of that much memory).
        ready, self._ready = self._ready, []
        yield from ready
        while (batch := self._next_shaped()) is not None:
            if batch.num_rows:
                yield batch
        self._finish()

    def _fill_first(self) -> None:
        """Read until the header and one data row are known (or the file ends): ``detected``."""
        while True:
            batch = self._next_shaped()
            if batch is None:
                self._finish()
                raise EventLogError(
                    "Die Datei enthält nur die Kopfzeile, keine Datenzeilen.", source=self.source
                )
            if batch.num_rows:
                self._ready.append(batch)
                return

    def _next_shaped(self) -> pa.RecordBatch | None:
        try:
            raw = self._reader.read_next_batch()
        except StopIteration:
            return None
        except pa.ArrowException as err:
            raise self._arrow_error(err) from None
        lines = self._place(raw)
        if self._names is None:
            self._take_header(raw)
            raw, lines = raw.slice(1), lines[1:]
        assert self._names is not None
        if self._quotes.problem is not None:
            raise self._quote_error(self._quotes.problem)
        raw, lines = self._drop_blank_rows(raw, lines)
        # The first non-ASCII byte may have come late and switched the encoding.
        if self.detected.encoding != self._stream.encoding:
            self.detected = replace(self.detected, encoding=self._stream.encoding)
        return pa.RecordBatch.from_arrays(
            [*raw.columns, pa.array(lines, type=pa.int64())], names=[*self._names, LINE_COLUMN]
        )

    def _take_header(self, raw: pa.RecordBatch) -> None:
        if raw.num_rows == 0:
            raise EventLogError("Die Datei ist leer.", source=self.source)
        self._names = header_names(
            [raw.column(i)[0].as_py() for i in range(raw.num_columns)], source=self.source
        )
        if len(self._names) == 1 and self.options.sep is None:
            raise _one_column_error(self.source)
        self.detected = replace(self.detected, columns=tuple(self._names))

    def _drop_blank_rows(
        self, raw: pa.RecordBatch, lines: np.ndarray
    ) -> tuple[pa.RecordBatch, np.ndarray]:
        if raw.num_rows == 0:
            return raw, lines
        empty = pc.equal(raw.column(0), "")
        if not pc.any(empty).as_py():
            return raw, lines
        for column in raw.columns[1:]:
            empty = pc.and_(empty, pc.equal(column, ""))
        blank = np.asarray(empty.to_numpy(zero_copy_only=False), dtype=bool)
        if not blank.any():
            return raw, lines
        self.blank_rows += int(blank.sum())
        return raw.filter(pc.invert(empty)), lines[~blank]

    # -- line numbers -----------------------------------------------------------------------

    def _on_invalid_row(self, row: pcsv.InvalidRow) -> str:
        # Called by pyarrow while it parses a block, before that block's batch is returned.
        text = row.text or ""
        self._invalid.append(
            _BadRow(
                number=row.number,
                newlines=text.count("\n"),
                expected=row.expected_columns,
                actual=row.actual_columns,
                open_quote=text.count('"') % 2 == 1,
            )
        )
        return "skip"

    def _drain_invalid(self) -> None:
        while self._invalid:
            bad = self._invalid.popleft()
            if bad.number is None:
                self._record_bad(bad, None)
            else:
                heapq.heappush(self._pending, (bad.number, id(bad), bad))

    def _place(self, raw: pa.RecordBatch) -> np.ndarray:
        """The physical start line of each row of ``raw``; advances past rejected rows."""
        self._drain_invalid()
        n = raw.num_rows
        embedded = self._embedded_newlines(raw)
        lines = np.empty(n, dtype=np.int64)
        done = 0
        while True:
            self._skip_bad_rows_here()
            if done == n:
                break
            next_bad = self._pending[0][0] if self._pending else None
            span = n - done if next_bad is None else min(n - done, next_bad - self._next_row)
            extra = embedded[done : done + span]
            before = np.cumsum(extra) - extra
            lines[done : done + span] = self._next_line + np.arange(span, dtype=np.int64) + before
            self._next_line += span + int(extra.sum())
            self._next_row += span
            done += span
        return lines

    def _skip_bad_rows_here(self) -> None:
        while self._pending and self._pending[0][0] <= self._next_row:
            number, _, bad = heapq.heappop(self._pending)
            if number < self._next_row:
                continue  # cannot happen with a serial reader; never loop on it
            self._record_bad(bad, self._next_line)
            self._next_line += 1 + bad.newlines
            self._next_row += 1

    @staticmethod
    def _embedded_newlines(raw: pa.RecordBatch) -> np.ndarray:
        # Most exports have no line break inside a value: one byte scan of each column's text
        # buffer says so, and the per-row count is left out.
        if not any(_has_newline(column) for column in raw.columns):
            return np.zeros(raw.num_rows, dtype=np.int64)
        total: pa.Array | None = None
        for column in raw.columns:
            counts = pc.count_substring(column, "\n")
            total = counts if total is None else pc.add(total, counts)
        if total is None:
            return np.zeros(raw.num_rows, dtype=np.int64)
        return np.asarray(total.to_numpy(zero_copy_only=False), dtype=np.int64)

    def _record_bad(self, bad: _BadRow, line: int | None) -> None:
        self._bad_count += 1
        if line is not None and len(self._bad_lines) < MAX_LISTED_BAD_ROWS:
            self._bad_lines.append(line)
        if bad.open_quote:
            self._bad_kinds["quote"] += 1
        elif bad.actual > bad.expected:
            self._bad_kinds["extra"] += 1
        else:
            self._bad_kinds["missing"] += 1

    # -- the end ----------------------------------------------------------------------------

    def _finish(self) -> None:
        """After the last row: place trailing bad rows, then report every bad row at once."""
        self._place_trailing_bad_rows()
        if self._quotes.problem is not None:
            raise self._quote_error(self._quotes.problem)
        if self._bad_count:
            raise self._bad_rows_error()

    def _place_trailing_bad_rows(self) -> None:
        # Rows pyarrow rejected after the last row it returned follow each other.
        self._drain_invalid()
        while self._pending:
            _, _, bad = heapq.heappop(self._pending)
            self._record_bad(bad, self._next_line)
            self._next_line += 1 + bad.newlines
            self._next_row += 1

    def _quote_error(self, problem: QuoteProblem) -> EventLogError:
        """The swallowing quote, with the bad rows met before it (they are real too)."""
        self._place_trailing_bad_rows()
        described = problem.describe(BLOCK_BYTES)
        if not self._bad_count:
            return EventLogError(
                f"{described} Bitte das Anführungszeichen korrigieren; die Datei wird nicht "
                "übernommen.",
                source=self.source,
                line=problem.line,
                lines=(problem.line,),
            )
        if problem.line not in self._bad_lines:
            self._record_bad(_BadRow(None, 0, 0, 0, open_quote=True), None)
            self._bad_lines = sorted([*self._bad_lines, problem.line])
        return self._bad_rows_error(described)

    def _bad_rows_error(self, addendum: str = "") -> EventLogError:
        kinds = [
            (self._bad_kinds["extra"], "zu viele Felder"),
            (self._bad_kinds["missing"], "zu wenige Felder"),
            (self._bad_kinds["quote"], "Anführungszeichen nicht geschlossen"),
        ]
        detail = ", ".join(f"{label}: {de_int(count)}" for count, label in kinds if count)
        count = self._bad_count
        rows = "Zeile passt" if count == 1 else "Zeilen passen"
        where = (
            f" Betroffen: Zeile {listed(self._bad_lines, total=count)}." if self._bad_lines else ""
        )
        return EventLogError(
            f"{de_int(count)} {rows} nicht zur Kopfzeile mit {self._expected} Spalten "
            f"({detail}); die Datei wird nicht übernommen.{where} Erkanntes Trennzeichen: "
            f"{_SEPARATOR_LABELS.get(self._sep, repr(self._sep))} – falls falsch, mit --sep "
            f"angeben.{' ' + addendum if addendum else ''}",
            source=self.source,
            line=self._bad_lines[0] if self._bad_lines else None,
            lines=tuple(self._bad_lines),
        )

    # -- errors -----------------------------------------------------------------------------

    @staticmethod
    def _separator(text: str, options: ReadOptions, *, complete: bool, source: str) -> str:
        if options.sep is not None:
            return normalize_separator(options.sep, source=source)
        sep = sniff_separator(text, complete=complete)
        if sep is None:
            raise _one_column_error(source)
        return sep

    def _arrow_error(self, err: pa.ArrowException) -> EventLogError:
        if self._quotes.problem is not None:
            return self._quote_error(self._quotes.problem)
        message = str(err)
        if "straddl" in message or "block size" in message:
            opened = self._quotes.open_line()
            if opened is not None:
                return self._quote_error(QuoteProblem(TOO_LONG, opened))
            return EventLogError(
                f"Eine Zeile nach Zeile {self._next_line - 1} ist länger als "
                f"{mib(BLOCK_BYTES)} MiB; so lange Zeilen hat kein Ereignisprotokoll.",
                source=self._source.name,
                line=self._next_line,
            )
        if "Empty CSV file" in message:
            return EventLogError("Die Datei ist leer.", source=self._source.name)
        # pyarrow's text can quote row content; the user gets our words, not the raw text.
        return EventLogError(
            "Die CSV-Datei kann nicht gelesen werden (Struktur fehlerhaft).",
            source=self._source.name,
            line=self._next_line,
        )


def _has_newline(column: pa.Array) -> bool:
    """Whether the text buffer behind ``column`` holds a line feed (perhaps outside a slice)."""
    buffers = column.buffers()
    data = buffers[2] if len(buffers) > 2 else None
    return data is not None and bool((np.frombuffer(data, dtype=np.uint8) == _LF).any())


def _one_column_error(source: str) -> EventLogError:
    return EventLogError(
        "Nur eine Spalte erkannt – Trennzeichen mit --sep angeben (z. B. ';' oder ','). Hat "
        "die Datei wirklich nur eine Spalte, das Trennzeichen trotzdem angeben.",
        source=source,
        line=1,
    )


def _refuse_binary(head: bytes, source: str) -> None:
    """A NUL byte or many control bytes: this is not a text export (UTF-16/32 has a BOM)."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or head[:4] == b"\x00\x00\xfe\xff":
        return
    sample = head[:65536]
    controls = sum(sample.count(bytes([b])) for b in range(32) if b not in (9, 10, 12, 13))
    if b"\x00" in sample or controls > len(sample) // 100:
        raise EventLogError(
            "Die Datei ist keine Textdatei (sie enthält Binärdaten). Unterstützt werden CSV, "
            "XES, XLSX und Parquet.",
            source=source,
        )


def _sample_text(head: bytes, choice: EncodingChoice, *, complete: bool) -> str:
    # Only for guessing the separator and decimal mark; a byte in another encoding is the
    # stream's to refuse, with every line it occurs on.
    return codecs.getincrementaldecoder(choice.codec)("replace").decode(head, final=complete)
