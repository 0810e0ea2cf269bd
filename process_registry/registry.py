"""The process registry: catalogue data and append-only BPMN versions, with an audit trail.

Each public method is one unit of work. Input is parsed and validated before the write transaction
opens, so a bad file or bad catalogue value never leaves anything behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from . import local_processes, release, stammprozesse
from .audit import record_audit as _audit
from .bpmn import BpmnDiff, BpmnDocument, LintContext, LintFinding, diff_bpmn, lint_bpmn, parse_bpmn
from .catalogue import ProcessStatus, validate_ozg_maturity
from .catalogue_fields import (
    CATALOGUE_FIELDS,
    clean_catalogue,
    same_clock_step,
    slugify,
    valid_key,
)
from .db import Database
from .errors import (
    ConflictError,
    ProcessExistsError,
    ProcessNotFoundError,
    ValidationError,
    VersionNotFoundError,
)
from .event_logs import READY, StoredEventLog, stored_event_log
from .fim import Stammprozess
from .local_processes import StammComparison, stamm_heads
from .models import ActivityMappingRecord, AuditEntry, EventLog, ModelVersion, Process
from .records import AuditRecord, ProcessRecord, ProcessSummary, VersionInfo, VersionRef
from .reference import ReferenceLog, choose_reference
from .stammprozesse import FimImport, TaskGroup

__all__ = [
    "CATALOGUE_FIELDS",
    "KEEP_REFERENCE",
    "Registry",
    "clean_catalogue",
    "slugify",
    "valid_key",
]

# ``update_process(reference_log=…)`` not given: the reference log stays as it is.
KEEP_REFERENCE: Any = object()


def _check_consistency(process: Process) -> None:
    validate_ozg_maturity(process.ozg_maturity_level, process.ozg_maturity_scale)
    if process.valid_from and process.valid_until and process.valid_until < process.valid_from:
        raise ValidationError("„gültig bis“ liegt vor „gültig ab“.")
    if process.deadline_starts_with and process.deadline_starts_with == process.deadline_ends_with:
        same_clock_step(process.deadline_starts_with)


def _version_info(version: ModelVersion) -> VersionInfo:
    return VersionInfo(
        number=version.number,
        sha256=version.sha256,
        size=len(version.content),
        file_name=version.file_name,
        author=version.author,
        comment=version.comment,
        created_at=version.created_at,
        restored_from=version.restored_from,
    )


def _record(process: Process) -> ProcessRecord:
    return ProcessRecord(
        key=process.key,
        name=process.name,
        department=process.department,
        owner=process.owner,
        leika_key=process.leika_key,
        ozg_service=process.ozg_service,
        ozg_maturity_level=process.ozg_maturity_level,
        ozg_maturity_scale=process.ozg_maturity_scale,
        legal_basis=process.legal_basis,
        annual_case_volume=process.annual_case_volume,
        legal_deadline_days=process.legal_deadline_days,
        deadline_starts_with=process.deadline_starts_with,
        deadline_ends_with=process.deadline_ends_with,
        status=process.status,
        valid_from=process.valid_from,
        valid_until=process.valid_until,
        resubmission_date=process.resubmission_date,
        tags=tuple(process.tags or ()),
        description=process.description,
        created_at=process.created_at,
        updated_at=process.updated_at,
        updated_by=process.updated_by,
        revision=process.revision,
        versions=tuple(_version_info(v) for v in process.versions),
        reference_log_id=process.reference_log_id,
        fim_id=process.fim_id,
        derived_from=process.derived_from,
        derived_version=process.derived_version,
    )


def _check_revision(process: Process, expected_revision: int) -> None:
    if process.revision != expected_revision:
        raise ConflictError(
            f"Prozess „{process.key}“ wurde inzwischen von "
            f"{process.updated_by or 'jemand anderem'} geändert (Stand {process.revision}, Ihre "
            f"Bearbeitung beruht auf Stand {expected_revision}). Ihre Änderungen wurden nicht "
            f"gespeichert und nichts wurde überschrieben; bitte neu laden und erneut anwenden."
        )


class Registry:
    """All registry operations over one :class:`Database`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- writing ---------------------------------------------------------------------------

    def add_process(
        self,
        bpmn: bytes,
        *,
        name: str,
        department: str,
        author: str,
        key: str | None = None,
        file_name: str | None = None,
        comment: str | None = None,
        override_lint: str | None = None,
        **catalogue: Any,
    ) -> VersionRef:
        """Register a new process with its first model version. Registered as "fachlich
        freigegeben", the model must be free of lint errors (or ``override_lint`` says why not)."""
        document = parse_bpmn(bpmn, source=file_name or "<upload>")
        override = release.check_override(override_lint)
        values = clean_catalogue({"name": name, "department": department, **catalogue})
        key = valid_key((key or slugify(name)).strip())

        def unit(session: Session) -> VersionRef:
            if session.scalar(select(Process.id).where(Process.key == key)) is not None:
                raise ProcessExistsError(
                    f"Ein Prozess mit dem Schlüssel „{key}“ existiert bereits."
                )
            values.setdefault("tags", [])
            process = Process(key=key, **values)
            if process.status is None:
                process.status = ProcessStatus.ENTWURF.value
            _check_consistency(process)
            session.add(process)
            session.flush()
            self._append_version(session, process, 1, bpmn, document, file_name, author, comment)
            _audit(session, author, "process.create", key, version=1, name=process.name)
            if process.status == release.RELEASED:
                session.flush()
                findings = release.document_errors(session, document, process.leika_key)
                if findings and override is None:
                    release.refuse_release(key, findings)
                if findings:
                    change = [None, process.status]
                    _audit_status(session, author, key, change, findings, override, version=1)
            return VersionRef(key, 1)

        return self._write(unit, key)

    def add_version(
        self,
        key: str,
        bpmn: bytes,
        *,
        author: str,
        file_name: str | None = None,
        comment: str | None = None,
        base_version: int | None = None,
        override_lint: str | None = None,
    ) -> VersionRef:
        """Append a model version. With ``base_version``, refuse if someone else saved meanwhile.

        A released process whose new version has lint errors goes back to "in Bearbeitung"
        (the answer says so), unless ``override_lint`` gives the reason to keep it released."""
        document = parse_bpmn(bpmn, source=file_name or "<upload>")
        override = release.check_override(override_lint)

        def unit(session: Session) -> VersionRef:
            process = self._locked_process(session, key)
            head = self._head_number(session, process)
            if base_version is not None and base_version != head:
                raise ConflictError(
                    f"Prozess „{key}“: Ihre Änderung beruht auf Version {base_version}, inzwischen "
                    f"ist Version {head} die aktuelle. Ihre Datei wurde nicht gespeichert, nichts "
                    f"wurde überschrieben; bitte mit Version {head} vergleichen und erneut hochladen."
                )
            number = head + 1
            self._append_version(
                session, process, number, bpmn, document, file_name, author, comment
            )
            _audit(session, author, "version.add", key, version=number)
            return self._after_new_version(session, process, number, document, author, override)

        return self._write(unit, key)

    def restore_version(
        self, key: str, number: int, *, author: str, comment: str | None = None
    ) -> VersionRef:
        """Make an old version current again by copying it as the new head; history stays whole."""

        def unit(session: Session) -> VersionRef:
            process = self._locked_process(session, key)
            old = self._version(session, process, number)
            head = self._head_number(session, process)
            document = parse_bpmn(old.content, source=old.file_name or f"{key} v{number}")
            new_number = head + 1
            self._append_version(
                session,
                process,
                new_number,
                old.content,
                document,
                old.file_name,
                author,
                comment or f"Wiederhergestellt aus Version {number}",
                restored_from=number,
                fim=old.fim,
            )
            _audit(
                session, author, "version.restore", key, version=new_number, restored_from=number
            )
            return self._after_new_version(session, process, new_number, document, author, None)

        return self._write(unit, key)

    def update_process(
        self,
        key: str,
        changes: Mapping[str, Any],
        *,
        expected_revision: int,
        actor: str,
        reference_log: str | None = KEEP_REFERENCE,
        override_lint: str | None = None,
    ) -> ProcessRecord:
        """Edit catalogue data. ``expected_revision`` is the revision the editor loaded.

        ``reference_log`` chooses the process's reference log in the same transaction (see
        :meth:`set_reference_log`); not given, it stays as it is. A status change follows the
        release rule of :meth:`set_status` (``override_lint``: the reason to release anyway)."""
        values = clean_catalogue(changes)
        override = release.check_override(override_lint)
        wanted = reference_log
        if isinstance(wanted, str):
            wanted = wanted.strip()
            if not wanted:
                raise ValidationError("Referenzprotokoll: leere Kennung.")

        def unit(session: Session) -> ProcessRecord:
            if "status" in values:
                # The row lock orders this against add_version, so the lint sees the true head.
                self._locked_process(session, key)
            process = self._process(session, key)
            _check_revision(process, expected_revision)
            changed = {}
            for name, value in values.items():
                if getattr(process, name) != value:
                    changed[name] = [_plain(getattr(process, name)), _plain(value)]
                    setattr(process, name, value)
            status_change = changed.pop("status", None)
            findings = []
            if status_change and process.status == release.RELEASED:
                findings = release.head_errors(session, process)
                if findings and override is None:
                    release.refuse_release(key, findings)
            before = process.reference_log_id
            if wanted is not KEEP_REFERENCE and wanted != before:
                if wanted is not None:
                    _check_reference(session, process, wanted)
                process.reference_log_id = wanted
            if not changed and not status_change and process.reference_log_id == before:
                return _record(process)
            _check_consistency(process)
            process.updated_by = actor
            session.flush()
            if status_change:
                _audit_status(session, actor, key, status_change, findings, override)
            if changed:
                _audit(session, actor, "process.update", key, changes=changed)
            if process.reference_log_id != before:
                details = {"from": before, "to": process.reference_log_id}
                _audit(session, actor, "process.reference_log", key, **details)
            return _record(process)

        return self.db.write(unit)

    def set_status(
        self,
        key: str,
        status: str,
        *,
        actor: str,
        expected_revision: int | None = None,
        override_lint: str | None = None,
    ) -> ProcessRecord:
        """Move ``key`` to another FIM status, audited as ``process.status`` (who, when, from, to).

        "fachlich freigegeben" needs a head version without lint errors; otherwise
        :class:`ReleaseBlockedError` names the findings and nothing is written, unless
        ``override_lint`` gives the reason to release anyway (audited with the findings).
        ``expected_revision`` None: the revision read just before (a change in between is still
        a conflict)."""
        wanted = {"status": status}
        if expected_revision is None:
            expected_revision = self.get_process(key).revision
        return self.update_process(
            key,
            wanted,
            expected_revision=expected_revision,
            actor=actor,
            override_lint=override_lint,
        )

    def set_reference_log(
        self, key: str, log_id: str | None, *, expected_revision: int, actor: str
    ) -> ProcessRecord:
        """Choose the event log that speaks for ``key`` (overview, report); None returns to the
        default rule (:meth:`reference_log`). The log must be a ready log linked to the process.
        Audited as ``process.reference_log``; refused like a catalogue edit when the process
        changed since ``expected_revision`` was loaded."""
        return self.update_process(
            key, {}, expected_revision=expected_revision, actor=actor, reference_log=log_id
        )

    def archive_process(self, key: str, *, actor: str, expected_revision: int) -> ProcessRecord:
        """Lifecycle end: the service is no longer offered. The record and history stay."""
        return self.update_process(
            key,
            {"status": ProcessStatus.ARCHIVIERT.value},
            expected_revision=expected_revision,
            actor=actor,
        )

    def delete_process(self, key: str, *, actor: str) -> None:
        """Soft delete: hidden from lists, kept with its history, recorded in the audit log."""

        def unit(session: Session) -> None:
            process = self._process(session, key)
            process.deleted_at = dt.datetime.now(dt.UTC)
            process.updated_by = actor
            _audit(session, actor, "process.delete", key)

        self.db.write(unit)

    def save_activity_mapping(
        self, key: str, number: int, pairs: Mapping[str, str], *, actor: str
    ) -> None:
        """Store the confirmed log-activity → model-label pairs for one model version."""
        clean = {str(k).strip(): str(v).strip() for k, v in pairs.items() if str(k).strip()}

        def unit(session: Session) -> None:
            process = self._process(session, key)
            self._version(session, process, number)
            record = session.scalar(
                select(ActivityMappingRecord).where(
                    ActivityMappingRecord.process_id == process.id,
                    ActivityMappingRecord.version_number == number,
                )
            )
            if record is None:
                record = ActivityMappingRecord(process_id=process.id, version_number=number)
                session.add(record)
            record.pairs = clean
            record.updated_by = actor
            _audit(session, actor, "mapping.save", key, version=number, pairs=len(clean))

        self._write(unit, key)

    def activity_mapping(self, key: str, number: int) -> dict[str, str]:
        """The saved pairs for that model version; empty when none were confirmed yet."""
        with self.db.read() as session:
            process = self._process(session, key)
            pairs = session.scalar(
                select(ActivityMappingRecord.pairs).where(
                    ActivityMappingRecord.process_id == process.id,
                    ActivityMappingRecord.version_number == number,
                )
            )
        return dict(pairs or {})

    # -- FIM Stammprozesse (process_registry.stammprozesse) --------------------------------

    def import_fim(
        self,
        data: bytes,
        *,
        source: str,
        author: str,
        key: str | None = None,
        department: str | None = None,
    ) -> FimImport:
        """Register the FIM Stammprozess of an XProzess 2 file, or add it as the next version of
        its entry (found by ``key`` or by its LeiKa key); the same file twice stores nothing."""
        return stammprozesse.import_fim(
            self, data, source=source, author=author, key=key, department=department
        )

    def export_xprozess(
        self, key: str, number: int | None = None, *, created: dt.datetime, product: str
    ) -> bytes:
        """Version ``number`` (default: the head) of ``key`` as an XProzess 2 file."""
        return stammprozesse.export_xprozess(self, key, number, created=created, product=product)

    def derive_process(
        self,
        stamm_key: str,
        *,
        key: str,
        author: str,
        name: str | None = None,
        department: str | None = None,
    ) -> VersionRef:
        """A local process from the current version of Stammprozess ``stamm_key``, linked to it."""
        return local_processes.derive_process(
            self, stamm_key, key=key, author=author, name=name, department=department
        )

    def stamm_comparison(self, key: str) -> StammComparison:
        """Local process ``key`` beside its Stammprozess: the diff, and whether to review it."""
        return local_processes.stamm_comparison(self, key)

    def mark_stamm_reviewed(self, key: str, *, author: str) -> int:
        """Local process ``key`` was checked against its Stammprozess's current version."""
        return local_processes.mark_reviewed(self, key, author=author)

    def task_groups(
        self, key: str, number: int | None = None, document: BpmnDocument | None = None
    ) -> tuple[TaskGroup, ...]:
        """The tasks of a version that are FIM activity groups, with type and legal bases
        (``document``: that version, when the caller has parsed it already)."""
        return stammprozesse.task_groups(self, key, number, document)

    def fim_record(self, key: str, number: int | None = None) -> Stammprozess | None:
        """What the XProzess import behind a version said (None for a plain BPMN process)."""
        return stammprozesse.fim_record(self, key, number)

    # -- reading ---------------------------------------------------------------------------

    def list_processes(self) -> list[ProcessSummary]:
        counts = (
            select(ModelVersion.process_id, func.count().label("n"))
            .group_by(ModelVersion.process_id)
            .subquery()
        )
        query = (
            select(Process, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.process_id == Process.id)
            .where(Process.deleted_at.is_(None))
            .order_by(Process.department, Process.name)
        )
        with self.db.read() as session:
            heads = stamm_heads(session)
            return [
                ProcessSummary(
                    key=p.key,
                    name=p.name,
                    department=p.department,
                    status=p.status,
                    versions=int(n),
                    leika_key=p.leika_key,
                    ozg_maturity_level=p.ozg_maturity_level,
                    ozg_maturity_scale=p.ozg_maturity_scale,
                    tags=tuple(p.tags or ()),
                    updated_at=p.updated_at,
                    derived_from=p.derived_from,
                    review_needed=bool(
                        p.derived_from and heads.get(p.derived_from, 0) > (p.derived_version or 0)
                    ),
                )
                for p, n in session.execute(query)
            ]

    def reference_log(self, key: str) -> ReferenceLog:
        """The log that speaks for ``key`` and why (see :mod:`process_registry.reference`)."""
        with self.db.read() as session:
            process = self._process(session, key)
            rows = session.scalars(
                select(EventLog)
                .where(EventLog.process_id == process.id, EventLog.state == READY)
                .order_by(EventLog.uploaded_at.desc(), EventLog.id.desc())
            ).all()
            logs = [stored_event_log(row, key) for row in rows]
            return choose_reference(key, process.reference_log_id, logs)

    def reference_logs(self) -> dict[str, ReferenceLog]:
        """:meth:`reference_log` of every registered process, read in two queries."""
        with self.db.read() as session:
            processes = session.execute(
                select(Process.id, Process.key, Process.reference_log_id).where(
                    Process.deleted_at.is_(None)
                )
            ).all()
            rows = session.scalars(
                select(EventLog)
                .where(EventLog.state == READY, EventLog.process_id.is_not(None))
                .order_by(EventLog.uploaded_at.desc(), EventLog.id.desc())
            ).all()
        keys = {process_id: key for process_id, key, _ in processes}
        by_process: dict[int, list[StoredEventLog]] = {process_id: [] for process_id in keys}
        for row in rows:
            if row.process_id in by_process:
                by_process[row.process_id].append(stored_event_log(row, keys[row.process_id]))
        return {
            key: choose_reference(key, chosen, by_process[process_id])
            for process_id, key, chosen in processes
        }

    def get_process(self, key: str) -> ProcessRecord:
        with self.db.read() as session:
            return _record(self._process(session, key))

    def export_version(self, key: str, number: int | None = None) -> bytes:
        """The exact bytes that were uploaded for that version (the head by default)."""
        with self.db.read() as session:
            process = self._process(session, key)
            number = number if number is not None else self._head_number(session, process)
            return self._version(session, process, number).content

    def get_document(self, key: str, number: int | None = None) -> BpmnDocument:
        content = self.export_version(key, number)
        return parse_bpmn(content, source=f"{key} v{number or 'aktuell'}")

    def lint_process(self, key: str, number: int | None = None) -> list[LintFinding]:
        record = self.get_process(key)
        document = self.get_document(key, number)
        return lint_bpmn(document, self.lint_context(leika_key=record.leika_key))

    def lint_context(self, *, leika_key: str | None = None, catalogue: bool = True) -> LintContext:
        known = self.called_element_targets()
        return LintContext(
            resolve_called_element=known.__contains__,
            leika_key=leika_key,
            check_catalogue=catalogue,
            departments=None,
        )

    def called_element_targets(self) -> frozenset[str]:
        """Keys and BPMN process ids a call activity may name to reach a registered process."""
        return frozenset(self.called_element_owners())

    def called_element_owners(self) -> dict[str, str]:
        """Called element (process key or a head version's BPMN process id) → registered key.

        Read from the ids stored with each version, so no model is parsed to answer it.
        """
        with self.db.read() as session:
            return release.called_element_owners(session)

    def diff_versions(self, key: str, old: int, new: int) -> BpmnDiff:
        return diff_bpmn(self.get_document(key, old), self.get_document(key, new))

    def audit_trail(self, key: str | None = None, *, limit: int = 200) -> list[AuditRecord]:
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if key is not None:
            query = query.where(AuditEntry.object_key == key)
        with self.db.read() as session:
            return [
                AuditRecord(e.at, e.actor, e.action, e.object_type, e.object_key, dict(e.details))
                for e in session.scalars(query)
            ]

    def is_empty(self) -> bool:
        with self.db.read() as session:
            return session.scalar(select(func.count()).select_from(Process)) == 0

    # -- internals -------------------------------------------------------------------------

    def _write(self, unit, key: str):  # type: ignore[no-untyped-def]
        try:
            return self.db.write(unit)
        except IntegrityError as err:
            # A concurrent writer took the same key or version number between our check and insert.
            raise ConflictError(
                f"Prozess „{key}“ wurde gleichzeitig von jemand anderem geändert; es wurde nichts "
                f"gespeichert. Bitte neu laden und erneut versuchen. ({type(err.orig).__name__})"
            ) from None

    @staticmethod
    def _process(session: Session, key: str) -> Process:
        process = session.scalar(
            select(Process)
            .where(Process.key == key, Process.deleted_at.is_(None))
            .options(selectinload(Process.versions))
        )
        if process is None:
            raise ProcessNotFoundError(f"Kein Prozess mit dem Schlüssel „{key}“ im Register.")
        return process

    @staticmethod
    def _locked_process(session: Session, key: str) -> Process:
        # FOR UPDATE serialises version numbering on PostgreSQL; SQLite's BEGIN IMMEDIATE already does.
        process = session.scalar(
            select(Process)
            .where(Process.key == key, Process.deleted_at.is_(None))
            .with_for_update()
        )
        if process is None:
            raise ProcessNotFoundError(f"Kein Prozess mit dem Schlüssel „{key}“ im Register.")
        return process

    @staticmethod
    def _head_number(session: Session, process: Process) -> int:
        return int(
            session.scalar(
                select(func.coalesce(func.max(ModelVersion.number), 0)).where(
                    ModelVersion.process_id == process.id
                )
            )
        )

    @staticmethod
    def _version(session: Session, process: Process, number: int) -> ModelVersion:
        version = session.scalar(
            select(ModelVersion).where(
                ModelVersion.process_id == process.id, ModelVersion.number == number
            )
        )
        if version is None:
            raise VersionNotFoundError(f"Prozess „{process.key}“ hat keine Version {number}.")
        return version

    @staticmethod
    def _after_new_version(
        session: Session,
        process: Process,
        number: int,
        document: BpmnDocument,
        author: str,
        override: str | None,
    ) -> VersionRef:
        # A release vouches for the current model; a model with lint errors withdraws it.
        if process.status != release.RELEASED:
            return VersionRef(process.key, number)
        session.flush()
        findings = release.document_errors(session, document, process.leika_key)
        if not findings:
            return VersionRef(process.key, number)
        change = [process.status, process.status if override else release.WITHDRAWN]
        if override:
            _audit_status(session, author, process.key, change, findings, override, version=number)
            return VersionRef(process.key, number, findings=tuple(findings))
        process.status = release.WITHDRAWN
        process.updated_by = author
        session.flush()
        _audit_status(session, author, process.key, change, findings, None, version=number)
        return VersionRef(
            process.key,
            number,
            status_from=change[0],
            status_to=change[1],
            findings=tuple(findings),
        )

    @staticmethod
    def _append_version(
        session: Session,
        process: Process,
        number: int,
        content: bytes,
        document: BpmnDocument,
        file_name: str | None,
        author: str,
        comment: str | None,
        *,
        restored_from: int | None = None,
        fim: dict[str, Any] | None = None,
    ) -> None:
        session.add(
            ModelVersion(
                process_id=process.id,
                number=number,
                content=bytes(content),
                sha256=hashlib.sha256(content).hexdigest(),
                file_name=file_name,
                bpmn_process_ids=[p.id for p in document.processes],
                author=author,
                comment=comment,
                restored_from=restored_from,
                fim=fim,
            )
        )


def _check_reference(session: Session, process: Process, log_id: str) -> None:
    # A shared lock on PostgreSQL: a deletion of the log (which locks it for update) waits for this
    # choice to commit and then clears it, instead of leaving a choice of a log that is gone.
    linked = session.execute(
        select(EventLog.process_id)
        .where(EventLog.log_id == log_id, EventLog.state == READY)
        .with_for_update(read=True)
    ).first()
    if linked is None:
        raise ValidationError(f"Referenzprotokoll: kein Ereignisprotokoll „{log_id}“.")
    if linked[0] != process.id:
        raise ValidationError(
            f"Referenzprotokoll: „{log_id}“ ist nicht mit dem Prozess „{process.key}“ verknüpft; "
            "für einen Prozess spricht nur eines seiner Protokolle."
        )


def _audit_status(
    session: Session,
    actor: str,
    key: str,
    change: list[Any],
    findings: list[LintFinding],
    override: str | None,
    **extra: Any,
) -> None:
    details: dict[str, Any] = {"from": change[0], "to": change[1], **extra}
    if findings:
        details["lint_errors"] = [f.to_dict() for f in findings]
    if findings and override:
        details["override"] = override
    _audit(session, actor, "process.status", key, **details)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Iterable) and not isinstance(value, str | bytes):
        return list(value)
    return value
