"""Imported event logs: read → normalize → Parquet file → catalogue row, all or nothing.

The events of each import are one Parquet file under ``PMO_DATA_DIR/logs``; the catalogue database
holds only the description (who uploaded what, how it was read, what was dropped, when it must be
deleted). The file is written under a temporary name first and moved into place inside the database
transaction, so an import either lands whole or leaves nothing; a crash between the move and the
commit leaves a file without a row, which :meth:`LogStore.sweep_orphans` removes before the next
import or listing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from process_registry import Database, ProcessNotFoundError
from process_registry.clock import iso
from process_registry.models import AuditEntry, EventLog, Process
from process_registry.settings import retention_days

from .aggregates import LogStats
from .errors import EventLogError, MiningError
from .ingest import ImportOptions, ingest_file
from .io import Detected
from .mapping import ColumnMapping
from .normalize import NormalizeReport
from .privacy import load_or_create_secret

__all__ = ["ImportOptions", "ImportResult", "LogInfo", "LogNotFoundError", "LogStore"]

log = logging.getLogger(__name__)


class LogNotFoundError(MiningError, LookupError):
    """No stored event log with that id."""


@dataclass(frozen=True)
class ImportResult:
    log_id: str
    cases: int
    events: int
    activities: int
    variants: int
    rejected_rows: int
    start: dt.datetime | None
    end: dt.datetime | None
    detected: Detected
    mapping: ColumnMapping
    dropped_columns: tuple[str, ...]
    messages: tuple[str, ...]
    delete_after: dt.date

    def to_dict(self) -> dict[str, Any]:
        return {
            "log_id": self.log_id,
            "cases": self.cases,
            "events": self.events,
            "activities": self.activities,
            "rejected_rows": self.rejected_rows,
            "variants": self.variants,
            "start": iso(self.start),
            "end": iso(self.end),
            "detected": asdict(self.detected),
            "mapping": asdict(self.mapping),
            "dropped_columns": list(self.dropped_columns),
            "messages": list(self.messages),
            "delete_after": self.delete_after.isoformat(),
        }


@dataclass(frozen=True)
class LogInfo:
    log_id: str
    process: str | None
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

    def to_dict(self) -> dict[str, Any]:
        return {
            "log_id": self.log_id,
            "process": self.process,
            "cases": self.cases,
            "events": self.events,
            "uploaded_at": iso(self.uploaded_at),
            "delete_after": self.delete_after.isoformat(),
            "department": self.department,
            "source_name": self.source_name,
            "activities": self.activities,
            "variants": self.variants,
            "start": iso(self.first_event),
            "end": iso(self.last_event),
        }


def _info(row: EventLog, process_key: str | None) -> LogInfo:
    return LogInfo(
        log_id=row.log_id,
        process=process_key,
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
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class LogStore:
    """Event logs of one installation: Parquet files in ``data_dir/logs`` plus their catalogue rows."""

    def __init__(self, db: Database, data_dir: Path) -> None:
        self.db = db
        self.data_dir = Path(data_dir)
        self.folder = self.data_dir / "logs"

    # -- import ------------------------------------------------------------------------------

    def import_file(
        self,
        path: Path,
        *,
        uploader: str,
        options: ImportOptions | None = None,
        display_name: str | None = None,
    ) -> ImportResult:
        """Import one uploaded file. ``path`` is a file the caller wrote itself, never a URL."""
        options = options or ImportOptions()
        source = display_name or Path(path).name
        path = Path(path)
        if not path.is_file():
            raise EventLogError("Datei nicht gefunden.", source=source)
        process_id, department = self._process(options.process_key, options.department)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.sweep_orphans()

        secret = load_or_create_secret(self.data_dir)
        messages: list[str] = []
        if secret.created:
            messages.append(
                f"Neuer Schlüssel für die Pseudonymisierung angelegt: {secret.origin}. Er liegt "
                "außerhalb der Datenbank; ohne ihn sind Pseudonyme nicht zuzuordnen. Sicher "
                "aufbewahren und mit dem Datenbestand sichern."
            )
        staging = self.folder / f".incoming-{os.getpid()}-{uuid.uuid4().hex}.parquet"
        try:
            ingested = ingest_file(path, staging, options=options, secret=secret, source=source)
            messages.extend(ingested.messages)
            return self._catalogue(
                staging,
                path=path,
                source=source,
                uploader=uploader,
                process_id=process_id,
                department=department,
                detected=ingested.detected,
                mapping=ingested.mapping,
                report=ingested.report,
                summary=ingested.summary,
                dropped=ingested.dropped,
                options=options,
                messages=messages,
            )
        finally:
            staging.unlink(missing_ok=True)

    def _catalogue(
        self,
        staging: Path,
        *,
        path: Path,
        source: str,
        uploader: str,
        process_id: int | None,
        department: str | None,
        detected: Detected,
        mapping: ColumnMapping,
        report: NormalizeReport,
        summary: LogStats,
        dropped: tuple[str, ...],
        options: ImportOptions,
        messages: list[str],
    ) -> ImportResult:
        log_id = f"L{dt.datetime.now(dt.UTC):%Y%m%d}-{uuid.uuid4().hex[:8]}"
        final = self.folder / f"{log_id}.parquet"
        keep_days = options.retention_days or retention_days()
        delete_after = dt.date.today() + dt.timedelta(days=keep_days)
        privacy = {
            "resource_mode": report.resource_mode,
            "case_ids": "Surrogate" if options.surrogate_case_ids else "wie geliefert",
            "dropped_columns": list(dropped),
        }

        # Hashed before the write transaction: a large upload must not hold the database lock.
        source_sha256 = _sha256(path)
        source_bytes = path.stat().st_size

        def unit(session: Session) -> None:
            session.add(
                EventLog(
                    log_id=log_id,
                    process_id=process_id,
                    department=department,
                    uploaded_by=uploader,
                    source_name=source,
                    source_sha256=source_sha256,
                    source_bytes=source_bytes,
                    file_format=detected.format,
                    detected=asdict(detected),
                    mapping=asdict(mapping),
                    privacy=privacy,
                    cases=summary.cases,
                    events=summary.events,
                    activities=summary.activities,
                    variants=summary.variants,
                    first_event=summary.start,
                    last_event=summary.end,
                    rejected_rows=len(report.dropped_empty),
                    parquet_path=str(final.relative_to(self.data_dir)),
                    delete_after=delete_after,
                )
            )
            session.add(
                AuditEntry(
                    actor=uploader,
                    action="log.import",
                    object_type="event_log",
                    object_key=log_id,
                    details={"source": source, "events": summary.events, "cases": summary.cases},
                )
            )
            session.flush()
            # Moved inside the transaction: if the commit fails the file is taken back below.
            os.replace(staging, final)

        try:
            self.db.write(unit)
        except BaseException:
            final.unlink(missing_ok=True)
            raise
        return ImportResult(
            log_id=log_id,
            cases=summary.cases,
            events=summary.events,
            activities=summary.activities,
            variants=summary.variants,
            rejected_rows=len(report.dropped_empty),
            start=summary.start,
            end=summary.end,
            detected=detected,
            mapping=mapping,
            dropped_columns=dropped,
            messages=tuple(messages),
            delete_after=delete_after,
        )

    # -- reading the catalogue ------------------------------------------------------------------

    def list_logs(self, *, department: str | None = None) -> list[LogInfo]:
        query = (
            select(EventLog, Process.key)
            .outerjoin(Process, Process.id == EventLog.process_id)
            .order_by(EventLog.uploaded_at.desc(), EventLog.id.desc())
        )
        if department is not None:
            query = query.where(EventLog.department == department)
        with self.db.read() as session:
            return [_info(row, key) for row, key in session.execute(query)]

    def get(self, log_id: str) -> LogInfo:
        with self.db.read() as session:
            found = session.execute(
                select(EventLog, Process.key)
                .outerjoin(Process, Process.id == EventLog.process_id)
                .where(EventLog.log_id == log_id)
            ).first()
        if found is None:
            raise LogNotFoundError(f"Kein Ereignisprotokoll mit der Kennung „{log_id}“.")
        return _info(found[0], found[1])

    def events_path(self, log_id: str) -> Path:
        """The Parquet file of a stored log (for the analysis functions)."""
        self.get(log_id)
        return self.folder / f"{log_id}.parquet"

    # -- deletion --------------------------------------------------------------------------------

    def delete(self, log_id: str, *, actor: str, reason: str = "auf Anfrage") -> None:
        """Remove the log's file and catalogue row; the audit entry keeps only id and reason."""

        def unit(session: Session) -> Path:
            row = session.scalar(select(EventLog).where(EventLog.log_id == log_id))
            if row is None:
                raise LogNotFoundError(f"Kein Ereignisprotokoll mit der Kennung „{log_id}“.")
            target = self.data_dir / row.parquet_path
            session.delete(row)
            session.add(
                AuditEntry(
                    actor=actor,
                    action="log.delete",
                    object_type="event_log",
                    object_key=log_id,
                    details={"reason": reason},
                )
            )
            return target

        target = self.db.write(unit)
        # After the commit: a crash here leaves an unreferenced file that the sweep removes.
        target.unlink(missing_ok=True)

    def purge_expired(
        self, *, actor: str = "Löschfrist", today: dt.date | None = None
    ) -> list[str]:
        """Delete every log whose deletion date has passed; returns their ids."""
        today = today or dt.date.today()
        with self.db.read() as session:
            expired = list(
                session.scalars(select(EventLog.log_id).where(EventLog.delete_after < today))
            )
        for log_id in expired:
            self.delete(log_id, actor=actor, reason="Aufbewahrungsfrist abgelaufen")
        return expired

    def sweep_orphans(self) -> list[Path]:
        """Remove staging files and Parquet files that no catalogue row references."""
        if not self.folder.is_dir():
            return []
        with self.db.read() as session:
            referenced = {self.data_dir / p for p in session.scalars(select(EventLog.parquet_path))}
        removed = []
        for candidate in self.folder.iterdir():
            if candidate.suffix == ".parquet" and candidate not in referenced:
                if candidate.name.startswith(".incoming-") and _writer_alive(candidate):
                    continue  # another import is writing it right now
                candidate.unlink(missing_ok=True)
                removed.append(candidate)
        if removed:
            log.info("removed %d unreferenced event-log files", len(removed))
        return removed

    def _process(self, key: str | None, department: str | None) -> tuple[int | None, str | None]:
        if key is None:
            return None, department
        with self.db.read() as session:
            process = session.scalar(
                select(Process).where(Process.key == key, Process.deleted_at.is_(None))
            )
            if process is None:
                raise ProcessNotFoundError(f"Kein Prozess mit dem Schlüssel „{key}“ im Register.")
            return process.id, department or process.department


def _writer_alive(staging: Path) -> bool:
    """Whether the process that named this staging file still runs (same host: the data dir is local)."""
    try:
        pid = int(staging.name.split("-")[1])
    except (IndexError, ValueError):
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
