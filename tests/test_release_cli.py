"""`pmo registry set-status` and the release rule from the shell: real process, real exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli_office import office_env, pmo_output, run_pmo
from tests.conftest import BPMN_DATA

CLEAN = BPMN_DATA / "miwg-reference" / "A.1.0.bpmn"
FAULTY = BPMN_DATA / "bpmnlint-rule-examples" / "label-required-incorrect.bpmn"
RELEASED = "fachlich freigegeben"


def _office(tmp_path: Path, model: Path) -> dict[str, str]:
    env = office_env(tmp_path)
    pmo_output("db", "upgrade", env=env)
    pmo_output(
        "registry", "add", str(model), "--name", "Hund", "--department", "FD 32",
        "--key", "hund", "--leika", "keine", env=env,
    )  # fmt: skip
    return env


def _status(env: dict[str, str]) -> str:
    return json.loads(pmo_output("registry", "show", "hund", "--json", env=env))["status"]


def test_set_status_refuses_a_release_naming_each_finding(tmp_path: Path) -> None:
    env = _office(tmp_path, FAULTY)
    result = run_pmo("registry", "set-status", "hund", RELEASED, env=env)
    message = result.stderr.decode()
    assert result.returncode == 1 and "Traceback" not in message
    assert message.startswith("Fehler: Prozess „hund“ kann nicht „fachlich freigegeben“ werden")
    assert "label-required bei „Task_1“: Dem Element fehlt eine Beschriftung" in message
    assert "--override-lint" in message
    assert _status(env) == "Entwurf"


def test_edit_status_goes_through_the_same_rule(tmp_path: Path) -> None:
    env = _office(tmp_path, FAULTY)
    result = run_pmo("registry", "edit", "hund", "--status", RELEASED, env=env)
    assert result.returncode == 1 and "label-required" in result.stderr.decode()
    assert _status(env) == "Entwurf"


def test_override_releases_and_the_history_says_why(tmp_path: Path) -> None:
    env = _office(tmp_path, FAULTY)
    answer = json.loads(
        pmo_output(
            "registry", "set-status", "hund", RELEASED, "--override-lint", "Eilfall", "--json",
            env=env,
        )
    )  # fmt: skip
    assert (answer["status"], answer["previous_status"], answer["override_lint"]) == (
        RELEASED,
        "Entwurf",
        "Eilfall",
    )
    history = pmo_output("registry", "history", "hund", env=env)
    assert (
        "test setzte den Status von „Entwurf“ auf „fachlich freigegeben“ "
        "(trotz 3 Lint-Fehlern: Eilfall)" in history
    )
    raw = json.loads(pmo_output("registry", "history", "hund", "--json", env=env))
    assert raw[0]["action"] == "process.status" and raw[0]["details"]["override"] == "Eilfall"


def test_a_clean_model_is_released_in_plain_words(tmp_path: Path) -> None:
    env = _office(tmp_path, CLEAN)
    out = pmo_output("registry", "set-status", "hund", RELEASED, env=env)
    assert out == "hund: Status von „Entwurf“ auf „fachlich freigegeben“ gesetzt\n"


def test_a_faulty_new_version_says_the_release_was_withdrawn(tmp_path: Path) -> None:
    env = _office(tmp_path, CLEAN)
    pmo_output("registry", "set-status", "hund", RELEASED, env=env)
    out = pmo_output("registry", "new-version", "hund", str(FAULTY), env=env)
    assert out.startswith("hund: Version 2 gespeichert\n")
    assert "Status von „fachlich freigegeben“ auf „in Bearbeitung“ zurückgesetzt" in out
    assert _status(env) == "in Bearbeitung"


def test_history_text_reads_as_sentences(tmp_path: Path) -> None:
    env = _office(tmp_path, CLEAN)
    pmo_output("registry", "edit", "hund", "--deadline-days", "60", env=env)
    pmo_output("registry", "edit", "hund", "--deadline-days", "90", env=env)
    lines = pmo_output("registry", "history", "hund", env=env).splitlines()
    assert lines[0].endswith("test änderte die Frist von 60 auf 90 Tage")
    assert lines[-1].endswith("test legte den Prozess „Hund“ mit Version 1 an")
    assert "process.update" not in "\n".join(lines)
