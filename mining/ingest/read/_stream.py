"""Byte sources with a hard cap: every upload is read through ``CappedStream``.

The cap counts bytes *after* decompression, so a small ``.xes.gz`` or ``.zip`` that expands to
gigabytes is stopped at ``max_bytes`` (docs/RELIABILITY.md item 8) instead of filling memory or disk.
``check_inflated_size`` makes that stop quick: it inflates a compressed upload once, keeping
nothing, before a single row is parsed.
Decompression errors (cut-off gzip, bad CRC in a zip) become ``EventLogError`` right here, so
they read the same whether pyarrow, lxml or our own code happened to pull the bytes.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import stat
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from mining.errors import EventLogError, UnsafeFileError
from mining.ingest.read._text import mib

__all__ = [
    "CappedStream",
    "Readable",
    "ReplayStream",
    "Source",
    "check_inflated_size",
    "check_local_file",
    "file_source",
    "gzip_source",
    "read_head",
]

_CHUNK = 1024 * 1024


class _Closable(Protocol):
    def close(self) -> None: ...


class Readable(Protocol):
    """What a source stream needs: a file, a ``GzipFile``, a zip member."""

    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


class ReaderStream(io.RawIOBase):
    """A read-only raw stream over ``self._inner``: subclasses implement ``read``; ``readinto``
    (what buffered readers and pyarrow call) and closing the inner stream are shared."""

    _inner: _Closable

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            try:
                self._inner.close()
            finally:
                super().close()


class CappedStream(ReaderStream):
    """A read-only stream that refuses to deliver more than ``max_bytes`` bytes.

    ``closers`` are closed with the stream (the file under a ``GzipFile``, the ``ZipFile`` under a
    member), innermost last.
    """

    def __init__(
        self,
        inner: Readable,
        *,
        max_bytes: int,
        source: str,
        compressed: bool,
        closers: Sequence[_Closable] = (),
    ) -> None:
        super().__init__()
        self._inner = inner
        self._max = max_bytes
        self._source = source
        self._compressed = compressed
        self._closers = closers
        self.count = 0

    def read(self, size: int | None = -1) -> bytes:
        # Never ask the inner stream for "everything": a bomb would be inflated before we count.
        want = self._max + 1 - self.count if size is None or size < 0 else size
        try:
            data = self._inner.read(max(0, want))
        except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as err:
            reason = (
                "Die komprimierte Datei ist beschädigt oder unvollständig (abgeschnitten?)."
                if self._compressed
                else "Die Datei konnte nicht gelesen werden."
            )
            raise EventLogError(f"{reason} ({type(err).__name__})", source=self._source) from None
        self.count += len(data)
        if self.count > self._max:
            what = "entpackt " if self._compressed else ""
            raise UnsafeFileError(
                f"Die Datei ist {what}größer als die erlaubten {mib(self._max)} MiB; der Import "
                "wurde abgebrochen. Große Protokolle bitte aufteilen oder die Grenze anheben.",
                source=self._source,
            )
        return data

    def close(self) -> None:
        if self.closed:
            return
        try:
            for item in (self._inner, *self._closers):
                with contextlib.suppress(OSError):  # close the rest even if one fails
                    item.close()
        finally:
            super().close()


class ReplayStream(ReaderStream):
    """Hands out ``prefix`` first, then the rest of ``inner``: the bytes a detector already read."""

    def __init__(self, prefix: bytes, inner: io.RawIOBase) -> None:
        super().__init__()
        self._prefix = prefix
        self._inner = inner

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            data, self._prefix = self._prefix + self._inner.read(-1), b""
            return data
        if self._prefix:
            data, self._prefix = self._prefix[:size], self._prefix[size:]
            return data
        return self._inner.read(size)


@dataclass(frozen=True)
class Source:
    """A byte stream that can be opened again from the start (detection reads a head first)."""

    name: str
    open: Callable[[], CappedStream]


def check_local_file(path: Path, source: str, max_bytes: int) -> int:
    """The size of ``path`` if it is a readable regular file within the cap, else a clear error.

    Only regular files: a FIFO or device would block or never end. Nothing here resolves URLs, so
    a string like ``http://host/x.xes`` is just a local path that does not exist (item 11).
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise EventLogError("Datei nicht gefunden.", source=source) from None
    except OSError as err:
        raise EventLogError(
            f"Die Datei kann nicht geöffnet werden ({type(err).__name__}).", source=source
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise EventLogError("Das ist keine normale Datei.", source=source)
    if info.st_size == 0:
        raise EventLogError("Die Datei ist leer.", source=source)
    if info.st_size > max_bytes:
        raise UnsafeFileError(
            f"Die Datei ist {mib(info.st_size)} MiB groß; erlaubt sind höchstens "
            f"{mib(max_bytes)} MiB.",
            source=source,
        )
    return info.st_size


def file_source(path: Path, source: str, max_bytes: int) -> Source:
    def opener() -> CappedStream:
        return CappedStream(
            open(path, "rb"),  # owned and closed by the CappedStream
            max_bytes=max_bytes,
            source=source,
            compressed=False,
        )

    return Source(source, opener)


def gzip_source(open_raw: Callable[[], Readable], source: str, max_bytes: int) -> Source:
    """Decompress what ``open_raw`` yields (a file or a zip member), capped after inflation."""

    def opener() -> CappedStream:
        raw = open_raw()
        return CappedStream(
            gzip.GzipFile(fileobj=raw, mode="rb"),  # type: ignore[arg-type]
            max_bytes=max_bytes,
            source=source,
            compressed=True,
            closers=(raw,),
        )

    return Source(source, opener)


def check_inflated_size(source: Source) -> None:
    """Inflate ``source`` once, keeping nothing, and refuse it if it grows past its cap.

    Parsing and normalizing run at tens of MB/s, inflating with zlib at hundreds: a gzip of valid
    XES rows that the parse stopped at the 2 GiB cap after two minutes of CPU is refused here in
    two seconds, before anything is parsed or stored (docs/RELIABILITY.md item 8). Only the
    inflated bytes are counted: the gzip trailer's size is mod 2**32 and a zip directory can lie,
    and a multi-member gzip is counted whole. A ratio rule would refuse earlier still, but a bomb
    of varied valid rows compresses no better than a real log (10-20×), and a repetitive real log
    can compress far better; the cap alone is exact and fast enough. A cut-off or corrupt archive
    fails here too, with the same message the parse would give. Legitimate uploads pay one extra
    inflation, one to three seconds of CPU per inflated GiB.
    """
    with source.open() as stream:
        while stream.read(_CHUNK):
            pass


def read_head(source: Source, size: int) -> tuple[bytes, bool]:
    """The first ``size`` bytes, and whether that is the whole stream."""
    with source.open() as stream:
        parts: list[bytes] = []
        got = 0
        while got < size:
            chunk = stream.read(min(_CHUNK, size - got))
            if not chunk:
                return b"".join(parts), True
            parts.append(chunk)
            got += len(chunk)
        complete = not stream.read(1)
    return b"".join(parts), complete
