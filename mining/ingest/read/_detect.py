"""Guessing what the user did not say: separator, decimal mark, and clean header names.

Each guess is made on a sample and shown to the user (``Detected``); an explicit option wins.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from mining.errors import EventLogError
from mining.ingest.read._model import RESERVED_COLUMNS

__all__ = [
    "SEPARATORS",
    "detect_decimal",
    "header_names",
    "normalize_separator",
    "parse_records",
    "sniff_separator",
]

# German Excel writes ';', everybody else ','; tab and pipe come from database exports.
# The order breaks ties.
SEPARATORS: tuple[str, ...] = (";", ",", "\t", "|")
_SNIFF_RECORDS = 200

_SEPARATOR_WORDS = {"\\t": "\t", "tab": "\t", "tabulator": "\t", "semikolon": ";", "komma": ","}

# A decimal comma is certain in "1.234,50" and "3,5"; "1,234" could be an English thousands
# group, so it does not vote. The same for "1.234" the other way round. Dates (03.02.2024) and
# times never match: they have two separators or none.
_COMMA_DECIMAL = re.compile(r"[-+]?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+")
_POINT_DECIMAL = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d+")
_AMBIGUOUS_COMMA = re.compile(r"[-+]?\d{1,3},\d{3}")
_AMBIGUOUS_POINT = re.compile(r"[-+]?\d{1,3}\.\d{3}")


def normalize_separator(sep: str, *, source: str) -> str:
    """The separator a user typed (``;``, ``\\t``, ``tab``) as the one character it means."""
    value = _SEPARATOR_WORDS.get(sep.lower(), sep)
    # The parser splits on one byte, so the separator must be one ASCII character.
    if len(value) != 1 or not value.isascii() or value in '"\r\n':
        raise EventLogError(
            f"Ungültiges Trennzeichen {sep!r}: erwartet wird ein einzelnes ASCII-Zeichen wie "
            "; , | oder \\t (Tabulator).",
            source=source,
        )
    return value


def parse_records(text: str, sep: str, *, complete: bool, limit: int) -> list[list[str]]:
    """Up to ``limit`` records of ``text`` (quote-aware); a possibly cut-off last one is dropped."""
    if not complete:
        text = text[: text.rfind("\n") + 1]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"', strict=False)
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
            if len(records) >= limit:
                return records
    except csv.Error:
        return records  # a field beyond csv's size limit: judge on the records before it
    if not complete and len(records) > 1:
        records.pop()  # may end inside a quoted value that continues after the sample
    return records


def sniff_separator(text: str, *, complete: bool) -> str | None:
    """The separator that splits the sample into a consistent table of more than one column.

    Scored by the share of data rows with as many fields as the header, then by the column
    count. ``None`` when every candidate yields a single column.
    """
    best: tuple[float, int] | None = None
    chosen: str | None = None
    for sep in SEPARATORS:
        records = parse_records(text, sep, complete=complete, limit=_SNIFF_RECORDS)
        records = [r for r in records if r]  # blank lines
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        data = records[1:]
        share = sum(len(r) == width for r in data) / len(data) if data else 1.0
        score = (share, width)
        if best is None or score > best:
            best, chosen = score, sep
    return chosen


def detect_decimal(columns: Iterable[Iterable[str | None]]) -> str:
    """``","`` when more numeric-looking columns use a decimal comma than a decimal point."""
    comma_columns = point_columns = 0
    for values in columns:
        comma = point = 0
        for value in values:
            if not value:
                continue
            text = value.strip()
            if _COMMA_DECIMAL.fullmatch(text) and not _AMBIGUOUS_COMMA.fullmatch(text):
                comma += 1
            elif _POINT_DECIMAL.fullmatch(text) and not _AMBIGUOUS_POINT.fullmatch(text):
                point += 1
        if comma > point:
            comma_columns += 1
        elif point > comma:
            point_columns += 1
    return "," if comma_columns > point_columns else "."


def header_names(raw: Sequence[str | None], *, source: str, line: int | None = 1) -> list[str]:
    """Header cells as column names: empty ones become ``Spalte N``; duplicates are an error.

    A duplicate would make "the column named X" ambiguous for the mapping, so we stop rather than
    guess which one the user meant.
    """
    names: list[str] = []
    positions: dict[str, int] = {}
    for index, value in enumerate(raw, start=1):
        name = value if value is not None and value.strip() else f"Spalte {index}"
        if name in RESERVED_COLUMNS:
            raise EventLogError(
                f"Der Spaltenname „{name}“ ist reserviert; bitte umbenennen.",
                source=source,
                line=line,
                column=index,
            )
        if name in positions:
            raise EventLogError(
                f"Der Spaltenname „{_short(name)}“ kommt doppelt vor (Spalten "
                f"{positions[name]} und {index}); Spalten müssen eindeutig benannt sein.",
                source=source,
                line=line,
                column=index,
            )
        positions[name] = index
        names.append(name)
    return names


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
