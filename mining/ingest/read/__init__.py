"""Safe, streaming readers for uploaded event logs: CSV, XES (also gzip), XLSX, Parquet, ZIP.

``open_table`` turns one upload into string-typed Arrow batches with the source line of every
row; ``preview_table`` shows the first rows for the upload wizard. Every failure a user can cause
is an ``EventLogError`` (``UnsafeFileError`` for refused files) with a German message naming the
file and, where known, the line.
"""

from mining.ingest.read._model import (
    DATE_CELLS_COLUMN,
    LINE_COLUMN,
    SUPPORTED_FORMATS,
    Detected,
    ReadOptions,
    TableReader,
)
from mining.ingest.read.api import open_table, preview_table

__all__ = [
    "DATE_CELLS_COLUMN",
    "LINE_COLUMN",
    "SUPPORTED_FORMATS",
    "Detected",
    "ReadOptions",
    "TableReader",
    "open_table",
    "preview_table",
]
