"""ORM tables of the registry. The annotations are the schema; migrations mirror them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from .catalogue import ProcessStatus
from .clock import as_utc

__all__ = [
    "ActivityMappingRecord",
    "AppendOnlyViolation",
    "AuditEntry",
    "Base",
    "EventLog",
    "ModelVersion",
    "Process",
    "RegistrySession",
    "ReportSnapshot",
    "UtcDateTime",
]

# Named constraints keep Alembic's batch mode on SQLite and plain ALTER on PostgreSQL in step.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """``DateTime(timezone=True)`` whose values are always UTC-aware, in and out.

    SQLite keeps no zone: it stores the wall clock it is given and hands it back naive, and
    PostgreSQL reads a naive value in the session's zone. Converting to UTC on the way in and
    attaching UTC on the way out makes every stored instant one unambiguous value on both, with
    the columns unchanged (no migration).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        return None if value is None else as_utc(value)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        return None if value is None else as_utc(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


_STATUS_VALUES = ", ".join(f"'{s.value}'" for s in ProcessStatus)


class Process(Base):
    """An administrative service (Verwaltungsleistung) with its catalogue data."""

    __tablename__ = "process"
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATUS_VALUES})", name="status_known"),
        CheckConstraint("ozg_maturity_scale IN ('1.1', '2.0')", name="ozg_scale_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    department: Mapped[str] = mapped_column(String(200), index=True)
    owner: Mapped[str | None] = mapped_column(String(200))
    leika_key: Mapped[str | None] = mapped_column(String(20))
    ozg_service: Mapped[str | None] = mapped_column(String(300))
    ozg_maturity_level: Mapped[int | None] = mapped_column(Integer)
    ozg_maturity_scale: Mapped[str | None] = mapped_column(String(3))
    legal_basis: Mapped[str | None] = mapped_column(Text)
    annual_case_volume: Mapped[int | None] = mapped_column(Integer)
    legal_deadline_days: Mapped[int | None] = mapped_column(Integer)
    # Where the legal deadline's clock starts and stops (activity names); None: first/last event.
    deadline_starts_with: Mapped[str | None] = mapped_column(String(300))
    deadline_ends_with: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(40), default=ProcessStatus.ENTWURF.value)
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    resubmission_date: Mapped[dt.date | None] = mapped_column(Date)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(200))
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    # The event log the process manager chose to speak for the process (``event_log.log_id``);
    # None: the newest ready log that passed the import checks (Registry.reference_log). No
    # foreign key: event_log already references process, and a cycle between the two tables would
    # need deferred constraints on PostgreSQL and table copies on SQLite; deleting a log clears
    # the column in the same transaction (EventLogCatalogue.delete).
    reference_log_id: Mapped[str | None] = mapped_column(String(40))
    # The LeiKa key of the FIM Stammprozess this entry holds (imported from XProzess), if any.
    fim_id: Mapped[str | None] = mapped_column(String(20), index=True)
    # A local process: the registry key of its Stammprozess and the Stammprozess version it was
    # derived from or last reviewed against. A key, not a foreign key: a soft-deleted
    # Stammprozess keeps its row and key, and the link must say which one it was.
    derived_from: Mapped[str | None] = mapped_column(String(100))
    derived_version: Mapped[int | None] = mapped_column(Integer)

    versions: Mapped[list[ModelVersion]] = relationship(
        back_populates="process", order_by="ModelVersion.number"
    )

    # Optimistic locking: an UPDATE based on a stale revision matches no row and raises.
    __mapper_args__ = {"version_id_col": revision}


class ModelVersion(Base):
    """One uploaded BPMN file, exactly as received. Rows are never updated or deleted."""

    __tablename__ = "model_version"
    __table_args__ = (
        UniqueConstraint("process_id", "number", name="uq_model_version_process_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str | None] = mapped_column(String(300))
    bpmn_process_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    author: Mapped[str] = mapped_column(String(200))
    comment: Mapped[str | None] = mapped_column(Text)
    restored_from: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    # What the XProzess file said with this version (process_registry.fim.Stammprozess.to_dict).
    fim: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    process: Mapped[Process] = relationship(back_populates="versions")


class EventLog(Base):
    """One imported event-log version. The events live in a Parquet file under PMO_DATA_DIR; this row
    catalogues it (who, what, how it was read, what was dropped) and says when it must be deleted."""

    __tablename__ = "event_log"
    __table_args__ = (CheckConstraint("state IN ('pending', 'ready')", name="state_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    log_id: Mapped[str] = mapped_column(String(40), unique=True)
    process_id: Mapped[int | None] = mapped_column(ForeignKey("process.id"), index=True)
    department: Mapped[str | None] = mapped_column(String(200), index=True)
    uploaded_by: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    source_name: Mapped[str] = mapped_column(String(300))
    # Indexed: every import looks up earlier uploads of the same file.
    source_sha256: Mapped[str] = mapped_column(String(64), index=True)
    source_bytes: Mapped[int] = mapped_column(Integer)
    file_format: Mapped[str] = mapped_column(String(40))
    detected: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    privacy: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    cases: Mapped[int] = mapped_column(Integer)
    events: Mapped[int] = mapped_column(Integer)
    activities: Mapped[int] = mapped_column(Integer)
    variants: Mapped[int] = mapped_column(Integer)
    first_event: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_event: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    rejected_rows: Mapped[int] = mapped_column(Integer, default=0)
    parquet_path: Mapped[str] = mapped_column(String(500))
    delete_after: Mapped[dt.date] = mapped_column(Date, index=True)
    # "pending" from before the events file is moved into place until the import is complete;
    # only "ready" logs exist for users. ``writer`` names the importing process ("host:pid").
    state: Mapped[str] = mapped_column(String(10), default="ready", server_default="ready")
    writer: Mapped[str | None] = mapped_column(String(200))
    # Warnings of the import checks (activities barely in the model, same file uploaded before,
    # fewer cases than ``min_cases``): ``[{"check", "message", …figures}]``; empty when all
    # passed. A log with warnings is skipped when the reference log is chosen by default.
    checks: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, default=list, server_default=text("'[]'")
    )

    process: Mapped[Process | None] = relationship()


class ActivityMappingRecord(Base):
    """Confirmed mapping of log activity names to model elements for one model version.

    Kept per version because a new model version may rename tasks; mining reuses it on the next
    analysis so a process manager confirms each pair once.
    """

    __tablename__ = "activity_mapping"
    __table_args__ = (
        UniqueConstraint("process_id", "version_number", name="uq_activity_mapping_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id"), index=True)
    version_number: Mapped[int] = mapped_column(Integer)
    pairs: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class ReportSnapshot(Base):
    """A frozen leadership report with its inputs, stored as canonical JSON with its SHA-256.

    No foreign key to ``process``: the snapshot records what leadership saw and outlives the
    processes it covers. ``process_keys`` is a copy for listing, not a reference.
    """

    __tablename__ = "report_snapshots"
    # AUTOINCREMENT on SQLite: the id of a deleted report is never handed out again.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    process_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The event logs the snapshot was built on, so deleting a log finds what was derived from it.
    log_ids: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    content: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))


class AuditEntry(Base):
    """Who did what to which object, when. Details never hold file contents or personal data."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(60))
    object_key: Mapped[str] = mapped_column(String(200), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AppendOnlyViolation(RuntimeError):
    """Raised when code tries to change a stored model version; a programming error, not input."""


class RegistrySession(Session):
    """The sessions of the registry's units of work (:class:`process_registry.db.Database`).

    The append-only rule below listens on this class, not on SQLAlchemy's ``Session``: an
    application that imports the registry keeps its own sessions free of the registry's rules.
    """


@event.listens_for(RegistrySession, "before_flush")
def _forbid_changing_history(session: Session, _context: object, _instances: object) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, ModelVersion | AuditEntry):
            if obj in session.deleted or session.is_modified(obj):
                raise AppendOnlyViolation(
                    f"{type(obj).__name__} is append-only; insert a new row instead"
                )
