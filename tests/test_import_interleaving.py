"""Imports land whole under any interleaving of `pmo` commands (issue 12, point 1).

Every command here is a real `pmo` process. The import under test runs through
``tests/slow_import.py``, which holds it at one step of the import protocol until the test says
go (signal files, no sleeps guessing at timing); meanwhile the other commands run beside it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from mining.ingest.store import LogStore
from process_registry import Database, clock, upgrade_schema
from tests.cli_office import office_env, pmo_output
from tests.conftest import PROJECT
from tests.slow_import import STEPS

CASES = 12


@dataclass
class Office:
    folder: Path
    env: dict[str, str]
    db: Database
    store: LogStore

    @property
    def logs(self) -> Path:
        return self.store.folder

    def csv(self, prefix: str, cases: int = CASES) -> Path:
        """A small `;` export whose case ids all start with ``prefix``."""
        rows = ["Vorgangsnummer;Tätigkeit;Zeitpunkt"]
        for number in range(cases):
            day = 1 + number % 25
            rows += [
                f"{prefix}-{number:04d};Antrag erfassen;{day:02d}.03.2024 08:00",
                f"{prefix}-{number:04d};Antrag prüfen;{day:02d}.03.2024 10:30",
                f"{prefix}-{number:04d};Bescheid versenden;{day:02d}.03.2024 15:00",
            ]
        path = self.folder / f"{prefix}-{uuid.uuid4().hex[:6]}.csv"
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        return path

    def imported(self, prefix: str) -> str:
        return self.store.import_file(self.csv(prefix), uploader="test").log_id

    def pmo(self, *args: str) -> str:
        return pmo_output(*args, env=self.env)

    def listed(self) -> set[str]:
        return {entry["log_id"] for entry in json.loads(self.pmo("log", "list", "--json"))}

    def cases(self, log_id: str) -> int:
        return json.loads(self.pmo("analyze", log_id, "--json"))["log"]["cases"]

    def files(self) -> set[str]:
        return {p.name for p in self.logs.iterdir()} if self.logs.is_dir() else set()

    def rows(self) -> dict[str, str]:
        with self.db.engine.connect() as conn:
            return dict(conn.execute(text("SELECT log_id, state FROM event_log")).all())

    def make_due(self, log_id: str) -> None:
        yesterday = clock.today() - dt.timedelta(days=1)
        with self.db.engine.begin() as conn:
            conn.execute(
                text("UPDATE event_log SET delete_after = :day WHERE log_id = :id"),
                {"day": yesterday, "id": log_id},
            )


@pytest.fixture
def office(db_url: str, tmp_path: Path) -> Iterator[Office]:
    db = Database(db_url)
    upgrade_schema(db)
    env = {**office_env(tmp_path), "PMO_DATABASE_URL": db_url}
    env.pop("PMO_RETENTION_DAYS", None)
    yield Office(tmp_path, env, db, LogStore(db, Path(env["PMO_DATA_DIR"])))
    # A failed test must not leave an import held open (it would block dropping the schema).
    for process in HeldImport.started:
        if process.poll() is None:
            process.kill()
            process.communicate()
    HeldImport.started.clear()
    db.dispose()


class HeldImport:
    """`pmo log import FILE --json` held at ``steps`` until :meth:`go`."""

    started: list[subprocess.Popen[bytes]] = []

    def __init__(self, office: Office, steps: tuple[str, ...], file: Path) -> None:
        self.signals = office.folder / f"signale-{uuid.uuid4().hex[:8]}"
        self.signals.mkdir()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.slow_import", str(self.signals), ",".join(steps)]
            + ["log", "import", str(file), "--json"],
            cwd=PROJECT,
            env=office.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.started.append(self.process)

    def wait_until(self, step: str) -> None:
        reached = self.signals / f"{step}.reached"
        while not reached.exists():
            if self.process.poll() is not None:
                _out, err = self.process.communicate()
                raise AssertionError(f"the import ended without reaching {step}: {err.decode()}")
            time.sleep(0.01)

    def go(self, step: str) -> None:
        (self.signals / f"{step}.go").touch()

    def finish(self) -> str:
        out, err = self.process.communicate(timeout=600)
        assert self.process.returncode == 0, err.decode()
        return json.loads(out)["log_id"]

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.communicate(timeout=600)


def _staging(office: Office) -> set[str]:
    return {name for name in office.files() if name.startswith(".incoming-")}


def _assert_in_flight(office: Office, step: str, settled: set[str]) -> None:
    """What the held import has at ``step`` survived the commands (and sweeps) beside it."""
    finals = {name for name in office.files() if not name.startswith(".")}
    unsettled = finals - {f"{log_id}.parquet" for log_id in settled}
    rows = office.rows()
    pending = {log_id for log_id, state in rows.items() if state == "pending"}
    assert {log_id for log_id, state in rows.items() if state == "ready"} == settled
    if step in ("after_staging", "after_pending"):
        assert (len(_staging(office)), unsettled) == (1, set())
        assert len(pending) == (0 if step == "after_staging" else 1)
    else:
        assert len(unsettled) == 1, "the held import's events file is gone"
        assert _staging(office) == set()
        assert {f"{log_id}.parquet" for log_id in pending} == unsettled


@pytest.mark.parametrize("step", STEPS)
def test_an_import_held_at_each_step_loses_nothing_to_the_commands_beside_it(
    office: Office, step: str
) -> None:
    kept = office.imported("BEHALTEN")
    doomed = office.imported("WEG")
    due = office.imported("FAELLIG")
    office.make_due(due)
    held = HeldImport(office, (step,), office.csv("LANGSAM"))
    held.wait_until(step)

    # Beside the held import: list, another import, delete, purge, analyse.
    assert office.listed() == {kept, doomed, due}
    other = json.loads(office.pmo("log", "import", str(office.csv("DANEBEN")), "--json"))
    office.pmo("log", "delete", doomed)
    assert office.pmo("log", "purge").startswith("1 Protokoll")
    assert office.cases(other["log_id"]) == CASES
    _assert_in_flight(office, step, {kept, other["log_id"]})

    held.go(step)
    landed = held.finish()
    logs = {kept, other["log_id"], landed}
    # The import leaves nothing behind itself, before any sweep runs again.
    assert office.rows() == dict.fromkeys(logs, "ready")
    assert office.files() == {f"{log_id}.parquet" for log_id in logs}
    assert office.listed() == logs
    for log_id in logs:
        assert office.cases(log_id) == CASES


@pytest.mark.parametrize("step", STEPS)
def test_an_importer_killed_at_each_step_leaves_nothing_a_user_sees(
    office: Office, step: str
) -> None:
    kept = office.imported("BEHALTEN")
    held = HeldImport(office, (step,), office.csv("ABGEBROCHEN"))
    held.wait_until(step)
    held.kill()
    assert office.listed() == {kept}  # the listing's sweep clears what the dead importer left
    assert office.rows() == {kept: "ready"}
    assert office.files() == {f"{kept}.parquet"}
    again = json.loads(office.pmo("log", "import", str(office.csv("NEU")), "--json"))["log_id"]
    assert office.rows() == {kept: "ready", again: "ready"}


def test_many_imports_held_after_the_move_all_land_beside_lists_and_imports(
    office: Office,
) -> None:
    """The stress case: every import stands in the widest window at once, and lists, imports
    and then the imports' own completion race each other."""
    held = [HeldImport(office, ("after_move",), office.csv(f"PARALLEL{n}")) for n in range(6)]
    for each in held:
        each.wait_until("after_move")

    def pmo_process(*args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "pmo", *args],
            cwd=PROJECT,
            env=office.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def finished(processes: list[subprocess.Popen[bytes]]) -> list:
        outputs = []
        for process in processes:
            out, err = process.communicate(timeout=600)
            assert process.returncode == 0, err.decode()
            outputs.append(json.loads(out))
        return outputs

    # First every import stands still while lists and another import run to their end …
    extra = finished(
        [pmo_process("log", "list", "--json") for _ in range(3)]
        + [pmo_process("log", "import", str(office.csv("EXTRA")), "--json")]
    )[-1]
    # … then all of them go at once, racing more lists.
    racing = [pmo_process("log", "list", "--json") for _ in range(3)]
    for each in held:
        each.go("after_move")
    finished(racing)
    landed = {each.finish() for each in held} | {extra["log_id"]}
    assert len(landed) == 7
    assert office.rows() == dict.fromkeys(landed, "ready")
    assert office.files() == {f"{log_id}.parquet" for log_id in landed}
    assert office.listed() == landed
    for log_id in landed:
        assert office.cases(log_id) == CASES


def test_a_live_or_foreign_importer_is_never_swept(office: Office) -> None:
    """Pending rows and staging files of a running importer, or of one on another host, stay;
    those of an importer on this host that has ended go, with the files they left."""
    from mining.ingest._logfiles import this_writer
    from process_registry.event_logs import NewEventLog

    host = this_writer().rsplit(":", 1)[0]
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           check=True, capture_output=True, text=True)  # fmt: skip
    writers = {
        "alive": f"{host}:{os.getpid()}",
        "elsewhere": f"anderer-{socket.gethostname()}:{ended.stdout.strip()}",
        "ended": f"{host}:{ended.stdout.strip()}",
    }
    office.logs.mkdir(parents=True)
    files = {}
    for name, writer in writers.items():
        log_id = f"L20240301-{uuid.uuid4().hex[:8]}"
        entry = NewEventLog(
            log_id=log_id, process_key=None, department=None, uploaded_by="test",
            source_name=f"{name}.csv", source_sha256="0" * 64, source_bytes=1, file_format="csv",
            detected={}, mapping={}, privacy={}, cases=1, events=1, activities=1, variants=1,
            first_event=None, last_event=None, rejected_rows=0,
            parquet_path=f"logs/{log_id}.parquet", delete_after=dt.date(2030, 1, 1),
        )  # fmt: skip
        office.store.catalogue.register_pending(entry, writer=writer)
        writer_host, pid = writer.rsplit(":", 1)
        files[name] = {
            f"{log_id}.parquet",
            f".incoming-{writer_host}-{pid}-{uuid.uuid4().hex}.parquet",
            f".incoming-{writer_host}-{pid}-{uuid.uuid4().hex}.unordered.parquet",
        }
        for file in files[name]:
            (office.logs / file).touch()
    office.store.sweep_orphans()
    kept = files["alive"] | files["elsewhere"]
    assert office.files() == kept
    assert set(office.rows().values()) == {"pending"} and len(office.rows()) == 2
    assert office.listed() == set()  # a pending log exists for nobody, and the sweep keeps it
    assert office.files() == kept
