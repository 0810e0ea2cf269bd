"""The `pmo` command line as scripts of the office call it: a real process, real exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import BPMN_DATA, PROJECT

A1 = BPMN_DATA / "miwg-reference" / "A.1.0.bpmn"
A2 = BPMN_DATA / "miwg-reference" / "A.2.0.bpmn"


def pmo(*args: str, db: str, expect: int = 0) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PMO_DATABASE_URL": db, "PMO_USER": "test-user"}
    result = subprocess.run(
        [sys.executable, "-m", "pmo", *args], cwd=PROJECT, env=env, capture_output=True, timeout=300
    )
    assert result.returncode == expect, (result.stdout.decode(), result.stderr.decode())
    return result


def as_json(result: subprocess.CompletedProcess[bytes]):
    return json.loads(result.stdout)


def _assert_clean_error(result: subprocess.CompletedProcess[bytes], *fragments: str) -> None:
    message = result.stderr.decode()
    assert "Traceback" not in message
    assert message.count("\n") == 1, message
    for fragment in fragments:
        assert fragment in message


def test_add_list_show_export_roundtrip(db_url: str, tmp_path: Path) -> None:
    added = as_json(
        pmo(
            "registry",
            "add",
            str(A1),
            "--name",
            "Hundesteuer anmelden",
            "--department",
            "Fachdienst Steuern",
            "--leika",
            "keine",
            "--json",
            db=db_url,
        )
    )
    assert added == {"key": "hundesteuer-anmelden", "version": 1}

    listed = as_json(pmo("registry", "list", "--json", db=db_url))
    assert listed == [
        {
            "key": "hundesteuer-anmelden",
            "name": "Hundesteuer anmelden",
            "department": "Fachdienst Steuern",
            "status": "Entwurf",
            "versions": 1,
            "derived_from": None,
            "review_needed": False,
        }
    ]

    shown = as_json(pmo("registry", "show", "hundesteuer-anmelden", "--json", db=db_url))
    assert shown["versions"][0]["author"] == "test-user"
    assert shown["model"]["processes"][0]["tasks"]

    out = tmp_path / "export.bpmn"
    pmo("registry", "export", "hundesteuer-anmelden", "-o", str(out), db=db_url)
    assert out.read_bytes() == A1.read_bytes()
    stdout_export = pmo("registry", "export", "hundesteuer-anmelden", db=db_url)
    assert stdout_export.stdout == A1.read_bytes()


def test_new_version_diff_and_export_of_an_old_version(db_url: str) -> None:
    pmo("registry", "add", str(A1), "--name", "P", "--department", "FD", "--key", "p", db=db_url)
    second = as_json(
        pmo("registry", "new-version", "p", str(A2), "--comment", "Gateway", "--json", db=db_url)
    )
    assert second == {"key": "p", "version": 2}
    diff = as_json(pmo("registry", "diff", "p", "1", "2", "--json", db=db_url))
    assert any(diff[section] for section in diff if isinstance(diff[section], list))
    old = pmo("registry", "export", "p", "--version", "1", db=db_url)
    assert old.stdout == A1.read_bytes()


def test_lint_json_uses_bpmnlint_rule_names_and_exit_code(sqlite_url: str) -> None:
    incorrect = BPMN_DATA / "bpmnlint-rule-examples" / "start-event-required-incorrect.bpmn"
    result = pmo("registry", "lint", str(incorrect), "--json", db=sqlite_url, expect=1)
    findings = as_json(result)
    assert {"rule", "element", "severity", "message"} <= set(findings[0])
    assert "start-event-required" in {f["rule"] for f in findings}


def test_text_list_of_an_empty_registry_points_to_demo(sqlite_url: str) -> None:
    assert "pmo demo" in pmo("registry", "list", db=sqlite_url).stdout.decode()


def test_missing_file_is_one_line_naming_it(sqlite_url: str) -> None:
    result = pmo(
        "registry",
        "add",
        "gibtsnicht.bpmn",
        "--name",
        "X",
        "--department",
        "Y",
        db=sqlite_url,
        expect=1,
    )
    _assert_clean_error(result, "gibtsnicht.bpmn", "nicht gefunden")


def test_broken_bpmn_names_file_and_line_and_stores_nothing(
    sqlite_url: str, tmp_path: Path
) -> None:
    broken = tmp_path / "kaputt.bpmn"
    broken.write_bytes(A1.read_bytes()[:900])
    result = pmo(
        "registry", "add", str(broken), "--name", "X", "--department", "Y", db=sqlite_url, expect=1
    )
    _assert_clean_error(result, "kaputt.bpmn", "Zeile")
    assert as_json(pmo("registry", "list", "--json", db=sqlite_url)) == []


def test_doctype_is_refused_with_a_clear_message(sqlite_url: str, tmp_path: Path) -> None:
    hostile = tmp_path / "xxe.bpmn"
    hostile.write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        + A1.read_bytes().split(b"?>", 1)[1]
    )
    result = pmo(
        "registry", "add", str(hostile), "--name", "X", "--department", "Y", db=sqlite_url, expect=1
    )
    _assert_clean_error(result, "xxe.bpmn", "DOCTYPE")
    assert "root:" not in result.stderr.decode() + result.stdout.decode()


def test_unknown_process_and_version_errors(sqlite_url: str) -> None:
    _assert_clean_error(pmo("registry", "show", "nix", db=sqlite_url, expect=1), "„nix“")
    pmo(
        "registry", "add", str(A1), "--name", "P", "--department", "FD", "--key", "p", db=sqlite_url
    )
    _assert_clean_error(
        pmo("registry", "export", "p", "--version", "9", db=sqlite_url, expect=1), "keine Version 9"
    )


def test_conflicting_base_version_is_refused(sqlite_url: str) -> None:
    pmo(
        "registry", "add", str(A1), "--name", "P", "--department", "FD", "--key", "p", db=sqlite_url
    )
    pmo("registry", "new-version", "p", str(A2), "--base", "1", db=sqlite_url)
    result = pmo("registry", "new-version", "p", str(A1), "--base", "1", db=sqlite_url, expect=1)
    _assert_clean_error(result, "beruht auf Version 1")


def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    result = pmo(
        "registry", "list", db="postgresql+psycopg://x@127.0.0.1:1/x?connect_timeout=2", expect=1
    )
    _assert_clean_error(result, "nicht erreichbar")


def test_export_to_an_unwritable_place_writes_nothing(sqlite_url: str, tmp_path: Path) -> None:
    pmo(
        "registry", "add", str(A1), "--name", "P", "--department", "FD", "--key", "p", db=sqlite_url
    )
    target = tmp_path / "fehlt" / "out.bpmn"
    _assert_clean_error(
        pmo("registry", "export", "p", "-o", str(target), db=sqlite_url, expect=1),
        "kann nicht geschrieben werden",
    )
    assert not target.parent.exists()


def test_db_option_overrides_the_environment(tmp_path: Path) -> None:
    chosen = f"sqlite:///{tmp_path / 'gewaehlt.sqlite3'}"
    pmo(
        "registry",
        "add",
        str(A1),
        "--name",
        "P",
        "--department",
        "FD",
        "--db",
        chosen,
        db=f"sqlite:///{tmp_path / 'env.sqlite3'}",
    )
    assert (tmp_path / "gewaehlt.sqlite3").exists()
    assert as_json(pmo("registry", "list", "--json", db=chosen))[0]["key"] == "p"


def test_old_lxml_stops_every_command_loudly(sqlite_url: str) -> None:
    """docs/RELIABILITY.md item 10: an lxml that still resolves external entities is refused at
    startup."""
    code = (
        "import sys, lxml.etree as etree; etree.LXML_VERSION = (4, 9, 3, 0); "
        "sys.argv = ['pmo', 'registry', 'list']; from pmo.cli import main; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env={**os.environ, "PMO_DATABASE_URL": sqlite_url},
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 3
    _assert_clean_error(result, "lxml 4.9.3.0", "lxml ≥ 5")


RUNNING_EXAMPLE = PROJECT / "event_logs" / "running-example.xes"


def pmo_logs(*args: str, db: str, data: Path, expect: int = 0):
    env = {**os.environ, "PMO_DATABASE_URL": db, "PMO_DATA_DIR": str(data), "PMO_USER": "t"}
    result = subprocess.run(
        [sys.executable, "-m", "pmo", *args], cwd=PROJECT, env=env, capture_output=True, timeout=300
    )
    assert result.returncode == expect, (result.stdout.decode(), result.stderr.decode())
    return result


def test_log_import_list_delete_contract(db_url: str, tmp_path: Path) -> None:
    data = tmp_path / "daten"
    imported = as_json(
        pmo_logs("log", "import", str(RUNNING_EXAMPLE), "--json", db=db_url, data=data)
    )
    assert {"log_id", "cases", "events", "activities", "rejected_rows"} <= set(imported)
    assert (imported["cases"], imported["events"], imported["activities"]) == (6, 42, 8)
    listed = as_json(pmo_logs("log", "list", "--json", db=db_url, data=data))
    assert [entry["log_id"] for entry in listed] == [imported["log_id"]]
    assert {"log_id", "process", "cases", "events", "uploaded_at", "delete_after"} <= set(listed[0])
    pmo_logs("log", "delete", imported["log_id"], db=db_url, data=data)
    assert as_json(pmo_logs("log", "list", "--json", db=db_url, data=data)) == []
    assert list((data / "logs").glob("*.parquet")) == []


def test_log_import_errors_are_one_line(sqlite_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "kaputt.csv"
    bad.write_text("Fall;Aktivität;Zeitpunkt\n1;A;31.02.2024 10:00\n", encoding="utf-8")
    result = pmo_logs("log", "import", str(bad), db=sqlite_url, data=tmp_path / "d", expect=1)
    _assert_clean_error(result, "kaputt.csv", "Zeile 2")
    missing = pmo_logs(
        "log", "delete", "L-gibtsnicht", db=sqlite_url, data=tmp_path / "d", expect=1
    )
    _assert_clean_error(missing, "L-gibtsnicht")


def test_analyze_with_filters_that_leave_nothing_is_one_line(
    sqlite_url: str, tmp_path: Path
) -> None:
    data = tmp_path / "daten"
    imported = as_json(
        pmo_logs("log", "import", str(RUNNING_EXAMPLE), "--json", db=sqlite_url, data=data)
    )
    for output in ([], ["--json"]):
        result = pmo_logs(
            "analyze",
            imported["log_id"],
            "--from",
            "2030-01-01",
            *output,
            db=sqlite_url,
            data=data,
            expect=1,
        )
        _assert_clean_error(result, "keine Fälle")
