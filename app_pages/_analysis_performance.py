"""Analyse page, tab "Engpässe": where cases wait, repeat, change hands and run late.

Only group figures: edges, activities, org units (with the minimum group size applied by
``analyze``) and intake channels. There is no per-person view, by design (Personalrat).
"""

from __future__ import annotations

from typing import Any

import altair as alt
import streamlit as st

from app_pages._analysis_cases import Choice, Explorer
from app_pages._analysis_common import (
    as_days,
    as_percent,
    days_column,
    decimal,
    duration,
    integer_column,
    percent,
    percent_column,
    plain,
    record_table,
    text_column,
    value,
)
from app_pages._formats import chart_locale, date, integer
from app_pages._i18n import t
from process_registry import LANDS

__all__ = ["show_performance"]


def _edge_choice(row: dict[str, Any]) -> Choice:
    return Choice(
        t("analysis.cases_edge", source=row["source"], target=row["target"]),
        {"kind": "follows", "source": row["source"], "target": row["target"]},
    )


def _bottlenecks(result: dict[str, Any], explorer: Explorer) -> None:
    st.subheader(t("analysis.bottlenecks_title"))
    rows = result.get("bottlenecks", [])
    if not rows:
        st.info(t("analysis.bottlenecks_empty"))
        return
    if result.get("working_time"):
        st.caption(t("analysis.bottlenecks_caption_working"))
    else:
        st.caption(t("analysis.bottlenecks_caption"))
    table = explorer.table(
        "bottlenecks",
        rows,
        {
            "source": (value("source"), text_column(t("analysis.col_from"), 210)),
            "target": (value("target"), text_column(t("analysis.col_to"), 210)),
            # The ranking column next to the edge: visible without scrolling sideways.
            "total_wait": (
                as_days("total_wait_s"),
                days_column(t("analysis.col_total_wait_days")),
            ),
            "transitions": (value("transitions"), integer_column(t("analysis.col_transitions"))),
            "cases": (value("cases"), integer_column(t("analysis.col_cases"))),
            "mean_wait": (
                as_days("mean_wait_s"),
                days_column(t("analysis.col_mean_wait_per_transition_days")),
            ),
        },
        [_edge_choice(row) for row in rows],
        pick_label=t("analysis.cases_pick_edge"),
    )
    chart_data = table.assign(edge=table["source"] + " → " + table["target"])
    chart = (
        alt.Chart(chart_data)
        .mark_bar(color="#c0392b")
        .encode(
            x=alt.X("total_wait:Q", title=t("analysis.col_total_wait_days")),
            y=alt.Y("edge:N", sort="-x", title=None, axis=alt.Axis(labelLimit=360)),
            tooltip=[
                alt.Tooltip("edge:N", title=t("analysis.col_edge")),
                alt.Tooltip("transitions:Q", title=t("analysis.col_transitions")),
                alt.Tooltip("cases:Q", title=t("analysis.col_cases")),
                alt.Tooltip(
                    "mean_wait:Q",
                    title=t("analysis.col_mean_wait_per_transition_days"),
                    format=".1f",
                ),
                alt.Tooltip("total_wait:Q", title=t("analysis.col_total_wait_days"), format=".1f"),
            ],
        )
    )
    st.altair_chart(chart_locale(chart), width="stretch")


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else float(seconds) / 3600


def _activities(result: dict[str, Any], explorer: Explorer) -> None:
    rows = result.get("activity_times") or []
    if not rows:
        return
    st.subheader(t("analysis.activities_title"))
    explorer.table(
        "activities",
        rows,
        {
            "activity": (value("activity"), text_column(t("analysis.col_activity"))),
            "events": (value("events"), integer_column(t("analysis.col_events"))),
            "cases": (value("cases"), integer_column(t("analysis.col_cases"))),
            "mean": (
                lambda row: _hours(row["mean_s"]),
                days_column(t("analysis.col_activity_mean_hours")),
            ),
            "median": (
                lambda row: _hours(row["median_s"]),
                days_column(t("analysis.col_activity_median_hours")),
            ),
            "kind": (
                lambda row: t(f"analysis.time_kind_{row['kind']}"),
                text_column(t("analysis.col_activity_time_kind")),
            ),
        },
        [
            Choice(
                t("analysis.cases_activity", activity=row["activity"]),
                {"kind": "activity", "activity": row["activity"], "present": True},
            )
            for row in rows
        ],
        pick_label=t("analysis.cases_pick_activity"),
    )
    st.caption(t("analysis.activities_caption"))


def _rework(result: dict[str, Any]) -> None:
    st.subheader(t("analysis.rework_title"))
    rows = result.get("rework", [])
    if not rows:
        st.info(t("analysis.rework_empty"))
        return
    record_table(
        rows,
        {
            "activity": (value("activity"), text_column(t("analysis.col_activity"))),
            "cases": (
                value("cases_with_rework"),
                integer_column(t("analysis.col_cases_with_rework")),
            ),
            "share": (
                as_percent("share_of_cases"),
                percent_column(t("analysis.col_share_of_cases")),
            ),
            "extra": (
                value("extra_executions"),
                integer_column(t("analysis.col_extra_executions")),
            ),
            "lost": (as_days("time_lost_s"), days_column(t("analysis.col_time_lost_days"))),
        },
    )
    st.caption(t("analysis.rework_caption"))


def _units_note(groups: dict[str, Any]) -> str:
    """What the minimum group size did to the figures per org unit, so the rows add up."""
    size, units = groups["min_group_size"], groups["units"]
    if not groups["people_known"]:
        return t("analysis.units_unknown", size=size)
    if groups["withheld_units"]:
        return t("analysis.units_withheld", units=units, size=size)
    totals = t("analysis.units_totals", handovers=groups["handovers"], events=groups["events"])
    if not groups["merged_units"]:
        return t("analysis.units_all_shown", units=units, size=size) + " " + totals
    note = t(
        "analysis.units_merged",
        merged=groups["merged_units"],
        units=units,
        label=plain(groups["merged_label"]),
        size=size,
    )
    if groups["merged_to_reach_minimum"]:
        note += " " + t(
            "analysis.units_topped", topped=groups["merged_to_reach_minimum"], size=size
        )
    return note + " " + totals


def _handovers(result: dict[str, Any]) -> None:
    # Rows come from mining.measures.groups with the minimum group size applied; this only shows them.
    groups = result.get("org_unit_groups")
    if not groups:
        return
    st.subheader(t("analysis.handovers_title"))
    rows = result.get("handovers") or []
    if rows:
        record_table(
            rows,
            {
                "from": (value("from_unit"), text_column(t("analysis.col_from_unit"))),
                "to": (value("to_unit"), text_column(t("analysis.col_to_unit"))),
                "count": (value("count"), integer_column(t("analysis.col_handovers"))),
                "cases": (value("cases"), integer_column(t("analysis.col_cases"))),
                "wait": (as_days("mean_wait_s"), days_column(t("analysis.col_mean_wait_days"))),
            },
        )
    units = result.get("org_units") or []
    if units:
        st.caption(t("analysis.org_units_caption"))
        record_table(
            units,
            {
                "group": (value("group"), text_column(t("analysis.col_org_unit"))),
                "cases": (value("cases"), integer_column(t("analysis.col_cases"))),
                "events": (value("events"), integer_column(t("analysis.col_events"))),
                "wait": (as_days("mean_wait_s"), days_column(t("analysis.col_mean_wait_days"))),
            },
        )
    st.caption(_units_note(groups))


def _channels(result: dict[str, Any]) -> None:
    channels = result.get("channels")
    if not channels or not channels.get("values"):
        return
    st.subheader(t("analysis.channels_title"))
    st.caption(t("analysis.channels_caption", column=plain(channels["column"])))
    rows = channels["values"]
    record_table(
        rows,
        {
            "channel": (value("channel"), text_column(t("analysis.col_channel"))),
            "cases": (value("cases"), integer_column(t("analysis.col_cases"))),
            "mean": (
                as_days("mean_throughput_s"),
                days_column(t("analysis.col_mean_throughput_days")),
            ),
            "median": (
                as_days("median_throughput_s"),
                days_column(t("analysis.col_median_throughput_days")),
            ),
            "rework": (as_percent("rework_share"), percent_column(t("analysis.col_rework_share"))),
            "wait": (as_days("mean_wait_s"), days_column(t("analysis.col_mean_wait_days"))),
        },
    )


def _day(iso: str | None) -> str:
    # The analysis writes this moment in Berlin time with its offset: its date is the local one.
    return date(iso)


def _clock(deadline: dict[str, Any], side: str) -> str:
    activity = deadline.get(f"{side}_with")
    if activity is None:
        return t(f"analysis.deadline_{side}_default")
    return t(f"analysis.deadline_{side}_activity", activity=plain(activity))


def _deadline(result: dict[str, Any]) -> None:
    deadline = result.get("deadline")
    if not deadline:
        return
    st.subheader(t("analysis.deadline_title", days=deadline["deadline_days"]))
    over, close, cases = st.columns(3)
    over.metric(t("analysis.deadline_over"), percent(deadline["over_share"]))
    threshold = float(deadline.get("close_threshold", 0.8 * deadline["deadline_days"]))
    threshold_text = decimal(threshold, 0 if threshold.is_integer() else 1)
    close.metric(
        t("analysis.deadline_close", threshold=threshold_text), percent(deadline["close_share"])
    )
    cases.metric(t("analysis.deadline_cases"), integer(deadline["cases"]))
    st.caption(f"{_clock(deadline, 'starts')}  \n{_clock(deadline, 'ends')}")
    st.caption(
        t(
            "analysis.deadline_caption",
            over=deadline["over"],
            close=deadline["close"],
            days=deadline["deadline_days"],
            # A result from before the setting was counted with Lower Saxony's holidays.
            land=LANDS.get(deadline.get("holidays_of") or "NI", deadline.get("holidays_of")),
        )
    )
    if deadline.get("not_started"):
        st.info(
            t(
                "analysis.deadline_not_started",
                count=deadline["not_started"],
                activity=plain(deadline["starts_with"]),
            )
        )
    if deadline.get("running"):
        notes = [
            t(
                "analysis.deadline_running",
                count=deadline["running"],
                over=deadline["running_over"],
                until=_day(deadline["measured_until"]),
            )
        ]
        if deadline.get("stop_before_start"):
            notes.append(
                t(
                    "analysis.deadline_stop_before_start",
                    count=deadline["stop_before_start"],
                    activity=plain(deadline["ends_with"]),
                )
            )
        st.info(" ".join(notes))
    if deadline["over"]:
        st.warning(t("analysis.deadline_warning", over=deadline["over"]))


def show_performance(result: dict[str, Any], explorer: Explorer) -> None:
    durations = result.get("case_duration_s", {})
    mean, median, p90 = st.columns(3)
    mean.metric(t("analysis.duration_mean"), duration(durations.get("mean")))
    median.metric(t("analysis.duration_median"), duration(durations.get("median")))
    p90.metric(t("analysis.duration_p90"), duration(durations.get("p90")))
    _deadline(result)
    _bottlenecks(result, explorer)
    _activities(result, explorer)
    _rework(result)
    _handovers(result)
    _channels(result)
