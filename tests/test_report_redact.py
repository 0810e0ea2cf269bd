"""Redacting a report snapshot when a log it rests on is deleted: every case id of that log goes,
wherever it sits; figures, other logs and the caller's dict stay (issue 12, point 4)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from mining.report import render_report
from mining.report.redact import REDACTED, redact_snapshot
from tests.report_fixture import make_snapshot

AT = dt.datetime(2026, 12, 3, 14, 5, tzinfo=ZoneInfo("Europe/Berlin"))
DELETED = "log-2024-hst-01"  # the Hundesteuer section's log
OTHER = "log-2024-snu-03"  # the Sondernutzung section's log
CASES = [f"Az. 4711/{n:03d} Meier" for n in range(1, 8)]


def _sections(snapshot: dict) -> dict[str, dict]:
    return {(p.get("log") or {}).get("log_id"): p for p in snapshot["processes"]}


@pytest.fixture
def snapshot() -> dict:
    """The fixture report, with the deleted log's case ids in the known field and in places a
    later version of the analysis might put them; the other log names one of the same ids."""
    content = make_snapshot()
    hund, other = _sections(content)[DELETED], _sections(content)[OTHER]
    deviations = hund["analysis"]["conformance"]["deviations"]
    deviations[0]["example_cases"] = CASES[0:3]
    deviations[1]["example_cases"] = CASES[3:5]
    hund["analysis"]["deadline"]["overdue_examples"] = [CASES[5]]  # a list under a new key
    hund["candidates"][0]["signals"]["slowest_case"] = CASES[6]  # a single value
    for candidate in content["candidates"]:  # the ranked copy of the same candidate
        if candidate["activity"] == hund["candidates"][0]["activity"]:
            candidate["signals"] = dict(hund["candidates"][0]["signals"])
    other["analysis"]["conformance"] = {
        "deviations": [{"kind": "skipped", "activity": "x", "cases": 9, "share": 0.1,
                        "example_cases": [CASES[0], "SNU-9"]}],
    }  # fmt: skip
    return content


def test_every_case_id_of_the_deleted_log_goes_and_nothing_else_changes(snapshot: dict) -> None:
    original = copy.deepcopy(snapshot)
    redacted, removed = redact_snapshot(
        snapshot, DELETED, case_ids=set(CASES) | {"HST-unused"}, at=AT, reason="auf Anfrage"
    )
    assert snapshot == original  # the caller's dict stays as it was

    hund = _sections(redacted)[DELETED]
    ranked = [c for c in redacted["candidates"] if c["process"] == hund["key"]]
    text = json.dumps([hund, ranked], ensure_ascii=False)
    assert not any(case in text for case in CASES)
    assert removed == {
        "fields": [
            "analysis.conformance.deviations[].example_cases",
            "analysis.deadline.overdue_examples[]",
            "candidates[].signals.slowest_case",
        ],
        "removed": 5 + 1 + 2,
    }
    assert hund["candidates"][0]["signals"]["slowest_case"] == REDACTED
    # The figures stay: counts, shares, durations, savings, the log's description.
    assert [d["cases"] for d in hund["analysis"]["conformance"]["deviations"]] == [40, 124]
    assert (
        hund["analysis"]["case_duration_s"]
        == original["processes"][0]["analysis"]["case_duration_s"]
    )
    assert hund["log"] == original["processes"][0]["log"]
    assert redacted["summary"] == original["summary"]
    # The other log keeps its examples, even one equal to a deleted case id.
    other = _sections(redacted)[OTHER]["analysis"]["conformance"]["deviations"][0]
    assert other["example_cases"] == [CASES[0], "SNU-9"]
    [record] = redacted["redactions"]
    assert record == {
        "log_id": DELETED,
        "at": "2026-12-03T14:05:00+01:00",
        "reason": "auf Anfrage",
        "fields": removed["fields"],
        "removed": 8,
        "note": (
            f"Ereignisprotokoll {DELETED} am 03.12.2026 gelöscht (auf Anfrage); daraus entfernt: "
            "8 Fallkennungen (Beispielfälle, Fallkennungen). Die Kennzahlen bleiben."
        ),
    }


def test_a_second_deleted_log_adds_its_own_record(snapshot: dict) -> None:
    first, _ = redact_snapshot(snapshot, DELETED, case_ids=set(CASES), at=AT, reason="a")
    second, removed = redact_snapshot(first, OTHER, case_ids={"SNU-9"}, at=AT, reason="b")
    assert [r["log_id"] for r in second["redactions"]] == [DELETED, OTHER]
    assert removed == {"fields": ["analysis.conformance.deviations[].example_cases"], "removed": 2}
    assert "SNU-9" not in json.dumps(second)


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "html", "json"])
def test_every_format_renders_a_redacted_snapshot_with_its_note(snapshot: dict, fmt: str) -> None:
    redacted, _ = redact_snapshot(snapshot, DELETED, case_ids=set(CASES), at=AT, reason="Frist")
    data = render_report(redacted, fmt)
    if fmt == "pdf":
        from tests.app_office import pdf_text

        readable = pdf_text(data).replace("\n", " ")
    elif fmt == "xlsx":
        import io

        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        readable = " ".join(str(v) for row in book.worksheets[0].iter_rows(values_only=True)
                            for v in row if v is not None)  # fmt: skip
    else:
        readable = data.decode("utf-8")
    assert f"Ereignisprotokoll {DELETED} am 03.12.2026 gelöscht (Frist)" in readable
    assert not any(case in readable for case in CASES[1:])  # CASES[0] is the other log's, too
