"""Database URLs pmo cannot use end in one line naming the supported ones, in every command and
in the workspace, before any driver is imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from process_registry import Database, UnsupportedDatabaseError
from tests.cli_office import office_env, run_pmo
from tests.conftest import PROJECT
from tests.full_disk import one_line_error

SUPPORTED = ("sqlite:///", "postgresql+psycopg://")

UNSUPPORTED_URLS = [
    "mysql://pmo@db.intern/pmo",
    "postgresql+psycopg2://pmo@db.intern/pmo",
    "oracle://pmo@db.intern/pmo",
    "postgres://pmo@db.intern/pmo",
    "mssql+pyodbc://pmo@db.intern/pmo",
    "kein-url",
]


@pytest.mark.parametrize("url", UNSUPPORTED_URLS)
def test_unsupported_database_url_is_one_line_naming_the_supported(
    url: str, tmp_path: Path
) -> None:
    env = office_env(tmp_path)
    result = run_pmo("registry", "list", "--db", url, env=env)
    one_line_error(result, *SUPPORTED)


COMMANDS = [
    ("registry", "list"),
    ("log", "list"),
    ("db", "upgrade"),
    ("report", "--list"),
    ("analyze", "L1"),
    ("app", "--port", "1"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_every_command_refuses_an_unsupported_url_from_the_environment(
    command: tuple[str, ...], tmp_path: Path
) -> None:
    env = {**office_env(tmp_path), "PMO_DATABASE_URL": "mysql://pmo@db.intern/pmo"}
    one_line_error(run_pmo(*command, env=env), "mysql://", *SUPPORTED)


def test_the_password_of_a_refused_url_is_not_repeated(tmp_path: Path) -> None:
    env = office_env(tmp_path)
    for url in ("mysql://pmo:Geheim123@db.intern/pmo", "mysql//pmo:Geheim123@db intern"):
        message = one_line_error(run_pmo("registry", "list", "--db", url, env=env))
        assert "Geheim123" not in message


def test_an_uninstalled_postgresql_driver_is_named(tmp_path: Path) -> None:
    """psycopg is a dependency; a broken installation without it still gets one line."""
    code = (
        "import sys; sys.modules['psycopg'] = None; sys.argv = ['pmo', 'registry', 'list'];"
        "from pmo.cli import main; main()"
    )
    env = {**office_env(tmp_path), "PMO_DATABASE_URL": "postgresql+psycopg://pmo@db.intern/pmo"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, env=env, capture_output=True, timeout=300
    )
    one_line_error(result, "psycopg", "nicht installiert")


def test_database_class_refuses_before_connecting() -> None:
    with pytest.raises(UnsupportedDatabaseError, match="postgresql\\+psycopg://"):
        Database("mysql://pmo@db.intern/pmo")


def test_workspace_shows_the_same_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMO_DATABASE_URL", "postgresql+psycopg2://pmo@db.intern/pmo")
    monkeypatch.setenv("PMO_DATA_DIR", str(tmp_path / "daten"))
    monkeypatch.chdir(PROJECT)
    for page in ("registry.py", "logs.py", "overview.py"):
        app = AppTest.from_file(str(PROJECT / "app_pages" / page), default_timeout=120)
        app.run()
        assert not app.exception, (page, [e.value for e in app.exception])
        assert any(all(s in e.value for s in SUPPORTED) for e in app.error), (
            page,
            [e.value for e in app.error],
        )
