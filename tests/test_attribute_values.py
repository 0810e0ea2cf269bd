"""The values a filter offers for a column are the column's values in the view, most events
first, as pandas counts them on pm4py's reading of the real logs; each one keeps cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from mining import (
    ImportOptions,
    LogViewError,
    attribute_columns,
    filter_attribute,
    filter_directly_follows,
    get_attribute_values,
    get_cases,
    open_log,
)
from mining.ingest import ingest_file
from mining.ingest.privacy import load_or_create_secret
from tests.conftest import TESTS
from tests.test_aggregates import events, read_with_pm4py, write_log

LOGS = TESTS / "data" / "logs"


@pytest.mark.parametrize(
    "name,column",
    [("08_receipt.xes.gz", "case:channel"), ("roadtraffic100traces.xes", "vehicleClass")],
)
def test_the_values_are_those_pandas_counts_on_the_real_logs(
    tmp_path: Path, name: str, column: str
) -> None:
    target = tmp_path / "events.parquet"
    ingest_file(
        LOGS / name,
        target,
        options=ImportOptions(attributes=(column,)),
        secret=load_or_create_secret(tmp_path),
        source=name,
    )
    view = open_log(target)
    assert column in attribute_columns(view)
    frame = read_with_pm4py(LOGS / name, tmp_path)
    counts = frame[column].dropna().astype(str).value_counts()
    counts = counts[counts.index != ""]
    expected = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    assert get_attribute_values(view, column) == tuple(value for value, _ in expected)
    assert get_attribute_values(view, column, limit=1) == (expected[0][0],)
    # Every value offered keeps the cases that have it.
    for value, _ in expected[:3]:
        kept = {row.case for row in get_cases(filter_attribute(view, column, [value])).cases}
        having = frame.loc[frame[column].astype(str) == value, "case:concept:name"]
        assert kept == set(having.astype(str))


def test_the_values_follow_the_view_and_persons_are_refused(tmp_path: Path) -> None:
    view = write_log(
        tmp_path / "log.parquet",
        [
            *events("1", ("A", "2024-01-01T10:00"), ("B", "2024-01-02T10:00"), Kanal="Papier"),
            *events("2", ("A", "2024-01-01T10:00"), ("C", "2024-01-02T10:00"), Kanal="Online"),
            *events("3", ("A", "2024-01-03T10:00"), ("C", "2024-01-04T10:00"), Kanal="Online"),
            *events("4", ("A", "2024-01-03T10:00"), ("B", "2024-01-04T10:00"), Kanal=""),
        ],
        attributes=("Kanal",),
    )
    assert get_attribute_values(view, "Kanal") == ("Online", "Papier")
    assert get_attribute_values(filter_directly_follows(view, "A", "B"), "Kanal") == ("Papier",)
    assert get_attribute_values(view, "activity") == ("A", "B", "C")
    with pytest.raises(LogViewError, match="einzelnen Personen"):
        get_attribute_values(view, "resource")
    with pytest.raises(LogViewError, match="Verfügbar"):
        get_attribute_values(view, "Farbe")
    with pytest.raises(LogViewError, match="limit"):
        get_attribute_values(view, "Kanal", limit=0)
