"""DuckDB aggregates over stored logs equal pm4py's results on the same logs (issue acceptance).

pm4py's side is computed here, in the test, from the original files. Each real log is imported
and read by pm4py once per module (module-scoped, parametrized fixture); the two large logs take
a minute or two, mostly pm4py's XES parser.
"""

from __future__ import annotations

import math
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pm4py
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mining.ingest.store import LogStore
from mining.query.queries import (
    get_activity_times,
    get_case_durations,
    get_dfg,
    get_log_stats,
    get_start_end_activities,
    get_variants,
)
from mining.query.view import LogView, LogViewError, filter_activity_presence, open_log
from process_registry import Database, upgrade_schema
from tests.conftest import PROJECT

REL = 1e-6

# -- building small logs --------------------------------------------------------------------------

_UTC_US = pa.timestamp("us", tz="UTC")


def _moment(value: str | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def write_log(
    path: Path, rows: Sequence[Mapping[str, Any]], *, attributes: Sequence[str] = ()
) -> LogView:
    """Write events in the importer's canonical Parquet schema and open a view of them.

    ``rows`` are dicts with ``case``, ``activity``, ``time`` (ISO text, UTC unless an offset is
    given) and optionally ``start``, ``resource``, ``org_unit`` and the ``attributes``; file order
    is the order of ``rows``.
    """
    columns: dict[str, pa.Array] = {
        "case_id": pa.array([r["case"] for r in rows], pa.string()),
        "activity": pa.array([r["activity"] for r in rows], pa.string()),
        "timestamp": pa.array([_moment(r["time"]) for r in rows], _UTC_US),
        "start_timestamp": pa.array([_moment(r.get("start")) for r in rows], _UTC_US),
        "resource": pa.array([r.get("resource") for r in rows], pa.string()),
        "org_unit": pa.array([r.get("org_unit") for r in rows], pa.string()),
    }
    for name in attributes:
        columns[name] = pa.array([r.get(name) for r in rows], pa.string())
    columns["line"] = pa.array(range(2, len(rows) + 2), pa.int64())
    columns["seq"] = pa.array(range(len(rows)), pa.int64())
    pq.write_table(pa.table(columns), path)
    return open_log(path)


def events(case: str, *steps: tuple[str, str], **common: str) -> list[dict[str, Any]]:
    """Rows of one case: ``events("c1", ("A", "2024-01-01T10:00"), ("B", …), org_unit="Amt 1")``."""
    return [{"case": case, "activity": a, "time": t, **common} for a, t in steps]


def import_log(source: Path, target_dir: Path) -> LogView:
    db = Database(f"sqlite:///{target_dir / 'pmo.sqlite3'}")
    upgrade_schema(db)
    store = LogStore(db, target_dir / "daten")
    result = store.import_file(source, uploader="test")
    view = open_log(store.events_path(result.log_id))
    db.dispose()
    return view


def read_with_pm4py(source: Path, tmp: Path) -> pd.DataFrame:
    if source.suffix == ".zip":
        with zipfile.ZipFile(source) as archive:
            member = next(
                n for n in archive.namelist() if n.endswith(".xes") and "__MACOSX" not in n
            )
            source = Path(archive.extract(member, tmp))
    frame = pm4py.read_xes(
        str(source), variant="iterparse", return_legacy_log_object=False, show_progress_bar=False
    )
    if source.parent == tmp:
        source.unlink()  # 185 MB unpacked; pm4py holds the frame
    return frame


# -- the real logs ---------------------------------------------------------------------------------

REAL_LOGS = [
    "event_logs/running-example.xes",
    "event_logs/08_receipt.xes.gz",
    "tests/data/logs/bpic2012.xes.gz",
    "tests/data/logs/Road_Traffic_Fine_Management_Process.xes.zip",
]


@pytest.fixture(scope="module", params=REAL_LOGS, ids=lambda p: Path(p).name.split(".")[0])
def real_log(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LogView, pd.DataFrame]]:
    source = PROJECT / request.param
    tmp = tmp_path_factory.mktemp("real")
    yield import_log(source, tmp), read_with_pm4py(source, tmp)


def _close(ours: float, theirs: float) -> bool:
    return math.isclose(ours, theirs, rel_tol=REL, abs_tol=1e-9)


def _edges(frame: pd.DataFrame, column: str) -> dict[tuple[str, str], float]:
    return {
        (s, t): v for s, t, v in zip(frame["source"], frame["target"], frame[column], strict=True)
    }


def test_variants_and_their_counts_equal_pm4py(real_log: tuple[LogView, pd.DataFrame]) -> None:
    view, frame = real_log
    ours = get_variants(view)
    theirs = pm4py.get_variants(frame)
    assert dict(zip(ours["activities"], ours["cases"], strict=True)) == dict(theirs)
    assert ours["cases"].is_monotonic_decreasing
    assert ours["share"].sum() == pytest.approx(1.0)


def test_variant_throughput_times_equal_pandas(real_log: tuple[LogView, pd.DataFrame]) -> None:
    view, frame = real_log
    cases = frame.groupby("case:concept:name", sort=False)
    spans = cases["time:timestamp"].agg(["min", "max"])
    expected = (
        pd.DataFrame(
            {
                "trace": cases["concept:name"].agg(tuple),
                "duration_s": (spans["max"] - spans["min"]).dt.total_seconds(),
            }
        )
        .groupby("trace")["duration_s"]
        .agg(median="median", p90=lambda s: s.quantile(0.9))
    )
    ours = get_variants(view).set_index("activities")
    assert set(ours.index) == set(expected.index)
    wrong = {
        trace: (ours.at[trace, column], expected.at[trace, theirs])
        for trace in expected.index
        for column, theirs in (("median_duration_s", "median"), ("p90_duration_s", "p90"))
        if not _close(ours.at[trace, column], expected.at[trace, theirs])
    }
    assert wrong == {}


def test_dfg_edge_counts_equal_pm4py(real_log: tuple[LogView, pd.DataFrame]) -> None:
    view, frame = real_log
    dfg, _, _ = pm4py.discover_dfg(frame)
    assert _edges(get_dfg(view), "count") == dict(dfg)
    # Distinct cases per edge: the cases pm4py's directly-follows filter keeps.
    pairs = frame[["case:concept:name", "concept:name"]].assign(
        target=frame.groupby("case:concept:name", sort=False)["concept:name"].shift(-1)
    )
    pairs = pairs.dropna(subset=["target"])
    theirs = pairs.groupby(["concept:name", "target"])["case:concept:name"].nunique()
    assert _edges(get_dfg(view), "cases") == theirs.to_dict()


@pytest.mark.parametrize(
    ("aggregation", "column"),
    [("mean", "mean_wait_s"), ("median", "median_wait_s"), ("sum", "total_wait_s")],
)
def test_dfg_waits_equal_pm4py_performance_dfg(
    real_log: tuple[LogView, pd.DataFrame], aggregation: str, column: str
) -> None:
    view, frame = real_log
    theirs, _, _ = pm4py.discover_performance_dfg(frame, perf_aggregation_key=aggregation)
    ours = _edges(get_dfg(view), column)
    assert ours.keys() == theirs.keys()
    wrong = {
        edge: (ours[edge], theirs[edge]) for edge in theirs if not _close(ours[edge], theirs[edge])
    }
    assert wrong == {}


def test_case_durations_equal_pm4py(real_log: tuple[LogView, pd.DataFrame]) -> None:
    view, frame = real_log
    theirs = np.asarray(pm4py.get_all_case_durations(frame), dtype="float64")
    ours = get_case_durations(view)
    assert _close(ours.mean_s, float(np.mean(theirs)))
    assert _close(ours.median_s, float(np.median(theirs)))
    assert _close(ours.p90_s, float(np.percentile(theirs, 90)))
    np.testing.assert_allclose(np.sort(ours.per_case.to_numpy()), theirs, rtol=REL, atol=1e-9)


def test_start_and_end_activities_equal_pm4py(real_log: tuple[LogView, pd.DataFrame]) -> None:
    view, frame = real_log
    assert get_start_end_activities(view) == (
        pm4py.get_start_activities(frame),
        pm4py.get_end_activities(frame),
    )


def test_log_stats_equal_pm4py(real_log: tuple[LogView, pd.DataFrame]) -> None:
    view, frame = real_log
    stats = get_log_stats(view)
    assert (stats.cases, stats.events, stats.activities, stats.variants) == (
        frame["case:concept:name"].nunique(),
        len(frame),
        frame["concept:name"].nunique(),
        len(pm4py.get_variants(frame)),
    )
    assert stats.start == frame["time:timestamp"].min().to_pydatetime()
    assert stats.end == frame["time:timestamp"].max().to_pydatetime()


def test_sojourn_times_equal_time_since_previous_event(
    real_log: tuple[LogView, pd.DataFrame],
) -> None:
    view, frame = real_log
    # pm4py's frame is in file order, which for these logs is (timestamp, file order) per case.
    since_previous = frame.groupby("case:concept:name", sort=False)["time:timestamp"].diff()
    expected = (
        pd.DataFrame({"activity": frame["concept:name"], "s": since_previous.dt.total_seconds()})
        .groupby("activity")["s"]
        .agg(["mean", "median"])
    )
    ours = get_activity_times(view).set_index("activity")
    assert set(ours["kind"]) == {"Verweilzeit"}
    for activity, row in expected.iterrows():
        for ours_value, theirs in (
            (ours.at[activity, "mean_s"], row["mean"]),
            (ours.at[activity, "median_s"], row["median"]),
        ):
            assert (math.isnan(ours_value) and math.isnan(theirs)) or _close(ours_value, theirs)


# -- small logs with known answers ----------------------------------------------------------------


def test_equal_timestamps_keep_file_order(tmp_path: Path) -> None:
    # B and C share a timestamp: file order decides, as pm4py's stable sort does.
    view = write_log(
        tmp_path / "log.parquet",
        [
            *events(
                "c1",
                ("A", "2024-01-01T10:00"),
                ("C", "2024-01-01T11:00"),
                ("B", "2024-01-01T11:00"),
            ),
            *events(
                "c2",
                ("A", "2024-01-01T10:00"),
                ("B", "2024-01-01T11:00"),
                ("C", "2024-01-01T11:00"),
            ),
            # File order differs from time order: the time decides.
            *events("c3", ("B", "2024-01-02T11:00"), ("A", "2024-01-02T10:00")),
        ],
    )
    variants = get_variants(view)
    assert dict(zip(variants["activities"], variants["cases"], strict=True)) == {
        ("A", "C", "B"): 1,
        ("A", "B", "C"): 1,
        ("A", "B"): 1,
    }
    assert get_start_end_activities(view) == ({"A": 3}, {"B": 2, "C": 1})


def test_variants_ordered_by_frequency_then_activities_with_examples(tmp_path: Path) -> None:
    rows = []
    for number, trace in enumerate(["AB", "B", "AB", "AC", "B", "AB", "A"]):
        day = f"2024-01-{number + 1:02d}"
        rows += events(f"c{number}", *((a, f"{day}T{10 + i}:00") for i, a in enumerate(trace)))
    frame = get_variants(write_log(tmp_path / "log.parquet", rows), examples=2)
    assert frame["activities"].tolist() == [("A", "B"), ("B",), ("A",), ("A", "C")]
    assert frame["cases"].tolist() == [3, 2, 1, 1]
    assert frame["share"].tolist() == pytest.approx([3 / 7, 2 / 7, 1 / 7, 1 / 7])
    assert frame["example_cases"].tolist() == [("c0", "c2"), ("c1", "c4"), ("c6",), ("c3",)]


def test_dfg_waits_are_seconds_between_directly_following_events(tmp_path: Path) -> None:
    view = write_log(
        tmp_path / "log.parquet",
        [
            *events(
                "c1",
                ("A", "2024-01-01T10:00"),
                ("B", "2024-01-01T10:01"),
                ("C", "2024-01-01T12:00"),
            ),
            *events("c2", ("A", "2024-01-01T10:00"), ("B", "2024-01-01T10:03")),
            *events("c3", ("A", "2024-01-01T10:00"), ("B", "2024-01-01T10:11")),
            # A loop passes B→A→B twice in one case: two pairs, but one case behind the edge.
            *events(
                "c4",
                ("B", "2024-01-02T10:00"),
                ("A", "2024-01-02T10:05"),
                ("B", "2024-01-02T10:06"),
                ("A", "2024-01-02T10:07"),
            ),
        ],
    )
    dfg = get_dfg(view)
    assert list(dfg.columns) == [
        "source",
        "target",
        "count",
        "mean_wait_s",
        "median_wait_s",
        "total_wait_s",
        "cases",
    ]
    cases_per_edge = {(s, t): c for s, t, c in dfg[["source", "target", "cases"]].itertuples(False)}
    assert cases_per_edge == {("A", "B"): 4, ("B", "A"): 1, ("B", "C"): 1}
    first = dfg.iloc[0]
    assert (first["source"], first["target"], first["count"]) == ("A", "B", 4)
    assert (first["mean_wait_s"], first["median_wait_s"], first["total_wait_s"]) == (
        240.0,
        120.0,
        960.0,
    )
    assert dfg.iloc[1][["source", "target", "count", "mean_wait_s"]].tolist() == [
        "B",
        "A",
        2,
        180.0,
    ]
    assert dfg.iloc[2][["source", "target", "count", "mean_wait_s"]].tolist() == [
        "B",
        "C",
        1,
        7140.0,
    ]


def test_case_durations_mean_median_p90(tmp_path: Path) -> None:
    rows = []
    for number, hours in enumerate([1, 2, 3, 4, 10]):
        rows += events(f"c{number}", ("A", "2024-01-01T00:00"), ("B", f"2024-01-01T{hours:02d}:00"))
    rows += events("single", ("A", "2024-01-05T00:00"))
    durations = get_case_durations(write_log(tmp_path / "log.parquet", rows))
    hours = np.array([1, 2, 3, 4, 10, 0]) * 3600.0
    assert durations.mean_s == pytest.approx(hours.mean())
    assert durations.median_s == pytest.approx(np.median(hours))
    assert durations.p90_s == pytest.approx(np.percentile(hours, 90))
    assert durations.per_case["single"] == 0.0
    assert durations.per_case.index.name == "case_id"


def test_activity_times_use_start_timestamps_where_recorded(tmp_path: Path) -> None:
    view = write_log(
        tmp_path / "log.parquet",
        [
            {"case": "c1", "activity": "Antrag", "time": "2024-01-01T08:00"},
            {
                "case": "c1",
                "activity": "Prüfen",
                "time": "2024-01-01T10:00",
                "start": "2024-01-01T09:30",
            },
            {"case": "c1", "activity": "Bescheid", "time": "2024-01-01T12:00"},
            {"case": "c2", "activity": "Antrag", "time": "2024-01-02T08:00"},
            {
                "case": "c2",
                "activity": "Prüfen",
                "time": "2024-01-02T11:00",
                "start": "2024-01-02T09:00",
            },
            {"case": "c2", "activity": "Bescheid", "time": "2024-01-02T16:00"},
        ],
    )
    times = get_activity_times(view).set_index("activity")
    assert times.at["Prüfen", "kind"] == "Bearbeitungszeit"
    assert times.at["Prüfen", "mean_s"] == pytest.approx((1800 + 7200) / 2)
    assert times.at["Bescheid", "kind"] == "Verweilzeit"
    assert times.at["Bescheid", "mean_s"] == pytest.approx((7200 + 18000) / 2)
    assert math.isnan(times.at["Antrag", "mean_s"])  # always first: no previous event
    assert times.at["Antrag", "events"] == 2 and times.at["Antrag", "cases"] == 2


def test_empty_view_gives_empty_results(tmp_path: Path) -> None:
    view = write_log(tmp_path / "log.parquet", events("c1", ("A", "2024-01-01T10:00")))
    empty = filter_activity_presence(view, "A", present=False)
    stats = get_log_stats(empty)
    assert (stats.cases, stats.events, stats.start) == (0, 0, None)
    assert get_variants(empty).empty and get_dfg(empty).empty
    assert math.isnan(get_case_durations(empty).mean_s)
    assert get_start_end_activities(empty) == ({}, {})


def test_open_log_rejects_a_file_that_is_not_an_imported_log(tmp_path: Path) -> None:
    pq.write_table(pa.table({"x": [1]}), tmp_path / "other.parquet")
    with pytest.raises(LogViewError, match="case_id"):
        open_log(tmp_path / "other.parquet")
    with pytest.raises(LogViewError, match="nicht gefunden"):
        open_log(tmp_path / "missing.parquet")
