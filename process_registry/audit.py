"""Writing the audit trail: one row per action on a process, in the action's own transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .models import AuditEntry

__all__ = ["record_audit"]


def record_audit(session: Session, actor: str, action: str, key: str, **details: Any) -> None:
    """Add who did ``action`` to process ``key``; committed with the change it records."""
    session.add(
        AuditEntry(
            actor=actor, action=action, object_type="process", object_key=key, details=details
        )
    )
