"""Number formats and table helpers of the Analyse page, in the user's language."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from app_pages._i18n import language, t

__all__ = [
    "DAY",
    "as_days",
    "as_percent",
    "days",
    "decimal",
    "duration",
    "integer_column",
    "is_missing",
    "percent",
    "percent_column",
    "days_column",
    "plain",
    "record_table",
    "text_column",
    "value",
]

DAY = 86400.0
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text: object) -> str:
    """``text`` from an upload (an activity, column or element name) shown literally where
    Streamlit renders Markdown (captions, messages): no links, images or colour directives."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def decimal(value: float, digits: int = 1) -> str:
    text = f"{value:,.{digits}f}"
    if language() == "de":
        text = text.translate(str.maketrans({",": ".", ".": ","}))
    return text


def duration(seconds: float | None) -> str:
    """A wait or duration in the unit a reader expects: minutes, hours, or days."""
    if is_missing(seconds):
        return t("common.none")
    assert seconds is not None
    if seconds < 3600:
        return t("analysis.unit_minutes", value=decimal(seconds / 60, 0))
    if seconds < 2 * DAY:
        return t("analysis.unit_hours", value=decimal(seconds / 3600, 1))
    return t("analysis.unit_days", value=decimal(seconds / DAY, 1))


def days(seconds: float | None) -> float | None:
    """Seconds as days for a sortable table column (None stays empty)."""
    return None if is_missing(seconds) else round(float(seconds) / DAY, 2)  # type: ignore[arg-type]


def percent(share: float | None) -> str:
    if is_missing(share):
        return t("common.none")
    return f"{decimal(float(share) * 100, 1)} %"  # type: ignore[arg-type]


def text_column(label: str) -> Any:
    return st.column_config.TextColumn(label)


def integer_column(label: str) -> Any:
    return st.column_config.NumberColumn(label, format="%d")


def days_column(label: str) -> Any:
    return st.column_config.NumberColumn(label, format="%.1f")


def percent_column(label: str) -> Any:
    """A share stored as 0 … 100 in the frame, shown with a percent sign."""
    return st.column_config.NumberColumn(label, format="%.1f %%")


# How a table column reads its value from one row, and how Streamlit shows it (label, format).
Column = tuple[Callable[[Any], Any], Any]


def value(key: str) -> Callable[[Mapping[str, Any]], Any]:
    return lambda row: row[key]


def as_days(key: str) -> Callable[[Mapping[str, Any]], float | None]:
    return lambda row: days(row[key])


def as_percent(key: str) -> Callable[[Mapping[str, Any]], float]:
    """A share 0 … 1 as 0 … 100 for :func:`percent_column` (a missing share counts as 0)."""
    return lambda row: round((row[key] or 0) * 100, 2)


def record_table(
    rows: Sequence[Any], columns: Mapping[str, Column], *, key: str | None = None
) -> pd.DataFrame:
    """Show ``rows`` as a full-width table without index; returns the frame (charts reuse it).
    With ``key`` one row can be clicked: ``st.session_state[key].selection.rows`` holds it."""
    frame = pd.DataFrame({name: [read(row) for row in rows] for name, (read, _) in columns.items()})
    selectable: dict[str, Any] = {}
    if key is not None:
        selectable = {"key": key, "on_select": "rerun", "selection_mode": "single-row"}
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        column_config={name: config for name, (_, config) in columns.items()},
        **selectable,
    )
    return frame
