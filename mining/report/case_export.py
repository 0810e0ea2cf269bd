"""The case list as a CSV file for German Excel (the export of the case explorer)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mining.report.cells import write_csv
from process_registry import local_text

if TYPE_CHECKING:
    from mining.query import CaseList

__all__ = ["CASE_COLUMNS", "cases_csv"]

CASE_COLUMNS = [
    "Fall",
    "Beginn",
    "Ende",
    "Durchlaufzeit (Tage)",
    "Durchlaufzeit (Sekunden)",
    "Ereignisse",
    "Variante",
]


def cases_csv(case_list: CaseList) -> bytes:
    """``case_list`` as :func:`write_csv` writes it (UTF-8 with BOM, ``;``, decimal comma, text
    cells neutralized against formula injection), times as ``31.03.2024 14:05`` on Berlin's
    clock, in the list's order.

    Example::

        Path("faelle.csv").write_bytes(cases_csv(get_cases(view)))
    """
    rows = [
        {
            "Fall": row.case,
            "Beginn": local_text(row.start),
            "Ende": local_text(row.end),
            # Days for reading, to the minute's precision; seconds for computing with.
            "Durchlaufzeit (Tage)": round(row.duration_s / 86400, 4),
            "Durchlaufzeit (Sekunden)": float(row.duration_s),
            "Ereignisse": row.events,
            "Variante": row.variant,
        }
        for row in case_list.cases
    ]
    return write_csv(rows, CASE_COLUMNS)
