"""The workspace and the command line on a database whose schema is not the code's: one message
saying what to do, and the database left as it is."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from process_registry import Database, upgrade_schema
from process_registry.schema import SCHEMA_REVISION, downgrade_schema
from tests.cli_office import run_pmo
from tests.conftest import PROJECT


def _workspace(monkeypatch: pytest.MonkeyPatch, url: str, data: Path) -> AppTest:
    monkeypatch.setenv("PMO_DATABASE_URL", url)
    monkeypatch.setenv("PMO_DATA_DIR", str(data))
    monkeypatch.setenv("PMO_USER", "Frau Test")
    monkeypatch.setenv("PMO_LOCAL_ROLE", "process_manager")
    monkeypatch.delenv("PMO_LOCAL_DEPARTMENT", raising=False)
    monkeypatch.delenv("PMO_ROLES_FILE", raising=False)
    monkeypatch.chdir(PROJECT)
    app = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=120)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_an_outdated_schema_shows_one_message_naming_the_upgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'pmo.sqlite3'}"
    database = Database(url)
    upgrade_schema(database)
    # The revision before the code's: a database an older pmo left behind.
    previous = f"{int(SCHEMA_REVISION) - 1:04d}"
    downgrade_schema(database, previous)
    database.dispose()

    app = _workspace(monkeypatch, url, tmp_path / "daten")
    assert [title.value for title in app.title] == ["Datenbankschema passt nicht"]
    (error,) = app.error
    assert "`pmo db upgrade`" in error.value
    assert previous in error.value and SCHEMA_REVISION in error.value
    # The command line refuses the same database with the same advice.
    refused = run_pmo("registry", "list", env={**os.environ, "PMO_DATABASE_URL": url})
    assert refused.returncode == 1
    assert "`pmo db upgrade`" in refused.stderr.decode() and previous in refused.stderr.decode()

    # After the upgrade the same session gets the workspace, without a restart.
    database = Database(url)
    upgrade_schema(database)
    database.dispose()
    app.run()
    assert not app.exception
    assert not any("pmo db upgrade" in error.value for error in app.error)
    assert [title.value for title in app.title] != ["Datenbankschema passt nicht"]
