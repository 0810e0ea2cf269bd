"""Imported event logs: read → normalize → Parquet file → catalogue row, all or nothing.

The events of each import are one Parquet file under ``PMO_DATA_DIR/logs``; the catalogue database
holds only the description (who uploaded what, how it was read, what was dropped, when it must be
deleted). An import lands in four steps, none of them inside a database transaction:

1. the events are written to a staging file named for its writer (host and pid);
2. transaction 1 commits the row as ``pending`` (invisible to users), naming the writer;
3. the staging file is renamed to the log's final name (and the rename made durable);
4. transaction 2 marks the row ``ready``, with the audit entry.

Before step 2 the import checks the staged log (:mod:`mining.ingest.checks`: activities barely in
the linked model, a file uploaded before, fewer cases than ``min_cases``); the warnings go into the
row of step 2, so no log is ever visible without them. They never stop an import.

A file with a log's final name therefore never exists before the log's row, and deleting a log
removes the row before the file. :meth:`LogStore.sweep_orphans` (run before every import and
listing) removes only what it can prove abandoned: files without any row, and staging files and
pending rows whose writer on this host no longer runs. If step 3 or 4 fails, the import takes
its pending row back and then its file; what a crash leaves, the next sweep removes.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mining.cache import AnalysisCache
from mining.errors import EventLogError, MiningError
from mining.ingest._logfiles import (
    STAGING_PREFIX,
    fsync_file,
    fsync_folder,
    staging_name,
    staging_writer,
    this_writer,
    writer_gone,
)
from mining.ingest.checks import (
    ActivityOverlap,
    ImportCheck,
    ModelReview,
    UploadReview,
    duplicate_upload,
    file_sha256,
    low_overlap,
    small_log,
)
from mining.ingest.columns import ColumnMapping
from mining.ingest.pipeline import ImportOptions, ingest_file
from mining.ingest.privacy import load_or_create_secret
from mining.ingest.read import Detected
from process_registry import (
    Database,
    EventLogCatalogue,
    NewEventLog,
    StoredEventLog,
    clock,
    iso,
    office_settings,
    regular_file_problem,
    retention_days,
)

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
    # Warnings of the import checks (also stored with the log), the overlap with the linked
    # process's model, and the suggested process when none was linked.
    checks: tuple[ImportCheck, ...] = ()
    model_overlap: ActivityOverlap | None = None
    suggestion: ActivityOverlap | None = None

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
            "checks": [check.to_dict() for check in self.checks],
            "model_overlap": None if self.model_overlap is None else self.model_overlap.to_dict(),
            "suggested_process": None if self.suggestion is None else self.suggestion.to_dict(),
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
    # Warnings of the import checks, as stored: [{"check", "message", …}]; empty when all passed.
    checks: tuple[dict[str, Any], ...] = ()

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
            "checks": [dict(check) for check in self.checks],
        }


def _info(row: StoredEventLog, process_key: str | None) -> LogInfo:
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
        checks=tuple(dict(check) for check in row.checks),
    )


def _keep_days(options: ImportOptions, data_dir: Path) -> int:
    # 0 is a retention like any other ("due today"), not "unset".
    if options.retention_days is not None:
        return options.retention_days
    return retention_days(data_dir)  # the office settings beside the logs


class LogStore:
    """Event logs of one installation: Parquet files in ``data_dir/logs`` plus their catalogue rows."""

    def __init__(self, db: Database, data_dir: Path) -> None:
        self.db = db
        self.catalogue = EventLogCatalogue(db)
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
        review: ModelReview | None = None,
    ) -> ImportResult:
        """Import one uploaded file. ``path`` is a file the caller wrote itself, never a URL.

        ``review`` compares the log's activities with the registered models (the linked
        process's, or all of them for a suggestion); without it the model check is left out."""
        options = options or ImportOptions()
        source = display_name or Path(path).name
        path = Path(path)
        problem = regular_file_problem(path)
        if problem is not None:
            raise EventLogError(problem, source=source)
        department = options.department
        if options.process_key is not None:
            department = department or self.catalogue.department_of(options.process_key)
        delete_after = clock.today() + dt.timedelta(days=_keep_days(options, self.data_dir))
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
        writer = this_writer()
        staging = self.folder / staging_name(writer)
        # The upload's checksum is computed beside the import (hashlib runs without the GIL).
        hashing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pmo-sha256")
        checksum = hashing.submit(file_sha256, path)
        hashing.shutdown(wait=False)
        try:
            ingested = ingest_file(path, staging, options=options, secret=secret, source=source)
            fsync_file(staging)
            messages.extend(ingested.messages)
            privacy = {
                "resource_mode": ingested.report.resource_mode,
                "case_ids": "Surrogate" if options.surrogate_case_ids else "wie geliefert",
                "dropped_columns": list(ingested.dropped),
            }
            log_id = f"L{dt.datetime.now(dt.UTC):%Y%m%d}-{uuid.uuid4().hex[:8]}"
            summary = ingested.summary
            sha256 = checksum.result()
            checked = self.review_upload(
                sha256=sha256,
                cases=summary.cases,
                activities=ingested.activities,
                process_key=options.process_key,
                review=review,
            )
            entry = NewEventLog(
                log_id=log_id,
                process_key=options.process_key,
                department=department,
                uploaded_by=uploader,
                source_name=source,
                source_sha256=sha256,
                source_bytes=path.stat().st_size,
                file_format=ingested.detected.format,
                detected=asdict(ingested.detected),
                mapping=asdict(ingested.mapping),
                privacy=privacy,
                cases=summary.cases,
                events=summary.events,
                activities=summary.activities,
                variants=summary.variants,
                first_event=summary.start,
                last_event=summary.end,
                rejected_rows=len(ingested.report.dropped_empty),
                parquet_path=f"{self.folder.name}/{log_id}.parquet",
                delete_after=delete_after,
                checks=tuple(check.to_dict() for check in checked.checks),
            )
            self._land(staging, entry, writer=writer)
        finally:
            staging.unlink(missing_ok=True)
        return ImportResult(
            log_id=log_id,
            cases=summary.cases,
            events=summary.events,
            activities=summary.activities,
            variants=summary.variants,
            rejected_rows=entry.rejected_rows,
            start=summary.start,
            end=summary.end,
            detected=ingested.detected,
            mapping=ingested.mapping,
            dropped_columns=ingested.dropped,
            messages=tuple(messages),
            delete_after=delete_after,
            checks=checked.checks,
            model_overlap=checked.overlap,
            suggestion=checked.suggestion,
        )

    def review_upload(
        self,
        *,
        sha256: str,
        cases: int,
        activities: tuple[str, ...],
        process_key: str | None,
        review: ModelReview | None = None,
    ) -> UploadReview:
        """The import checks of an upload (see :mod:`mining.ingest.checks`); the upload wizard
        shows them before the import, the import stores them with the log."""
        overlap = suggestion = None
        if review is not None and process_key is not None:
            overlap = review.overlap(process_key, activities)
        elif review is not None:
            suggestion = review.suggest(activities)
        found = (
            low_overlap(overlap) if overlap is not None else None,
            duplicate_upload([log.log_id for log in self.catalogue.same_file(sha256)]),
            small_log(cases, office_settings(self.data_dir).min_cases),
        )
        return UploadReview(
            checks=tuple(check for check in found if check is not None),
            overlap=overlap,
            suggestion=suggestion,
        )

    def _land(self, staging: Path, entry: NewEventLog, *, writer: str) -> None:
        """Steps 2–4 of the import; on any failure the log is taken back, row first."""
        final = self.data_dir / entry.parquet_path
        self.catalogue.register_pending(entry, writer=writer)
        try:
            os.replace(staging, final)
            fsync_folder(self.folder)
            self.catalogue.mark_ready(
                entry.log_id,
                writer=writer,
                actor=entry.uploaded_by,
                details={"source": entry.source_name, "events": entry.events, "cases": entry.cases},
            )
        except BaseException:
            self._take_back(entry.log_id, final, writer=writer)
            raise

    def _take_back(self, log_id: str, final: Path, *, writer: str) -> None:
        # The row goes first, and the file only if no row is left: when the commit of step 4
        # went through although it reported an error, the log is ready and keeps its file.
        try:
            gone = self.catalogue.withdraw(log_id, writer=writer)
        except Exception as err:  # noqa: BLE001 - already failing; the sweep finishes the job
            log.warning("pending log %s left for the sweep: %s", log_id, err)
            return
        if gone:
            final.unlink(missing_ok=True)

    # -- reading the catalogue ------------------------------------------------------------------

    def list_logs(self, *, department: str | None = None) -> list[LogInfo]:
        """Ready logs, newest first (a log being imported is not one yet)."""
        return [_info(row, row.process_key) for row in self.catalogue.list(department=department)]

    def get(self, log_id: str) -> LogInfo:
        found = self.catalogue.get(log_id)
        if found is None:
            raise LogNotFoundError(f"Kein Ereignisprotokoll mit der Kennung „{log_id}“.")
        return _info(found, found.process_key)

    def events_path(self, log_id: str) -> Path:
        """The Parquet file of a stored log (for the analysis functions)."""
        self.get(log_id)
        return self.folder / f"{log_id}.parquet"

    # -- deletion --------------------------------------------------------------------------------

    def delete(self, log_id: str, *, actor: str, reason: str = "auf Anfrage") -> tuple[int, ...]:
        """Remove the log and everything derived from it; returns the ids of redacted reports.

        In one transaction: the catalogue row goes, and every report snapshot built on the log is
        redacted (its case ids removed, the redaction recorded in it, re-hashed and audited). The
        audit entry names the events file and the redacted reports, never content. The file and
        the analyses kept of the log (:mod:`mining.cache`) go after the commit; a crash in between
        leaves them without a row: never read again (a stored analysis is served only for a log
        the catalogue has), and removed by the sweep.
        """
        from mining.report import redact_snapshot

        events = self.folder / f"{log_id}.parquet"
        at = clock.local(clock.now())
        case_ids: set[str] | None = None

        def redact(snapshot: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
            nonlocal case_ids
            if case_ids is None:
                case_ids = _case_ids(events)
            return redact_snapshot(snapshot, log_id, case_ids=case_ids, at=at, reason=reason)

        deleted = self.catalogue.delete(log_id, actor=actor, reason=reason, redact=redact)
        if deleted is None:
            raise LogNotFoundError(f"Kein Ereignisprotokoll mit der Kennung „{log_id}“.")
        (self.data_dir / deleted.parquet_path).unlink(missing_ok=True)
        AnalysisCache(self.data_dir).forget(log_id)
        return deleted.redacted_reports

    def purge_expired(
        self, *, actor: str = "Löschfrist", today: dt.date | None = None
    ) -> list[str]:
        """Delete every log whose deletion date is today or earlier; returns their ids."""
        purged = []
        for log_id in self.catalogue.due(today or clock.today()):
            try:
                self.delete(log_id, actor=actor, reason="Aufbewahrungsfrist abgelaufen")
            except LogNotFoundError:
                continue  # deleted by someone else meanwhile
            purged.append(log_id)
        return purged

    def sweep_orphans(self) -> list[Path]:
        """Remove what no running import and no catalogue row claims; returns what went (the
        events files and rows; the analyses of logs without a row go too, unlisted).

        The folder is listed before the rows are read: a file that appears in between is not
        judged, and a file listed has its row committed already (rows come before files).
        """
        analyses = AnalysisCache(self.data_dir)
        analysed = analyses.log_ids()  # listed before the rows are read, like the files
        if not self.folder.is_dir() and not analysed:
            return []
        listed = list(self.folder.iterdir()) if self.folder.is_dir() else []
        rows = self.catalogue.files()
        analyses.keep_only({row.log_id for row in rows}, analysed)
        claimed = {self.data_dir / row.parquet_path for row in rows}
        removed = []
        for candidate in listed:
            if candidate.name.startswith(STAGING_PREFIX):
                if not writer_gone(staging_writer(candidate.name)):
                    continue  # written by a running import, or by another host
            elif candidate.name.startswith(".") or candidate.suffix != ".parquet":
                continue
            elif candidate in claimed:
                continue
            candidate.unlink(missing_ok=True)
            removed.append(candidate)
        for row in rows:
            if row.state == "pending" and writer_gone(row.writer):
                # Conditional: an import that completed meanwhile keeps its log.
                if self.catalogue.remove_abandoned(row.log_id, writer=row.writer or ""):
                    path = self.data_dir / row.parquet_path
                    path.unlink(missing_ok=True)
                    removed.append(path)
        if removed:
            log.info("removed %d abandoned event-log files and rows", len(removed))
        return removed


def _case_ids(events: Path) -> set[str]:
    """Every case id of a stored log, to find it in what was derived from it."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    if not events.is_file():
        return set()
    column = pq.read_table(events, columns=["case_id"]).column("case_id")
    return {str(value) for value in pc.unique(column).to_pylist() if value is not None}
