"""Who did a step right after whom: the working-session and system-account counts per activity.

A log with only completion times cannot say how long a step took, but it can say whether the same
(pseudonymous) resource did the previous step of the case moments before — one working session —
and whether a system or robot account did it. Only counts leave this module, never a pseudonym.
"""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq

from mining.query._sql import seconds
from mining.query.session import fetch
from mining.query.view import LogView

__all__ = ["query_resource_continuity"]

_COLUMNS = ["activity", "with_resource", "same_session", "system_events"]


def query_resource_continuity(
    view: LogView, *, session_s: float, system_pattern: str
) -> pd.DataFrame:
    """Per activity: ``with_resource`` (events with a resource), ``same_session`` (of those, done
    by the resource of the case's previous event at most ``session_s`` seconds later) and
    ``system_events`` (resource matching ``system_pattern``, case-insensitive). Empty when the log
    keeps no resource column."""
    if "resource" not in pq.read_schema(view.path).names:
        return pd.DataFrame(columns=_COLUMNS)
    frame = fetch(
        view,
        f"""SELECT activity,
                   COUNT(resource) AS with_resource,
                   COUNT(*) FILTER (WHERE resource = prev_resource AND gap_s <= ?) AS same_session,
                   COUNT(*) FILTER (WHERE regexp_matches(resource, ?)) AS system_events
            FROM (
                SELECT activity, resource,
                       LAG(resource) OVER (PARTITION BY _case ORDER BY _pos) AS prev_resource,
                       {seconds('"timestamp"', "_prev_time")} AS gap_s
                FROM log
            ) AS steps
            GROUP BY activity
            ORDER BY activity""",
        params=[float(session_s), "(?i)" + system_pattern],
        columns=["resource"],
    )
    return frame.astype(
        {"with_resource": "int64", "same_session": "int64", "system_events": "int64"}
    )
