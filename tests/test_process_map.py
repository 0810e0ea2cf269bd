"""The process map stays connected at every slider position (mining.measures.process_map):
no shown activity floats without edges, on small logs with known answers and on the real logs."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from mining.ingest.store import LogStore
from mining.measures.process_map import reduce_map
from mining.query.queries import (
    analysis_session,
    get_activity_times,
    get_dfg,
    get_start_end_activities,
)
from mining.query.view import open_log
from process_registry import Database, upgrade_schema
from tests.conftest import PROJECT


def _dfg(*rows: tuple[str, str, int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": [r[0] for r in rows],
            "target": [r[1] for r in rows],
            "count": [r[2] for r in rows],
            "mean_wait_s": [float(n) for n, _ in enumerate(rows)],
        }
    )


def _pairs(edges: pd.DataFrame) -> list[tuple[str, str]]:
    return list(zip(edges["source"], edges["target"], strict=True))


def test_an_activity_on_a_rare_path_keeps_its_strongest_edges_in_and_out() -> None:
    # The main flow A → B → D; C is a rare detour. Half the paths would leave C without edges.
    dfg = _dfg(("A", "B", 90), ("B", "D", 85), ("A", "C", 10), ("C", "D", 6), ("B", "C", 3))
    counts = {"A": 100, "B": 90, "D": 100, "C": 10}
    _, edges = reduce_map(dfg, counts, activity_share=1.0, path_share=0.4)
    # The top two paths, then C's strongest incoming (A → C, not B → C) and outgoing edge.
    assert _pairs(edges) == [("A", "B"), ("B", "D"), ("A", "C"), ("C", "D")]


def test_start_and_end_activities_stay_connected_at_the_lowest_path_level() -> None:
    # Two ways in (S1, S2) and two ways out (E1, E2); the rarer ones carry few cases.
    dfg = _dfg(("S1", "M", 50), ("S2", "M", 2), ("M", "E1", 40), ("M", "E2", 12), ("M", "M", 60))
    counts = {"S1": 50, "S2": 2, "M": 52, "E1": 40, "E2": 12}
    activities, edges = reduce_map(dfg, counts, activity_share=1.0, path_share=0.0)
    assert set(activities["activity"]) == set(counts)
    # The strongest edge is M's self-loop: it connects nothing, so every activity still gets
    # the edge that links it to the rest of the map.
    assert set(_pairs(edges)) == {
        ("M", "M"),
        ("S1", "M"),
        ("S2", "M"),
        ("M", "E1"),
        ("M", "E2"),
    }
    assert list(edges["count"]) == sorted(edges["count"], reverse=True)


def test_an_activity_whose_neighbours_are_hidden_keeps_what_the_log_allows() -> None:
    dfg = _dfg(("A", "B", 9), ("B", "C", 8), ("C", "A", 1))
    counts = {"A": 10, "B": 9, "C": 1}
    activities, edges = reduce_map(dfg, counts, activity_share=0.6, path_share=0.0)
    # C is hidden, so only A → B remains between the shown activities.
    assert list(activities["activity"]) == ["A", "B"] and _pairs(edges) == [("A", "B")]
    activities, edges = reduce_map(dfg, counts, activity_share=0.3, path_share=1.0)
    assert list(activities["activity"]) == ["A"] and edges.empty


# -- the real logs --------------------------------------------------------------------------------

REAL_LOGS = [
    "event_logs/running-example.xes",
    "event_logs/08_receipt.xes.gz",
    "tests/data/logs/bpic2012.xes.gz",
    "tests/data/logs/Road_Traffic_Fine_Management_Process.xes.zip",
]
ACTIVITY_SHARES = (0.05, 0.3, 0.6, 0.8, 1.0)
PATH_SHARES = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.0)


@pytest.fixture(scope="module", params=REAL_LOGS, ids=lambda p: Path(p).name.split(".")[0])
def real_map(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[pd.DataFrame, dict[str, int], dict[str, int], dict[str, int]]]:
    """(dfg, executions per activity, start activities, end activities) of an imported log."""
    folder = tmp_path_factory.mktemp("map")
    db = Database(f"sqlite:///{folder / 'pmo.sqlite3'}")
    upgrade_schema(db)
    store = LogStore(db, folder / "daten")
    log_id = store.import_file(PROJECT / request.param, uploader="test").log_id
    view = open_log(store.events_path(log_id))
    db.dispose()
    with analysis_session(view):
        dfg = get_dfg(view)
        times = get_activity_times(view)
        starts, ends = get_start_end_activities(view)
    counts = {str(a): int(n) for a, n in zip(times["activity"], times["events"], strict=True)}
    yield dfg, counts, starts, ends


@pytest.mark.parametrize("activity_share", ACTIVITY_SHARES)
def test_every_shown_activity_has_an_edge_in_and_out_unless_it_starts_or_ends_cases(
    real_map: tuple[pd.DataFrame, dict[str, int], dict[str, int], dict[str, int]],
    activity_share: float,
) -> None:
    dfg, counts, starts, ends = real_map
    for path_share in PATH_SHARES:
        activities, edges = reduce_map(
            dfg, counts, activity_share=activity_share, path_share=path_share
        )
        shown = set(activities["activity"])
        between = dfg[dfg["source"].isin(shown) & dfg["target"].isin(shown)]
        between = between[between["source"] != between["target"]]
        links = edges[edges["source"] != edges["target"]]
        where = f"activities {activity_share}, paths {path_share}"
        for activity in shown:
            has_in = activity in set(links["target"])
            has_out = activity in set(links["source"])
            # Without an edge in the log from another shown activity, there is nothing to show.
            assert has_in or activity not in set(between["target"]), (activity, where)
            assert has_out or activity not in set(between["source"]), (activity, where)
            if activity_share == 1.0:
                # All activities shown: only a case's first (last) step can lack a predecessor
                # (successor), and there the map's start (end) node connects it.
                assert has_in or activity in starts, (activity, where)
                assert has_out or activity in ends, (activity, where)
        # The slider still means what it says: the most frequent paths are all there.
        candidates = dfg[dfg["source"].isin(shown) & dfg["target"].isin(shown)]
        top = candidates.sort_values(
            ["count", "source", "target"], ascending=[False, True, True]
        ).head(max(1, math.ceil(path_share * len(candidates))))
        if not candidates.empty:
            assert set(_pairs(top)) <= set(_pairs(edges)), where
        assert list(edges["count"]) == sorted(edges["count"], reverse=True), where
