"""Opening a tab of the Analyse page in an AppTest, as a click on it does: only the open tab runs
(``st.tabs(..., on_change="rerun")``), so a test that reads another tab opens it first."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pandas as pd
from streamlit.testing.v1 import AppTest

T = TypeVar("T")
TAB_KEY = "analysis_tab"  # the key of the page's st.tabs


def open_tab(app: AppTest, label: str) -> AppTest:
    """``app`` with the tab ``label`` (its German or English name) open: rerun as by a click on
    it, unless it is open already."""
    labels = [tab.label for tab in app.tabs]
    assert label in labels, f"no tab {label!r} in {labels}"
    if _open_tab(app, labels) == label:
        return app
    app.session_state[TAB_KEY] = label
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _open_tab(app: AppTest, labels: list[str]) -> str:
    chosen = app.session_state[TAB_KEY] if TAB_KEY in app.session_state else None
    return chosen if chosen in labels else labels[0]


def find_in_tabs(app: AppTest, look: Callable[[AppTest], T | None], what: str) -> T:
    """What ``look`` finds: in the open tab, else in the first other tab where it is found, which
    is then left open (as a user looks for it: a click on one tab after another)."""
    found = look(app)
    for label in [tab.label for tab in app.tabs]:
        if found is not None:
            break
        open_tab(app, label)
        found = look(app)
    assert found is not None, f"no {what} in any tab"
    return found


def find_table(app: AppTest, *columns: str) -> pd.DataFrame:
    """The first table with ``columns``, in whichever tab shows it (:func:`find_in_tabs`)."""

    def look(app: AppTest) -> pd.DataFrame | None:
        found = [df.value for df in app.dataframe if set(columns) <= set(df.value.columns)]
        return found[0] if found else None

    return find_in_tabs(app, look, f"table with {columns}")
