"""Cached data never crosses departments (docs/RELIABILITY.md item 27): the workspace's cached
loaders take the user's scope as an argument and check it before they read."""

from __future__ import annotations

from pathlib import Path

import pytest

from mining.ingest.store import ImportOptions, LogStore
from process_registry import Database, Registry, load_catalogue_folder, upgrade_schema
from tests.app_office import page_analysis
from tests.conftest import PROJECT, SAMPLE_MODELS
from tests.municipal_log import generate_hundesteuer_log

TAX = "Fachdienst Steuern und Abgaben"


@pytest.fixture
def stored_log(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PMO_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("PMO_DATA_DIR", str(tmp_path / "daten"))
    monkeypatch.chdir(PROJECT)
    db = Database(sqlite_url)
    upgrade_schema(db)
    load_catalogue_folder(Registry(db), SAMPLE_MODELS, author="test")
    log = generate_hundesteuer_log(tmp_path / "hundesteuer.csv", cases=120)
    result = LogStore(db, tmp_path / "daten").import_file(
        log,
        uploader="test",
        options=ImportOptions(process_key="hundesteuer-anmeldung", attributes=("Eingangskanal",)),
    )
    return result.log_id


def _analysis(log_id: str, scope: str) -> dict:
    return page_analysis(log_id, scope)


def test_a_department_never_receives_another_departments_cached_analysis(stored_log: str) -> None:
    # Department A (its owner) fills the cache first; department B asks for the same log next.
    assert _analysis(stored_log, TAX)["log"]["cases"] == 120
    with pytest.raises(PermissionError):
        _analysis(stored_log, "Fachdienst Wohnen")
    # The office (scope "*") sees everything, and the owner's entry is still served to the owner.
    assert _analysis(stored_log, "*")["log"]["cases"] == 120
    assert _analysis(stored_log, TAX)["log"]["cases"] == 120
