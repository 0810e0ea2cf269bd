"""CSV uploads through ``mining.ingest.read``: encodings, separators, line numbers, bad rows, caps.

docs/RELIABILITY.md items 14–16, 21 and 23 are the headline cases; the real CSV exports of the
running example, the receipt log and the road-traffic sample are checked against pandas (as
text) and against their XES twins.
"""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mining.errors import EventLogError, UnsafeFileError
from mining.ingest.read import LINE_COLUMN, ReadOptions, open_table, preview_table

LOGS = Path(__file__).parent / "data" / "logs"

GERMAN_EXPORT = (
    "Fall-ID;Aktivität;Zeitstempel;Betrag;Bearbeitung\r\n"
    "007;Antrag prüfen;03.02.2024 14:05;1.234,50;NA\r\n"
    "007;Bescheid erstellen;13.02.2024 09:00;3,5;None\r\n"
    '008;"Rückfrage; telefonisch";04.02.2024 08:15;12,00;null\r\n'
    "009;Antrag prüfen;05.02.2024 10:30;;\r\n"
)


def write(tmp_path: Path, data: bytes, name: str = "upload.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read_all(path: Path, **options: object) -> tuple[object, pa.Table]:
    with open_table(path, options=ReadOptions(**options)) as reader:  # type: ignore[arg-type]
        table = pa.Table.from_batches(list(reader.batches()))
        return reader.detected, table


def rows(table: pa.Table) -> list[dict[str, object]]:
    return table.to_pylist()


def error_of(path: Path, **options: object) -> EventLogError:
    with pytest.raises(EventLogError) as info:
        read_all(path, **options)
    return info.value


# -- German Excel exports (items 14, 16, 23) ------------------------------------------------


def test_german_excel_export_in_cp1252_is_detected_and_read_exactly(tmp_path: Path) -> None:
    path = write(tmp_path, GERMAN_EXPORT.encode("cp1252"))
    detected, table = read_all(path)
    assert (detected.format, detected.encoding, detected.separator, detected.decimal) == (
        "csv",
        "cp1252",
        ";",
        ",",
    )
    assert detected.columns == ("Fall-ID", "Aktivität", "Zeitstempel", "Betrag", "Bearbeitung")
    assert rows(table) == [
        {
            "Fall-ID": "007",
            "Aktivität": "Antrag prüfen",
            "Zeitstempel": "03.02.2024 14:05",
            "Betrag": "1.234,50",
            "Bearbeitung": "NA",
            LINE_COLUMN: 2,
        },
        {
            "Fall-ID": "007",
            "Aktivität": "Bescheid erstellen",
            "Zeitstempel": "13.02.2024 09:00",
            "Betrag": "3,5",
            "Bearbeitung": "None",
            LINE_COLUMN: 3,
        },
        {
            "Fall-ID": "008",
            "Aktivität": "Rückfrage; telefonisch",
            "Zeitstempel": "04.02.2024 08:15",
            "Betrag": "12,00",
            "Bearbeitung": "null",
            LINE_COLUMN: 4,
        },
        {
            "Fall-ID": "009",
            "Aktivität": "Antrag prüfen",
            "Zeitstempel": "05.02.2024 10:30",
            "Betrag": "",
            "Bearbeitung": "",
            LINE_COLUMN: 5,
        },
    ]


def test_every_column_is_text_and_empty_cells_are_empty_strings(tmp_path: Path) -> None:
    path = write(tmp_path, b"Aktenzeichen,Name,Wert\n007,NA,1e5\n,None,\nnull,,0\n")
    _, table = read_all(path)
    assert table.schema == pa.schema(
        [
            ("Aktenzeichen", pa.string()),
            ("Name", pa.string()),
            ("Wert", pa.string()),
            (LINE_COLUMN, pa.int64()),
        ]
    )
    assert table.column("Aktenzeichen").to_pylist() == ["007", "", "null"]
    assert table.column("Name").to_pylist() == ["NA", "None", ""]
    assert table.column("Wert").to_pylist() == ["1e5", "", "0"]
    assert table.column("Wert").null_count == 0


def test_utf8_file_is_never_read_as_cp1252(tmp_path: Path) -> None:
    path = write(tmp_path, GERMAN_EXPORT.encode("utf-8"))
    detected, table = read_all(path)
    assert detected.encoding == "utf-8"
    text = "".join(str(v) for row in rows(table) for v in row.values())
    assert "prüfen" in text
    assert "Ã" not in text


def test_utf8_bom_is_reported_and_not_part_of_the_first_name(tmp_path: Path) -> None:
    path = write(tmp_path, GERMAN_EXPORT.encode("utf-8-sig"))
    detected, _ = read_all(path)
    assert detected.encoding == "utf-8-sig"
    assert detected.columns[0] == "Fall-ID"


def test_excel_unicode_text_export_utf16_with_tabs(tmp_path: Path) -> None:
    data = "Fall\tAktivität\n1\tprüfen\n".encode("utf-16")
    detected, table = read_all(write(tmp_path, data, "export.txt"))
    assert (detected.encoding, detected.separator) == ("utf-16", "\t")
    assert rows(table) == [{"Fall": "1", "Aktivität": "prüfen", LINE_COLUMN: 2}]


def test_cp1252_byte_far_beyond_the_detection_sample_switches_cleanly(tmp_path: Path) -> None:
    # 3 MiB of ASCII first: the sample cannot see the umlaut, the stream still decides right.
    body = "".join(f"{i};Antrag;ok\n" for i in range(250_000))
    data = ("Fall;Aktivität;Status\n" + body + "x;Antrag prüfen;ok\n").encode("cp1252")
    assert data.index("ü".encode("cp1252")) > 2_000_000
    path = write(tmp_path, data)
    with open_table(path) as reader:
        assert reader.detected.encoding == "cp1252"  # the header's "ä" is in the sample
    data = ("Fall;Aktivitaet;Status\n" + body + "x;Antrag prüfen;ok\n").encode("cp1252")
    path = write(tmp_path, data)
    with open_table(path) as reader:
        table = pa.Table.from_batches(list(reader.batches()))
        assert reader.detected.encoding == "cp1252"
    assert table.column("Aktivitaet")[-1].as_py() == "Antrag prüfen"
    assert table.column(LINE_COLUMN)[-1].as_py() == 250_002


def test_late_byte_that_contradicts_utf8_names_its_line(tmp_path: Path) -> None:
    body = "".join(f"{i};Prüfung\n" for i in range(150_000))
    data = ("Fall;Aktivität\n" + body).encode("utf-8") + "9;Prüfung\n".encode("cp1252")
    error = error_of(write(tmp_path, data))
    assert error.line == 150_002
    assert "Kodierung" in error.reason


def test_explicit_encoding_wins_and_wrong_explicit_encoding_is_a_clear_error(
    tmp_path: Path,
) -> None:
    cp1252 = write(tmp_path, GERMAN_EXPORT.encode("cp1252"), "a.csv")
    utf8 = write(tmp_path, GERMAN_EXPORT.encode("utf-8"), "b.csv")
    detected, table = read_all(cp1252, encoding="latin-1")
    assert detected.encoding == "iso8859-1"
    assert table.column("Aktivität")[0].as_py() == "Antrag prüfen"

    error = error_of(cp1252, encoding="utf-8")
    assert error.line == 1 and "utf-8" in error.reason
    error = error_of(utf8, encoding="cp1252")
    assert "UTF-8" in error.reason and "Ã¼" in error.reason
    error = error_of(utf8, encoding="klingonisch")
    assert "Unbekannte Zeichenkodierung" in error.reason


def test_neither_utf8_nor_cp1252_is_refused(tmp_path: Path) -> None:
    # 0x81 is undefined in cp1252 and invalid as a UTF-8 start byte.
    error = error_of(write(tmp_path, b"a;b\n1;\x81\n"))
    assert "weder UTF-8 noch Windows-1252" in error.reason
    assert error.line == 2


# -- separators ----------------------------------------------------------------------------


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_separator_is_sniffed(tmp_path: Path, sep: str) -> None:
    lines = [["Fall", "Aktivität", "Zeit"], ["1", "a, b; c | d", "x"], ["2", "e", "f"]]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep, lineterminator="\n").writerows(lines)
    detected, table = read_all(write(tmp_path, buffer.getvalue().encode()))
    assert detected.separator == sep
    assert table.column("Aktivität").to_pylist() == ["a, b; c | d", "e"]


def test_explicit_separator_wins(tmp_path: Path) -> None:
    path = write(tmp_path, b"a;b,c\n1;2,3\n")
    detected, table = read_all(path, sep=",")
    assert detected.separator == ","
    assert detected.columns == ("a;b", "c")
    assert read_all(path, sep="\\t")[0].separator == "\t"
    assert "Trennzeichen" in error_of(path, sep=";;").reason


@pytest.mark.parametrize("sep", ["¦", "§", "€", "→"])
def test_a_separator_beyond_ascii_is_refused_by_name(tmp_path: Path, sep: str) -> None:
    # The CSV parser splits on one byte; a character that takes several bytes in the file's
    # encoding cannot be that byte, and must be refused rather than end in a parser traceback.
    path = write(tmp_path, f"a{sep}b\n1{sep}2\n".encode())
    assert "Trennzeichen" in error_of(path, sep=sep).reason


def test_one_column_is_an_error_unless_the_separator_was_given(tmp_path: Path) -> None:
    path = write(tmp_path, b"Fall-ID\n1\n2\n")
    error = error_of(path)
    assert "Nur eine Spalte erkannt – Trennzeichen mit --sep angeben" in error.reason
    assert "--sep" in error.reason
    _, table = read_all(path, sep=";")
    assert table.column("Fall-ID").to_pylist() == ["1", "2"]


def test_semicolon_file_with_decimal_commas_is_not_taken_for_comma(tmp_path: Path) -> None:
    data = b"Fall;Betrag;Dauer;Kosten;Ort\n1;1.234,50;3,5;7,25;A\n2;99,95;1,0;0,5;B\n"
    detected, table = read_all(write(tmp_path, data))
    assert (detected.separator, detected.decimal, table.num_columns) == (";", ",", 6)


def test_decimal_point_is_reported_as_point(tmp_path: Path) -> None:
    detected, _ = read_all(write(tmp_path, b"a,b\n1.5,2.25\n3.75,0.5\n"))
    assert detected.decimal == "."


# -- line numbers --------------------------------------------------------------------------


def test_lines_count_quoted_newlines_crlf_and_blank_lines(tmp_path: Path) -> None:
    data = (
        b"Fall;Notiz;Zeit\r\n"  # 1
        b'1;"erste Zeile\r\nzweite Zeile";a\r\n'  # 2-3
        b"2;kurz;b\r\n"  # 4
        b"\r\n"  # 5 (blank)
        b'3;"drei\nZeilen\nlang";c\r\n'  # 6-8
        b"4;;d\r\n"  # 9
    )
    _, table = read_all(write(tmp_path, data))
    assert table.column("Fall").to_pylist() == ["1", "2", "3", "4"]
    assert table.column(LINE_COLUMN).to_pylist() == [2, 4, 6, 9]
    assert table.column("Notiz")[0].as_py() == "erste Zeile\r\nzweite Zeile"


def test_lines_stay_right_across_many_blocks(tmp_path: Path) -> None:
    # ~8 MiB: several pyarrow blocks, with multi-line values spread over all of them.
    out = ["Fall;Notiz;Zeit"]
    expected = []
    line = 2
    for i in range(120_000):
        note = "a\nb" if i % 997 == 0 else "x" * (i % 50)
        out.append(f'{i};"{note}";t')
        expected.append(line)
        line += 1 + note.count("\n")
    path = write(tmp_path, ("\n".join(out) + "\n").encode())
    with open_table(path, options=ReadOptions(batch_rows=50_000)) as reader:
        batches = list(reader.batches())
    assert max(b.num_rows for b in batches) <= 50_000
    table = pa.Table.from_batches(batches)
    assert table.column(LINE_COLUMN).to_pylist() == expected


_cell = st.text(alphabet=st.sampled_from(list('ab; ,"\näö')), max_size=8)
_row = st.lists(_cell, min_size=3, max_size=3)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    table=st.lists(_row, min_size=1, max_size=25),
    terminator=st.sampled_from(["\n", "\r\n"]),
    blank_after=st.sets(st.integers(0, 24), max_size=3),
)
def test_lines_match_pythons_csv_module(
    tmp_path: Path, table: list[list[str]], terminator: str, blank_after: set[int]
) -> None:
    """Property: the reported line is where Python's csv reader finds the record's start."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator=terminator)
    writer.writerow(["a", "b", "c"])
    for index, row in enumerate(table):
        writer.writerow(row)
        if index in blank_after:
            buffer.write(terminator)
    text = buffer.getvalue()
    expected = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    start = 1
    for record in reader:
        if record and any(record) and reader.line_num > 1:
            expected.append((record, start))
        start = reader.line_num + 1
    path = write(tmp_path, text.encode("utf-8"), "prop.csv")
    if not expected:
        assert "nur die Kopfzeile" in error_of(path, sep=";").reason
        return
    _, got = read_all(path, sep=";")
    assert [([r["a"], r["b"], r["c"]], r[LINE_COLUMN]) for r in rows(got)] == expected


# -- bad rows (item 21) --------------------------------------------------------------------


def test_missing_field_is_never_padded(tmp_path: Path) -> None:
    error = error_of(write(tmp_path, b"Fall;Aktivitaet;Zeit\n1;A;x\n2;B;y\n3;C\n4;D;z\n"))
    assert (error.line, error.lines) == (4, (4,))
    assert "zu wenige Felder" in error.reason
    assert "1 Zeile" in error.reason


def test_all_bad_rows_are_reported_at_once_with_their_lines(tmp_path: Path) -> None:
    data = (
        b"Fall;Notiz;Zeit\n"  # 1
        b'1;"zwei\nZeilen";a\n'  # 2-3
        b"2;zu;viele;Felder\n"  # 4
        b'3;"auch\nzwei";b;c\n'  # 5-6 (extra field, spans two lines)
        b"4;fehlt\n"  # 7
        b"5;gut;d\n"  # 8
        b'6;"offen;e\n'  # 9-10, swallows the next line
        b"7;x;y\n"
    )
    error = error_of(write(tmp_path, data))
    assert error.lines == (4, 5, 7, 9)
    assert error.line == 4
    assert error.reason.startswith("4 Zeilen passen nicht")
    assert "zu viele Felder: 2" in error.reason
    assert "zu wenige Felder: 1" in error.reason
    assert "Anführungszeichen nicht geschlossen: 1" in error.reason
    assert "Zeile 4, 5, 7, 9" in error.reason


def test_unterminated_quote_in_the_last_column_is_caught(tmp_path: Path) -> None:
    # pyarrow accepts this silently: the rest of the file would be one value.
    error = error_of(write(tmp_path, b'a;b;c\n1;2;"x\n2;q;w\n3;r;s\n'))
    assert (error.line, error.lines) == (2, (2,))
    assert "Anführungszeichen" in error.reason


def test_stray_quote_inside_an_unquoted_value_is_text(tmp_path: Path) -> None:
    _, table = read_all(write(tmp_path, b'a;b;c\n1;2;Zoll 3"\n2;q;w\n'))
    assert table.column("c").to_pylist() == ['Zoll 3"', "w"]
    _, table = read_all(write(tmp_path, b'a;b;c\n1;2;x\n2;q;Zoll 3"\n'))
    assert table.column("c").to_pylist() == ["x", 'Zoll 3"']


def test_runaway_quote_in_a_large_file_is_reported(tmp_path: Path) -> None:
    body = "".join(f"{i};ok;x\n" for i in range(300_000))
    data = ('a;b;c\n1;"offen;x\n' + body).encode()
    error = error_of(write(tmp_path, data))
    assert "Anführungszeichen" in error.reason


# -- degenerate files ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "leer"),
        (b"   \n\n", "leer"),
        (b"\xef\xbb\xbf", "leer"),
        (b"Fall;Aktivitaet\n", "nur die Kopfzeile"),
        (b"Fall;Aktivitaet\n\n\n", "nur die Kopfzeile"),
        (b"\x00\x01\x02\x03binary\x00" * 50, "Binärdaten"),
        (bytes(range(256)) * 10, "Binärdaten"),
    ],
)
def test_degenerate_files_give_clear_errors(tmp_path: Path, data: bytes, reason: str) -> None:
    error = error_of(write(tmp_path, data))
    assert reason in error.reason
    assert str(error).startswith("upload.csv")


def test_header_names_empty_duplicate_reserved(tmp_path: Path) -> None:
    detected, _ = read_all(write(tmp_path, b",Fall,\n0,1,2\n"))
    assert detected.columns == ("Spalte 1", "Fall", "Spalte 3")
    error = error_of(write(tmp_path, b"Fall;Zeit;Fall\n1;2;3\n"))
    assert "doppelt" in error.reason and error.column == 3
    assert "reserviert" in error_of(write(tmp_path, b"Fall;__line__\n1;2\n")).reason


def test_max_rows_cap_names_the_cap_and_the_line(tmp_path: Path) -> None:
    data = b"a;b\n" + b"".join(b"%d;x\n" % i for i in range(100))
    error = error_of(write(tmp_path, data), max_rows=50)
    assert "50 Datenzeilen" in error.reason
    assert error.line == 52


def test_file_larger_than_the_cap_is_refused_before_reading(tmp_path: Path) -> None:
    path = write(tmp_path, b"a;b\n" + b"1;2\n" * 1000)
    with pytest.raises(UnsafeFileError, match="MiB"):
        open_table(path, options=ReadOptions(max_bytes=1000))


def test_display_name_is_used_in_messages_and_for_the_format(tmp_path: Path) -> None:
    path = write(tmp_path, b"a;b\n1;2\n3\n", "tmp123")
    with pytest.raises(EventLogError) as info:
        with open_table(path, display_name="Export März.csv") as reader:
            list(reader.batches())
    assert str(info.value).startswith("Export März.csv, Zeile 3:")


def test_unknown_extension_lists_supported_formats(tmp_path: Path) -> None:
    error = error_of(write(tmp_path, b"a;b\n1;2\n", "export.dat"))
    assert ".csv" in error.reason and ".xes" in error.reason and ".xlsx" in error.reason


def test_batches_can_be_read_once(tmp_path: Path) -> None:
    with open_table(write(tmp_path, b"a;b\n1;2\n")) as reader:
        list(reader.batches())
        with pytest.raises(RuntimeError):
            reader.batches()


# -- compressed -----------------------------------------------------------------------------


def test_gzip_and_zip_containers(tmp_path: Path) -> None:
    data = GERMAN_EXPORT.encode("cp1252")
    gz = write(tmp_path, gzip.compress(data), "export.csv.gz")
    detected, table = read_all(gz)
    assert (detected.format, detected.encoding, table.num_rows) == ("csv.gz", "cp1252", 4)

    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("__MACOSX/._export.csv", b"\x00\x05\x16\x07junk")
        zf.writestr(".DS_Store", b"junk")
        zf.writestr("ordner/export.csv", data)
        zf.writestr("LIESMICH.md", b"Nur zur Info")
    detected, table = read_all(archive)
    assert (detected.format, detected.separator, table.num_rows) == ("zip/csv", ";", 4)
    assert table.column(LINE_COLUMN).to_pylist() == [2, 3, 4, 5]


def test_gzip_bomb_is_stopped_at_the_byte_cap(tmp_path: Path) -> None:
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9) as gz:
        gz.write(b"a;b\n")
        for _ in range(50):
            gz.write(b"1;2\n" * 262_144)  # 50 MiB in total
    path = write(tmp_path, raw.getvalue(), "bomb.csv.gz")
    assert path.stat().st_size < 1_000_000
    with pytest.raises(UnsafeFileError, match="entpackt größer"):
        read_all(path, max_bytes=10 * 1024 * 1024)


def test_truncated_gzip_is_a_clear_error(tmp_path: Path) -> None:
    data = gzip.compress(b"a;b\n" + b"1;2\n" * 100_000)
    error = error_of(write(tmp_path, data[: len(data) // 2], "cut.csv.gz"))
    assert "beschädigt oder unvollständig" in error.reason


# -- real exports ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "count"),
    [("running-example.csv", 42), ("receipt.csv", 8577), ("roadtraffic100traces.csv", 390)],
)
def test_real_csv_matches_pandas_read_as_text(name: str, count: int) -> None:
    detected, table = read_all(LOGS / name)
    assert (detected.encoding, detected.separator, table.num_rows) == ("utf-8", ",", count)
    expected = pd.read_csv(LOGS / name, dtype=str, keep_default_na=False)
    got = table.drop_columns([LINE_COLUMN]).to_pandas()
    assert list(got.columns)[1:] == list(expected.columns)[1:]
    assert got.to_numpy().tolist() == expected.to_numpy().tolist()
    assert table.column(LINE_COLUMN).to_pylist() == list(range(2, count + 2))


@pytest.mark.parametrize(
    ("csv_name", "xes_name"),
    [
        ("running-example.csv", "running-example.xes"),
        ("receipt.csv", "08_receipt.xes.gz"),
        ("roadtraffic100traces.csv", "roadtraffic100traces.xes"),
    ],
)
def test_real_csv_has_the_same_events_as_its_xes_twin(csv_name: str, xes_name: str) -> None:
    def events(name: str) -> list[tuple[str, str, pd.Timestamp]]:
        frame = read_all(LOGS / name)[1].to_pandas()
        stamps = pd.to_datetime(frame["time:timestamp"], utc=True, format="ISO8601")
        triples = zip(frame["case:concept:name"], frame["concept:name"], stamps, strict=True)
        return sorted(triples)

    assert events(csv_name) == events(xes_name)


def test_preview_shows_the_first_rows_as_text(tmp_path: Path) -> None:
    detected, frame = preview_table(LOGS / "receipt.csv", rows=5)
    assert detected.columns[:2] == ("case:channel", "case:concept:name")
    assert list(frame.index) == [2, 3, 4, 5, 6]
    assert frame.index.name == LINE_COLUMN
    assert list(frame.columns) == list(detected.columns)
    assert frame.iloc[0]["case:concept:name"] == "case-10011"
    detected, frame = preview_table(write(tmp_path, GERMAN_EXPORT.encode("cp1252")), rows=2)
    assert detected.encoding == "cp1252"
    assert frame["Fall-ID"].tolist() == ["007", "007"]
