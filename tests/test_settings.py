"""One set of office settings for the command line, the workspace and the reports.

The office settings file (page Einstellungen) holds the minimum group size and whether waits are
counted in working time; ``pmo analyze``, ``pmo report`` and the report builder read it as the
workspace does, and an explicit option still wins. Calendar-day filters mean the same days in
the command line and in reports, up to the last day a date can name.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from mining.ingest.store import LogStore
from pmo import ReportFilters, build_report
from process_registry import Database, Registry, SettingsError, office_settings
from process_registry.clock import local_day_window
from process_registry.settings import (
    DEFAULT_MIN_GROUP_SIZE,
    DEFAULT_RETENTION_DAYS,
    retention_days,
    save_office_settings,
)
from tests.cli_office import office_env, pmo_output, run_pmo

PROCESS = "sondernutzungserlaubnis"
# Three teams: one of eight people, two of six. The office's minimum of 7 merges the two small
# ones (together twelve people), the shipped 5 shows all three.
BIG_TEAM, SMALL_TEAM, OTHER_SMALL_TEAM = "Team Annahme", "Team Prüfung Nord", "Team Prüfung Süd"
FRIDAYS = [dt.date(2024, 1, 12) + dt.timedelta(weeks=n) for n in range(6)]
CASES_PER_FRIDAY = 4
# A case arrives on Friday at 15:00 and is checked on Monday at 09:00: 66 hours on the clock,
# two of them in office hours (Fri 15–16, Mon 8–9).
WEEKEND_WAIT_CLOCK = 66 * 3600
WEEKEND_WAIT_WORKING = 2 * 3600


@dataclass(frozen=True)
class Office:
    folder: Path
    data: Path
    env: dict[str, str]
    log_id: str
    case_days: dict[str, tuple[dt.date, dt.date]]  # case → (first day, last day), Berlin


def _write_log(path: Path) -> dict[str, tuple[dt.date, dt.date]]:
    rows = ["Vorgang;Tätigkeit;Zeitpunkt;Bearbeiter;Team"]
    days = {}
    number = 0
    for friday in FRIDAYS:
        monday = friday + dt.timedelta(days=3)
        for _ in range(CASES_PER_FRIDAY):
            case = f"SN-{number:03d}"
            big = f"Annahme {number % 8}"
            team = (SMALL_TEAM, OTHER_SMALL_TEAM)[number % 2]
            small = f"{team} {number // 2 % 6}"
            rows += [
                f"{case};Antrag eingegangen;{friday:%d.%m.%Y} 15:00;{big};{BIG_TEAM}",
                f"{case};Antrag prüfen;{monday:%d.%m.%Y} 09:00;{small};{team}",
                f"{case};Erlaubnis versenden;{monday:%d.%m.%Y} 11:00;{big};{BIG_TEAM}",
            ]
            days[case] = (friday, monday)
            number += 1
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return days


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    folder = tmp_path_factory.mktemp("settings")
    env = office_env(folder)
    env.pop("PMO_RETENTION_DAYS", None)
    pmo_output("demo", "--no-logs", env=env)
    log = folder / "sondernutzung.csv"
    case_days = _write_log(log)
    imported = json.loads(
        pmo_output(
            "log",
            "import",
            str(log),
            "--process",
            PROCESS,
            "--case",
            "Vorgang",
            "--activity",
            "Tätigkeit",
            "--timestamp",
            "Zeitpunkt",
            "--resource",
            "Bearbeiter",
            "--org-unit",
            "Team",
            "--json",
            env=env,
        )
    )
    return Office(folder, Path(env["PMO_DATA_DIR"]), env, imported["log_id"], case_days)


@pytest.fixture
def strict_office(office: Office) -> Iterator[Office]:
    """The office with a settings file: minimum group size 7, waits in working time."""
    path = office.data / "arbeitsbereich.toml"
    path.write_text("min_group_size = 7\nworking_time = true\n", encoding="utf-8")
    try:
        yield office
    finally:
        path.unlink()


def _analyze(office: Office, *options: str) -> dict:
    return json.loads(pmo_output("analyze", office.log_id, "--json", *options, env=office.env))


def _weekend_wait(result: dict) -> float:
    edge = next(
        row
        for row in result["bottlenecks"]
        if (row["source"], row["target"]) == ("Antrag eingegangen", "Antrag prüfen")
    )
    return edge["mean_wait_s"]


def _shown_units(result: dict) -> set[str]:
    return {row["group"] for row in result["org_units"]}


def test_pmo_analyze_counts_with_the_office_settings(strict_office: Office) -> None:
    result = _analyze(strict_office)
    assert result["org_unit_groups"]["min_group_size"] == 7
    assert BIG_TEAM in _shown_units(result)
    assert not {SMALL_TEAM, OTHER_SMALL_TEAM} & _shown_units(result)
    assert result["working_time"] is True
    assert _weekend_wait(result) == WEEKEND_WAIT_WORKING


def test_an_explicit_option_wins_over_the_office_settings(strict_office: Office) -> None:
    result = _analyze(strict_office, "--min-group-size", "5", "--clock-time")
    assert result["org_unit_groups"]["min_group_size"] == 5
    assert {BIG_TEAM, SMALL_TEAM, OTHER_SMALL_TEAM} <= _shown_units(result)
    assert result["working_time"] is False
    assert _weekend_wait(result) == WEEKEND_WAIT_CLOCK


def test_without_a_settings_file_the_shipped_defaults_apply(office: Office) -> None:
    result = _analyze(office)
    assert result["org_unit_groups"]["min_group_size"] == DEFAULT_MIN_GROUP_SIZE
    assert result["working_time"] is False
    assert _weekend_wait(result) == WEEKEND_WAIT_CLOCK
    assert _weekend_wait(_analyze(office, "--working-time")) == WEEKEND_WAIT_WORKING


def test_a_broken_settings_file_stops_the_command_naming_the_file(office: Office) -> None:
    path = office.data / "arbeitsbereich.toml"
    path.write_text("min_group_size = 1\n", encoding="utf-8")
    try:
        result = run_pmo("analyze", office.log_id, "--json", env=office.env)
        # Both options given: the file still names the Land whose holidays end a deadline, so
        # a broken one is not passed over in silence.
        explicit = run_pmo(
            "analyze", office.log_id, "--min-group-size", "5", "--clock-time", env=office.env
        )
    finally:
        path.unlink()
    for refused in (result, explicit):
        assert refused.returncode == 1
        message = refused.stderr.decode()
        assert "Traceback" not in message
        assert "arbeitsbereich.toml" in message and "mindestens 2 Personen" in message


def _stores(office: Office) -> tuple[Registry, LogStore]:
    db = Database(office.env["PMO_DATABASE_URL"])
    return Registry(db), LogStore(db, office.data)


def test_the_report_builder_counts_with_the_office_settings(strict_office: Office) -> None:
    registry, store = _stores(strict_office)
    try:
        snapshot = build_report(registry, store, keys=[PROCESS], actor="test")
    finally:
        store.db.dispose()
    assert snapshot["assumptions"]["general.min_group_size"] == 7
    assert snapshot["assumptions"]["general.working_time"] is True
    (section,) = snapshot["processes"]
    analysis = section["analysis"]
    assert analysis["org_unit_groups"]["min_group_size"] == 7
    assert {row["group"] for row in analysis["org_units"]} == _shown_units(_analyze(strict_office))
    assert _weekend_wait(analysis) == WEEKEND_WAIT_WORKING


def test_pmo_report_uses_the_office_settings_unless_told_otherwise(strict_office: Office) -> None:
    def assumptions(*options: str) -> dict:
        target = strict_office.folder / "bericht.json"
        options = ("--process", PROCESS, "--format", "json", "-o", str(target), *options)
        pmo_output("report", *options, env=strict_office.env)
        return json.loads(target.read_text(encoding="utf-8"))["assumptions"]

    office_made = assumptions()
    assert (office_made["general.min_group_size"], office_made["general.working_time"]) == (7, True)
    explicit = assumptions("--min-group-size", "6", "--clock-time")
    assert (explicit["general.min_group_size"], explicit["general.working_time"]) == (6, False)


def test_office_hours_and_days_saved_by_the_page_count_in_command_and_report(
    office: Office,
) -> None:
    # What the page Einstellungen calls: Monday to Thursday only, so Friday 15:00 lies outside
    # working time and the weekend wait is Monday 8–9 alone.
    save_office_settings(5, True, folder=office.data, working_days=["Mo", "Di", "Mi", "Do"])
    registry, store = _stores(office)
    try:
        cli = _analyze(office)
        snapshot = build_report(registry, store, keys=[PROCESS], actor="test")
    finally:
        store.db.dispose()
        (office.data / "arbeitsbereich.toml").unlink()
    assert _weekend_wait(cli) == 3600
    assert _weekend_wait(snapshot["processes"][0]["analysis"]) == 3600


def _expected_cases(office: Office, first: dt.date | None, last: dt.date | None) -> int:
    """Cases with an event on a day from ``first`` to ``last`` (each case's events all lie on
    its first and last day)."""
    return sum(
        1
        for start, end in office.case_days.values()
        if (first is None or end >= first) and (last is None or start <= last)
    )


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (None, dt.date.max),  # the last day a date can name
        (dt.date.min, dt.date.max),
        (dt.date(2024, 1, 22), None),  # a Monday: the cases of the Friday before reach into it
        (None, dt.date(2024, 1, 19)),  # a Friday: its cases started on it
        (dt.date(2024, 1, 20), dt.date(2024, 1, 21)),  # a weekend: every case waits through it
        (dt.date(2024, 2, 20), None),  # after the last event
    ],
)
def test_calendar_days_select_the_same_cases_in_command_and_report(
    office: Office, first: dt.date | None, last: dt.date | None
) -> None:
    expected = _expected_cases(office, first, last)
    options = [*(["--from", first.isoformat()] if first else [])]
    options += ["--to", last.isoformat()] if last else []
    if expected:
        assert _analyze(office, *options)["log"]["cases"] == expected
    else:
        refused = run_pmo("analyze", office.log_id, *options, env=office.env)
        assert refused.returncode == 1 and "keine Fälle" in refused.stderr.decode()
    registry, store = _stores(office)
    try:
        snapshot = build_report(
            registry,
            store,
            keys=[PROCESS],
            filters=ReportFilters(date_from=first, date_to=last),
            actor="test",
        )
    finally:
        store.db.dispose()
    analysis = snapshot["processes"][0]["analysis"]
    assert (analysis["log"]["cases"] if analysis else 0) == expected


def test_a_local_day_is_the_berlin_day_with_its_clock_change() -> None:
    start, end = local_day_window(dt.date(2024, 3, 31), dt.date(2024, 3, 31))
    assert start.astimezone(dt.UTC) == dt.datetime(2024, 3, 30, 23, 0, tzinfo=dt.UTC)
    # The clocks went forward that night (same-zone subtraction in Python ignores that).
    assert end.astimezone(dt.UTC) - start.astimezone(dt.UTC) == dt.timedelta(hours=23)
    _, last = local_day_window(None, dt.date.max)
    assert last == dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.UTC)  # Berlin's midnight, in UTC


# -- the settings file itself --------------------------------------------------------------------


def test_no_file_means_the_shipped_settings(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("PMO_RETENTION_DAYS", raising=False)
    settings = office_settings(tmp_path)
    assert (settings.min_group_size, settings.working_time) == (DEFAULT_MIN_GROUP_SIZE, False)
    assert settings.retention_days == DEFAULT_RETENTION_DAYS
    assert (settings.timezone, settings.holiday_calendar) == ("Europe/Berlin", "NI")
    assert settings.data_age_warning_days == 180


def test_the_data_age_warning_comes_from_the_file(tmp_path: Path) -> None:
    (tmp_path / "arbeitsbereich.toml").write_text("data_age_warning_days = 90\n", encoding="utf-8")
    assert office_settings(tmp_path).data_age_warning_days == 90


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("min_group_size = \n", "kein gültiges TOML"),
        ("min_group_size = 1\n", "mindestens 2 Personen"),
        ("min_group_size = 4.5\n", "keine ganze Zahl"),
        ('working_time = "ja"\n', "Arbeitszeitkalender"),
        ("min_groupsize = 7\n", "unbekannte Einstellung „min_groupsize“"),
        ("retention_days = -1\n", "nicht negativ"),
        ("data_age_warning_days = 0\n", "ganze Zahl ab 1"),
        ('data_age_warning_days = "halbes Jahr"\n', "Warnung bei alten Daten"),
    ],
)
def test_a_broken_file_is_refused_naming_it(
    tmp_path: Path, monkeypatch, text: str, fragment: str
) -> None:
    monkeypatch.delenv("PMO_RETENTION_DAYS", raising=False)
    (tmp_path / "arbeitsbereich.toml").write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        office_settings(tmp_path)
    assert str(tmp_path / "arbeitsbereich.toml") in str(caught.value)
    assert fragment in caught.value.reason


def test_retention_comes_from_the_variable_then_the_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("PMO_RETENTION_DAYS", raising=False)
    (tmp_path / "arbeitsbereich.toml").write_text("retention_days = 30\n", encoding="utf-8")
    assert retention_days(tmp_path) == office_settings(tmp_path).retention_days == 30
    monkeypatch.setenv("PMO_RETENTION_DAYS", "0")
    assert retention_days(tmp_path) == office_settings(tmp_path).retention_days == 0
    monkeypatch.setenv("PMO_RETENTION_DAYS", "dreißig")
    with pytest.raises(SettingsError, match="PMO_RETENTION_DAYS muss eine ganze Zahl sein"):
        retention_days(tmp_path)


def test_an_import_is_kept_as_long_as_the_settings_file_says(office: Office, monkeypatch) -> None:
    monkeypatch.delenv("PMO_RETENTION_DAYS", raising=False)
    path = office.data / "arbeitsbereich.toml"
    path.write_text("retention_days = 30\n", encoding="utf-8")
    try:
        imported = json.loads(
            pmo_output(
                "log", "import", str(office.folder / "sondernutzung.csv"), "--json", env=office.env
            )
        )
        listed = json.loads(pmo_output("log", "list", "--json", env=office.env))
    finally:
        path.unlink()
    pmo_output("log", "delete", imported["log_id"], env=office.env)
    entry = next(row for row in listed if row["log_id"] == imported["log_id"])
    uploaded = dt.date.fromisoformat(entry["uploaded_at"][:10])
    assert dt.date.fromisoformat(entry["delete_after"]) == uploaded + dt.timedelta(days=30)


def test_saving_from_the_page_keeps_what_an_administrator_wrote(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.delenv("PMO_RETENTION_DAYS", raising=False)
    path = tmp_path / "arbeitsbereich.toml"
    path.write_text("retention_days = 90\nmin_group_size = 6\n", encoding="utf-8")
    saved = save_office_settings(8, True, folder=tmp_path, actor="Frau Test\nmin_group_size = 2")
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {
        "retention_days": 90,
        "min_group_size": 8,
        "working_time": True,
    }
    assert (saved.min_group_size, saved.working_time) == (8, True)
    with pytest.raises(SettingsError, match="mindestens 2 Personen"):
        save_office_settings(1, False, folder=tmp_path)
    assert office_settings(tmp_path).min_group_size == 8


def test_land_hours_and_days_round_trip_through_the_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("PMO_RETENTION_DAYS", raising=False)
    (tmp_path / "arbeitsbereich.toml").write_text("min_cases = 50\n", encoding="utf-8")
    saved = save_office_settings(
        6,
        True,
        folder=tmp_path,
        retention_days=90,
        holiday_calendar="BY",
        office_start=dt.time(7, 30),
        office_end="15:45",
        working_days=[4, 0, 1],
    )
    assert saved == office_settings(tmp_path)
    assert (saved.holiday_calendar, saved.retention_days, saved.min_cases) == ("BY", 90, 50)
    assert (saved.office_start, saved.office_end) == (dt.time(7, 30), dt.time(15, 45))
    assert saved.working_days == (0, 1, 4)
    assert retention_days(tmp_path) == 90  # what the import reads
    text = (tmp_path / "arbeitsbereich.toml").read_text(encoding="utf-8")
    assert 'working_days = ["Mo", "Di", "Fr"]' in text and 'office_start = "07:30"' in text
    # Saving the two old fields again keeps the rest.
    assert save_office_settings(6, False, folder=tmp_path).holiday_calendar == "BY"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('holiday_calendar = "Bayern"\n', "„Bayern“ ist kein Land"),
        ('office_start = "8 Uhr"\n', "keine Uhrzeit im Format HH:MM"),
        ('office_start = "17:00"\n', "muss nach dem Beginn"),
        ('working_days = ["Mo", "Sonntag"]\n', "„Sonntag“ ist kein Wochentag"),
        ("working_days = []\n", "mindestens ein Wochentag"),
    ],
)
def test_a_broken_calendar_in_the_file_is_refused_naming_it(
    tmp_path: Path, text: str, fragment: str
) -> None:
    path = tmp_path / "arbeitsbereich.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as raised:
        office_settings(tmp_path)
    assert str(path) in str(raised.value) and fragment in str(raised.value)
    with pytest.raises(SettingsError):
        save_office_settings(5, False, folder=tmp_path)  # not overwritten with what it lost
    assert path.read_text(encoding="utf-8") == text


def test_a_toml_local_time_is_read_as_office_hours(tmp_path: Path) -> None:
    (tmp_path / "arbeitsbereich.toml").write_text("office_end = 15:00:00\n", encoding="utf-8")
    assert office_settings(tmp_path).office_end == dt.time(15, 0)
