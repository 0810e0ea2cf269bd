"""Quotes in CSV uploads (issue 12.2): a quote that swallows rows refuses the file, by its line.

pyarrow, like Excel, reads a quote at the start of a field as the start of a value that runs to
the next lone quote, across line breaks. A quote that is never closed therefore turns the rest
of the file into one value, and one closed only much later turns the rows in between into one
value: rows are lost without an error. These tests build such files with the quote in every
column, at every position, followed by little or by megabytes, with every separator, encoding
and container, and read them through every path that reads a CSV.
"""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
from pathlib import Path
from unittest.mock import patch

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mining.errors import EventLogError
from mining.ingest.read import LINE_COLUMN, ReadOptions, open_table, preview_table
from mining.ingest.read._quotes import MAX_VALUE_LINES, QuoteScanner

HEADER = ("Fall", "Tätigkeit", "Zeitpunkt", "Team")
ROWS = 20_000  # the reported export: 20,000 rows, about 1 MB, less than one pyarrow block


def export_lines(count: int, sep: str = ";") -> list[str]:
    """``count`` data rows of a municipal export; the row at index i is on line i + 2."""
    return [
        sep.join((f"C{n // 5}", "Antrag prüfen", f"03.02.2024 10:{n % 60:02d}", f"Team {n % 3}"))
        for n in range(count)
    ]


def open_quote(lines: list[str], line: int, column: int, sep: str = ";") -> None:
    """Let the field in ``column`` of the row on ``line`` start with a quote that is not closed."""
    fields = lines[line - 2].split(sep)
    fields[column] = '"' + fields[column]
    lines[line - 2] = sep.join(fields)


def csv_text(lines: list[str], sep: str = ";") -> str:
    return sep.join(HEADER) + "\n" + "\n".join(lines) + "\n"


def write(tmp_path: Path, data: bytes, name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read_all(path: Path, **options: object) -> pa.Table:
    with open_table(path, options=ReadOptions(**options)) as reader:  # type: ignore[arg-type]
        return pa.Table.from_batches(list(reader.batches()))


def refusal(path: Path, **options: object) -> EventLogError:
    with pytest.raises(EventLogError) as raised:
        read_all(path, **options)
    return raised.value


# -- an unterminated quote, wherever it is ------------------------------------------------------


@pytest.mark.parametrize("sep", [";", ",", "\t", "|"])
@pytest.mark.parametrize("column", [0, 1, 3], ids=["first", "middle", "last"])
@pytest.mark.parametrize("line", [3, 5_000, ROWS + 1], ids=["near-start", "middle", "last-line"])
def test_an_unterminated_quote_is_refused_naming_the_line_it_opened(
    tmp_path: Path, sep: str, column: int, line: int
) -> None:
    lines = export_lines(ROWS, sep)
    open_quote(lines, line, column, sep)
    error = refusal(write(tmp_path, csv_text(lines, sep).encode()))
    assert error.line == line, error
    assert "Anführungszeichen" in error.reason
    assert f"Zeile {line}" in str(error)


def _huge_line(lines: list[str]) -> list[str]:
    # No line break for 3 MiB after the quote: more than pyarrow's block holds.
    lines[4_999] += "x" * (3 * 1024 * 1024)
    return lines


@pytest.mark.parametrize(
    ("rows", "line", "change"),
    [
        (ROWS, ROWS - 3, None),  # a few lines follow
        (ROWS, 5_000, None),  # 15,000 rows follow: beyond Python csv's field-size limit
        (160_000, 5_000, None),  # megabytes follow: beyond pyarrow's block size
        (ROWS, 5_000, _huge_line),  # one line longer than a block follows
    ],
    ids=["few-lines", "field-size-limit", "megabytes", "one-huge-line"],
)
def test_whatever_follows_an_unterminated_quote_the_file_is_refused(
    tmp_path: Path, rows: int, line: int, change
) -> None:
    lines = export_lines(rows)
    open_quote(lines, line, 3)
    if change is not None:
        lines = change(lines)
    error = refusal(write(tmp_path, csv_text(lines).encode()))
    assert error.line == line, error
    assert "Anführungszeichen" in error.reason


def _packed(kind: str, data: bytes, tmp_path: Path) -> Path:
    if kind == "plain":
        return write(tmp_path, data)
    if kind == "gzip":
        return write(tmp_path, gzip.compress(data), "export.csv.gz")
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export.csv", data)
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("container", ["plain", "gzip", "zip"])
def test_unterminated_quote_in_every_encoding_and_container(
    tmp_path: Path, encoding: str, container: str
) -> None:
    lines = export_lines(ROWS)
    open_quote(lines, 5_000, 3)
    path = _packed(container, csv_text(lines).encode(encoding), tmp_path)
    error = refusal(path)
    assert error.line == 5_000, error
    assert "Anführungszeichen" in error.reason


# -- a quote closed only much later --------------------------------------------------------------


def test_a_quote_closed_by_a_later_quoted_value_is_refused_naming_where_it_opened(
    tmp_path: Path,
) -> None:
    # The closing quote is the opening quote of a value 10,000 rows further down: pyarrow
    # would read rows 5,000 to 15,000 as one value "Team 0\n…;Team 1" and carry on.
    lines = export_lines(ROWS)
    open_quote(lines, 5_000, 3)
    lines[15_000 - 2] = lines[15_000 - 2].replace(";Team", ';"Team') + '"'
    error = refusal(write(tmp_path, csv_text(lines).encode()))
    assert error.line == 5_000, error
    assert "Anführungszeichen" in error.reason


def test_a_short_swallow_closed_by_a_later_quote_is_refused(tmp_path: Path) -> None:
    # Only three rows swallowed; what follows the closing quote gives it away.
    lines = export_lines(100)
    open_quote(lines, 40, 1)
    lines[43 - 2] = lines[43 - 2].replace(";Antrag", ';"Antrag', 1).replace("prüfen", 'prüfen"')
    error = refusal(write(tmp_path, csv_text(lines).encode()))
    assert error.line == 40, error


def test_a_value_spanning_more_lines_than_the_limit_is_refused(tmp_path: Path) -> None:
    # Closed cleanly by a stray quote at the end of a field, 150 lines later: nothing but the
    # length shows that rows were swallowed.
    lines = export_lines(1_000)
    open_quote(lines, 300, 3)
    lines[450 - 2] += '"'
    error = refusal(write(tmp_path, csv_text(lines).encode()))
    assert error.line == 300, error
    assert str(MAX_VALUE_LINES) in error.reason


def test_text_after_a_closing_quote_is_refused_not_garbled(tmp_path: Path) -> None:
    # pyarrow would store 'Antrag prüfen' and drop the quotes without a word.
    data = 'Fall;Tätigkeit;Zeitpunkt\n1;A;03.02.2024 10:00\n2;"Antrag" prüfen;03.02.2024 11:00\n'
    error = refusal(write(tmp_path, data.encode()))
    assert error.line == 3


def test_blanks_after_a_closing_quote_are_harmless(tmp_path: Path) -> None:
    data = 'Fall;Tätigkeit;Zeitpunkt\n1;"Antrag prüfen"  ;03.02.2024 10:00\n'
    table = read_all(write(tmp_path, data.encode()))
    assert table.column("Tätigkeit").to_pylist() == ["Antrag prüfen  "]


# -- legitimate quoted values --------------------------------------------------------------------


@pytest.mark.parametrize("note_lines", [2, 10, MAX_VALUE_LINES])
@pytest.mark.parametrize("sep", [",", ";"])
def test_multi_line_notes_keep_importing_with_later_lines_right(
    tmp_path: Path, note_lines: int, sep: str
) -> None:
    # A "Bemerkung" with separators, doubled quotes and CRLF inside, in several rows.
    note = "\r\n".join(
        f'Rückfrage {i}{sep} Antragsteller sagt ""ja""{sep} ok' for i in range(note_lines)
    )
    out = [sep.join([*HEADER, "Bemerkung"])]
    expected_lines, line = [], 2
    for n in range(3_000):
        quoted = n % 700 == 5
        value = f'"{note}"' if quoted else "kurz"
        out.append(sep.join([f"C{n}", "Antrag prüfen", "03.02.2024 10:00", "Team 1", value]))
        expected_lines.append(line)
        line += 1 + (note_lines - 1 if quoted else 0)
    table = read_all(write(tmp_path, ("\r\n".join(out) + "\r\n").encode()))
    assert table.column(LINE_COLUMN).to_pylist() == expected_lines
    assert table.column("Bemerkung")[5].as_py() == note.replace('""', '"')


def test_one_line_more_than_the_limit_is_refused(tmp_path: Path) -> None:
    note = "\n".join(["Zeile"] * (MAX_VALUE_LINES + 1))
    data = f'Fall;Notiz;Zeit\n1;kurz;a\n2;"{note}";b\n3;kurz;c\n'
    error = refusal(write(tmp_path, data.encode()))
    assert error.line == 3


def test_quotes_inside_unquoted_values_and_empty_quoted_values_stay_text(tmp_path: Path) -> None:
    data = 'a;b;c\n1;Zoll 3";""\n2;"";x"y"z\n3;"a ""b"" c";\n'
    table = read_all(write(tmp_path, data.encode()))
    assert table.to_pylist() == [
        {"a": "1", "b": 'Zoll 3"', "c": "", LINE_COLUMN: 2},
        {"a": "2", "b": "", "c": 'x"y"z', LINE_COLUMN: 3},
        {"a": "3", "b": 'a "b" c', "c": "", LINE_COLUMN: 4},
    ]


# -- the upload wizard's preview -----------------------------------------------------------------


@pytest.mark.parametrize("line", [5_000, ROWS + 1], ids=["middle", "last-line"])
def test_the_preview_refuses_a_file_with_an_unterminated_quote(tmp_path: Path, line: int) -> None:
    lines = export_lines(ROWS)
    open_quote(lines, line, 3)
    path = write(tmp_path, csv_text(lines).encode())
    with pytest.raises(EventLogError) as raised:
        preview_table(path)
    assert raised.value.line == line


def test_the_preview_refuses_a_quote_that_swallows_the_rows_it_would_show(tmp_path: Path) -> None:
    lines = export_lines(ROWS)
    open_quote(lines, 5, 3)
    path = write(tmp_path, csv_text(lines).encode())
    with pytest.raises(EventLogError) as raised:
        preview_table(path, rows=20)
    assert raised.value.line == 5


# -- the scanner against Python's strict csv reader ----------------------------------------------

_text = st.text(alphabet=st.sampled_from(list('ab;"\n')), max_size=60)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_text, cuts=st.lists(st.integers(0, 60), max_size=5))
def test_scanner_agrees_with_pythons_strict_csv_reader_however_the_stream_is_cut(
    text: str, cuts: list[int]
) -> None:
    """Property: a text is refused exactly when Python's strict csv reader refuses it, and the
    verdict and its line do not depend on where the stream's chunks happen to end."""
    data = text.encode()
    try:
        list(csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True))
        strict_ok = True
    except csv.Error:
        strict_ok = False
    verdicts = set()
    for bounds in ([], sorted(set(cuts))):
        scanner = QuoteScanner(";")
        start = 0
        for cut in [*bounds, len(data)]:
            cut = min(max(cut, start), len(data))
            scanner.feed(data[start:cut], final=False)
            start = cut
        scanner.feed(b"", final=True)
        problem = scanner.problem
        verdicts.add(None if problem is None else problem.line)
    assert len(verdicts) == 1
    assert (verdicts.pop() is None) == strict_ok


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.text(alphabet=st.sampled_from(list('ab; "\n\r\t')), max_size=50),
    cuts=st.lists(st.integers(0, 50), max_size=4),
    limit=st.sampled_from([1, 2, MAX_VALUE_LINES]),
)
def test_the_vectorised_check_and_the_quote_by_quote_walk_agree(
    text: str, cuts: list[int], limit: int
) -> None:
    """Property: the fast check only vouches for what the exact walk accepts, limits included."""
    import mining.ingest.read._quotes as quotes

    def problem(fast) -> object:
        with (
            patch.object(quotes, "_fast", fast),
            patch.object(quotes, "MAX_VALUE_LINES", limit),
        ):
            scanner = QuoteScanner(";")
            data, start = text.encode(), 0
            for cut in [*sorted(set(cuts)), len(data)]:
                cut = min(max(cut, start), len(data))
                scanner.feed(data[start:cut], final=False)
                start = cut
            scanner.feed(b"", final=True)
            return scanner.problem

    assert problem(quotes._fast) == problem(lambda *_: None)
