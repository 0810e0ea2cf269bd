"""The catalogue rows of imported event logs; the events themselves are Parquet files elsewhere.

An import registers its log as ``pending``, naming the process that writes it, *before* the
events file gets its final name, and marks it ``ready`` after; only ready logs exist for users.
So a file with a log's final name never exists without a row, and a sweep that removes only
files without any row, and pending rows whose writer is gone, cannot take a log anyone sees::

    catalogue = EventLogCatalogue(db)
    catalogue.register_pending(entry, writer="rechner:4711")      # transaction 1
    ...  # the file is moved into place
    catalogue.mark_ready(entry.log_id, writer="rechner:4711", actor="anna", details={...})

Deleting a log redacts the report snapshots built on it in the same transaction (see
:func:`process_registry.reports.redact_snapshots`), and a process that had chosen it as its
reference log falls back to the default choice (:meth:`process_registry.Registry.reference_log`).

``checks`` are the warnings the import gave (``[{"check", "message", …}]``): the importer decides
them before transaction 1 and they are stored with the row, so a log never exists without them.
"""

from __future__ import annotations

import builtins
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from .db import Database
from .errors import ConflictError, ProcessNotFoundError
from .models import AuditEntry, EventLog, Process
from .reports import Redactor, redact_snapshots

__all__ = [
    "CataloguedFile",
    "DeletedEventLog",
    "EventLogCatalogue",
    "NewEventLog",
    "StoredEventLog",
    "stored_event_log",
]

PENDING, READY = "pending", "ready"


@dataclass(frozen=True)
class NewEventLog:
    """What an import registers: the description of one events file."""

    log_id: str
    process_key: str | None
    department: str | None
    uploaded_by: str
    source_name: str
    source_sha256: str
    source_bytes: int
    file_format: str
    detected: dict[str, Any]
    mapping: dict[str, Any]
    privacy: dict[str, Any]
    cases: int
    events: int
    activities: int
    variants: int
    first_event: dt.datetime | None
    last_event: dt.datetime | None
    rejected_rows: int
    parquet_path: str  # relative to the data folder
    delete_after: dt.date
    checks: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class StoredEventLog:
    """A ready log as users see it."""

    log_id: str
    process_key: str | None
    department: str | None
    source_name: str
    uploaded_by: str
    uploaded_at: dt.datetime
    cases: int
    events: int
    activities: int
    variants: int
    first_event: dt.datetime | None
    last_event: dt.datetime | None
    delete_after: dt.date
    file_format: str
    mapping: dict[str, Any]
    privacy: dict[str, Any]
    parquet_path: str
    source_sha256: str = ""
    # Warnings of the import checks; empty when every check passed.
    checks: tuple[dict[str, Any], ...] = ()

    @property
    def failed_checks(self) -> tuple[str, ...]:
        """The names of the checks that warned (``overlap``, ``duplicate``, ``small``)."""
        return tuple(str(c.get("check")) for c in self.checks)


@dataclass(frozen=True)
class CataloguedFile:
    """Any row, pending or ready, as the sweep needs it."""

    log_id: str
    parquet_path: str
    state: str
    writer: str | None


@dataclass(frozen=True)
class DeletedEventLog:
    log_id: str
    parquet_path: str
    redacted_reports: tuple[int, ...]


def stored_event_log(row: EventLog, process_key: str | None) -> StoredEventLog:
    """A catalogue row as users see it (the registry reads rows of its own, too)."""
    return StoredEventLog(
        log_id=row.log_id,
        process_key=process_key,
        department=row.department,
        source_name=row.source_name,
        uploaded_by=row.uploaded_by,
        uploaded_at=row.uploaded_at,
        cases=row.cases,
        events=row.events,
        activities=row.activities,
        variants=row.variants,
        first_event=row.first_event,
        last_event=row.last_event,
        delete_after=row.delete_after,
        file_format=row.file_format,
        mapping=dict(row.mapping),
        privacy=dict(row.privacy),
        parquet_path=row.parquet_path,
        source_sha256=row.source_sha256,
        checks=tuple(dict(c) for c in row.checks or ()),
    )


def _ready_logs():  # type: ignore[no-untyped-def]
    return (
        select(EventLog, Process.key)
        .outerjoin(Process, Process.id == EventLog.process_id)
        .where(EventLog.state == READY)
    )


class EventLogCatalogue:
    """Event-log rows of one :class:`Database`; each public method is one unit of work."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- import ------------------------------------------------------------------------------

    def department_of(self, process_key: str) -> str:
        """The department of a registered process (an import links its log to it)."""
        with self.db.read() as session:
            return _process(session, process_key).department

    def register_pending(self, entry: NewEventLog, *, writer: str) -> None:
        """Transaction 1 of an import: the row, invisible to users, before the file is in place."""

        def unit(session: Session) -> None:
            process = _process(session, entry.process_key) if entry.process_key else None
            session.add(
                EventLog(
                    log_id=entry.log_id,
                    process_id=process.id if process else None,
                    department=entry.department,
                    uploaded_by=entry.uploaded_by,
                    source_name=entry.source_name,
                    source_sha256=entry.source_sha256,
                    source_bytes=entry.source_bytes,
                    file_format=entry.file_format,
                    detected=entry.detected,
                    mapping=entry.mapping,
                    privacy=entry.privacy,
                    cases=entry.cases,
                    events=entry.events,
                    activities=entry.activities,
                    variants=entry.variants,
                    first_event=entry.first_event,
                    last_event=entry.last_event,
                    rejected_rows=entry.rejected_rows,
                    parquet_path=entry.parquet_path,
                    delete_after=entry.delete_after,
                    state=PENDING,
                    writer=writer,
                    checks=[dict(c) for c in entry.checks],
                )
            )

        self.db.write(unit)

    def mark_ready(self, log_id: str, *, writer: str, actor: str, details: dict[str, Any]) -> None:
        """Transaction 2 of an import: the log exists for users from this commit on."""

        def unit(session: Session) -> None:
            changed = session.execute(
                update(EventLog)
                .where(
                    EventLog.log_id == log_id,
                    EventLog.state == PENDING,
                    EventLog.writer == writer,
                )
                .values(state=READY, writer=None)
                .execution_options(synchronize_session=False)
            ).rowcount
            if changed != 1:
                # Only a sweep that took this importer for dead removes its row; nothing is kept.
                raise ConflictError(
                    f"Der Import {log_id} wurde abgebrochen: sein vorläufiger Katalogeintrag ist "
                    "nicht mehr vorhanden. Es wurde nichts gespeichert; bitte erneut importieren."
                )
            session.add(_audit(actor, "log.import", log_id, details))

        self.db.write(unit)

    def withdraw(self, log_id: str, *, writer: str) -> bool:
        """Remove the pending row of a failed import; True when no row of the log is left.

        False means the log is ready: the commit that made it so went through even though its
        caller saw an error, so its file must stay.
        """

        def unit(session: Session) -> bool:
            session.execute(
                delete(EventLog)
                .where(
                    EventLog.log_id == log_id,
                    EventLog.state == PENDING,
                    EventLog.writer == writer,
                )
                .execution_options(synchronize_session=False)
            )
            left = session.scalar(
                select(func.count()).select_from(EventLog).where(EventLog.log_id == log_id)
            )
            return left == 0

        return self.db.write(unit)

    # -- reading ---------------------------------------------------------------------------

    def list(self, *, department: str | None = None) -> builtins.list[StoredEventLog]:
        """Ready logs, newest first."""
        query = _ready_logs().order_by(EventLog.uploaded_at.desc(), EventLog.id.desc())
        if department is not None:
            query = query.where(EventLog.department == department)
        with self.db.read() as session:
            return [stored_event_log(row, key) for row, key in session.execute(query)]

    def get(self, log_id: str) -> StoredEventLog | None:
        with self.db.read() as session:
            found = session.execute(_ready_logs().where(EventLog.log_id == log_id)).first()
        return None if found is None else stored_event_log(found[0], found[1])

    def same_file(self, sha256: str) -> builtins.list[StoredEventLog]:
        """Ready logs uploaded from a file with this SHA-256, oldest first."""
        query = (
            _ready_logs()
            .where(EventLog.source_sha256 == sha256)
            .order_by(EventLog.uploaded_at, EventLog.id)
        )
        with self.db.read() as session:
            return [stored_event_log(row, key) for row, key in session.execute(query)]

    def of_process(self, key: str) -> builtins.list[StoredEventLog]:
        """Ready logs linked to the process ``key``, newest first."""
        query = (
            _ready_logs()
            .where(Process.key == key, Process.deleted_at.is_(None))
            .order_by(EventLog.uploaded_at.desc(), EventLog.id.desc())
        )
        with self.db.read() as session:
            return [stored_event_log(row, key) for row, key in session.execute(query)]

    def due(self, today: dt.date) -> builtins.list[str]:
        """Ready logs whose deletion date is today or earlier."""
        with self.db.read() as session:
            return builtins.list(
                session.scalars(
                    select(EventLog.log_id)
                    .where(EventLog.state == READY, EventLog.delete_after <= today)
                    .order_by(EventLog.id)
                )
            )

    def files(self) -> builtins.list[CataloguedFile]:
        """Every row, pending or ready: what the sweep must leave alone."""
        with self.db.read() as session:
            rows = session.execute(
                select(EventLog.log_id, EventLog.parquet_path, EventLog.state, EventLog.writer)
            ).all()
        return [CataloguedFile(r.log_id, r.parquet_path, r.state, r.writer) for r in rows]

    # -- removal ---------------------------------------------------------------------------

    def remove_abandoned(self, log_id: str, *, writer: str) -> bool:
        """Delete a pending row whose writer is gone; False if it became ready meanwhile."""

        def unit(session: Session) -> bool:
            return (
                session.execute(
                    delete(EventLog)
                    .where(
                        EventLog.log_id == log_id,
                        EventLog.state == PENDING,
                        EventLog.writer == writer,
                    )
                    .execution_options(synchronize_session=False)
                ).rowcount
                == 1
            )

        return self.db.write(unit)

    def delete(
        self, log_id: str, *, actor: str, reason: str, redact: Redactor
    ) -> DeletedEventLog | None:
        """Delete a ready log's row and redact every report snapshot built on it, in one
        transaction; None when there is no such log. The caller removes the file afterwards."""

        def unit(session: Session) -> DeletedEventLog | None:
            # Locked first: a report being saved on this log either commits before (and is
            # redacted here) or waits and finds the log gone (ReportArchive.save).
            row = session.scalar(
                select(EventLog)
                .where(EventLog.log_id == log_id, EventLog.state == READY)
                .with_for_update()
            )
            if row is None:
                return None
            path = row.parquet_path
            redacted = redact_snapshots(session, log_id, redact, actor=actor)
            _release_reference(session, log_id, actor=actor, reason=reason)
            session.delete(row)
            session.add(
                _audit(
                    actor,
                    "log.delete",
                    log_id,
                    {"reason": reason, "events_file": path, "redacted_reports": redacted},
                )
            )
            return DeletedEventLog(log_id, path, tuple(redacted))

        deleted = self.db.write(unit)
        if deleted is not None:
            self.db.checkpoint()
        return deleted


def _process(session: Session, key: str) -> Process:
    process = session.scalar(
        select(Process).where(Process.key == key, Process.deleted_at.is_(None))
    )
    if process is None:
        raise ProcessNotFoundError(f"Kein Prozess mit dem Schlüssel „{key}“ im Register.")
    return process


def _release_reference(session: Session, log_id: str, *, actor: str, reason: str) -> None:
    """A process whose chosen reference log is deleted falls back to the default choice; the
    change is audited on the process, like choosing it was."""
    chose_it = select(Process).where(Process.reference_log_id == log_id).with_for_update()
    for process in session.scalars(chose_it):
        process.reference_log_id = None
        process.updated_by = actor
        session.add(
            AuditEntry(
                actor=actor,
                action="process.reference_log",
                object_type="process",
                object_key=process.key,
                details={"from": log_id, "to": None, "reason": f"Protokoll gelöscht: {reason}"},
            )
        )
    session.flush()


def _audit(actor: str, action: str, log_id: str, details: dict[str, Any]) -> AuditEntry:
    return AuditEntry(
        actor=actor, action=action, object_type="event_log", object_key=log_id, details=details
    )
