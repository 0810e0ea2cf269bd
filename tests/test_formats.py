"""One notation for every figure a reader sees (issue 17): mining.formats, German and English."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from mining import (
    MISSING,
    format_currency,
    format_date,
    format_datetime,
    format_duration,
    format_integer,
    format_number,
    format_percent,
)

MINUTE, HOUR, DAY = 60.0, 3600.0, 86400.0


@pytest.mark.parametrize(
    ("value", "decimals", "de", "en"),
    [
        (44153.08, 1, "44.153,1", "44,153.1"),  # the bottleneck total users saw as "44153.1"
        (0, 1, "0,0", "0.0"),
        (-1234.567, 2, "-1.234,57", "-1,234.57"),
        (-0.04, 1, "0,0", "0.0"),  # no "-0,0"
        (0.25, 1, "0,3", "0.3"),  # half up, as a reader rounds (Python would give 0,2)
        (1_234_567_890.5, 0, "1.234.567.891", "1,234,567,891"),
    ],
)
def test_numbers_group_thousands_and_use_the_languages_decimal_mark(
    value: float, decimals: int, de: str, en: str
) -> None:
    assert format_number(value, decimals, language="de") == de
    assert format_number(value, decimals, language="en") == en


def test_integers_have_thousands_separators_and_no_decimals() -> None:
    assert format_integer(294010) == "294.010"
    assert format_integer(294010, language="en") == "294,010"
    assert format_integer(2.5) == "3"


@pytest.mark.parametrize(
    "missing", [None, math.nan, math.inf, -math.inf, pd.NA, pd.NaT, float("nan")]
)
def test_every_missing_value_is_an_en_dash_never_none_or_nan(missing: object) -> None:
    for language in ("de", "en"):
        assert format_number(missing, language=language) == MISSING == "–"
        assert format_integer(missing, language=language) == MISSING
        assert format_percent(missing, language=language) == MISSING
        assert format_currency(missing, language=language) == MISSING
        assert format_duration(missing, language=language) == MISSING
    assert format_date(None) == format_datetime(None) == format_date("") == MISSING


def test_percent_takes_a_share_and_writes_it_as_each_language_does() -> None:
    assert format_percent(0.0332) == "3,3 %"
    assert format_percent(0.0332, language="en") == "3.3%"
    assert format_percent(1) == "100,0 %"
    assert format_percent(0) == "0,0 %"
    assert format_percent(-0.125, 2) == "-12,50 %"


def test_currency_is_euro_with_the_sign_where_each_language_puts_it() -> None:
    assert format_currency(1234.5) == "1.235 €"
    assert format_currency(1234.5, language="en") == "€1,235"
    assert format_currency(71, 2) == "71,00 €"
    assert format_currency(-12) == "-12 €"
    assert format_currency(-12, language="en") == "-€12"


def test_dates_are_berlin_calendar_days_not_iso() -> None:
    # 23:30 UTC on 30 March is already 31 March in Berlin.
    assert format_date("2024-03-30T23:30:00+00:00") == "31.03.2024"
    assert format_date("2024-03-30T23:30:00+00:00", language="en") == "31 Mar 2024"
    assert format_date("2024-03-31") == "31.03.2024"  # a calendar day stays that day
    assert format_date(dt.date(2024, 12, 1)) == "01.12.2024"
    assert format_date("kein Datum") == "kein Datum"  # unreadable text is shown, not hidden


def test_datetimes_are_on_berlins_clock_across_the_clock_change() -> None:
    assert format_datetime("2024-03-31T01:30:00Z") == "31.03.2024, 03:30"  # summer time
    assert format_datetime("2024-01-15T12:00:00Z") == "15.01.2024, 13:00"
    # A zoneless instant is UTC, as the catalogue stores it.
    assert format_datetime(dt.datetime(2024, 7, 1, 12, 0)) == "01.07.2024, 14:00"
    assert format_datetime(dt.datetime(2024, 7, 1, 12, 0), language="en") == "1 Jul 2024, 14:00"


@pytest.mark.parametrize(
    ("seconds", "de", "en"),
    [
        (0, "0 Sek.", "0 sec"),
        (20, "20 Sek.", "20 sec"),
        (45 * MINUTE, "45 Min.", "45 min"),
        (HOUR, "1 Std.", "1 h"),
        (4 * HOUR + 20 * MINUTE, "4 Std. 20 Min.", "4 h 20 min"),
        (23 * HOUR + 59 * MINUTE + 50, "1 Tag", "1 day"),  # rounds up into the next unit
        (DAY, "1 Tag", "1 day"),
        (3.5 * DAY, "3,5 Tage", "3.5 days"),
        (3 * DAY, "3 Tage", "3 days"),
        (1500 * DAY, "1.500 Tage", "1,500 days"),
        (-90 * MINUTE, "-1 Std. 30 Min.", "-1 h 30 min"),
    ],
)
def test_durations_use_the_largest_unit_that_reads_well(seconds: float, de: str, en: str) -> None:
    assert format_duration(seconds) == de
    assert format_duration(seconds, language="en") == en
