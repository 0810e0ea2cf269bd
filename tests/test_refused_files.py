"""Files pmo cannot use are refused with one line, before anything is read whole.

Every command runs as a real `pmo` process. Commands that would read a device or a sparse giant
into memory run with their address space capped (``tests.full_disk``), so a regression ends in a
failed test instead of a machine out of memory.
"""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from process_registry import (
    Database,
    FileRefusedError,
    Registry,
    load_catalogue_folder,
    upgrade_schema,
)
from process_registry.bpmn.safe_xml import MAX_BPMN_BYTES
from process_registry.files import read_limited
from tests.cli_office import office_env, pmo_output, run_pmo
from tests.conftest import PROJECT, SAMPLE_MODELS
from tests.full_disk import one_line_error, run_pmo_limited

WOHNGELD = SAMPLE_MODELS / "wohngeld.bpmn"
# Enough for every pmo command; a regression that reads /dev/zero whole hits it within seconds.
MEMORY_CAP = 1 << 30


@pytest.fixture
def office(tmp_path: Path) -> dict[str, str]:
    env = office_env(tmp_path)
    pmo_output(
        "registry", "add", str(WOHNGELD), "--name", "W", "--department", "FD", "--key", "w",
        env=env,
    )  # fmt: skip
    return env


def _small_log(folder: Path) -> Path:
    path = folder / "log.csv"
    rows = ["Vorgangsnummer;Tätigkeit;Zeitpunkt;Bearbeiter"]
    rows += [f"A-{n};Antrag prüfen;0{1 + n % 9}.03.2024 09:00;Frau {n}" for n in range(20)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


# -- files named on the command line -------------------------------------------------------------

BPMN_COMMANDS = {
    "add": ("registry", "add", "{file}", "--name", "X", "--department", "FD"),
    "new-version": ("registry", "new-version", "w", "{file}"),
    "lint": ("registry", "lint", "{file}"),
}


@pytest.mark.parametrize("command", sorted(BPMN_COMMANDS))
def test_a_device_is_refused_as_a_bpmn_file_without_being_read(
    command: str, office: dict[str, str]
) -> None:
    args = [part.format(file="/dev/zero") for part in BPMN_COMMANDS[command]]
    result = run_pmo_limited(*args, env=office, memory_bytes=MEMORY_CAP)
    one_line_error(result, "/dev/zero", "Gerätedatei")
    assert len(Registry(Database(office["PMO_DATABASE_URL"])).get_process("w").versions) == 1


@pytest.mark.parametrize("command", sorted(BPMN_COMMANDS))
def test_a_sparse_giant_is_refused_by_its_size_before_it_is_read(
    command: str, office: dict[str, str], tmp_path: Path
) -> None:
    giant = tmp_path / "riesig.bpmn"
    with giant.open("wb") as handle:
        handle.write(WOHNGELD.read_bytes())
        handle.truncate(8 << 30)  # 8 GiB that take no disk space, and more than the memory cap
    args = [part.format(file=str(giant)) for part in BPMN_COMMANDS[command]]
    result = run_pmo_limited(*args, env=office, memory_bytes=MEMORY_CAP)
    one_line_error(result, "riesig.bpmn", "zu groß", "20,0 MiB")


def test_a_file_just_over_the_limit_is_refused_and_one_at_the_limit_is_read(
    office: dict[str, str], tmp_path: Path
) -> None:
    model = WOHNGELD.read_bytes()
    closing = b"</bpmn:definitions>"
    head = model[: model.rindex(closing)]
    at_limit = head + b" " * (MAX_BPMN_BYTES - len(head) - len(closing)) + closing
    assert len(at_limit) == MAX_BPMN_BYTES
    (tmp_path / "grenze.bpmn").write_bytes(at_limit)
    (tmp_path / "drueber.bpmn").write_bytes(at_limit + b"\n")
    accepted = run_pmo("registry", "lint", str(tmp_path / "grenze.bpmn"), "--json", env=office)
    assert b"Traceback" not in accepted.stderr and b"zu gro" not in accepted.stderr
    one_line_error(
        run_pmo("registry", "lint", str(tmp_path / "drueber.bpmn"), env=office),
        "drueber.bpmn",
        "zu groß",
    )


def test_a_fifo_is_refused_without_waiting_for_a_writer(
    office: dict[str, str], tmp_path: Path
) -> None:
    fifo = tmp_path / "rohr.bpmn"
    os.mkfifo(fifo)
    # A writer that hands over a valid model as soon as someone opens the pipe: reading from it
    # would lint that model and succeed.
    writer = threading.Thread(target=_feed, args=(fifo, WOHNGELD.read_bytes()), daemon=True)
    writer.start()
    try:
        result = run_pmo("registry", "lint", str(fifo), env=office)
        one_line_error(result, "rohr.bpmn", "FIFO")
    finally:
        _release(fifo)
        writer.join()


def _feed(fifo: Path, data: bytes) -> None:
    try:
        with fifo.open("wb") as pipe:
            pipe.write(data)
    except BrokenPipeError:
        pass


def _release(fifo: Path) -> None:
    """Open the pipe for reading so a writer still waiting in open() returns."""
    descriptor = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    os.close(descriptor)


def test_a_directory_is_refused_naming_it(office: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "modelle.bpmn"
    folder.mkdir()
    result = run_pmo("registry", "lint", str(folder), env=office)
    message = result.stderr.decode()
    # Click refuses it as a usage error (exit 2) before pmo opens anything.
    assert result.returncode == 2 and "Traceback" not in message
    assert "modelle.bpmn" in message and "is a directory" in message


LOG_COMMANDS = {
    "log import": ("log", "import", "{file}"),
    "analyze FILE": ("analyze", "{file}"),
}


@pytest.mark.parametrize("command", sorted(LOG_COMMANDS))
def test_a_device_named_as_an_event_log_is_refused_as_such(
    command: str, office: dict[str, str]
) -> None:
    # Not "file not found" (it exists) and not a log id: the user named a device.
    args = [part.format(file="/dev/zero") for part in LOG_COMMANDS[command]]
    result = run_pmo_limited(*args, env=office, memory_bytes=MEMORY_CAP)
    one_line_error(result, "zero", "Gerätedatei")


@pytest.mark.parametrize("command", sorted(LOG_COMMANDS))
def test_a_fifo_or_a_folder_named_as_an_event_log_is_refused_as_such(
    command: str, office: dict[str, str], tmp_path: Path
) -> None:
    fifo = tmp_path / "rohr.csv"
    os.mkfifo(fifo)
    folder = tmp_path / "ordner.csv"
    folder.mkdir()
    for target, kind in ((fifo, "Pipe"), (folder, "Verzeichnis")):
        args = [part.format(file=str(target)) for part in LOG_COMMANDS[command]]
        one_line_error(run_pmo(*args, env=office), target.name, kind)
    assert not list((tmp_path / "daten" / "logs").glob("*.parquet"))


def test_resource_map_from_a_device_is_refused(office: dict[str, str], tmp_path: Path) -> None:
    result = run_pmo_limited(
        "log", "import", str(_small_log(tmp_path)), "--resource-map", "/dev/zero",
        env=office, memory_bytes=MEMORY_CAP,
    )  # fmt: skip
    one_line_error(result, "/dev/zero", "Gerätedatei")
    assert pmo_output("log", "list", "--json", env=office).strip() == "[]"


def test_resource_map_larger_than_its_limit_is_refused(
    office: dict[str, str], tmp_path: Path
) -> None:
    roles = tmp_path / "rollen.csv"
    with roles.open("wb") as handle:
        handle.write(b"Name;Rolle\nFrau 1;Sachbearbeitung\n")
        handle.truncate(8 << 30)
    result = run_pmo_limited(
        "log", "import", str(_small_log(tmp_path)), "--resource-map", str(roles),
        env=office, memory_bytes=MEMORY_CAP,
    )  # fmt: skip
    one_line_error(result, "rollen.csv", "zu groß")


def test_resource_map_in_neither_utf8_nor_cp1252_names_the_line(
    office: dict[str, str], tmp_path: Path
) -> None:
    roles = tmp_path / "rollen.csv"
    # 0x81 is undefined in cp1252 and no UTF-8 sequence: a UTF-16 or Mac export, not a typo.
    roles.write_bytes(b"Name;Rolle\nFrau 1;Sachbearbeitung\nHerr \x81;Leitung\n")
    result = run_pmo(
        "log", "import", str(_small_log(tmp_path)), "--resource-map", str(roles), env=office
    )
    one_line_error(result, "rollen.csv, Zeile 3", "UTF-8")


@pytest.mark.parametrize("source", ["option", "environment"])
def test_assumptions_from_a_device_are_refused(
    source: str, office: dict[str, str], tmp_path: Path
) -> None:
    args = ["report", "--format", "json", "-o", str(tmp_path / "bericht.json")]
    env = dict(office)
    if source == "option":
        args += ["--assumptions", "/dev/zero"]
    else:
        env["PMO_ASSUMPTIONS_FILE"] = "/dev/zero"
    result = run_pmo_limited(*args, env=env, memory_bytes=MEMORY_CAP)
    one_line_error(result, "/dev/zero", "Gerätedatei")
    assert not (tmp_path / "bericht.json").exists()
    assert pmo_output("report", "--list", "--json", env=office).strip() == "[]"


def test_demo_folder_with_a_device_as_model_is_refused(
    office: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "katalog"
    folder.mkdir()
    (folder / "catalogue.json").write_text(
        '[{"key": "z", "file": "null.bpmn", "name": "Z", "department": "FD"}]', encoding="utf-8"
    )
    (folder / "null.bpmn").symlink_to("/dev/zero")
    result = run_pmo_limited(
        "demo", "--no-logs", "--folder", str(folder), env=office, memory_bytes=MEMORY_CAP
    )
    one_line_error(result, "null.bpmn", "Gerätedatei")


class TestReadLimited:
    def test_reads_up_to_the_limit(self, tmp_path: Path) -> None:
        path = tmp_path / "f"
        path.write_bytes(b"x" * 100)
        assert read_limited(path, limit=100) == b"x" * 100

    def test_one_byte_over_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "f"
        path.write_bytes(b"x" * 101)
        with pytest.raises(FileRefusedError, match="zu groß"):
            read_limited(path, limit=100)

    def test_a_device_is_refused_even_when_it_reads_as_empty(self) -> None:
        # /dev/null, not /dev/zero: a regression must not read an endless device in the test run.
        with pytest.raises(FileRefusedError, match="Gerätedatei"):
            read_limited(Path("/dev/null"), limit=100)

    def test_missing_file_names_it(self, tmp_path: Path) -> None:
        with pytest.raises(FileRefusedError, match="fehlt.bpmn: Datei nicht gefunden"):
            read_limited(tmp_path / "fehlt.bpmn", limit=100)

    def test_unreadable_file_says_why(self, tmp_path: Path, monkeypatch) -> None:
        path = tmp_path / "f"
        path.write_bytes(b"x")

        def denied(*_args, **_kwargs):
            raise PermissionError(errno.EACCES, "Permission denied")

        monkeypatch.setattr("process_registry.files.os.open", denied)
        with pytest.raises(FileRefusedError, match="keine Leseberechtigung"):
            read_limited(path, limit=100)


# -- the workspace's BPMN upload ----------------------------------------------------------------


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Registry:
    url = f"sqlite:///{tmp_path / 'pmo.sqlite3'}"
    monkeypatch.setenv("PMO_DATABASE_URL", url)
    monkeypatch.setenv("PMO_DATA_DIR", str(tmp_path / "daten"))
    monkeypatch.setenv("PMO_USER", "pm.mueller")
    monkeypatch.chdir(PROJECT)
    db = Database(url)
    upgrade_schema(db)
    registry = Registry(db)
    load_catalogue_folder(registry, SAMPLE_MODELS, author="demo")
    return registry


def test_workspace_refuses_an_oversized_upload_before_parsing_it(
    workspace: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[int] = []
    original = Registry.add_version

    def spy(self, key, data, **kwargs):  # type: ignore[no-untyped-def]
        parsed.append(len(data))
        return original(self, key, data, **kwargs)

    monkeypatch.setattr(Registry, "add_version", spy)
    app = AppTest.from_file(str(PROJECT / "app_pages" / "registry.py"), default_timeout=120)
    app.run()
    app.selectbox(key="registry_selected").set_value("wohngeld").run()
    uploader = app.file_uploader(key="registry_upload_wohngeld_file")
    assert uploader.proto.max_upload_size_mb == MAX_BPMN_BYTES >> 20  # the browser refuses first
    uploader.set_value(("gross.bpmn", b" " * (MAX_BPMN_BYTES + 1), "application/xml"))
    next(b for b in app.button if b.label == "Als neue Version speichern").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("gross.bpmn" in e.value and "20,0 MiB" in e.value for e in app.error), [
        e.value for e in app.error
    ]
    assert parsed == []
    assert len(workspace.get_process("wohngeld").versions) == 1
