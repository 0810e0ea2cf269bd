"""Character encodings of CSV uploads: detect, then decode strictly all the way to the end.

Order of preference (docs/RELIABILITY.md §2, items 14/15): a BOM decides; else UTF-8 if the sample is
valid UTF-8 (so a UTF-8 file is never read as cp1252, which would give ``Ã¼``); else cp1252,
the encoding German Excel writes. Decoding stays strict: never ``errors="replace"``.

Detection looks at a sample, but a cp1252 umlaut may first appear in row 3 million. The stream
therefore keeps deciding while it reads: as long as only ASCII was seen, nothing is committed
(ASCII is the same in both encodings), and the first non-ASCII byte decides. A byte that
contradicts an encoding already committed to is an error naming the line.

Mixed files (issue 12.3): a UTF-8 line in a file read as Windows-1252 decodes without any error,
to "prÃ¼fen". So every chunk read in a single-byte encoding is also checked for UTF-8 lines
(``_mixed``), and once a line in the other encoding is found, in either direction, the rest of
the file is read to name every such line in one refusal. Where the sample itself is mixed, the
encoding most of its non-ASCII lines use is chosen, so that the refusal names the odd lines.
"""

from __future__ import annotations

import codecs
import functools
import io
import re
from dataclasses import dataclass
from typing import Protocol

from mining.errors import EventLogError
from mining.ingest.read._mixed import (
    MAX_LISTED_LINES,
    foreign_lines,
    has_utf8_characters,
    mixed_encoding_error,
    mostly_utf8,
)
from mining.ingest.read._stream import ReaderStream

__all__ = ["EncodingChoice", "TranscodingStream", "choose_encoding"]

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_UTF8 = "utf-8"
_CP1252 = "cp1252"
_CHUNK = 1024 * 1024
_NON_ASCII = re.compile(rb"[\x80-\xff]")


class Observer(Protocol):
    def __call__(self, data: bytes, *, final: bool, newlines: int) -> None: ...


@dataclass(frozen=True)
class EncodingChoice:
    """``name`` is what the user is shown; ``provisional`` means only ASCII was seen so far."""

    name: str
    codec: str
    skip_bom: int = 0
    provisional: bool = False


def choose_encoding(
    head: bytes, *, complete: bool, explicit: str | None, source: str
) -> EncodingChoice:
    """Pick the encoding for a CSV from its first bytes, or honour the user's choice."""
    if explicit:
        return _explicit(head, explicit, complete=complete, source=source)
    for bom, name in _BOMS:
        if head.startswith(bom):
            if name == "utf-8-sig":
                return EncodingChoice(name, _UTF8, skip_bom=len(bom))
            return EncodingChoice(name, name)
    if _decodes(head, _UTF8, complete=complete):
        return EncodingChoice(_UTF8, _UTF8, provisional=head.isascii())
    if mostly_utf8(head):
        # A UTF-8 export with some lines in another encoding: read as UTF-8, the stream then
        # names those lines (read as cp1252 it would name all the others instead).
        return EncodingChoice(_UTF8, _UTF8)
    if _decodes(head, _CP1252, complete=True):
        return EncodingChoice(_CP1252, _CP1252)
    line, byte = _first_error(head, _CP1252)
    raise EventLogError(
        f"Die Zeichenkodierung ist weder UTF-8 noch Windows-1252 (Byte 0x{byte:02X}). Bitte "
        "die Kodierung mit --encoding angeben oder die Datei als UTF-8 speichern.",
        source=source,
        line=line,
    )


def _explicit(head: bytes, explicit: str, *, complete: bool, source: str) -> EncodingChoice:
    try:
        codec = codecs.lookup(explicit).name
    except LookupError:
        raise EventLogError(
            f"Unbekannte Zeichenkodierung „{explicit}“ (z. B. utf-8, cp1252, latin-1).",
            source=source,
        ) from None
    skip = 3 if codec == _UTF8 and head.startswith(b"\xef\xbb\xbf") else 0
    if not _decodes(head[skip:], codec, complete=complete):
        line, byte = _first_error(head[skip:], codec)
        raise EventLogError(
            f"Die Datei ist nicht in der angegebenen Kodierung „{explicit}“ gespeichert "
            f"(Byte 0x{byte:02X}). Ohne --encoding wird die Kodierung erkannt.",
            source=source,
            line=line,
        )
    if codec not in (_UTF8, "utf-16", "utf-32") and not head.isascii():
        # A non-ASCII sample that is valid UTF-8 is UTF-8: German text in cp1252 is never valid
        # UTF-8 by accident. Reading it as cp1252 would turn every umlaut into "Ã¼" (item 15).
        if _decodes(head, _UTF8, complete=complete):
            raise EventLogError(
                f"Die Datei ist UTF-8-kodiert, angegeben war „{explicit}“; Umlaute würden "
                "verfälscht (z. B. „Ã¼“ statt „ü“). --encoding weglassen oder utf-8 angeben.",
                source=source,
            )
    name = "utf-8-sig" if skip else codec
    return EncodingChoice(name, codec, skip_bom=skip)


def _decodes(data: bytes, codec: str, *, complete: bool) -> bool:
    try:
        codecs.getincrementaldecoder(codec)("strict").decode(data, final=complete)
    except UnicodeDecodeError:
        return False
    return True


@functools.cache
def _single_byte(codec: str) -> bool:
    """cp1252, latin-1 and the like: every byte is one character (and UTF-8 decodes in them)."""
    return len(bytes(range(256)).decode(codec, errors="replace")) == 256


def _first_error(data: bytes, codec: str) -> tuple[int, int]:
    try:
        codecs.getincrementaldecoder(codec)("strict").decode(data, final=False)
    except UnicodeDecodeError as err:
        return data.count(b"\n", 0, err.start) + 1, data[err.start]
    return data.count(b"\n") + 1, 0


class TranscodingStream(ReaderStream):
    """Delivers UTF-8 for pyarrow from a byte stream in ``choice``'s encoding, strictly.

    UTF-8 input passes through unchanged (only validated); other encodings are transcoded. The
    encoding actually used is ``encoding`` (it can change once, from a provisional ``utf-8`` to
    ``cp1252``, while only ASCII has been delivered). A file that mixes UTF-8 with a single-byte
    encoding is refused naming every line in the other encoding (``_mixed``). ``observer`` sees
    each piece of output before pyarrow does: ``observer(data, final=…, newlines=…)``.
    """

    def __init__(
        self,
        inner: io.RawIOBase,
        choice: EncodingChoice,
        *,
        source: str,
        observer: Observer | None = None,
    ) -> None:
        super().__init__()
        self._inner = inner
        self._source = source
        self._observer = observer
        self.encoding = choice.name
        self.codec = choice.codec
        self._provisional = choice.provisional
        self._skip = choice.skip_bom
        self._decoder = codecs.getincrementaldecoder(choice.codec)("strict")
        self._buffer = bytearray()
        self._eof = False
        self._line = 1  # line of the next byte to convert
        # Raw bytes after the last line break, so that a line split between two reads is checked
        # whole, and its line number.
        self._tail = b""
        self._tail_line = 1

    def stop(self) -> None:
        """End the stream here: every later read returns ``b""``."""
        self._eof = True
        self._buffer.clear()

    def read(self, size: int | None = -1) -> bytes:
        want = _CHUNK if size is None or size < 0 else size
        while len(self._buffer) < want and not self._eof:
            chunk = self._inner.read(_CHUNK)
            if self._skip:
                chunk, self._skip = self._strip_bom(chunk)
            if not chunk:
                self._eof = True
                self._buffer += self._convert(b"", final=True)
            else:
                self._buffer += self._convert(chunk, final=False)
        if len(self._buffer) <= want:
            data = bytes(self._buffer)
            self._buffer.clear()
        else:
            data = bytes(self._buffer[:want])
            del self._buffer[:want]
        return data

    def _strip_bom(self, chunk: bytes) -> tuple[bytes, int]:
        # The BOM is at most 3 bytes and the first read is 1 MiB, so it is never split.
        return chunk[self._skip :], 0

    def _convert(self, chunk: bytes, *, final: bool) -> bytes:
        if self._provisional and not chunk.isascii():
            self._commit(chunk, final=final)
        if self.codec == _UTF8:
            out = self._validated(chunk, final=final)
        else:
            try:
                out = self._decoder.decode(chunk, final=final).encode(_UTF8)
            except UnicodeDecodeError as err:
                raise self._decode_error(err) from None
            if _single_byte(self.codec):
                self._refuse_utf8_lines(chunk, final=final)
        newlines = out.count(b"\n")
        self._advance(chunk, newlines)
        if self._observer is not None:
            self._observer(out, final=final, newlines=newlines)
        return out

    def _validated(self, chunk: bytes, *, final: bool) -> bytes:
        try:
            # The fast path skips ASCII chunks when no sequence is pending.
            if not (chunk.isascii() and not self._decoder.getstate()[0]):
                self._decoder.decode(chunk, final=final)
        except UnicodeDecodeError:
            raise self._mixed_error(chunk, final=final, read_as_utf8=True) from None
        return chunk

    def _refuse_utf8_lines(self, chunk: bytes, *, final: bool) -> None:
        """Read as a single-byte encoding: no line may be UTF-8 (it would turn into "Ã¼")."""
        whole = self._whole_lines(chunk, final=final)
        if has_utf8_characters(whole) and any(
            foreign_lines(whole, self._tail_line, read_as_utf8=False)
        ):
            raise self._mixed_error(chunk, final=final, read_as_utf8=False)

    def _whole_lines(self, chunk: bytes, *, final: bool) -> bytes:
        """The kept tail and ``chunk`` up to its last line break (all of it at the end)."""
        cut = len(chunk) if final else chunk.rfind(b"\n") + 1
        return self._tail + chunk[:cut] if self._tail else chunk[:cut]

    def _advance(self, chunk: bytes, newlines: int) -> None:
        cut = chunk.rfind(b"\n")
        if cut < 0:
            # A line longer than pyarrow's block is refused by pyarrow; keep the tail bounded.
            self._tail = (self._tail + chunk)[-_CHUNK * 4 :]
        else:
            self._tail = chunk[cut + 1 :]
            self._tail_line = self._line + newlines
        self._line += newlines

    def _mixed_error(self, chunk: bytes, *, final: bool, read_as_utf8: bool) -> EventLogError:
        """Read on to the end and name every line in the other encoding (not only the first)."""
        listed: list[int] = []
        count = 0
        while True:
            whole = self._whole_lines(chunk, final=final)
            for line in foreign_lines(whole, self._tail_line, read_as_utf8=read_as_utf8):
                count += 1
                if len(listed) < MAX_LISTED_LINES:
                    listed.append(line)
            if final:
                break
            self._advance(chunk, chunk.count(b"\n"))
            chunk = self._inner.read(_CHUNK)
            final = not chunk
        return mixed_encoding_error(
            encoding=self.encoding,
            read_as_utf8=read_as_utf8,
            lines=listed,
            count=count,
            source=self._source,
        )

    def _commit(self, chunk: bytes, *, final: bool) -> None:
        """First non-ASCII byte of a file whose sample was ASCII: decide on this chunk."""
        self._provisional = False
        match = _NON_ASCII.search(chunk)
        start = match.start() if match else 0
        if _decodes(chunk[start:], _UTF8, complete=final) or mostly_utf8(chunk):
            return
        self.codec = _CP1252
        self.encoding = _CP1252
        self._decoder = codecs.getincrementaldecoder(_CP1252)("strict")

    def _decode_error(self, err: UnicodeDecodeError) -> EventLogError:
        before = bytes(err.object[: err.start])
        line = self._line + before.decode(self.codec, errors="replace").count("\n")
        byte = err.object[err.start] if err.start < len(err.object) else 0
        return EventLogError(
            f"Ungültiges Zeichen für die Kodierung {self.encoding} (Byte 0x{byte:02X}); die Datei "
            "mischt offenbar Kodierungen. Datei einheitlich speichern oder --encoding angeben.",
            source=self._source,
            line=line,
        )
