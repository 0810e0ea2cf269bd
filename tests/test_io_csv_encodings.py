"""Mixed encodings in one CSV (issue 12.3): refused naming the odd lines, never stored garbled.

A clerk's system may append a new UTF-8 export to an old Windows-1252 one. Read as Windows-1252,
every UTF-8 umlaut of the new part becomes two characters ("prÃ¼fen"); read as UTF-8, the old
part does not decode. pmo refuses such a file and names the lines written in the other
encoding, wherever they are: at the start, in the middle, after the part the detector samples,
at the end, in any column, inside a .gz or a .zip.
"""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pyarrow as pa
import pytest

from mining.errors import EventLogError
from mining.ingest.read import ReadOptions, open_table

HEADER = "Fall;Tätigkeit;Zeitpunkt;Team\n"


def row(n: int, column: int | None = None) -> str:
    """A row with one non-ASCII value in ``column`` (ASCII only when ``column`` is None)."""
    fields = [f"C{n}", "Antrag pruefen", f"03.02.2024 10:{n % 60:02d}", f"Team {n % 3}"]
    if column is not None:
        fields[column] = {0: f"Ä-{n}", 1: "Antrag prüfen", 3: "Team Süd"}[column]
    return ";".join(fields) + "\n"


def mixed_file(count: int, odd_lines: set[int], *, base: str, odd: str, column: int = 1) -> bytes:
    """``count`` rows in ``base`` encoding, except those on ``odd_lines`` written in ``odd``."""
    parts = [HEADER.encode(base)]
    for n in range(count):
        line = n + 2
        parts.append(row(n, column).encode(odd if line in odd_lines else base))
    return b"".join(parts)


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


ROWS = 60_000  # about 2.7 MB: far beyond the 1 MiB the detector samples


@pytest.mark.parametrize(
    "line", [2, 3_000, 40_000, ROWS + 1], ids=["start", "middle", "beyond-sample", "end"]
)
@pytest.mark.parametrize("column", [0, 1, 3], ids=["first", "middle", "last"])
def test_a_utf8_line_in_a_cp1252_file_is_refused_naming_it(
    tmp_path: Path, line: int, column: int
) -> None:
    data = mixed_file(ROWS, {line}, base="cp1252", odd="utf-8", column=column)
    error = refusal(write(tmp_path, data))
    assert (error.line, error.lines) == (line, (line,)), error
    assert "UTF-8" in error.reason
    assert "Ã" not in error.reason.replace("„Ã¼“", "")  # no garbled text beyond the example


def test_several_utf8_lines_are_all_named(tmp_path: Path) -> None:
    odd = {10, 2_500, 2_501, 45_000, ROWS + 1}
    error = refusal(write(tmp_path, mixed_file(ROWS, odd, base="cp1252", odd="utf-8")))
    assert error.lines == tuple(sorted(odd))
    assert error.line == 10


def test_an_appended_utf8_export_is_refused_naming_where_it_starts(tmp_path: Path) -> None:
    # The concatenation case: 30,000 old rows in cp1252, then 30,000 new ones in UTF-8.
    odd = set(range(30_002, ROWS + 2))
    error = refusal(write(tmp_path, mixed_file(ROWS, odd, base="cp1252", odd="utf-8")))
    assert error.line == 30_002
    assert "30002" in error.reason
    assert "30.000" in error.reason  # how many lines are concerned


@pytest.mark.parametrize("lines", [{2}, {20_000, 20_001, ROWS + 1}])
def test_cp1252_lines_in_a_utf8_file_stay_refused_and_are_all_named(
    tmp_path: Path, lines: set[int]
) -> None:
    data = mixed_file(ROWS, lines, base="utf-8", odd="cp1252")
    error = refusal(write(tmp_path, data))
    assert error.lines == tuple(sorted(lines))
    assert error.line == min(lines)
    assert "Kodierung" in error.reason


def test_an_ascii_head_does_not_hide_the_mix(tmp_path: Path) -> None:
    # The sample is ASCII, so the stream decides late; the mix is still found.
    parts = [b"Fall;Taetigkeit;Zeitpunkt;Team\n"]
    parts += [row(n).encode() for n in range(40_000)]
    parts.append(row(40_000, 1).encode("cp1252"))  # line 40,002 decides: cp1252
    parts += [row(n).encode() for n in range(40_001, 45_000)]
    parts.append(row(45_000, 3).encode("utf-8"))  # line 45,002
    error = refusal(write(tmp_path, b"".join(parts)))
    assert error.lines == (45_002,)


@pytest.mark.parametrize("container", ["gzip", "zip"])
def test_the_mix_is_found_inside_gzip_and_zip(tmp_path: Path, container: str) -> None:
    data = mixed_file(ROWS, {41_000}, base="cp1252", odd="utf-8")
    if container == "gzip":
        path = write(tmp_path, gzip.compress(data), "export.csv.gz")
    else:
        path = tmp_path / "export.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("daten/export.csv", data)
    error = refusal(path)
    assert error.lines == (41_000,)


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_an_explicit_single_byte_encoding_does_not_store_mojibake_either(
    tmp_path: Path, encoding: str
) -> None:
    data = mixed_file(200, {150}, base="cp1252", odd="utf-8")
    error = refusal(write(tmp_path, data), encoding=encoding)
    assert error.lines == (150,)


def test_german_cp1252_punctuation_is_not_taken_for_utf8(tmp_path: Path) -> None:
    # Typographic quotes, dashes, euro, section and degree signs next to umlauts and ß: bytes
    # in the ranges UTF-8 uses, which must still read as Windows-1252.
    values = [
        "Gruß „Straße“ – 5 €",
        "§ 42a VwVfG – Frist",
        "Größe 20 °C · ½ Seite",
        "Maß…",
        "Fuß“",
    ]
    text = HEADER + "".join(f"C{n};{v};03.02.2024 10:00;Team\n" for n, v in enumerate(values))
    table = read_all(write(tmp_path, text.encode("cp1252")))
    assert table.column("Tätigkeit").to_pylist() == values
