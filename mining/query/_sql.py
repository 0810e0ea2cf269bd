"""The SQL dialect the aggregates keep to, and the names of a session's tables.

All aggregate SQL keeps to standard SQL: CTEs, window functions with a named ``WINDOW``,
``ARRAY_AGG … ORDER BY``, ``PERCENTILE_CONT … WITHIN GROUP``, aggregate ``FILTER``. One piece is not
ISO SQL and is kept here: :func:`seconds`, the difference of two timestamps in seconds
(``EPOCH_US``; ``EXTRACT(EPOCH FROM …)`` in PostgreSQL), so a state-wide service can run the
queries on another SQL engine over the same data.
"""

from __future__ import annotations

__all__ = [
    "ACTIVITIES",
    "BASE_COLUMNS",
    "CASES",
    "CASE_WINDOW",
    "EVENTS",
    "STEPS",
    "VARIANTS",
    "VARIANT_ORDER",
    "activity_codes",
    "quoted",
    "seconds",
    "traces",
]

BASE_COLUMNS = ("case_id", "activity", "timestamp", "seq")

# pm4py's order of events within a case, for windows over a subset of a session's events.
CASE_WINDOW = "WINDOW w AS (PARTITION BY _case ORDER BY _pos)"
# Variant order of get_variants and of the variant filters: most frequent first, then by the
# activity sequence (lexicographic, code-point order, shorter prefix first).
VARIANT_ORDER = "cases DESC, trace"


def activity_codes(relation: str) -> str:
    """The activities of ``relation`` numbered 1, 2, … in name order (for the variant filters,
    which rank the variants of the events before the session numbers them)."""
    return (
        "SELECT activity, ROW_NUMBER() OVER (ORDER BY activity) AS code "
        f"FROM (SELECT DISTINCT activity FROM {relation}) AS names"
    )


def traces(relation: str, codes: str) -> str:
    """Per case of ``relation``: ``trace`` (activity codes from ``codes`` in pm4py's event
    order); codes follow name order, so code lists sort exactly like lists of names."""
    return f"""
        SELECT e.case_id, ARRAY_AGG(c.code ORDER BY e."timestamp", e.seq) AS trace
        FROM {relation} AS e JOIN {codes} AS c ON c.activity = e.activity
        GROUP BY e.case_id"""


def seconds(later: str, earlier: str) -> str:
    """SQL for ``later − earlier`` in seconds.

    Whole microseconds (the resolution of the stored timestamps) divided by 10⁶, as pandas
    (pm4py) computes it, so both give the same double. ``EXTRACT(EPOCH FROM …)`` on the interval
    is the ISO spelling, but it adds day and sub-day parts in floating point (one ulp off at
    times) and costs ten times as much on a large log.
    """
    return f"(EPOCH_US({later}) - EPOCH_US({earlier})) / 1000000.0"


def quoted(name: str) -> str:
    """A SQL identifier; callers pass only column names checked against the file's schema."""
    return '"' + name.replace('"', '""') + '"'


# The tables of a session (see :mod:`mining.query.session`).
EVENTS, CASES, VARIANTS = "log_events", "log_cases", "log_variants"
STEPS, ACTIVITIES = "log_steps", "log_activities"
