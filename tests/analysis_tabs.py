"""Opening a tab of the Analyse page in an AppTest, as a click on it does: only the open tab runs
(``st.tabs(..., on_change="rerun")``), so a test that reads another tab opens it first."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

TAB_KEY = "analysis_tab"  # the key of the page's st.tabs


def open_tab(app: AppTest, label: str) -> AppTest:
    """``app`` rerun with the tab ``label`` (its German or English name) open."""
    labels = [tab.label for tab in app.tabs]
    assert label in labels, f"no tab {label!r} in {labels}"
    app.session_state[TAB_KEY] = label
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def find_table(app: AppTest, *columns: str) -> pd.DataFrame:
    """The first table with ``columns``: in the open tab, else in the first other tab that shows
    one, which is then left open (as a user looks for it: a click on one tab after another)."""
    found = _tables(app, columns)
    for label in [tab.label for tab in app.tabs]:
        if found:
            break
        open_tab(app, label)
        found = _tables(app, columns)
    assert found, f"no table with {columns}"
    return found[0]


def _tables(app: AppTest, columns: tuple[str, ...]) -> list[pd.DataFrame]:
    return [df.value for df in app.dataframe if set(columns) <= set(df.value.columns)]
