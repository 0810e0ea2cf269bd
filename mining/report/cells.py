"""Spreadsheet cells that stay data: formula-injection guard and the German Excel CSV.

Activity names come from uploaded logs, so a name like ``=HYPERLINK("…")`` is attacker-chosen.
Spreadsheet programs run a cell starting with ``= + - @`` (or a tab/carriage return before one)
as a formula; OWASP's remedy is a leading apostrophe, which makes the cell plain text.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable

__all__ = ["neutralize", "write_csv"]

# The fullwidth forms are included because some spreadsheet programs normalise them to ASCII.
_FORMULA_STARTS = frozenset("=+-@\t\r＝＋－＠")


def neutralize(value: object) -> object:
    """``value`` safe for a spreadsheet cell: a string that a spreadsheet would read as a
    formula gets a leading ``'``; numbers, ``None`` and everything else stay as they are.

    Example::

        neutralize('=HYPERLINK("x")')  # "'=HYPERLINK(\"x\")"
        neutralize(-5)  # -5 (a number, not text)
    """
    if isinstance(value, str) and value[:1] in _FORMULA_STARTS:
        return "'" + value
    return value


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # repr keeps every digit; German Excel reads the decimal comma as a number again.
        return repr(value).replace(".", ",") if math.isfinite(value) else ""
    return str(neutralize(str(value)))


def write_csv(rows: Iterable[dict], columns: list[str]) -> bytes:
    """``rows`` as a CSV file German Excel opens correctly: ``;`` separated, UTF-8 with BOM,
    decimal comma, every text cell neutralized. ``columns`` are the header and the keys read."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_cell(column) for column in columns])
    for row in rows:
        writer.writerow([_csv_cell(row.get(column)) for column in columns])
    return buffer.getvalue().encode("utf-8-sig")
