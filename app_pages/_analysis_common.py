"""Number formats and table helpers of the Analyse page, in the user's language."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from app_pages import _formats

__all__ = [
    "DAY",
    "Figure",
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
    return _formats.is_missing(value)


def decimal(value: float, digits: int = 1) -> str:
    return _formats.number(value, digits)


def duration(seconds: float | None) -> str:
    """A wait or duration in the unit a reader expects (:func:`mining.format_duration`)."""
    return _formats.duration(seconds)


def days(seconds: float | None) -> float | None:
    """Seconds as days (None stays empty); unrounded, so the table rounds only once."""
    return None if is_missing(seconds) else float(seconds) / DAY  # type: ignore[arg-type]


def percent(share: float | None) -> str:
    return _formats.percent(share)


def text_column(label: str, width: int | None = None) -> Any:
    """A text column; ``width`` in pixels keeps long activity names from pushing the figures
    past the right edge (the name ends in "…" and shows whole on hover)."""
    return st.column_config.TextColumn(label, width=width)


@dataclass(frozen=True)
class Figure:
    """A number column shown as text in the user's notation (Streamlit's printf formats know
    no decimal comma); :func:`record_table` formats it, the returned frame keeps the numbers."""

    label: str
    text: Callable[[Any], str]

    def config(self) -> Any:
        return st.column_config.TextColumn(self.label, alignment="right")


def integer_column(label: str) -> Figure:
    return Figure(label, _formats.integer)


def days_column(label: str) -> Figure:
    return Figure(label, lambda days: _formats.number(days, 1))


def percent_column(label: str) -> Figure:
    """A share stored as 0 … 100 in the frame, shown with a percent sign."""
    return Figure(label, lambda share: _formats.percent(None if is_missing(share) else share / 100))


# How a table column reads its value from one row, and how Streamlit shows it (label, format).
Column = tuple[Callable[[Any], Any], Any]


def value(key: str) -> Callable[[Mapping[str, Any]], Any]:
    return lambda row: row[key]


def as_days(key: str) -> Callable[[Mapping[str, Any]], float | None]:
    return lambda row: days(row[key])


def as_percent(key: str) -> Callable[[Mapping[str, Any]], float]:
    """A share 0 … 1 as 0 … 100 for :func:`percent_column` (a missing share counts as 0)."""
    return lambda row: (row[key] or 0) * 100


def record_table(
    rows: Sequence[Any], columns: Mapping[str, Column], *, key: str | None = None
) -> pd.DataFrame:
    """Show ``rows`` as a full-width table without index; returns the frame (charts reuse it).
    With ``key`` one row can be clicked: ``st.session_state[key].selection.rows`` holds it."""
    frame = pd.DataFrame({name: [read(row) for row in rows] for name, (read, _) in columns.items()})
    selectable: dict[str, Any] = {}
    if key is not None:
        selectable = {"key": key, "on_select": "rerun", "selection_mode": "single-row"}
    shown = frame.copy()
    for name, (_, config) in columns.items():
        if isinstance(config, Figure):
            shown[name] = [config.text(cell) for cell in frame[name]]
    st.dataframe(
        _formats.shown(shown),
        hide_index=True,
        width="stretch",
        column_config={
            name: config.config() if isinstance(config, Figure) else config
            for name, (_, config) in columns.items()
        },
        **selectable,
    )
    return frame
