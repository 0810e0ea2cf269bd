"""XLSX and Parquet uploads through ``mining.ingest.read``, and format detection by content.

docs/RELIABILITY.md items 12 (entity bomb in a sheet), 13 (zip bomb, row cap) and 23 (``007``,
``NA``, ``None`` stay text). Workbooks are written with openpyxl inside each test.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import openpyxl.xml
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mining.errors import EventLogError, UnsafeFileError
from mining.ingest.pipeline import ImportOptions, Ingested, ingest_file
from mining.ingest.privacy import load_or_create_secret
from mining.ingest.read import (
    DATE_CELLS_COLUMN,
    LINE_COLUMN,
    ReadOptions,
    open_table,
    preview_table,
)

BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">'
        % (i, b"".join(b"&lol%d;" % (i - 1) if i > 1 else b"&lol;" for _ in range(10)))
        for i in range(1, 10)
    )
    + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    b"</sheetData></worksheet>"
)


def read_all(path: Path, **options: object) -> tuple[object, pa.Table]:
    with open_table(path, options=ReadOptions(**options)) as reader:  # type: ignore[arg-type]
        table = pa.Table.from_batches(list(reader.batches()))
        return reader.detected, table


def workbook(tmp_path: Path, rows: list[list[object]], name: str = "upload.xlsx") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Ereignisse"
    for row in rows:
        sheet.append(row)
    notes = book.create_sheet("Notizen")
    notes.append(["Fall", "Notiz"])
    notes.append(["1", "Rückruf"])
    path = tmp_path / name
    book.save(path)
    return path


def replace_member(path: Path, member: str, data: bytes, target: Path) -> Path:
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            out.writestr(info, data if info.filename == member else source.read(info))
    return target


# -- XLSX -----------------------------------------------------------------------------------


def test_openpyxl_uses_defusedxml() -> None:
    assert openpyxl.xml.DEFUSEDXML is True


def test_cells_become_the_text_a_user_sees(tmp_path: Path) -> None:
    path = workbook(
        tmp_path,
        [
            ["Aktenzeichen", "Aktivität", "Zeitpunkt", "Betrag", "Name", "Erledigt"],
            ["007", "Antrag prüfen", dt.datetime(2024, 2, 3, 14, 5), 7.0, "NA", True],
            [],
            [
                "008",
                "Bescheid",
                dt.datetime(2024, 2, 13, 9, 0, 0, 123456),
                0.1 + 0.2,
                "None",
                False,
            ],
            [None, None, None, None, None, None],
            ["009", "Frist", dt.date(2024, 2, 28), 1234.5, "null", None],
            [10, "Zeit", dt.time(14, 5), -3, "", None],
        ],
    )
    detected, table = read_all(path)
    assert (detected.format, detected.sheet, detected.encoding, detected.separator) == (
        "xlsx",
        "Ereignisse",
        None,
        None,
    )
    assert detected.columns == (
        "Aktenzeichen",
        "Aktivität",
        "Zeitpunkt",
        "Betrag",
        "Name",
        "Erledigt",
    )
    marks = table.column(DATE_CELLS_COLUMN).to_pylist()
    assert [mark["Zeitpunkt"] for mark in marks] == [True, True, True, False]  # a time is no date
    assert not any(mark["Betrag"] or mark["Aktivität"] for mark in marks)
    assert table.drop_columns([DATE_CELLS_COLUMN]).to_pylist() == [
        {
            "Aktenzeichen": "007",
            "Aktivität": "Antrag prüfen",
            "Zeitpunkt": "2024-02-03T14:05:00",
            "Betrag": "7",
            "Name": "NA",
            "Erledigt": "true",
            LINE_COLUMN: 2,
        },
        {
            "Aktenzeichen": "008",
            "Aktivität": "Bescheid",
            "Zeitpunkt": "2024-02-13T09:00:00.123",
            "Betrag": "0.3",
            "Name": "None",
            "Erledigt": "false",
            LINE_COLUMN: 4,
        },
        {
            "Aktenzeichen": "009",
            "Aktivität": "Frist",
            "Zeitpunkt": "2024-02-28T00:00:00",
            "Betrag": "1234.5",
            "Name": "null",
            "Erledigt": "",
            LINE_COLUMN: 6,
        },
        {
            "Aktenzeichen": "10",
            "Aktivität": "Zeit",
            "Zeitpunkt": "14:05:00",
            "Betrag": "-3",
            "Name": "",
            "Erledigt": "",
            LINE_COLUMN: 7,
        },
    ]
    assert all(
        field.type == pa.string()
        for field in table.schema
        if field.name not in (LINE_COLUMN, DATE_CELLS_COLUMN)
    )


def test_header_below_empty_rows_and_sheet_choice(tmp_path: Path) -> None:
    path = workbook(tmp_path, [[], [], ["Fall", "Aktivität", None], ["1", "a"]])
    detected, table = read_all(path)
    assert detected.columns == ("Fall", "Aktivität")
    assert table.column(LINE_COLUMN).to_pylist() == [4]
    detected, table = read_all(path, sheet="Notizen")
    assert (detected.sheet, detected.columns, table.num_rows) == ("Notizen", ("Fall", "Notiz"), 1)
    with pytest.raises(
        EventLogError, match="„Fehlt“ nicht gefunden; vorhanden: „Ereignisse“, „Notizen“"
    ):
        read_all(path, sheet="Fehlt")


def test_header_only_and_empty_sheets(tmp_path: Path) -> None:
    with pytest.raises(EventLogError, match="nur die Kopfzeile") as info:
        read_all(workbook(tmp_path, [["Fall", "Aktivität"], [None, None]]))
    assert info.value.line == 1
    with pytest.raises(EventLogError, match="Tabellenblatt ist leer"):
        read_all(workbook(tmp_path, [], "leer.xlsx"))


def test_values_beyond_the_last_header_are_reported(tmp_path: Path) -> None:
    path = workbook(
        tmp_path, [["Fall", "Aktivität"], ["1", "a"], ["2", "b", "?"], ["3", "c", None, "!"]]
    )
    with pytest.raises(EventLogError) as info:
        read_all(path)
    assert info.value.lines == (3, 4)
    assert "rechts der letzten Spalte" in info.value.reason


def test_duplicate_and_empty_headers(tmp_path: Path) -> None:
    detected, _ = read_all(workbook(tmp_path, [["Fall", None, "Zeit"], ["1", "x", "y"]]))
    assert detected.columns == ("Fall", "Spalte 2", "Zeit")
    with pytest.raises(EventLogError, match="doppelt"):
        read_all(workbook(tmp_path, [["Fall", "Fall"], ["1", "2"]], "dup.xlsx"))


def test_entity_bomb_in_a_sheet_is_refused_quickly(tmp_path: Path) -> None:
    """Item 12: our prolog check refuses it before openpyxl sees it."""
    good = workbook(tmp_path, [["Fall", "Aktivität"], ["1", "a"]])
    bomb = replace_member(good, "xl/worksheets/sheet1.xml", BILLION_LAUGHS, tmp_path / "bomb.xlsx")
    with pytest.raises(UnsafeFileError) as info:
        read_all(bomb)
    assert "DOCTYPE" in str(info.value) and "DTD" in str(info.value)


def test_entity_bomb_is_also_refused_by_openpyxl_with_defusedxml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defence in depth: with our own check switched off, defusedxml still refuses."""
    from mining.ingest.read import _zip

    monkeypatch.setattr(_zip, "read_prolog", lambda stream, *, source: (b"", "x"))
    good = workbook(tmp_path, [["Fall", "Aktivität"], ["1", "a"]])
    bomb = replace_member(good, "xl/worksheets/sheet1.xml", BILLION_LAUGHS, tmp_path / "bomb.xlsx")
    with pytest.raises(EventLogError) as info:
        read_all(bomb)
    assert "lol" not in str(info.value)


def test_shared_strings_bomb_is_refused_before_opening(tmp_path: Path) -> None:
    """Item 13: a part that inflates > 100× and beyond 50 MiB."""
    good = workbook(tmp_path, [["Fall", "Aktivität"], ["1", "a"]])
    bomb = tmp_path / "strings.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info, source.read(info))
        out.writestr("xl/sharedStrings.xml", b"<sst>" + b"A" * (60 * 1024 * 1024) + b"</sst>")
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(UnsafeFileError, match="ZIP-Bombe"):
        read_all(bomb)


def test_workbook_beyond_the_byte_cap_is_refused(tmp_path: Path) -> None:
    path = workbook(tmp_path, [["Fall", "Notiz"]] + [[str(i), "x" * 200] for i in range(2000)])
    with pytest.raises(UnsafeFileError, match="entpackt"):
        read_all(path, max_bytes=100_000)


def test_row_cap_names_the_cap(tmp_path: Path) -> None:
    path = workbook(tmp_path, [["Fall", "Aktivität"]] + [[str(i), "a"] for i in range(30)])
    with pytest.raises(EventLogError, match="20 Datenzeilen"):
        read_all(path, max_rows=20)


def test_broken_workbook_is_a_clear_error(tmp_path: Path) -> None:
    good = workbook(tmp_path, [["Fall"], ["1"]])
    broken = replace_member(good, "xl/workbook.xml", b"<workbook", tmp_path / "broken.xlsx")
    with pytest.raises(EventLogError, match="Excel-Datei"):
        read_all(broken)


def test_preview_of_a_workbook(tmp_path: Path) -> None:
    path = workbook(tmp_path, [["Fall", "Aktivität"]] + [[f"{i:03d}", "a"] for i in range(50)])
    detected, frame = preview_table(path, rows=3)
    assert detected.sheet == "Ereignisse"
    assert frame["Fall"].tolist() == ["000", "001", "002"]
    assert frame.index.tolist() == [2, 3, 4]


# -- Parquet --------------------------------------------------------------------------------


def test_parquet_columns_become_text(tmp_path: Path) -> None:
    berlin = pa.timestamp("us", tz="Europe/Berlin")
    table = pa.table(
        {
            "Fall": pa.array(["007", "NA", None]),
            "Zeit": pa.array(
                [dt.datetime(2024, 2, 3, 13, 5), dt.datetime(2024, 7, 1, 8, 0, 0, 500000), None],
                type=pa.timestamp("us", tz="UTC"),
            ).cast(berlin),
            "Lokal": pa.array(
                [dt.datetime(2024, 2, 3, 14, 5), None, dt.datetime(2024, 2, 3, 14, 5, 1)],
                type=pa.timestamp("ns"),
            ),
            "Tag": pa.array([dt.date(2024, 2, 3), None, None]),
            "Anzahl": pa.array([7, None, -1], type=pa.int64()),
            "Betrag": pa.array([7.0, 1234.5, None]),
            "Ok": pa.array([True, False, None]),
            "Kanal": pa.array(["online", "Papier", "online"]).dictionary_encode(),
            "Leer": pa.nulls(3),
        }
    )
    path = tmp_path / "log.parquet"
    pq.write_table(table, path)
    detected, got = read_all(path, batch_rows=2)
    assert detected.format == "parquet"
    assert detected.columns == tuple(table.column_names)
    assert got.to_pylist() == [
        {
            "Fall": "007",
            "Zeit": "2024-02-03T14:05:00+01:00",
            "Lokal": "2024-02-03T14:05:00",
            "Tag": "2024-02-03",
            "Anzahl": "7",
            "Betrag": "7",
            "Ok": "true",
            "Kanal": "online",
            "Leer": "",
            LINE_COLUMN: 1,
        },
        {
            "Fall": "NA",
            "Zeit": "2024-07-01T10:00:00.5+02:00",
            "Lokal": "",
            "Tag": "",
            "Anzahl": "",
            "Betrag": "1234.5",
            "Ok": "false",
            "Kanal": "Papier",
            "Leer": "",
            LINE_COLUMN: 2,
        },
        {
            "Fall": "",
            "Zeit": "",
            "Lokal": "2024-02-03T14:05:01",
            "Tag": "",
            "Anzahl": "-1",
            "Betrag": "",
            "Ok": "",
            "Kanal": "online",
            "Leer": "",
            LINE_COLUMN: 3,
        },
    ]


def test_parquet_timestamps_round_trip_through_fromisoformat(tmp_path: Path) -> None:
    stamps = [dt.datetime(2024, 3, 31, 0, 59, 59, 1000, tzinfo=dt.UTC)]
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"t": pa.array(stamps, type=pa.timestamp("ms", tz="UTC"))}), path)
    _, got = read_all(path)
    assert dt.datetime.fromisoformat(got.column("t")[0].as_py()) == stamps[0]


def test_parquet_nested_column_broken_file_and_caps(tmp_path: Path) -> None:
    nested = tmp_path / "nested.parquet"
    pq.write_table(pa.table({"Fall": ["1"], "Liste": [[1, 2]]}), nested)
    with pytest.raises(EventLogError, match="verschachtelten Typ"):
        open_table(nested)
    good = tmp_path / "good.parquet"
    pq.write_table(pa.table({"Fall": [str(i) for i in range(100)]}), good)
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(good.read_bytes()[:-20])
    with pytest.raises(EventLogError, match="beschädigt"):
        open_table(broken)
    with pytest.raises(EventLogError, match="Obergrenze"):
        open_table(good, options=ReadOptions(max_rows=10))


def test_parquet_inside_a_zip(tmp_path: Path) -> None:
    inner = tmp_path / "log.parquet"
    pq.write_table(pa.table({"Fall": ["1", "2"], "Aktivität": ["a", "b"]}), inner)
    archive = tmp_path / "log.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(inner, "export/log.parquet")
    with open_table(archive) as reader:
        assert reader.detected.format == "zip/parquet"
        folder = reader._folder  # type: ignore[attr-defined]
        assert folder.exists()
        assert [b.num_rows for b in reader.batches()] == [2]
    assert not folder.exists()


# -- format detection -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "alt.xls", "alte Excel-Datei"),
        (b"%PDF-1.7\n...", "bericht.pdf", "PDF"),
        (b"PK\x03\x04 not really a zip", "kaputt.xlsx", "ZIP-Datei ist beschädigt"),
        (b"Fall;Aktivitaet\n1;a\n", "umbenannt.parquet", "passt nicht zur Dateiendung"),
        (b"irgendwas", "notiz.docx", "Unterstützt werden"),
    ],
)
def test_detection_by_content_first(tmp_path: Path, data: bytes, name: str, reason: str) -> None:
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    with pytest.raises(EventLogError, match=reason) as info:
        open_table(path, display_name=name)
    assert str(info.value).startswith(name)


def test_renamed_files_are_read_by_content(tmp_path: Path) -> None:
    xlsx = workbook(tmp_path, [["Fall", "Aktivität"], ["1", "a"]])
    renamed = tmp_path / "upload-1"
    renamed.write_bytes(xlsx.read_bytes())
    with open_table(renamed, display_name="export.csv") as reader:
        assert reader.detected.format == "xlsx"


def test_directories_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(EventLogError, match="keine normale Datei"):
        open_table(tmp_path)
    with pytest.raises(EventLogError, match="Datei nicht gefunden"):
        open_table(tmp_path / "fehlt.csv")


# -- Excel date cells beside German text dates (issue 12.6) ---------------------------------
#
# An export of a system that took over old records keeps their dates as text ("03.02.2019
# 14:05") in the column where newer rows hold real date cells. Each cell is read by its type.


class Formatted:
    """A number cell shown as a date by its number format (how Excel stores every date)."""

    def __init__(self, number: float, number_format: str) -> None:
        self.number = number
        self.number_format = number_format


def dated_workbook(tmp_path: Path, columns: dict[str, list[object]]) -> Path:
    """One case per row (``F0``, ``F1``, …) with the given timestamp columns."""
    book = openpyxl.Workbook()
    sheet = book.active
    names = list(columns)
    sheet.append(["Fall", "Tätigkeit", *names])
    for index, values in enumerate(zip(*columns.values(), strict=True)):
        sheet.append([f"F{index}", "Antrag prüfen", *(None for _ in names)])
        for offset, value in enumerate(values):
            cell = sheet.cell(row=index + 2, column=3 + offset)
            if isinstance(value, Formatted):
                cell.value = value.number
                cell.number_format = value.number_format
            else:
                cell.value = value
    path = tmp_path / "export.xlsx"
    book.save(path)
    return path


def ingest_sheet(tmp_path: Path, path: Path, **options: object) -> tuple[Ingested, dict]:
    target = tmp_path / "events.parquet"
    result = ingest_file(
        path,
        target,
        options=ImportOptions(**options),  # type: ignore[arg-type]
        secret=load_or_create_secret(tmp_path),
        source=path.name,
    )
    table = pq.read_table(target)
    by_case = {
        row["case_id"]: (row["timestamp"], row["start_timestamp"]) for row in table.to_pylist()
    }
    return result, by_case


def berlin(*fields: int) -> dt.datetime:
    return dt.datetime(*fields, tzinfo=ZoneInfo("Europe/Berlin")).astimezone(dt.UTC)


DATE_CELLS: list[tuple[object, dt.datetime]] = [
    (dt.datetime(2024, 2, 3, 14, 5), berlin(2024, 2, 3, 14, 5)),
    (dt.datetime(2024, 7, 3, 9, 0, 30), berlin(2024, 7, 3, 9, 0, 30)),
    (dt.date(2024, 2, 5), berlin(2024, 2, 5)),
    (Formatted(45325.5, "DD.MM.YYYY hh:mm"), berlin(2024, 2, 3, 12)),
    (Formatted(45326, "DD.MM.YYYY"), berlin(2024, 2, 4)),
]


@pytest.mark.parametrize(
    ("texts", "fmt"),
    [
        (["03.02.2019 14:05", "04.03.2019 09:00", "13.02.2019 08:30"], "%d.%m.%Y %H:%M"),
        (["03.02.2019", "04.03.2019", "13.02.2019"], "%d.%m.%Y"),
        (
            ["03.02.2019 14:05:30", "04.03.2019 09:00:00", "13.02.2019 08:30:59"],
            "%d.%m.%Y %H:%M:%S",
        ),
        (["03.02.19 14:05", "04.03.19 09:00", "13.02.19 08:30"], "%d.%m.%y %H:%M"),
        (["2019-02-03 14:05", "2019-03-04 09:00", "2019-02-13T08:30:00"], None),
    ],
    ids=["german", "german-date-only", "german-seconds", "german-short-year", "iso-text"],
)
def test_date_cells_and_text_dates_in_one_column_are_each_read_by_their_type(
    tmp_path: Path, texts: list[str], fmt: str | None
) -> None:
    expected = [instant for _, instant in DATE_CELLS]
    for text in texts:
        value = dt.datetime.fromisoformat(text) if fmt is None else dt.datetime.strptime(text, fmt)
        expected.append(value.replace(tzinfo=ZoneInfo("Europe/Berlin")).astimezone(dt.UTC))
    cells = [cell for cell, _ in DATE_CELLS]
    # Old text rows first, then the date cells, then text again: no block is all of one kind.
    column = [texts[0], *cells[:3], texts[1], *cells[3:], texts[2]]
    order = [5, 0, 1, 2, 6, 3, 4, 7]
    path = dated_workbook(tmp_path, {"Zeitpunkt": column})
    result, by_case = ingest_sheet(tmp_path, path)
    assert result.report.invalid_timestamps == ()
    got = [by_case[f"F{row}"][0] for row in range(len(column))]
    assert got == [expected[index] for index in order]


def test_explicit_format_applies_to_text_cells_only(tmp_path: Path) -> None:
    cells = [cell for cell, _ in DATE_CELLS]
    path = dated_workbook(tmp_path, {"Zeitpunkt": [*cells, "03.02.2019 14:05"]})
    _, by_case = ingest_sheet(tmp_path, path, timestamp_format="%d.%m.%Y %H:%M")
    assert [by_case[f"F{i}"][0] for i in range(len(cells))] == [i for _, i in DATE_CELLS]
    assert by_case[f"F{len(cells)}"][0] == berlin(2019, 2, 3, 14, 5)

    # A text cell in another format is refused by the explicit format; the date cells never are.
    path = dated_workbook(tmp_path, {"Zeitpunkt": [*cells, "03.02.2019 14:05", "2019-02-03"]})
    with pytest.raises(EventLogError) as raised:
        ingest_sheet(tmp_path, path, timestamp_format="%d.%m.%Y %H:%M")
    assert raised.value.lines == (len(cells) + 3,)


@pytest.mark.parametrize("bad", ["kein Datum", "31.02.2019 10:00", "03.02.2019 25:00"])
def test_a_text_cell_that_matches_no_format_rejects_the_file_naming_its_row(
    tmp_path: Path, bad: str
) -> None:
    cells = [cell for cell, _ in DATE_CELLS]
    path = dated_workbook(
        tmp_path, {"Zeitpunkt": ["03.02.2019 14:05", *cells, bad, "04.02.2019 10:00"]}
    )
    with pytest.raises(EventLogError) as raised:
        ingest_sheet(tmp_path, path)
    assert raised.value.lines == (len(cells) + 3,)
    assert not (tmp_path / "events.parquet").exists()


def test_a_time_of_day_cell_is_no_timestamp(tmp_path: Path) -> None:
    path = dated_workbook(
        tmp_path, {"Zeitpunkt": [dt.datetime(2024, 2, 3, 14, 5), dt.time(14, 5), "03.02.2019"]}
    )
    with pytest.raises(EventLogError) as raised:
        ingest_sheet(tmp_path, path)
    assert raised.value.lines == (3,)


def test_a_column_of_date_cells_only_and_one_of_text_only(tmp_path: Path) -> None:
    cells = [cell for cell, _ in DATE_CELLS]
    result, by_case = ingest_sheet(tmp_path, dated_workbook(tmp_path, {"Zeitpunkt": cells}))
    assert [by_case[f"F{i}"][0] for i in range(len(cells))] == [i for _, i in DATE_CELLS]
    assert any("Datumszellen" in message for message in result.messages)

    texts = ["03.02.2019 14:05", "04.03.2019 09:00"]
    result, by_case = ingest_sheet(tmp_path, dated_workbook(tmp_path, {"Zeitpunkt": texts}))
    assert [by_case["F0"][0], by_case["F1"][0]] == [
        berlin(2019, 2, 3, 14, 5),
        berlin(2019, 3, 4, 9),
    ]
    assert result.report.timestamp_format == "%d.%m.%Y %H:%M"


def test_the_start_timestamp_column_mixes_cells_and_text_too(tmp_path: Path) -> None:
    path = dated_workbook(
        tmp_path,
        {
            "Beginn": ["03.02.2019 14:00", dt.datetime(2024, 2, 3, 9), None, dt.date(2024, 2, 5)],
            "Ende": [
                dt.datetime(2019, 2, 3, 15),
                "03.02.2024 10:00",
                "04.02.2024 00:00",
                "05.02.2024 08:00",
            ],
        },
    )
    expected = {
        "F0": (berlin(2019, 2, 3, 15), berlin(2019, 2, 3, 14)),
        "F1": (berlin(2024, 2, 3, 10), berlin(2024, 2, 3, 9)),
        "F2": (berlin(2024, 2, 4), None),
        "F3": (berlin(2024, 2, 5, 8), berlin(2024, 2, 5)),
    }
    for explicit in ({}, {"timestamp_format": "%d.%m.%Y %H:%M"}):
        _, by_case = ingest_sheet(
            tmp_path, path, start_timestamp="Beginn", timestamp="Ende", **explicit
        )
        assert by_case == expected


def test_date_cells_are_marked_for_the_importer_but_stay_invisible(tmp_path: Path) -> None:
    path = dated_workbook(
        tmp_path, {"Zeitpunkt": [dt.datetime(2024, 2, 3, 14, 5), "03.02.2019 14:05", None]}
    )
    with open_table(path) as reader:
        batches = list(reader.batches())
        assert reader.seen_columns() == ("Fall", "Tätigkeit", "Zeitpunkt")
    marks = pa.Table.from_batches(batches).column(DATE_CELLS_COLUMN).to_pylist()
    assert [mark["Zeitpunkt"] for mark in marks] == [True, False, False]
    _, frame = preview_table(path)
    assert list(frame.columns) == ["Fall", "Tätigkeit", "Zeitpunkt"]
