"""The workspace as a user meets it, driven through Streamlit's AppTest, plus its safety settings."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from process_registry import Database, Registry, load_catalogue_folder, upgrade_schema
from tests.conftest import PROJECT, SAMPLE_MODELS, bpmn_file


@pytest.fixture
def workspace(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Registry:
    monkeypatch.setenv("PMO_DATABASE_URL", sqlite_url)
    monkeypatch.chdir(PROJECT)
    db = Database(sqlite_url)
    upgrade_schema(db)
    return Registry(db)


def _run_app() -> AppTest:
    app = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_registry_page_lists_registered_processes(workspace: Registry) -> None:
    workspace.add_process(
        bpmn_file("miwg-reference/A.1.0.bpmn"),
        key="hundesteuer",
        name="Hundesteuer anmelden",
        department="Fachdienst Steuern",
        author="a",
        status="fachlich freigegeben",
    )
    workspace.add_process(
        bpmn_file("miwg-reference/A.2.0.bpmn"),
        key="wohngeld",
        name="Wohngeld bewilligen",
        department="Fachdienst Soziales",
        author="a",
    )
    app = _run_app()
    assert app.title[0].value == "Prozessregister"
    table = app.dataframe[0].value
    assert set(table["Leistung"]) == {"Hundesteuer anmelden", "Wohngeld bewilligen"}
    assert set(table["Fachdienst"]) == {"Fachdienst Steuern", "Fachdienst Soziales"}


def test_registry_page_lists_the_sample_registry(workspace: Registry) -> None:
    """What a newcomer sees after `make run`: the Musterstadt services, searchable."""
    load_catalogue_folder(workspace, SAMPLE_MODELS, author="demo")
    app = _run_app()
    table = app.dataframe[0].value
    assert len(table) == len(workspace.list_processes()) >= 6
    assert "Wohngeld (Mietzuschuss)" in set(table["Leistung"])
    app.text_input(key="registry_search").set_value("wohngeld").run()
    assert list(app.dataframe[0].value["Schlüssel"]) == ["wohngeld"]


def test_department_filter_narrows_the_catalogue(workspace: Registry) -> None:
    workspace.add_process(
        bpmn_file("miwg-reference/A.1.0.bpmn"),
        key="a",
        name="A",
        department="Fachdienst Steuern",
        author="a",
    )
    workspace.add_process(
        bpmn_file("miwg-reference/A.2.0.bpmn"),
        key="b",
        name="B",
        department="Fachdienst Soziales",
        author="a",
    )
    app = _run_app()
    app.multiselect(key="registry_departments").set_value(["Fachdienst Soziales"]).run()
    assert list(app.dataframe[0].value["Schlüssel"]) == ["b"]


def test_empty_registry_explains_how_to_load_samples(workspace: Registry) -> None:
    app = _run_app()
    assert any("pmo demo" in info.value for info in app.info)


def test_unreachable_database_shows_an_error_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PMO_DATABASE_URL", "postgresql+psycopg://x@127.0.0.1:1/x?connect_timeout=2")
    monkeypatch.chdir(PROJECT)
    app = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    app.run()
    assert not app.exception
    assert "nicht erreichbar" in app.error[0].value


def test_streamlit_config_is_production_safe() -> None:
    """RELIABILITY item 26 (the [auth] part lands with the login of the workspace issue)."""
    config = tomllib.loads((PROJECT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["enableCORS"] is True
    assert config["server"]["allowedHosts"]
    assert config["server"]["maxUploadSize"] <= 200
    assert config["client"]["showErrorDetails"] == "none"
    assert config["browser"]["gatherUsageStats"] is False


def test_no_page_renders_raw_html() -> None:
    """RELIABILITY item 25: user data is never interpolated into HTML."""
    sources = [PROJECT / "app.py", *sorted((PROJECT / "app_pages").glob("*.py"))]
    offenders = [p.name for p in sources if "unsafe_allow_html" in p.read_text(encoding="utf-8")]
    assert offenders == []


@pytest.mark.parametrize("package", ["process_registry", "mining"])
def test_libraries_never_import_streamlit(package: str) -> None:
    code = f"import sys, {package}; print('streamlit' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_only_app_and_pages_import_streamlit() -> None:
    allowed = {PROJECT / "app.py", *(PROJECT / "app_pages").glob("*.py")}
    offenders = []
    for folder in ("process_registry", "mining", "pmo"):
        for path in (PROJECT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if path not in allowed and ("import streamlit" in text or "from streamlit" in text):
                offenders.append(str(path.relative_to(PROJECT)))
    assert offenders == []


def test_app_path_used_by_cli_exists() -> None:
    from pmo.cli import PROJECT_ROOT

    assert (Path(PROJECT_ROOT) / "app.py").is_file()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_pmo_app_serves_the_workspace(sqlite_url: str) -> None:
    """`pmo app` (the last step of `make run`) starts a real server that answers."""
    port = _free_port()
    env = {**os.environ, "PMO_DATABASE_URL": sqlite_url}
    server = subprocess.Popen(
        [sys.executable, "-m", "pmo", "app", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        health = None
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health") as response:
                    health = response.read().decode()
                    break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(server.stderr.read().decode())
                time.sleep(0.5)
        assert health == "ok"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as response:
            assert response.status == 200
            assert b'<div id="root">' in response.read()
    finally:
        server.terminate()
        server.wait(timeout=30)
