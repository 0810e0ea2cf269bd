"""Headline figures of a stored log, computed by DuckDB straight from its Parquet file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

__all__ = ["LogSummary", "summarize_parquet"]

# Variants follow pm4py: a case's activities ordered by timestamp, ties in file order (seq).
_SUMMARY_SQL = """
WITH events AS (SELECT case_id, activity, "timestamp", seq FROM read_parquet(?)),
traces AS (
    SELECT case_id, list(activity ORDER BY "timestamp", seq) AS trace FROM events GROUP BY case_id
)
SELECT
    (SELECT count(*) FROM events),
    (SELECT count(*) FROM traces),
    (SELECT count(DISTINCT activity) FROM events),
    (SELECT count(DISTINCT trace) FROM traces),
    (SELECT min("timestamp") FROM events),
    (SELECT max("timestamp") FROM events)
"""


@dataclass(frozen=True)
class LogSummary:
    events: int
    cases: int
    activities: int
    variants: int
    start: dt.datetime | None
    end: dt.datetime | None


def summarize_parquet(path: Path) -> LogSummary:
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'UTC'")
        events, cases, activities, variants, start, end = con.execute(
            _SUMMARY_SQL, [str(path)]
        ).fetchone()
    return LogSummary(int(events), int(cases), int(activities), int(variants), start, end)
