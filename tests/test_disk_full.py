"""A full disk while pmo writes ends in one message and leaves nothing behind.

The events file of an import, the report (and re-rendered snapshots, registry exports) and the
pseudonymization key are written on storage that really fails (``tests.full_disk``): a tmpfs that
is full or too small (``ENOSPC``, skipped where no namespace may mount one) and a file-size limit
(``EFBIG``, everywhere). Where the failing write is deep inside a library, the unit cases inject
``ENOSPC`` at that write instead.
"""

from __future__ import annotations

import errno
import json
import os
import random
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

import mining.query.layout as events_module
from mining.errors import StorageError
from mining.ingest.privacy import SecretKeyError, load_or_create_secret
from mining.ingest.store import LogStore
from process_registry import Database, ReportArchive, upgrade_schema
from tests.cli_office import office_env, pmo_output
from tests.conftest import PROJECT
from tests.full_disk import (
    file_size_limit,
    files_under,
    one_line_error,
    run_pmo_limited,
    run_pmo_on_small_disk,
)
from tests.municipal_log import generate_hundesteuer_log


def _shuffled_log(path: Path, cases: int) -> Path:
    """A Hundesteuer log in random line order, so the sorted events file differs from the first."""
    generate_hundesteuer_log(path, cases=cases)
    header, *rows = path.read_bytes().splitlines(keepends=True)
    random.Random(3).shuffle(rows)
    path.write_bytes(header + b"".join(rows))
    return path


@pytest.fixture
def office(tmp_path: Path) -> dict[str, str]:
    env = office_env(tmp_path)
    pmo_output("registry", "list", env=env)  # the database exists before any limit applies
    return env


def _no_catalogue_rows(env: dict[str, str]) -> None:
    # `log list` would sweep stray files away, so the folder is checked before it runs.
    assert json.loads(pmo_output("log", "list", "--json", env=env)) == []


# -- the events file of an import -----------------------------------------------------------------


def test_import_under_a_file_size_limit_ends_in_one_message(
    office: dict[str, str], tmp_path: Path
) -> None:
    log = _shuffled_log(tmp_path / "hundesteuer.csv", cases=3000)
    result = run_pmo_limited("log", "import", str(log), env=office, file_bytes=256 * 1024)
    one_line_error(result, "Ereignisdatei", "logs", "Dateigröße")
    data = Path(office["PMO_DATA_DIR"])
    assert files_under(data / "logs") == {}
    _no_catalogue_rows(office)


def test_import_on_a_full_disk_says_so_and_leaves_nothing(
    office: dict[str, str], tmp_path: Path
) -> None:
    log = _shuffled_log(tmp_path / "hundesteuer.csv", cases=3000)
    data = tmp_path / "klein"
    env = {**office, "PMO_DATA_DIR": str(data)}
    result, left = run_pmo_on_small_disk(
        "log", "import", str(log), env=env, mount=data, size=256 * 1024
    )
    one_line_error(result, "Ereignisdatei", str(data / "logs"), "kein Speicherplatz")
    assert left == {"secret.key": 65}  # the key fitted; no events file, whole or partial
    _no_catalogue_rows(env)


def test_enospc_at_the_sorted_write_stores_no_row(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite and PostgreSQL: the partial file is removed and the catalogue stays empty."""
    log = _shuffled_log(tmp_path / "hundesteuer.csv", cases=200)

    def disk_full(table, where, **_kwargs):  # type: ignore[no-untyped-def]
        Path(where).write_bytes(b"PAR1 partial")
        raise OSError(errno.ENOSPC, "Error writing bytes to file. No space left on device")

    monkeypatch.setattr(events_module.pq, "write_table", disk_full)
    store = LogStore(database, tmp_path / "daten")
    with pytest.raises(StorageError, match="kein Speicherplatz") as raised:
        store.import_file(log, uploader="t")
    assert str(store.folder) in str(raised.value)
    assert files_under(store.folder) == {}
    assert store.list_logs() == []


# -- the report, re-renders and exports ----------------------------------------------------------


@pytest.fixture(scope="module")
def reporting_office(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("bericht")
    env = office_env(folder)
    pmo_output("demo", "--no-logs", env=env)
    log = generate_hundesteuer_log(folder / "hundesteuer.csv", cases=200)
    pmo_output("log", "import", str(log), "--process", "hundesteuer-anmeldung", env=env)
    return env


def _snapshots(env: dict[str, str]) -> list[int]:
    return [row["id"] for row in json.loads(pmo_output("report", "--list", "--json", env=env))]


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_report_on_a_full_disk_stores_no_snapshot(
    fmt: str, reporting_office: dict[str, str], tmp_path: Path
) -> None:
    before = _snapshots(reporting_office)
    out = tmp_path / "ausgabe"
    result, left = run_pmo_on_small_disk(
        "report", "--format", fmt, "-o", str(out / f"bericht.{fmt}"),
        env=reporting_office, mount=out, size=64 * 1024, fill=True,
    )  # fmt: skip
    one_line_error(result, f"bericht.{fmt}", "kein Speicherplatz")
    assert left == {}  # neither the report nor a temporary file beside it
    assert _snapshots(reporting_office) == before


def test_report_under_a_file_size_limit_stores_no_snapshot(
    reporting_office: dict[str, str], tmp_path: Path
) -> None:
    """The portable variant: every file the command writes is capped below the PDF's size.

    The database's write-ahead log is emptied first, so only the report itself hits the cap."""
    database_file = reporting_office["PMO_DATABASE_URL"].removeprefix("sqlite:///")
    with closing(sqlite3.connect(database_file)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = _snapshots(reporting_office)
    target = tmp_path / "bericht.pdf"
    result = run_pmo_limited(
        "report", "--format", "pdf", "-o", str(target), env=reporting_office, file_bytes=40_000
    )
    one_line_error(result, "bericht.pdf", "Dateigröße")
    assert files_under(tmp_path) == {}
    assert _snapshots(reporting_office) == before


def test_rerender_on_a_full_disk_keeps_the_old_file(
    reporting_office: dict[str, str], tmp_path: Path
) -> None:
    first = tmp_path / "erst.json"
    answer = pmo_output("report", "--format", "json", "-o", str(first), "--json",
                        env=reporting_office)  # fmt: skip
    report_id = json.loads(answer)["report_id"]
    before = _snapshots(reporting_office)
    out = tmp_path / "ausgabe"
    result, left = run_pmo_on_small_disk(
        "report", "--snapshot", str(report_id), "--format", "html", "-o", str(out / "b.html"),
        env=reporting_office, mount=out, size=64 * 1024, fill=True,
    )  # fmt: skip
    one_line_error(result, "b.html", "kein Speicherplatz")
    assert left == {}
    assert _snapshots(reporting_office) == before


def test_export_on_a_full_disk_leaves_nothing(
    reporting_office: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "ausgabe"
    result, left = run_pmo_on_small_disk(
        "registry", "export", "wohngeld", "-o", str(out / "wohngeld.bpmn"),
        env=reporting_office, mount=out, size=16 * 1024, fill=True,
    )  # fmt: skip
    one_line_error(result, "wohngeld.bpmn", "kein Speicherplatz")
    assert left == {}


def _cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, *args: str):  # type: ignore[no-untyped-def]
    from pmo.cli import _run

    monkeypatch.setattr("sys.argv", ["pmo", *args])
    code = _run()
    return code, capsys.readouterr()


def test_report_whose_file_fails_at_fsync_stores_no_snapshot_and_keeps_the_old_file(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """On SQLite and PostgreSQL; a network file system may report a full disk only at fsync."""
    monkeypatch.setenv("PMO_DATABASE_URL", db_url)
    monkeypatch.setenv("PMO_DATA_DIR", str(tmp_path / "daten"))
    monkeypatch.setenv("PMO_USER", "t")
    db = Database(db_url)
    upgrade_schema(db)
    assert _cli(monkeypatch, capsys, "demo", "--no-logs")[0] == 0
    out = tmp_path / "ausgabe"
    out.mkdir()
    target = out / "bericht.json"
    target.write_text("der alte Bericht", encoding="utf-8")

    def full(_descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("pmo.cli._output.os.fsync", full)
    code, captured = _cli(monkeypatch, capsys, "report", "--format", "json", "-o", str(target))
    assert code == 1
    assert "kein Speicherplatz" in captured.err and "bericht.json" in captured.err
    assert files_under(out) == {"bericht.json": len("der alte Bericht")}
    assert target.read_text(encoding="utf-8") == "der alte Bericht"
    assert ReportArchive(db).list() == []


# -- the pseudonymization key --------------------------------------------------------------------


def _tiny_log(folder: Path) -> Path:
    path = folder / "log.csv"
    rows = ["Vorgangsnummer;Tätigkeit;Zeitpunkt;Bearbeiter"]
    rows += [f"A-{n};Antrag prüfen;0{1 + n % 9}.03.2024 09:00;Frau {n}" for n in range(20)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_key_on_a_full_disk_leaves_no_key_file(office: dict[str, str], tmp_path: Path) -> None:
    data = tmp_path / "voll"
    env = {**office, "PMO_DATA_DIR": str(data)}
    result, left = run_pmo_on_small_disk(
        "log", "import", str(_tiny_log(tmp_path)), env=env, mount=data, size=64 * 1024, fill=True
    )
    one_line_error(result, "secret.key", "kein Speicherplatz")
    assert left == {}  # neither the key nor its temporary file
    _no_catalogue_rows(env)


def test_key_cut_short_by_a_file_size_limit_is_never_left_as_the_key(tmp_path: Path) -> None:
    """A real short write: the kernel writes up to the file-size limit, then refuses the rest.

    Run as a process of its own with a 40-byte limit, which no `pmo` command survives (its
    SQLite catalogue needs larger files), so only the key is created there."""
    code = (
        "import sys; from pathlib import Path; from mining.ingest.privacy import load_or_create_secret;"
        "from mining.errors import MiningError\n"
        "try:\n    load_or_create_secret(Path(sys.argv[1]), env={})\n"
        'except MiningError as err:\n    print(f"Fehler: {err}", file=sys.stderr); sys.exit(1)\n'
    )
    data = tmp_path / "daten"
    result = subprocess.run(
        [sys.executable, "-c", code, str(data)],
        cwd=PROJECT,
        capture_output=True,
        timeout=300,
        preexec_fn=file_size_limit(40),
    )
    one_line_error(result, "secret.key", "Dateigröße")
    assert files_under(data) == {}  # neither a cut-off key nor its temporary file
    # Once there is room again the key is created whole.
    key = load_or_create_secret(data, env={})
    assert key.created and len((data / "secret.key").read_text(encoding="ascii").strip()) == 64


def test_key_write_failing_at_fsync_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(_descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("mining.ingest.privacy.os.fsync", full)
    with pytest.raises(SecretKeyError, match="kein Speicherplatz"):
        load_or_create_secret(tmp_path, env={})
    assert files_under(tmp_path) == {}


@pytest.mark.parametrize("content", [b"", b"\n", b"3f2a", b"00" * 31 + b"\n"])
def test_an_empty_or_short_key_file_is_refused_not_used(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "secret.key"
    path.write_bytes(content)
    path.chmod(0o600)
    with pytest.raises(SecretKeyError, match="unvollständig") as raised:
        load_or_create_secret(tmp_path, env={})
    assert "Sicherung" in str(raised.value)
    assert path.read_bytes() == content  # refused, not repaired behind the user's back


def test_key_file_that_is_not_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.key").mkdir()
    with pytest.raises(SecretKeyError, match="secret.key.*Verzeichnis"):
        load_or_create_secret(tmp_path, env={})


def test_a_key_created_meanwhile_by_another_process_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two first imports at once: the one that links second uses the other's key."""
    theirs = "ab" * 32 + "\n"
    original_link = os.link

    def other_process_first(source, target, *args, **kwargs):  # type: ignore[no-untyped-def]
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, theirs.encode())
        os.close(fd)
        return original_link(source, target, *args, **kwargs)

    monkeypatch.setattr("mining.ingest.privacy.os.link", other_process_first)
    key = load_or_create_secret(tmp_path, env={})
    assert key.value == bytes.fromhex("ab" * 32) and not key.created
    assert files_under(tmp_path) == {"secret.key": len(theirs)}
