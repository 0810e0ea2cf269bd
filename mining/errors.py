"""The exceptions of event-log ingestion and mining.

Each subclasses the builtin it refines. Messages are German, for the user, and name the file,
line and column where known; they never quote cell values that could be personal data beyond
what the user needs to find the row.
"""

from __future__ import annotations

__all__ = ["EventLogError", "MappingError", "MiningError", "StorageError", "UnsafeFileError"]


class MiningError(Exception):
    """Base of every error mining reports to a user."""


class EventLogError(MiningError, ValueError):
    """An event log that cannot be imported as it is (format, encoding, rows, timestamps).

    ``source`` names the file; ``line`` (1-based line of the file, or row of a sheet) and
    ``column`` (a column name or 1-based position) where known. ``lines`` lists further affected
    lines when several rows share the problem.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str,
        line: int | None = None,
        column: str | int | None = None,
        lines: tuple[int, ...] = (),
    ) -> None:
        self.source = source
        self.line = line
        self.column = column
        self.lines = lines
        self.reason = message
        where = source
        if line is not None:
            where += f", Zeile {line}"
        if column is not None:
            where += f", Spalte {column}" if isinstance(column, int) else f", Spalte „{column}“"
        super().__init__(f"{where}: {message}")


class UnsafeFileError(EventLogError):
    """A file refused for safety: DTD/entities in XML, decompression bomb, oversize upload."""


class MappingError(EventLogError):
    """The column mapping is incomplete or names columns the file does not have."""


class StorageError(MiningError, OSError):
    """A file pmo writes could not be written (disk full, quota, permissions); nothing was kept."""
