"""The workspace reads right (issue 17): every figure, day and missing value in the user's
notation on the rendered pages of the sample office — German grouping and decimal comma,
no ISO dates, never "None" or "nan"."""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.analysis_tabs import TAB_KEY, open_tab
from tests.app_office import (
    HUNDESTEUER,
    Office,
    make_office,
    run_page,
    static_tables,
    table,
    use_office,
)
from tests.municipal_log import BOTTLENECK

GERMAN_DECIMAL = re.compile(r"-?\d{1,3}(\.\d{3})*,\d")  # "44.153,1"
GERMAN_INTEGER = re.compile(r"-?\d{1,3}(\.\d{3})*")  # "294.010"
GERMAN_DAY = re.compile(r"\d\d\.\d\d\.\d{4}")
# How a missing value leaks: Python's None, pandas' NaN/NA/NaT.
LEAKS = re.compile(r"\b(None|nan|NaN|NaT)\b|<NA>")


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    return make_office(tmp_path_factory.mktemp("formats"))


def _texts(app: AppTest) -> list[str]:
    """Everything the page shows as text: tiles, table cells, messages, captions, headings."""
    texts = [f"{m.label}: {m.value}" for m in app.metric]
    frames = [f.value for f in [*app.dataframe, *app.table]] + [t.frame for t in static_tables(app)]
    for frame in frames:
        texts += [str(cell) for cell in frame.to_numpy().ravel()]
    for kind in ("markdown", "caption", "info", "warning", "success", "error", "subheader"):
        texts += [element.value for element in getattr(app, kind)]
    return texts


def _leaks(app: AppTest) -> list[str]:
    return [text for text in _texts(app) if LEAKS.search(text)]


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize(
    "page", ["overview", "analysis", "digitization", "reports", "logs", "settings"]
)
def test_no_page_shows_none_or_nan(
    office: Office, monkeypatch: pytest.MonkeyPatch, page: str, language: str
) -> None:
    use_office(monkeypatch, office)
    app = run_page(page, language=language)
    assert _texts(app), "the page showed nothing to check"
    assert _leaks(app) == []
    if page == "analysis":  # it shows the open tab only: each, as a user opens them
        for label in [tab.label for tab in app.tabs][1:]:
            opened = run_page(page, language=language, state={TAB_KEY: label})
            assert _leaks(opened) == [], label


def test_the_analysis_page_shows_no_none_and_german_waiting_times(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office)
    app = open_tab(run_page("analysis"), "Engpässe")
    assert _leaks(app) == []
    bottlenecks = table(app, "total_wait")
    assert (bottlenecks["source"].iloc[0], bottlenecks["target"].iloc[0]) == BOTTLENECK
    assert list(bottlenecks.columns)[:3] == ["source", "target", "total_wait"]
    for column in ("total_wait", "mean_wait"):
        assert all(GERMAN_DECIMAL.fullmatch(text) for text in bottlenecks[column]), column
    # The ranking column: the largest total wait first, read as the reader reads it.
    totals = [float(text.replace(".", "").replace(",", ".")) for text in bottlenecks["total_wait"]]
    assert totals == sorted(totals, reverse=True)
    assert all(GERMAN_INTEGER.fullmatch(text) for text in bottlenecks["transitions"])


def test_overview_tiles_and_tables_use_german_notation(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office)
    app = run_page("overview")
    metrics = {m.label: m.value for m in app.metric}
    assert GERMAN_INTEGER.fullmatch(metrics["Stunden/Jahr"])
    assert GERMAN_DECIMAL.fullmatch(metrics["Vollzeitstellen"])
    assert re.fullmatch(GERMAN_INTEGER.pattern + " €", metrics["Euro/Jahr"])
    waits = table(app, "Wartezeit gesamt (Tage)")
    # The ranking column sits right after the edge, before the finer figures.
    columns = list(waits.columns)
    assert columns.index("Wartezeit gesamt (Tage)") == columns.index("Nach") + 1
    assert all(GERMAN_INTEGER.fullmatch(text) for text in waits["Wartezeit gesamt (Tage)"])
    assert all(GERMAN_DECIMAL.fullmatch(t) for t in waits["Ø Wartezeit je Übergang (Tage)"])
    deviations = table(app, "Häufigste Abweichung")
    share = deviations.filter(like="Anteil").iloc[0, 0]
    assert re.fullmatch(r"\d{1,3},\d %", share), share
    freshness = table(app, "Datenstand").set_index("Prozess")
    newest = freshness.loc[office.hundesteuer_name, "Daten bis"]
    assert GERMAN_DAY.fullmatch(newest), newest
    # A process without a log: its missing cells are dashes.
    without = freshness[freshness["Datenstand"] == "kein Protokoll"]
    assert set(without["Daten bis"]) == {"–"}


def test_english_mode_uses_english_notation(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office)
    app = run_page("overview", language="en")
    metrics = {m.label: m.value for m in app.metric}
    hours = next(value for label, value in metrics.items() if "Hours" in label)
    assert re.fullmatch(r"\d{1,3}(,\d{3})*", hours), hours
    assert _leaks(app) == []


def test_a_never_restored_version_shows_a_dash_in_the_registry(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office)
    app = run_page("registry")
    app.selectbox(key="registry_selected").set_value(HUNDESTEUER).run()
    assert not app.exception
    versions = table(app, "Wiederhergestellt aus")
    assert list(versions["Wiederhergestellt aus"]) == ["–"] * len(versions)
    assert _leaks(app) == []


@pytest.mark.parametrize("page", ["analysis", "digitization"])
def test_chart_axes_use_german_separators(
    office: Office, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    use_office(monkeypatch, office)
    app = run_page(page)
    specs = [json.loads(chart.proto.spec) for chart in app.get("vega_lite_chart")]
    for label in [tab.label for tab in app.tabs][1:] if page == "analysis" else []:
        open_tab(app, label)  # the Analyse page shows the open tab only
        specs += [json.loads(chart.proto.spec) for chart in app.get("vega_lite_chart")]
    assert specs
    for spec in specs:  # d3's German locale: "2.000" on an axis, not "2,000"
        number = spec["config"]["locale"]["number"]
        assert (number["decimal"], number["thousands"]) == (",", ".")
