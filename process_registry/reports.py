"""Archive of frozen leadership reports: stored with their inputs, returned exactly as saved.

A snapshot is a JSON-ready dict built elsewhere (top-level keys such as ``title``, ``filters``,
``assumptions``, ``summary``, ``candidates``, ``processes``). The archive reads only ``title``, the
process keys under ``processes`` and the event logs they rest on (``processes[].log.log_id``);
everything else is stored and returned untouched, as canonical JSON with its SHA-256, so a
re-rendered snapshot shows the same numbers leadership saw. The one change a snapshot ever sees
is its redaction when a log it rests on is deleted (:func:`redact_snapshots`), re-hashed and
audited::

    archive = ReportArchive(db)
    report_id = archive.save(snapshot, actor="mueller")
    archive.get(report_id)          # == snapshot plus {"id": report_id}
"""

from __future__ import annotations

import builtins
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .db import Database
from .errors import ConflictError, ReportAlteredError, ReportNotFoundError, ValidationError
from .models import AuditEntry, EventLog, ReportSnapshot
from .records import ReportSummary

__all__ = ["Redactor", "ReportArchive", "canonical_json", "redact_snapshots"]

Redactor = Callable[[dict[str, Any]], tuple[dict[str, Any], dict[str, Any]]]
"""Takes a snapshot's content and returns it redacted, with what was removed (for the audit:
kinds of fields and counts, never values)."""

_TITLE_MAX = 300
_ID_MAX = 2**31 - 1  # INTEGER on PostgreSQL; a larger id would be a database error, not "not found"


def canonical_json(content: Mapping[str, Any]) -> str:
    """The one text form a snapshot is stored and hashed in."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _title(content: Mapping[str, Any]) -> str:
    title = content.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ValidationError(
            "Der Bericht braucht einen Titel („title“), um gespeichert zu werden."
        )
    if len(title) > _TITLE_MAX:
        raise ValidationError(f"Der Berichtstitel ist länger als {_TITLE_MAX} Zeichen.")
    return title


def _process_keys(content: Mapping[str, Any]) -> list[str]:
    """Keys of the covered processes: ``processes`` is a list of process keys or of dicts with
    ``"key"``, or a dict keyed by process key."""
    processes = content.get("processes") or []
    if isinstance(processes, Mapping):
        entries: list[Any] = list(processes)
    elif isinstance(processes, list | tuple):
        entries = [p.get("key") if isinstance(p, Mapping) else p for p in processes]
    else:
        entries = [None]
    if not all(isinstance(k, str) and k for k in entries):
        raise ValidationError(
            "„processes“ im Bericht muss die Prozessschlüssel nennen (Liste von Schlüsseln oder "
            "von Einträgen mit „key“)."
        )
    return sorted(set(entries))


def _log_ids(content: Mapping[str, Any]) -> list[str]:
    """The event logs the snapshot rests on (``processes[].log.log_id``)."""
    processes = content.get("processes")
    found = set()
    for section in processes if isinstance(processes, list | tuple) else ():
        log = section.get("log") if isinstance(section, Mapping) else None
        if isinstance(log, Mapping) and isinstance(log.get("log_id"), str):
            found.add(log["log_id"])
    return sorted(found)


def _check_logs_exist(session: Session, log_ids: list[str]) -> None:
    """A snapshot is stored only while every log it rests on exists: the rows are share-locked,
    so a deletion running at the same time either finishes first (and the save is refused) or
    waits for the save (and redacts the new snapshot)."""
    if not log_ids:
        return
    present = set(
        session.scalars(
            select(EventLog.log_id)
            .where(EventLog.log_id.in_(log_ids), EventLog.state == "ready")
            .with_for_update(read=True)
        )
    )
    missing = [log_id for log_id in log_ids if log_id not in present]
    if missing:
        raise ConflictError(
            f"Das Ereignisprotokoll „{missing[0]}“, auf dem der Bericht beruht, ist inzwischen "
            "gelöscht. Der Bericht wurde nicht gespeichert; bitte neu erstellen."
        )


def _audit(session: Session, actor: str, action: str, report_id: int, **details: Any) -> None:
    # "report:<id>" cannot collide with a process key (those allow no colon).
    session.add(
        AuditEntry(
            actor=actor,
            action=action,
            object_type="report",
            object_key=f"report:{report_id}",
            details=details,
        )
    )


def _not_found(report_id: int) -> ReportNotFoundError:
    return ReportNotFoundError(f"Bericht {report_id} nicht gefunden.")


def _row(session: Session, report_id: int) -> ReportSnapshot:
    if isinstance(report_id, bool) or not isinstance(report_id, int):
        raise ValidationError(f"Berichtsnummer muss eine ganze Zahl sein, nicht „{report_id}“.")
    row = session.get(ReportSnapshot, report_id) if 1 <= report_id <= _ID_MAX else None
    if row is None:
        raise _not_found(report_id)
    return row


class ReportArchive:
    """Report snapshots in one :class:`Database`; each public method is one unit of work."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def save(
        self,
        content: Mapping[str, Any],
        *,
        actor: str,
        deliver: Callable[[dict[str, Any]], None] | None = None,
    ) -> int:
        """Freeze ``content`` and return its new id, which the stored snapshot carries as ``"id"``.

        ``content`` itself is not changed; an ``"id"`` already in it is replaced. ``deliver``
        receives the snapshot as :meth:`get` will return it, before the commit: if it raises,
        nothing is stored. A report whose file cannot be written thus leaves no snapshot that
        nobody received.
        """
        if not isinstance(content, Mapping):
            raise ValidationError("Ein Bericht muss ein JSON-Objekt (dict) sein.")
        title = _title(content)
        process_keys = _process_keys(content)
        log_ids = _log_ids(content)
        try:
            draft = canonical_json({**content, "id": 0})
        except (TypeError, ValueError) as err:
            raise ValidationError(
                f"Der Bericht lässt sich nicht als JSON speichern: {err}"
            ) from None

        def unit(session: Session) -> int:
            _check_logs_exist(session, log_ids)
            row = ReportSnapshot(
                created_by=actor,
                title=title,
                process_keys=process_keys,
                log_ids=log_ids,
                content=draft,
                content_sha256=_sha256(draft),
            )
            session.add(row)
            session.flush()  # assigns the id, which belongs inside the frozen content
            row.content = canonical_json({**content, "id": row.id})
            row.content_sha256 = _sha256(row.content)
            _audit(
                session,
                actor,
                "report.save",
                row.id,
                title=title,
                processes=len(process_keys),
                sha256=row.content_sha256,
            )
            if deliver is not None:
                deliver(json.loads(row.content))
            return row.id

        return self.db.write(unit)

    def get(self, report_id: int) -> dict[str, Any]:
        """The snapshot exactly as saved; raises :class:`ReportAlteredError` if it was changed since."""
        with self.db.read() as session:
            row = _row(session, report_id)
            text, expected = row.content, row.content_sha256
        altered = ReportAlteredError(
            f"Bericht {report_id} wurde nach dem Speichern verändert (Prüfsumme stimmt nicht). "
            "Der gespeicherte Stand ist nicht mehr verlässlich und wird nicht angezeigt."
        )
        if _sha256(text) != expected:
            raise altered
        try:
            content = json.loads(text)
        except ValueError:
            raise altered from None
        # Content and checksum copied over from another report still name that report's id.
        if not isinstance(content, dict) or content.get("id") != report_id:
            raise altered
        return content

    def list(self, limit: int = 100) -> builtins.list[ReportSummary]:
        """Stored snapshots, newest first."""
        if limit < 1:
            raise ValidationError("„limit“ muss mindestens 1 sein.")
        query = (
            select(
                ReportSnapshot.id,
                ReportSnapshot.created_at,
                ReportSnapshot.created_by,
                ReportSnapshot.title,
                ReportSnapshot.process_keys,
            )
            .order_by(ReportSnapshot.created_at.desc(), ReportSnapshot.id.desc())
            .limit(limit)
        )
        with self.db.read() as session:
            rows = session.execute(query).all()
        return [
            ReportSummary(
                id=row.id,
                created_at=row.created_at,
                created_by=row.created_by,
                title=row.title,
                process_keys=tuple(row.process_keys or ()),
            )
            for row in rows
        ]

    def delete(self, report_id: int, *, actor: str) -> None:
        """Remove a snapshot for good; the audit entry keeps its id, title and checksum."""

        def unit(session: Session) -> None:
            row = _row(session, report_id)
            _audit(
                session,
                actor,
                "report.delete",
                report_id,
                title=row.title,
                sha256=row.content_sha256,
            )
            session.delete(row)

        self.db.write(unit)


def redact_snapshots(
    session: Session, log_id: str, redact: Redactor, *, actor: str
) -> builtins.list[int]:
    """Redact every snapshot built on ``log_id`` inside the caller's transaction; their ids.

    The redacted content is re-hashed, so it stays readable, and audited. A snapshot that was
    already altered in the database keeps its old checksum, so it stays refused; one that is not
    even JSON any more cannot be redacted and is deleted.
    """
    # The content is searched too: a snapshot saved before ``log_ids`` was filled names the log
    # only there.
    candidates = session.scalars(
        select(ReportSnapshot.id)
        .where(ReportSnapshot.content.contains(log_id, autoescape=True))
        .order_by(ReportSnapshot.id)
    ).all()
    built_on = []
    for report_id in candidates:
        row = session.get(ReportSnapshot, report_id, with_for_update=True)
        intact = _sha256(row.content) == row.content_sha256
        try:
            content = json.loads(row.content)
        except ValueError:
            content = None
        if isinstance(content, dict) and log_id not in _log_ids(content):
            continue  # it only mentions the log
        built_on.append(report_id)
        if not isinstance(content, dict):
            _audit(session, actor, "report.delete", report_id, title=row.title, log_id=log_id,
                   reason="unlesbar; beruhte auf einem gelöschten Ereignisprotokoll")  # fmt: skip
            session.delete(row)
            continue
        before = row.content_sha256
        redacted, removed = redact(content)
        row.content = canonical_json(redacted)
        if intact:
            row.content_sha256 = _sha256(row.content)
        _audit(session, actor, "report.redact", report_id, log_id=log_id, intact=intact,
               sha256_before=before, sha256=row.content_sha256, **removed)  # fmt: skip
    return built_on
