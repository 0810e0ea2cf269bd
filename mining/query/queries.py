"""Aggregates of a stored log, computed by DuckDB from its Parquet file, equal to pm4py's.

All aggregate SQL of the project lives in this package (:mod:`mining.query`); this module holds the
questions, :mod:`mining.query.session` runs them, :mod:`mining.query.filters` compiles the view's
filters, :mod:`mining.query._sql` keeps the dialect.

**Event order.** Inside a case, events are ordered by ``("timestamp", seq)``; ``seq`` is the line
order of the uploaded file. That reproduces pm4py, which stable-sorts a frame by case and
timestamp (``pm4py.format_dataframe``, ``get_dfg_graph``), so equal timestamps keep file order.
Stored files are already in that order (:mod:`mining.query._events`).

Functions named ``query_*`` return raw query results for :mod:`mining.measures.performance`; the
``get_*`` functions are the public aggregates. Results come back as pandas DataFrames; no events
are loaded into Python.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

import numpy as np
import pandas as pd
import pyarrow as pa

from mining.query._events import headline, value_changes
from mining.query._sql import ACTIVITIES, CASE_WINDOW, CASES, STEPS, VARIANTS, quoted, seconds
from mining.query._unit_counts import unit_counts
from mining.query.session import analysis_session, fetch, run_sql
from mining.query.view import LogView

__all__ = [
    "SERVICE_TIME",
    "SOJOURN_TIME",
    "TRANSITIONS",
    "CaseDurations",
    "LogStats",
    "analysis_session",
    "arranged_log_stats",
    "count_handovers",
    "count_people",
    "count_reworked_cases",
    "edge_statistics",
    "edge_statistics_sql",
    "get_activity_profile",
    "get_activity_times",
    "get_case_durations",
    "get_dfg",
    "get_log_stats",
    "get_start_end_activities",
    "get_variants",
    "query_case_spans",
    "query_channels",
    "query_deadline_clocks",
    "query_edges",
    "query_events",
    "query_handovers",
    "query_rework",
    "query_transitions",
    "query_unit_counts",
    "run_sql",
]


# -- shared CTEs ----------------------------------------------------------------------------------

# Directly-follows pairs of each case with the wait between them (pm4py's DFG performance:
# timestamp of the target minus timestamp of the source).
# ``case_id`` here is the session's case number: only counted, never shown.
TRANSITIONS = f"""transitions AS (
    SELECT _case AS case_id, activity AS source, _next_activity AS target,
           "timestamp" AS source_time, _next_time AS target_time,
           {seconds("_next_time", '"timestamp"')} AS wait_s
    FROM log
    WHERE _next_activity IS NOT NULL
)"""


# Questions about which cases contain an activity or an edge are answered on the variants (a few
# hundred) weighted by their cases, not on the events.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_VARIANT_SIZES = f"""variant_sizes AS (
    SELECT _variant, COUNT(*) AS cases FROM {CASES} GROUP BY _variant
)"""
_ACTIVITY_CASES = f"""activity_cases AS (
    SELECT a.activity, SUM(sizes.cases) AS cases
    FROM (SELECT DISTINCT _variant, _act FROM {STEPS}) AS present
    JOIN variant_sizes AS sizes ON sizes._variant = present._variant
    JOIN {ACTIVITIES} AS a ON a._act = present._act
    GROUP BY a.activity
)"""
_EDGE_CASES = f"""edge_cases AS (
    SELECT a.activity AS source, b.activity AS target, SUM(sizes.cases) AS cases
    FROM (
        SELECT DISTINCT s._variant, s._act AS source_act, n._act AS target_act
        FROM {STEPS} AS s
        JOIN {STEPS} AS n ON n._variant = s._variant AND n._step = s._step + 1
    ) AS pairs
    JOIN variant_sizes AS sizes ON sizes._variant = pairs._variant
    JOIN {ACTIVITIES} AS a ON a._act = pairs.source_act
    JOIN {ACTIVITIES} AS b ON b._act = pairs.target_act
    GROUP BY a.activity, b.activity
)"""
_REWORKED_VARIANTS = f"""reworked_variants AS (
    SELECT DISTINCT _variant FROM {STEPS} GROUP BY _variant, _act HAVING COUNT(*) > 1
)"""


def edge_statistics_sql(*, with_cases: bool) -> str:
    """Per edge of a relation ``transitions(case_id, source, target, wait_s)``: shared by the DFG
    and the bottleneck ranking, also when the waits come from a working calendar. The distinct
    case count costs a second hash table per edge, so the DFG, which does not report it, skips it.
    """
    cases = "COUNT(DISTINCT case_id) AS cases," if with_cases else ""
    return f"""
SELECT source, target,
       COUNT(*) AS "count",
       {cases}
       AVG(wait_s) AS mean_wait_s,
       PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY wait_s) AS median_wait_s,
       SUM(wait_s) AS total_wait_s
FROM transitions
GROUP BY source, target
"""


# -- public aggregates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LogStats:
    cases: int
    events: int
    activities: int
    variants: int
    start: datetime | None  # first event, UTC; None for an empty view
    end: datetime | None


@dataclass(frozen=True)
class CaseDurations:
    """Case duration = last − first event timestamp, in seconds (pm4py's ``caseDuration``)."""

    mean_s: float
    median_s: float
    p90_s: float  # linear interpolation, as numpy's default percentile
    per_case: pd.Series  # duration_s indexed by case_id, sorted by case_id


def get_log_stats(view: LogView) -> LogStats:
    """Headline figures of a view.

    Example::

        stats = get_log_stats(open_log(path))
        stats.cases, stats.variants
    """
    # One pass over the cases for everything but the activity count.
    row = fetch(
        view,
        f"""SELECT COUNT(*) AS cases,
                  COALESCE(SUM(events), 0) AS events,
                  (SELECT COUNT(*) FROM {ACTIVITIES}) AS activities,
                  COUNT(DISTINCT _variant) AS variants,
                  MIN(first_time) AS "start",
                  MAX(last_time) AS "end"
           FROM {CASES}""",
    ).iloc[0]

    def moment(value: object) -> datetime | None:
        return None if pd.isna(value) else pd.Timestamp(value).to_pydatetime()

    return LogStats(
        cases=int(row["cases"]),
        events=int(row["events"]),
        activities=int(row["activities"]),
        variants=int(row["variants"]),
        start=moment(row["start"]),
        end=moment(row["end"]),
    )


def arranged_log_stats(events: pa.Table) -> LogStats:
    """:func:`get_log_stats` of a whole log held in memory in the layout (the import's table)."""
    counts = headline(events)

    def moment(us: int | None) -> datetime | None:
        return None if us is None else _EPOCH + timedelta(microseconds=us)

    return LogStats(
        cases=counts.cases,
        events=counts.events,
        activities=counts.activities,
        variants=counts.variants,
        start=moment(counts.first_us),
        end=moment(counts.last_us),
    )


def get_variants(view: LogView, *, examples: int = 3) -> pd.DataFrame:
    """Variants (activity sequences of cases), most frequent first, ties by activities.

    Columns: ``activities`` (tuple of str), ``cases``, ``share`` (of the view's cases),
    ``example_cases`` (up to ``examples`` case ids, earliest-starting first),
    ``median_duration_s`` and ``p90_duration_s`` (the throughput time of the variant's cases,
    last minus first event in seconds as :func:`get_case_durations`; P90 by linear
    interpolation, as numpy's default percentile).

    Example::

        get_variants(view, examples=1).head(10)
    """
    if examples < 0:
        raise ValueError("examples must be ≥ 0")
    frame = fetch(
        view,
        # _variant numbers the traces in lexicographic order: this is VARIANT_ORDER.
        f"""SELECT n.activities, v.cases, v.share, v.example_cases,
                  v.median_duration_s, v.p90_duration_s
           FROM variants AS v JOIN {VARIANTS} AS n ON n._variant = v._variant
           ORDER BY v.cases DESC, v._variant""",
        ctes=[
            f"""numbered AS (
                SELECT _variant, case_id,
                       ROW_NUMBER() OVER (PARTITION BY _variant ORDER BY first_time, case_id)
                           AS example_rank,
                       {seconds("last_time", "first_time")} AS duration_s
                FROM {CASES}
            )""",
            """variants AS (
                SELECT _variant,
                       COUNT(*) AS cases,
                       CAST(COUNT(*) AS DOUBLE) / SUM(COUNT(*)) OVER () AS share,
                       ARRAY_AGG(case_id ORDER BY example_rank) FILTER (WHERE example_rank <= ?)
                           AS example_cases,
                       PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY duration_s)
                           AS median_duration_s,
                       PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY duration_s) AS p90_duration_s
                FROM numbered
                GROUP BY _variant
            )""",
        ],
        params=[examples],
    )
    # One conversion per variant, not per case: the frame has a row per variant.
    frame["activities"] = [tuple(map(str, trace)) for trace in frame["activities"]]
    # No example selected (examples=0) is SQL NULL, which arrives as a pandas NA scalar.
    frame["example_cases"] = [
        tuple(map(str, cases)) if isinstance(cases, list | np.ndarray) else ()
        for cases in frame["example_cases"]
    ]
    return frame.astype(
        {
            "cases": "int64",
            "share": "float64",
            "median_duration_s": "float64",
            "p90_duration_s": "float64",
        }
    )


def get_dfg(view: LogView) -> pd.DataFrame:
    """The directly-follows graph with waits, as pm4py's ``discover_dfg`` and
    ``discover_performance_dfg`` (mean, median; sum as ``total_wait_s``).

    Columns: ``source``, ``target``, ``count``, ``mean_wait_s``, ``median_wait_s``,
    ``total_wait_s``, ``cases`` (distinct cases that passed the edge); most frequent edge first
    (ties by source, target). The wait of a pair of directly-following events is
    ``timestamp(target) − timestamp(source)`` in seconds.

    Example::

        dfg = get_dfg(view)
        dfg[dfg["count"] >= 10]
    """
    # The bottleneck ranking needs the same edges with their case counts: one query for both.
    frame = query_edges(view)
    frame = frame.sort_values(
        ["count", "source", "target"], ascending=[False, True, True], kind="mergesort"
    ).reset_index(drop=True)
    return frame.astype({"count": "int64", "cases": "int64"})


def get_start_end_activities(view: LogView) -> tuple[dict[str, int], dict[str, int]]:
    """How many cases start, and how many end, with each activity (pm4py's
    ``get_start_activities`` / ``get_end_activities``).

    Example::

        starts, ends = get_start_end_activities(view)
    """
    frame = fetch(
        view,
        """SELECT activity,
                  SUM(CASE WHEN _prev_activity IS NULL THEN 1 ELSE 0 END) AS starts,
                  SUM(CASE WHEN _next_activity IS NULL THEN 1 ELSE 0 END) AS ends
           FROM log
           GROUP BY activity
           ORDER BY activity""",
    )
    starts = {str(a): int(n) for a, n in zip(frame["activity"], frame["starts"], strict=True) if n}
    ends = {str(a): int(n) for a, n in zip(frame["activity"], frame["ends"], strict=True) if n}
    return starts, ends


def query_case_spans(view: LogView) -> pd.DataFrame:
    """Per case: ``case_id``, ``first_time``, ``last_time``, ``events``, ``duration_s``."""
    return fetch(
        view,
        f"""SELECT case_id, first_time, last_time, events,
                   {seconds("last_time", "first_time")} AS duration_s
            FROM {CASES}
            ORDER BY case_id""",
    )


def query_events(view: LogView, columns: Sequence[str] = ()) -> pd.DataFrame:
    """The events of ``view`` in pm4py's order (a case's events together, by time then line):
    ``case_id``, ``activity``, ``timestamp``, ``start_timestamp`` and the attribute ``columns``
    (checked against the file's schema by the caller). For replaying a log with changed steps,
    which needs the events themselves, not an aggregate."""
    extra = "".join(f", {quoted(name)}" for name in columns)
    return fetch(
        view,
        f"""SELECT CAST(case_id AS VARCHAR) AS case_id, activity, "timestamp",
                   start_timestamp{extra}
            FROM log ORDER BY _pos""",
        columns=list(columns),
    )


def query_deadline_clocks(
    view: LogView, *, starts_with: str | None, ends_with: str | None
) -> pd.DataFrame:
    """Per case, where a deadline's clock starts and stops, in event order.

    Columns: ``case_id``; ``start_time``, the last event of ``starts_with`` (the case's first
    event when None; null when the activity never occurs); ``stop_time``, the first event of
    ``ends_with`` after the start (the case's last event when None; null when none follows);
    ``stop_before_start``, true when ``ends_with`` occurs only before the start; ``last_time``.
    """
    params: list[object] = []
    if starts_with is None:
        start = "SELECT _case, MIN(_pos) AS start_pos FROM log GROUP BY _case"
    else:
        start = "SELECT _case, MAX(_pos) AS start_pos FROM log WHERE activity = ? GROUP BY _case"
        params.append(starts_with)
    if ends_with is None:
        stop = (
            "SELECT _case, MAX(_pos) AS stop_pos, FALSE AS stopped_before FROM log GROUP BY _case"
        )
    else:
        stop = """SELECT e._case,
                         MIN(e._pos) FILTER (WHERE e._pos > s.start_pos) AS stop_pos,
                         BOOL_OR(e._pos < s.start_pos) AS stopped_before
                  FROM log AS e JOIN clock_start AS s ON s._case = e._case
                  WHERE e.activity = ?
                  GROUP BY e._case"""
        params.append(ends_with)
    return fetch(
        view,
        f"""SELECT c.case_id, b."timestamp" AS start_time, f."timestamp" AS stop_time,
                   COALESCE(p.stop_pos IS NULL AND p.stopped_before, FALSE) AS stop_before_start,
                   c.last_time
            FROM {CASES} AS c
            LEFT JOIN clock_start AS s ON s._case = c._case
            LEFT JOIN log AS b ON b._pos = s.start_pos
            LEFT JOIN clock_stop AS p ON p._case = c._case
            LEFT JOIN log AS f ON f._pos = p.stop_pos
            ORDER BY c.case_id""",
        ctes=[f"clock_start AS ({start})", f"clock_stop AS ({stop})"],
        params=params,
    )


def get_case_durations(view: LogView) -> CaseDurations:
    """Case durations (last − first event, seconds) and their mean, median and 90th percentile,
    as ``pm4py.get_all_case_durations``.

    Example::

        durations = get_case_durations(view)
        durations.median_s / 86400  # days
    """
    spans = query_case_spans(view)
    per_case = pd.Series(
        spans["duration_s"].to_numpy(dtype="float64"),
        index=pd.Index(spans["case_id"], name="case_id"),
        name="duration_s",
    )
    values = per_case.to_numpy()
    if len(values) == 0:
        return CaseDurations(float("nan"), float("nan"), float("nan"), per_case)
    return CaseDurations(
        mean_s=float(np.mean(values)),
        median_s=float(np.median(values)),
        p90_s=float(np.percentile(values, 90)),
        per_case=per_case,
    )


SERVICE_TIME = "Bearbeitungszeit"
SOJOURN_TIME = "Verweilzeit"


def get_activity_times(view: LogView) -> pd.DataFrame:
    """How long each activity takes.

    Columns: ``activity``, ``events``, ``cases``, ``mean_s``, ``median_s``, ``kind``. ``kind`` is
    ``"Bearbeitungszeit"`` (service time: ``timestamp − start_timestamp``) for an activity with at
    least one recorded start, measured over the events that have one; otherwise
    ``"Verweilzeit"`` (sojourn time: ``timestamp`` minus the previous event's ``timestamp`` in the
    case), measured over the events that have a predecessor — a case's first event has none, so
    an activity that only ever starts cases has NaN times. Most frequent activity first.

    Example::

        get_activity_times(view).sort_values("mean_s", ascending=False)
    """
    # The same measures as the profile (one pass over the events serves both).
    profile = get_activity_profile(view)
    return profile[["activity", "events", "cases", "mean_s", "median_s", "kind"]].copy()


def get_activity_profile(view: LogView) -> pd.DataFrame:
    """How regular each activity is: the signals that make a step a candidate for automation.

    Columns: ``activity``, ``events``, ``cases``, ``kind`` (as in :func:`get_activity_times`),
    ``median_s``, ``mean_s``, ``std_s`` (population standard deviation of the same measure),
    ``wait_before_s`` (mean time since the case's previous event), ``successor_share`` (share of
    the activity's events followed by its most frequent next step, the case end counting as a
    step: 1.0 means what comes next is always the same) and ``successors`` (distinct next steps).
    Most frequent activity first.
    """
    frame = fetch(
        view,
        """SELECT p.activity, p.events, ac.cases, p.started,
                  p.service_mean_s, p.service_median_s, p.service_std_s,
                  p.sojourn_mean_s, p.sojourn_median_s, p.sojourn_std_s,
                  CAST(s.top_n AS DOUBLE) / p.events AS successor_share,
                  s.successors
           FROM per_activity AS p
           JOIN (
               SELECT activity, MAX(n) AS top_n, COUNT(*) AS successors
               FROM (SELECT activity, next_activity, COUNT(*) AS n
                     FROM measured GROUP BY activity, next_activity) AS counted
               GROUP BY activity
           ) AS s ON s.activity = p.activity
           JOIN activity_cases AS ac ON ac.activity = p.activity
           ORDER BY p.events DESC, p.activity""",
        ctes=[
            _VARIANT_SIZES,
            _ACTIVITY_CASES,
            f"""measured AS (
                SELECT _case, activity,
                       {seconds('"timestamp"', "start_timestamp")} AS service_s,
                       {seconds('"timestamp"', "_prev_time")} AS sojourn_s,
                       _next_activity AS next_activity
                FROM log
            )""",
            """per_activity AS (
                SELECT activity, COUNT(*) AS events,
                       COUNT(service_s) AS started,
                       AVG(service_s) AS service_mean_s,
                       PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY service_s) AS service_median_s,
                       STDDEV_POP(service_s) AS service_std_s,
                       AVG(sojourn_s) AS sojourn_mean_s,
                       PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY sojourn_s) AS sojourn_median_s,
                       STDDEV_POP(sojourn_s) AS sojourn_std_s
                FROM measured
                GROUP BY activity
            )""",
        ],
        columns=["start_timestamp"],
    )
    service = frame["started"].to_numpy() > 0
    result = frame[["activity", "events", "cases"]].copy()
    result["kind"] = np.where(service, SERVICE_TIME, SOJOURN_TIME)
    for measure in ("median", "mean", "std"):
        result[f"{measure}_s"] = np.where(
            service, frame[f"service_{measure}_s"], frame[f"sojourn_{measure}_s"]
        )
    result["wait_before_s"] = frame["sojourn_mean_s"]
    result["successor_share"] = frame["successor_share"]
    result["successors"] = frame["successors"]
    return result.astype(
        {
            "events": "int64",
            "cases": "int64",
            "median_s": "float64",
            "mean_s": "float64",
            "std_s": "float64",
            "wait_before_s": "float64",
            "successor_share": "float64",
            "successors": "int64",
        }
    )


# -- raw queries for mining.measures.performance -----------------------------------------------------------


def query_edges(view: LogView) -> pd.DataFrame:
    """Edge statistics over clock-time waits, with ``cases``, unsorted."""
    return fetch(
        view,
        "SELECT e.*, c.cases FROM edges AS e JOIN edge_cases AS c "
        "ON c.source = e.source AND c.target = e.target",
        ctes=[
            TRANSITIONS,
            f"edges AS ({edge_statistics_sql(with_cases=False)})",
            _VARIANT_SIZES,
            _EDGE_CASES,
        ],
    )


def query_transitions(view: LogView) -> pd.DataFrame:
    """Every directly-follows pair: ``case_id``, ``source``, ``target``, ``source_time``,
    ``target_time`` (one row per event that has a successor; for working-time waits)."""
    return fetch(
        view,
        "SELECT case_id, source, target, source_time, target_time FROM transitions",
        ctes=[TRANSITIONS],
    )


def edge_statistics(transitions: pd.DataFrame) -> pd.DataFrame:
    """Edge statistics, with ``cases``, over a frame ``case_id, source, target, wait_s`` (e.g.
    waits in working seconds): the same SQL as for clock-time waits."""
    return run_sql(edge_statistics_sql(with_cases=True), frames={"transitions": transitions})


def query_rework(view: LogView) -> pd.DataFrame:
    """Per activity executed more than once in some case: ``activity``, ``cases_with_rework``,
    ``share_of_cases``, ``extra_executions``, ``time_lost_s``."""
    return fetch(
        view,
        f"""SELECT activity,
                  COUNT(*) AS cases_with_rework,
                  CAST(COUNT(*) AS DOUBLE) / (SELECT COUNT(*) FROM {CASES})
                      AS share_of_cases,
                  SUM(executions - 1) AS extra_executions,
                  SUM(span_s) AS time_lost_s
           FROM per_case
           WHERE executions > 1
           GROUP BY activity
           ORDER BY time_lost_s DESC, cases_with_rework DESC, activity""",
        ctes=[
            f"""per_case AS (
                SELECT _case, a.activity, executions, span_s
                FROM (
                    SELECT _case, _act, COUNT(*) AS executions,
                           {seconds('MAX("timestamp")', 'MIN("timestamp")')} AS span_s
                    FROM log
                    WHERE _repeated
                    GROUP BY _case, _act
                ) AS counted
                JOIN {ACTIVITIES} AS a ON a._act = counted._act
            )"""
        ],
    )


def count_reworked_cases(view: LogView) -> int:
    """Cases that execute some activity more than once."""
    frame = fetch(
        view,
        f"""SELECT COUNT(*) AS cases FROM {CASES}
           WHERE _variant IN (SELECT _variant FROM reworked_variants)""",
        ctes=[_REWORKED_VARIANTS],
    )
    return int(frame["cases"].iloc[0])


def _unit_label(expression: str, merged: Sequence[str], merged_label: str) -> tuple[str, list]:
    """SQL for the shown name of the unit ``expression``: ``merged_label`` for a unit of
    ``merged``, else its own name; with the parameters it needs."""
    name = f"CAST({expression} AS VARCHAR)"
    if not merged:
        return name, []
    marks = ", ".join("?" for _ in merged)
    return f"CASE WHEN {name} IN ({marks}) THEN ? ELSE {name} END", [*merged, merged_label]


def _changes(column: str) -> tuple[str, dict[str, Callable[[pa.Table], pa.Table]]]:
    # The changes come from one numpy pass over the ordered events (mining.query._events); as SQL they
    # would need a window sort over every valued event.
    name = "log_changes_" + column.encode("utf-8").hex()
    return name, {name: partial(value_changes, column=column)}


def query_handovers(
    view: LogView, column: str, *, merged: Sequence[str] = (), merged_label: str = ""
) -> pd.DataFrame:
    """Changes of ``column`` between successive events of a case that have a value in it:
    ``from_unit``, ``to_unit``, ``count``, ``cases``, ``mean_wait_s``; a unit of ``merged`` is
    counted as ``merged_label`` on either end (its mean wait is then the mean over all merged
    changes, i.e. weighted by their counts). Only :mod:`mining.measures.groups` may show the result."""
    changes, derived = _changes(column)
    source, source_params = _unit_label("from_value", merged, merged_label)
    target, target_params = _unit_label("to_value", merged, merged_label)
    return fetch(
        view,
        f"""SELECT {source} AS from_unit, {target} AS to_unit, COUNT(*) AS "count",
                  COUNT(DISTINCT _case) AS cases, AVG(wait_s) AS mean_wait_s
           FROM {changes}
           GROUP BY 1, 2
           ORDER BY "count" DESC, from_unit, to_unit""",
        params=[*source_params, *target_params],
        columns=[column],
        derived=derived,
    )


def count_handovers(view: LogView, column: str) -> int:
    """How many changes of ``column`` the view holds (all units together: no unit is named)."""
    changes, derived = _changes(column)
    frame = fetch(view, f"SELECT COUNT(*) AS n FROM {changes}", columns=[column], derived=derived)
    return int(frame["n"].iloc[0])


def query_channels(view: LogView, column: str) -> pd.DataFrame:
    """Per value of ``column`` (case-level: the value of the case's first event that has one):
    ``channel``, ``cases``, ``mean_throughput_s``, ``median_throughput_s``, ``rework_share``,
    ``mean_wait_s``.

    The waits between the events of a case add up to its throughput time, so the mean wait of a
    channel is Σ throughput / Σ (events − 1) without a window over the events.
    """
    return fetch(
        view,
        """SELECT c.channel,
                   COUNT(*) AS cases,
                   AVG(s.duration_s) AS mean_throughput_s,
                   PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY s.duration_s)
                       AS median_throughput_s,
                   AVG(CASE WHEN r._case IS NULL THEN 0.0 ELSE 1.0 END) AS rework_share,
                   SUM(s.duration_s) / NULLIF(SUM(s.events - 1), 0) AS mean_wait_s
            FROM case_channel AS c
            JOIN spans AS s ON s._case = c._case
            LEFT JOIN reworked AS r ON r._case = c._case
            GROUP BY c.channel
            ORDER BY cases DESC, c.channel""",
        ctes=[
            f"""case_channel AS (
                SELECT _case, channel FROM (
                    SELECT _case, {quoted(column)} AS channel,
                           ROW_NUMBER() OVER w AS position
                    FROM log WHERE {quoted(column)} IS NOT NULL
                    {CASE_WINDOW}
                ) AS valued
                WHERE position = 1
            )""",
            f"""spans AS (
                SELECT _case, events, {seconds("last_time", "first_time")} AS duration_s
                FROM {CASES}
            )""",
            _REWORKED_VARIANTS,
            f"""reworked AS (
                SELECT _case FROM {CASES}
                WHERE _variant IN (SELECT _variant FROM reworked_variants)
            )""",
        ],
        columns=[column],
    )


def query_unit_counts(
    view: LogView, column: str, *, merged: Sequence[str] = (), merged_label: str = ""
) -> pd.DataFrame:
    """Per value of ``column``: ``group``, ``cases``, ``events``, ``people`` (distinct
    ``resource`` pseudonyms; 0 without them) and ``mean_wait_s`` (mean time from the case's
    previous event to an event of the group), every unit of ``merged`` counted as
    ``merged_label``; most cases first. Only :mod:`mining.measures.groups` may show the result.

    The distinct counts are numpy's (:mod:`mining.query._unit_counts`): as SQL each would be a hash
    aggregate over every event. No pseudonym leaves the count."""
    merged = tuple(merged)
    key = repr((column, merged, merged_label)).encode("utf-8")
    name = "log_units_" + hashlib.sha256(key).hexdigest()[:16]
    build = partial(unit_counts, column=column, merged=merged, label=merged_label)
    return fetch(
        view,
        f"""SELECT "group", cases, events, people, wait_sum_s / NULLIF(waits, 0) AS mean_wait_s
            FROM {name}
            ORDER BY cases DESC, "group" """,
        columns=[column, "resource"],
        derived={name: build},
    )


def count_people(view: LogView) -> int:
    """Distinct (pseudonymized) persons in the view; 0 when the log keeps no resource column.

    Only a count: it lets callers refuse a selection so small that its figures would describe
    identifiable employees (minimum group size of the Dienstvereinbarung).
    """
    import pyarrow.parquet as pq

    if "resource" not in pq.read_schema(view.path).names:
        return 0
    row = fetch(view, "SELECT COUNT(DISTINCT resource) AS people FROM log", columns=["resource"])
    return int(row.iloc[0]["people"])
