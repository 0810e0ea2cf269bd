"""The workspace's safety settings and how it is served."""

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

from tests.conftest import PROJECT


def test_streamlit_config_is_production_safe() -> None:
    """docs/RELIABILITY.md item 26 (the [auth] part lands with the login of the workspace issue)."""
    config = tomllib.loads((PROJECT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["enableCORS"] is True
    assert config["server"]["allowedHosts"]
    assert config["server"]["maxUploadSize"] <= 200
    assert config["client"]["showErrorDetails"] == "none"
    assert config["browser"]["gatherUsageStats"] is False


def test_no_page_renders_raw_html() -> None:
    """docs/RELIABILITY.md item 25: user data is never interpolated into HTML."""
    sources = [PROJECT / "app.py", *sorted((PROJECT / "app_pages").glob("*.py"))]
    offenders = [p.name for p in sources if "unsafe_allow_html" in p.read_text(encoding="utf-8")]
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


def test_the_server_loads_the_pages_libraries_before_streamlit_starts() -> None:
    """`pmo app` imports app_pages._preload before Streamlit: the first visitor after a start
    does not wait for the libraries; Streamlit's caches are still made by its own runtime, and
    its collection after every click does not walk the libraries' objects again (issue 18)."""
    from pmo.cli.setup import _SERVE

    assert _SERVE.startswith("import app_pages._preload")
    probe = (
        "import gc, sys, app_pages._preload; "
        "print(sorted(m for m in ('altair', 'pandas', 'pm4py', 'sqlalchemy', 'duckdb') "
        "if m in sys.modules), 'streamlit' in sys.modules, gc.isenabled(), "
        "gc.get_freeze_count() > 0.9 * len(gc.get_objects()))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT, capture_output=True, text=True, check=True
    )
    loaded, rest = done.stdout.split("]")
    assert loaded + "]" == "['altair', 'duckdb', 'pandas', 'pm4py', 'sqlalchemy']"
    streamlit_loaded, collecting, frozen = rest.split()
    assert streamlit_loaded == "False"
    # Streamlit collects garbage after every script run: the libraries' objects are left out
    # of those passes (frozen), and the collector still runs for what the pages create.
    assert (collecting, frozen) == ("True", "True")
