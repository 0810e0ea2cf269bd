"""Decompression bombs of valid events are refused when the upload is opened, before any parsing.

docs/RELIABILITY.md item 8: the byte cap alone used to stop a gzip of valid rows only when the
parse reached it, a quarter of an hour of CPU for the default 2 GiB. ``open_table`` now inflates
a compressed upload once, keeping nothing, and refuses it before the first row is parsed. The
caps here are small; the real-size numbers are measured by hand (see the item).
"""

from __future__ import annotations

import gzip
import io
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

from mining.errors import EventLogError, UnsafeFileError
from mining.ingest.read import ReadOptions, open_table

# Far above what a reader looks at when it opens (1 MiB for CSV detection, pyarrow's read-ahead of
# a few blocks, 1000 XES events): before the fix, open_table returned and the parse hit the cap.
CAP = 32 * 1024 * 1024
HEADER = "Fall;Aktivität;Zeitstempel\n".encode()


def events(size: int) -> bytes:
    """Valid event rows, about ``size`` bytes: a bomb that parses fine until the cap."""
    row = b"AZ-%05d;Antrag pr\xc3\xbcfen;03.02.2024 14:%02d\n"
    block = b"".join(row % (i, i % 60) for i in range(2000))
    return block * (size // len(block) + 1)


def gzipped(data: bytes) -> bytes:
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) as gz:
        gz.write(data)
    return raw.getvalue()


def xes_events(size: int) -> bytes:
    event = (
        b'<event><string key="concept:name" value="Antrag pr\xc3\xbcfen"/>'
        b'<date key="time:timestamp" value="2024-02-03T14:05:00+01:00"/></event>'
    )
    # Short traces: the reader peeks at the first events only, not at one endless trace.
    trace = b'<trace><string key="concept:name" value="AZ-1"/>' + event * 5 + b"</trace>"
    body = trace * (size // len(trace) + 1)
    return b'<?xml version="1.0" encoding="UTF-8"?><log>' + body + b"</log>"


def refused_on_open(path: Path) -> EventLogError:
    """The error ``open_table`` itself raises: no reader, so no batch was ever parsed."""
    with pytest.raises(EventLogError) as info:
        open_table(path, options=ReadOptions(max_bytes=CAP))
    return info.value


def test_gzip_of_valid_rows_past_the_cap_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "export.csv.gz"
    path.write_bytes(gzipped(HEADER + events(2 * CAP)))
    assert path.stat().st_size < CAP // 4
    error = refused_on_open(path)
    assert isinstance(error, UnsafeFileError)
    assert str(error) == (
        "export.csv.gz: Die Datei ist entpackt größer als die erlaubten 32,0 MiB; der Import "
        "wurde abgebrochen. Große Protokolle bitte aufteilen oder die Grenze anheben."
    )


def test_multi_member_gzip_is_counted_whole(tmp_path: Path) -> None:
    # Each member alone is under the cap (and says so in its size trailer); together they are not.
    first = gzipped(HEADER + events(CAP * 3 // 4))
    second = gzipped(events(CAP * 3 // 4))
    assert struct.unpack("<I", second[-4:])[0] < CAP
    path = tmp_path / "export.csv.gz"
    path.write_bytes(first + second)
    assert isinstance(refused_on_open(path), UnsafeFileError)


def test_xes_gz_past_the_cap_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "log.xes.gz"
    path.write_bytes(gzipped(xes_events(2 * CAP)))
    assert "entpackt größer" in refused_on_open(path).reason


def test_xes_gz_inside_a_zip_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "log.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("log.xes.gz", gzipped(xes_events(2 * CAP)))
    assert "entpackt größer" in refused_on_open(path).reason


def test_zip_member_that_lies_about_its_size_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    data = HEADER + events(2 * CAP)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("export.csv", data)
    # Declare just under the cap, in both the local header and the central directory.
    raw = path.read_bytes()
    true_size = struct.pack("<I", len(data))
    assert raw.count(true_size) == 2
    path.write_bytes(raw.replace(true_size, struct.pack("<I", CAP - 1)))
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo("export.csv").file_size == CAP - 1
    assert "beschädigt" in refused_on_open(path).reason


def test_compressed_uploads_within_the_cap_still_read_whole(tmp_path: Path) -> None:
    data = HEADER + events(CAP // 2)
    path = tmp_path / "export.csv.gz"
    path.write_bytes(gzipped(data[: len(data) // 2]) + gzipped(data[len(data) // 2 :]))
    with open_table(path, options=ReadOptions(max_bytes=CAP)) as reader:
        assert sum(b.num_rows for b in reader.batches()) == data.count(b"\n") - 1


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA], ids=["bzip2", "lzma"])
def test_bzip2_and_lzma_members_are_refused_unread(tmp_path: Path, method: int) -> None:
    """zipfile inflates these without an output limit: 600 bytes of bzip2 that claim 5 kB held
    1.2 GB in memory at the first read. Only Deflate and stored members are read."""
    log = tmp_path / "log.zip"
    with zipfile.ZipFile(log, "w", method) as zf:
        zf.writestr("log.csv", HEADER + events(1000))
    book = tmp_path / "mappe.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["Fall", "Aktivität"])
    workbook.save(book)
    repacked = tmp_path / "repacked.xlsx"
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(repacked, "w", method) as out:
        for info in source.infolist():
            out.writestr(info.filename, source.read(info))
    for path in (log, repacked):
        with pytest.raises(EventLogError, match="nicht unterstütztes Packverfahren"):
            open_table(path)
