"""ZIP uploads: size and ratio checks before anything is inflated, then one member as a stream.

An xlsx is a zip too; both pass ``open_zip`` first. The limits come from the zip directory
(``ZipInfo.file_size``), which costs nothing to read. The directory can lie, so every member is
also read through ``CappedStream``, which counts what really comes out (docs/RELIABILITY.md item 13).
"""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from mining.errors import EventLogError, UnsafeFileError
from mining.ingest.read._stream import CappedStream, Source, gzip_source
from mining.ingest.read._text import mib
from mining.ingest.read._xmlguard import read_prolog

__all__ = [
    "ZipMember",
    "check_xlsx",
    "container_member",
    "extract_member",
    "is_xlsx",
    "member_source",
    "open_zip",
]

MAX_MEMBERS = 10_000
# xlsx: a part that inflates more than 100× and beyond 50 MiB is a bomb (docs/RELIABILITY.md item 13).
XLSX_MAX_RATIO = 100
# A container: XES legitimately compresses ~55× (the road-traffic log), so only far beyond that.
CONTAINER_MAX_RATIO = 1000
RATIO_MIN_BYTES = 50 * 1024 * 1024
# zipfile inflates bzip2 and LZMA members without an output limit: a zip of a few hundred bytes
# becomes gigabytes in memory in one read, before any cap counts them. Deflate (what Windows,
# macOS and Excel write) is inflated in bounded steps, stored members not at all.
_READ_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_UNSUPPORTED_METHOD = (
    "Die ZIP-Datei verwendet ein nicht unterstütztes Packverfahren; bitte mit dem "
    "Standardverfahren (Deflate) packen."
)
_MEMBER_FORMATS = (
    (".xes.gz", "xes.gz"),
    (".xes", "xes"),
    (".csv", "csv"),
    (".tsv", "csv"),
    (".txt", "csv"),
    (".parquet", "parquet"),
)


@dataclass(frozen=True)
class ZipMember:
    info: zipfile.ZipInfo
    kind: str  # "xes", "xes.gz", "csv", "parquet"


def open_zip(path: Path, source: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise EventLogError("Die ZIP-Datei ist beschädigt.", source=source) from None
    if len(archive.infolist()) > MAX_MEMBERS:
        archive.close()
        raise UnsafeFileError(
            f"Die ZIP-Datei enthält mehr als {MAX_MEMBERS} Einträge.", source=source
        )
    for info in archive.infolist():
        if info.flag_bits & 0x1:
            archive.close()
            raise EventLogError(
                "Die ZIP-Datei ist verschlüsselt; bitte ohne Passwort packen.", source=source
            )
    return archive


def is_xlsx(archive: zipfile.ZipFile) -> bool:
    return "xl/workbook.xml" in archive.namelist()


def check_xlsx(archive: zipfile.ZipFile, *, source: str, max_bytes: int) -> None:
    """Size, ratio and DTD checks over every part of a workbook, before openpyxl opens it."""
    total = sum(info.file_size for info in archive.infolist())
    if total > max_bytes:
        raise UnsafeFileError(
            f"Die Excel-Datei ist entpackt {mib(total)} MiB groß; erlaubt sind höchstens "
            f"{mib(max_bytes)} MiB.",
            source=source,
        )
    for info in archive.infolist():
        _check_ratio(info, XLSX_MAX_RATIO, source)
        if info.compress_type not in _READ_METHODS:  # openpyxl may open any part
            raise EventLogError(_UNSUPPORTED_METHOD, source=source)
    for info in archive.infolist():
        if info.filename.endswith((".xml", ".rels")) or info.filename == "[Content_Types].xml":
            with _capped(archive, info, source, max_bytes) as stream:
                # openpyxl parses with defusedxml, which refuses entities itself; this check
                # refuses any DTD first and quickly, with our message (docs/RELIABILITY.md item 12).
                read_prolog(stream, source=source)


def container_member(archive: zipfile.ZipFile, *, source: str, max_bytes: int) -> ZipMember:
    """The one event log in a zip; macOS resource forks and hidden files do not count."""
    candidates: list[ZipMember] = []
    for info in archive.infolist():
        name = info.filename
        base = name.rsplit("/", 1)[-1]
        if info.is_dir() or name.startswith("__MACOSX/") or base.startswith("."):
            continue
        kind = next((k for suffix, k in _MEMBER_FORMATS if base.lower().endswith(suffix)), None)
        if kind is not None:
            candidates.append(ZipMember(info, kind))
    if len(candidates) != 1:
        found = ", ".join(m.info.filename for m in candidates[:10]) or "keine"
        raise EventLogError(
            "Die ZIP-Datei muss genau eine .csv-, .xes-, .xes.gz- oder .parquet-Datei "
            f"enthalten; gefunden: {found}.",
            source=source,
        )
    member = candidates[0]
    if member.info.file_size > max_bytes:
        raise UnsafeFileError(
            f"Die Datei im ZIP ist entpackt {mib(member.info.file_size)} MiB groß; erlaubt sind "
            f"höchstens {mib(max_bytes)} MiB.",
            source=source,
        )
    _check_ratio(member.info, CONTAINER_MAX_RATIO, source)
    return member


def member_source(path: Path, member: ZipMember, *, source: str, max_bytes: int) -> Source:
    """Re-openable stream of the member's bytes (inflated again for ``.xes.gz``)."""

    def open_raw() -> _ArchiveMember:
        archive = open_zip(path, source)
        return _ArchiveMember(archive, _open_member(archive, member.info, source))

    if member.kind == "xes.gz":
        return gzip_source(open_raw, source, max_bytes)

    def opener() -> CappedStream:
        return CappedStream(open_raw(), max_bytes=max_bytes, source=source, compressed=True)

    return Source(source, opener)


def extract_member(
    path: Path, member: ZipMember, target: Path, *, source: str, max_bytes: int
) -> Path:
    """Copy the member to ``target`` (for formats that need a seekable file: Parquet)."""
    with (
        member_source(path, member, source=source, max_bytes=max_bytes).open() as stream,
        open(target, "wb") as out,
    ):
        shutil.copyfileobj(stream, out, 1024 * 1024)
    return target


def _check_ratio(info: zipfile.ZipInfo, limit: int, source: str) -> None:
    ratio = info.file_size / max(1, info.compress_size)
    if info.file_size > RATIO_MIN_BYTES and ratio > limit:
        raise UnsafeFileError(
            f"Ein Teil der ZIP-Datei ({info.filename}) würde sich auf das {ratio:.0f}-Fache "
            f"entpacken ({mib(info.file_size)} MiB); das sieht nach einer ZIP-Bombe aus.",
            source=source,
        )


def _capped(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, source: str, max_bytes: int
) -> CappedStream:
    stream = _open_member(archive, info, source)
    return CappedStream(stream, max_bytes=max_bytes, source=source, compressed=True)


def _open_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, source: str) -> IO[bytes]:
    # Deflate64 (Windows Explorer, large files) is not in the list either.
    if info.compress_type not in _READ_METHODS:
        archive.close()
        raise EventLogError(_UNSUPPORTED_METHOD, source=source)
    try:
        return archive.open(info)
    except (zipfile.BadZipFile, OSError, RuntimeError):
        archive.close()
        raise EventLogError("Die ZIP-Datei ist beschädigt.", source=source) from None


class _ArchiveMember:
    """A member stream that closes its ``ZipFile`` with it."""

    def __init__(self, archive: zipfile.ZipFile, stream: IO[bytes]) -> None:
        self._archive = archive
        self._stream = stream

    def read(self, size: int = -1, /) -> bytes:
        return self._stream.read(size)

    def close(self) -> None:
        try:
            self._stream.close()
        finally:
            self._archive.close()
