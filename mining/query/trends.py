"""Cases per calendar period: how many started, completed and stayed open, and how long the
completed ones took (:func:`mining.measures.case_trends` shows it).

A case *starts* at its first event and *completes* at its last; both are put into the calendar
month and the ISO week of the given time zone, so an event at 00:30 on 1 April in Berlin belongs
to April although it is 22:30 on 31 March in UTC, and a clock change moves no event into another
period. Every period from the one of the first start to the one of the last completion is a row,
also one in which nothing happened.

Months and weeks come from one query: each case's local times and intake channel are worked out
once for both, and an analysis asking for the weeks after the months gets them from the session.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pandas as pd
import pyarrow as pa

from mining.query._sql import CASE_WINDOW, CASES, quoted, seconds
from mining.query.session import fetch
from mining.query.view import LogView

__all__ = ["PERIOD_UNITS", "query_trends"]

# The periods, as DuckDB's date_trunc names them (a week starts on Monday, ISO 8601).
PERIOD_UNITS = ("month", "week")

# Per unit: its step, and its label ("2024-03"; "2024-W13" in ISO year and week, so 30 December
# 2024 is in 2025-W01). strftime needs a constant format, hence the CASE.
_UNITS = """units AS (
    SELECT * FROM (VALUES ('month', INTERVAL '1' MONTH), ('week', INTERVAL '7' DAY))
        AS u(unit, step)
)"""
_LABEL = """CASE p.unit WHEN 'month' THEN strftime(p.period, '%Y-%m')
                         ELSE strftime(p.period, '%G-W%V') END"""


def query_trends(
    view: LogView,
    *,
    timezone: str,
    channel_column: str | None = None,
    paper_values: Sequence[str] = (),
    deadline_over: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per month and per ISO week in ``timezone``: ``unit`` (``"month"``, ``"week"``)
    and, oldest first within a unit, ``period`` (``YYYY-MM`` or ``YYYY-Www``), ``started`` and
    ``completed`` (cases whose first, last event falls into the period), ``in_progress`` (cases
    started in or before the period and completed after it: open at its end),
    ``median_duration_s`` and ``p90_duration_s`` (last − first event of the cases completed in the
    period, linear interpolation as numpy's default; null without a completion),
    ``deadline_over_share`` (of the cases completed in the period that are in ``deadline_over`` —
    ``case_id``, ``over`` — those over; null without such a case or without the frame) and
    ``paper_share`` (of the cases started in the period with a value in ``channel_column`` — the
    case's first event that has one, as :func:`query_channels` — those whose value is one of
    ``paper_values``; null without such a case or without paper values).
    """
    params: list[object] = [timezone, timezone]
    # The case id only keys the deadline's flags; without them it is not read.
    case_id = "CAST(case_id AS VARCHAR)" if deadline_over is not None else "NULL"
    ctes = [
        _UNITS,
        f"""local_spans AS (
            SELECT _case, {case_id} AS case_id,
                   timezone(?, first_time) AS first_local,
                   timezone(?, last_time) AS last_local,
                   {seconds("last_time", "first_time")} AS duration_s
            FROM {CASES}
        )""",
        """spans AS (
            SELECT u.unit, s._case, s.case_id, s.duration_s,
                   date_trunc(u.unit, s.first_local) AS started_in,
                   date_trunc(u.unit, s.last_local) AS completed_in
            FROM local_spans AS s CROSS JOIN units AS u
        )""",
        """periods AS (
            SELECT b.unit, g.period
            FROM (
                SELECT u.unit, u.step, MIN(s.started_in) AS lo, MAX(s.completed_in) AS hi
                FROM spans AS s JOIN units AS u ON u.unit = s.unit
                GROUP BY u.unit, u.step
            ) AS b, LATERAL generate_series(b.lo, b.hi, b.step) AS g(period)
        )""",
    ]
    columns: list[str] = []
    if channel_column is not None and len(paper_values) > 0:
        marks = ", ".join("?" for _ in paper_values)
        ctes.append(
            f"""case_channel AS (
                SELECT _case, CAST(channel AS VARCHAR) AS channel FROM (
                    SELECT _case, {quoted(channel_column)} AS channel,
                           ROW_NUMBER() OVER w AS position
                    FROM log WHERE {quoted(channel_column)} IS NOT NULL
                    {CASE_WINDOW}
                ) AS valued
                WHERE position = 1
            )"""
        )
        paper_counts = f""",
                   COUNT(ch.channel) AS channel_cases,
                   COUNT(*) FILTER (WHERE ch.channel IN ({marks})) AS paper_cases"""
        paper_join = "LEFT JOIN case_channel AS ch ON ch._case = s._case"
        paper_share = "CAST(st.paper_cases AS DOUBLE) / NULLIF(st.channel_cases, 0)"
        params.extend(str(value) for value in paper_values)
        columns.append(channel_column)
    else:
        paper_counts = paper_join = ""
        paper_share = "CAST(NULL AS DOUBLE)"
    ctes.append(
        f"""started AS (
            SELECT s.unit, s.started_in AS period, COUNT(*) AS started{paper_counts}
            FROM spans AS s {paper_join}
            GROUP BY s.unit, s.started_in
        )"""
    )
    derived = {}
    if deadline_over is not None:
        flags = pa.table(
            {
                "case_id": pa.array(deadline_over["case_id"].astype(str), pa.string()),
                "over": pa.array(deadline_over["over"].astype(bool), pa.bool_()),
            }
        )
        # Named by its content: a session registers a derived table once per name.
        digest = hashlib.sha256()
        for column in flags.columns:
            for buffer in column.combine_chunks().buffers():
                if buffer is not None:
                    digest.update(buffer)
        name = "log_deadline_" + digest.hexdigest()[:16]
        derived[name] = lambda _events, flags=flags: flags
        deadline_counts = """,
                   COUNT(f.over) AS deadline_cases,
                   COUNT(*) FILTER (WHERE f.over) AS deadline_over"""
        deadline_join = f"LEFT JOIN {name} AS f ON f.case_id = s.case_id"
        deadline_share = "CAST(co.deadline_over AS DOUBLE) / NULLIF(co.deadline_cases, 0)"
    else:
        deadline_counts = deadline_join = ""
        deadline_share = "CAST(NULL AS DOUBLE)"
    ctes.append(
        f"""completed AS (
            SELECT s.unit, s.completed_in AS period, COUNT(*) AS completed,
                   PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY s.duration_s)
                       AS median_duration_s,
                   PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY s.duration_s)
                       AS p90_duration_s{deadline_counts}
            FROM spans AS s {deadline_join}
            GROUP BY s.unit, s.completed_in
        )"""
    )
    # Open at the end of a period: started up to it minus completed up to it (a case completes
    # in its start period or later, so the completed ones are among the started ones).
    frame = fetch(
        view,
        f"""SELECT p.unit, {_LABEL} AS period,
                   COALESCE(st.started, 0) AS started,
                   COALESCE(co.completed, 0) AS completed,
                   CAST(SUM(COALESCE(st.started, 0) - COALESCE(co.completed, 0)) OVER (
                            PARTITION BY p.unit ORDER BY p.period
                            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
                        ) AS BIGINT) AS in_progress,
                   co.median_duration_s,
                   co.p90_duration_s,
                   {deadline_share} AS deadline_over_share,
                   {paper_share} AS paper_share
            FROM periods AS p
            LEFT JOIN started AS st ON st.unit = p.unit AND st.period = p.period
            LEFT JOIN completed AS co ON co.unit = p.unit AND co.period = p.period
            ORDER BY p.unit, p.period""",
        ctes=ctes,
        params=params,
        columns=columns,
        derived=derived,
    )
    return frame.astype(
        {
            "unit": "object",
            "period": "object",
            "started": "int64",
            "completed": "int64",
            "in_progress": "int64",
            "median_duration_s": "float64",
            "p90_duration_s": "float64",
            "deadline_over_share": "float64",
            "paper_share": "float64",
        }
    )
