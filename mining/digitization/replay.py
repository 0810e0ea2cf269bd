"""The log's own cases replayed with changed steps: pure pandas over an events frame.

The frame holds one row per event, a case's events together and in order, with ``case_id``,
``activity``, ``timestamp`` (completion, UTC) and ``work_s`` (the measured processing time,
``timestamp − start_timestamp``; NaN where the log has no start). A change removes time from the
case's timeline: each event carries a ``cut`` (seconds taken out of the interval since its
predecessor, or the whole interval when the event itself goes), every later event of the case
moves earlier by the cuts before it, and removed events are dropped. Case durations are then
measured as the stored log measures them: first to last completion.

Which cases a share applies to is chosen by a stable hash of the case id, so the same log and
the same assumptions always give the same figures.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Replayed", "automate", "chosen", "intervals", "remove_loops", "shift_online"]


@dataclass(frozen=True)
class Replayed:
    """The events after one change, and what it took away."""

    events: pd.DataFrame
    eligible: int  # cases the change could apply to
    cases: int  # cases it changed
    removed: int  # events dropped
    work_s: float  # processing time no longer spent, in the log (not per year)
    assumed_work: int  # executions whose work was assumed, not measured


def intervals(events: pd.DataFrame) -> pd.Series:
    """Seconds since the case's previous event (0 for a case's first event)."""
    gap = events["timestamp"].diff().dt.total_seconds()
    gap[events["case_id"].ne(events["case_id"].shift())] = 0.0
    return gap.fillna(0.0).clip(lower=0.0)


def chosen(case_ids: list[str], count: int, salt: str) -> set[str]:
    """``count`` of ``case_ids``: those first in the order of a stable hash of ``salt`` and id."""
    ids = sorted({str(c) for c in case_ids})
    ranked = sorted(ids, key=lambda c: hashlib.sha256(f"{salt}:{c}".encode()).hexdigest())
    return set(ranked[:count])


def _applied(events: pd.DataFrame, cut: pd.Series, drop: pd.Series) -> pd.DataFrame:
    shifted = cut.groupby(events["case_id"], sort=False).cumsum()
    out = events.assign(timestamp=events["timestamp"] - pd.to_timedelta(shifted, unit="s"))
    return out[~drop.to_numpy()].reset_index(drop=True)


def automate(events: pd.DataFrame, activity: str, *, share: float, minutes: float) -> Replayed:
    """A robot takes over ``share`` of ``activity``'s processing (measured, else ``minutes``)
    and the wait before it shrinks by the same share."""
    hit = events["activity"].eq(activity)
    gap = intervals(events)
    work = events["work_s"].where(events["work_s"].notna(), minutes * 60.0)
    # Processing and wait together fill the interval since the previous event.
    processing = np.minimum(work, gap)
    wait = gap - processing
    cut = (share * (processing + wait)).where(hit, 0.0)
    return Replayed(
        events=_applied(events, cut, pd.Series(False, index=events.index)),
        eligible=int(events.loc[hit, "case_id"].nunique()),
        cases=int(events.loc[hit, "case_id"].nunique()),
        removed=0,
        work_s=float((share * work)[hit].sum()),
        assumed_work=int((hit & events["work_s"].isna()).sum()),
    )


def _loop_positions(activities: list[str], target: str) -> list[int]:
    """Positions of a case's events inside a loop (a stretch ending with the next execution of
    an activity executed before it) that contains ``target``: the rework the loop repeats."""
    last_seen: dict[str, int] = {}
    removed: set[int] = set()
    for position, name in enumerate(activities):
        if name in last_seen:
            start = last_seen[name]
            loop = range(start + 1, position + 1)
            if any(activities[i] == target for i in loop):
                removed.update(loop)
        last_seen[name] = position
    return sorted(removed)


def remove_loops(
    events: pd.DataFrame,
    activity: str,
    *,
    share: float,
    minutes: Callable[[str], float],
    salt: str,
) -> Replayed:
    """In ``share`` of the cases where ``activity`` is part of a loop, the loop is not run: its
    events go, with the waits before them (work: measured, else ``minutes(activity)`` per
    event — a follow-up request costs what the candidate's calculation says it costs)."""
    drop = pd.Series(False, index=events.index)
    eligible: list[str] = []
    # Only cases that run the activity and repeat some activity can hold such a loop.
    has_step = events["case_id"].isin(events.loc[events["activity"].eq(activity), "case_id"])
    repeats = events["case_id"].isin(
        events.loc[events.duplicated(["case_id", "activity"]), "case_id"]
    )
    candidates = events[has_step & repeats]
    positions: dict[str, list[int]] = {}
    for case_id, case in candidates.groupby("case_id", sort=False):
        found = _loop_positions(case["activity"].tolist(), activity)
        if found:
            eligible.append(str(case_id))
            positions[str(case_id)] = [case.index[i] for i in found]
    picked = chosen(eligible, round(share * len(eligible)), salt)
    for case_id in picked:
        drop[positions[case_id]] = True
    assumed = events["activity"].map(minutes).astype("float64")
    return _removed(events, drop, eligible=len(eligible), cases=len(picked), minutes=assumed)


def _removed(
    events: pd.DataFrame,
    drop: pd.Series,
    *,
    eligible: int,
    cases: int,
    minutes: float | pd.Series,
) -> Replayed:
    cut = intervals(events).where(drop, 0.0)
    work = events["work_s"].where(events["work_s"].notna(), minutes * 60.0)
    return Replayed(
        events=_applied(events, cut, drop),
        eligible=eligible,
        cases=cases,
        removed=int(drop.sum()),
        work_s=float(work[drop].sum()),
        assumed_work=int((drop & events["work_s"].isna()).sum()),
    )


def shift_online(
    events: pd.DataFrame,
    paper_cases: set[str],
    moved: int,
    *,
    media_break: re.Pattern[str] | Callable[[str], bool],
    minutes: float,
    salt: str,
) -> Replayed:
    """``moved`` of the ``paper_cases`` arrive online: their media-break steps (scanning …) go
    with the waits before them, and so does the paper wait before the step after them. A moved
    case without such a step still saves the capture of one paper application (``minutes``)."""
    picked = chosen(sorted(paper_cases), moved, salt)
    in_picked = events["case_id"].isin(picked)
    is_break = (
        events["activity"]
        .map(media_break.search if isinstance(media_break, re.Pattern) else media_break)
        .astype(bool)
    )
    drop = in_picked & is_break
    same_case = events["case_id"].eq(events["case_id"].shift())
    after_break = drop.shift(fill_value=False) & same_case & ~drop
    gap = intervals(events)
    processing = np.minimum(events["work_s"].fillna(0.0), gap)
    cut = gap.where(drop, 0.0) + (gap - processing).where(after_break, 0.0)
    work = events["work_s"].where(events["work_s"].notna(), minutes * 60.0)
    without_step = len(picked - set(events.loc[drop, "case_id"]))
    return Replayed(
        events=_applied(events, cut, drop),
        eligible=len(paper_cases),
        cases=len(picked),
        removed=int(drop.sum()),
        work_s=float(work[drop].sum()) + without_step * minutes * 60.0,
        assumed_work=int((drop & events["work_s"].isna()).sum()) + without_step,
    )
