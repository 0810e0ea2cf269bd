"""The Analyse page's tabs are fragments: a map control reruns the map, never the analysis; what
changes the analysis (a filter from the map's panel) reruns the whole page.

AppTest runs the whole script on every ``run()``. The browser instead asks for a rerun of the
fragment a widget sits in; :func:`_only_fragment` makes AppTest ask the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

import pytest
from streamlit.testing.v1 import AppTest, local_script_runner

import app_pages._shared
from tests.conftest import PROJECT
from tests.municipal_log import BOTTLENECK
from tests.test_app_analysis import _workspace, use_workspace


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return _workspace(tmp_path_factory.mktemp("fragments"))


@pytest.fixture
def calls(shared: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The page's workspace; counts how often the page asked for the analysis (computed or
    served from a cache: either way the page script ran down to it)."""
    use_workspace(monkeypatch, shared)
    counted: list[int] = []
    original = app_pages._shared.cached_analysis

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        counted.append(1)
        return original(*args, **kwargs)

    # The page imports it from the module at each run of its script.
    monkeypatch.setattr(app_pages._shared, "cached_analysis", counting)
    yield counted


@contextmanager
def _only_fragment(app: AppTest, key: str) -> Iterator[None]:
    """The next ``run()`` reruns the fragment ``key`` only, as the browser asks after a widget
    inside it changed."""
    ids = app._fragment_storage.resolve_target(key)
    original = local_script_runner.RerunData
    local_script_runner.RerunData = partial(  # type: ignore[misc]
        original, fragment_id_queue=ids, is_fragment_scoped_rerun=True
    )
    try:
        yield
    finally:
        local_script_runner.RerunData = original  # type: ignore[misc]


def _map(app: AppTest) -> dict:
    found = [
        e.proto for e in app.get("bidi_component") if e.proto.component_name == "pmo.process_map"
    ]
    assert len(found) == 1
    return json.loads(found[0].json)


def _activities(app: AppTest) -> list[str]:
    return [node["activity"] for node in _map(app)["nodes"] if node["kind"] == "activity"]


def _page(log_id: str) -> AppTest:
    app = AppTest.from_file(str(PROJECT / "app_pages" / "analysis.py"), default_timeout=120)
    app.session_state["analysis_log_id"] = log_id
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_a_map_control_reruns_the_map_but_not_the_page(calls: list, shared: dict) -> None:
    app = _page(shared["log"])
    assert len(_activities(app)) == 10
    looked_up = len(calls)
    with _only_fragment(app, "analysis_map_tab"):
        app.slider(key="analysis_map_activities").set_value(50).run()
        assert not app.exception
        assert len(_activities(app)) == 5
        app.slider(key="analysis_map_activities").set_value(100)
        app.radio(key="analysis_map_measure").set_value("time").run()
    assert not app.exception
    edges = {(e.get("from"), e.get("to")): e for e in _map(app)["edges"]}
    assert edges[BOTTLENECK]["label"].endswith("Tage")
    # Not even looked up in the cache: the page script above the map did not run.
    assert len(calls) == looked_up
    app.run()  # a whole rerun asks for the analysis again (and gets it from the cache)
    assert len(calls) > looked_up


def test_a_filter_from_the_map_panel_reruns_the_whole_page(calls: list, shared: dict) -> None:
    source, target = BOTTLENECK
    app = _page(shared["log"])
    cases = app.metric[0].value
    app.session_state["analysis_map_clicked"] = {"kind": "activity", "activity": source}
    with _only_fragment(app, "analysis_map_tab"):
        app.run()  # the click on the map: the panel opens in the map's fragment
        looked_up = len(calls)
        app.button(key="analysis_map_add_filter").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.session_state["analysis_filters"] == [{"kind": "activity", "activity": source}]
    # The page ran again with the filter: the analysis was looked up for the new view.
    assert len(calls) > looked_up
    assert app.metric[0].value == cases  # every case passes the bottleneck's source
    assert "analysis_chip_0" in [b.key for b in app.button]  # the filter's chip above the tabs
