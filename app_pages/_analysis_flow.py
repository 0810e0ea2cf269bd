"""Analyse page, tabs "Prozesslandkarte" and "Varianten": how cases really flow.

Both work on the cached ``analyze`` result only: moving a slider filters the cached frames in
pandas and rebuilds the DOT text; nothing is recomputed from the log.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app_pages._analysis_common import (
    as_percent,
    decimal,
    duration,
    integer_column,
    percent,
    percent_column,
    record_table,
    text_column,
    value,
)
from app_pages._i18n import t
from mining import map_dot, reduce_map

__all__ = ["show_process_map", "show_variants"]

_DFG_COLUMNS = ["source", "target", "count", "mean_wait_s"]
_MANY_EDGES = 40  # beyond this a full map is a tangle; start with the most frequent paths


def _activity_counts(result: dict[str, Any]) -> dict[str, int]:
    counts = {row["activity"]: int(row["events"]) for row in result.get("activity_times", ())}
    if counts:
        return counts
    # Without activity times (an old result), the edges still tell how often each step ran.
    frame = pd.DataFrame(result.get("dfg", []), columns=_DFG_COLUMNS)
    incoming = frame.groupby("target")["count"].sum().to_dict()
    for activity, cases in result.get("start_activities", {}).items():
        incoming[activity] = incoming.get(activity, 0) + cases
    return {str(k): int(v) for k, v in incoming.items()}


def show_process_map(result: dict[str, Any]) -> None:
    dfg = pd.DataFrame(result.get("dfg", []), columns=_DFG_COLUMNS)
    counts = _activity_counts(result)
    if not counts:
        st.info(t("analysis.map_empty"))
        return
    left, middle, right = st.columns([2, 2, 1])
    activity_share = left.slider(
        t("analysis.map_activities"),
        min_value=5,
        max_value=100,
        value=100,
        step=5,
        format="%d %%",
        key="analysis_map_activities",
        help=t("analysis.map_activities_help"),
    )
    path_share = middle.slider(
        t("analysis.map_paths"),
        min_value=5,
        max_value=100,
        value=100 if len(dfg) <= _MANY_EDGES else 30,
        step=5,
        format="%d %%",
        key="analysis_map_paths",
        help=t("analysis.map_paths_help"),
    )
    measure = right.radio(
        t("analysis.map_measure"),
        ["frequency", "time"],
        format_func=lambda m: t(f"analysis.map_measure_{m}"),
        key="analysis_map_measure",
    )
    activities, edges = reduce_map(
        dfg, counts, activity_share=activity_share / 100, path_share=path_share / 100
    )
    dot = map_dot(
        activities,
        edges,
        measure=measure,
        format_wait=duration,
        starts=result.get("start_activities"),
        ends=result.get("end_activities"),
        start_label=t("analysis.map_start"),
        end_label=t("analysis.map_end"),
        count_label=lambda n: decimal(n, 0),
    )
    st.graphviz_chart(dot, width="stretch")
    st.caption(
        t(
            "analysis.map_caption",
            activities=len(activities),
            all_activities=len(counts),
            edges=len(edges),
            all_edges=len(dfg),
        )
    )
    if measure == "time" and result.get("working_time"):
        st.caption(t("analysis.map_calendar_time"))


def show_variants(result: dict[str, Any]) -> None:
    variants = result.get("variants", [])
    if not variants:
        st.info(t("analysis.variants_empty"))
        return
    total = result.get("log", {}).get("variants", len(variants))
    st.caption(t("analysis.variants_caption", shown=len(variants), total=total))
    record_table(
        [{"number": number, **variant} for number, variant in enumerate(variants, start=1)],
        {
            "number": (value("number"), integer_column(t("analysis.col_variant"))),
            "cases": (value("cases"), integer_column(t("analysis.col_cases"))),
            "share": (as_percent("share"), percent_column(t("analysis.col_share"))),
            "steps": (lambda v: len(v["activities"]), integer_column(t("analysis.col_steps"))),
            "sequence": (
                lambda v: " → ".join(v["activities"]),
                st.column_config.TextColumn(t("analysis.col_sequence"), width="large"),
            ),
        },
    )
    chosen = st.selectbox(
        t("analysis.variant_select"),
        range(len(variants)),
        format_func=lambda i: t(
            "analysis.variant_option",
            number=i + 1,
            share=percent(variants[i]["share"]),
            cases=variants[i]["cases"],
        ),
        key="analysis_variant",
    )
    if chosen is None or chosen >= len(variants):
        return
    steps = variants[chosen]["activities"]
    record_table(
        list(enumerate(steps, start=1)),
        {
            "step": (lambda pair: pair[0], integer_column(t("analysis.col_step"))),
            "activity": (lambda pair: pair[1], text_column(t("analysis.col_activity"))),
        },
    )
