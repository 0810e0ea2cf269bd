"""The cases behind a figure: the case list of a view and one case's trace.

Every finding (a bottleneck edge, an activity, a variant, a deviation) is a filter of the view
(:mod:`mining.query.view`); its cases are :func:`get_cases` of the filtered view::

    edge = filter_directly_follows(view, "Hundesteuer berechnen", "Steuerbescheid erstellen")
    slowest = get_cases(edge, limit=20)
    case_trace(view, slowest.cases[0].case)

Case ids are the stored ones: pseudonyms where the import pseudonymized them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from numbers import Integral
from typing import Literal, TypedDict, get_args

import pandas as pd
import pyarrow as pa

from mining.query._sql import CASES, VARIANTS, seconds
from mining.query.queries import get_variants
from mining.query.session import fetch
from mining.query.view import LogView, LogViewError
from process_registry import iso

__all__ = [
    "CaseList",
    "CaseListRecord",
    "CaseOrder",
    "CaseRecord",
    "CaseRow",
    "TraceStep",
    "case_trace",
    "get_cases",
]

CaseOrder = Literal["duration", "events", "start", "end", "case", "variant"]
# The direction of each order; ties always by case id, ascending.
_ORDER_SQL = {
    "duration": "duration_s DESC",
    "events": "events DESC",
    "start": "first_time",
    "end": "last_time",
    "case": "case_id",
    "variant": "variant",
}


class CaseRecord(TypedDict):
    """One case of ``pmo cases --json``."""

    case: str
    start: str  # ISO 8601 with the Berlin offset
    end: str
    duration_s: float  # last − first event
    events: int
    # As get_variants numbers the variants of the view shown (1 = most frequent); null only
    # when that view lacks the case's activity sequence.
    variant: int | None


class CaseListRecord(TypedDict):
    """``pmo cases --json``: how many cases the selection holds and the listed ones."""

    total: int
    cases: list[CaseRecord]


@dataclass(frozen=True)
class CaseRow:
    case: str
    start: dt.datetime  # first event, UTC
    end: dt.datetime  # last event, UTC
    duration_s: float
    events: int
    variant: int | None  # None only when the numbering view lacks the case's variant

    def to_dict(self) -> CaseRecord:
        return {
            "case": self.case,
            "start": iso(self.start) or "",
            "end": iso(self.end) or "",
            "duration_s": self.duration_s,
            "events": self.events,
            "variant": self.variant,
        }


@dataclass(frozen=True)
class CaseList:
    """``total`` cases in the view; ``cases`` the listed ones (all, or the first ``limit``)."""

    total: int
    cases: tuple[CaseRow, ...]

    def to_dict(self) -> CaseListRecord:
        return {"total": self.total, "cases": [row.to_dict() for row in self.cases]}


@dataclass(frozen=True)
class TraceStep:
    activity: str
    timestamp: dt.datetime  # UTC
    resource: str | None  # the stored (pseudonymized) resource, None when not recorded
    wait_s: float | None  # since the case's previous event; None for its first


def get_cases(
    view: LogView,
    *,
    limit: int | None = None,
    order: CaseOrder = "duration",
    numbering: LogView | None = None,
) -> CaseList:
    """The cases of ``view``: id, first and last event, throughput time (last − first event,
    seconds, as pm4py's case duration), number of events and variant number, as
    :func:`get_variants` numbers the variants of ``numbering`` (default: ``view``).

    Pass as ``numbering`` the view a finding was shown for when ``view`` narrows it to the
    finding's cases (``filter_variants(shown, [3])``: its cases are of variant 3 of ``shown``,
    the only and so first variant of the narrowed view). A case whose activity sequence
    ``numbering`` does not hold (a view trimmed to a period) has no number (``None``).

    ``order``: ``"duration"`` and ``"events"`` largest first, ``"start"``, ``"end"``, ``"case"``
    and ``"variant"`` ascending; ties by case id. ``limit`` lists only the first cases; ``total``
    counts all.

    Example::

        get_cases(filter_directly_follows(view, "A", "B"), limit=10, numbering=view).to_dict()
    """
    if order not in _ORDER_SQL:
        raise LogViewError(
            f"Unbekannte Sortierung „{order}“; möglich: {', '.join(get_args(CaseOrder))}."
        )
    if limit is not None and (
        isinstance(limit, bool) or not isinstance(limit, Integral) or limit < 0
    ):
        raise LogViewError("Die Anzahl der Fälle (limit) muss eine ganze Zahl ≥ 0 sein.")
    derived: dict[str, Callable[[pa.Table], pa.Table]] = {}
    if numbering is None or numbering == view:
        # _variant numbers the traces in lexicographic order, so this is get_variants' order.
        numbered = f"""numbered AS (
            SELECT _variant, ROW_NUMBER() OVER (ORDER BY COUNT(*) DESC, _variant) AS variant
            FROM {CASES} GROUP BY _variant
        )"""
    else:
        name, table = _numbering(numbering)
        derived[name] = lambda _events: table
        numbered = f"""numbered AS (
            SELECT v._variant, m.variant
            FROM {VARIANTS} AS v LEFT JOIN {name} AS m ON m.activities = v.activities
        )"""
    select = f"""SELECT c.case_id, c.first_time, c.last_time,
                        {seconds("c.last_time", "c.first_time")} AS duration_s,
                        c.events, n.variant, (SELECT COUNT(*) FROM {CASES}) AS total
                 FROM {CASES} AS c JOIN numbered AS n ON n._variant = c._variant
                 ORDER BY {_ORDER_SQL[order]}, case_id"""
    params: list[object] = []
    if limit is not None:
        select += " LIMIT ?"
        params.append(int(limit))
    frame = fetch(view, select, ctes=[numbered], params=params, derived=derived)
    if len(frame):
        total = int(frame["total"].iloc[0])
    else:  # nothing listed: no cases, or limit 0
        total = int(fetch(view, f"SELECT COUNT(*) AS n FROM {CASES}")["n"].iloc[0])
    rows = tuple(
        CaseRow(
            case=str(case),
            start=_utc(first),
            end=_utc(last),
            duration_s=float(duration),
            events=int(events),
            variant=None if pd.isna(variant) else int(variant),
        )
        for case, first, last, duration, events, variant in zip(
            frame["case_id"],
            frame["first_time"],
            frame["last_time"],
            frame["duration_s"],
            frame["events"],
            frame["variant"],
            strict=True,
        )
    )
    return CaseList(total=total, cases=rows)


def _numbering(view: LogView) -> tuple[str, pa.Table]:
    """The variants of ``view`` as a table ``activities, variant`` (get_variants' numbers),
    under a name unique to the view (a session registers a derived table once per name)."""
    variants = get_variants(view, examples=0)
    table = pa.table(
        {
            "activities": pa.array(
                [list(acts) for acts in variants["activities"]], pa.list_(pa.string())
            ),
            "variant": pa.array(range(1, len(variants) + 1), pa.int64()),
        }
    )
    key = hashlib.sha256(repr(view).encode("utf-8")).hexdigest()[:16]
    return f"log_numbering_{key}", table


def case_trace(view: LogView, case: str) -> tuple[TraceStep, ...]:
    """The events of ``case`` in ``view``, in pm4py's order, each with the wait since the case's
    previous event; a case the view does not hold is an error naming it.

    Example::

        for step in case_trace(view, "HST-2024-00017"):
            print(step.activity, step.wait_s)
    """
    with_resource = "resource" in view.columns()
    resource = "resource" if with_resource else "CAST(NULL AS VARCHAR)"
    frame = fetch(
        view,
        f"""SELECT activity, "timestamp", {resource} AS resource,
                   {seconds('"timestamp"', "_prev_time")} AS wait_s
            FROM log WHERE CAST(case_id AS VARCHAR) = ? ORDER BY _pos""",
        params=[str(case)],
        columns=["resource"] if with_resource else [],
    )
    if frame.empty:
        raise LogViewError(f"Den Fall „{case}“ gibt es in dieser Auswahl nicht.")
    return tuple(
        TraceStep(
            activity=str(activity),
            timestamp=_utc(moment),
            resource=None if pd.isna(who) else str(who),
            wait_s=None if pd.isna(wait) else float(wait),
        )
        for activity, moment, who, wait in zip(
            frame["activity"], frame["timestamp"], frame["resource"], frame["wait_s"], strict=True
        )
    )


def _utc(value: object) -> dt.datetime:
    moment = pd.Timestamp(value)
    if moment.tzinfo is None:  # stored instants are UTC; DuckDB may hand them out naive
        moment = moment.tz_localize("UTC")
    return moment.tz_convert("UTC").to_pydatetime()
