"""Faults the registry must survive (docs/RELIABILITY.md §6, items 5–7, 29–33, 35)."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from process_registry import (
    BpmnParseError,
    Database,
    DatabaseBusyError,
    DatabaseUnavailableError,
    Registry,
    upgrade_schema,
)
from process_registry.models import ModelVersion
from process_registry.schema import (
    SCHEMA_REVISION,
    check_schema,
    current_revision,
    downgrade_schema,
    head_revision,
)
from tests.conftest import PROJECT, bpmn_file

MINIMAL_BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="p"><bpmn:startEvent id="s" name="Antrag eingegangen"/></bpmn:process>
</bpmn:definitions>"""

_DEFS = b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'


def _hostile(doctype: bytes, body: bytes) -> bytes:
    return b'<?xml version="1.0"?>\n' + doctype + b"\n" + _DEFS + body + b"</bpmn:definitions>"


def _billion_laughs() -> bytes:
    entities = [b'<!ENTITY lol0 "lol">']
    for level in range(1, 10):
        refs = b"".join(f"&lol{level - 1};".encode() for _ in range(10))
        entities.append(f'<!ENTITY lol{level} "'.encode() + refs + b'">')
    doctype = b"<!DOCTYPE bpmn:definitions [" + b"".join(entities) + b"]>"
    return _hostile(doctype, b'<bpmn:process id="p" name="&lol9;"/>')


def _quadratic() -> bytes:
    doctype = b'<!DOCTYPE bpmn:definitions [<!ENTITY big "' + b"A" * 100_000 + b'">]>'
    return _hostile(
        doctype,
        b'<bpmn:process id="p"><bpmn:documentation>'
        + b"&big;" * 2000
        + b"</bpmn:documentation></bpmn:process>",
    )


def _xxe(secret: Path) -> bytes:
    doctype = f'<!DOCTYPE bpmn:definitions [<!ENTITY xxe SYSTEM "file://{secret}">]>'.encode()
    return _hostile(
        doctype,
        b'<bpmn:process id="p"><bpmn:documentation>&xxe;</bpmn:documentation></bpmn:process>',
    )


def _deep() -> bytes:
    return (
        _DEFS
        + b"<bpmn:documentation>" * 100_000
        + b"</bpmn:documentation>" * 100_000
        + b"</bpmn:definitions>"
    )


def _assert_unchanged(registry: Registry, before: int) -> None:
    [entry] = registry.list_processes()
    assert entry.versions == before
    assert [e.action for e in registry.audit_trail()] == ["process.create"]


@pytest.mark.parametrize("attack", ["xxe", "billion_laughs", "quadratic", "deep"])
def test_hostile_bpmn_is_rejected_and_the_registry_stays_unchanged(
    registry: Registry, tmp_path: Path, attack: str
) -> None:
    """Items 5, 6, 7: on add and on new-version alike."""
    secret = tmp_path / "secret.txt"
    secret.write_text("GEHEIM-MARKER-4711")
    payload = {
        "xxe": lambda: _xxe(secret),
        "billion_laughs": _billion_laughs,
        "quadratic": _quadratic,
        "deep": _deep,
    }[attack]()
    registry.add_process(MINIMAL_BPMN, key="p", name="P", department="FD", author="a")

    with pytest.raises(BpmnParseError) as new_version:
        registry.add_version("p", payload, author="mallory", file_name="boese.bpmn")
    with pytest.raises(BpmnParseError) as new_process:
        registry.add_process(
            payload, key="q", name="Q", department="FD", author="mallory", file_name="boese.bpmn"
        )

    for raised in (new_version.value, new_process.value):
        assert "boese.bpmn" in str(raised)
        assert "GEHEIM-MARKER" not in str(raised)
    _assert_unchanged(registry, before=1)


def test_concurrent_writers_all_land_without_gaps(database: Database) -> None:
    """Item 30: two writers append versions at the same time; no lock error reaches anyone."""
    registry = Registry(database)
    registry.add_process(MINIMAL_BPMN, key="p", name="P", department="FD", author="a")
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for _ in range(8):
                registry.add_version("p", MINIMAL_BPMN, author=name)
        except BaseException as err:  # noqa: BLE001 - the test reports whatever escaped
            errors.append(err)

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("alice", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    versions = registry.get_process("p").versions
    assert [v.number for v in versions] == list(range(1, 18))
    assert sorted(v.author for v in versions[1:]).count("bob") == 8


def _hold_sqlite_write_lock(path: Path, seconds: float, started: threading.Event) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE process SET owner = 'Sperrhalter'")
    started.set()
    time.sleep(seconds)
    conn.execute("ROLLBACK")
    conn.close()


def test_sqlite_writer_waits_for_a_short_lock_instead_of_failing(tmp_path: Path) -> None:
    """Item 30: the read-then-write that fails at once without BEGIN IMMEDIATE now waits."""
    path = tmp_path / "pmo.sqlite3"
    db = Database(f"sqlite:///{path}")
    upgrade_schema(db)
    registry = Registry(db)
    registry.add_process(MINIMAL_BPMN, key="p", name="P", department="FD", author="a")
    revision = registry.get_process("p").revision
    started = threading.Event()
    holder = threading.Thread(target=_hold_sqlite_write_lock, args=(path, 0.5, started))
    holder.start()
    started.wait()
    registry.update_process("p", {"owner": "Team B"}, expected_revision=revision, actor="bob")
    holder.join()
    assert registry.get_process("p").owner == "Team B"


def test_sqlite_lock_held_too_long_gives_try_again_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "pmo.sqlite3"
    db = Database(
        f"sqlite:///{path}", busy_timeout_ms=50, write_attempts=3, busy_retry_delay_s=0.05
    )
    upgrade_schema(db)
    registry = Registry(db)
    registry.add_process(MINIMAL_BPMN, key="p", name="P", department="FD", author="a")
    started = threading.Event()
    holder = threading.Thread(target=_hold_sqlite_write_lock, args=(path, 2.0, started))
    holder.start()
    started.wait()
    with pytest.raises(DatabaseBusyError, match="erneut versuchen"):
        registry.add_version("p", MINIMAL_BPMN, author="bob")
    holder.join()
    assert registry.get_process("p").head.number == 1


def test_failure_inside_a_unit_of_work_rolls_everything_back(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 31: process row flushed, then the version insert fails: no orphan process."""

    def explode(*_args, **_kwargs):
        raise RuntimeError("Stromausfall")

    monkeypatch.setattr(Registry, "_append_version", staticmethod(explode))
    with pytest.raises(RuntimeError):
        registry.add_process(MINIMAL_BPMN, key="p", name="P", department="FD", author="a")
    monkeypatch.undo()
    assert registry.list_processes() == []
    assert registry.audit_trail() == []
    assert registry.is_empty()


_KILL_SCRIPT = """
import os, sys
from process_registry import Database, Registry
db = Database(sys.argv[1])
registry = Registry(db)
original = Registry._append_version
def die_midway(*args, **kwargs):
    original(*args, **kwargs)
    args[0].flush()          # process and version rows are written to the database ...
    os._exit(9)              # ... and the process dies before the commit
Registry._append_version = staticmethod(die_midway)
registry.add_process(open(sys.argv[2], "rb").read(), key="p", name="P", department="FD", author="a")
"""


def test_process_killed_between_steps_leaves_no_trace(
    db_url: str, database: Database, tmp_path: Path
) -> None:
    """Item 31, as a real crash: the interpreter exits between flush and commit."""
    model = tmp_path / "m.bpmn"
    model.write_bytes(MINIMAL_BPMN)
    result = subprocess.run(
        [sys.executable, "-c", _KILL_SCRIPT, db_url, str(model)],
        cwd=PROJECT,
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 9, result.stderr.decode()
    registry = Registry(database)
    assert registry.is_empty()
    with database.read() as session:
        assert session.scalar(text("SELECT count(*) FROM model_version")) == 0
        assert session.scalar(text("SELECT count(*) FROM audit_entry")) == 0
        if database.is_sqlite:
            assert session.scalar(text("PRAGMA integrity_check")) == "ok"


def test_sqlite_enforces_foreign_keys(sqlite_url: str) -> None:
    """Item 32: a version for a missing process is refused, not stored."""
    db = Database(sqlite_url)
    upgrade_schema(db)
    with db.read() as session:
        assert session.scalar(text("PRAGMA foreign_keys")) == 1
        assert session.scalar(text("PRAGMA journal_mode")) == "wal"

    def orphan(session):
        session.add(
            ModelVersion(
                process_id=999,
                number=1,
                content=b"x",
                sha256="0" * 64,
                author="a",
                bpmn_process_ids=[],
            )
        )

    with pytest.raises(IntegrityError, match="FOREIGN KEY"):
        db.write(orphan)
    with db.read() as session:
        assert session.scalar(text("SELECT count(*) FROM model_version")) == 0


def test_migrations_reach_head_and_match_the_models(database: Database) -> None:
    """Item 33: `alembic check` finds no difference between migrations and ORM models."""
    assert current_revision(database) == head_revision() == SCHEMA_REVISION
    check_schema(database)


def test_migrations_down_to_empty_and_up_again(database: Database) -> None:
    downgrade_schema(database, "base")
    assert not database.has_schema()
    upgrade_schema(database)
    check_schema(database)
    Registry(database).add_process(MINIMAL_BPMN, key="p", name="P", department="FD", author="a")
    assert Registry(database).get_process("p").head.number == 1


def _revision_steps() -> list[tuple[str, str]]:
    from alembic.script import ScriptDirectory

    from process_registry.schema import _config

    scripts = ScriptDirectory.from_config(_config())
    return [
        (s.revision, s.down_revision)
        for s in scripts.walk_revisions()
        if isinstance(s.down_revision, str)
    ]


@pytest.mark.parametrize(("revision", "previous"), _revision_steps())
def test_each_migration_step_down_and_up_keeps_the_registry(
    database: Database, revision: str, previous: str
) -> None:
    """Item 33 with data present; parametrized over every non-initial migration."""
    registry = Registry(database)
    registry.add_process(MINIMAL_BPMN, key="p", name="P", department="FD", author="a")
    downgrade_schema(database, previous)
    upgrade_schema(database)
    check_schema(database)
    assert registry.export_version("p") == MINIMAL_BPMN


class _Forwarder:
    """A TCP forwarder to PostgreSQL that can be switched off and on: a server outage in a test."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.listener.listen()
        self.up = True
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.connections += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.close()
                except OSError:
                    pass

    def outage(self) -> None:
        self.up = False
        for s in self.connections:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.connections.clear()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.outage()
        self.listener.close()


@pytest.mark.postgres
def test_postgres_outage_gives_a_clear_message_and_recovers(postgres_url: str) -> None:
    """Item 35: server gone → one readable message; server back → the same handle works again."""
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url)
    forwarder = _Forwarder((url.host or "127.0.0.1", url.port or 5432))
    db = Database(
        url.set(host="127.0.0.1", port=forwarder.port).render_as_string(hide_password=False)
    )
    try:
        upgrade_schema(db)
        registry = Registry(db)
        registry.add_process(MINIMAL_BPMN, key="p", name="P", department="FD", author="a")
        forwarder.outage()
        with pytest.raises(DatabaseUnavailableError, match="nicht erreichbar"):
            registry.list_processes()
        with pytest.raises(DatabaseUnavailableError):
            registry.add_version("p", MINIMAL_BPMN, author="a")
        forwarder.restore()
        assert [p.versions for p in registry.list_processes()] == [1]
    finally:
        db.dispose()
        forwarder.close()


def test_unreachable_server_is_reported_without_traceback() -> None:
    db = Database("postgresql+psycopg://pmo@127.0.0.1:1/pmo?connect_timeout=2")
    with pytest.raises(DatabaseUnavailableError, match="127.0.0.1:1"):
        Registry(db).list_processes()


def test_read_only_sqlite_reports_and_recovers(tmp_path: Path) -> None:
    """Item 35 for SQLite: a read-only database refuses the write with a message, reads still work."""
    path = tmp_path / "pmo.sqlite3"
    writable = Database(f"sqlite:///{path}")
    upgrade_schema(writable)
    Registry(writable).add_process(MINIMAL_BPMN, key="p", name="P", department="FD", author="a")
    writable.dispose()

    read_only = Registry(Database(f"sqlite:///file:{path}?mode=ro&uri=true"))
    with pytest.raises(DatabaseUnavailableError, match="nicht beschreibbar"):
        read_only.add_version("p", MINIMAL_BPMN, author="a")
    assert [p.versions for p in read_only.list_processes()] == [1]

    recovered = Registry(Database(f"sqlite:///{path}"))
    assert recovered.add_version("p", MINIMAL_BPMN, author="a").version == 2


def test_restore_is_recorded_in_order_with_bpmn_from_real_files(registry: Registry) -> None:
    """Item 39 on real MIWG files: every step has an audit entry, newest first."""
    registry.add_process(
        bpmn_file("miwg-reference/A.1.0.bpmn"), key="p", name="P", department="FD", author="a"
    )
    registry.add_version("p", bpmn_file("miwg-reference/A.2.0.bpmn"), author="b")
    registry.restore_version("p", 1, author="c")
    assert [(e.action, e.actor) for e in registry.audit_trail("p")] == [
        ("version.restore", "c"),
        ("version.add", "b"),
        ("process.create", "a"),
    ]
