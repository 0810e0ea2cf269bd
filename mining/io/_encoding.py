"""Character encodings of CSV uploads: detect, then decode strictly all the way to the end.

Order of preference (RELIABILITY §2, items 14/15): a BOM decides; else UTF-8 if the sample is
valid UTF-8 (so a UTF-8 file is never read as cp1252, which would give ``Ã¼``); else cp1252,
the encoding German Excel writes. Decoding stays strict: never ``errors="replace"``.

Detection looks at a sample, but a cp1252 umlaut may first appear in row 3 million. The stream
therefore keeps deciding while it reads: as long as only ASCII was seen, nothing is committed
(ASCII is the same in both encodings), and the first non-ASCII byte decides. A byte that
contradicts an encoding already committed to is an error naming the line.
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass
from typing import Protocol

from mining.errors import EventLogError

from ._stream import ReaderStream

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
    ``cp1252``, while only ASCII has been delivered). ``observer`` sees each piece of output
    before pyarrow does: ``observer(data, final=…, newlines=…)``.
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
        self._newlines = 0  # in the output delivered so far, for error lines

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
        if self._provisional:
            if chunk.isascii():
                return self._observed(chunk, final=final)
            self._commit(chunk, final=final)
        passthrough = self.codec == _UTF8
        try:
            if passthrough:
                # Validate only; the fast path skips ASCII chunks when no sequence is pending.
                if not (chunk.isascii() and not self._decoder.getstate()[0]):
                    self._decoder.decode(chunk, final=final)
                out = chunk
            else:
                out = self._decoder.decode(chunk, final=final).encode(_UTF8)
        except UnicodeDecodeError as err:
            raise self._decode_error(err) from None
        return self._observed(out, final=final)

    def _observed(self, out: bytes, *, final: bool) -> bytes:
        newlines = out.count(b"\n")
        self._newlines += newlines
        if self._observer is not None:
            self._observer(out, final=final, newlines=newlines)
        return out

    def _commit(self, chunk: bytes, *, final: bool) -> None:
        """First non-ASCII byte of a file whose sample was ASCII: decide on this chunk."""
        self._provisional = False
        match = _NON_ASCII.search(chunk)
        start = match.start() if match else 0
        if _decodes(chunk[start:], _UTF8, complete=final):
            return
        self.codec = _CP1252
        self.encoding = _CP1252
        self._decoder = codecs.getincrementaldecoder(_CP1252)("strict")

    def _decode_error(self, err: UnicodeDecodeError) -> EventLogError:
        before = bytes(err.object[: err.start])
        line = self._newlines + before.decode(self.codec, errors="replace").count("\n") + 1
        byte = err.object[err.start] if err.start < len(err.object) else 0
        return EventLogError(
            f"Ungültiges Zeichen für die Kodierung {self.encoding} (Byte 0x{byte:02X}); die Datei "
            "mischt offenbar Kodierungen. Datei einheitlich speichern oder --encoding angeben.",
            source=self._source,
            line=line,
        )
