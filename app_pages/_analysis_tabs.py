"""Analyse page: the tabs below the figures, each its own Streamlit fragment.

Only the open tab runs (the page's ``st.tabs`` reruns the page on a tab switch): a full rerun
computes and sends what that tab shows, nothing of the others.

A widget inside a tab (the map's sliders and labels, a click on the map or a variant, a row of a
bottleneck table, a trend's period) reruns only its tab: the analysis is neither recomputed nor
looked up again, and nothing outside the tab is sent to the browser anew. The tabs get the
cached result of the last full run (a fragment keeps the arguments of the run that drew it).

What changes the page as a whole reruns it: filters and the log choice are outside the tabs, and
the buttons that set a filter or the case list another tab shows ("Als Filter hinzufügen",
"Fälle anzeigen", a confirmed activity mapping) end their callback with ``st.rerun()``.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages._analysis_cases import Explorer
from app_pages._analysis_flow import show_process_map, show_variants
from app_pages._analysis_model import show_model
from app_pages._analysis_performance import show_performance
from app_pages._analysis_trends import show_trends
from app_pages._auth import User
from app_pages._shared import registry

__all__ = ["TAB_FRAGMENTS", "map_tab", "model_tab", "performance_tab", "trends_tab", "variants_tab"]

# The fragment keys, for st.rerun(<key>) and the tests.
TAB_FRAGMENTS = (
    "analysis_map_tab",
    "analysis_variants_tab",
    "analysis_performance_tab",
    "analysis_trends_tab",
    "analysis_model_tab",
)


@st.fragment(key="analysis_map_tab")
def map_tab(result: dict[str, Any], explorer: Explorer) -> None:
    show_process_map(result)
    explorer.selection("map", ("activity", "edge"))


@st.fragment(key="analysis_variants_tab")
def variants_tab(result: dict[str, Any], explorer: Explorer) -> None:
    show_variants(result)
    explorer.selection("variants", ("variant",))


@st.fragment(key="analysis_performance_tab")
def performance_tab(result: dict[str, Any], explorer: Explorer) -> None:
    show_performance(result, explorer)


@st.fragment(key="analysis_trends_tab")
def trends_tab(result: dict[str, Any]) -> None:
    show_trends(result)


@st.fragment(key="analysis_model_tab")
def model_tab(result: dict[str, Any], explorer: Explorer, user: User) -> None:
    show_model(result, registry(), explorer, user)
