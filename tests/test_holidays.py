"""The Land whose public holidays count: in working-time waits and in deadline days.

The office chooses one of the sixteen Länder on the page Einstellungen; the holidays come from the
maintained library ``holidays``. The dates below are from the Länder's holiday laws.
"""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pandas as pd
import pytest

from mining.measures.calendar import land_holidays, lower_saxony_holidays, office_calendar
from mining.measures.deadline import counting_rule, deadline_status
from process_registry import LANDS, OfficeSettings
from tests.test_aggregates import events, write_log
from tests.test_deadline import local

FRONLEICHNAM_2024 = date(2024, 5, 30)
ALLERHEILIGEN_2024 = date(2024, 11, 1)
REFORMATIONSTAG_2024 = date(2024, 10, 31)


def test_bavaria_has_fronleichnam_and_allerheiligen_but_not_reformationstag() -> None:
    bavaria = land_holidays("BY", [2024])
    assert {date(2024, 1, 6), FRONLEICHNAM_2024, ALLERHEILIGEN_2024} <= bavaria
    assert REFORMATIONSTAG_2024 not in bavaria


def test_lower_saxony_has_reformationstag_but_not_fronleichnam() -> None:
    lower_saxony = land_holidays("NI", [2024])
    assert REFORMATIONSTAG_2024 in lower_saxony
    assert not {FRONLEICHNAM_2024, ALLERHEILIGEN_2024} & lower_saxony
    assert lower_saxony == lower_saxony_holidays([2024])  # the old name still answers


def test_berlin_has_womens_day_since_2019() -> None:
    assert date(2019, 3, 8) in land_holidays("BE", [2019])
    assert date(2018, 3, 8) not in land_holidays("BE", [2018])
    assert date(2019, 3, 8) not in land_holidays("BY", [2019])


@pytest.mark.parametrize("land", list(LANDS))
def test_every_land_has_the_nationwide_holidays(land: str) -> None:
    found = land_holidays(land, [2025])
    nationwide = {date(2025, 1, 1), date(2025, 4, 18), date(2025, 10, 3), date(2025, 12, 25)}
    assert nationwide <= found


def test_an_unknown_land_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(ValueError, match="„XX“ ist nicht bekannt; bekannt: BW, BY"):
        land_holidays("XX", [2024])


def _waits(land: str, start: str, end: str, **settings: object) -> float:
    calendar = office_calendar(OfficeSettings(holiday_calendar=land, **settings))
    begin = pd.Series([pd.Timestamp(local(start))])
    stop = pd.Series([pd.Timestamp(local(end))])
    return float(calendar.working_seconds(begin, stop).iloc[0])


def test_a_wait_over_fronleichnam_is_shorter_in_bavaria() -> None:
    # Wednesday 16:00 to Friday 8:00: Thursday is a whole working day in Lower Saxony only.
    assert _waits("NI", "2024-05-29T16:00", "2024-05-31T08:00") == 8 * 3600
    assert _waits("BY", "2024-05-29T16:00", "2024-05-31T08:00") == 0


def test_a_wait_over_reformationstag_is_shorter_in_lower_saxony() -> None:
    assert _waits("NI", "2024-10-30T16:00", "2024-11-04T08:00") == 8 * 3600  # Friday 1 Nov
    assert _waits("BY", "2024-10-30T16:00", "2024-11-04T08:00") == 8 * 3600  # Thursday 31 Oct
    assert _waits("BE", "2024-10-30T16:00", "2024-11-04T08:00") == 16 * 3600  # neither in Berlin


def test_office_hours_and_days_of_the_settings_make_the_working_time() -> None:
    # Friday 12:00 to Monday 10:00 in an office open Monday to Thursday, 7:30 to 15:30.
    short_week = {"office_start": time(7, 30), "office_end": time(15, 30)}
    short_week["working_days"] = (0, 1, 2, 3)
    assert _waits("NI", "2024-06-07T12:00", "2024-06-10T10:00", **short_week) == 2.5 * 3600
    assert _waits("NI", "2024-06-07T12:00", "2024-06-10T10:00") == 6 * 3600


def _deadline(tmp_path: Path, land: str | None, start: str, stop: str, days: int) -> dict:
    rows = [
        *events("c", ("Antrag", local(start).isoformat()), ("Bescheid", local(stop).isoformat()))
    ]
    view = write_log(tmp_path / "log.parquet", rows)
    calendar = office_calendar(OfficeSettings(holiday_calendar=land)) if land else None
    return deadline_status(view, deadline_days=days, calendar=calendar).to_dict()


def test_a_deadline_ending_on_fronleichnam_moves_to_friday_in_bavaria_only(tmp_path: Path) -> None:
    # One day from Wednesday 29 May 2024 ends on Thursday, Fronleichnam: a decision on Friday
    # is in time in Bavaria, late in Lower Saxony.
    bavaria = _deadline(tmp_path, "BY", "2024-05-29T10:00", "2024-05-31T10:00", 1)
    lower_saxony = _deadline(tmp_path, "NI", "2024-05-29T10:00", "2024-05-31T10:00", 1)
    assert (bavaria["over"], lower_saxony["over"]) == (0, 1)
    assert (bavaria["holidays_of"], lower_saxony["holidays_of"]) == ("BY", "NI")


def test_a_deadline_ending_on_womens_day_moves_in_berlin_only(tmp_path: Path) -> None:
    # Seven days from Friday 1 March 2024 end on Friday 8 March, a holiday in Berlin since 2019:
    # the deadline ends on Monday 11 March there.
    berlin = _deadline(tmp_path, "BE", "2024-03-01T10:00", "2024-03-11T10:00", 7)
    bavaria = _deadline(tmp_path, "BY", "2024-03-01T10:00", "2024-03-11T10:00", 7)
    assert (berlin["over"], bavaria["over"]) == (0, 1)


def test_without_a_calendar_the_shipped_land_counts_and_is_named(tmp_path: Path) -> None:
    shipped = _deadline(tmp_path, None, "2024-10-30T10:00", "2024-11-01T10:00", 1)
    assert (shipped["over"], shipped["holidays_of"]) == (0, "NI")  # Reformationstag
    assert "Feiertag (Bayern)" in counting_rule("BY")
    assert "Feiertag (Niedersachsen)" in counting_rule()
