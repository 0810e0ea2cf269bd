"""A FIM Stammprozess through the `pmo` command (issue 16): register, import a log, analyze.

The log records the activity groups, as an office running the FIM process would; the groups are
collapsed sub-processes in the model and must count as its steps everywhere.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.cli_office import office_env, pmo_output
from tests.xprozess_fixture import DEFAULT_GROUPS, fim_bpmn

GROUPS = [g.name for g in DEFAULT_GROUPS]
ANTRAG, FORMELL, SACHLICH, ENTSCHEIDUNG, BESCHEID = GROUPS


def _write_log(path: Path) -> Path:
    """Eight cases through all groups, one skipping the factual check, one swapping the checks."""
    traces = {f"Z-{n}": GROUPS for n in range(1, 9)}
    traces["Z-9"] = [ANTRAG, FORMELL, ENTSCHEIDUNG, BESCHEID]
    traces["Z-10"] = [ANTRAG, SACHLICH, FORMELL, ENTSCHEIDUNG, BESCHEID]
    start = dt.datetime(2025, 3, 3, 9)
    rows = ["Fall;Aktivität;Zeitpunkt"]
    for day, (case, trace) in enumerate(traces.items()):
        for hour, activity in enumerate(trace):
            when = start + dt.timedelta(days=day, hours=hour)
            rows.append(f"{case};{activity};{when:%d.%m.%Y %H:%M}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_fim_model_registered_imported_and_analyzed(tmp_path: Path) -> None:
    env = office_env(tmp_path)
    model = tmp_path / "Stammprozess.bpmn"
    model.write_bytes(fim_bpmn())
    added = json.loads(
        pmo_output(
            "registry",
            "add",
            str(model),
            "--name",
            "Mutterschaftsleistungen Zuschuss",
            "--department",
            "Fachdienst Soziales",
            "--json",
            env=env,
        )
    )
    key = added["key"]
    lint = json.loads(pmo_output("registry", "lint", str(model), "--json", env=env))
    assert [f for f in lint if f["severity"] == "error"] == []

    imported = json.loads(
        pmo_output(
            "log", "import", str(_write_log(tmp_path / "zuschuss.csv")), "--process", key,
            "--json", env=env,
        )
    )  # fmt: skip
    # The import's model check sees the groups as the model's five steps, all covered.
    overlap = imported["model_overlap"]
    assert (overlap["model_tasks"], overlap["covered"], overlap["mapped"]) == (5, 5, 5)
    assert "overlap" not in {check["check"] for check in imported["checks"]}

    analysis = json.loads(pmo_output("analyze", imported["log_id"], "--json", env=env))
    conformance = analysis["conformance"]
    assert conformance["model"] == key
    assert conformance["mapping"]["pairs"] == {group: group for group in GROUPS}
    assert conformance["mapping"]["unmapped_model"] == []
    assert conformance["fitting_cases_share"] == pytest.approx(0.8)
    assert 0.9 < conformance["fitness"] < 1.0
    deviations = {(d["kind"], d["activity"]): d["example_cases"] for d in conformance["deviations"]}
    assert deviations[("skipped", SACHLICH)] == ["Z-9"]
    assert conformance["notes"] == []
