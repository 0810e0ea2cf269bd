"""Timestamp detection and parsing: docs/RELIABILITY.md §2 and checklist items 17–20."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mining.errors import EventLogError
from mining.ingest.timestamps import (
    BERLIN,
    ISO8601,
    TimestampPolicy,
    describe_format,
    detect_timestamp_format,
    parse_timestamps,
)

BERLIN_TZ = ZoneInfo(BERLIN)
DEFAULT = TimestampPolicy()
FAR_FUTURE = TimestampPolicy(not_after=datetime(2100, 1, 1, tzinfo=UTC))


def parse(values, fmt, policy=DEFAULT, *, first_line=2, required=True):
    lines = pa.array(range(first_line, first_line + len(values)), type=pa.int64())
    return parse_timestamps(
        pa.array(values, type=pa.string()), lines, fmt=fmt, policy=policy, required=required
    )


def berlin(*args) -> datetime:
    """A Berlin wall-clock time as an aware UTC datetime (first occurrence when ambiguous)."""
    return datetime(*args, tzinfo=BERLIN_TZ).astimezone(UTC)


def instants(result) -> list[datetime | None]:
    return result.values.to_pylist()


class TestGermanDatesAreDayFirst:
    def test_all_days_up_to_12_parse_day_first(self):
        """Item 17: 03.02.2024 is 3 February, never 2 March, even with no day above 12."""
        values = ["03.02.2024 14:05", "04.02.2024 09:00", "12.11.2024 10:00"]
        fmt = detect_timestamp_format(values, column="Zeitpunkt", source="log.csv")
        assert fmt == "%d.%m.%Y %H:%M"
        result = parse(values, fmt)
        assert instants(result) == [
            berlin(2024, 2, 3, 14, 5),
            berlin(2024, 2, 4, 9, 0),
            berlin(2024, 11, 12, 10, 0),
        ]
        assert result.invalid_lines == ()

    def test_mixed_days_are_both_february(self):
        """Item 18: one format for the whole column, so 03.02. and 13.02. agree."""
        values = ["03.02.2024 14:05", "13.02.2024 09:00"]
        fmt = detect_timestamp_format(values, column="Zeitpunkt", source="log.csv")
        months = [moment.month for moment in instants(parse(values, fmt))]
        assert months == [2, 2]

    def test_pm4py_format_dataframe_still_swaps_day_and_month(self):
        """Regression guard: pm4py's own path gets this column wrong, ours gets it right.

        If this starts failing, pm4py changed its timestamp handling: re-check
        docs/RELIABILITY.md §2 before relying on it.
        """
        pm4py = pytest.importorskip("pm4py")
        raw = ["03.02.2024 14:05", "13.02.2024 09:00", "04.02.2024 10:00"]
        frame = pd.DataFrame({"Fall": ["A", "A", "B"], "Aktivität": ["x", "y", "z"], "Zeit": raw})
        formatted = pm4py.format_dataframe(
            frame, case_id="Fall", activity_key="Aktivität", timestamp_key="Zeit"
        )
        theirs = sorted(formatted["time:timestamp"].dt.month.tolist())
        assert theirs != [2, 2, 2], "pm4py now parses day-first; update docs/RELIABILITY.md §2"
        fmt = detect_timestamp_format(raw, column="Zeit", source="log.csv")
        assert [moment.month for moment in instants(parse(raw, fmt))] == [2, 2, 2]


class TestInvalidValues:
    @pytest.mark.parametrize(
        ("value", "reason"),
        [
            ("31.02.2024 10:00", "Datum existiert nicht"),
            ("29.02.2023 10:00", "Datum existiert nicht"),  # not a leap year
            ("31.04.2024 10:00", "Datum existiert nicht"),
            ("", "Zeitstempel fehlt"),
            ("   ", "Zeitstempel fehlt"),
            ("x", "kein gültiges Datum"),
            ("13.13.2024 10:00", "kein gültiges Datum"),
            ("12.12.2024 24:00", "kein gültiges Datum"),
            ("12.12.2024 10:60", "kein gültiges Datum"),
            ("12.12.24 10:00", "kein gültiges Datum"),  # two-digit year in a %Y column
            ("03.02.2024 14:05:00", "kein gültiges Datum"),  # seconds the format does not have
            ("01.01.2099 10:00", "liegt in der Zukunft"),
            ("31.12.1969 10:00", "liegt vor dem frühesten zulässigen Datum"),
        ],
    )
    def test_invalid_value_is_reported_with_its_line(self, value, reason):
        result = parse(["03.02.2024 10:00", value, "04.02.2024 10:00"], "%d.%m.%Y %H:%M")
        assert result.invalid_lines == (3,)
        assert result.invalid_reasons == (reason,)
        assert instants(result)[1] is None
        assert instants(result)[0] is not None and instants(result)[2] is not None

    def test_item_19_lines_listed_never_silent(self):
        values = ["03.02.2024 10:00", "31.02.2024 10:00", "", "x", "01.01.2099 10:00"]
        result = parse(values, "%d.%m.%Y %H:%M", first_line=10)
        assert result.invalid_lines == (11, 12, 13, 14)
        assert result.values.null_count == 4

    def test_reasons_do_not_repeat_the_cell(self):
        result = parse(["Erika Mustermann"], "%d.%m.%Y %H:%M")
        assert "Erika" not in " ".join(result.invalid_reasons)

    def test_optional_empty_is_null_not_invalid(self):
        result = parse(["", "03.02.2024 10:00"], "%d.%m.%Y %H:%M", required=False)
        assert result.invalid_lines == ()
        assert instants(result) == [None, berlin(2024, 2, 3, 10, 0)]

    def test_not_after_defaults_to_tomorrow(self):
        soon = datetime.now(BERLIN_TZ) + timedelta(hours=2)
        later = datetime.now(BERLIN_TZ) + timedelta(days=3)
        result = parse([f"{soon:%d.%m.%Y %H:%M}", f"{later:%d.%m.%Y %H:%M}"], "%d.%m.%Y %H:%M")
        assert result.invalid_lines == (3,)

    def test_policy_bounds_must_be_aware(self):
        with pytest.raises(ValueError):
            TimestampPolicy(not_after=datetime(2030, 1, 1))


class TestDaylightSaving:
    """Item 20 and the module's documented policy."""

    def test_nonexistent_spring_time_shifts_forward_to_three(self):
        result = parse(["31.03.2024 02:30", "31.03.2024 01:30"], "%d.%m.%Y %H:%M")
        assert instants(result)[0] == berlin(2024, 3, 31, 3, 0)
        assert result.dst_shifted_lines == (2,)
        assert result.invalid_lines == ()

    def test_ambiguous_autumn_time_takes_first_occurrence(self):
        result = parse(["27.10.2024 02:30", "27.10.2024 03:30"], "%d.%m.%Y %H:%M")
        assert instants(result)[0] == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)  # 02:30 CEST
        assert result.dst_ambiguous_lines == (2,)
        assert result.dst_shifted_lines == ()

    @pytest.mark.parametrize("day", ["31.03.2024", "27.10.2024"])
    def test_durations_across_transition_are_never_negative(self, day):
        wall = ["00:59", "01:30", "02:00", "02:15", "02:30", "02:59", "03:00", "03:01", "04:00"]
        result = parse([f"{day} {time}" for time in wall], "%d.%m.%Y %H:%M")
        moments = instants(result)
        assert None not in moments
        assert all(later >= earlier for earlier, later in zip(moments, moments[1:], strict=False))

    def test_utc_policy_needs_no_dst_rules(self):
        policy = TimestampPolicy(timezone="UTC")
        result = parse(["31.03.2024 02:30"], "%d.%m.%Y %H:%M", policy)
        assert instants(result) == [datetime(2024, 3, 31, 2, 30, tzinfo=UTC)]
        assert result.dst_shifted_lines == ()


class TestIso8601:
    def test_offsets_are_respected_and_naive_is_berlin(self):
        values = [
            "2024-02-03T14:05:00+01:00",
            "2024-07-01T12:00:00Z",
            "2024-07-01 12:00:00.250-04:00",
            "2024-07-01T12:00",
            "2024-02-03",
            "2024-02-03T14:05:00+0100",
        ]
        assert detect_timestamp_format(values, column="time:timestamp", source="x.xes") == ISO8601
        assert instants(parse(values, ISO8601)) == [
            datetime(2024, 2, 3, 13, 5, tzinfo=UTC),
            datetime(2024, 7, 1, 12, 0, tzinfo=UTC),
            datetime(2024, 7, 1, 16, 0, 0, 250_000, tzinfo=UTC),
            datetime(2024, 7, 1, 10, 0, tzinfo=UTC),  # CEST
            datetime(2024, 2, 2, 23, 0, tzinfo=UTC),
            datetime(2024, 2, 3, 13, 5, tzinfo=UTC),
        ]

    @pytest.mark.parametrize("value", ["2024-02-31", "2024-02-30T10:00:00Z"])
    def test_impossible_iso_dates_are_invalid(self, value):
        result = parse([value], ISO8601)
        assert result.invalid_reasons == ("Datum existiert nicht",)

    @pytest.mark.parametrize("value", ["20240203", "2024-02", "03.02.2024", "2024-02-03T10"])
    def test_other_shapes_are_not_iso(self, value):
        assert parse([value], ISO8601).invalid_reasons == ("kein gültiges Datum",)

    def test_output_type_is_utc_microseconds(self):
        result = parse(["2024-02-03T10:00:00.123456789+00:00"], ISO8601)
        assert result.values.type == pa.timestamp("us", tz="UTC")
        assert instants(result) == [datetime(2024, 2, 3, 10, 0, 0, 123456, tzinfo=UTC)]


class TestDetection:
    @pytest.mark.parametrize(
        ("sample", "expected"),
        [
            (["2024-02-03T14:05:00.123Z", "2024-02-04T08:00:00+01:00"], ISO8601),
            (["2024-02-03 14:05:00", "2024-02-04 08:00:00"], ISO8601),
            (["03.02.2024 14:05:33"], "%d.%m.%Y %H:%M:%S"),
            (["03.02.2024"], "%d.%m.%Y"),
            (["3.2.2024 9:05"], "%d.%m.%Y %H:%M"),
            (["03.02.24 14:05"], "%d.%m.%y %H:%M"),
            (["03.02.2024 14:05:33.250"], "%d.%m.%Y %H:%M:%S.%f"),
            (["2024/02/03 14:05:33"], "%Y/%m/%d %H:%M:%S"),
            (["03/02/2024 10:00", "13/02/2024 10:00"], "%d/%m/%Y %H:%M"),  # first field > 12
            (["02/03/2024", "02/13/2024"], "%m/%d/%Y"),  # second field > 12
            # a few broken values do not change the format; they are reported per line later
            (["03.02.2024 14:05"] * 9 + ["x"], "%d.%m.%Y %H:%M"),
            # an impossible day still shows the format (the row is then invalid by its line)
            (["31.02.2024 10:00"], "%d.%m.%Y %H:%M"),
            (["31/02/2024"], "%d/%m/%Y"),
        ],
    )
    def test_detects(self, sample, expected):
        assert detect_timestamp_format(sample, column="Zeit", source="log.csv") == expected

    def test_ambiguous_slash_dates_ask_for_the_format(self):
        with pytest.raises(EventLogError) as caught:
            detect_timestamp_format(["03/02/2024", "04/05/2024"], column="Datum", source="a.csv")
        assert "--timestamp-format" in str(caught.value)
        assert caught.value.column == "Datum" and caught.value.source == "a.csv"

    @pytest.mark.parametrize("sample", [[], ["", "  "], ["Antrag", "prüfen", "03.02.2024"]])
    def test_not_a_timestamp_column(self, sample):
        with pytest.raises(EventLogError) as caught:
            detect_timestamp_format(sample, column="Aktivität", source="a.csv")
        assert "Aktivität" in str(caught.value)

    def test_describe_format_for_users(self):
        assert describe_format("%d.%m.%Y %H:%M") == "TT.MM.JJJJ hh:mm"


class TestExplicitFormat:
    def test_explicit_format_is_applied_exactly(self):
        result = parse(["02/03/2024 10:00"], "%m/%d/%Y %H:%M")
        assert instants(result) == [berlin(2024, 2, 3, 10, 0)]

    def test_format_with_offset_directive(self):
        result = parse(["03.02.2024 10:00 +0000"], "%d.%m.%Y %H:%M %z")
        assert instants(result) == [datetime(2024, 2, 3, 10, 0, tzinfo=UTC)]

    def test_unknown_directives_fall_back_to_strict_pandas(self):
        result = parse(["03 Feb 2024 10:00", "31 Feb 2024 10:00"], "%d %b %Y %H:%M")
        assert instants(result)[0] == berlin(2024, 2, 3, 10, 0)
        assert result.invalid_lines == (3,)


# Random wall-clock times in Berlin, excluding the non-existent hour of spring forward.
def _exists(moment: datetime) -> bool:
    aware = moment.replace(tzinfo=BERLIN_TZ)
    return aware.astimezone(UTC).astimezone(BERLIN_TZ).replace(tzinfo=None) == moment


WALL_TIMES = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2037, 12, 31)).map(
    lambda moment: moment.replace(microsecond=0)
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(st.lists(WALL_TIMES.filter(_exists), min_size=1, max_size=50))
def test_round_trip_gives_back_the_instant(moments):
    """Formatted as %d.%m.%Y %H:%M:%S, every existing wall time parses to its instant.

    Ambiguous times are expected at their first occurrence (``fold=0``), the module's policy.
    """
    text = [f"{moment:%d.%m.%Y %H:%M:%S}" for moment in moments]
    result = parse(text, "%d.%m.%Y %H:%M:%S", FAR_FUTURE)
    expected = [moment.replace(tzinfo=BERLIN_TZ, fold=0).astimezone(UTC) for moment in moments]
    assert instants(result) == expected
    assert result.invalid_lines == ()


FIELDS = st.tuples(
    st.integers(0, 32), st.integers(0, 13), st.integers(1970, 2030), st.integers(0, 25)
)


@settings(max_examples=60, deadline=None)
@given(st.lists(FIELDS, min_size=1, max_size=60))
def test_fast_path_agrees_with_strict_pandas(fields):
    """The Arrow fast path accepts exactly what pandas' strict parser accepts, with equal values."""
    text = [f"{d:02d}.{m:02d}.{y} {h:02d}:17:05" for d, m, y, h in fields]
    fmt = "%d.%m.%Y %H:%M:%S"
    reference = pd.to_datetime(pd.Series(text), format=fmt, errors="coerce")
    ours = parse(
        text, fmt, TimestampPolicy(timezone="UTC", not_after=datetime(2100, 1, 1, tzinfo=UTC))
    )
    expected_ok = reference.notna().to_numpy()
    got_ok = np.array([value is not None for value in instants(ours)])
    assert (got_ok == expected_ok).all()
    for value, ref in zip(instants(ours), reference, strict=True):
        if value is not None:
            assert value.replace(tzinfo=None) == ref.to_pydatetime()
