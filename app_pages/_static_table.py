"""Reading tables drawn as one piece of HTML with the page.

``st.table`` draws every cell as its own Markdown element: on the Übersicht's five tables that
is some two hundred Markdown renderers and styled components in the browser, about a sixth of a
second of script on every visit, and an interactive grid (``st.dataframe``) loads its code and
paints its canvas only after the page. A reader of a summary needs neither, so these tables are
plain HTML: every value is escaped text (a name from an upload is shown as it was written, never
read as markup or Markdown), long texts wrap, and the figure columns (numbers already formatted
in the user's notation) are right-aligned.

    static_table(frame, figures=["Fälle"], order=["Prozess", "Fälle"])
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from app_pages._formats import shown, text

__all__ = ["FIGURE_CLASS", "TABLE_CLASS", "static_table", "table_html"]

TABLE_CLASS = "pmo-table"
FIGURE_CLASS = "pmo-figure"

# Neutral colours that read on Streamlit's light and dark themes; the font is the page's.
_STYLE = f"""<style>
.{TABLE_CLASS}-frame {{ overflow-x: auto; margin-bottom: 1rem; }}
table.{TABLE_CLASS} {{ width: 100%; border-collapse: collapse; font-size: 0.875rem;
  line-height: 1.4; color: inherit; }}
table.{TABLE_CLASS} th, table.{TABLE_CLASS} td {{ padding: 0.375rem 0.75rem; text-align: left;
  vertical-align: top; border-bottom: 1px solid rgba(128, 128, 128, 0.25);
  overflow-wrap: anywhere; }}
table.{TABLE_CLASS} th {{ font-weight: 600; opacity: 0.75; }}
table.{TABLE_CLASS} .{FIGURE_CLASS} {{ text-align: right; white-space: nowrap;
  overflow-wrap: normal; font-variant-numeric: tabular-nums; }}
</style>"""


def table_html(
    frame: pd.DataFrame, *, figures: Sequence[str] = (), order: Sequence[str] | None = None
) -> str:
    """``frame`` as an HTML table (its index left out), every header and cell escaped text;
    missing cells as "–", days and numbers in the user's notation (:mod:`app_pages._formats`)."""
    if order:
        frame = frame[list(order)]
    unknown = [name for name in figures if name not in frame.columns]
    if unknown:
        raise ValueError(f"figure columns not in the table: {unknown}")
    cells = shown(frame)
    right = [name in figures for name in cells.columns]

    def cell(tag: str, value: object, figure: bool) -> str:
        kind = f' class="{FIGURE_CLASS}"' if figure else ""
        scope = ' scope="col"' if tag == "th" else ""
        return f"<{tag}{kind}{scope}>{html.escape(text(value))}</{tag}>"

    head = "".join(
        cell("th", name, figure) for name, figure in zip(cells.columns, right, strict=True)
    )
    rows = "".join(
        "<tr>"
        + "".join(cell("td", value, figure) for value, figure in zip(row, right, strict=True))
        + "</tr>"
        for row in cells.itertuples(index=False, name=None)
    )
    return (
        f'{_STYLE}<div class="{TABLE_CLASS}-frame"><table class="{TABLE_CLASS}">'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>"
    )


def static_table(
    frame: pd.DataFrame, *, figures: Sequence[str] = (), order: Sequence[str] | None = None
) -> None:
    """Draw ``frame`` as a reading table (see :func:`table_html`)."""
    st.html(table_html(frame, figures=figures, order=order))
