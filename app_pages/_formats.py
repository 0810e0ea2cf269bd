"""The workspace's numbers, days and durations in the user's language: the formats of
:mod:`mining.formats` bound to :func:`app_pages._i18n.language`, plus the table and chart
settings that show them (tables get text, never Streamlit's printf or browser-locale formats,
which show ``4,141`` to a German reader).

    number(44153.08)  # "44.153,1" in German, "44,153.1" in English
    shown(frame)      # a table's None/NaN cells as "–"
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from app_pages._i18n import language
from mining import (
    MISSING,
    format_currency,
    format_date,
    format_datetime,
    format_duration,
    format_integer,
    format_number,
    format_percent,
    is_missing,
)

__all__ = [
    "MISSING",
    "chart_locale",
    "currency",
    "date",
    "datetime",
    "duration",
    "integer",
    "is_missing",
    "number",
    "percent",
    "shown",
    "text",
    "vega_locale",
]


def number(value: float | int | None, decimals: int = 1) -> str:
    return format_number(value, decimals, language=language())


def integer(value: float | int | None) -> str:
    return format_integer(value, language=language())


def percent(share: float | None, decimals: int = 1) -> str:
    """A share of 0 … 1 as ``12,3 %``."""
    return format_percent(share, decimals, language=language())


def currency(value: float | None, decimals: int = 0) -> str:
    return format_currency(value, decimals, language=language())


def date(value: dt.date | dt.datetime | str | None) -> str:
    return format_date(value, language=language())


def datetime(value: dt.datetime | str | None) -> str:
    return format_datetime(value, language=language())


def duration(seconds: float | None) -> str:
    return format_duration(seconds, language=language())


def text(value: object) -> str:
    """Any single value as a reader sees it: numbers in the user's notation (a float with at
    most 4 decimals, as many as it has), a list comma-separated, a missing value as "–"."""
    if isinstance(value, list | tuple):
        return ", ".join(text(v) for v in value)
    if isinstance(value, bool) or isinstance(value, str):
        return str(value)
    if is_missing(value):
        return MISSING
    if isinstance(value, int):
        return integer(value)
    if isinstance(value, float):
        return number(value, len(f"{value:.4f}".rstrip("0").partition(".")[2]))
    return str(value)


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` for ``st.dataframe``: text columns' missing cells as "–" instead of the empty
    "None" cell Streamlit draws; dates as days in the user's notation."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column):
            out[name] = [
                date(v) if isinstance(v, dt.date) else (MISSING if is_missing(v) else v)
                for v in column
            ]
    return out


# d3's German locale (d3-format, d3-time-format), as Vega reads it from ``config.locale``.
_GERMAN = {
    "number": {
        "decimal": ",",
        "thousands": ".",
        "grouping": [3],
        "currency": ["", "\u00a0€"],
        "percent": "\u202f%",
    },
    "time": {
        "dateTime": "%A, der %e. %B %Y, %X",
        "date": "%d.%m.%Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": [
            "Sonntag",
            "Montag",
            "Dienstag",
            "Mittwoch",
            "Donnerstag",
            "Freitag",
            "Samstag",
        ],
        "shortDays": ["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"],
        "months": [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ],
        "shortMonths": [
            "Jan",
            "Feb",
            "Mär",
            "Apr",
            "Mai",
            "Jun",
            "Jul",
            "Aug",
            "Sep",
            "Okt",
            "Nov",
            "Dez",
        ],
    },
}


def vega_locale() -> dict[str, Any] | None:
    """The Vega locale of the user's language: German grouping, decimal comma and month names;
    None keeps Vega's English default."""
    return _GERMAN if language() == "de" else None


def chart_locale(chart: Any) -> Any:
    """``chart`` with axes in the user's notation (German: ``2.000``, ``Mär 2024``); English
    keeps Vega's defaults. Call on the outermost chart just before ``st.altair_chart``."""
    locale = vega_locale()
    return chart.configure(locale=locale) if locale else chart
