"""Deleting a log deletes what was derived from it (issue 12, point 4), through the `pmo` command.

A report is built on a log whose case ids are Aktenzeichen with a citizen's name in them; the
log is then deleted on request, or purged the day its retention of 0 days runs out. Every format
of the stored report is rendered again, and the output, the database (every byte of the SQLite
files, every row on PostgreSQL) and the data folder are searched for those case ids.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import inspect, text

from process_registry import Database, Registry, clock, upgrade_schema
from tests.cli_office import office_env, pmo_output, run_pmo
from tests.municipal_log import generate_hundesteuer_log

GONE = "Müller-AZ7731-"  # the deleted log's case ids
KEPT = "Bleibt-QX-"  # the case ids of another log in the same report
FORMATS = ("pdf", "xlsx", "html", "json")


def _log(folder: Path, prefix: str) -> Path:
    path = generate_hundesteuer_log(folder / f"{prefix[:6]}.csv", cases=160)
    content = path.read_bytes().decode("cp1252").replace("HST-2024-", prefix)
    path.write_bytes(content.encode("cp1252"))
    return path


def _readable(fmt: str, data: bytes) -> str:
    """What a reader of the file sees: the PDF's text, the workbook's XML, the page, the JSON."""
    if fmt == "pdf":
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        cells = [c for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                 for c in row if c is not None]  # fmt: skip
        with zipfile.ZipFile(io.BytesIO(data)) as archive:  # and every part, decompressed
            parts = [archive.read(name).decode("utf-8") for name in archive.namelist()]
        return "\n".join(map(str, cells + parts))
    return data.decode("utf-8")


def _assert_absent(data: bytes, where: str) -> None:
    for encoding in ("utf-8", "cp1252", "utf-16-le"):
        assert GONE.encode(encoding) not in data, f"case id of the deleted log in {where}"


def _database_bytes(db_url: str) -> list[tuple[str, bytes]]:
    if db_url.startswith("sqlite"):
        main = Path(db_url.removeprefix("sqlite:///"))
        return [(p.name, p.read_bytes()) for p in main.parent.glob(f"{main.name}*")]
    db = Database(db_url)
    try:
        with db.engine.connect() as conn:
            tables = inspect(conn).get_table_names()
            return [
                (table, "\n".join(conn.execute(text(f'SELECT t::text FROM "{table}" t')).scalars())
                 .encode())
                for table in tables
            ]  # fmt: skip
    finally:
        db.dispose()


@pytest.mark.parametrize("how", ["delete", "purge"])
def test_a_deleted_log_leaves_no_case_id_in_reports_database_or_data_folder(
    db_url: str, tmp_path: Path, how: str
) -> None:
    upgrade_schema(Database(db_url))
    env = {**office_env(tmp_path), "PMO_DATABASE_URL": db_url}
    env.pop("PMO_RETENTION_DAYS", None)
    pmo_output("demo", "--no-logs", env=env)
    retention = ["--retention-days", "0"] if how == "purge" else []
    doomed = json.loads(
        pmo_output(
            "log",
            "import",
            str(_log(tmp_path, GONE)),
            "--process",
            "hundesteuer-anmeldung",
            *retention,
            "--json",
            env=env,
        )  # fmt: skip
    )
    assert doomed["delete_after"] == (
        clock.today().isoformat() if how == "purge" else doomed["delete_after"]
    )
    pmo_output("log", "import", str(_log(tmp_path, KEPT)), "--process", "meldebescheinigung",
               env=env)  # fmt: skip
    before = tmp_path / "vorher.json"
    report_id = json.loads(
        pmo_output("report", "--process", "hundesteuer-anmeldung", "--process",
                   "meldebescheinigung", "--format", "json", "-o", str(before), "--json", env=env)
    )["report_id"]  # fmt: skip
    # The report did name cases of both logs (else the search below proves nothing).
    assert GONE in before.read_text(encoding="utf-8")
    assert KEPT in before.read_text(encoding="utf-8")
    before.unlink()

    log_id = doomed["log_id"]
    if how == "delete":
        answer = pmo_output("log", "delete", log_id, env=env)
    else:
        answer = pmo_output("log", "purge", env=env)
        assert answer.startswith("1 Protokoll")
    assert json.loads(pmo_output("log", "list", "--json", env=env))[0]["log_id"] != log_id

    readable = {}
    for fmt in FORMATS:
        target = tmp_path / f"bericht.{fmt}"
        pmo_output("report", "--snapshot", str(report_id), "--format", fmt, "-o", str(target),
                   env=env)  # fmt: skip
        data = target.read_bytes()
        _assert_absent(data, fmt)
        readable[fmt] = _readable(fmt, data)
    for fmt, content in readable.items():
        assert GONE not in content, fmt
    for fmt, content in readable.items():
        # Every format says what was removed, from which log and when.
        assert f"Ereignisprotokoll {log_id} am {clock.today():%d.%m.%Y} gelöscht" in (
            content.replace("\n", " ") if fmt == "pdf" else content
        ), fmt
    snapshot = json.loads((tmp_path / "bericht.json").read_text(encoding="utf-8"))
    [redaction] = snapshot["redactions"]
    assert redaction["log_id"] == log_id
    assert redaction["fields"] == ["analysis.conformance.deviations[].example_cases"]
    assert redaction["removed"] > 0
    assert KEPT in json.dumps(snapshot, ensure_ascii=False)  # the other log keeps its examples
    target.unlink()

    for name, data in _database_bytes(db_url):
        _assert_absent(data, f"the database ({name})")
    for file in Path(env["PMO_DATA_DIR"]).rglob("*"):
        if file.is_file():
            _assert_absent(file.read_bytes(), str(file))
    assert not (Path(env["PMO_DATA_DIR"]) / "logs" / f"{log_id}.parquet").exists()

    if how == "delete":
        assert answer.endswith(f"bereinigt und mit Vermerk versehen: {report_id}\n")
    db = Database(db_url)
    registry = Registry(db)
    deletion = registry.audit_trail(log_id)[0]
    assert deletion.action == "log.delete"
    assert deletion.details == {
        "reason": "auf Anfrage" if how == "delete" else "Aufbewahrungsfrist abgelaufen",
        "events_file": f"logs/{log_id}.parquet",
        "redacted_reports": [report_id],
    }
    redacted = registry.audit_trail(f"report:{report_id}")[0]
    assert redacted.action == "report.redact"
    assert redacted.details["log_id"] == log_id
    assert redacted.details["fields"] == redaction["fields"]
    db.dispose()


def test_retention_of_zero_days_is_due_the_same_day_and_negative_is_refused(
    sqlite_url: str, tmp_path: Path
) -> None:
    env = {**office_env(tmp_path), "PMO_DATABASE_URL": sqlite_url}
    env.pop("PMO_RETENTION_DAYS", None)
    log = _log(tmp_path, "Frist-")
    for days in ("-1", "-365"):
        refused = run_pmo("log", "import", str(log), "--retention-days", days, env=env)
        message = refused.stderr.decode()
        assert refused.returncode == 1 and "Traceback" not in message
        assert message.count("\n") == 1 and "Aufbewahrungsfrist" in message and days in message
    refused = run_pmo("log", "import", str(log), env={**env, "PMO_RETENTION_DAYS": "-3"})
    message = refused.stderr.decode()
    assert refused.returncode == 1 and message.count("\n") == 1
    assert "PMO_RETENTION_DAYS" in message and "negativ" in message
    assert json.loads(pmo_output("log", "list", "--json", env=env)) == []

    today = clock.today().isoformat()
    by_option = json.loads(
        pmo_output("log", "import", str(log), "--retention-days", "0", "--json", env=env)
    )
    by_setting = json.loads(
        pmo_output("log", "import", str(log), "--json", env={**env, "PMO_RETENTION_DAYS": "0"})
    )
    kept = json.loads(pmo_output("log", "import", str(log), "--retention-days", "1", "--json",
                                 env=env))  # fmt: skip
    assert by_option["delete_after"] == by_setting["delete_after"] == today
    assert pmo_output("log", "purge", env=env).startswith("2 Protokoll")
    assert [e["log_id"] for e in json.loads(pmo_output("log", "list", "--json", env=env))] == [
        kept["log_id"]
    ]
