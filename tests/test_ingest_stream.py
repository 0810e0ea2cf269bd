"""How the import streams (issue 18): the next CSV batch is read on a worker thread, the events
wait for the sort dictionary-encoded in memory, and the sorted file is written once. What users
depend on: errors still name their lines, no reader is left running after one, nothing of a
dropped row reaches the stored file, and the file reads as plain text columns."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mining.errors import EventLogError
from mining.ingest.checks import activity_names
from mining.ingest.pipeline import ImportOptions, ingest_file
from mining.ingest.privacy import load_or_create_secret
from mining.ingest.read import ReadOptions
from mining.query import get_log_stats, open_log
from tests.conftest import PROJECT

HEADER = "Fall;Aktivität;Zeitpunkt;Organisationseinheit\n"
SMALL_BATCHES = ImportOptions(read=ReadOptions(batch_rows=500), timezone="UTC")


def _rows(count: int) -> list[str]:
    return [
        f"{n // 4};Schritt {n % 4};{1 + n % 28:02d}.03.2024 {8 + n % 8:02d}:00;Team {n % 3}\n"
        for n in range(count)
    ]


def _ingest(tmp_path: Path, text: str, options: ImportOptions = SMALL_BATCHES) -> Path:
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    target = tmp_path / "events.parquet"
    secret = load_or_create_secret(tmp_path / "key")
    ingest_file(path, target, options=options, secret=secret, source="export.csv")
    return target


def _readers_running() -> list[str]:
    return [thread.name for thread in threading.enumerate() if thread.name.startswith("pmo-read")]


def test_a_bad_row_many_batches_in_is_named_by_line_and_no_reader_is_left(tmp_path: Path) -> None:
    rows = _rows(5000)
    rows[4000] = rows[4000].rstrip("\n") + ";zu viel\n"  # line 4002: header is line 1
    with pytest.raises(EventLogError) as caught:
        _ingest(tmp_path, HEADER + "".join(rows))
    assert caught.value.line == 4002 and "4002" in str(caught.value)
    assert not (tmp_path / "events.parquet").exists()
    assert _readers_running() == []


def test_an_error_while_normalizing_stops_the_reader_ahead(tmp_path: Path) -> None:
    rows = [row.replace(".03.2024", "/03/24 Uhr") for row in _rows(5000)]
    with pytest.raises(EventLogError) as caught:
        _ingest(tmp_path, HEADER + "".join(rows))
    assert "Zeitformat nicht erkannt" in str(caught.value)
    assert _readers_running() == []


def test_values_of_dropped_rows_do_not_reach_the_stored_file(tmp_path: Path) -> None:
    rows = _rows(2000)
    rows[1500] = ";Geheime Prüfung;05.03.2024 09:00;Geheimreferat\n"  # no case: dropped
    target = _ingest(tmp_path, HEADER + "".join(rows))
    columns = ["activity", "org_unit"]
    stored = pq.read_table(target, columns=columns, read_dictionary=columns)
    for name in columns:
        dictionary = stored[name].unify_dictionaries().combine_chunks().dictionary.to_pylist()
        assert not {"Geheime Prüfung", "Geheimreferat"} & set(dictionary)
    assert stored.num_rows == 1999


def test_the_stored_file_has_plain_text_columns_and_the_figures_read_from_it(
    tmp_path: Path,
) -> None:
    rows = _rows(3000)
    rows[10] = "  7 ; Schritt 1 ;02.03.2024 08:00; \n"  # blanks around values are stripped
    target = _ingest(tmp_path, HEADER + "".join(rows))
    schema = pq.read_schema(target)
    assert schema.field("case_id").type == pa.string() and not schema.field("case_id").nullable
    assert schema.field("org_unit").type == pa.string()
    assert schema.field("timestamp").type == pa.timestamp("us", tz="UTC")
    table = pq.read_table(target)
    assert "  7 " not in table["case_id"].to_pylist() and " Schritt 1 " not in set(
        table["activity"].to_pylist()
    )
    assert table["org_unit"].null_count == 1  # the blank cell is empty, not a team " "
    secret = load_or_create_secret(tmp_path / "key")
    source = tmp_path / "export.csv"
    again = ingest_file(
        source, tmp_path / "again.parquet", options=SMALL_BATCHES, secret=secret, source="x.csv"
    )
    assert again.summary == get_log_stats(open_log(tmp_path / "again.parquet"))
    assert again.activities == activity_names(tmp_path / "again.parquet")


def test_a_csv_closed_unread_leaves_a_process_that_exits_cleanly(tmp_path: Path) -> None:
    """A CSV opened and dropped before its rows are read (a wrong column, the wizard's preview):
    pyarrow's read-ahead thread must be idle by then, or the interpreter aborts on exit with
    "Fatal Python error: PyGILState_Release" (it did about one run in three)."""
    path = tmp_path / "gross.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("case_id,activity,timestamp\n")
        out.writelines(f"C{i // 8},Schritt {i % 13},2024-01-02 10:00:00\n" for i in range(600_000))
    probe = (
        "import sys; from pathlib import Path; "
        "from mining.ingest.read import ReadOptions, open_table\n"
        "with open_table(Path(sys.argv[1]), options=ReadOptions(), display_name='gross.csv'):\n"
        "    pass\n"
    )
    for _ in range(5):
        done = subprocess.run(
            [sys.executable, "-c", probe, str(path)],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert (done.returncode, done.stderr) == (0, "")
