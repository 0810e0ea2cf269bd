"""Analyse page, tab "Prozesslandkarte": how cases really flow, as a map one can click.

The map works on the cached ``analyze`` result only: moving a slider filters the cached frames in
pandas and redraws; nothing is recomputed from the log. It is drawn in the browser by cytoscape
(:mod:`app_pages._process_map_view`); without the front-end installed it falls back to a static
Graphviz picture. A click on an activity or an edge opens a panel under the map whose buttons
set the session keys of :mod:`app_pages._analysis_selection` (``analysis_selection``,
``analysis_filters``), which the case list and the filter chips read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from app_pages._analysis_common import decimal, duration, is_missing, plain
from app_pages._analysis_selection import add_filter, show_cases
from app_pages._analysis_variants import show_variants
from app_pages._i18n import t
from app_pages._process_map_view import (
    MapEdge,
    MapNode,
    map_view_available,
    process_map_view,
)
from mining import map_dot, reduce_map

__all__ = ["CLICKED_KEY", "MEASURES", "map_elements", "show_process_map", "show_variants"]

_DFG_COLUMNS = ["source", "target", "count", "mean_wait_s", "median_wait_s", "cases"]
_MANY_EDGES = 40  # beyond this a full map is a tangle; start with the most frequent paths
MEASURES = ("frequency", "cases", "time", "median")
CLICKED_KEY = "analysis_map_clicked"  # the element whose panel is open (page-internal)


def _activity_counts(result: Mapping[str, Any]) -> dict[str, int]:
    counts = {row["activity"]: int(row["events"]) for row in result.get("activity_times", ())}
    if counts:
        return counts
    # Without activity times (an old result), the edges still tell how often each step ran.
    frame = pd.DataFrame(result.get("dfg", []), columns=_DFG_COLUMNS)
    incoming = frame.groupby("target")["count"].sum().to_dict()
    for activity, cases in result.get("start_activities", {}).items():
        incoming[activity] = incoming.get(activity, 0) + cases
    return {str(k): int(v) for k, v in incoming.items()}


def _dfg(result: Mapping[str, Any]) -> pd.DataFrame:
    frame = pd.DataFrame(result.get("dfg", []), columns=_DFG_COLUMNS)
    # An analysis from before edges had case counts: the count is the nearest figure.
    frame["cases"] = frame["cases"].fillna(frame["count"])
    return frame


def _top(values: pd.Series) -> float:
    numbers = pd.to_numeric(values, errors="coerce")
    return float(numbers.max()) if numbers.notna().any() else 0.0


def _ratio(value: Any, top: float) -> float:
    return 0.0 if is_missing(value) or top <= 0 else float(value) / top


def map_elements(
    result: Mapping[str, Any], activities: pd.DataFrame, edges: pd.DataFrame, measure: str
) -> tuple[list[MapNode], list[MapEdge]]:
    """Boxes and arrows of the reduced map, labelled for ``measure`` (one of :data:`MEASURES`)."""
    cases = {row["activity"]: int(row["cases"]) for row in result.get("activity_times", ())}
    node_ids = {name: f"a{n}" for n, name in enumerate(activities["activity"])}
    shown = activities.assign(cases=[cases.get(a) for a in activities["activity"]])
    column = "cases" if measure == "cases" and shown["cases"].notna().all() else "count"
    top_node = _top(shown[column])
    nodes = [
        MapNode(
            id=node_ids[row.activity],
            label=f"{row.activity}\n{decimal(getattr(row, column), 0)}",
            weight=_ratio(getattr(row, column), top_node),
            tooltip=t(
                "analysis.map_node_tooltip",
                activity=row.activity,
                events=decimal(row.count, 0),
                cases=decimal(row.cases, 0) if not is_missing(row.cases) else t("common.none"),
            ),
            activity=str(row.activity),
        )
        for row in shown.itertuples(index=False)
    ]
    wait = {"time": "mean_wait_s", "median": "median_wait_s"}.get(measure)
    size = "cases" if measure == "cases" else "count"
    top_edge = _top(edges[wait or size])
    arrows = []
    for number, row in enumerate(edges.itertuples(index=False)):
        if wait is not None:
            seconds = getattr(row, wait)
            label = duration(seconds)
            heat = _ratio(seconds, top_edge)
        else:
            label, heat = decimal(getattr(row, size), 0), 0.0
        arrows.append(
            MapEdge(
                id=f"e{number}",
                source=node_ids[row.source],
                target=node_ids[row.target],
                label=label,
                weight=heat if wait is not None else _ratio(getattr(row, size), top_edge),
                heat=heat,
                tooltip=t(
                    "analysis.map_edge_tooltip",
                    source=row.source,
                    target=row.target,
                    count=decimal(row.count, 0),
                    cases=decimal(row.cases, 0),
                    mean=duration(row.mean_wait_s),
                    median=duration(row.median_wait_s),
                ),
                pair=(str(row.source), str(row.target)),
            )
        )
    for node, counts in (
        ("start", result.get("start_activities") or {}),
        ("end", result.get("end_activities") or {}),
    ):
        joined = {a: n for a, n in counts.items() if a in node_ids}
        if not joined:
            continue
        nodes.append(MapNode(id=node, label=t(f"analysis.map_{node}"), kind=node))
        for activity, number in joined.items():
            source, target = (node, node_ids[activity])
            if node == "end":
                source, target = target, source
            arrows.append(
                MapEdge(
                    id=f"{node}-{source}-{target}",
                    source=source,
                    target=target,
                    label=decimal(number, 0),
                    kind="endpoint",
                    tooltip=t(f"analysis.map_{node}_tooltip", activity=activity, cases=number),
                )
            )
    return nodes, arrows


def _texts() -> dict[str, str]:
    return {
        "fit": t("analysis.map_fit"),
        "png": t("analysis.map_png"),
        "svg": t("analysis.map_svg"),
        "filename": t("analysis.map_filename"),
        "error": t("common.viewer_error"),
        "hint": t("analysis.map_hint"),
    }


def show_process_map(result: dict[str, Any]) -> None:
    dfg = _dfg(result)
    counts = _activity_counts(result)
    if not counts:
        st.info(t("analysis.map_empty"))
        return
    left, middle, right = st.columns([2, 2, 4])
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
        MEASURES,
        format_func=lambda m: t(f"analysis.map_measure_{m}"),
        key="analysis_map_measure",
        horizontal=True,
    )
    activities, edges = reduce_map(
        dfg, counts, activity_share=activity_share / 100, path_share=path_share / 100
    )
    if map_view_available():
        nodes, arrows = map_elements(result, activities, edges, measure)
        opened = process_map_view(
            nodes, arrows, texts=_texts(), key="analysis_map_view", remember=CLICKED_KEY
        )
    else:
        _static_map(result, activities, edges, measure)
        opened = None
    st.caption(
        t(
            "analysis.map_caption",
            activities=len(activities),
            all_activities=len(counts),
            edges=len(edges),
            all_edges=len(dfg),
        )
    )
    if measure in ("time", "median") and result.get("working_time"):
        st.caption(t("analysis.map_calendar_time"))
    if opened is not None:
        _selection_panel(result, dfg, opened)


def _static_map(
    result: Mapping[str, Any], activities: pd.DataFrame, edges: pd.DataFrame, measure: str
) -> None:
    """Graphviz in the browser, for a checkout without the front-end: no clicks, no export."""
    shown = edges
    if measure == "median":
        shown = edges.assign(mean_wait_s=edges["median_wait_s"])
    elif measure == "cases":
        shown = edges.assign(count=edges["cases"])
    dot = map_dot(
        activities,
        shown,
        measure="time" if measure in ("time", "median") else "frequency",
        format_wait=duration,
        starts=result.get("start_activities"),
        ends=result.get("end_activities"),
        start_label=t("analysis.map_start"),
        end_label=t("analysis.map_end"),
        count_label=lambda n: decimal(n, 0),
    )
    st.graphviz_chart(dot, width="stretch")
    st.caption(t("analysis.map_static"))


def _selection_panel(result: Mapping[str, Any], dfg: pd.DataFrame, selection: dict) -> None:
    with st.container(border=True, key="analysis_map_panel"):
        if selection["kind"] == "activity":
            row = next(
                (
                    r
                    for r in result.get("activity_times", ())
                    if r["activity"] == selection["activity"]
                ),
                None,
            )
            st.markdown(t("analysis.panel_activity", activity=plain(selection["activity"])))
            if row is not None:
                st.caption(
                    t(
                        "analysis.panel_activity_figures",
                        events=decimal(row["events"], 0),
                        cases=decimal(row["cases"], 0),
                    )
                )
        else:
            match = dfg[
                (dfg["source"] == selection["source"]) & (dfg["target"] == selection["target"])
            ]
            st.markdown(
                t(
                    "analysis.panel_edge",
                    source=plain(selection["source"]),
                    target=plain(selection["target"]),
                )
            )
            if not match.empty:
                edge = match.iloc[0]
                st.caption(
                    t(
                        "analysis.panel_edge_figures",
                        count=decimal(edge["count"], 0),
                        cases=decimal(edge["cases"], 0),
                        mean=duration(edge["mean_wait_s"]),
                        median=duration(edge["median_wait_s"]),
                    )
                )
        cases, add, close = st.columns([2, 2, 1])
        cases.button(
            t("analysis.panel_show_cases"),
            key="analysis_map_show_cases",
            on_click=_show_cases,
            args=(selection,),
            width="stretch",
        )
        add.button(
            t("analysis.panel_add_filter"),
            key="analysis_map_add_filter",
            on_click=_add_filter,
            args=(selection,),
            width="stretch",
        )
        close.button(
            t("analysis.panel_close"), key="analysis_map_close", on_click=_close, width="stretch"
        )
        notice = st.session_state.pop("analysis_map_notice", None)
        if notice:
            st.success(t(notice))


def _show_cases(selection: dict) -> None:
    show_cases(selection)
    st.session_state["analysis_map_notice"] = "analysis.panel_cases_shown"
    # The map is a fragment; the case list of another tab may have to close, so all reruns.
    st.rerun()


def _add_filter(selection: dict) -> None:
    added = add_filter(selection)
    st.session_state["analysis_map_notice"] = (
        "analysis.panel_filter_added" if added else "analysis.panel_filter_exists"
    )
    st.rerun()  # a filter changes the analysis: the whole page, not only the map's fragment


def _close() -> None:
    st.session_state.pop(CLICKED_KEY, None)
