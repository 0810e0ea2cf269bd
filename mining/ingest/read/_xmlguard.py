"""The prolog check for streamed XML (XES, the parts of an xlsx): no DTD ever reaches a parser.

A DTD can only stand in the prolog, before the root element's start tag. So we read the prolog
ourselves, byte for byte up to the root tag, and refuse any ``<!`` there that is not a comment.
That is stricter than a search for ``<!DOCTYPE`` (it also catches spellings a search might miss)
and it needs no full parse: XES files are large and are parsed as a stream afterwards. The same
rule as ``process_registry.bpmn.safe_xml`` (its ``_DTD_PATTERN``), which needs the whole document
in memory and so cannot serve here. Messages never quote the document.
"""

from __future__ import annotations

import re

from mining.errors import UnsafeFileError
from mining.ingest.read._stream import Readable

__all__ = ["DTD_REASON", "MAX_PROLOG_BYTES", "looks_like_xml", "read_prolog"]

MAX_PROLOG_BYTES = 1024 * 1024
_CHUNK = 64 * 1024

DTD_REASON = (
    "Die Datei enthält eine DOCTYPE- oder ENTITY-Deklaration (DTD). DTDs sind in hochgeladenen "
    "XML-Dateien aus Sicherheitsgründen nicht erlaubt; XES und Excel brauchen keine."
)
# Belt and braces over the bytes read, whatever the scanner concluded (same as safe_xml).
_DTD_PATTERN = re.compile(rb"<!(?i:doctype|entity)")
_NAME = re.compile(r"[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?")
_MORE = "more"


def read_prolog(stream: Readable, *, source: str) -> tuple[bytes, str | None]:
    """Read up to and including the root start tag's name; return the bytes read and the name.

    The name is ``None`` when the bytes are not XML at all. Raises ``UnsafeFileError`` for a DTD
    and for a prolog longer than ``MAX_PROLOG_BYTES`` (nothing legitimate needs one).
    """
    buffer = bytearray()
    while True:
        chunk = stream.read(_CHUNK)
        buffer += chunk
        if _DTD_PATTERN.search(buffer):
            raise UnsafeFileError(DTD_REASON, source=source, line=_line_of_dtd(buffer))
        result = _scan(_as_text(bytes(buffer)), final=not chunk, source=source)
        if result != _MORE:
            return bytes(buffer), result
        if len(buffer) > MAX_PROLOG_BYTES:
            raise UnsafeFileError(
                "Der Vorspann der XML-Datei vor dem ersten Element ist ungewöhnlich lang; die "
                "Datei wird nicht gelesen.",
                source=source,
            )


def _line_of_dtd(data: bytes | bytearray) -> int:
    match = _DTD_PATTERN.search(data)
    return 1 if match is None else data.count(b"\n", 0, match.start()) + 1


def _as_text(data: bytes) -> str:
    # The markup of a prolog is ASCII. Latin-1 maps bytes 1:1, so it is a lossless view of UTF-8
    # and 8-bit files; UTF-16 (BOM or NUL-interleaved ASCII) has to be decoded to be seen.
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("latin-1")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data[: len(data) // 2 * 2].decode("utf-16", errors="replace")
    if data[:4] == b"<\x00?\x00" or data[:2] == b"<\x00":
        return data[: len(data) // 2 * 2].decode("utf-16-le", errors="replace")
    if data[:4] == b"\x00<\x00?" or data[:2] == b"\x00<":
        return data[: len(data) // 2 * 2].decode("utf-16-be", errors="replace")
    return data.decode("latin-1")


def _scan(text: str, *, final: bool, source: str) -> str | None:
    """The root element's local name, ``None`` (not XML) or ``_MORE`` (need more bytes)."""
    i = 1 if text.startswith("\ufeff") else 0
    end = len(text)
    while True:
        while i < end and text[i] in " \t\r\n":
            i += 1
        if i >= end:
            return _MORE if not final else None
        if text[i] != "<":
            return None
        if text.startswith("<?", i):
            close = text.find("?>", i + 2)
            if close < 0:
                return _MORE if not final else None
            i = close + 2
            continue
        if text.startswith("<!", i):
            rest = text[i : i + 4]
            if "<!--".startswith(rest) and len(rest) < 4 and not final:
                return _MORE
            if rest != "<!--":
                # DOCTYPE, ENTITY, CDATA or junk before the root: nothing an upload may carry.
                raise UnsafeFileError(DTD_REASON, source=source, line=text.count("\n", 0, i) + 1)
            close = text.find("-->", i + 4)
            if close < 0:
                return _MORE if not final else None
            i = close + 3
            continue
        match = _NAME.match(text, i + 1)
        if match is None:
            return None
        if match.end() >= end and not final:
            return _MORE
        return match.group().rpartition(":")[2]


def looks_like_xml(head: bytes) -> bool:
    """Whether the first bytes start with markup (after a BOM and whitespace)."""
    text = _as_text(head[:4096])
    return text.lstrip("\ufeff \t\r\n").startswith("<")
