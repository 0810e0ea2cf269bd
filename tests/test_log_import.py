"""Importing event logs end to end: counts on real logs, all-or-nothing, privacy, deletion."""

from __future__ import annotations

import datetime as dt
import http.server
import subprocess
import sys
import threading
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from mining.errors import EventLogError, MiningError
from mining.ingest.read import ReadOptions
from mining.ingest.store import ImportOptions, LogNotFoundError, LogStore
from process_registry import Database, ProcessNotFoundError, Registry, clock, upgrade_schema
from tests.conftest import PROJECT, bpmn_file

LOGS = PROJECT / "tests" / "data" / "logs"
SHIPPED = PROJECT / "event_logs"


@pytest.fixture
def store(database: Database, tmp_path: Path) -> LogStore:
    return LogStore(database, tmp_path / "daten")


@pytest.fixture
def sqlite_store(sqlite_url: str, tmp_path: Path) -> LogStore:
    db = Database(sqlite_url)
    upgrade_schema(db)
    return LogStore(db, tmp_path / "daten")


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _stored_files(store: LogStore) -> list[Path]:
    return sorted(store.folder.glob("*.parquet")) + sorted(store.folder.glob(".incoming-*"))


# -- the published figures of the real logs (issue acceptance) -----------------------------------

REAL_LOGS = [
    ("event_logs/08_receipt.xes.gz", {}, (1434, 8577, 27, 116)),
    ("tests/data/logs/receipt.csv", {}, (1434, 8577, 27, 116)),
    ("event_logs/running-example.xes", {}, (6, 42, 8, 6)),
    (
        "event_logs/running-example.csv",
        {"case": "case:concept:name", "activity": "concept:name", "timestamp": "time:timestamp"},
        (6, 42, 8, 6),
    ),
    ("event_logs/roadtraffic100traces.csv", {}, (100, 390, 10, 10)),
    ("tests/data/logs/bpic2012.xes.gz", {}, (13087, 262200, 24, 4366)),
    ("tests/data/logs/Road_Traffic_Fine_Management_Process.xes.zip", {}, (150370, 561470, 11, 231)),
]


@pytest.mark.parametrize(
    ("relative", "columns", "expected"), REAL_LOGS, ids=[r[0] for r in REAL_LOGS]
)
def test_real_logs_import_with_their_published_counts(
    sqlite_store: LogStore, relative: str, columns: dict, expected: tuple
) -> None:
    result = sqlite_store.import_file(
        PROJECT / relative, uploader="t", options=ImportOptions(**columns)
    )
    assert (result.cases, result.events, result.activities, result.variants) == expected
    assert result.rejected_rows == 0
    stored = pq.read_table(sqlite_store.events_path(result.log_id))
    assert stored.num_rows == expected[1]
    # Every event keeps its upload position; the file holds them case by case in pm4py's order.
    assert sorted(stored.column("seq").to_pylist()) == list(range(expected[1]))
    frame = stored.select(["case_id", "timestamp", "seq"]).to_pandas().astype({"case_id": str})
    assert frame.equals(frame.sort_values(["case_id", "timestamp", "seq"], kind="stable"))


def test_receipt_xes_and_csv_hold_the_same_first_and_last_event(sqlite_store: LogStore) -> None:
    xes = sqlite_store.import_file(SHIPPED / "08_receipt.xes.gz", uploader="t")
    csv = sqlite_store.import_file(LOGS / "receipt.csv", uploader="t")
    assert (xes.start, xes.end) == (csv.start, csv.end)
    assert xes.start.replace(microsecond=0) == dt.datetime(2010, 10, 2, 7, 20, 39, tzinfo=dt.UTC)
    assert xes.end.replace(microsecond=0) == dt.datetime(2012, 1, 23, 14, 42, 54, tzinfo=dt.UTC)


# -- German exports -------------------------------------------------------------------------------

GERMAN_CSV = (
    "Vorgangsnummer;Tätigkeit;Zeitpunkt;Bearbeiter;Gebühr\r\n"
    "007;Antrag prüfen;03.02.2024 14:05;Erika Mustermann;1.234,50\r\n"
    "007;Bescheid erstellen;04.02.2024 09:00;Max Müller;0,00\r\n"
    "008;Antrag prüfen;05.03.2024 10:30;Erika Mustermann;12,00\r\n"
)


def test_german_excel_csv_lands_with_day_first_dates(store: LogStore, tmp_path: Path) -> None:
    path = _write(tmp_path, "export.csv", GERMAN_CSV, encoding="cp1252")
    result = store.import_file(path, uploader="t")
    assert (result.detected.encoding, result.detected.separator) == ("cp1252", ";")
    assert (result.mapping.case, result.mapping.activity, result.mapping.timestamp) == (
        "Vorgangsnummer",
        "Tätigkeit",
        "Zeitpunkt",
    )
    table = pq.read_table(store.events_path(result.log_id)).to_pandas()
    assert list(table["case_id"]) == ["007", "007", "008"]
    assert list(table["activity"]) == ["Antrag prüfen", "Bescheid erstellen", "Antrag prüfen"]
    # 03.02.2024 14:05 in Berlin (CET, UTC+1) is 13:05 UTC on 3 February, never 2 March.
    assert table["timestamp"].iloc[0] == dt.datetime(2024, 2, 3, 13, 5, tzinfo=dt.UTC)
    assert "Gebühr" in result.dropped_columns


# -- all or nothing -------------------------------------------------------------------------------


def _assert_nothing_stored(store: LogStore) -> None:
    assert store.list_logs() == []
    assert _stored_files(store) == []
    registry = Registry(store.db)
    assert [e for e in registry.audit_trail() if e.object_type == "event_log"] == []


@pytest.mark.parametrize(
    ("bad_row", "line"),
    [
        ("009;Antrag prüfen;31.02.2024 10:00;X", 3),
        ("009;Antrag prüfen;;X", 3),
        ("009;Antrag prüfen;x;X", 3),
        ("009;Antrag prüfen;03.02.2099 10:00;X", 3),
    ],
)
def test_invalid_timestamp_rejects_the_whole_import(
    store: LogStore, tmp_path: Path, bad_row: str, line: int
) -> None:
    """docs/RELIABILITY.md item 19: never a silent NaT; the line is named and nothing is stored."""
    text = (
        "Vorgangsnummer;Tätigkeit;Zeitpunkt;Bearbeiter\n007;Antrag prüfen;03.02.2024 14:05;X\n"
        + bad_row
        + "\n010;Antrag prüfen;04.02.2024 14:05;X\n"
    )
    path = _write(tmp_path, "export.csv", text)
    with pytest.raises(EventLogError) as raised:
        store.import_file(path, uploader="t")
    assert raised.value.line == line
    assert f"export.csv, Zeile {line}" in str(raised.value)
    _assert_nothing_stored(store)


def test_malformed_csv_row_rejects_the_whole_import(store: LogStore, tmp_path: Path) -> None:
    """docs/RELIABILITY.md item 21: an extra field is named by line; no partial import."""
    text = "Fall;Aktivität;Zeitpunkt\n1;A;03.02.2024 10:00\n2;B;03.02.2024 11:00;zuviel\n"
    with pytest.raises(EventLogError, match="Zeile 3"):
        store.import_file(_write(tmp_path, "export.csv", text), uploader="t")
    _assert_nothing_stored(store)


def test_rows_without_case_or_activity_are_counted_and_listed(
    store: LogStore, tmp_path: Path
) -> None:
    """docs/RELIABILITY.md item 22: "3 Zeilen verworfen", with their lines, not a silent warning."""
    text = (
        "Fall;Aktivität;Zeitpunkt\n1;A;03.02.2024 10:00\n;B;03.02.2024 11:00\n"
        "2; ;03.02.2024 12:00\n3;;03.02.2024 13:00\n4;D;03.02.2024 14:00\n"
    )
    result = store.import_file(_write(tmp_path, "export.csv", text), uploader="t")
    assert (result.events, result.rejected_rows) == (2, 3)
    joined = " ".join(result.messages)
    assert "3 Zeilen verworfen" in joined
    assert all(str(line) in joined for line in (3, 4, 5))


def test_unknown_column_names_the_available_ones(store: LogStore, tmp_path: Path) -> None:
    path = _write(tmp_path, "export.csv", GERMAN_CSV)
    with pytest.raises(EventLogError, match="Vorgangsnummer"):
        store.import_file(path, uploader="t", options=ImportOptions(case="Aktenzeichen"))
    _assert_nothing_stored(store)


def test_a_url_is_never_fetched(store: LogStore) -> None:
    """docs/RELIABILITY.md item 11: the importer opens only files the upload handler wrote
    itself."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_args) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/log.xes"
        with pytest.raises(EventLogError, match="nicht gefunden"):
            store.import_file(Path(url), uploader="t", display_name=url)
    finally:
        server.shutdown()
    assert hits == []


# -- privacy ----------------------------------------------------------------------------------------


def test_employee_names_never_reach_database_files_or_output(
    sqlite_url: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """docs/RELIABILITY.md item 37 and the issue's acceptance: scan every byte that was written."""
    data = tmp_path / "daten"
    path = _write(tmp_path, "export.csv", GERMAN_CSV)
    env_db = sqlite_url
    result = subprocess.run(
        [sys.executable, "-m", "pmo", "log", "import", str(path), "--json"],
        cwd=PROJECT,
        capture_output=True,
        env={"PMO_DATABASE_URL": env_db, "PMO_DATA_DIR": str(data), "PATH": "/usr/bin:/bin"},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr.decode()
    written = [Path(sqlite_url.removeprefix("sqlite:///"))]
    written += [p for p in data.rglob("*") if p.is_file()]
    written += list(written[0].parent.glob("pmo.sqlite3*"))
    names = ("Erika Mustermann", "Max Müller", "Mustermann", "Müller")
    for file in written:
        content = file.read_bytes()
        for name in names:
            for encoding in ("utf-8", "cp1252", "utf-16-le"):
                assert name.encode(encoding) not in content, f"{name} in {file}"
    for table_file in data.rglob("*.parquet"):
        table = pq.read_table(table_file)
        values = {str(v) for column in table.columns for v in column.to_pylist()}
        assert not any(name in value for value in values for name in names)
        assert all(v.startswith("P-") for v in table.column("resource").to_pylist())
    output = result.stdout.decode() + result.stderr.decode()
    assert not any(name in output for name in names)


def test_same_person_gets_the_same_pseudonym_across_uploads(
    store: LogStore, tmp_path: Path
) -> None:
    first = store.import_file(_write(tmp_path, "a.csv", GERMAN_CSV), uploader="t")
    second = store.import_file(_write(tmp_path, "b.csv", GERMAN_CSV), uploader="t")
    a = pq.read_table(store.events_path(first.log_id)).column("resource").to_pylist()
    b = pq.read_table(store.events_path(second.log_id)).column("resource").to_pylist()
    assert a == b
    assert a[0] == a[2] != a[1]


def test_case_ids_can_be_replaced_by_surrogates(store: LogStore, tmp_path: Path) -> None:
    path = _write(tmp_path, "export.csv", GERMAN_CSV)
    result = store.import_file(path, uploader="t", options=ImportOptions(surrogate_case_ids=True))
    stored = pq.read_table(store.events_path(result.log_id)).sort_by("seq")
    cases = stored.column("case_id").to_pylist()
    assert all(c.startswith("F-") for c in cases)
    assert cases[0] == cases[1] != cases[2]
    assert result.cases == 2


# -- catalogue, linking, deletion --------------------------------------------------------------------


def test_log_is_catalogued_with_process_department_and_deletion_date(
    store: LogStore, tmp_path: Path
) -> None:
    Registry(store.db).add_process(
        bpmn_file("miwg-reference/A.1.0.bpmn"),
        key="hundesteuer",
        name="Hundesteuer",
        department="Fachdienst Steuern",
        author="a",
    )
    path = _write(tmp_path, "export.csv", GERMAN_CSV)
    result = store.import_file(
        path, uploader="anna", options=ImportOptions(process_key="hundesteuer", retention_days=30)
    )
    [info] = store.list_logs()
    assert (info.log_id, info.process, info.department) == (
        result.log_id,
        "hundesteuer",
        "Fachdienst Steuern",
    )
    assert info.delete_after == clock.today() + dt.timedelta(days=30)
    assert (info.cases, info.events, info.source_name) == (2, 3, "export.csv")


def test_unknown_process_is_refused_before_reading(store: LogStore, tmp_path: Path) -> None:
    path = _write(tmp_path, "export.csv", GERMAN_CSV)
    with pytest.raises(ProcessNotFoundError):
        store.import_file(path, uploader="t", options=ImportOptions(process_key="gibtsnicht"))
    _assert_nothing_stored(store)


def test_delete_removes_file_and_row_and_leaves_others(store: LogStore, tmp_path: Path) -> None:
    """docs/RELIABILITY.md item 38: gone, audited without content, other datasets untouched."""
    keep = store.import_file(_write(tmp_path, "a.csv", GERMAN_CSV), uploader="t")
    drop = store.import_file(_write(tmp_path, "b.csv", GERMAN_CSV), uploader="t")
    dropped_file = store.events_path(drop.log_id)
    store.delete(drop.log_id, actor="datenschutz")
    assert not dropped_file.exists()
    assert [i.log_id for i in store.list_logs()] == [keep.log_id]
    assert store.events_path(keep.log_id).exists()
    with pytest.raises(LogNotFoundError):
        store.get(drop.log_id)
    entry = Registry(store.db).audit_trail(drop.log_id)[0]
    assert (entry.action, entry.actor, entry.details) == (
        "log.delete",
        "datenschutz",
        {"reason": "auf Anfrage", "events_file": f"logs/{drop.log_id}.parquet",
         "redacted_reports": []},
    )  # fmt: skip


def test_expired_logs_are_purged_and_fresh_ones_kept(store: LogStore, tmp_path: Path) -> None:
    short = store.import_file(
        _write(tmp_path, "a.csv", GERMAN_CSV), uploader="t", options=ImportOptions(retention_days=5)
    )
    long = store.import_file(
        _write(tmp_path, "b.csv", GERMAN_CSV),
        uploader="t",
        options=ImportOptions(retention_days=90),
    )
    purged = store.purge_expired(today=clock.today() + dt.timedelta(days=10))
    assert purged == [short.log_id]
    assert [i.log_id for i in store.list_logs()] == [long.log_id]
    assert not (store.folder / f"{short.log_id}.parquet").exists()


def test_a_log_is_purged_on_its_deletion_date_not_a_day_later(
    store: LogStore, tmp_path: Path
) -> None:
    """``delete_after`` is the last day a log may be kept: "Löschung spätestens am …"."""
    due = store.import_file(
        _write(tmp_path, "a.csv", GERMAN_CSV), uploader="t", options=ImportOptions(retention_days=3)
    )
    today = clock.today()
    assert store.purge_expired(today=today + dt.timedelta(days=2)) == []
    assert store.purge_expired(today=today + dt.timedelta(days=3)) == [due.log_id]
    assert store.list_logs() == []


def test_deletion_dates_are_berlin_days_whatever_the_machine_clock(
    store: LogStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 23:30 UTC it is already the next day in Berlin, where the office and its deletion
    dates live: a log kept 0 days is due that Berlin day, and a purge at that moment takes it."""
    late_evening_utc = dt.datetime(2024, 3, 30, 23, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(clock, "_now", lambda: late_evening_utc, raising=False)
    result = store.import_file(
        _write(tmp_path, "a.csv", GERMAN_CSV), uploader="t", options=ImportOptions(retention_days=0)
    )
    assert result.delete_after == dt.date(2024, 3, 31)
    assert store.purge_expired() == [result.log_id]


@pytest.mark.parametrize("days", [-1, -400])
def test_negative_retention_is_refused_before_anything_is_read(
    store: LogStore, tmp_path: Path, days: int
) -> None:
    with pytest.raises(MiningError, match=f"Aufbewahrungsfrist.*{days}"):
        store.import_file(
            _write(tmp_path, "a.csv", GERMAN_CSV),
            uploader="t",
            options=ImportOptions(retention_days=days),
        )
    _assert_nothing_stored(store)


def test_explicit_separator_and_encoding_win(store: LogStore, tmp_path: Path) -> None:
    path = _write(tmp_path, "export.txt", GERMAN_CSV.replace(";", "|"), encoding="cp1252")
    result = store.import_file(
        path, uploader="t", options=ImportOptions(read=ReadOptions(sep="|", encoding="cp1252"))
    )
    assert result.events == 3


def test_encoding_found_late_in_the_file_is_what_the_report_says(
    store: LogStore, tmp_path: Path
) -> None:
    """A cp1252 umlaut after the first mebibyte still decodes right and is reported as cp1252."""
    rows = "".join(f"{n};Antrag pruefen;03.02.2024 10:00\n" for n in range(60_000))
    text = "Fall;Aktivität;Zeitpunkt\n" + rows + "60001;Bescheid für Müller;04.02.2024 10:00\n"
    path = _write(tmp_path, "spaet.csv", text.replace("Aktivität", "Aktivitaet"), encoding="cp1252")
    result = store.import_file(path, uploader="t")
    assert result.detected.encoding == "cp1252"
    activities = set(pq.read_table(store.events_path(result.log_id)).column("activity").to_pylist())
    assert "Bescheid für Müller" in activities


def test_a_log_too_large_to_sort_in_memory_is_refused_whole(
    store: LogStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mining.ingest.pipeline

    def out_of_memory(source: Path, target: Path, **_: object) -> None:
        raise MemoryError

    monkeypatch.setattr(mining.ingest.pipeline, "write_arranged", out_of_memory)
    path = _write(tmp_path, "export.csv", GERMAN_CSV)
    with pytest.raises(EventLogError) as caught:
        store.import_file(path, uploader="t")
    assert "export.csv" in str(caught.value)
    assert "3 Ereignissen zu groß" in str(caught.value)
    assert store.list_logs() == []
    assert not [p for p in store.folder.iterdir() if p.suffix == ".parquet"]


# -- files that would be half-read: swallowed rows, mixed encodings (issue 12.2, 12.3) ------------


def _swallowing_export(tmp_path: Path) -> Path:
    """The reported file: 20,000 rows, ';', line 5000 opens a quote in its last column."""
    lines = ["Fall;Tätigkeit;Zeitpunkt;Team"]
    for n in range(2, 20_002):
        team = '"Team 0' if n == 5_000 else f"Team {n % 3}"
        lines.append(f"C{n // 5};Antrag prüfen;03.02.2024 10:{n % 60:02d};{team}")
    return _write(tmp_path, "export.csv", "\n".join(lines) + "\n")


def _mixed_encoding_export(tmp_path: Path) -> Path:
    """cp1252 with one UTF-8 line (line 3000), as when a new export is appended to an old one."""
    parts = ["Fall;Tätigkeit;Zeitpunkt\n".encode("cp1252")]
    for n in range(2, 6_000):
        encoding = "utf-8" if n == 3_000 else "cp1252"
        parts.append(f"C{n};Antrag prüfen;03.02.2024 10:{n % 60:02d}\n".encode(encoding))
    path = tmp_path / "gemischt.csv"
    path.write_bytes(b"".join(parts))
    return path


@pytest.mark.parametrize(
    ("make", "line"), [(_swallowing_export, 5_000), (_mixed_encoding_export, 3_000)]
)
def test_a_file_that_would_be_half_read_is_refused_and_nothing_stored(
    store: LogStore, tmp_path: Path, make, line: int
) -> None:
    with pytest.raises(EventLogError) as raised:
        store.import_file(make(tmp_path), uploader="t")
    assert raised.value.line == line
    _assert_nothing_stored(store)


@pytest.mark.parametrize(
    ("make", "line"), [(_swallowing_export, 5_000), (_mixed_encoding_export, 3_000)]
)
@pytest.mark.parametrize("command", ["import", "analyze"])
def test_pmo_log_import_and_analyze_refuse_it_in_one_line(
    db_url: str, tmp_path: Path, make, line: int, command: str
) -> None:
    path = make(tmp_path)
    args = ["log", "import", str(path)] if command == "import" else ["analyze", str(path)]
    env = {
        "PATH": "/usr/bin:/bin",
        "PMO_DATABASE_URL": db_url,
        "PMO_DATA_DIR": str(tmp_path / "daten"),
        "PMO_USER": "t",
    }
    result = subprocess.run(
        [sys.executable, "-m", "pmo", *args], cwd=PROJECT, env=env, capture_output=True, timeout=300
    )
    message = result.stderr.decode()
    assert result.returncode == 1, (result.stdout.decode(), message)
    assert "Traceback" not in message and message.count("\n") == 1, message
    assert f"{path.name}, Zeile {line}:" in message
    assert not list((tmp_path / "daten").rglob("*.parquet"))


def test_a_multi_line_note_still_imports_and_later_lines_are_named_right(
    store: LogStore, tmp_path: Path
) -> None:
    note = "\n".join(f'Rückruf {i}; Unterlagen fehlen, ""Anlage B""' for i in range(40))
    rows = [f'{n};Antrag prüfen;03.02.2024 10:{n:02d};"{note}"' for n in range(1, 4)]
    text = "Fall;Tätigkeit;Zeitpunkt;Bemerkung\n" + "\n".join(rows) + "\n"
    result = store.import_file(
        _write(tmp_path, "notiz.csv", text),
        uploader="t",
        options=ImportOptions(attributes=("Bemerkung",)),
    )
    notes = pq.read_table(store.events_path(result.log_id)).column("Bemerkung").to_pylist()
    assert notes == [note.replace('""', '"')] * 3
    # The fourth row starts on line 2 + 3 * 40 = 122.
    bad = text + "4;Antrag prüfen;31.02.2024 10:00;kurz\n"
    with pytest.raises(EventLogError) as raised:
        store.import_file(_write(tmp_path, "notiz2.csv", bad), uploader="t")
    assert raised.value.line == 122
