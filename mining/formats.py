"""How a number, share, amount, day, instant or duration reads to a person: one rule for the
workspace and the reports, German (``de``) or English (``en``), built on Babel (CLDR data).

::

    format_number(44153.08, language="de")      # "44.153,1"
    format_percent(0.123)                       # "12,3 %"
    format_duration(4 * 3600 + 20 * 60)         # "4 Std. 20 Min."
    format_date("2024-03-31T01:30:00+00:00")    # "31.03.2024" (the day in Berlin)
    format_number(None)                         # "–" (every missing value, never "None"/"nan")

Instants are shown on the office's clock (Berlin), as :mod:`process_registry.clock` keeps it;
a zoneless instant is UTC, as the catalogue stores it.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

import pandas as pd
from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.numbers import format_decimal as _babel_decimal

from process_registry import clock

__all__ = [
    "MISSING",
    "Language",
    "format_currency",
    "format_date",
    "format_datetime",
    "format_duration",
    "format_integer",
    "format_number",
    "format_percent",
    "is_missing",
]

Language = Literal["de", "en"]
MISSING = "–"  # en dash: the one mark for a value that is not there

_LOCALES = {"de": "de_DE", "en": "en_GB"}
_DATE = {"de": "dd.MM.yyyy", "en": "d MMM yyyy"}
_DATETIME = {"de": "dd.MM.yyyy, HH:mm", "en": "d MMM yyyy, HH:mm"}
_CURRENCY = {"de": "{} €", "en": "€{}"}
_UNITS = {
    "de": {"sec": "{} Sek.", "min": "{} Min.", "h": "{} Std.", "day": "{} Tag", "days": "{} Tage"},
    "en": {"sec": "{} sec", "min": "{} min", "h": "{} h", "day": "{} day", "days": "{} days"},
}
_MINUTE, _HOUR, _DAY = 60, 3600, 86400


def is_missing(value: object) -> bool:
    """``None``, NaN, ±infinity, pandas' ``NA``/``NaT``: nothing a reader could use."""
    if value is None:
        return True
    if isinstance(value, float):
        return not math.isfinite(value)
    return bool(pd.api.types.is_scalar(value) and pd.isna(value))


def _locale(language: str) -> str:
    return _LOCALES.get(language, "de_DE")


def _plain_spaces(text: str) -> str:
    # CLDR puts (narrow) no-break spaces before "%" and "€"; plain spaces keep the text
    # searchable and identical in PDF fonts without those glyphs.
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def format_number(value: float | int | None, decimals: int = 1, *, language: str = "de") -> str:
    """``44153.08`` → ``44.153,1`` (de) / ``44,153.1`` (en), always ``decimals`` places."""
    if is_missing(value):
        return MISSING
    rounded = _rounded(float(value), decimals)  # type: ignore[arg-type]
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return _babel_decimal(rounded, format=pattern, locale=_locale(language))


def _rounded(value: float, decimals: int) -> Decimal:
    """Half up, as people and spreadsheets round (Python's round() would give 0 for 0.5);
    without a sign when it rounds to zero (no "-0,0")."""
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def format_integer(value: float | int | None, *, language: str = "de") -> str:
    """``294010`` → ``294.010`` (de) / ``294,010`` (en)."""
    return format_number(value, 0, language=language)


def format_percent(share: float | None, decimals: int = 1, *, language: str = "de") -> str:
    """A share of 0 … 1: ``0.0332`` → ``3,3 %`` (de) / ``3.3%`` (en)."""
    if is_missing(share):
        return MISSING
    number = format_number(float(share) * 100, decimals, language=language)  # type: ignore[arg-type]
    return f"{number} %" if language == "de" else f"{number}%"


def format_currency(value: float | None, decimals: int = 0, *, language: str = "de") -> str:
    """An amount in euros: ``1234.5`` → ``1.235 €`` (de) / ``€1,235`` (en)."""
    if is_missing(value):
        return MISSING
    number = format_number(abs(float(value)), decimals, language=language)  # type: ignore[arg-type]
    text = _CURRENCY.get(language, _CURRENCY["de"]).format(number)
    return "-" + text if _rounded(float(value), decimals) < 0 else text  # type: ignore[arg-type]


def _instant(value: dt.datetime | str) -> dt.datetime | None:
    if isinstance(value, str):
        return clock.parse_iso(value)
    return clock.as_utc(value) if value.tzinfo else value.replace(tzinfo=dt.UTC)


def format_date(value: dt.date | dt.datetime | str | None, *, language: str = "de") -> str:
    """A calendar day as ``31.03.2024`` (de) / ``31 Mar 2024`` (en); an instant (a datetime
    or ISO text with a time) as its day in Berlin. Unreadable text is shown as it is."""
    if is_missing(value) or value == "":
        return MISSING
    day: dt.date | None
    if isinstance(value, str) and len(value) == 10:  # "2024-03-31": a day, not an instant
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return value
    elif isinstance(value, dt.datetime | str):
        moment = _instant(value)
        if moment is None:
            return str(value)
        day = clock.local_date(moment)
    else:
        day = value  # type: ignore[assignment]
    return _babel_date(day, _DATE.get(language, _DATE["de"]), locale=_locale(language))


def format_datetime(value: dt.datetime | str | None, *, language: str = "de") -> str:
    """An instant on Berlin's clock: ``31.03.2024, 03:30`` (de) / ``31 Mar 2024, 03:30`` (en)."""
    if is_missing(value) or value == "":
        return MISSING
    moment = _instant(value)  # type: ignore[arg-type]
    if moment is None:
        return str(value)
    pattern = _DATETIME.get(language, _DATETIME["de"])
    return _babel_datetime(clock.local(moment), pattern, locale=_locale(language))


def format_duration(seconds: float | None, *, language: str = "de") -> str:
    """A duration in the largest unit that reads well: ``45 Sek.``, ``45 Min.``,
    ``4 Std. 20 Min.`` (under a day), ``3,5 Tage``; English ``45 min``, ``4 h 20 min``,
    ``3.5 days``. A negative duration keeps its sign."""
    if is_missing(seconds):
        return MISSING
    value = float(seconds)  # type: ignore[arg-type]
    sign, value = ("-", -value) if value < 0 else ("", value)
    units = _UNITS.get(language, _UNITS["de"])
    minutes = int(_rounded(value / _MINUTE, 0))
    if minutes < 1:
        return sign + units["sec"].format(format_integer(value, language=language))
    if minutes < 60:
        return sign + units["min"].format(minutes)
    if minutes < 24 * 60:
        hours, rest = divmod(minutes, 60)
        text = units["h"].format(hours)
        return sign + (text + " " + units["min"].format(rest) if rest else text)
    days = float(_rounded(value / _DAY, 1))
    unit = units["day"] if days == 1 else units["days"]
    return sign + unit.format(format_number(days, 0 if days.is_integer() else 1, language=language))
