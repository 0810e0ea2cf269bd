"""Which log speaks for a process (issue 14, item 6): the reference log and the import checks.

A department's 67-case test upload after the 1,150-case Hundesteuer log replaced it on the
overview and in the report. Built on the generated sample logs (event_logs/, pmo._sample_logs):
the committed Hundesteuer ZIP is the full log, the same generator with a smaller volume the test
upload.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import text

from mining import ImportOptions, ImportResult, LogStore, render_report
from pmo import build_report, model_review
from pmo._sample_logs import ENCODING, FOLDER, render, sample_options, samples
from process_registry import (
    ConflictError,
    Database,
    Registry,
    SettingsError,
    ValidationError,
    load_catalogue_folder,
    office_settings,
)
from process_registry.schema import check_schema, downgrade_schema, upgrade_schema
from tests.cli_office import office_env, pmo_output, run_pmo
from tests.conftest import SAMPLE_MODELS

HUNDESTEUER = "hundesteuer-anmeldung"
SAMPLES = {sample.key: sample for sample in samples()}
FULL_LOG = FOLDER / SAMPLES[HUNDESTEUER].file_name  # 1,150 cases, July to December 2024
TEST_VOLUME = 134  # a year's volume whose six months are the 67 cases of the test upload


@pytest.fixture
def office(database: Database, tmp_path: Path) -> tuple[Registry, LogStore]:
    registry = Registry(database)
    load_catalogue_folder(registry, SAMPLE_MODELS, author="demo")
    return registry, LogStore(database, tmp_path / "daten")


def _generated(folder: Path, key: str, annual_volume: int, name: str | None = None) -> Path:
    """A sample log of ``key`` from the generator, as a department's CSV export."""
    path = folder / (name or f"{key}-{annual_volume}.csv")
    path.write_bytes(render(SAMPLES[key], annual_volume))
    return path


def _import(
    office: tuple[Registry, LogStore], path: Path, process_key: str | None = HUNDESTEUER
) -> ImportResult:
    registry, store = office
    return store.import_file(
        path,
        uploader="fd-steuern",
        options=sample_options(process_key),
        review=model_review(registry),
    )


def _section(registry: Registry, store: LogStore, key: str = HUNDESTEUER) -> dict:
    snapshot = build_report(registry, store, keys=[key], actor="test")
    [section] = snapshot["processes"]
    return section


# -- the 67-case test upload ------------------------------------------------------------------


def test_a_small_test_upload_after_the_full_log_does_not_replace_it_in_the_report(
    office: tuple[Registry, LogStore], tmp_path: Path
) -> None:
    registry, store = office
    full = _import(office, FULL_LOG)
    test = _import(office, _generated(tmp_path, HUNDESTEUER, TEST_VOLUME, "test.csv"))
    assert (full.cases, test.cases) == (1150, 67)
    assert store.list_logs()[0].log_id == test.log_id  # the newest upload

    section = _section(registry, store)
    log = section["log"]
    assert (log["log_id"], log["source_name"], log["cases"]) == (
        full.log_id,
        FULL_LOG.name,
        1150,
    )
    assert section["analysis"]["log"]["cases"] == 1150
    assert log["reason"] == "newest_passing" and log["failed_checks"] == []
    assert f"Übergangen: {test.log_id}: zu wenige Fälle" in log["reason_text"]
    # Every format names the log and why it speaks for the process.
    html = render_report(build_report(registry, store, keys=[HUNDESTEUER], actor="t"), "html")
    assert full.log_id in html.decode() and "Warum dieses Protokoll" in html.decode()


def test_choosing_a_reference_log_sticks_and_is_audited(
    office: tuple[Registry, LogStore], tmp_path: Path
) -> None:
    registry, store = office
    full = _import(office, FULL_LOG)
    test = _import(office, _generated(tmp_path, HUNDESTEUER, TEST_VOLUME))
    revision = registry.get_process(HUNDESTEUER).revision
    registry.set_reference_log(HUNDESTEUER, test.log_id, expected_revision=revision, actor="pm")

    # A newer log that passes every check does not override a choice.
    newer = _import(office, _generated(tmp_path, HUNDESTEUER, 2400))
    assert newer.checks == ()
    reference = registry.reference_log(HUNDESTEUER)
    assert (reference.log_id, reference.reason) == (test.log_id, "chosen")
    assert reference.failed_checks == ("small",)
    assert registry.reference_logs()[HUNDESTEUER].log_id == test.log_id
    assert _section(registry, store)["log"]["log_id"] == test.log_id
    [entry] = [e for e in registry.audit_trail(HUNDESTEUER) if e.action == "process.reference_log"]
    assert (entry.actor, entry.details) == ("pm", {"from": None, "to": test.log_id})

    # Stale revision: refused, nothing changes; a log of another process is refused by name.
    with pytest.raises(ConflictError, match="inzwischen von pm geändert"):
        registry.set_reference_log(HUNDESTEUER, full.log_id, expected_revision=revision, actor="x")
    record = registry.get_process(HUNDESTEUER)
    assert record.reference_log_id == test.log_id
    with pytest.raises(ValidationError, match="nicht mit dem Prozess „wohngeld“ verknüpft"):
        registry.set_reference_log(
            "wohngeld", full.log_id, expected_revision=registry.get_process("wohngeld").revision,
            actor="pm",
        )  # fmt: skip

    # Back to the default rule: the newest log that passed the checks.
    registry.set_reference_log(HUNDESTEUER, None, expected_revision=record.revision, actor="pm")
    reference = registry.reference_log(HUNDESTEUER)
    assert (reference.log_id, reference.reason) == (newer.log_id, "newest_passing")


def test_deleting_the_reference_log_falls_back_with_the_reason(
    office: tuple[Registry, LogStore], tmp_path: Path
) -> None:
    registry, store = office
    full = _import(office, FULL_LOG)
    test = _import(office, _generated(tmp_path, HUNDESTEUER, TEST_VOLUME))
    revision = registry.get_process(HUNDESTEUER).revision
    registry.set_reference_log(HUNDESTEUER, full.log_id, expected_revision=revision, actor="pm")

    store.delete(full.log_id, actor="dsb", reason="Löschantrag")

    assert registry.get_process(HUNDESTEUER).reference_log_id is None
    reference = registry.reference_log(HUNDESTEUER)
    # Only the test upload is left: it speaks, and says which check it failed.
    assert (reference.log_id, reference.reason, reference.failed_checks) == (
        test.log_id,
        "newest",
        ("small",),
    )
    assert "keines hat alle Importprüfungen bestanden (dieses: zu wenige Fälle)" in (
        reference.reason_text
    )
    assert _section(registry, store)["log"]["reason"] == "newest"
    cleared = registry.audit_trail(HUNDESTEUER)[0]
    assert (cleared.action, cleared.actor) == ("process.reference_log", "dsb")
    assert cleared.details == {
        "from": full.log_id,
        "to": None,
        "reason": "Protokoll gelöscht: Löschantrag",
    }

    store.delete(test.log_id, actor="dsb")
    assert registry.reference_log(HUNDESTEUER).reason == "none"
    assert _section(registry, store)["log"] is None


# -- the import checks ----------------------------------------------------------------------------


@pytest.fixture
def sqlite_office(sqlite_url: str, tmp_path: Path) -> tuple[Registry, LogStore]:
    db = Database(sqlite_url)
    upgrade_schema(db)
    registry = Registry(db)
    load_catalogue_folder(registry, SAMPLE_MODELS, author="demo")
    return registry, LogStore(db, tmp_path / "daten")


def _checks(result: ImportResult) -> list[str]:
    return [check.check for check in result.checks]


def test_the_normal_upload_passes_every_check(sqlite_office: tuple[Registry, LogStore]) -> None:
    full = _import(sqlite_office, FULL_LOG)
    assert full.checks == ()
    assert full.model_overlap is not None
    assert (full.model_overlap.mapped, full.model_overlap.activities) == (9, 10)
    assert full.model_overlap.unmapped == ("Telefonische Rückfrage",)  # the deliberate deviation
    [stored] = sqlite_office[1].list_logs()
    assert stored.checks == ()


def test_a_log_of_another_process_warns_and_says_how_many_activities_map(
    sqlite_office: tuple[Registry, LogStore], tmp_path: Path
) -> None:
    wohngeld = _generated(tmp_path, "wohngeld", 600)  # 200 cases, a new file
    result = _import(sqlite_office, wohngeld, process_key=HUNDESTEUER)
    assert _checks(result) == ["overlap"]
    [check] = result.checks
    own = model_review(sqlite_office[0]).overlap("wohngeld", _activities(wohngeld))
    assert own is not None
    # The fee steps of the shared sub-process are the only Hundesteuer steps in a Wohngeld log.
    assert check.details["mapped"] < check.details["activities"] / 2
    assert check.details["activities"] == own.activities
    assert f"Nur {check.details['mapped']} von {own.activities} Tätigkeiten" in check.message
    assert "„Hundesteuer – Anmeldung eines Hundes“" in check.message
    [stored] = sqlite_office[1].list_logs()
    assert [c["check"] for c in stored.checks] == ["overlap"]


def test_a_re_upload_warns_naming_the_earlier_log(
    sqlite_office: tuple[Registry, LogStore], tmp_path: Path
) -> None:
    first = _import(sqlite_office, FULL_LOG)
    copy = tmp_path / "anders-benannt.zip"  # the same bytes under another name
    copy.write_bytes(FULL_LOG.read_bytes())
    again = _import(sqlite_office, copy)
    assert _checks(again) == ["duplicate"]
    assert again.checks[0].details == {"same_as": [first.log_id]}
    # The first upload stays the reference: the copy adds nothing.
    assert sqlite_office[0].reference_log(HUNDESTEUER).log_id == first.log_id


def test_a_tiny_log_warns_and_min_cases_comes_from_the_office_settings(
    sqlite_office: tuple[Registry, LogStore], tmp_path: Path
) -> None:
    registry, store = sqlite_office
    tiny = _import(sqlite_office, _generated(tmp_path, HUNDESTEUER, TEST_VOLUME))
    assert _checks(tiny) == ["small"]
    assert tiny.checks[0].details == {"cases": 67, "min_cases": 100}

    (store.data_dir / "arbeitsbereich.toml").write_text("min_cases = 50\n", encoding="utf-8")
    assert office_settings(store.data_dir).min_cases == 50
    other = _import(sqlite_office, _generated(tmp_path, HUNDESTEUER, TEST_VOLUME + 2))
    assert (other.cases, other.checks) == (68, ())

    (store.data_dir / "arbeitsbereich.toml").write_text("min_cases = -1\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="min_cases") as caught:
        office_settings(store.data_dir)
    assert "arbeitsbereich.toml" in str(caught.value)


def _activities(path: Path) -> list[str]:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            data = archive.read(archive.namelist()[0])
    else:
        data = path.read_bytes()
    rows = csv.DictReader(io.StringIO(data.decode(ENCODING)), delimiter=";")
    return list(dict.fromkeys(row["Tätigkeit"] for row in rows))


@pytest.mark.parametrize("key", sorted(SAMPLES))
def test_the_suggestion_picks_the_process_of_each_sample_log(
    sqlite_office: tuple[Registry, LogStore], key: str
) -> None:
    suggestion = model_review(sqlite_office[0]).suggest(
        _activities(FOLDER / SAMPLES[key].file_name)
    )
    assert suggestion is not None and suggestion.process_key == key
    assert suggestion.share >= 0.9


def test_an_unlinked_upload_gets_the_suggestion_and_a_foreign_log_none(
    sqlite_office: tuple[Registry, LogStore], tmp_path: Path
) -> None:
    result = _import(sqlite_office, _generated(tmp_path, "wohngeld", 600), process_key=None)
    assert result.suggestion is not None
    assert result.suggestion.process_key == "wohngeld"
    assert result.to_dict()["suggested_process"]["process"] == "wohngeld"
    # A Dutch permit log shares no step with the city's models: nothing is suggested.
    receipt = sqlite_office[1].import_file(
        FOLDER / "08_receipt.xes.gz",
        uploader="t",
        options=ImportOptions(),
        review=model_review(sqlite_office[0]),
    )
    assert receipt.suggestion is None and receipt.checks == ()
    # A department's suggestion names only the processes it may see.
    wohngeld = _activities(FOLDER / SAMPLES["wohngeld"].file_name)
    assert model_review(sqlite_office[0], keys=[HUNDESTEUER]).suggest(wohngeld) is None
    seen = model_review(sqlite_office[0], keys=[HUNDESTEUER, "wohngeld"]).suggest(wohngeld)
    assert seen is not None and seen.process_key == "wohngeld"


# -- migration 0006 -------------------------------------------------------------------------------


def test_migration_0006_back_fills_the_checks_and_goes_down_and_up(
    office: tuple[Registry, LogStore], tmp_path: Path
) -> None:
    registry, store = office
    full = _import(office, FULL_LOG)
    test = _import(office, _generated(tmp_path, HUNDESTEUER, TEST_VOLUME))
    copy = tmp_path / "kopie.zip"
    copy.write_bytes(FULL_LOG.read_bytes())
    again = _import(office, copy)
    revision = registry.get_process(HUNDESTEUER).revision
    registry.set_reference_log(HUNDESTEUER, test.log_id, expected_revision=revision, actor="pm")
    database = registry.db

    downgrade_schema(database, "0005")
    with database.engine.connect() as conn:
        columns = conn.execute(text("SELECT * FROM event_log")).keys()
    assert "checks" not in columns
    upgrade_schema(database)
    check_schema(database)

    # Logs imported before 0006 get the size and re-upload warnings; the choice is gone.
    checks = {log.log_id: [c["check"] for c in log.checks] for log in store.list_logs()}
    assert checks == {full.log_id: [], test.log_id: ["small"], again.log_id: ["duplicate"]}
    assert [c["same_as"] for c in store.get(again.log_id).checks] == [[full.log_id]]
    reference = registry.reference_log(HUNDESTEUER)
    assert (reference.log_id, reference.reason) == (full.log_id, "newest_passing")


# -- the command line ---------------------------------------------------------------------------


def test_the_cli_warns_marks_the_reference_and_lets_it_be_chosen(tmp_path: Path) -> None:
    env = office_env(tmp_path)
    pmo_output("demo", "--no-logs", env=env)
    mapping = ("--case", "Vorgangsnummer", "--activity", "Tätigkeit", "--timestamp", "Ende")

    def imported(path: Path, *options: str) -> dict:
        return json.loads(
            pmo_output("log", "import", str(path), *mapping, *options, "--json", env=env)
        )

    full = imported(FULL_LOG, "--process", HUNDESTEUER)
    assert full["checks"] == [] and full["model_overlap"]["mapped"] == 9
    small_csv = _generated(tmp_path, HUNDESTEUER, TEST_VOLUME)
    small = imported(small_csv, "--process", HUNDESTEUER)
    assert [c["check"] for c in small["checks"]] == ["small"]
    unlinked = imported(small_csv)
    assert [c["check"] for c in unlinked["checks"]] == ["duplicate", "small"]
    assert unlinked["suggested_process"]["process"] == HUNDESTEUER
    text_out = pmo_output("log", "import", str(small_csv), *mapping, env=env)
    assert "Vorschlag: 9 von 9 Tätigkeiten (100 %)" in text_out
    assert "(--process hundesteuer-anmeldung)" in text_out

    listed = {e["log_id"]: e for e in json.loads(pmo_output("log", "list", "--json", env=env))}
    assert [i for i, e in listed.items() if e["reference"]] == [full["log_id"]]
    assert listed[full["log_id"]]["reference_reason"] == "newest_passing"
    assert [c["check"] for c in listed[small["log_id"]]["checks"]] == ["small"]

    answer = json.loads(
        pmo_output(
            "registry", "edit", HUNDESTEUER, "--reference-log", small["log_id"], "--json", env=env
        )
    )
    assert answer["changed"] == {"reference_log": [None, small["log_id"]]}
    shown = json.loads(pmo_output("registry", "show", HUNDESTEUER, "--json", env=env))
    assert shown["reference_log"]["log_id"] == small["log_id"]
    assert shown["reference_log"]["reason"] == "chosen"
    history = pmo_output("registry", "history", HUNDESTEUER, env=env)
    assert f"wählte das Referenzprotokoll „{small['log_id']}“" in history

    refused = run_pmo("registry", "edit", "wohngeld", "--reference-log", small["log_id"], env=env)
    assert refused.returncode == 1
    assert "nicht mit dem Prozess „wohngeld“ verknüpft" in refused.stderr.decode()
    pmo_output("registry", "edit", HUNDESTEUER, "--reference-log", "auto", env=env)
    shown = json.loads(pmo_output("registry", "show", HUNDESTEUER, "--json", env=env))
    assert (shown["reference_log"]["log_id"], shown["reference_log"]["reason"]) == (
        full["log_id"],
        "newest_passing",
    )


def test_old_snapshots_without_a_reason_still_render(
    sqlite_office: tuple[Registry, LogStore],
) -> None:
    registry, store = sqlite_office
    _import(sqlite_office, FULL_LOG)
    snapshot = build_report(registry, store, keys=[HUNDESTEUER], actor="t")
    for key in ("reason", "reason_text", "failed_checks"):
        del snapshot["processes"][0]["log"][key]
    html = render_report(snapshot, "html").decode()
    assert FULL_LOG.name in html and "Warum dieses Protokoll" not in html
