"""Local processes: a city's own process derived from a FIM Stammprozess, kept linked to it.

The local process keeps the Stammprozess's key (``derived_from``) and the Stammprozess version it
is aligned with (``derived_version``). A newer Stammprozess version flags it for review until a
process manager has compared the two and confirmed it (:func:`mark_reviewed`). The functions are
the bodies of the :class:`~process_registry.registry.Registry` methods of the same purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .audit import record_audit
from .bpmn import BpmnDiff, diff_bpmn, parse_bpmn
from .catalogue_fields import CATALOGUE_FIELDS, clean_catalogue, valid_key
from .errors import ProcessExistsError, ProcessNotFoundError, ValidationError
from .models import ModelVersion, Process
from .records import VersionRef
from .stammprozesse import head_version

if TYPE_CHECKING:
    from .registry import Registry

__all__ = ["StammComparison", "derive_process", "mark_reviewed", "stamm_comparison", "stamm_heads"]


@dataclass(frozen=True)
class StammComparison:
    """A local process beside its Stammprozess.

    ``diff`` goes from the Stammprozess's current version to the local process's current version
    (added: only local; removed: only in the Stammprozess); ``stamm_changes`` from the version
    the local process is aligned with to the Stammprozess's current one (what arrived since).
    """

    key: str
    stamm_key: str
    aligned_version: int
    stamm_version: int
    diff: BpmnDiff
    stamm_changes: BpmnDiff | None

    @property
    def review_needed(self) -> bool:
        return self.stamm_version > self.aligned_version

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "stamm_key": self.stamm_key,
            "aligned_version": self.aligned_version,
            "stamm_version": self.stamm_version,
            "review_needed": self.review_needed,
            "diff": self.diff.to_dict(),
            "stamm_changes": None if self.stamm_changes is None else self.stamm_changes.to_dict(),
        }


def derive_process(
    registry: Registry,
    stamm_key: str,
    *,
    key: str,
    author: str,
    name: str | None = None,
    department: str | None = None,
) -> VersionRef:
    """A local process from the current version of Stammprozess ``stamm_key``: its model as
    version 1, its catalogue data as a start, status "Entwurf", linked to the Stammprozess."""
    local_key = valid_key(key.strip())
    overrides = clean_catalogue(
        {k: v for k, v in {"name": name, "department": department}.items() if v is not None}
    )

    def unit(session: Session) -> VersionRef:
        stamm = registry._process(session, stamm_key)
        if stamm.derived_from:
            raise ValidationError(
                f"„{stamm_key}“ ist selbst ein lokaler Prozess (abgeleitet von "
                f"„{stamm.derived_from}“); abgeleitet wird vom Stammprozess."
            )
        head = head_version(session, stamm)
        if head is None:
            raise ValidationError(f"„{stamm_key}“ hat keine Modellversion.")
        if session.scalar(select(Process.id).where(Process.key == local_key)) is not None:
            raise ProcessExistsError(
                f"Ein Prozess mit dem Schlüssel „{local_key}“ existiert bereits."
            )
        # The catalogue data as a start; status, tags and resubmission are the local process's own.
        copied = {
            field: getattr(stamm, field)
            for field in CATALOGUE_FIELDS
            if field not in {"status", "tags", "resubmission_date"}
        }
        process = Process(
            key=local_key,
            **{**copied, **overrides},
            tags=list(stamm.tags or ()),
            status="Entwurf",
            derived_from=stamm.key,
            derived_version=head.number,
            updated_by=author,
        )
        session.add(process)
        session.flush()
        document = parse_bpmn(head.content, source=f"{stamm_key} v{head.number}")
        registry._append_version(
            session,
            process,
            1,
            head.content,
            document,
            head.file_name,
            author,
            f"Abgeleitet vom Stammprozess „{stamm_key}“, Version {head.number}",
            # The activity groups as they were: a later Stammprozess version may drop one the
            # local process keeps.
            fim=head.fim,
        )
        record_audit(
            session,
            author,
            "process.derive",
            local_key,
            version=1,
            derived_from=stamm.key,
            stamm_version=head.number,
        )
        return VersionRef(local_key, 1)

    return registry._write(unit, local_key)


def stamm_comparison(registry: Registry, key: str) -> StammComparison:
    """The local process ``key`` beside the current version of its Stammprozess."""
    record = registry.get_process(key)
    if not record.derived_from:
        raise ValidationError(f"„{key}“ ist nicht von einem Stammprozess abgeleitet.")
    try:
        stamm = registry.get_process(record.derived_from)
    except ProcessNotFoundError:
        raise ProcessNotFoundError(
            f"Der Stammprozess „{record.derived_from}“ von „{key}“ ist nicht mehr im Register."
        ) from None
    stamm_head = stamm.head.number if stamm.head else 0
    aligned = record.derived_version or 0
    current = registry.get_document(record.derived_from, stamm_head)
    changes = None
    if stamm_head > aligned and aligned > 0:
        changes = diff_bpmn(registry.get_document(record.derived_from, aligned), current)
    return StammComparison(
        key=key,
        stamm_key=record.derived_from,
        aligned_version=aligned,
        stamm_version=stamm_head,
        diff=diff_bpmn(current, registry.get_document(key)),
        stamm_changes=changes,
    )


def mark_reviewed(registry: Registry, key: str, *, author: str) -> int:
    """Record that the local process ``key`` was checked against its Stammprozess's current
    version; that version is then the one it is aligned with. Returns its number."""

    def unit(session: Session) -> int:
        process = registry._locked_process(session, key)
        if not process.derived_from:
            raise ValidationError(f"„{key}“ ist nicht von einem Stammprozess abgeleitet.")
        stamm = session.scalar(
            select(Process).where(Process.key == process.derived_from, Process.deleted_at.is_(None))
        )
        if stamm is None:
            raise ProcessNotFoundError(
                f"Der Stammprozess „{process.derived_from}“ von „{key}“ ist nicht mehr im Register."
            )
        head = int(
            session.scalar(
                select(func.coalesce(func.max(ModelVersion.number), 0)).where(
                    ModelVersion.process_id == stamm.id
                )
            )
        )
        before = process.derived_version
        if before != head:
            process.derived_version = head
            process.updated_by = author
            record_audit(
                session,
                author,
                "stamm.review",
                key,
                stamm=stamm.key,
                **{"from": before, "to": head},
            )
        return head

    return registry._write(unit, key)


def stamm_heads(session: Session) -> dict[str, int]:
    """Current version number of every process, by key (for the review flag in lists)."""
    rows = session.execute(
        select(Process.key, func.max(ModelVersion.number))
        .join(ModelVersion, ModelVersion.process_id == Process.id)
        .group_by(Process.key)
    ).all()
    return {key: int(number) for key, number in rows}
