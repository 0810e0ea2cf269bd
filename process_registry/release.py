"""The release rule: a process is "fachlich freigegeben" only while its current model is free of
lint errors, unless someone overrides that with a reason (audited).

The lint runs inside the caller's write transaction, on the head version the transaction sees
after locking the process row, so a version saved concurrently cannot slip past the check.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .bpmn import BpmnDocument, LintContext, LintFinding, lint_bpmn, parse_bpmn
from .catalogue import ProcessStatus
from .errors import ReleaseBlockedError, ValidationError
from .models import ModelVersion, Process

__all__ = [
    "RELEASED",
    "WITHDRAWN",
    "blocked_message",
    "called_element_owners",
    "check_override",
    "document_errors",
    "finding_lines",
    "head_errors",
    "refuse_release",
]

RELEASED = ProcessStatus.FACHLICH_FREIGEGEBEN.value
# Where a released process goes when a new version brings lint errors: being worked on again.
WITHDRAWN = ProcessStatus.IN_BEARBEITUNG.value


def called_element_owners(session: Session) -> dict[str, str]:
    """Called element (process key or a head version's BPMN process id) → registered key."""
    head = (
        select(ModelVersion.process_id, func.max(ModelVersion.number).label("n"))
        .group_by(ModelVersion.process_id)
        .subquery()
    )
    query = (
        select(Process.key, ModelVersion.bpmn_process_ids)
        .join(ModelVersion, ModelVersion.process_id == Process.id)
        .join(head, (head.c.process_id == Process.id) & (head.c.n == ModelVersion.number))
        .where(Process.deleted_at.is_(None))
        .order_by(Process.key)
    )
    rows = session.execute(query).all()
    owners = {process_key: process_key for process_key, _ in rows}
    for process_key, ids in rows:
        for process_id in ids or ():
            owners.setdefault(process_id, process_key)
    return owners


def document_errors(
    session: Session, document: BpmnDocument, leika_key: str | None
) -> list[LintFinding]:
    """The lint errors (not warnings) of ``document`` as a registered process with ``leika_key``."""
    known = frozenset(called_element_owners(session))
    context = LintContext(
        resolve_called_element=known.__contains__, leika_key=leika_key, check_catalogue=True
    )
    return [f for f in lint_bpmn(document, context) if f.severity == "error"]


def head_errors(session: Session, process: Process) -> list[LintFinding]:
    """The lint errors of ``process``'s current version (none without a version)."""
    head = session.scalar(
        select(ModelVersion)
        .where(ModelVersion.process_id == process.id)
        .order_by(ModelVersion.number.desc())
        .limit(1)
    )
    if head is None:
        return []
    document = parse_bpmn(head.content, source=f"{process.key} v{head.number}")
    return document_errors(session, document, process.leika_key)


def check_override(reason: str | None) -> str | None:
    """The override reason, stripped; an empty one is refused (an override must say why)."""
    if reason is None:
        return None
    if not reason.strip():
        raise ValidationError(
            "Freigabe trotz Lint-Fehlern: bitte eine Begründung angeben (sie wird protokolliert)."
        )
    return reason.strip()


def finding_lines(findings: Sequence[LintFinding]) -> list[str]:
    return [f"{f.rule} bei „{f.element}“: {f.message}" for f in findings]


def blocked_message(key: str, findings: Sequence[LintFinding]) -> str:
    lines = "\n".join(f"  - {line}" for line in finding_lines(findings))
    return (
        f"Prozess „{key}“ kann nicht „{RELEASED}“ werden: die aktuelle Version hat "
        f"{len(findings)} Lint-Fehler:\n{lines}\n"
        "Bitte die Fehler im Modell beheben oder die Freigabe ausdrücklich mit Begründung "
        "erzwingen (Feld „Begründung für die Freigabe trotz Lint-Fehlern“ bzw. --override-lint); "
        "nichts wurde gespeichert."
    )


def refuse_release(key: str, findings: Sequence[LintFinding]) -> None:
    raise ReleaseBlockedError(blocked_message(key, findings), key=key, findings=tuple(findings))
