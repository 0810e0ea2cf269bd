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
import random
from pathlib import Path

import pytest

import mining._events as events_module
from mining.errors import StorageError
from mining.ingest import ImportOptions, ingest_file
from mining.logstore import LogStore
from mining.privacy import load_or_create_secret
from process_registry import Database
from tests.cli_office import office_env, pmo_output
from tests.full_disk import (
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


def test_sorted_events_file_on_a_full_disk_leaves_nothing(
    office: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk holds the events in upload order but not the sorted copy written after them."""
    log = _shuffled_log(tmp_path / "hundesteuer.csv", cases=3000)
    sizes: list[int] = []
    original = events_module.write_arranged

    def measured(source: Path, target: Path) -> None:
        original(source, target)
        sizes.extend((source.stat().st_size, target.stat().st_size))

    monkeypatch.setattr("mining.ingest.write_arranged", measured)
    secret = load_or_create_secret(tmp_path / "messung", env={})
    ingest_file(log, tmp_path / "messung" / "e.parquet", options=ImportOptions(), secret=secret,
                source=log.name)  # fmt: skip
    unordered, arranged = sizes
    page = 4096
    room = unordered + 4 * page  # the key and the first file fit, the second does not
    assert room < unordered + arranged - page

    data = tmp_path / "klein"
    env = {**office, "PMO_DATA_DIR": str(data)}
    result, left = run_pmo_on_small_disk("log", "import", str(log), env=env, mount=data, size=room)
    one_line_error(result, "Ereignisdatei", "kein Speicherplatz")
    assert left == {"secret.key": 65}
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
