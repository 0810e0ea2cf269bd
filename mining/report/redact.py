"""Redacting a frozen report snapshot when an event log it rests on is deleted.

A snapshot is the record of what leadership saw: its figures (counts, shares, durations,
savings) are statistics over many cases and stay. What names a case goes: every value under a
key that holds case ids (``example_cases`` of the conformance deviations, and of anything built
the same way), and any text in the parts taken from that log that *is* one of the log's case ids,
wherever a later field may have put it. Only the parts built on the deleted log are touched: its
process section (analysis, process map, candidates, notes, scenario) and that process's entries in the
ranked ``candidates``; another process's log keeps its examples.

The redaction is recorded in the snapshot under ``redactions`` (which log, when, why, which kinds
of fields, how many values, and a sentence every renderer shows).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter
from collections.abc import Collection
from typing import Any

__all__ = ["CASE_ID_KEYS", "REDACTED", "redact_snapshot", "redaction_notes"]

# Keys whose values are case ids, wherever they appear in the analysis of a log.
CASE_ID_KEYS = frozenset({"example_cases", "case_ids", "case_id"})
REDACTED = "[entfernt]"
_SECTION_PARTS = ("analysis", "process_map", "candidates", "notes", "scenario")
_FIELD_LABELS = {"example_cases": "Beispielfälle"}


def redact_snapshot(
    snapshot: dict[str, Any],
    log_id: str,
    *,
    case_ids: Collection[str],
    at: dt.datetime,
    reason: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``snapshot`` without anything naming a case of ``log_id``, and what was removed (kinds of
    fields and counts only, for the audit). ``snapshot`` itself is not changed."""
    content = copy.deepcopy(snapshot)
    removed: Counter[str] = Counter()
    scrub = _Scrubber(frozenset(case_ids), removed)
    keys = set()
    for section in content.get("processes") or []:
        if not isinstance(section, dict) or (section.get("log") or {}).get("log_id") != log_id:
            continue
        keys.add(section.get("key"))
        for part in _SECTION_PARTS:
            if part in section:
                section[part] = scrub(section[part], part)
    content["candidates"] = [
        scrub(candidate, "candidates[]")
        if isinstance(candidate, dict) and candidate.get("process") in keys
        else candidate
        for candidate in content.get("candidates") or []
    ]
    fields = sorted(removed)
    total = sum(removed.values())
    record = {
        "log_id": log_id,
        "at": at.isoformat(timespec="seconds"),
        "reason": reason,
        "fields": fields,
        "removed": total,
        "note": _note(log_id, at, reason, fields, total),
    }
    content["redactions"] = [*(content.get("redactions") or []), record]
    return content, {"fields": fields, "removed": total}


def redaction_notes(snapshot: dict[str, Any]) -> list[str]:
    """The sentences a rendered report shows about its redactions, oldest first."""
    return [str(r.get("note") or "") for r in snapshot.get("redactions") or [] if r.get("note")]


def _note(log_id: str, at: dt.datetime, reason: str, fields: list[str], total: int) -> str:
    head = f"Ereignisprotokoll {log_id} am {at:%d.%m.%Y} gelöscht ({reason})"
    if not total:
        return f"{head}; der Bericht enthielt keine Fallkennungen daraus. Die Kennzahlen bleiben."
    kinds = sorted({_FIELD_LABELS.get(f.rsplit(".", 1)[-1].rstrip("[]"), "Fallkennungen")
                    for f in fields})  # fmt: skip
    return (
        f"{head}; daraus entfernt: {total} Fallkennungen ({', '.join(kinds)}). "
        "Die Kennzahlen bleiben."
    )


class _Scrubber:
    def __init__(self, case_ids: frozenset[str], removed: Counter[str]) -> None:
        self.case_ids = case_ids
        self.removed = removed

    def __call__(self, value: Any, path: str) -> Any:
        if isinstance(value, dict):
            result = {}
            for key, item in value.items():
                where = f"{path}.{key}"
                if key in CASE_ID_KEYS and item not in (None, [], ""):
                    self.removed[where] += len(item) if isinstance(item, list) else 1
                    result[key] = [] if isinstance(item, list) else None
                else:
                    result[key] = self(item, where)
            return result
        if isinstance(value, list):
            kept = []
            for item in value:
                if isinstance(item, str) and item in self.case_ids:
                    self.removed[f"{path}[]"] += 1
                else:
                    kept.append(self(item, f"{path}[]"))
            return kept
        if isinstance(value, str) and value in self.case_ids:
            self.removed[path] += 1
            return REDACTED
        return value
