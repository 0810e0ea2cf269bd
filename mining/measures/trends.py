"""How a process develops over time: per calendar month (or ISO week) of the office's time zone,
the cases that came in and were completed, the work still open, how long the completed cases took,
how many of them missed the legal deadline and how many came in on paper.

A case *starts* with its first event and *completes* with its last: a case whose last event lies
in the log is counted as completed then, even if the process goes on outside the log's period.
The counting is SQL (:func:`mining.query.query_trends`); the deadline is counted as
:func:`mining.measures.deadline_status` counts it, the intake channel as
:func:`mining.measures.compare_channels` reads it.
"""

from __future__ import annotations

import re

import pandas as pd

from mining.measures.deadline import deadline_cases
from mining.measures.performance import compare_channels
from mining.query import PERIOD_UNITS, LogView, LogViewError, checked_attribute, query_trends
from process_registry import BERLIN

__all__ = ["TREND_COLUMNS", "case_trends", "is_paper_channel"]

TREND_COLUMNS = [
    "period",
    "started",
    "completed",
    "in_progress",
    "median_duration_s",
    "p90_duration_s",
    "deadline_over_share",
    "paper_share",
]

# Intake on paper: a letter, a written form. Narrower than the media breaks of the digitization
# signals (which add e-mail and fax); "Postfach" and "E-Post" are electronic mailboxes.
_PAPER_CHANNEL = re.compile(r"papier|paper|brief|schriftlich|(?<!e-)post(?!fach)", re.IGNORECASE)


def is_paper_channel(value: str) -> bool:
    """Whether an intake channel value reads like paper (``Papier``, ``Post``, ``Brief``,
    ``schriftlich``)."""
    return bool(_PAPER_CHANNEL.search(value))


def case_trends(
    view: LogView,
    *,
    period: str = "month",
    deadline_days: int | None = None,
    deadline_starts_with: str | None = None,
    deadline_ends_with: str | None = None,
    channel_column: str | None = None,
) -> pd.DataFrame:
    """One row per calendar ``period`` (``"month"`` or ``"week"``, ISO weeks) in Europe/Berlin,
    from the period of the first event to that of the last, oldest first; periods without any
    case are rows too.

    Columns (:data:`TREND_COLUMNS`): ``period`` (``"2024-03"``, ``"2024-W13"``), ``started``,
    ``completed``, ``in_progress`` (open at the period's end: started in or before it, completed
    after it), ``median_duration_s`` and ``p90_duration_s`` (last − first event of the cases
    completed in the period; NaN when none was), ``deadline_over_share`` (of the cases completed
    in the period whose deadline clock started, those over the deadline of ``deadline_days``,
    clock as in :func:`deadline_status`; NaN without a deadline or without such a case) and
    ``paper_share`` (of the cases started in the period with a value in ``channel_column``, those
    whose channel reads like paper; NaN without the column, when no channel of the view reads like
    paper, or without such a case).

    Example::

        trends = case_trends(view, deadline_days=90, channel_column="Eingangskanal")
        trends.set_index("period")[["started", "completed", "in_progress"]]
    """
    if period not in PERIOD_UNITS:
        raise LogViewError(
            f"Unbekannter Zeitraum „{period}“; möglich sind: {', '.join(PERIOD_UNITS)}."
        )
    deadline = None
    if deadline_days:
        deadline = deadline_cases(
            view,
            deadline_days=deadline_days,
            starts_with=deadline_starts_with,
            ends_with=deadline_ends_with,
        )
    paper: list[str] = []
    if channel_column is not None:
        channels = compare_channels(view, column=channel_column)
        channel_column = checked_attribute(view, channel_column)
        paper = sorted({str(v) for v in channels["channel"] if is_paper_channel(str(v))})
    # Months and weeks come from one query, so the second of the two is the session's answer.
    frame = query_trends(
        view,
        timezone=BERLIN.key,
        channel_column=channel_column if paper else None,
        paper_values=paper,
        deadline_over=deadline,
    )
    return frame.loc[frame["unit"] == period, TREND_COLUMNS].reset_index(drop=True)
