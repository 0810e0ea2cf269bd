"""What an import checks before its log is stored: warnings, never refusals.

A department may upload a test extract, the same export twice, or a log of another process; each
would be stored as asked, but should not silently speak for the process on the overview and in
the report. Three checks, each a warning stored with the log (``event_log.checks``), so the
default choice of a process's reference log skips logs that warned
(:class:`process_registry.ReferenceLog`):

* ``overlap``: fewer than :data:`MIN_MODEL_SHARE` of the log's activities map to a step of the
  linked process's model (the model comparison itself is the application layer's, which knows the
  registry: :class:`ModelReview`);
* ``duplicate``: a stored log was uploaded from a file with the same SHA-256;
* ``small``: fewer cases than the office's ``min_cases`` (:class:`process_registry.OfficeSettings`).

Without a linked process, :class:`ModelReview` suggests the process whose model best covers the
log's activities.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from process_registry import SETTINGS_FILE

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "MIN_MODEL_SHARE",
    "ActivityOverlap",
    "CheckName",
    "ImportCheck",
    "ModelReview",
    "UploadReview",
    "activity_names",
    "ranked_activities",
    "duplicate_upload",
    "file_sha256",
    "low_overlap",
    "small_log",
]

# Below half, most of what the log records is not in the model: the log belongs to another
# process, or its names need a confirmed mapping first. A sample log of the right process maps
# (almost) all of its activities; a few unmodelled steps ("Telefonische Rückfrage") stay far above.
MIN_MODEL_SHARE = 0.5
_UNMAPPED_SHOWN = 5

CheckName = Literal["overlap", "duplicate", "small"]


@dataclass(frozen=True)
class ActivityOverlap:
    """How a log's activities meet one process's model.

    ``activities`` distinct activities of the log, ``mapped`` of them pair with a model task or
    event (exactly, after normalization, or by a confirmed mapping); ``model_tasks`` tasks the
    model has, ``covered`` of them some log activity maps to; ``unmapped`` the log activities
    without a model step, in the log's order.
    """

    process_key: str
    process_name: str
    activities: int
    mapped: int
    model_tasks: int
    covered: int
    unmapped: tuple[str, ...] = ()

    @property
    def share(self) -> float:
        """The share of the log's activities that map to the model (0 … 1)."""
        return self.mapped / self.activities if self.activities else 0.0

    @property
    def model_share(self) -> float:
        """The share of the model's tasks the log touches (0 … 1)."""
        return self.covered / self.model_tasks if self.model_tasks else 0.0

    def describe(self) -> str:
        """``12 von 14 Tätigkeiten (86 %) sind Schritte des Modells „Hundesteuer …“``."""
        return (
            f"{self.mapped} von {self.activities} Tätigkeiten ({round(self.share * 100)} %) "
            f"sind Schritte des Modells „{self.process_name}“ ({self.process_key})"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "process": self.process_key,
            "name": self.process_name,
            "activities": self.activities,
            "mapped": self.mapped,
            "share": round(self.share, 4),
            "model_tasks": self.model_tasks,
            "covered": self.covered,
            "unmapped": list(self.unmapped),
        }


class ModelReview(Protocol):
    """Compares a log's activities with registered models (implemented where the registry and
    the conformance stage meet: :func:`pmo.model_review`)."""

    def overlap(self, process_key: str, activities: Sequence[str]) -> ActivityOverlap | None:
        """The overlap with ``process_key``'s current model; None when it has no model."""
        ...

    def suggest(self, activities: Sequence[str]) -> ActivityOverlap | None:
        """The process whose model best covers ``activities``; None when none shares one."""
        ...


@dataclass(frozen=True)
class ImportCheck:
    """One warning of an import: which ``check``, a German ``message``, and its figures."""

    check: CheckName
    message: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """As stored with the log and given by ``--json``: ``{"check", "message", …figures}``."""
        return {"check": self.check, "message": self.message, **self.details}


@dataclass(frozen=True)
class UploadReview:
    """The warnings of an upload, the overlap with its linked process (if one is linked and has
    a model), and the suggested process (if none is linked)."""

    checks: tuple[ImportCheck, ...] = ()
    overlap: ActivityOverlap | None = None
    suggestion: ActivityOverlap | None = None

    @property
    def suggestion_text(self) -> str | None:
        if self.suggestion is None:
            return None
        return f"Vorschlag für die Verknüpfung: {self.suggestion.describe()}."


def small_log(cases: int, min_cases: int) -> ImportCheck | None:
    if cases >= min_cases:
        return None
    return ImportCheck(
        "small",
        f"Nur {cases} Fälle, weniger als {min_cases} (min_cases in {SETTINGS_FILE}): zu wenige, "
        "um für den Prozess zu sprechen.",
        {"cases": cases, "min_cases": min_cases},
    )


def duplicate_upload(earlier: Sequence[str]) -> ImportCheck | None:
    """``earlier``: the ids of stored logs uploaded from the same file, oldest first."""
    if not earlier:
        return None
    return ImportCheck(
        "duplicate",
        "Dieselbe Datei (gleiche SHA-256-Prüfsumme) wurde schon hochgeladen: "
        f"{', '.join(earlier)}.",
        {"same_as": list(earlier)},
    )


def low_overlap(overlap: ActivityOverlap) -> ImportCheck | None:
    if overlap.share >= MIN_MODEL_SHARE:
        return None
    shown = ", ".join(f"„{a}“" for a in overlap.unmapped[:_UNMAPPED_SHOWN])
    more = len(overlap.unmapped) - _UNMAPPED_SHOWN
    if more > 0:
        shown += f" und {more} weitere"
    return ImportCheck(
        "overlap",
        f"Nur {overlap.describe()}, erwartet sind mindestens {round(MIN_MODEL_SHARE * 100)} %: "
        f"gehört das Protokoll zu diesem Prozess? Ohne Modellschritt: {shown}.",
        {
            "process": overlap.process_key,
            "mapped": overlap.mapped,
            "activities": overlap.activities,
            "share": round(overlap.share, 4),
            "min_share": MIN_MODEL_SHARE,
        },
    )


def activity_names(events: Path) -> tuple[str, ...]:
    """The distinct activities of a stored (or staged) events file, most frequent first."""
    import pyarrow.parquet as pq

    return ranked_activities(pq.read_table(events, columns=["activity"]).column("activity"))


def ranked_activities(column: pa.ChunkedArray | pa.Array) -> tuple[str, ...]:
    """The distinct values of an activity column (plain or dictionary-encoded), most frequent
    first, ties by name."""
    import pyarrow.compute as pc

    counts = pc.value_counts(column).to_pylist()
    ranked = sorted(
        ((row["values"], row["counts"]) for row in counts if row["values"] is not None),
        key=lambda item: (-item[1], item[0]),
    )
    return tuple(name for name, _ in ranked)


def file_sha256(path: Path) -> str:
    """The SHA-256 of an uploaded file, as the catalogue keeps it (``source_sha256``)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
