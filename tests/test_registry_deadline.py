"""Where a process's legal deadline starts and stops, in the registry and through `pmo registry`:
`registry add` takes both, `registry edit` changes every catalogue field the workspace edits, with
the workspace's conflict check, and the catalogue import carries them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pmo.cli._registry_edit import EDIT_OPTIONS
from process_registry import CATALOGUE_FIELDS, Registry, ValidationError, load_catalogue_folder
from tests.conftest import SAMPLE_MODELS
from tests.test_cli import A1, _assert_clean_error, as_json, pmo

START = "Unterlagen vollständig"
STOP = "Bescheid zustellen"


def _add(registry: Registry, **catalogue: object) -> str:
    registry.add_process(
        A1.read_bytes(), key="bau", name="Baugenehmigung", department="FD 63", author="a",
        **catalogue,
    )  # fmt: skip
    return "bau"


# -- the registry ---------------------------------------------------------------------------------


def test_the_clock_activities_are_stored_edited_and_audited(registry: Registry) -> None:
    key = _add(registry, legal_deadline_days=90, deadline_starts_with=f"  {START} ")
    record = registry.get_process(key)
    assert (record.deadline_starts_with, record.deadline_ends_with) == (START, None)
    registry.update_process(
        key, {"deadline_ends_with": STOP}, expected_revision=record.revision, actor="pm.mueller"
    )
    assert registry.get_process(key).deadline_ends_with == STOP
    entry = registry.audit_trail(key)[0]
    assert (entry.actor, entry.action) == ("pm.mueller", "process.update")
    assert entry.details["changes"] == {"deadline_ends_with": [None, STOP]}


@pytest.mark.parametrize(
    ("catalogue", "reason"),
    [
        ({"deadline_starts_with": START, "deadline_ends_with": START}, "nicht derselbe Schritt"),
        ({"deadline_starts_with": "x" * 301}, "länger als 300 Zeichen"),
        ({"deadline_ends_with": 7}, "Name eines Schritts"),
    ],
)
def test_impossible_clock_activities_are_refused(
    registry: Registry, catalogue: dict, reason: str
) -> None:
    with pytest.raises(ValidationError, match=reason):
        _add(registry, **catalogue)
    assert registry.list_processes() == []


def test_an_edit_that_makes_start_and_stop_the_same_step_is_refused(registry: Registry) -> None:
    key = _add(registry, deadline_starts_with=START)
    revision = registry.get_process(key).revision
    with pytest.raises(ValidationError, match="nicht derselbe Schritt"):
        registry.update_process(
            key, {"deadline_ends_with": START}, expected_revision=revision, actor="x"
        )
    assert registry.get_process(key).deadline_ends_with is None


def test_the_building_permit_sample_starts_its_clock_with_the_complete_application(
    registry: Registry,
) -> None:
    load_catalogue_folder(registry, SAMPLE_MODELS, author="demo")
    record = registry.get_process("baugenehmigung")
    assert record.deadline_starts_with == "Eingang des vollständigen Bauantrags bestätigen"
    assert record.deadline_ends_with is None


def test_a_catalogue_entry_with_the_same_start_and_stop_adds_nothing(
    registry: Registry, tmp_path: Path
) -> None:
    entries = json.loads((SAMPLE_MODELS / "catalogue.json").read_text(encoding="utf-8"))
    entries[-1].update(deadline_starts_with=START, deadline_ends_with=START)
    (tmp_path / "catalogue.json").write_text(json.dumps(entries), encoding="utf-8")
    for entry in entries:
        (tmp_path / entry["file"]).write_bytes((SAMPLE_MODELS / entry["file"]).read_bytes())
    with pytest.raises(ValidationError, match=f"Eintrag „{entries[-1]['key']}“"):
        load_catalogue_folder(registry, tmp_path, author="demo")
    assert registry.list_processes() == []


# -- the command line -----------------------------------------------------------------------------


def test_registry_edit_has_an_option_for_every_catalogue_field() -> None:
    assert sorted(field for _, field, _, _ in EDIT_OPTIONS) == sorted(CATALOGUE_FIELDS)


def test_add_takes_the_clock_activities_and_show_reports_them(db_url: str) -> None:
    pmo(
        "registry", "add", str(A1), "--name", "Bau", "--department", "FD 63", "--key", "bau",
        "--deadline-days", "90", "--deadline-starts-with", START, "--deadline-ends-with", STOP,
        db=db_url,
    )  # fmt: skip
    shown = as_json(pmo("registry", "show", "bau", "--json", db=db_url))
    assert (shown["deadline_starts_with"], shown["deadline_ends_with"]) == (START, STOP)
    text = pmo("registry", "show", "bau", db=db_url).stdout.decode()
    assert f"Frist beginnt mit:        {START}" in text


def test_edit_changes_every_field_the_workspace_edits(db_url: str) -> None:
    pmo("registry", "add", str(A1), "--name", "Bau", "--department", "FD 63", "--key", "bau",
        db=db_url)  # fmt: skip
    revision = as_json(pmo("registry", "show", "bau", "--json", db=db_url))["revision"]
    answer = as_json(
        pmo(
            "registry", "edit", "bau", "--revision", str(revision), "--json",
            "--name", "Baugenehmigung", "--department", "Fachdienst Bauordnung",
            "--owner", "Frau Bau", "--leika", "99 1060 05 0010 00", "--status", "in Bearbeitung",
            "--ozg-service", "Baugenehmigung", "--ozg-level", "3", "--ozg-scale", "1.1",
            "--legal-basis", "§ 68 BauO", "--volume", "1150", "--deadline-days", "90",
            "--deadline-starts-with", START, "--deadline-ends-with", STOP,
            "--valid-from", "2025-01-01", "--valid-until", "2026-12-31",
            "--resubmission-date", "2026-06-30", "--tag", "Bauen", "--tag", "Frist",
            "--description", "Vereinfachtes Verfahren",
            db=db_url,
        )
    )  # fmt: skip
    assert answer["key"] == "bau" and answer["revision"] == revision + 1
    assert set(answer["changed"]) == set(CATALOGUE_FIELDS)
    shown = as_json(pmo("registry", "show", "bau", "--json", db=db_url))
    assert {name: shown[name] for name in CATALOGUE_FIELDS} == {
        "name": "Baugenehmigung",
        "department": "Fachdienst Bauordnung",
        "owner": "Frau Bau",
        "leika_key": "99106005001000",
        "ozg_service": "Baugenehmigung",
        "ozg_maturity_level": 3,
        "ozg_maturity_scale": "1.1",
        "legal_basis": "§ 68 BauO",
        "annual_case_volume": 1150,
        "legal_deadline_days": 90,
        "deadline_starts_with": START,
        "deadline_ends_with": STOP,
        "status": "in Bearbeitung",
        "valid_from": "2025-01-01",
        "valid_until": "2026-12-31",
        "resubmission_date": "2026-06-30",
        "tags": ["Bauen", "Frist"],
        "description": "Vereinfachtes Verfahren",
    }
    history = as_json(pmo("registry", "history", "bau", "--json", db=db_url))
    assert (history[0]["actor"], history[0]["action"]) == ("test-user", "process.update")
    assert history[0]["details"]["changes"]["deadline_starts_with"] == [None, START]


def test_a_stale_revision_is_a_conflict_and_changes_nothing(db_url: str) -> None:
    pmo("registry", "add", str(A1), "--name", "Bau", "--department", "FD 63", "--key", "bau",
        "--deadline-starts-with", START, db=db_url)  # fmt: skip
    read = as_json(pmo("registry", "show", "bau", "--json", db=db_url))["revision"]
    pmo("registry", "edit", "bau", "--revision", str(read), "--owner", "Kollegin", db=db_url)
    stale = pmo(
        "registry", "edit", "bau", "--revision", str(read), "--deadline-starts-with",
        "Nachreichung erfassen", "--owner", "Ich", db=db_url, expect=1,
    )  # fmt: skip
    _assert_clean_error(
        stale, "inzwischen von test-user geändert", f"Ihre Bearbeitung beruht auf Stand {read}"
    )
    shown = as_json(pmo("registry", "show", "bau", "--json", db=db_url))
    assert (shown["owner"], shown["deadline_starts_with"]) == ("Kollegin", START)
    assert shown["revision"] == read + 1
    actions = [e["action"] for e in as_json(pmo("registry", "history", "bau", "--json", db=db_url))]
    assert actions == ["process.update", "process.create"]


def test_clear_empties_a_field_and_an_empty_value_is_refused(db_url: str) -> None:
    pmo("registry", "add", str(A1), "--name", "Bau", "--department", "FD 63", "--key", "bau",
        "--deadline-starts-with", START, "--deadline-ends-with", STOP, "--tag", "Bauen",
        db=db_url)  # fmt: skip
    empty = pmo("registry", "edit", "bau", "--deadline-ends-with", "", db=db_url, expect=2)
    assert "--clear deadline-ends-with" in empty.stderr.decode()
    both = pmo("registry", "edit", "bau", "--owner", "X", "--clear", "owner", db=db_url, expect=2)
    assert "widersprechen sich" in both.stderr.decode()
    assert pmo("registry", "edit", "bau", db=db_url, expect=2).stderr
    answer = as_json(
        pmo("registry", "edit", "bau", "--clear", "deadline-ends-with", "--clear", "tag",
            "--json", db=db_url)
    )  # fmt: skip
    assert answer["changed"] == {"deadline_ends_with": [STOP, None], "tags": [["Bauen"], []]}
    shown = as_json(pmo("registry", "show", "bau", "--json", db=db_url))
    assert (shown["deadline_starts_with"], shown["deadline_ends_with"]) == (START, None)
    assert shown["tags"] == []
    same = pmo("registry", "edit", "bau", "--deadline-starts-with", START, db=db_url)
    assert "keine Änderung" in same.stdout.decode()


def test_edit_refuses_bad_values_with_one_line(db_url: str) -> None:
    pmo("registry", "add", str(A1), "--name", "Bau", "--department", "FD 63", "--key", "bau",
        "--deadline-starts-with", START, db=db_url)  # fmt: skip
    same = pmo("registry", "edit", "bau", "--deadline-ends-with", START, db=db_url, expect=1)
    _assert_clean_error(same, "nicht derselbe Schritt")
    date = pmo("registry", "edit", "bau", "--valid-from", "31.12.2025", db=db_url, expect=1)
    _assert_clean_error(date, "kein Datum im Format JJJJ-MM-TT")
    missing = pmo("registry", "edit", "nichts", "--owner", "X", db=db_url, expect=1)
    _assert_clean_error(missing, "Kein Prozess mit dem Schlüssel „nichts“")


def test_analyze_says_where_the_clock_ran_in_text_and_json(db_url: str, tmp_path: Path) -> None:
    pmo("registry", "add", str(A1), "--name", "Bau", "--department", "FD 63", "--key", "bau",
        "--deadline-days", "10", "--deadline-starts-with", START, "--deadline-ends-with", STOP,
        db=db_url)  # fmt: skip
    log = tmp_path / "bau.csv"
    log.write_text(
        "Fall;Tätigkeit;Zeitpunkt\n"
        f"1;Antrag;02.09.2024 09:00\n1;{START};09.09.2024 10:00\n1;{STOP};16.09.2024 10:00\n"
        f"2;Antrag;02.09.2024 09:00\n2;{STOP};30.09.2024 10:00\n"
        f"3;Antrag;02.09.2024 09:00\n3;{START};03.09.2024 10:00\n3;Vermerk;01.10.2024 10:00\n",
        encoding="utf-8",
    )
    mapping = ("--case", "Fall", "--activity", "Tätigkeit", "--timestamp", "Zeitpunkt")
    text = pmo("analyze", str(log), *mapping, "--process", "bau", db=db_url).stdout.decode()
    assert "Gesetzliche Frist 10 Tage: 50,0 % von 2 Fällen überschritten (1)" in text
    assert f"Fristbeginn: letztes „{START}“ im Fall; Fristende: erstes „{STOP}“ nach" in text
    assert f"1 Fälle ohne „{START}“: Frist nie begonnen" in text
    assert "1 Fälle ohne Fristende im Protokoll, gemessen bis 01.10.2024: 1 davon" in text
    deadline = as_json(pmo("analyze", str(log), *mapping, "--process", "bau", "--json", db=db_url))[
        "deadline"
    ]
    assert (deadline["starts_with"], deadline["ends_with"]) == (START, STOP)
    assert (deadline["cases"], deadline["not_started"], deadline["running_over"]) == (2, 1, 1)
