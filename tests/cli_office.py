"""An office run through the `pmo` command as a process: its environment and the runner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT


def office_env(folder: Path) -> dict[str, str]:
    """The environment of a fresh office whose database and data live in ``folder``."""
    return {
        **os.environ,
        "PMO_DATABASE_URL": f"sqlite:///{folder / 'pmo.sqlite3'}",
        "PMO_DATA_DIR": str(folder / "daten"),
        "PMO_USER": "test",
    }


def run_pmo(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "pmo", *args], cwd=PROJECT, env=env, capture_output=True, timeout=600
    )


def pmo_output(*args: str, env: dict[str, str]) -> str:
    """Standard output of a `pmo` command that must succeed."""
    result = run_pmo(*args, env=env)
    assert result.returncode == 0, (result.stdout.decode(), result.stderr.decode())
    return result.stdout.decode()
