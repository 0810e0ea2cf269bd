"""The view's filters as SQL: a chain of CTEs ``step0`` … ``stepN`` over ``pmo_source``; each
case-level filter adds ``keptI``, the case ids it keeps. Filters themselves only describe what to
keep (:mod:`mining.query.view`)."""

from __future__ import annotations

from collections.abc import Iterable

from mining.query._sql import VARIANT_ORDER, activity_codes, quoted, seconds, traces
from mining.query.view import (
    ActivityPresenceFilter,
    AttributeFilter,
    CaseDurationFilter,
    DirectlyFollowsFilter,
    EndpointsFilter,
    Filter,
    LogView,
    TimeRangeFilter,
    VariantCoverageFilter,
    VariantNumbersFilter,
    VariantsTopKFilter,
)

__all__ = ["filter_chain", "filter_columns"]


def filter_columns(filters: Iterable[Filter]) -> set[str]:
    return {f.column for f in filters if isinstance(f, AttributeFilter)}


def filter_chain(view: LogView) -> tuple[list[str], list[object]]:
    ctes = ["step0 AS (SELECT * FROM pmo_source)"]
    params: list[object] = []
    for number, item in enumerate(view.filters, start=1):
        more, values = _compile_filter(item, number, previous=f"step{number - 1}")
        ctes.extend(more)
        params.extend(values)
    ctes.append(f"log AS (SELECT * FROM step{len(view.filters)})")
    return ctes, params


def _compile_filter(item: Filter, number: int, *, previous: str) -> tuple[list[str], list[object]]:
    """CTEs for one filter: ``keptN`` (case ids kept, or with ``negate`` dropped) and ``stepN``."""
    kept, step = f"kept{number}", f"step{number}"
    negate = False
    params: list[object]
    match item:
        case TimeRangeFilter(start=start, end=end, mode="trim"):
            # The one event-level filter: events outside the window go, cases are cut.
            return (
                [
                    f'{step} AS (SELECT * FROM {previous} WHERE "timestamp" >= ? AND "timestamp" <= ?)'
                ],
                [start, end],
            )
        case TimeRangeFilter(start=start, end=end, mode=mode):
            having, params = {
                "contained": ('MIN("timestamp") >= ? AND MAX("timestamp") <= ?', [start, end]),
                "intersecting": ('MIN("timestamp") < ? AND MAX("timestamp") > ?', [end, start]),
                "started": ('MIN("timestamp") >= ? AND MIN("timestamp") <= ?', [start, end]),
                "completed": ('MAX("timestamp") >= ? AND MAX("timestamp") <= ?', [start, end]),
            }[mode]
            kept_sql = f"SELECT case_id FROM {previous} GROUP BY case_id HAVING {having}"
        case VariantsTopKFilter(k=k):
            kept_sql, params = _ranked_variants(previous, "variant_rank <= ?"), [k]
        case VariantCoverageFilter(share=share):
            # Keep a variant while the cases of the variants before it cover less than `share`;
            # the ratio, not share × total, so 3 of 10 cases is exactly 0.3.
            condition = "CAST(cases_before AS DOUBLE) / total < ?"
            kept_sql, params = _ranked_variants(previous, condition), [share]
        case AttributeFilter(column=column, values=values, keep=keep):
            negate = not keep
            if values:
                marks = ", ".join("?" for _ in values)
                kept_sql = f"SELECT case_id FROM {previous} WHERE {quoted(column)} IN ({marks})"
            else:
                kept_sql = f"SELECT case_id FROM {previous} WHERE 1 = 0"
            params = list(values)
        case CaseDurationFilter(min_s=min_s, max_s=max_s):
            duration = seconds('MAX("timestamp")', 'MIN("timestamp")')
            bounds, params = [], []
            if min_s is not None:
                bounds.append(f"{duration} >= ?")
                params.append(float(min_s))
            if max_s is not None:
                bounds.append(f"{duration} <= ?")
                params.append(float(max_s))
            having = " AND ".join(bounds) or "1 = 1"
            kept_sql = f"SELECT case_id FROM {previous} GROUP BY case_id HAVING {having}"
        case ActivityPresenceFilter(activity=activity, present=present):
            negate = not present
            kept_sql, params = f"SELECT case_id FROM {previous} WHERE activity = ?", [activity]
        case VariantNumbersFilter(numbers=numbers, keep=keep):
            negate = not keep
            marks = ", ".join("?" for _ in numbers) or "NULL"
            kept_sql, params = _ranked_variants(previous, f"variant_rank IN ({marks})"), [*numbers]
        case DirectlyFollowsFilter(source=source, target=target, keep=keep):
            negate = not keep
            kept_sql = f"""
                SELECT case_id FROM (
                    SELECT case_id, activity,
                           LEAD(activity) OVER (PARTITION BY case_id ORDER BY "timestamp", seq)
                               AS next_activity
                    FROM {previous}
                ) AS pairs
                WHERE activity = ? AND next_activity = ?"""
            params = [source, target]
        case EndpointsFilter(start=starts, end=ends):
            kept_sql, params = _endpoints(previous, starts, ends)
        case _:
            raise TypeError(f"unknown filter {item!r}")
    membership = "NOT IN" if negate else "IN"
    return (
        [
            f"{kept} AS ({kept_sql})",
            f"{step} AS (SELECT * FROM {previous} WHERE case_id {membership} "
            f"(SELECT case_id FROM {kept}))",
        ],
        params,
    )


def _endpoints(
    previous: str, starts: tuple[str, ...] | None, ends: tuple[str, ...] | None
) -> tuple[str, list[object]]:
    """Case ids of ``previous`` whose first activity is one of ``starts`` and last one of
    ``ends`` (None: any), in pm4py's event order."""
    conditions, params = [], []
    for values, position in ((starts, "from_start"), (ends, "from_end")):
        if values is None:
            continue
        marks = ", ".join("?" for _ in values) or "NULL"
        conditions.append(
            f"MAX(CASE WHEN {position} = 1 AND activity IN ({marks}) THEN 1 ELSE 0 END) = 1"
        )
        params.extend(values)
    having = " AND ".join(conditions) or "1 = 1"
    return (
        f"""
        SELECT case_id FROM (
            SELECT case_id, activity,
                   ROW_NUMBER() OVER (PARTITION BY case_id ORDER BY "timestamp", seq)
                       AS from_start,
                   ROW_NUMBER() OVER (PARTITION BY case_id ORDER BY "timestamp" DESC, seq DESC)
                       AS from_end
            FROM {previous}
        ) AS placed
        GROUP BY case_id
        HAVING {having}""",
        params,
    )


def _ranked_variants(previous: str, condition: str) -> str:
    """Case ids of ``previous`` whose variant satisfies ``condition`` on ``variant_rank`` (1 =
    most frequent), ``cases_before`` (cases of all higher-ranked variants) and ``total``.

    RANK over cases counts the rows before a case's variant, i.e. the cases of all earlier
    variants; no join of case rows back to a variant table is needed.
    """
    return f"""
        SELECT case_id FROM (
            SELECT case_id,
                   DENSE_RANK() OVER (ORDER BY {VARIANT_ORDER}) AS variant_rank,
                   RANK() OVER (ORDER BY {VARIANT_ORDER}) - 1 AS cases_before,
                   COUNT(*) OVER () AS total
            FROM (
                SELECT case_id, trace, COUNT(*) OVER (PARTITION BY trace) AS cases
                FROM ({traces(previous, f"({activity_codes(previous)})")}) AS traces
            ) AS sized
        ) AS ranked
        WHERE {condition}"""
