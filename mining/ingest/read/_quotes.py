"""Where the quoted values of a CSV open and close, followed over the stream pyarrow reads.

pyarrow, like Excel, reads a quote at the start of a field as the start of a value that runs to
the next lone quote, line breaks included. That is right for a multi-line note and silently
wrong for a stray quote: never closed, it makes the rest of the file one value; closed by some
later quote, it makes the rows in between one value. Either way the rows are gone without an
error, and pyarrow reports no positions that would show it. ``QuoteScanner`` therefore follows
pyarrow's rules over the same bytes and records the first quote that

* is still open at the end of the file (``UNTERMINATED``);
* is closed but followed by text instead of a separator or line end (``TEXT_AFTER``), as in
  ``"Antrag" prüfen``, or when the quote that "closes" a swallowed stretch is really the opening
  quote of a later value, the usual way such a stretch ends;
* holds a value over more than ``MAX_VALUE_LINES`` lines, or larger than pyarrow's block
  (``TOO_LONG``): a clerk's note has a few lines, a swallowed stretch of an export has hundreds.

The rules, as pyarrow applies them: a quote opens a value only at the start of a field (at the
start of the file, after a separator or a line break); inside a value ``""`` is one quote;
anywhere else a quote is text (``Zoll 3"``). Blanks between a closing quote and the separator
are tolerated (pyarrow keeps them in the value, the importer strips them). Lines are counted at
``\\n``, like the reader's line numbers.

Speed: a chunk is first checked with numpy in a few vectorised passes, pairing the quotes in
order and checking what precedes each opening and follows each closing quote; that vouches for
files where every quote belongs to a quoted value. A chunk it cannot vouch for (a quote inside
an unquoted value, blanks after a closing quote, a problem) is walked quote by quote.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mining.ingest.read._text import mib

__all__ = ["MAX_VALUE_LINES", "QuoteProblem", "QuoteScanner"]

# A quoted value may span this many lines. Notes in municipal exports run to a few lines; a
# stray quote swallows the rows of the export until the next quote, usually hundreds.
MAX_VALUE_LINES = 100
UNTERMINATED = "unterminated"
TEXT_AFTER = "text after closing quote"
TOO_LONG = "too long"

_QUOTE = ord('"')
_NEWLINE = ord("\n")
_RETURN = ord("\r")


@dataclass(frozen=True)
class QuoteProblem:
    """The first quote that swallows rows: ``line`` is where it opened."""

    kind: str
    line: int
    closed_line: int | None = None  # TEXT_AFTER: the line of the closing quote

    def describe(self, max_bytes: int) -> str:
        """The problem in German, for the user."""
        if self.kind == UNTERMINATED:
            return (
                f"Das Anführungszeichen in Zeile {self.line} wird bis zum Dateiende nicht "
                "geschlossen; der Rest der Datei wäre ein einziger Wert."
            )
        if self.kind == TOO_LONG:
            return (
                f"Das Anführungszeichen in Zeile {self.line} öffnet einen Wert, der nicht "
                f"innerhalb von {MAX_VALUE_LINES} Zeilen endet; die Zeilen danach wären Teil "
                f"dieses Werts. Ein Wert in Anführungszeichen darf höchstens {MAX_VALUE_LINES} "
                f"Zeilen umfassen und {mib(max_bytes)} MiB groß sein."
            )
        if self.closed_line is not None and self.closed_line != self.line:
            return (
                f"Das Anführungszeichen in Zeile {self.line} wird erst in Zeile "
                f"{self.closed_line} geschlossen, und dort folgt Text statt eines "
                "Trennzeichens; die Zeilen dazwischen wären ein einziger Wert."
            )
        return (
            f"In Zeile {self.line} folgt auf einen Wert in Anführungszeichen weiterer Text statt "
            'eines Trennzeichens (z. B. "Antrag" prüfen). Ein Anführungszeichen im Wert wird '
            'verdoppelt ("").'
        )


@dataclass(frozen=True)
class _Outcome:
    problem: QuoteProblem | None = None
    pending: int | None = None  # offset of a quoted value the next bytes must complete


class QuoteScanner:
    """Fed the decoded CSV in order (``feed``); ``problem`` holds the first quote problem."""

    def __init__(self, sep: str, *, max_bytes: int = 2 * 1024 * 1024) -> None:
        self._sep = ord(sep)
        self._blanks = frozenset(b" \t") - {self._sep}
        self._delimiters = frozenset((self._sep, _NEWLINE, _RETURN))
        self._max_bytes = max_bytes
        self.problem: QuoteProblem | None = None
        self._pending = b""  # an open quoted value, from its opening quote
        self._line = 1  # line of the first byte not scanned yet (of _pending, if any)
        self._field_start = True  # the first byte not scanned starts a field

    def open_line(self) -> int | None:
        """The line where a quoted value opened that is still open, if one is."""
        return self._line if self._pending else None

    def feed(self, data: bytes, *, final: bool, newlines: int | None = None) -> None:
        """Scan the next bytes of the stream; ``final`` on the last call (``data`` may be empty).

        ``newlines`` is ``data.count(b"\\n")`` if the caller has counted already.
        """
        if self.problem is not None:
            return  # the file is refused; nothing after the first problem matters
        text = self._pending + data if self._pending else data
        if not text:
            return
        field_start = True if self._pending else self._field_start
        if newlines is None:
            newlines = data.count(b"\n")
        newlines += self._pending.count(b"\n")
        outcome = _fast(self, text, field_start, final, newlines)
        if outcome is None:
            outcome = _exact(self, text, field_start, final)
        if outcome.problem is not None:
            self.problem = outcome.problem
            return
        if outcome.pending is None:
            self._line += newlines
            self._pending = b""
            self._field_start = text[-1] in self._delimiters
            return
        self._line += text.count(b"\n", 0, outcome.pending)
        self._pending = text[outcome.pending :]
        if self._pending.count(b"\n") >= MAX_VALUE_LINES or len(self._pending) > self._max_bytes:
            self.problem = QuoteProblem(TOO_LONG, self._line)

    def _is_delimiter(self, codes: np.ndarray) -> np.ndarray:
        return (codes == self._sep) | (codes == _NEWLINE) | (codes == _RETURN)

    def _problem(self, kind: str, text: bytes, start: int, closed: int | None = None) -> _Outcome:
        line = self._line + text.count(b"\n", 0, start)
        closed_line = None if closed is None else line + text.count(b"\n", start, closed)
        return _Outcome(problem=QuoteProblem(kind, line, closed_line))


def _fast(
    scanner: QuoteScanner, text: bytes, field_start: bool, final: bool, newlines: int
) -> _Outcome | None:
    """Vouch for ``text`` in vectorised passes, or return None to have it walked quote by quote.

    Pairs the quotes in order (first opens, second closes, …). That is pyarrow's reading as long
    as every opening quote follows a separator, a line break or the closing quote of the pair
    before (a doubled quote inside a value), and every closing quote is followed by a separator,
    a line break or the next opening quote; anything else goes to the exact walk. ``newlines``
    is ``text.count(b"\\n")``.
    """
    codes = np.frombuffer(text, dtype=np.uint8)
    quotes = np.flatnonzero(codes == _QUOTE)
    if not len(quotes):
        return _Outcome()
    opens, closes = quotes[0::2], quotes[1::2]
    before = codes[opens - 1]  # opens[0] == 0 reads codes[-1]; replaced just below
    opens_ok = scanner._is_delimiter(before) | (before == _QUOTE)
    if opens[0] == 0:
        opens_ok[0] = field_start
    after = codes[np.minimum(closes + 1, len(codes) - 1)]
    closes_ok = scanner._is_delimiter(after) | (after == _QUOTE) | (closes + 1 == len(codes))
    if not (opens_ok.all() and closes_ok.all()):
        return None
    # A value is a run of pairs joined by doubled quotes; it starts where an opening quote
    # does not follow a quote.
    starts = before != _QUOTE
    starts[0] = True
    if _breaks_after_closing_quotes(codes, closes, after) < newlines:
        # A line break is inside a value when an odd number of quotes precedes it.
        breaks = np.flatnonzero(codes == _NEWLINE)
        quotes_before = np.searchsorted(quotes, breaks)
        inside = quotes_before[(quotes_before & 1) == 1] // 2  # the pair each one is in
        inside = inside[inside < len(closes)]  # the open last value is the caller's to measure
    else:
        inside = closes[:0]  # every line break ends a row right after a closing quote
    if len(inside):
        value = np.cumsum(starts) - 1
        per_value = np.bincount(value[inside], minlength=len(starts))
        too_long = np.flatnonzero(per_value >= MAX_VALUE_LINES)
        if len(too_long):
            first_open = opens[np.flatnonzero(starts)[too_long[0]]]
            return scanner._problem(TOO_LONG, text, int(first_open))
    last_value = int(opens[np.flatnonzero(starts)[-1]])
    if len(opens) > len(closes):
        if final:
            return scanner._problem(UNTERMINATED, text, last_value)
        return _Outcome(pending=last_value)
    if closes[-1] + 1 == len(codes) and not final:
        return _Outcome(pending=last_value)  # a doubled quote or the end: the next byte decides
    return _Outcome()


def _breaks_after_closing_quotes(codes: np.ndarray, closes: np.ndarray, after: np.ndarray) -> int:
    """How many line breaks directly follow a closing quote (``"\\n`` or ``"\\r\\n``)."""
    count = int(np.count_nonzero(after == _NEWLINE))
    returns = closes[after == _RETURN] + 2
    returns = returns[returns < len(codes)]
    return count + int(np.count_nonzero(codes[returns] == _NEWLINE))


def _exact(scanner: QuoteScanner, text: bytes, field_start: bool, final: bool) -> _Outcome:
    """pyarrow's reading of ``text``, quote by quote."""
    delimiters, blanks = scanner._delimiters, scanner._blanks
    end = len(text)
    quotes = np.flatnonzero(np.frombuffer(text, dtype=np.uint8) == _QUOTE).tolist()
    opened: int | None = None
    index = 0
    while index < len(quotes):
        position = quotes[index]
        index += 1
        if opened is None:
            at_start = field_start if position == 0 else text[position - 1] in delimiters
            if at_start:
                opened = position
            continue  # otherwise a quote inside an unquoted value: text
        following = position + 1
        if following < end and text[following] == _QUOTE:
            index += 1  # a doubled quote: one quote inside the value
            continue
        if text.count(b"\n", opened, position) >= MAX_VALUE_LINES:
            return scanner._problem(TOO_LONG, text, opened)  # whatever follows
        while following < end and text[following] in blanks:
            following += 1
        if following == end and not final:
            return _Outcome(pending=opened)  # the next bytes decide
        if following < end and text[following] not in delimiters:
            return scanner._problem(TEXT_AFTER, text, opened, position)
        opened = None
    if opened is None:
        return _Outcome()
    if final:
        return scanner._problem(UNTERMINATED, text, opened)
    return _Outcome(pending=opened)
