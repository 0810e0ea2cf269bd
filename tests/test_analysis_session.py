"""An analysis reads its log once (``analysis_session``): every aggregate must give exactly what
it gives on its own, on real logs, filtered and unfiltered, also on equal timestamps."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from mining.ingest.pipeline import ImportOptions, ingest_file
from mining.ingest.privacy import load_or_create_secret
from mining.measures.performance import (
    compare_channels,
    find_bottlenecks,
    find_handovers,
    find_rework,
    group_statistics,
)
from mining.query.queries import (
    analysis_session,
    get_activity_profile,
    get_activity_times,
    get_case_durations,
    get_dfg,
    get_log_stats,
    get_start_end_activities,
    get_variants,
)
from mining.query.view import LogView, filter_variants_top_k, open_log
from tests.conftest import PROJECT
from tests.municipal_log import generate_hundesteuer_log

AGGREGATES: dict[str, Callable[[LogView], object]] = {
    "stats": get_log_stats,
    "variants": get_variants,
    "dfg": get_dfg,
    "durations": lambda v: get_case_durations(v).per_case,
    "start_end": get_start_end_activities,
    "activity_times": get_activity_times,
    "profile": get_activity_profile,
    "bottlenecks": find_bottlenecks,
    "rework": find_rework,
    "handovers": lambda v: find_handovers(v, column="Eingangskanal"),
    "groups": lambda v: group_statistics(v, column="Eingangskanal", min_group_size=2),
    "channels": lambda v: compare_channels(v, column="Eingangskanal"),
}


def _stored(source: Path, folder: Path, **options: object) -> LogView:
    events = folder / "events.parquet"
    ingest_file(
        source,
        events,
        options=ImportOptions(**options),  # type: ignore[arg-type]
        secret=load_or_create_secret(folder),
        source=source.name,
    )
    return open_log(events)


@pytest.fixture(scope="module")
def hundesteuer(tmp_path_factory: pytest.TempPathFactory) -> LogView:
    folder = tmp_path_factory.mktemp("session")
    log = generate_hundesteuer_log(folder / "hundesteuer.csv", service_times=True)
    return _stored(log, folder, attributes=("Eingangskanal",))


def _same(alone: object, inside: object) -> None:
    if isinstance(alone, pd.DataFrame | pd.Series):
        pd.testing.assert_frame_equal(
            pd.DataFrame(alone).reset_index(drop=True), pd.DataFrame(inside).reset_index(drop=True)
        )
    else:
        assert alone == inside


@pytest.mark.parametrize("name", list(AGGREGATES))
@pytest.mark.parametrize("filtered", [False, True], ids=["whole", "top-3-variants"])
def test_an_aggregate_inside_a_session_equals_it_alone(
    hundesteuer: LogView, name: str, filtered: bool
) -> None:
    view = filter_variants_top_k(hundesteuer, 3) if filtered else hundesteuer
    alone = AGGREGATES[name](view)
    with analysis_session(view):
        inside = AGGREGATES[name](view)
        again = AGGREGATES[name](view)  # answered from the session's memo
    _same(alone, inside)
    _same(alone, again)


def test_equal_timestamps_keep_file_order_inside_a_session(tmp_path: Path) -> None:
    # Two steps logged in the same minute, in file order B then A, stay B → A (pm4py's order).
    rows = ["Fall;Aktivität;Zeitpunkt"]
    for case in range(3):
        rows += [
            f"{case};Start;01.02.2024 08:00",
            f"{case};B;01.02.2024 09:00",
            f"{case};A;01.02.2024 09:00",
            f"{case};Ende;01.02.2024 10:00",
        ]
    path = tmp_path / "gleich.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    view = _stored(path, tmp_path)
    with analysis_session(view):
        variants = get_variants(view)
        dfg = get_dfg(view)
    assert list(variants["activities"][0]) == ["Start", "B", "A", "Ende"]
    assert set(zip(dfg["source"], dfg["target"], strict=True)) == {
        ("Start", "B"),
        ("B", "A"),
        ("A", "Ende"),
    }


def test_a_session_of_one_log_does_not_answer_for_another(
    hundesteuer: LogView, tmp_path: Path
) -> None:
    other = _stored(PROJECT / "event_logs" / "running-example.csv", tmp_path)
    alone = get_dfg(other)
    with analysis_session(hundesteuer):
        inside = get_dfg(other)
        top = filter_variants_top_k(hundesteuer, 1)
        filtered_inside = get_variants(top)
    _same(alone, inside)
    _same(get_variants(top), filtered_inside)
