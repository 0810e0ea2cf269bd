"""``open_table`` and ``preview_table``: one entry point for every upload format.

The format is decided by the file's first bytes, then by the name the user gave it: a browser
upload lands in a temp file whose own name says nothing, and a ``.csv`` that is really an HTML
error page should not be parsed as CSV.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from mining.errors import EventLogError
from mining.ingest.read._csv import CsvReader
from mining.ingest.read._excel import ExcelReader
from mining.ingest.read._model import (
    LINE_COLUMN,
    RESERVED_COLUMNS,
    SUPPORTED_FORMATS,
    Detected,
    ReadOptions,
    TableReader,
)
from mining.ingest.read._parquet import ParquetReader
from mining.ingest.read._stream import (
    Source,
    check_inflated_size,
    check_local_file,
    file_source,
    gzip_source,
    read_head,
)
from mining.ingest.read._xes import XesReader
from mining.ingest.read._xmlguard import looks_like_xml
from mining.ingest.read._zip import (
    ZipMember,
    container_member,
    extract_member,
    is_xlsx,
    member_source,
    open_zip,
)

if TYPE_CHECKING:  # pandas only for the preview; importing it costs ~40 MB and a second
    import pandas as pd

__all__ = ["open_table", "preview_table"]

# Frozen, so one shared default is safe (and keeps ruff's B008 quiet).
DEFAULT_OPTIONS = ReadOptions()
_GZIP = b"\x1f\x8b"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_PARQUET = b"PAR1"
_CSV_SUFFIXES = (".csv", ".tsv", ".txt")
_OTHER_MAGIC = (
    (
        b"\xd0\xcf\x11\xe0",
        "Das ist eine alte Excel-Datei (.xls); bitte als .xlsx oder CSV speichern.",
    ),
    (b"%PDF", "Das ist ein PDF-Dokument, kein Ereignisprotokoll."),
)


def open_table(
    path: Path, *, options: ReadOptions = DEFAULT_OPTIONS, display_name: str | None = None
) -> TableReader:
    """Open an uploaded event-log file for streaming; see ``TableReader`` for what comes out.

    ``path`` is a local file the upload handler wrote itself; ``display_name`` is the user's
    original file name, used in every message and for the file extension. Raises
    ``EventLogError`` (``UnsafeFileError`` for refused files) with a German message. A compressed
    upload is inflated once here, keeping nothing, so one that grows past ``options.max_bytes`` is
    refused before any row is parsed.
    """
    return _open(Path(path), options, display_name, scan=True)


def preview_table(
    path: Path,
    *,
    options: ReadOptions = DEFAULT_OPTIONS,
    display_name: str | None = None,
    rows: int = 20,
) -> tuple[Detected, pd.DataFrame]:
    """What was detected and the first ``rows`` rows as text, for the upload wizard.

    Reads only the beginning of the file, so a compressed one is not inflated to the end (that
    waits for ``open_table``). The frame's index is the source line (``__line__``);
    an attribute an XES event lacks shows as ``""``.
    """
    import pandas as pd

    options = replace(options, batch_rows=max(1, rows))
    with _open(Path(path), options, display_name, scan=False) as reader:
        batches: list[pa.RecordBatch] = []
        count = 0
        for batch in reader.batches():
            batches.append(batch)
            count += batch.num_rows
            if count >= rows:
                break
        detected = reader.detected
    columns = list(detected.columns)
    for batch in batches:
        columns.extend(
            n for n in batch.schema.names if n not in columns and n not in RESERVED_COLUMNS
        )
    frame = pd.DataFrame(
        {name: _column_values(batches, name, rows) for name in columns}, dtype=object
    )
    frame.index = pd.Index(_column_values(batches, LINE_COLUMN, rows), name=LINE_COLUMN)
    return detected, frame


def _column_values(batches: list[pa.RecordBatch], name: str, rows: int) -> list[object]:
    values: list[object] = []
    for batch in batches:
        if name in batch.schema.names:
            values.extend(batch.column(name).to_pylist())
        else:
            values.extend([None] * batch.num_rows)
    if name != LINE_COLUMN:
        values = ["" if v is None else v for v in values]
    return values[:rows]


def _open(path: Path, options: ReadOptions, display_name: str | None, *, scan: bool) -> TableReader:
    name = display_name or path.name
    check_local_file(path, name, options.max_bytes)
    plain = file_source(path, name, options.max_bytes)
    head, _ = read_head(plain, 4096)
    lower = name.lower()

    if head.startswith(_GZIP):
        inner = gzip_source(lambda: open(path, "rb"), name, options.max_bytes)
        if scan:
            check_inflated_size(inner)
        return _open_gzip(inner, options)
    if head.startswith(_ZIP):
        return _open_zip(path, name, options, scan=scan)
    if head.startswith(_PARQUET):
        return ParquetReader(path, options=options, source=name, fmt="parquet")
    if looks_like_xml(head):
        return XesReader(plain, options=options, fmt="xes")
    for magic, reason in _OTHER_MAGIC:
        if head.startswith(magic):
            raise EventLogError(reason, source=name)
    if lower.endswith(_CSV_SUFFIXES):
        return CsvReader(plain, options=options, fmt="csv")
    if lower.endswith((".xes", ".xes.gz", ".gz", ".xlsx", ".zip", ".parquet")):
        raise EventLogError(
            "Der Inhalt passt nicht zur Dateiendung (beschädigt oder umbenannt?).", source=name
        )
    raise _unsupported(name)


def _open_gzip(inner: Source, options: ReadOptions) -> TableReader:
    head, _ = read_head(inner, 4096)
    if looks_like_xml(head):
        return XesReader(inner, options=options, fmt="xes.gz")
    # Anything else is tried as CSV, whose checks say "binary" if it is not text.
    return CsvReader(inner, options=options, fmt="csv.gz")


def _open_zip(path: Path, name: str, options: ReadOptions, *, scan: bool) -> TableReader:
    with open_zip(path, name) as archive:
        if is_xlsx(archive):
            member: ZipMember | None = None
        else:
            member = container_member(archive, source=name, max_bytes=options.max_bytes)
    if member is None:
        return ExcelReader(path, options=options, source=name)
    fmt = f"zip/{member.kind}"
    if member.kind == "parquet":
        return _extracted_parquet(path, member, name, options, fmt)
    source = member_source(path, member, source=name, max_bytes=options.max_bytes)
    if scan:
        # zipfile stops a member at its declared size, so one that lies about it fails its CRC
        # here, in seconds, rather than at the end of the parse.
        check_inflated_size(source)
    if member.kind in ("xes", "xes.gz"):
        return XesReader(source, options=options, fmt=fmt)
    return CsvReader(source, options=options, fmt=fmt)


def _extracted_parquet(
    path: Path, member: ZipMember, name: str, options: ReadOptions, fmt: str
) -> TableReader:
    # Parquet needs random access (the footer first), which a zip stream cannot give cheaply.
    folder = Path(tempfile.mkdtemp(prefix="pmo-upload-"))
    try:
        target = extract_member(
            path, member, folder / "member.parquet", source=name, max_bytes=options.max_bytes
        )
        reader = ParquetReader(target, options=options, source=name, fmt=fmt)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return _CleanupReader(reader, folder)


class _CleanupReader(TableReader):
    """Wraps a reader and removes a temporary folder when it is closed."""

    def __init__(self, inner: TableReader, folder: Path) -> None:
        super().__init__(inner.detected, source=inner.source, options=inner.options)
        self._inner = inner
        self._folder = folder

    def _batches(self) -> Iterator[pa.RecordBatch]:
        return self._inner._batches()

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            shutil.rmtree(self._folder, ignore_errors=True)


def _unsupported(name: str) -> EventLogError:
    return EventLogError(
        "Dateiformat nicht erkannt. Unterstützt werden: " + ", ".join(SUPPORTED_FORMATS) + ".",
        source=name,
    )
