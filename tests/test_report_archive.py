"""Frozen leadership reports: stored with their inputs, returned as saved, on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import inspect, text

from process_registry import (
    ConflictError,
    Database,
    Registry,
    RegistryError,
    ReportAlteredError,
    ReportArchive,
    ReportNotFoundError,
    ValidationError,
)
from process_registry.event_logs import EventLogCatalogue, NewEventLog
from process_registry.schema import check_schema, downgrade_schema, upgrade_schema

MINIMAL_BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="p"><bpmn:startEvent id="s" name="Antrag eingegangen"/></bpmn:process>
</bpmn:definitions>"""


def _snapshot(title: str = "Digitalisierungsportfolio Q4", **overrides: Any) -> dict[str, Any]:
    """Shaped like the snapshots the report builder hands over."""
    content: dict[str, Any] = {
        "schema": "pmo.report/1",
        "title": title,
        "created_at": "2026-11-28T09:15:00+01:00",
        "created_by": "mueller",
        "filters": {"departments": ["Fachdienst Steuern", "Bürgeramt"], "from": "2026-01-01"},
        "assumptions": {"minutes_per_case": 12.5, "hourly_rate_eur": 61.0, "k_anonymity": 5},
        "summary": {"processes": 2, "cases": 1843, "median_days": 4.25},
        "candidates": [
            {"process": "hundesteuer-anmelden", "score": 0.999659944434991, "rank": 1},
            {"process": "wohnsitz-ummelden", "score": 0.42, "rank": 2},
        ],
        "processes": [
            {"key": "hundesteuer-anmelden", "name": "Hundesteuer anmelden"},
            {"key": "wohnsitz-ummelden", "name": "Wohnsitz ummelden"},
        ],
    }
    content.update(overrides)
    return content


@pytest.fixture
def archive(database: Database) -> ReportArchive:
    return ReportArchive(database)


def test_saved_report_comes_back_equal_with_its_id(archive: ReportArchive) -> None:
    content = _snapshot()
    original = copy.deepcopy(content)

    report_id = archive.save(content, actor="mueller")

    assert archive.get(report_id) == {**original, "id": report_id}
    assert content == original  # the caller's dict is not changed by saving


def test_umlauts_and_floats_round_trip_exactly(archive: ReportArchive) -> None:
    """Re-rendering a stored report must show the very numbers and names leadership saw."""
    floats = [0.999659944434991, 0.1 + 0.2, 1e-17, 123456789.12345679, -0.0]
    content = _snapshot(
        title="Übersicht Größe & Maß – Bürgeramt „Süd“",
        summary={"floats": floats, "cases": 3, "share": 1.0, "label": "Straße 😀 ÄÖÜäöüß"},
    )

    stored = archive.get(archive.save(content, actor="müller"))

    assert stored["title"] == "Übersicht Größe & Maß – Bürgeramt „Süd“"
    assert stored["summary"]["label"] == "Straße 😀 ÄÖÜäöüß"
    assert [repr(x) for x in stored["summary"]["floats"]] == [repr(x) for x in floats]
    # A count stays an integer and a share stays a float: the renderer formats them differently.
    assert type(stored["summary"]["cases"]) is int
    assert type(stored["summary"]["share"]) is float


def test_list_shows_newest_first_with_who_what_and_which_processes(
    archive: ReportArchive,
) -> None:
    first = archive.save(_snapshot("Q2"), actor="mueller")
    second = archive.save(_snapshot("Q3", processes=[]), actor="schmidt")
    third = archive.save(
        _snapshot("Q4", processes=[{"key": "wohnsitz-ummelden"}, {"key": "hundesteuer-anmelden"}]),
        actor="mueller",
    )

    listed = archive.list()

    assert [(r.id, r.title, r.created_by) for r in listed] == [
        (third, "Q4", "mueller"),
        (second, "Q3", "schmidt"),
        (first, "Q2", "mueller"),
    ]
    assert listed[0].process_keys == ("hundesteuer-anmelden", "wohnsitz-ummelden")
    assert listed[1].process_keys == ()
    now = dt.datetime.now(dt.UTC)
    assert all(now - dt.timedelta(minutes=5) < r.created_at <= now for r in listed)
    assert [r.id for r in archive.list(limit=2)] == [third, second]


@pytest.mark.parametrize(
    "tampering",
    [
        # a number changed by hand in the database
        "UPDATE report_snapshots SET content = replace(content, '0.42', '0.97') WHERE id = :id",
        # content and checksum copied over from another report
        "UPDATE report_snapshots SET content = (SELECT content FROM report_snapshots WHERE id = :other),"
        " content_sha256 = (SELECT content_sha256 FROM report_snapshots WHERE id = :other)"
        " WHERE id = :id",
    ],
    ids=["edited-number", "copied-from-other-report"],
)
def test_report_altered_in_the_database_is_refused(
    archive: ReportArchive, database: Database, tampering: str
) -> None:
    other = archive.save(_snapshot("Anderer Bericht"), actor="mueller")
    report_id = archive.save(_snapshot(), actor="mueller")

    def tamper(session):  # type: ignore[no-untyped-def]
        result = session.execute(text(tampering), {"id": report_id, "other": other})
        assert result.rowcount == 1

    database.write(tamper)

    with pytest.raises(ReportAlteredError, match=f"Bericht {report_id} wurde nach dem Speichern"):
        archive.get(report_id)
    assert archive.get(other)["title"] == "Anderer Bericht"


def test_unknown_report_gives_a_german_not_found(archive: ReportArchive) -> None:
    with pytest.raises(ReportNotFoundError, match=r"^Bericht 12 nicht gefunden\.$") as raised:
        archive.get(12)
    # Callers catch either the registry's errors or the builtin lookup failure.
    assert isinstance(raised.value, RegistryError)
    assert isinstance(raised.value, LookupError)
    with pytest.raises(ReportNotFoundError, match=r"^Bericht 12 nicht gefunden\.$"):
        archive.delete(12, actor="mueller")


def test_report_outlives_the_processes_it_covers(
    database: Database, archive: ReportArchive
) -> None:
    registry = Registry(database)
    registry.add_process(
        MINIMAL_BPMN, key="hundesteuer-anmelden", name="Hundesteuer", department="FD", author="a"
    )
    report_id = archive.save(_snapshot(), actor="mueller")
    expected = archive.get(report_id)

    registry.delete_process("hundesteuer-anmelden", actor="mueller")
    assert archive.get(report_id) == expected

    def purge(session):  # type: ignore[no-untyped-def]
        # Beyond the soft delete: the rows are really removed, e.g. by an administrator.
        session.execute(text("DELETE FROM model_version"))
        session.execute(text("DELETE FROM process"))

    database.write(purge)
    assert archive.get(report_id) == expected
    assert archive.list()[0].process_keys == ("hundesteuer-anmelden", "wohnsitz-ummelden")


def test_deleted_report_is_gone_audited_and_its_id_never_reused(
    database: Database, archive: ReportArchive
) -> None:
    kept = archive.save(_snapshot("bleibt"), actor="mueller")
    dropped = archive.save(_snapshot("weg"), actor="mueller")

    archive.delete(dropped, actor="schmidt")

    with pytest.raises(ReportNotFoundError):
        archive.get(dropped)
    assert [r.id for r in archive.list()] == [kept]
    # An id quoted in a mail or minutes must never point at a different report later.
    assert archive.save(_snapshot("neu"), actor="mueller") > dropped
    trail = Registry(database).audit_trail(f"report:{dropped}")
    assert [(e.action, e.actor, e.object_type) for e in trail] == [
        ("report.delete", "schmidt", "report"),
        ("report.save", "mueller", "report"),
    ]
    assert trail[0].details["title"] == "weg"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (_snapshot(title=""), "Titel"),
        ({k: v for k, v in _snapshot().items() if k != "title"}, "Titel"),
        (_snapshot(created_at=dt.datetime(2026, 11, 28)), "nicht als JSON"),
        (_snapshot(processes=[{"name": "ohne Schlüssel"}]), "Prozessschlüssel"),
    ],
    ids=["empty-title", "no-title", "not-json-ready", "process-without-key"],
)
def test_unstorable_report_is_refused_and_leaves_nothing(
    database: Database, archive: ReportArchive, content: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        archive.save(content, actor="mueller")
    assert archive.list() == []
    assert Registry(database).audit_trail() == []


def test_migration_0004_down_and_up_keeps_the_catalogue_and_the_archive_working(
    database: Database, archive: ReportArchive
) -> None:
    registry = Registry(database)
    registry.add_process(MINIMAL_BPMN, key="p", name="P", department="FD", author="a")
    archive.save(_snapshot(), actor="mueller")

    downgrade_schema(database, "0003")
    with database.engine.connect() as conn:
        assert not inspect(conn).has_table("report_snapshots")
        # Read below the ORM: the code expects the newest schema, the data must survive anyway.
        stored = conn.execute(text("SELECT content FROM model_version")).scalars().all()
    assert stored == [MINIMAL_BPMN]

    upgrade_schema(database)
    check_schema(database)
    assert registry.export_version("p") == MINIMAL_BPMN
    assert archive.list() == []  # the downgrade dropped the table with its snapshots
    report_id = archive.save(_snapshot(), actor="mueller")
    assert archive.get(report_id)["id"] == report_id


# -- the logs a snapshot rests on (issue 12, point 4) ----------------------------------------------


def _ready_log(database: Database, log_id: str) -> None:
    """A catalogued log, as an import leaves it (the events file does not matter here)."""
    catalogue = EventLogCatalogue(database)
    catalogue.register_pending(
        NewEventLog(
            log_id=log_id, process_key=None, department=None, uploaded_by="anna",
            source_name="export.csv", source_sha256="0" * 64, source_bytes=1, file_format="csv",
            detected={}, mapping={}, privacy={}, cases=1, events=1, activities=1, variants=1,
            first_event=None, last_event=None, rejected_rows=0,
            parquet_path=f"logs/{log_id}.parquet", delete_after=dt.date(2030, 1, 1),
        ),
        writer="host:1",
    )  # fmt: skip
    catalogue.mark_ready(log_id, writer="host:1", actor="anna", details={})


def _on_logs(*log_ids: str, title: str = "Portfolio") -> dict[str, Any]:
    return _snapshot(
        title,
        processes=[
            {"key": f"p{n}", "log": {"log_id": log_id}, "examples": [f"{log_id}-Fall"]}
            for n, log_id in enumerate(log_ids)
        ]
        + [{"key": "ohne-log", "log": None}],
    )


def _stored_log_ids(database: Database, report_id: int) -> list[str]:
    with database.engine.connect() as conn:
        value = conn.execute(
            text("SELECT log_ids FROM report_snapshots WHERE id = :id"), {"id": report_id}
        ).scalar_one()
    return json.loads(value) if isinstance(value, str) else value


def _drop_examples(content: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    redacted = copy.deepcopy(content)
    for process in redacted["processes"]:
        process.pop("examples", None)
    redacted["redactions"] = [{"log_id": "L-a"}]
    return redacted, {"fields": ["processes[].examples"], "removed": 2}


def test_save_records_the_logs_a_report_rests_on(
    database: Database, archive: ReportArchive
) -> None:
    _ready_log(database, "L-b")
    _ready_log(database, "L-a")
    on_logs = archive.save(_on_logs("L-b", "L-a", "L-b"), actor="mueller")
    without = archive.save(_snapshot(), actor="mueller")
    assert _stored_log_ids(database, on_logs) == ["L-a", "L-b"]
    assert _stored_log_ids(database, without) == []


def test_a_report_on_a_log_deleted_meanwhile_is_refused(
    database: Database, archive: ReportArchive
) -> None:
    _ready_log(database, "L-a")
    content = _on_logs("L-a")  # built while the log was there
    EventLogCatalogue(database).delete(
        "L-a", actor="dsb", reason="auf Anfrage", redact=_drop_examples
    )
    with pytest.raises(ConflictError, match="„L-a“.*inzwischen gelöscht"):
        archive.save(content, actor="mueller")
    with pytest.raises(ConflictError):
        archive.save(_on_logs("L-nie-importiert"), actor="mueller")
    assert archive.list() == []


def test_deleting_a_log_redacts_its_reports_rehashed_and_audited(
    database: Database, archive: ReportArchive
) -> None:
    _ready_log(database, "L-a")
    _ready_log(database, "L-b")
    on_a = archive.save(_on_logs("L-a", "L-b"), actor="mueller")
    on_b = archive.save(_on_logs("L-b", title="nur B"), actor="mueller")
    mentions_a = archive.save(_on_logs("L-b", title="Vergleich mit L-a"), actor="mueller")
    # Saved before the column was filled: the log is named in the content only.
    unlisted = archive.save(_on_logs("L-a", title="älter"), actor="mueller")
    database.write(
        lambda session: session.execute(
            text("UPDATE report_snapshots SET log_ids = '[]' WHERE id = :id"), {"id": unlisted}
        )
    )
    untouched = [archive.get(on_b), archive.get(mentions_a)]

    deleted = EventLogCatalogue(database).delete(
        "L-a", actor="dsb", reason="auf Anfrage", redact=_drop_examples
    )

    assert deleted is not None and deleted.redacted_reports == (on_a, unlisted)
    for report_id in (on_a, unlisted):
        redacted = archive.get(report_id)  # readable: re-hashed
        assert "L-a-Fall" not in json.dumps(redacted)
        assert redacted["redactions"] == [{"log_id": "L-a"}]
    assert [archive.get(on_b), archive.get(mentions_a)] == untouched
    assert EventLogCatalogue(database).get("L-a") is None
    trail = Registry(database).audit_trail(f"report:{on_a}")
    assert trail[0].action == "report.redact"
    assert trail[0].details["fields"] == ["processes[].examples"]
    assert trail[0].details["sha256"] != trail[0].details["sha256_before"]
    [deletion] = Registry(database).audit_trail("L-a")[:1]
    assert deletion.details == {
        "reason": "auf Anfrage",
        "events_file": "logs/L-a.parquet",
        "redacted_reports": [on_a, unlisted],
    }


def test_a_report_altered_before_its_log_is_deleted_is_redacted_and_stays_refused(
    database: Database, archive: ReportArchive
) -> None:
    _ready_log(database, "L-a")
    report_id = archive.save(_on_logs("L-a"), actor="mueller")
    database.write(
        lambda session: session.execute(
            text("UPDATE report_snapshots SET content = replace(content, '0.42', '0.97')")
        )
    )
    EventLogCatalogue(database).delete("L-a", actor="dsb", reason="x", redact=_drop_examples)
    with pytest.raises(ReportAlteredError):
        archive.get(report_id)
    with database.engine.connect() as conn:
        stored = conn.execute(text("SELECT content FROM report_snapshots")).scalar_one()
    assert "L-a-Fall" not in stored


def test_migration_0005_fills_the_logs_of_existing_snapshots(database: Database) -> None:
    downgrade_schema(database, "0004")
    rows = {
        1: json.dumps(_on_logs("L-b", "L-a")),
        2: json.dumps(_snapshot()),
        3: "kein JSON",
    }
    with database.engine.begin() as conn:
        for report_id, content in rows.items():
            conn.execute(
                text(
                    "INSERT INTO report_snapshots (id, created_at, created_by, title, "
                    "process_keys, content, content_sha256) VALUES (:id, :at, 'alt', 'Alt', "
                    "'[]', :content, :sha)"
                ),
                {"id": report_id, "at": dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
                 "content": content, "sha": "0" * 64},
            )  # fmt: skip
    upgrade_schema(database)
    assert [_stored_log_ids(database, report_id) for report_id in rows] == [["L-a", "L-b"], [], []]
