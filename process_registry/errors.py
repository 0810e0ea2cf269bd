"""The registry's exceptions.

Each subclasses the builtin it refines, so callers may catch either. Messages are written for the
user (German, naming file, line and column where known); the CLI and the UI print ``str(err)`` and
nothing else.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BpmnParseError",
    "ConflictError",
    "DatabaseBusyError",
    "DatabaseUnavailableError",
    "FileRefusedError",
    "ProcessExistsError",
    "ProcessNotFoundError",
    "RegistryError",
    "ReleaseBlockedError",
    "ReportAlteredError",
    "ReportNotFoundError",
    "SchemaOutdatedError",
    "UnsupportedDatabaseError",
    "ValidationError",
    "VersionNotFoundError",
]


class RegistryError(Exception):
    """Base of every error the registry reports to a user."""


class ValidationError(RegistryError, ValueError):
    """Catalogue data that breaks a rule (unknown status, maturity level outside its scale, …)."""


class BpmnParseError(ValidationError):
    """A BPMN file that is not well-formed, not BPMN 2.0, or unsafe (DOCTYPE, too large, too deep).

    ``source`` names the file; ``line`` and ``column`` are 1-based where the parser knows them.
    """

    def __init__(
        self, message: str, *, source: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.source = source
        self.line = line
        self.column = column
        self.reason = message
        where = source
        if line is not None:
            where += f", Zeile {line}"
            if column is not None:
                where += f", Spalte {column}"
        super().__init__(f"{where}: {message}")


class ProcessNotFoundError(RegistryError, LookupError):
    """No process with the given key is registered."""


class VersionNotFoundError(RegistryError, LookupError):
    """The process exists, but not the requested model version."""


class ReportNotFoundError(RegistryError, LookupError):
    """No report snapshot with the given id is stored (never saved, or deleted)."""


class ReportAlteredError(RegistryError):
    """A stored report snapshot no longer matches its checksum: it was changed after it was saved."""


class ProcessExistsError(RegistryError, ValueError):
    """A process with that key is already registered."""


class ConflictError(RegistryError):
    """Someone else saved the same object since it was loaded; nothing was overwritten."""


class DatabaseBusyError(RegistryError):
    """The database stayed locked by another writer beyond the retry budget; nothing was written."""


class DatabaseUnavailableError(RegistryError):
    """The database cannot be reached or opened (server down, file read-only, wrong URL)."""


class SchemaOutdatedError(DatabaseUnavailableError):
    """The database's schema is not the one this code expects; ``pmo db upgrade`` migrates it.

    ``current`` is the database's revision, ``expected`` the code's (``SCHEMA_REVISION``).
    """

    def __init__(self, current: str | None, expected: str) -> None:
        self.current = current
        self.expected = expected
        super().__init__(
            f"Datenbankschema ist auf Stand {current}, erwartet wird {expected}. "
            f"Bitte zuerst `pmo db upgrade` ausführen."
        )


class UnsupportedDatabaseError(DatabaseUnavailableError, ValueError):
    """A database URL pmo cannot use: not a URL, another database, or a driver not installed."""


class FileRefusedError(ValidationError):
    """A file named by the user that pmo does not read: missing, not a regular file, too large.

    ``source`` names the file, ``reason`` says what is wrong with it.
    """

    def __init__(self, reason: str, *, source: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")


class ReleaseBlockedError(ValidationError):
    """A process whose current model has lint errors was to become "fachlich freigegeben".

    ``findings`` are the lint errors (rule, element, message); nothing was written. An explicit
    override with a reason (``override_lint``) releases it anyway and is audited.
    """

    def __init__(self, message: str, *, key: str, findings: tuple[Any, ...]) -> None:
        self.key = key
        self.findings = findings
        super().__init__(message)
