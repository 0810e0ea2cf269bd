"""Only the open tab of the Analyse page runs: the map is not held up by the comparison with
the model, and a filter with the map open neither computes nor sends what other tabs show."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

import mining.analysis
import mining.stored_analysis
from app_pages import _analysis_tabs
from tests.analysis_tabs import open_tab
from tests.app_office import as_numbers
from tests.municipal_log import SKIPPED_STEP
from tests.test_app_analysis import _map, _page, _table, _workspace, use_workspace


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    # A workspace of its own: no analysis of its logs is cached in memory or on disk yet.
    workspace = _workspace(tmp_path)
    use_workspace(monkeypatch, workspace)
    return workspace


def _count(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[int]:
    calls: list[int] = []
    original = getattr(module, name)

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_the_map_is_drawn_before_the_model_is_compared(
    fresh: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared = _count(monkeypatch, mining.analysis, "_conformance")
    app = _page(fresh["log"])
    assert _map(app)["nodes"]  # the map of the linked log is drawn …
    assert [tab.label for tab in app.tabs][-1] == "Modell und Realität"
    assert not compared  # … and its model not yet compared
    open_tab(app, "Modell und Realität")
    assert len(compared) == 1
    deviations = _table(app, "kind", "activity", "examples")
    assert SKIPPED_STEP in list(deviations["activity"])
    open_tab(app, "Prozesslandkarte")
    open_tab(app, "Modell und Realität")
    assert len(compared) == 1  # compared once, then kept


def test_a_date_filter_with_the_map_open_leaves_the_other_tabs_alone(
    fresh: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _page(fresh["log"])
    detailed = _count(monkeypatch, mining.stored_analysis, "detail_figures")
    drawn = {
        name: _count(monkeypatch, _analysis_tabs, name)
        for name in ("show_variants", "show_performance", "show_trends", "show_model")
    }
    app.date_input[0].set_value(dt.date(2024, 3, 1)).run()
    assert not app.exception
    assert _map(app)["nodes"]
    assert not any(drawn.values()), {name: len(calls) for name, calls in drawn.items()}
    assert not [df for df in app.dataframe if {"sequence", "cases"} <= set(df.value.columns)]
    assert not detailed  # bottlenecks, rework, trends … of the new period are not computed yet
    open_tab(app, "Varianten")  # the variants of the filtered view, once their tab is open
    assert len(drawn["show_variants"]) == 1
    shown = _table(app, "sequence", "cases")
    cases = as_numbers(pd.Series([app.metric[0].value]))[0]
    assert as_numbers(shown["cases"]).sum() == cases < 400
    open_tab(app, "Engpässe")  # the bottlenecks of the filtered view, once their tab is open
    assert len(detailed) == 1 and len(drawn["show_performance"]) == 1
    _table(app, "source", "target", "total_wait")
