"""The Analyse page as a user meets it, on the generated Hundesteuer log with known findings."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import mining.analysis
from app_pages import _process_map_view as map_view
from app_pages._analysis_common import plain
from mining import ImportOptions, LogStore
from mining.measures.calendar import land_holidays
from process_registry import Database, Registry, load_catalogue_folder, upgrade_schema
from tests.analysis_tabs import find_table, open_tab
from tests.app_office import as_numbers
from tests.conftest import PROJECT, SAMPLE_MODELS
from tests.municipal_log import BOTTLENECK, REWORK_STEP, SKIPPED_STEP, generate_hundesteuer_log
from tests.test_deadline import BERLIN, reference
from tests.test_trends import CASE, CHANNEL, TIME
from tests.test_trends import reference as trend_reference

KEY = "hundesteuer-anmeldung"
TAXES = "Fachdienst Steuern und Abgaben"  # the department of KEY in bpmn_models/catalogue.json
LOGS = PROJECT / "tests" / "data" / "logs"


def _workspace(folder: Path, **catalogue: object) -> dict[str, str]:
    url = f"sqlite:///{folder / 'pmo.sqlite3'}"
    db = Database(url)
    upgrade_schema(db)
    registry = Registry(db)
    load_catalogue_folder(registry, SAMPLE_MODELS, author="test")
    if catalogue:
        record = registry.get_process(KEY)
        registry.update_process(KEY, catalogue, expected_revision=record.revision, actor="test")
    store = LogStore(db, folder / "daten")
    csv = generate_hundesteuer_log(folder / "hundesteuer.csv")
    options = ImportOptions(process_key=KEY, attributes=("Eingangskanal",))
    hundesteuer = store.import_file(csv, uploader="test", options=options).log_id
    # A second, newer log without a process: the page's default choice.
    other = store.import_file(LOGS / "running-example.csv", uploader="test").log_id
    db.dispose()
    return {"url": url, "data": str(folder / "daten"), "log": hundesteuer, "other": other}


def use_workspace(monkeypatch: pytest.MonkeyPatch, workspace: dict[str, str]) -> None:
    """Point the page at ``workspace`` (from :func:`_workspace`) as an office-wide local user."""
    monkeypatch.setenv("PMO_DATABASE_URL", workspace["url"])
    monkeypatch.setenv("PMO_DATA_DIR", workspace["data"])
    monkeypatch.setenv("PMO_USER", "test")
    monkeypatch.delenv("PMO_LOCAL_ROLE", raising=False)
    monkeypatch.delenv("PMO_LOCAL_DEPARTMENT", raising=False)
    monkeypatch.chdir(PROJECT)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return _workspace(tmp_path_factory.mktemp("analyse"))


@pytest.fixture
def workspace(shared: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    use_workspace(monkeypatch, shared)
    yield shared


def _page(log_id: str | None = None) -> AppTest:
    app = AppTest.from_file(str(PROJECT / "app_pages" / "analysis.py"), default_timeout=120)
    if log_id is not None:
        app.session_state["analysis_log_id"] = log_id  # how other pages link here
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _table(app: AppTest, *columns: str) -> pd.DataFrame:
    return find_table(app, *columns)  # opens the tab that shows it


def _component(app: AppTest, name: str) -> dict:
    """The data a custom component of the page was given (what the browser draws)."""
    found = [e.proto for e in app.get("bidi_component") if e.proto.component_name == name]
    assert len(found) == 1, f"{len(found)} components {name}"
    return json.loads(found[0].json)


def _map(app: AppTest) -> dict:
    return _component(app, "pmo.process_map")


def _labels(app: AppTest, kind: str = "nodes") -> list[str]:
    return [element["label"] for element in _map(app)[kind]]


def _activities(app: AppTest) -> list[str]:
    return [node["activity"] for node in _map(app)["nodes"] if node["kind"] == "activity"]


def test_the_newest_log_is_chosen_and_an_unlinked_log_has_no_model_tab(workspace: dict) -> None:
    app = _page()
    assert app.selectbox(key="analysis_log_choice").value == workspace["other"]
    assert [tab.label for tab in app.tabs] == [
        "Prozesslandkarte",
        "Varianten",
        "Engpässe",
        "Entwicklung",
    ]
    assert "register request" in _activities(app)
    assert not app.get("graphviz_chart")  # the front-end is installed: the interactive map


def test_process_map_and_variants_of_a_linked_log(workspace: dict) -> None:
    app = _page(workspace["log"])
    assert app.selectbox(key="analysis_log_choice").value == workspace["log"]
    assert app.metric[0].value == "400"
    drawn = _map(app)
    assert len(_activities(app)) == 10 and BOTTLENECK[1] in _activities(app)
    ids = {node["id"] for node in drawn["nodes"]}
    assert {"start", "end"} <= ids
    assert all(edge["source"] in ids and edge["target"] in ids for edge in drawn["edges"])
    bottleneck = next(e for e in drawn["edges"] if (e.get("from"), e.get("to")) == BOTTLENECK)
    assert bottleneck["label"] == "400"  # frequency view: every case passes it once
    open_tab(app, "Varianten")
    variants = _table(app, "sequence", "cases")
    cases = as_numbers(variants["cases"])
    assert len(variants) == 27 and cases.sum() == 400
    assert list(cases) == sorted(cases, reverse=True)
    app.selectbox(key="analysis_variant").set_value(1).run()
    steps = _table(app, "step", "activity")
    assert " → ".join(steps["activity"]) == variants["sequence"].iloc[1]


def test_the_variants_explorer_shows_throughput_times_and_steps_as_chips(workspace: dict) -> None:
    app = open_tab(_page(workspace["log"]), "Varianten")
    explorer = _component(app, "pmo.variants")
    rows = explorer["rows"]
    table = _table(app, "sequence", "median", "p90")
    assert [row["number"] for row in rows] == list(range(1, 28))
    assert explorer["selected"] == 1
    first = rows[0]
    assert first["figures"].startswith(f"{table['cases'].iloc[0]} Fälle")
    assert "Median" in first["figures"] and "P90" in first["figures"]
    assert 0 < as_numbers(table["median"]).iloc[0] <= as_numbers(table["p90"]).iloc[0]
    chips = [step["activity"] for step in first["steps"]]
    # Runs of one step become one chip; otherwise the chips are the sequence.
    assert [a for i, a in enumerate(chips) if i == 0 or chips[i - 1] != a] == chips
    assert " → ".join(chips) == table["sequence"].iloc[0]
    # Every activity keeps one colour across the variants.
    colours: dict[str, str] = {}
    for row in rows:
        for step in row["steps"]:
            assert colours.setdefault(step["activity"], step["colour"]) == step["colour"]


def test_a_variant_becomes_the_selection_or_a_filter(workspace: dict) -> None:
    app = _page(workspace["log"])
    cases = _table(app, "sequence", "median", "p90")["cases"].iloc[2]
    app.selectbox(key="analysis_variant").set_value(2).run()
    assert _component(app, "pmo.variants")["selected"] == 3
    app.button(key="analysis_variant_show_cases").click().run()
    assert app.session_state["analysis_selection"] == {"kind": "variant", "numbers": [3]}
    app.button(key="analysis_variant_add_filter").click().run()
    assert app.session_state["analysis_filters"] == [{"kind": "variant", "numbers": [3]}]
    # The filter applies: the page shows variant 3's cases, and in that view it is the only,
    # so first, variant.
    assert app.metric[0].value == str(cases)
    assert _component(app, "pmo.variants")["selected"] == 1
    assert not app.exception


def test_a_clicked_edge_opens_a_panel_that_sets_the_selection_and_a_filter(
    workspace: dict,
) -> None:
    app = AppTest.from_file(str(PROJECT / "app_pages" / "analysis.py"), default_timeout=120)
    app.session_state["analysis_log_id"] = workspace["log"]
    # What the browser sends back after a click on the bottleneck's arrow.
    source, target = BOTTLENECK
    app.session_state["analysis_map_clicked"] = {"kind": "edge", "source": source, "target": target}
    app.run()
    assert not app.exception
    assert any(source in m.value and target in m.value for m in app.markdown)
    chosen = [e for e in _map(app)["edges"] if e["id"] == _map(app)["selected"]]
    assert [(e["from"], e["to"]) for e in chosen] == [BOTTLENECK]
    app.button(key="analysis_map_add_filter").click().run()
    assert app.session_state["analysis_filters"] == [
        {"kind": "follows", "source": source, "target": target}
    ]
    app.button(key="analysis_map_show_cases").click().run()
    assert app.session_state["analysis_selection"] == {
        "kind": "edge",
        "source": source,
        "target": target,
    }
    app.button(key="analysis_map_close").click().run()
    assert _map(app)["selected"] is None
    assert "analysis_map_add_filter" not in [b.key for b in app.button]


def test_a_forged_click_selects_nothing(workspace: dict) -> None:
    app = AppTest.from_file(str(PROJECT / "app_pages" / "analysis.py"), default_timeout=120)
    app.session_state["analysis_log_id"] = workspace["log"]
    app.session_state["analysis_map_clicked"] = {"kind": "activity", "activity": "Gibt es nicht"}
    app.run()
    assert not app.exception
    assert _map(app)["selected"] is None
    assert "analysis_filters" not in app.session_state


def test_without_the_front_end_the_map_is_a_static_picture(
    workspace: dict, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(map_view, "NODE_MODULES", tmp_path)
    app = _page(workspace["log"])
    charts = app.get("graphviz_chart")
    assert len(charts) == 1 and BOTTLENECK[1] in charts[0].proto.spec
    assert not [e for e in app.get("bidi_component") if e.proto.component_name == "pmo.process_map"]
    assert any("make install" in c.value for c in app.caption)


def test_sliders_filter_the_map_without_recomputing(
    workspace: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    original = mining.analysis.analyze

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(mining.analysis, "analyze", counted)
    app = _page(workspace["log"])
    before = len(calls)
    assert len(_activities(app)) == 10
    app.slider(key="analysis_map_activities").set_value(50).run()
    assert len(_activities(app)) == 5
    app.slider(key="analysis_map_activities").set_value(100)
    app.radio(key="analysis_map_measure").set_value("time").run()
    edges = {(e.get("from"), e.get("to")): e for e in _map(app)["edges"]}
    # The bottleneck's wait of about ten days labels its arrow, the reddest of the map.
    assert edges[BOTTLENECK]["label"].endswith("Tage")
    assert edges[BOTTLENECK]["heat"] == max(e["heat"] for e in edges.values()) == 1.0
    app.radio(key="analysis_map_measure").set_value("cases").run()
    assert not app.exception
    assert len(calls) == before


def test_the_bottleneck_rework_and_channels_are_shown(workspace: dict) -> None:
    app = _page(workspace["log"])
    bottlenecks = _table(app, "source", "target", "total_wait")
    assert (bottlenecks["source"].iloc[0], bottlenecks["target"].iloc[0]) == BOTTLENECK
    assert 8 < as_numbers(bottlenecks["mean_wait"]).iloc[0] < 12  # days
    assert app.get("vega_lite_chart")  # the bar chart of waiting times
    rework = _table(app, "activity", "extra", "lost")
    assert rework["activity"].iloc[0] == REWORK_STEP and rework["share"].iloc[0] == "20,0 %"
    channels = _table(app, "channel", "rework")
    assert dict(zip(channels["channel"], channels["cases"], strict=True)) == {
        "Online": "240",
        "Papier": "160",
    }


def test_the_trends_tab_charts_the_months_and_weeks_of_the_log(
    workspace: dict, tmp_path: Path
) -> None:
    # The log the workspace imported, counted with pandas in Berlin time.
    source = generate_hundesteuer_log(tmp_path / "hundesteuer.csv")
    with source.open(encoding="cp1252", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    frame = pd.DataFrame(
        {
            CASE: [row["Aktenzeichen"] for row in rows],
            TIME: [_berlin(row["Zeitpunkt"]).isoformat() for row in rows],
            CHANNEL: [row["Eingangskanal"] for row in rows],
        }
    )
    app = _page(workspace["log"])
    assert "Entwicklung" in [tab.label for tab in app.tabs]
    for unit in ("month", "week"):
        if unit == "week":
            app.radio(key="analysis_trend_period").set_value("week").run()
        expected = trend_reference(frame, unit, paper={"Papier"})
        shown = _table(app, "period", "started", "completed", "in_progress")
        assert list(shown["period"]) == list(expected["period"])
        for column in ("started", "completed", "in_progress"):
            assert list(as_numbers(shown[column])) == list(expected[column]), column
        median = expected["median_duration_s"] / 86400
        assert as_numbers(shown["median"]).to_numpy(float, na_value=float("nan")) == pytest.approx(
            median.to_numpy(), abs=0.06, nan_ok=True
        )
        paper = expected["paper_share"] * 100
        shown_paper = as_numbers(shown["paper"]).to_numpy(float, na_value=float("nan"))
        assert shown_paper == pytest.approx(paper.to_numpy(), abs=0.06, nan_ok=True)
    titles = [h.value for h in app.subheader]
    assert "Eingang, Erledigung und offene Fälle" in titles and "Papiereingang" in titles
    specs = [json.loads(chart.proto.spec) for chart in app.get("vega_lite_chart")]
    trends = [s for s in specs if s.get("encoding", {}).get("x", {}).get("field") == "start"]
    assert len(trends) == 3  # cases, throughput time, paper; no deadline without one
    # German numbers and month names on the axes.
    for spec in trends:
        locale = spec["config"]["locale"]
        assert locale["number"]["decimal"] == "," and "März" in locale["time"]["months"]


def test_model_and_reality_lists_the_skipped_step(workspace: dict) -> None:
    app = _page(workspace["log"])
    assert [tab.label for tab in app.tabs][-1] == "Modell und Realität"
    deviations = _table(app, "kind", "activity", "examples")
    skipped = deviations[deviations["activity"] == SKIPPED_STEP]
    assert list(skipped["kind"]) == ["ausgelassen"]
    assert skipped["share"].iloc[0] == "25,0 %"
    assert skipped["examples"].iloc[0].startswith("HST-2024-")
    figures = _table(app, "activity", "events", "deviation")
    row = figures[figures["activity"] == SKIPPED_STEP]
    assert (row["events"].iloc[0], row["deviation"].iloc[0]) == ("300", "25,0 %")
    app.radio(key="analysis_model_measure").set_value("wait").run()
    assert not app.exception


def test_an_invalid_date_range_is_refused(workspace: dict) -> None:
    app = _page(workspace["log"])
    app.date_input[0].set_value(dt.date(2024, 3, 1))
    app.date_input[1].set_value(dt.date(2024, 2, 1)).run()
    assert not app.exception
    assert any("ungültig" in error.value for error in app.error)
    assert not app.get("bidi_component")


def test_a_date_range_narrows_the_cases(workspace: dict) -> None:
    app = _page(workspace["log"])
    app.date_input[0].set_value(dt.date(2024, 3, 1)).run()
    assert not app.error
    assert 0 < int(app.metric[0].value) < 400


def test_a_filter_leaving_too_few_people_is_refused(workspace: dict) -> None:
    # The log names twelve clerks; an office minimum of 20 makes any filtered selection too small.
    settings = Path(workspace["data"]) / "arbeitsbereich.toml"
    settings.write_text("min_group_size = 20\n", encoding="utf-8")
    try:
        app = _page(workspace["log"])
        assert not app.error  # the whole log is the process, not a group of people
        app.date_input[0].set_value(dt.date(2024, 2, 1)).run()
        assert not app.exception
        assert any("Mindestgruppengröße" in error.value for error in app.error)
    finally:
        settings.unlink()


def test_another_department_sees_no_log(workspace: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMO_LOCAL_ROLE", "department")
    monkeypatch.setenv("PMO_LOCAL_DEPARTMENT", "Fachdienst Bürgerservice")
    app = _page(workspace["log"])  # even a link to the log shows nothing
    assert not app.selectbox
    assert any("kein Ereignisprotokoll" in info.value for info in app.info)
    assert not app.get("bidi_component")


def test_the_department_of_the_process_sees_its_log(
    workspace: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMO_LOCAL_ROLE", "department")
    monkeypatch.setenv("PMO_LOCAL_DEPARTMENT", TAXES)
    app = _page()
    choice = app.selectbox(key="analysis_log_choice")
    assert (choice.value, len(choice.options)) == (workspace["log"], 1)
    assert _table(app, "source", "target", "total_wait")["target"].iloc[0] == BOTTLENECK[1]


def _berlin(text: str) -> dt.datetime:
    """A wall-clock time of the log in Berlin; one in the spring gap moves to 03:00, as the
    importer moves it."""
    naive = dt.datetime.strptime(text, "%d.%m.%Y %H:%M")
    aware = naive.replace(tzinfo=BERLIN)
    if aware.astimezone(dt.UTC).astimezone(BERLIN).replace(tzinfo=None) != naive:
        aware = naive.replace(hour=3, minute=0, tzinfo=BERLIN)
    return aware


def test_a_legal_deadline_shows_where_its_clock_runs_and_the_cases_over_and_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    start, stop = "Nachweis für Steuervergünstigung prüfen", "Steuerbescheid versenden"
    workspace = _workspace(
        tmp_path, legal_deadline_days=12, deadline_starts_with=start, deadline_ends_with=stop
    )
    monkeypatch.setenv("PMO_DATABASE_URL", workspace["url"])
    monkeypatch.setenv("PMO_DATA_DIR", workspace["data"])
    monkeypatch.chdir(PROJECT)
    with (tmp_path / "hundesteuer.csv").open(encoding="cp1252", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    log: dict[str, list[tuple[str, dt.datetime]]] = {}
    for row in rows:
        log.setdefault(row["Aktenzeichen"], []).append(
            (row["Tätigkeit"], _berlin(row["Zeitpunkt"]))
        )
    figures = reference(log, 12, start, stop).figures(12)
    assert 0 < figures["over"] < figures["cases"] < 400  # the figures straddle the deadline
    assert figures["not_started"] == 400 - figures["cases"]

    app = open_tab(_page(workspace["log"]), "Engpässe")
    assert any(h.value == "Gesetzliche Frist (12 Tage)" for h in app.subheader)
    metrics = {m.label: m.value for m in app.metric}
    share = figures["over"] / figures["cases"] * 100
    assert metrics["Über der Frist"] == f"{share:.1f} %".replace(".", ",")
    assert metrics["Fälle mit Fristbeginn"] == str(figures["cases"])
    assert metrics["Knapp davor (ab 9,6 Tagen)"] == (
        f"{figures['close'] / figures['cases'] * 100:.1f} %".replace(".", ",")
    )
    captions = " ".join(c.value for c in app.caption)
    assert f"Fristbeginn: letztes „{plain(start)}“ im Fall" in captions
    assert f"Fristende: erstes „{plain(stop)}“ nach dem Fristbeginn" in captions
    assert any(f"{figures['not_started']} Fälle ohne" in i.value for i in app.info)
    assert any(str(figures["over"]) in w.value for w in app.warning)
    # The trends tab shows the share over the deadline per month.
    open_tab(app, "Entwicklung")
    assert any(h.value == "Über der gesetzlichen Frist (12 Tage)" for h in app.subheader)
    months = _table(app, "period", "started", "deadline")
    assert as_numbers(months["deadline"]).max() > 0
    assert "Feiertag (Niedersachsen)" in captions  # the shipped Land

    # The office chooses Bavaria on Einstellungen: its holidays end the deadlines now.
    (Path(workspace["data"]) / "arbeitsbereich.toml").write_text(
        'holiday_calendar = "BY"\n', encoding="utf-8"
    )
    years = {moment.year for steps in log.values() for _, moment in steps}
    bavaria = reference(
        log, 12, start, stop, holidays=set(land_holidays("BY", range(min(years), max(years) + 2)))
    ).figures(12)
    app = open_tab(_page(workspace["log"]), "Engpässe")
    assert "Feiertag (Bayern)" in " ".join(c.value for c in app.caption)
    metrics = {m.label: m.value for m in app.metric}
    share = bavaria["over"] / bavaria["cases"] * 100
    assert metrics["Über der Frist"] == f"{share:.1f} %".replace(".", ",")


def test_a_broken_model_comparison_still_shows_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = _workspace(tmp_path)
    db = Database(workspace["url"])
    # A confirmed pair whose model step was renamed since: the comparison must say so.
    Registry(db).save_activity_mapping(KEY, 1, {"Anmeldung prüfen": "Antrag prüfen"}, actor="t")
    db.dispose()
    monkeypatch.setenv("PMO_DATABASE_URL", workspace["url"])
    monkeypatch.setenv("PMO_DATA_DIR", workspace["data"])
    monkeypatch.chdir(PROJECT)
    app = _page(workspace["log"])
    assert _table(app, "source", "target", "total_wait")["target"].iloc[0] == BOTTLENECK[1]
    # The comparison is made when its tab is open, and says there why it is not possible.
    open_tab(app, "Modell und Realität")
    assert any("Modellvergleich ist nicht möglich" in e.value for e in app.error)
