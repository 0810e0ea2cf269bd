"""Trends over time: cases started, completed and open per Berlin calendar month and ISO week,
with the throughput time, deadline and paper share of each period.

The expectations come from :func:`reference`, a pandas count over the uploaded CSV itself: first
and last timestamp per case, put into Berlin calendar periods, counted, ``median()`` and
``quantile(0.9)`` of the durations.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mining import AnalysisResult, ImportOptions, LogView, ProcessContext, analyze, open_log
from mining.ingest import ingest_file
from mining.ingest.privacy import load_or_create_secret
from mining.measures import (
    TREND_COLUMNS,
    case_trends,
    deadline_cases,
    deadline_status,
    is_paper_channel,
)
from mining.query import LogViewError
from process_registry.bpmn import parse_bpmn
from tests.cli_office import office_env, pmo_output
from tests.conftest import TESTS
from tests.test_aggregates import events, write_log
from tests.test_deadline import Steps, local
from tests.test_deadline import reference as deadline_reference

LOGS = TESTS / "data" / "logs"
CASE, TIME, CHANNEL = "case:concept:name", "time:timestamp", "case:channel"
# receipt.csv's intake channels are Internet, Desk, Post, e-mail and Intern: a letter is paper.
RECEIPT_PAPER = {"Post"}
# A deadline between two named steps of receipt.csv (as in tests/test_analysis_records.py).
RECEIPT_DEADLINE = {
    "deadline_days": 14,
    "deadline_starts_with": "Confirmation of receipt",
    "deadline_ends_with": "T10 Determine necessity to stop indication",
}
FREQUENCIES = {"month": "M", "week": "W-SUN"}


# -- the independent count --------------------------------------------------------------------


def _label(period: pd.Period, unit: str) -> str:
    start = period.start_time
    return f"{start:%Y-%m}" if unit == "month" else f"{start:%G-W%V}"


def reference(
    frame: pd.DataFrame,
    unit: str,
    *,
    paper: set[str] | None = None,
    over: pd.Series | None = None,
) -> pd.DataFrame:
    """The trend rows of an event frame (``case:concept:name``, ``time:timestamp``), with the
    paper share over ``case:channel`` when ``paper`` names the paper values, and the deadline
    share when ``over`` (bool per case id, only the cases whose clock started) is given."""
    times = pd.to_datetime(frame[TIME], utc=True, format="ISO8601")
    spans = frame.assign(_t=times).groupby(CASE)["_t"].agg(["min", "max"])

    def period(moments: pd.Series) -> pd.Series:
        wall = moments.dt.tz_convert("Europe/Berlin").dt.tz_localize(None)
        return wall.dt.to_period(FREQUENCIES[unit])

    started, completed = period(spans["min"]), period(spans["max"])
    duration = (spans["max"] - spans["min"]).dt.total_seconds()
    if paper is not None:
        ordered = frame.assign(_t=times).sort_values("_t", kind="stable")
        channel = ordered.groupby(CASE)[CHANNEL].first()  # first value the case has
    rows = []
    for p in pd.period_range(started.min(), completed.max(), freq=FREQUENCIES[unit]):
        done = completed == p
        row: dict[str, Any] = {
            "period": _label(p, unit),
            "started": int((started == p).sum()),
            "completed": int(done.sum()),
            "in_progress": int(((started <= p) & (completed > p)).sum()),
            "median_duration_s": duration[done].median(),
            "p90_duration_s": duration[done].quantile(0.9),
            "deadline_over_share": np.nan,
            "paper_share": np.nan,
        }
        if over is not None:
            judged = over.reindex(done[done].index).dropna()
            row["deadline_over_share"] = judged.mean() if len(judged) else np.nan
        if paper is not None:
            valued = channel[(started == p).reindex(channel.index)].dropna()
            row["paper_share"] = valued.isin(paper).mean() if len(valued) else np.nan
        rows.append(row)
    return pd.DataFrame(rows, columns=TREND_COLUMNS)


def _same(ours: pd.DataFrame | list[dict[str, Any]], expected: pd.DataFrame) -> None:
    types = {"period": object} | dict.fromkeys(TREND_COLUMNS[4:], "float64")
    pd.testing.assert_frame_equal(
        pd.DataFrame(ours, columns=TREND_COLUMNS).reset_index(drop=True).astype(types),
        expected.astype(types),
        check_exact=False,
        rtol=1e-12,
        atol=1e-6,
    )


# -- the real logs ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stored(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[str], tuple[LogView, pd.DataFrame]]:
    folder = tmp_path_factory.mktemp("trends")
    secret = load_or_create_secret(folder)
    cache: dict[str, tuple[LogView, pd.DataFrame]] = {}

    def get(name: str) -> tuple[LogView, pd.DataFrame]:
        if name not in cache:
            events_file = folder / f"{name}.parquet"
            attributes = (CHANNEL,) if name == "receipt.csv" else ()
            options = ImportOptions(attributes=attributes)
            ingest_file(LOGS / name, events_file, options=options, secret=secret, source=name)
            cache[name] = open_log(events_file), pd.read_csv(LOGS / name)
        return cache[name]

    return get


REAL = ["receipt.csv", "roadtraffic100traces.csv", "running-example.csv"]


@pytest.mark.parametrize("unit", ["month", "week"])
@pytest.mark.parametrize("name", REAL)
def test_trends_equal_a_pandas_count_on_the_real_logs(
    stored: Callable[[str], tuple[LogView, pd.DataFrame]], name: str, unit: str
) -> None:
    view, frame = stored(name)
    ours = case_trends(view, period=unit)
    _same(ours, reference(frame, unit))
    # Every case starts once and completes once, and nothing is open after the last period.
    assert ours["started"].sum() == ours["completed"].sum() == frame[CASE].nunique()
    assert ours["in_progress"].iloc[-1] == 0


def test_the_paper_share_counts_the_letters_among_the_cases_started(
    stored: Callable[[str], tuple[LogView, pd.DataFrame]],
) -> None:
    view, frame = stored("receipt.csv")
    ours = case_trends(view, channel_column=CHANNEL)
    _same(ours, reference(frame, "month", paper=RECEIPT_PAPER))
    assert ours["paper_share"].notna().all() and ours["paper_share"].max() > 0


def test_the_deadline_share_counts_the_completed_cases_as_the_deadline_does(
    stored: Callable[[str], tuple[LogView, pd.DataFrame]],
) -> None:
    view, frame = stored("receipt.csv")
    rule = {
        "deadline_days": RECEIPT_DEADLINE["deadline_days"],
        "starts_with": RECEIPT_DEADLINE["deadline_starts_with"],
        "ends_with": RECEIPT_DEADLINE["deadline_ends_with"],
    }
    flags = deadline_cases(view, **rule)
    status = deadline_status(view, **rule)
    # The per-case flags are the deadline's own count: same cases, same cases over.
    assert (len(flags), int(flags["over"].sum())) == (status.cases, status.over)
    assert 0 < status.over < status.cases
    # Case ids are not pseudonymized by this import, so the flags key the CSV's cases.
    over = flags.set_index("case_id")["over"].astype(float)
    ours = case_trends(view, **RECEIPT_DEADLINE)
    _same(ours, reference(frame, "month", over=over))


# -- edge cases on a log written for them ---------------------------------------------------------


def _trends(tmp_path: Path, rows: list[dict[str, Any]], **options: Any) -> pd.DataFrame:
    attributes = ("Kanal",) if any("Kanal" in row for row in rows) else ()
    view = write_log(tmp_path / "log.parquet", rows, attributes=attributes)
    return case_trends(view, **options).set_index("period")


def test_a_case_open_over_a_month_without_completions(tmp_path: Path) -> None:
    rows = [
        *events(
            "lang",
            ("Antrag", "2024-01-15T09:00:00+01:00"),
            ("Bescheid", "2024-03-10T09:00:00+01:00"),
        ),
        *events(
            "kurz",
            ("Antrag", "2024-01-20T09:00:00+01:00"),
            ("Bescheid", "2024-01-22T09:00:00+01:00"),
        ),
    ]
    trends = _trends(tmp_path, rows)
    assert list(trends.index) == ["2024-01", "2024-02", "2024-03"]
    assert trends["started"].tolist() == [2, 0, 0]
    assert trends["completed"].tolist() == [1, 0, 1]
    assert trends["in_progress"].tolist() == [1, 1, 0]
    # February completed nothing: no duration, not a duration of zero.
    assert trends.loc["2024-02", ["median_duration_s", "p90_duration_s"]].isna().all()
    assert trends.loc["2024-01", "median_duration_s"] == 2 * 86400
    assert trends.loc["2024-03", "median_duration_s"] == 55 * 86400


def test_periods_are_berlin_calendar_periods_across_clock_changes(tmp_path: Path) -> None:
    rows = [
        # 00:30 on 1 April in Berlin (summer time) is still 31 March in UTC.
        *events("april", ("Antrag", "2024-03-31T22:30:00Z"), ("Bescheid", "2024-04-02T08:00:00Z")),
        # 23:59 on 31 March in Berlin, after the clock went forward: March.
        *events("märz", ("Antrag", "2024-03-31T21:59:00Z"), ("Bescheid", "2024-03-31T21:59:30Z")),
        # 00:30 on 1 November in Berlin (winter time again) is 31 October in UTC.
        *events(
            "november", ("Antrag", "2024-10-31T23:30:00Z"), ("Bescheid", "2024-11-04T08:00:00Z")
        ),
    ]
    months = _trends(tmp_path, rows)
    assert months["started"].to_dict() == {
        "2024-03": 1, "2024-04": 1, "2024-05": 0, "2024-06": 0, "2024-07": 0, "2024-08": 0,
        "2024-09": 0, "2024-10": 0, "2024-11": 1,
    }  # fmt: skip
    assert months.loc["2024-03", "completed"] == 1
    weeks = _trends(tmp_path, rows, period="week")
    # Sunday 31 March 23:59 is ISO week 13; Monday 1 April 00:30 (Sunday in UTC) is week 14.
    assert weeks.loc["2024-W13", "started"] == 1
    assert weeks.loc["2024-W14", "started"] == 1
    assert weeks.loc["2024-W44", "started"] == 1  # Friday 1 November
    assert len(weeks) == 45 - 13 + 1  # up to Monday 4 November, the last completion


def test_iso_weeks_cross_the_year_as_the_calendar_does(tmp_path: Path) -> None:
    rows = events(
        "c", ("Antrag", "2024-12-30T10:00:00+01:00"), ("Bescheid", "2026-01-01T10:00:00+01:00")
    )
    weeks = _trends(tmp_path, rows, period="week")
    # Monday 30 December 2024 is in 2025's first week; 1 January 2026 is in 2026-W01.
    assert weeks.index[0] == "2025-W01" and weeks.index[-1] == "2026-W01"
    assert len(weeks) == 53  # 2025 has 52 ISO weeks, then one of 2026
    assert weeks["in_progress"].iloc[:-1].eq(1).all()


def test_the_deadline_share_per_month_follows_the_law_count(tmp_path: Path) -> None:
    log: dict[str, Steps] = {
        # Ten days from Friday 15 March end on Monday 25 March: over on the 26th.
        "spät": [("Antrag", local("2024-03-15T10:00")), ("Bescheid", local("2024-03-26T10:00"))],
        "pünktlich": [
            ("Antrag", local("2024-03-15T10:00")),
            ("Bescheid", local("2024-03-25T23:00")),
        ],
        # The deadline ends on Easter Monday (a holiday), so on Tuesday 2 April: in time.
        "ostern": [("Antrag", local("2024-03-22T10:00")), ("Bescheid", local("2024-04-02T12:00"))],
        # Ten days from Wednesday 3 April end on Saturday the 13th, so on Monday the 15th.
        "april": [("Antrag", local("2024-04-03T10:00")), ("Bescheid", local("2024-04-16T10:00"))],
    }
    labels = deadline_reference(log, 10, None, None).labels
    assert labels == {"spät": "over", "pünktlich": "close", "ostern": "close", "april": "over"}
    rows = [
        row
        for case, steps in log.items()
        for row in events(case, *((a, m.isoformat()) for a, m in steps))
    ]
    trends = _trends(tmp_path, rows, deadline_days=10)
    assert trends["deadline_over_share"].to_dict() == {"2024-03": 0.5, "2024-04": 0.5}
    none = _trends(tmp_path, rows)
    assert none["deadline_over_share"].isna().all()


def test_the_deadline_share_counts_only_cases_whose_clock_started(tmp_path: Path) -> None:
    rows = [
        *events(
            "ohne",
            ("Antrag", "2024-05-02T10:00:00+02:00"),
            ("Bescheid", "2024-05-30T10:00:00+02:00"),
        ),
        *events(
            "mit",
            ("Antrag", "2024-05-02T10:00:00+02:00"),
            ("Unterlagen vollständig", "2024-05-03T10:00:00+02:00"),
            ("Bescheid", "2024-05-30T10:00:00+02:00"),
        ),
        *events(
            "juni",
            ("Antrag", "2024-06-03T10:00:00+02:00"),
            ("Bescheid", "2024-06-04T10:00:00+02:00"),
        ),
    ]
    trends = _trends(
        tmp_path, rows, deadline_days=10, deadline_starts_with="Unterlagen vollständig"
    )
    # May: one case with a started clock, over; June: none started, so no share at all.
    assert trends.loc["2024-05", "deadline_over_share"] == 1.0
    assert np.isnan(trends.loc["2024-06", "deadline_over_share"])


def test_the_paper_share_is_of_the_cases_with_a_channel(tmp_path: Path) -> None:
    rows = [
        *events(
            "p1",
            ("Antrag", "2024-05-02T10:00:00+02:00"),
            ("Bescheid", "2024-05-03T10:00:00+02:00"),
            Kanal="Papier",
        ),
        *events(
            "o1",
            ("Antrag", "2024-05-02T10:00:00+02:00"),
            ("Bescheid", "2024-05-03T10:00:00+02:00"),
            Kanal="Online",
        ),
        *events(
            "o2",
            ("Antrag", "2024-05-06T10:00:00+02:00"),
            ("Bescheid", "2024-05-07T10:00:00+02:00"),
            Kanal="Online",
        ),
        *events(
            "x", ("Antrag", "2024-05-06T10:00:00+02:00"), ("Bescheid", "2024-05-07T10:00:00+02:00")
        ),
        # Started in July with no channel: no share for July, and June started nothing.
        *events(
            "y", ("Antrag", "2024-07-01T10:00:00+02:00"), ("Bescheid", "2024-07-02T10:00:00+02:00")
        ),
    ]
    trends = _trends(tmp_path, rows, channel_column="Kanal")
    assert trends.loc["2024-05", "paper_share"] == pytest.approx(1 / 3)
    assert trends["paper_share"].iloc[1:].isna().all()
    without_paper = [dict(row, Kanal="Online") if "Kanal" in row else row for row in rows]
    assert _trends(tmp_path, without_paper, channel_column="Kanal")["paper_share"].isna().all()


@pytest.mark.parametrize(
    ("value", "paper"),
    [
        ("Papier", True), ("Post", True), ("per Post", True), ("Hauspost", True), ("Brief", True),
        ("schriftlich", True), ("paper", True), ("Online", False), ("E-Mail", False),
        ("Internet", False), ("Desk", False), ("E-Post", False), ("BundID-Postfach", False),
    ],
)  # fmt: skip
def test_paper_channels_are_recognised_by_name(value: str, paper: bool) -> None:
    assert is_paper_channel(value) is paper


def test_an_unknown_period_is_refused_in_german(tmp_path: Path) -> None:
    view = write_log(tmp_path / "log.parquet", events("c", ("A", "2024-01-01T10:00:00Z")))
    with pytest.raises(LogViewError, match="Unbekannter Zeitraum „quarter“"):
        case_trends(view, period="quarter")


# -- the analysis and its JSON ----------------------------------------------------------------


def test_the_analysis_carries_monthly_and_weekly_trends(
    stored: Callable[[str], tuple[LogView, pd.DataFrame]],
) -> None:
    view, frame = stored("receipt.csv")
    process = ProcessContext(
        key="receipt",
        version=1,
        document=parse_bpmn((LOGS / "receipt.bpmn").read_bytes()),
        legal_deadline_days=RECEIPT_DEADLINE["deadline_days"],
        deadline_starts_with=RECEIPT_DEADLINE["deadline_starts_with"],
        deadline_ends_with=RECEIPT_DEADLINE["deadline_ends_with"],
    )
    result: AnalysisResult = json.loads(json.dumps(analyze(view, process=process)))
    over = (
        deadline_cases(
            view,
            deadline_days=14,
            starts_with=RECEIPT_DEADLINE["deadline_starts_with"],
            ends_with=RECEIPT_DEADLINE["deadline_ends_with"],
        )
        .set_index("case_id")["over"]
        .astype(float)
    )
    _same(result["trends"], reference(frame, "month", paper=RECEIPT_PAPER, over=over))
    _same(result["trends_weekly"], reference(frame, "week", paper=RECEIPT_PAPER, over=over))
    # A month without completions writes null, never 0 seconds.
    assert all(
        row["median_duration_s"] is None for row in result["trends_weekly"] if not row["completed"]
    )


def test_pmo_analyze_json_has_the_trends(tmp_path: Path) -> None:
    output = json.loads(
        pmo_output("analyze", str(LOGS / "running-example.csv"), "--json", env=office_env(tmp_path))
    )
    frame = pd.read_csv(LOGS / "running-example.csv")
    _same(output["trends"], reference(frame, "month"))
    _same(output["trends_weekly"], reference(frame, "week"))
    assert set(output["trends"][0]) == set(TREND_COLUMNS)


def test_pmo_analyze_prints_the_last_months(
    stored: Callable[[str], tuple[LogView, pd.DataFrame]],
) -> None:
    from pmo.cli._render import render_analysis

    view, _frame = stored("receipt.csv")
    result = analyze(view)
    text = render_analysis(result)
    months = result["trends"]
    assert "Entwicklung der letzten 6 Monate" in text
    last = months[-1]
    assert (
        f"  {last['period']}: {last['started']} begonnen, {last['completed']} abgeschlossen, "
        f"{last['in_progress']} offen, Median "
    ) in text
    assert f"  {months[-7]['period']}:" not in text
    assert f"… {len(months) - 6} Monate davor (--json zeigt alle)" in text


def test_an_empty_selection_has_no_periods(tmp_path: Path) -> None:
    import datetime as dt

    from mining.query import filter_time_range

    view = write_log(tmp_path / "log.parquet", events("c", ("A", "2024-01-01T10:00:00Z")))
    nothing = filter_time_range(
        view, dt.datetime(2030, 1, 1, tzinfo=dt.UTC), dt.datetime(2030, 2, 1, tzinfo=dt.UTC)
    )
    for period in ("month", "week"):
        trends = case_trends(nothing, period=period, deadline_days=5)
        assert trends.empty and list(trends.columns) == TREND_COLUMNS
