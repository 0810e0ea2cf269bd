"""Deleting a log (issue 12, point 4), through the `pmo` command: when a log is due."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from tests.cli_office import office_env, pmo_output, run_pmo
from tests.municipal_log import generate_hundesteuer_log


def _log(folder: Path, prefix: str) -> Path:
    path = generate_hundesteuer_log(folder / f"{prefix[:6]}.csv", cases=160)
    content = path.read_bytes().decode("cp1252").replace("HST-2024-", prefix)
    path.write_bytes(content.encode("cp1252"))
    return path


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

    today = dt.date.today().isoformat()
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
