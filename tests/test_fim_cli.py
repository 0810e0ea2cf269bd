"""The FIM workflow on the command line, as a process manager scripts it: import a Stammprozess,
derive the city's process, export and re-import, and what a wrong file gets."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli_office import office_env, pmo_output, run_pmo
from tests.conftest import PROJECT
from tests.xprozess_fixture import DEFAULT_GROUPS, LEIKA, fim_bpmn, xprozess_file

STAMM = "mutterschaftsleistungen-zuschuss-zahlung"


def _write(folder: Path, name: str, data: bytes) -> str:
    path = folder / name
    path.write_bytes(data)
    return str(path)


def test_import_show_derive_and_review_on_the_command_line(tmp_path: Path) -> None:
    env = office_env(tmp_path)
    first = _write(tmp_path, "stamm-1.2.xml", xprozess_file())
    answer = json.loads(pmo_output("registry", "import-fim", first, "--json", env=env))
    assert {k: answer[k] for k in ("key", "version", "leika", "status", "activity_groups")} == {
        "key": STAMM,
        "version": 1,
        "leika": LEIKA,
        "status": "fachlich freigegeben (gold)",
        "activity_groups": len(DEFAULT_GROUPS),
    }
    shown = json.loads(pmo_output("registry", "show", STAMM, "--json", env=env))
    groups = {g["element_id"]: g for g in shown["fim"]["activity_groups"]}
    assert groups["sp_formell"]["type_name"] == "Formelle Prüfung"
    assert groups["sp_antrag"]["legal_bases"][0]["name"] == "§ 27 Abs. 1 MuSchG"
    assert shown["fim"]["stammprozess"]["lands"] == [
        {"code": "13", "name": "Mecklenburg-Vorpommern"}
    ]
    text = pmo_output("registry", "show", STAMM, env=env)
    assert "Über Antrag entscheiden [Entscheidung]" in text

    pmo_output(
        "registry", "derive", STAMM, "--key", "muschg-stadt", "--department", "Jugendamt", env=env
    )
    newer = _write(
        tmp_path, "stamm-1.3.xml", xprozess_file(version="1.3", groups=DEFAULT_GROUPS[:4])
    )
    assert "Version 2" in pmo_output("registry", "import-fim", newer, env=env)
    listed = json.loads(pmo_output("registry", "list", "--json", env=env))
    assert {p["key"]: p["review_needed"] for p in listed} == {STAMM: False, "muschg-stadt": True}
    assert "Stammprozess neu: prüfen" in pmo_output("registry", "list", env=env)
    diff = json.loads(pmo_output("registry", "stamm-diff", "muschg-stadt", "--json", env=env))
    assert diff["review_needed"] and diff["stamm_version"] == 2
    assert "Prüfung nötig" in pmo_output("registry", "stamm-diff", "muschg-stadt", env=env)
    pmo_output("registry", "stamm-reviewed", "muschg-stadt", env=env)
    shown = json.loads(pmo_output("registry", "show", "muschg-stadt", "--json", env=env))
    assert shown["fim"]["derived_from"] == {
        "stamm_key": STAMM,
        "aligned_version": 2,
        "stamm_version": 2,
        "review_needed": False,
    }


def test_export_as_xprozess_and_import_elsewhere_keeps_the_model_bytes(tmp_path: Path) -> None:
    here, there = office_env(tmp_path / "hier"), office_env(tmp_path / "dort")
    pmo_output("registry", "import-fim", _write(tmp_path, "s.xml", xprozess_file()), env=here)
    exported = tmp_path / "export.xml"
    pmo_output("registry", "export", STAMM, "--format", "xprozess", "-o", str(exported), env=here)
    answer = json.loads(pmo_output("registry", "import-fim", str(exported), "--json", env=there))
    model = tmp_path / "model.bpmn"
    pmo_output("registry", "export", answer["key"], "-o", str(model), env=there)
    assert model.read_bytes() == fim_bpmn()
    shown_here = json.loads(pmo_output("registry", "show", STAMM, "--json", env=here))
    shown_there = json.loads(pmo_output("registry", "show", answer["key"], "--json", env=there))
    assert shown_there["fim"] == shown_here["fim"]


def test_a_wrong_file_gets_one_line_and_nothing_is_stored(tmp_path: Path) -> None:
    env = office_env(tmp_path)
    bpmn = _write(tmp_path, "modell.bpmn", fim_bpmn())
    result = run_pmo("registry", "import-fim", bpmn, env=env)
    message = result.stderr.decode()
    assert result.returncode == 1 and "Traceback" not in message
    assert message.count("\n") == 1 and "modell.bpmn" in message and "registry add" in message
    xprozess = _write(tmp_path, "stamm.xml", xprozess_file())
    result = run_pmo("registry", "add", xprozess, "--name", "X", "--department", "D", env=env)
    assert result.returncode == 1 and "import-fim" in result.stderr.decode()
    assert "leer" in pmo_output("registry", "list", env=env)


def test_the_shipped_example_imports_with_its_activity_groups(tmp_path: Path) -> None:
    env = office_env(tmp_path)
    example = PROJECT / "bpmn_models" / "fim" / "beispiel-stammprozess.xml"
    answer = json.loads(pmo_output("registry", "import-fim", str(example), "--json", env=env))
    assert answer["leika"] == "99999000000001" and answer["activity_groups"] == 5
    shown = json.loads(pmo_output("registry", "show", answer["key"], "--json", env=env))
    assert shown["fim"]["stammprozess"]["name"].endswith("(synthetisch)")
