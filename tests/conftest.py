"""Shared fixtures: every registry test runs on SQLite and, where a server is given, on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from process_registry import Database, Registry, upgrade_schema

TESTS = Path(__file__).parent
PROJECT = TESTS.parent
BPMN_DATA = TESTS / "data" / "bpmn"
SAMPLE_MODELS = PROJECT / "bpmn_models"
POSTGRES_ENV = "PMO_TEST_POSTGRES_URL"


def _postgres_base_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(
            f"PostgreSQL-Fall übersprungen: {POSTGRES_ENV} ist nicht gesetzt (.ci/run setzt es)"
        )
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty schema on the test server, dropped afterwards."""
    base = _postgres_base_url()
    schema = f"pmo_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'pmo.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'pmo.sqlite3'}"


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = Database(db_url)
    upgrade_schema(db)
    yield db
    db.dispose()


@pytest.fixture
def registry(database: Database) -> Registry:
    return Registry(database)


def bpmn_file(relative: str) -> bytes:
    return (BPMN_DATA / relative).read_bytes()
