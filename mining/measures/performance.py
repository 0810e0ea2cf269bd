"""Where cases wait, repeat, change hands and run late — the questions of a process office.

Pure functions of a :class:`~mining.query.view.LogView`; the heavy lifting is SQL in
:mod:`mining.query.queries`. Privacy by construction (Personalrat): nothing here groups by, filters
by or returns a ``resource`` pseudonym, and every figure keyed by org unit comes from
:func:`mining.measures.groups.unit_figures`, which keeps the minimum group size.
"""

from __future__ import annotations

import pandas as pd

from mining.measures.calendar import WorkingCalendar
from mining.measures.groups import UNIT_COLUMN, unit_figures
from mining.query import (
    LogView,
    LogViewError,
    checked_attribute,
    edge_statistics,
    query_channels,
    query_edges,
    query_rework,
    query_transitions,
)
from process_registry import DEFAULT_MIN_GROUP_SIZE

__all__ = [
    "compare_channels",
    "find_bottlenecks",
    "find_handovers",
    "find_rework",
    "group_statistics",
]

_BOTTLENECK_COLUMNS = [
    "source",
    "target",
    "cases",
    "count",
    "mean_wait_s",
    "median_wait_s",
    "total_wait_s",
]


def find_bottlenecks(
    view: LogView, *, calendar: WorkingCalendar | None = None, top: int | None = None
) -> pd.DataFrame:
    """Directly-follows edges ranked by their impact on the office: the total time cases spent
    waiting on the edge, not the mean wait.

    An edge that five cases wait a year on matters less than one that 5,000 cases wait a week
    on; ranking by the mean would put the rare one first. A case that goes round a loop passes
    an edge, and waits on it, once per round: ``count`` counts every passage (the transitions),
    ``cases`` the distinct cases. ``total_wait_s`` is ``count × mean_wait_s``, computed as that
    product so a reader multiplying the two gets the total to the last bit (it equals the sum of
    all waits up to rounding). With a ``calendar`` every wait is counted in working seconds.

    Columns: ``source``, ``target``, ``cases`` (distinct cases passing the edge), ``count``
    (transitions), ``mean_wait_s`` (per transition), ``median_wait_s``, ``total_wait_s``;
    largest total first (ties: more transitions, then source, target). ``top`` keeps the first
    ``top`` rows.

    Example::

        office = WorkingCalendar(holidays=lower_saxony_holidays([2024, 2025]))
        find_bottlenecks(view, calendar=office, top=5)
    """
    if top is not None and top < 0:
        raise LogViewError("top muss ≥ 0 sein.")
    if calendar is None:
        edges = query_edges(view)
    else:
        pairs = query_transitions(view)
        pairs["wait_s"] = calendar.working_seconds(pairs["source_time"], pairs["target_time"])
        edges = edge_statistics(pairs[["case_id", "source", "target", "wait_s"]])
    edges = edges.astype({"cases": "int64", "count": "int64"})
    edges["total_wait_s"] = edges["count"] * edges["mean_wait_s"]
    edges = edges.sort_values(
        ["total_wait_s", "count", "source", "target"],
        ascending=[False, False, True, True],
        ignore_index=True,
    )
    edges = edges[_BOTTLENECK_COLUMNS]
    return edges if top is None else edges.head(top).reset_index(drop=True)


def find_rework(view: LogView) -> pd.DataFrame:
    """Activities executed more than once within a case (Nacharbeit, Schleifen).

    Columns, one row per activity that is repeated in at least one case:

    * ``cases_with_rework``: cases executing the activity twice or more;
    * ``share_of_cases``: those cases as a share of all cases of the view;
    * ``extra_executions``: executions beyond the first, summed over those cases;
    * ``time_lost_s``: per such case the time from the first to the last execution of the
      activity, summed over the cases. It is the span the case spent going round the loop — an
      upper bound of the time the repetition cost, since other work may run in between.

    Largest ``time_lost_s`` first.

    Example::

        find_rework(view).head(5)
    """
    return query_rework(view).astype(
        {"cases_with_rework": "int64", "extra_executions": "int64", "time_lost_s": "float64"}
    )


def find_handovers(
    view: LogView, *, column: str = UNIT_COLUMN, min_group_size: int = DEFAULT_MIN_GROUP_SIZE
) -> pd.DataFrame:
    """Hand-overs between organisational units: successive events of a case whose ``column``
    values differ (``from_unit`` → ``to_unit``), never naming a unit of fewer than
    ``min_group_size`` people (see :func:`mining.measures.groups.unit_figures`, which this is part of).

    Events without a value in ``column`` are skipped, so A (Amt 1) → B (unknown) → C (Amt 2)
    counts as one hand-over Amt 1 → Amt 2, waiting from A to C. Columns: ``from_unit``,
    ``to_unit``, ``count``, ``cases``, ``mean_wait_s``; most frequent first. An empty frame if
    the log has no such column, no values in it or no people to count. Hand-overs between
    persons are not available.

    Example::

        find_handovers(view, column="org_unit", min_group_size=5)
    """
    return unit_figures(view, min_group_size=min_group_size, column=column).handovers


def compare_channels(view: LogView, *, column: str) -> pd.DataFrame:
    """Throughput, rework and waiting per input channel (Papier, E-Mail, Online …).

    A case belongs to the channel named by its first event that has a value in ``column``;
    cases without any value are not counted. Columns: ``channel``, ``cases``,
    ``mean_throughput_s``, ``median_throughput_s`` (last − first event), ``rework_share`` (share
    of the channel's cases with an activity executed more than once), ``mean_wait_s`` (mean time
    between successive events of those cases). Largest channel first.

    Example::

        compare_channels(view, column="Kanal")
    """
    if column == UNIT_COLUMN:
        # Channels per org unit would be figures per unit outside the minimum group size.
        raise LogViewError(
            "Eingangskanäle werden nicht je Organisationseinheit verglichen; Zahlen je "
            "Organisationseinheit gibt es nur mit der Mindestgruppengröße (Übergaben, "
            "Organisationseinheiten)."
        )
    column = checked_attribute(view, column)
    return query_channels(view, column).astype({"cases": "int64"})


def group_statistics(
    view: LogView, *, column: str, min_group_size: int = DEFAULT_MIN_GROUP_SIZE
) -> pd.DataFrame:
    """Cases, events and mean wait per value of an organisational column (``org_unit``, a team
    attribute …), never for a group of fewer than ``min_group_size`` people (see
    :func:`mining.measures.groups.unit_figures`, which this is part of).

    A value whose events name fewer than ``min_group_size`` distinct ``resource`` pseudonyms is
    merged into "Sonstige (< k Personen)", together with the smallest larger unit if the merged
    group still has fewer than k people; a view whose units have fewer than k people together,
    or a log imported without resources, yields an empty result. ``mean_wait_s`` is the mean
    time from the previous event of the case to an event of the group (the group's events that
    start a case have none). Columns: ``group``, ``cases``, ``events``, ``mean_wait_s``; most
    cases first.

    There is deliberately no variant of this function for ``resource`` itself.

    Example::

        group_statistics(view, column="org_unit", min_group_size=5)
    """
    return unit_figures(view, min_group_size=min_group_size, column=column).groups
