"""Lines of a CSV written in another encoding than the rest of it (issue 12.3).

A clerk's system may append a new UTF-8 export to an old Windows-1252 one. Read as UTF-8, the old
lines do not decode; read as Windows-1252, every umlaut of the new lines decodes to two wrong
characters ("prÃ¼fen") without any error. Both are refused, naming the odd lines, rather than
decoded line by line: a Windows-1252 line can happen to be valid UTF-8 ("Fuß“" is), so a
per-line guess could store exactly the garbled text the refusal prevents, and the remedy (upload
the two exports separately, or save the file in one encoding) is the user's to choose.

A line read as Windows-1252 (or another single-byte encoding) counts as UTF-8 when it holds the
UTF-8 form of a Latin-1 letter or of typographic punctuation ("Ã¼", "â€ž"), which no German text
contains, or when the whole line is valid UTF-8 and decodes to letters and signs of European
scripts. German Windows-1252 text is valid UTF-8 only by accident, and then decodes to scripts
such as NKo ("Fuß“" is "Fu" and U+07D3), so it is not taken for UTF-8.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mining.errors import EventLogError
from mining.ingest.read._text import de_int, listed

__all__ = [
    "MAX_LISTED_LINES",
    "foreign_lines",
    "has_utf8_characters",
    "mixed_encoding_error",
    "mostly_utf8",
]

MAX_LISTED_LINES = 1000
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_UTF8_PAIR = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")  # where a UTF-8 character can start
_UTF8_SIGNATURE = re.compile(rb"\xc2[\xa0-\xbf]|\xc3[\x80-\xbf]|\xe2[\x80-\x84][\x80-\xbf]")
# Latin, Greek and Cyrillic letters, typographic punctuation, currency and letterlike signs.
_NOT_EUROPEAN = re.compile(
    "[^\x00-\x7f\u00a0-\u024f\u0370-\u052f\u1e00-\u1eff\u2010-\u205f\u20a0-\u20cf\u2100-\u214f]"
)
_NAMES = {"cp1252": "Windows-1252", "iso8859-1": "ISO-8859-1", "iso8859-15": "ISO-8859-15"}


def has_utf8_characters(data: bytes) -> bool:
    """Cheap test whether ``data`` contains any valid multi-byte UTF-8 character at all."""
    return not data.decode("utf-8", "ignore").isascii()


def looks_utf8(line: bytes) -> bool:
    """Whether a line read in a single-byte encoding is in fact (partly) UTF-8."""
    if _UTF8_SIGNATURE.search(line):
        return True
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not text.isascii() and _NOT_EUROPEAN.search(text) is None


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _lines_with(
    pattern: re.Pattern[bytes], data: bytes, first_line: int
) -> Iterator[tuple[int, bytes]]:
    """(line number, line) of each line of ``data`` that ``pattern`` finds something in."""
    position = counted = 0
    line = first_line
    while match := pattern.search(data, position):
        start = data.rfind(b"\n", 0, match.start()) + 1
        stop = data.find(b"\n", match.end())
        stop = len(data) if stop < 0 else stop
        line += data.count(b"\n", counted, start)
        counted = start
        yield line, data[start:stop]
        position = stop + 1


def foreign_lines(data: bytes, first_line: int, *, read_as_utf8: bool) -> Iterator[int]:
    """Lines of ``data`` (whole lines, the first numbered ``first_line``) in the other encoding.

    Read as UTF-8, those are the lines that are not valid UTF-8; read as a single-byte
    encoding, those that look like UTF-8 (see the module docstring).
    """
    if read_as_utf8:
        for line, text in _lines_with(_NON_ASCII, data, first_line):
            if not _is_utf8(text):
                yield line
    else:
        for line, text in _lines_with(_UTF8_PAIR, data, first_line):
            if looks_utf8(text):
                yield line


def mostly_utf8(data: bytes) -> bool:
    """Whether more lines with non-ASCII bytes are valid UTF-8 than not; ties: the first line."""
    utf8 = other = 0
    first: bool | None = None
    for _, text in _lines_with(_NON_ASCII, data, 1):
        valid = _is_utf8(text)
        first = valid if first is None else first
        utf8 += valid
        other += not valid
    return utf8 > other or (utf8 == other and bool(first))


def mixed_encoding_error(
    *, encoding: str, read_as_utf8: bool, lines: list[int], count: int, source: str
) -> EventLogError:
    """The refusal naming the ``count`` lines (the first ``lines``) in the other encoding."""
    rows = "Zeile ist" if count == 1 else "Zeilen sind"
    if read_as_utf8:
        what = f"{de_int(count)} {rows} nicht UTF-8 (vermutlich Windows-1252)"
        name = "UTF-8"
    else:
        what = f"{de_int(count)} {rows} UTF-8-kodiert"
        name = _NAMES.get(encoding, encoding)
    return EventLogError(
        f"Die Datei mischt zwei Kodierungen: Sie ist als {name} gespeichert, aber {what}: "
        f"Zeile {listed(lines, total=count)}. Umlaute würden verfälscht (z. B. „Ã¼“ statt „ü“); "
        "die Datei wird nicht übernommen. Wurden zwei Exporte aneinandergehängt? Dann die Teile "
        "einzeln hochladen oder die Datei einheitlich (z. B. als UTF-8) speichern.",
        source=source,
        line=lines[0],
        lines=tuple(lines),
    )
