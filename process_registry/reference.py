"""Which event log speaks for a process: the one its process manager chose, else a default rule.

A department may upload a test extract after the full export; taking simply the newest log would
let 67 test cases replace 1,150 real ones on the overview and in the leadership report. So:

1. the log the process manager chose (``process.reference_log_id``), while it is stored;
2. else the newest ready log of the process whose import checks all passed
   (``EventLog.checks`` empty: its activities are in the model, its file is new, it is not small);
3. else, when every log of the process warned, the newest one, naming what it failed.

:func:`choose_reference` is the rule on rows already read; :class:`process_registry.Registry`
reads them (``reference_log``, ``reference_logs``) and stores the choice (``set_reference_log``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .clock import iso
from .event_logs import StoredEventLog

__all__ = [
    "REFERENCE_REASONS",
    "ReferenceLog",
    "ReferenceReason",
    "check_names",
    "choose_reference",
]

ReferenceReason = Literal["chosen", "newest_passing", "newest", "none"]
REFERENCE_REASONS: tuple[ReferenceReason, ...] = ("chosen", "newest_passing", "newest", "none")

_CHECK_NAMES = {
    "overlap": "Tätigkeiten kaum im Modell",
    "duplicate": "Datei schon einmal hochgeladen",
    "small": "zu wenige Fälle",
}


def check_names(checks: Sequence[str]) -> str:
    """The failed checks in German, for a reason text: ``zu wenige Fälle, …``."""
    return ", ".join(_CHECK_NAMES.get(c, c) for c in checks)


@dataclass(frozen=True)
class ReferenceLog:
    """The log that speaks for ``process_key`` and why (``reason``).

    ``reason``: ``chosen`` (the process manager's choice), ``newest_passing`` (the newest log
    whose import checks all passed), ``newest`` (every log warned; ``log.failed_checks`` says
    which), ``none`` (no log is linked). ``skipped`` are the newer logs the default rule passed
    over, with the checks they failed; ``chosen_missing`` a chosen log id that is no longer stored.
    """

    process_key: str
    log: StoredEventLog | None
    reason: ReferenceReason
    skipped: tuple[tuple[str, tuple[str, ...]], ...] = ()
    chosen_missing: str | None = None

    @property
    def log_id(self) -> str | None:
        return None if self.log is None else self.log.log_id

    @property
    def failed_checks(self) -> tuple[str, ...]:
        return () if self.log is None else self.log.failed_checks

    @property
    def reason_text(self) -> str:
        """Why this log, in German, as the report and the CLI say it."""
        if self.reason == "none":
            text = "Kein Ereignisprotokoll mit dem Prozess verknüpft."
        elif self.reason == "chosen":
            text = "Von der Prozessverantwortung als Referenzprotokoll gewählt."
            if self.failed_checks:
                text += f" Warnungen beim Import: {check_names(self.failed_checks)}."
        elif self.reason == "newest_passing":
            text = "Neuestes Protokoll des Prozesses, das alle Importprüfungen bestanden hat."
        else:
            text = (
                "Neuestes Protokoll des Prozesses; keines hat alle Importprüfungen bestanden "
                f"(dieses: {check_names(self.failed_checks)})."
            )
        if self.skipped:
            passed_over = "; ".join(f"{log_id}: {check_names(c)}" for log_id, c in self.skipped)
            text += f" Übergangen: {passed_over}."
        if self.chosen_missing:
            text = f"Das gewählte Protokoll {self.chosen_missing} ist nicht mehr vorhanden. " + text
        return text

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; keys are only ever added."""
        return {
            "log_id": self.log_id,
            "reason": self.reason,
            "reason_text": self.reason_text,
            "failed_checks": list(self.failed_checks),
            "skipped": [{"log_id": i, "checks": list(c)} for i, c in self.skipped],
            "chosen_missing": self.chosen_missing,
            "source_name": None if self.log is None else self.log.source_name,
            "uploaded_at": None if self.log is None else iso(self.log.uploaded_at),
        }


def choose_reference(
    process_key: str, chosen: str | None, logs: Sequence[StoredEventLog]
) -> ReferenceLog:
    """The rule of this module on ``logs``, the ready logs of the process, newest first."""
    if chosen is not None:
        for log in logs:
            if log.log_id == chosen:
                return ReferenceLog(process_key, log, "chosen")
    missing = chosen  # chosen, but not among the stored logs (any more)
    skipped: list[tuple[str, tuple[str, ...]]] = []
    for log in logs:
        if not log.checks:
            return ReferenceLog(process_key, log, "newest_passing", tuple(skipped), missing)
        skipped.append((log.log_id, log.failed_checks))
    if logs:
        return ReferenceLog(process_key, logs[0], "newest", (), missing)
    return ReferenceLog(process_key, None, "none", (), missing)
