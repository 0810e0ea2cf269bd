"""What a filter can choose from: the attribute columns of a view and the values each holds.

The workspace's "Filter hinzufügen" offers the values of a column (e.g. Eingangskanal) as Disco
does; only the values are listed, no count per value, so a column such as ``org_unit`` names
units without a figure that the minimum group size would have to guard.
"""

from __future__ import annotations

from numbers import Integral

from mining.query._sql import quoted
from mining.query.session import fetch
from mining.query.view import LogView, LogViewError, attribute_columns, checked_attribute

__all__ = ["attribute_columns", "get_attribute_values"]


def get_attribute_values(view: LogView, column: str, *, limit: int = 500) -> tuple[str, ...]:
    """The distinct values of ``column`` in the events of ``view`` (as text, empty ones left
    out), those of the most events first and ties by value, at most ``limit`` of them: the
    values :func:`filter_attribute` can keep. ``resource`` and non-attribute columns are
    refused as :func:`filter_attribute` refuses them.

    Example::

        get_attribute_values(view, "Eingangskanal")  # ("Online", "Papier")
    """
    column = checked_attribute(view, column)
    if isinstance(limit, bool) or not isinstance(limit, Integral) or limit < 1:
        raise LogViewError("Die Anzahl der Werte (limit) muss eine ganze Zahl ≥ 1 sein.")
    frame = fetch(
        view,
        f"""SELECT value FROM (
                SELECT CAST({quoted(column)} AS VARCHAR) AS value, COUNT(*) AS events
                FROM log WHERE {quoted(column)} IS NOT NULL GROUP BY value
            ) AS counted
            WHERE value <> ''
            ORDER BY events DESC, value
            LIMIT ?""",
        params=[int(limit)],
        columns=[column],
    )
    return tuple(str(value) for value in frame["value"])
