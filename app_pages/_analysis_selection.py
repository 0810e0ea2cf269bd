"""What the user picked on the Analyse page, in two session keys other parts of the page read.

``st.session_state["analysis_selection"]`` – the element whose cases the case list shows, set by
"Fälle anzeigen" (the map's panel, the variants explorer). One dict, replaced on each choice:

    {"kind": "activity", "activity": "Antrag prüfen"}
    {"kind": "edge", "source": "Antrag prüfen", "target": "Bescheid erstellen"}
    {"kind": "variant", "numbers": [3]}

``st.session_state["analysis_filters"]`` – the filters the analysis applies, shown as removable
chips. A list of dicts, in the order they were added, without duplicates; "Als Filter
hinzufügen" appends one:

    {"kind": "activity", "activity": "Antrag prüfen"}           # cases with the activity
    {"kind": "follows", "source": "A", "target": "B"}          # B directly follows A
    {"kind": "variant", "numbers": [3]}                       # cases of variant 3

Variant numbers count from 1 in the order of ``result["variants"]`` (most frequent first). Both
keys hold plain JSON values only, so any page can read them without importing this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

__all__ = [
    "FILTERS_KEY",
    "SELECTION_KEY",
    "add_filter",
    "as_filter",
    "filters",
    "show_cases",
]

SELECTION_KEY = "analysis_selection"
FILTERS_KEY = "analysis_filters"


def as_filter(selection: Mapping[str, Any]) -> dict[str, Any]:
    """The filter that keeps the cases of ``selection`` (an activity, edge or variant)."""
    kind = selection["kind"]
    if kind == "activity":
        return {"kind": "activity", "activity": str(selection["activity"])}
    if kind == "edge":
        return {
            "kind": "follows",
            "source": str(selection["source"]),
            "target": str(selection["target"]),
        }
    if kind == "variant":
        return {"kind": "variant", "numbers": [int(n) for n in selection["numbers"]]}
    raise ValueError(f"unknown selection kind {kind!r}")


def show_cases(selection: Mapping[str, Any]) -> None:
    """Make ``selection`` the element whose cases the case list shows."""
    # Through as_filter's checks, so only the documented shapes reach the session.
    checked = as_filter(selection)
    if checked["kind"] == "follows":
        checked = {"kind": "edge", "source": checked["source"], "target": checked["target"]}
    st.session_state[SELECTION_KEY] = checked


def filters() -> list[dict[str, Any]]:
    return list(st.session_state.get(FILTERS_KEY) or [])


def add_filter(selection: Mapping[str, Any]) -> bool:
    """Append the filter of ``selection``; False when it is already there."""
    new = as_filter(selection)
    current = filters()
    if new in current:
        return False
    st.session_state[FILTERS_KEY] = [*current, new]
    return True
