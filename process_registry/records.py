"""Typed, detached results of registry calls: safe to keep after the session closed."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from .clock import iso

__all__ = [
    "AuditRecord",
    "ProcessRecord",
    "ProcessSummary",
    "ReportSummary",
    "VersionInfo",
    "VersionRef",
]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return iso(value)
    if isinstance(value, dt.date):  # a calendar day (valid from, resubmission): no clock
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class VersionRef:
    """The answer of add / new-version / restore: which process, which version number."""

    key: str
    version: int
    # Set when saving the version withdrew the release ("fachlich freigegeben" → "in Bearbeitung").
    status_from: str | None = None
    status_to: str | None = None
    # The new version's lint errors when it touched a release (withdrawn or kept by override).
    findings: tuple[Any, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"key": self.key, "version": self.version}
        if self.status_to is not None:
            answer["status"] = {"from": self.status_from, "to": self.status_to}
        if self.findings:
            answer["lint_errors"] = [f.to_dict() for f in self.findings]
        return answer


@dataclass(frozen=True)
class VersionInfo:
    number: int
    sha256: str
    size: int
    file_name: str | None
    author: str
    comment: str | None
    created_at: dt.datetime
    restored_from: int | None

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


@dataclass(frozen=True)
class ProcessSummary:
    key: str
    name: str
    department: str
    status: str
    versions: int
    leika_key: str | None
    ozg_maturity_level: int | None
    ozg_maturity_scale: str | None
    tags: tuple[str, ...]
    updated_at: dt.datetime
    derived_from: str | None = None
    # A newer version of its Stammprozess arrived since the local process was last reviewed.
    review_needed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


@dataclass(frozen=True)
class ProcessRecord:
    """A process with all its catalogue data and version history (oldest first)."""

    key: str
    name: str
    department: str
    owner: str | None
    leika_key: str | None
    ozg_service: str | None
    ozg_maturity_level: int | None
    ozg_maturity_scale: str | None
    legal_basis: str | None
    annual_case_volume: int | None
    legal_deadline_days: int | None
    # Where the legal deadline's clock starts and stops (log activities); None: first/last event.
    deadline_starts_with: str | None
    deadline_ends_with: str | None
    status: str
    valid_from: dt.date | None
    valid_until: dt.date | None
    resubmission_date: dt.date | None
    tags: tuple[str, ...]
    description: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    updated_by: str | None
    revision: int
    versions: tuple[VersionInfo, ...] = field(default_factory=tuple)
    # The log the process manager chose to speak for the process; None: the default rule
    # (Registry.reference_log says which log that is, and why).
    reference_log_id: str | None = None
    # The LeiKa key of the FIM Stammprozess this entry holds (imported from XProzess), if any.
    fim_id: str | None = None
    # A local process: its Stammprozess's key and the Stammprozess version it is aligned with.
    derived_from: str | None = None
    derived_version: int | None = None

    @property
    def head(self) -> VersionInfo | None:
        return self.versions[-1] if self.versions else None

    def to_dict(self) -> dict[str, Any]:
        data = _jsonable(asdict(self))
        data["versions"] = [v.to_dict() for v in self.versions]
        return data


@dataclass(frozen=True)
class AuditRecord:
    at: dt.datetime
    actor: str
    action: str
    object_type: str
    object_key: str
    details: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


@dataclass(frozen=True)
class ReportSummary:
    """One stored report snapshot as listed: who froze which report when, covering which processes."""

    id: int
    created_at: dt.datetime
    created_by: str
    title: str
    process_keys: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))
