"""The stored layout and the session tables (mining.query._events): what makes the aggregates fast
must not change a single result."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from mining.analysis import analyze
from mining.query.queries import get_activity_profile, get_log_stats, get_variants
from mining.query.view import filter_activity_presence, filter_time_range, open_log
from tests.municipal_log import stored_hundesteuer_log
from tests.test_aggregates import write_log


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return stored_hundesteuer_log(tmp_path_factory.mktemp("layout"), cases=300, seed=3)


def test_a_shuffled_copy_of_a_stored_log_gives_the_same_analysis(
    stored: Path, tmp_path: Path
) -> None:
    # Another tool may rewrite the file in any row order; sessions check the order, not trust it.
    table = pq.read_table(stored)
    shuffled = tmp_path / "shuffled.parquet"
    pq.write_table(table.take(np.random.default_rng(5).permutation(table.num_rows)), shuffled)
    assert analyze(open_log(shuffled)) == analyze(open_log(stored))


def test_stored_events_are_contiguous_per_case_and_in_pm4py_order(stored: Path) -> None:
    frame = pq.read_table(stored, columns=["case_id", "timestamp", "seq"]).to_pandas()
    assert frame.equals(frame.sort_values(["case_id", "timestamp", "seq"], kind="stable"))
    assert sorted(frame["seq"]) == list(range(len(frame)))


def test_filters_count_only_the_activities_left(stored: Path) -> None:
    view = open_log(stored)
    first = get_variants(view)["activities"].iloc[0]
    kept = filter_activity_presence(view, first[-1], present=False)
    names = set(get_activity_profile(kept)["activity"])
    assert first[-1] not in names
    assert get_log_stats(kept).activities == len(names)
    stats = get_log_stats(view)
    cut = stats.start + (stats.end - stats.start) / 50
    events = pq.read_table(stored, columns=["activity", "timestamp"]).to_pandas()
    early = set(events.loc[events["timestamp"] <= cut, "activity"])
    trimmed = filter_time_range(view, stats.start, cut, mode="trim")
    assert len(early) < stats.activities
    assert get_log_stats(trimmed).activities == len(early)


def test_variants_keep_name_order_beyond_256_activities(tmp_path: Path) -> None:
    # Traces are compared as fixed-width codes; with more than 256 activities the codes take two
    # bytes and must still sort like the names.
    names = [f"Schritt {number:03d}" for number in range(300)]
    rows = []
    for case, (a, b) in enumerate([(299, 0), (0, 299), (0, 1), (256, 255), (255, 256)]):
        for offset, code in enumerate((a, b)):
            rows.append(
                {"case": f"C{case}", "activity": names[code], "time": f"2024-01-0{offset + 1}"}
            )
    rows += [{"case": "X", "activity": name, "time": "2024-02-01"} for name in names[2:255]]
    variants = get_variants(write_log(tmp_path / "log.parquet", rows))
    singles = [list(v) for v in variants["activities"] if len(v) == 2]
    assert singles == sorted(singles)
    assert len(variants) == 6
