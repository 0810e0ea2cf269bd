"""The Analyse page's case explorer, filters and mapping confirmation, as a process manager uses
them (issue 14, items 1, 2 and 7), on the generated Hundesteuer log whose cases are known by
construction (tests/municipal_log.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app_pages._analysis_common import plain
from app_pages._analysis_selection import as_filter
from app_pages._auth import User
from mining import (
    ImportOptions,
    LogStore,
    deviation_cases,
    filter_attribute,
    get_cases,
    get_variants,
    open_log,
)
from process_registry import (
    Database,
    Registry,
    RegistryError,
    load_catalogue_folder,
    local_date,
    upgrade_schema,
)
from tests.analysis_tabs import find_in_tabs, find_table, open_tab
from tests.app_office import (
    Downloads,
    Office,
    as_numbers,
    make_office,
    page_analysis,
    run_page,
    use_office,
)
from tests.conftest import SAMPLE_MODELS
from tests.municipal_log import BOTTLENECK, SKIPPED_STEP, generate_hundesteuer_log

KEY = "hundesteuer-anmeldung"
PAPER = "Papieranmeldung scannen"
# The second bottleneck: every case that does not skip SKIPPED_STEP passes it (300 of 400).
EDGE = (SKIPPED_STEP, BOTTLENECK[0])
BOM = b"\xef\xbb\xbf"


def _skipping(number: int) -> bool:
    return number % 4 == 1  # as generate_hundesteuer_log skips SKIPPED_STEP


def _case(number: int) -> str:
    return f"HST-2024-{number:05d}"


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    return make_office(tmp_path_factory.mktemp("faelle"))


@pytest.fixture
def page(office: Office, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    use_office(monkeypatch, office)
    yield run_page("analysis")


def _events_view(office: Office):  # noqa: ANN202 - a LogView
    db = Database(office.url)
    store = LogStore(db, office.data_dir)
    [info] = store.list_logs()
    view = open_log(store.events_path(info.log_id))
    db.dispose()
    return view


def _run(app: AppTest) -> AppTest:
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _select(app: AppTest, label: str):  # noqa: ANN202 - a Selectbox
    # In whichever tab shows it, as a user finds it.
    return find_in_tabs(
        app, lambda a: next((s for s in a.selectbox if s.label == label), None), label
    )


def _button(app: AppTest, label: str):  # noqa: ANN202 - a Button
    return next(b for b in app.button if b.label == label)


def _table(app: AppTest, *columns: str) -> pd.DataFrame:
    return find_table(app, *columns)  # opens the tab that shows it


def _case_table(app: AppTest) -> pd.DataFrame:
    return _table(app, "case", "start", "end", "duration", "events", "variant")


def _counts(app: AppTest) -> list[str]:
    return [m.value for m in app.markdown if m.value.startswith("**") and " Fälle**" in m.value]


def _cases_metric(app: AppTest) -> str:
    return next(m.value for m in app.metric if m.label == "Fälle")


def _chips(app: AppTest) -> list[str]:
    return [b.label for b in app.button if b.label.endswith(" ✕")]


def test_clicking_a_bottleneck_opens_exactly_its_cases(page: AppTest) -> None:
    bottlenecks = _table(page, "source", "target", "total_wait")
    row = next(
        i
        for i, pair in enumerate(zip(bottlenecks["source"], bottlenecks["target"], strict=True))
        if pair == EDGE
    )
    expected = int(bottlenecks["cases"].iloc[row])
    # A click on the table row, as the browser reports it.
    page.session_state["analysis_rows_bottlenecks"] = {"selection": {"rows": [row]}}
    _run(page)
    assert _select(page, "Fälle anzeigen: Übergang").value == row  # the box follows the click
    assert _counts(page) == [f"**{expected} Fälle** – {plain(f'Übergang {EDGE[0]} → {EDGE[1]}')}"]
    cases = _case_table(page)
    assert expected == 300 and len(cases) == expected
    assert set(cases["case"]) == {_case(n) for n in range(400) if not _skipping(n)}
    assert list(as_numbers(cases["duration"])) == sorted(
        as_numbers(cases["duration"]), reverse=True
    )
    variants = _table(page, "sequence", "cases")
    assert set(cases["variant"]) <= set(variants["number"])
    # Choosing nothing in the box closes the list again.
    _select(page, "Fälle anzeigen: Übergang").set_value(None)
    _run(page)
    assert not _counts(page)


def test_a_chosen_row_stays_open_when_working_time_reorders_the_rows(page: AppTest) -> None:
    def edges() -> list[tuple[str, str]]:
        table = _table(page, "source", "target", "total_wait")
        return list(zip(table["source"], table["target"], strict=True))

    edge = ("Steuerbescheid versenden", "Sollstellung buchen")
    before = edges().index(edge)
    _select(page, "Fälle anzeigen: Übergang").set_value(before)
    _run(page)
    label = f"– {plain(f'Übergang {edge[0]} → {edge[1]}')}"
    assert _counts(page)[0].endswith(label)
    switch = page.toggle(key="analysis_working_time")
    switch.set_value(not switch.value)
    _run(page)
    after = edges().index(edge)
    assert after != before  # office hours rank this wait differently
    assert _select(page, "Fälle anzeigen: Übergang").value == after
    assert _counts(page)[0].endswith(label)


def test_a_case_shows_its_steps_with_the_waits_between_them(page: AppTest) -> None:
    _select(page, "Fälle anzeigen: Übergang").set_value(0)  # the bottleneck itself
    _run(page)
    cases = _case_table(page)
    assert len(cases) == 400
    longest = cases["case"].iloc[0]
    _select(page, "Verlauf des Falls").set_value(0)
    _run(page)
    steps = _table(page, "step", "activity", "time", "wait")
    assert BOTTLENECK[0] in list(steps["activity"])
    assert steps["wait"].iloc[0] == ""  # the first step has no step before it
    after = list(steps["activity"]).index(BOTTLENECK[1])
    assert steps["wait"].iloc[after].endswith("Tage")  # the ten-day wait of the bottleneck
    assert list(steps["time"]) == sorted(steps["time"])
    assert steps["time"].iloc[0] == cases["start"].iloc[0]
    assert steps["time"].iloc[-1] == cases["end"].iloc[0]
    assert any(longest.replace("-", "\\-") in m.value for m in page.markdown)
    # Who worked on a step is never shown.
    assert not any("Sachbearbeitung" in str(df.value.to_dict()) for df in page.dataframe)


def test_the_csv_download_holds_the_cases_for_german_excel(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office)
    downloads = Downloads(monkeypatch)
    app = run_page("analysis")
    _select(app, "Fälle anzeigen: Aktivität").set_value(
        list(_table(app, "activity", "events", "kind")["activity"]).index(PAPER)
    )
    _run(app)
    assert _counts(app)[0].startswith("**160 Fälle**")
    data = downloads.data(app, "Fälle als CSV herunterladen")
    assert data.startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(data[len(BOM) :].decode("utf-8")), delimiter=";"))
    paper = {_case(n) for n in range(400) if n % 10 < 4}
    assert {row["Fall"] for row in rows} == paper and len(rows) == 160
    assert all("," in row["Durchlaufzeit (Tage)"] for row in rows)  # decimal comma
    assert rows[0]["Beginn"][2] == "." and rows[0]["Beginn"][5] == "."  # dd.mm.yyyy


def test_an_edge_filter_changes_the_figures_and_removing_its_chip_restores_them(
    page: AppTest,
) -> None:
    assert _cases_metric(page) == "400" and not _chips(page)
    _select(page, "Fälle anzeigen: Übergang").set_value(1)
    _run(page)
    page.button(key="analysis_add_filter_bottlenecks").click()
    _run(page)
    assert _cases_metric(page) == "300"
    assert _chips(page) == [f"{plain(f'Direkt gefolgt: {EDGE[0]} → {EDGE[1]}')} ✕"]
    assert page.session_state["analysis_filters"] == [
        {"kind": "follows", "source": EDGE[0], "target": EDGE[1]}
    ]
    assert not _counts(page)  # the list belonged to the view before the filter
    # Every figure is of the filtered cases: no case skips the step any more.
    deviations = _table(page, "kind", "activity", "examples")
    assert SKIPPED_STEP not in set(deviations["activity"][deviations["kind"] == "ausgelassen"])
    _button(page, _chips(page)[0]).click()
    _run(page)
    assert _cases_metric(page) == "400" and not _chips(page)
    assert page.session_state["analysis_filters"] == []


def test_a_deviation_opens_as_many_cases_as_it_counts(page: AppTest, office: Office) -> None:
    deviations = _table(page, "kind", "activity", "examples")
    row = list(deviations["activity"]).index(SKIPPED_STEP)
    _select(page, "Fälle anzeigen: Abweichung").set_value(row)
    _run(page)
    expected = int(deviations["cases"].iloc[row])
    assert _counts(page)[0].startswith(f"**{expected} Fälle**")
    listed = set(_case_table(page)["case"])
    assert listed == {_case(n) for n in range(400) if _skipping(n)}
    # The library's answer for the same deviation of the same analysis.
    result = page_analysis(page.session_state["analysis_log_id"], process_key=KEY, version=1)
    view = _events_view(office)
    theirs = deviation_cases(view, result["conformance"], "skipped", SKIPPED_STEP)
    assert {row.case for row in theirs.cases} == listed and theirs.total == expected


def test_a_variant_opens_its_cases_and_becomes_a_filter(page: AppTest) -> None:
    variants = _table(page, "number", "cases", "sequence")
    # The variants explorer: open variant 2, then its "Fälle anzeigen".
    page.selectbox(key="analysis_variant").set_value(1)
    _run(page)
    page.button(key="analysis_variant_show_cases").click()
    _run(page)
    assert page.session_state["analysis_selection"] == {"kind": "variant", "numbers": [2]}
    assert _counts(page) == [f"**{variants['cases'].iloc[1]} Fälle** – Variante 2"]
    cases = _case_table(page)
    assert len(cases) == int(variants["cases"].iloc[1]) and set(cases["variant"]) == {"2"}
    page.button(key="analysis_add_filter_variants").click()
    _run(page)
    assert _cases_metric(page) == str(variants["cases"].iloc[1])
    assert _chips(page) == ["Varianten\\: 2 ✕"]
    # The selection named variant 2 of the view before the filter: it is closed, not reread.
    assert "analysis_selection" not in page.session_state and not _counts(page)


def test_the_element_clicked_on_the_map_shows_its_cases(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office)
    edge = {"kind": "edge", "source": BOTTLENECK[0], "target": BOTTLENECK[1]}
    app = run_page("analysis", state={"analysis_selection": edge})
    label = plain(f"Übergang {BOTTLENECK[0]} → {BOTTLENECK[1]}")
    assert _counts(app) == [f"**400 Fälle** – {label}"]
    app.session_state["analysis_selection"] = {"kind": "activity", "activity": PAPER}
    _run(app)
    assert _counts(app)[0].startswith("**160 Fälle**")
    # "Als Filter hinzufügen" of the case list narrows the page to these cases.
    app.button(key="analysis_add_filter_map").click()
    _run(app)
    assert _cases_metric(app) == "160"
    # The same dict the map's own button writes, so that one finds it already set.
    selected = {"kind": "activity", "activity": PAPER}
    assert app.session_state["analysis_filters"] == [as_filter(selected)]
    assert "analysis_selection" not in app.session_state  # made in the view before the filter
    app.session_state["analysis_filters"] = []
    app.session_state["analysis_selection"] = selected
    _run(app)
    assert _counts(app)[0].startswith("**160 Fälle**")
    _button(app, "Auswahl schließen").click()
    _run(app)
    assert not _counts(app) and "analysis_selection" not in app.session_state
    # A selection the map component got wrong is named, not a traceback.
    app.session_state["analysis_selection"] = {"kind": "edge", "source": PAPER}
    _run(app)
    assert any("unvollständig" in e.value for e in app.error)


def test_filters_the_map_appends_apply_as_chips(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office)
    filters = [{"kind": "activity", "activity": PAPER, "present": True}]
    app = run_page("analysis", state={"analysis_filters": filters})
    assert _cases_metric(app) == "160"
    assert _chips(app) == [f"Mit Aktivität\\: {PAPER} ✕"]
    app.session_state["analysis_filters"] = [{**filters[0], "present": False}]
    _run(app)
    assert _cases_metric(app) == "240"


def _add(app: AppTest, kind: str) -> None:
    app.radio(key="analysis_add_kind").set_value(kind)
    _run(app)


def test_each_filter_kind_can_be_added_from_the_form(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office)
    app = run_page("analysis")
    view = _events_view(office)

    _add(app, "attribute")
    app.selectbox(key="analysis_add_attribute_column").set_value("Eingangskanal")
    _run(app)
    app.multiselect(key="analysis_add_attribute_Eingangskanal").set_value(["Papier"])
    _run(app)
    _button(app, "Filter anwenden").click()
    _run(app)
    assert _cases_metric(app) == "160"
    assert _chips(app) == ["Eingangskanal\\: Papier ✕"]
    expected = get_cases(filter_attribute(view, "Eingangskanal", ["Papier"])).total
    assert expected == 160

    _add(app, "duration")
    app.number_input(key="analysis_add_min").set_value(15.0)
    _run(app)
    _button(app, "Filter anwenden").click()
    _run(app)
    long_paper = [
        row
        for row in get_cases(filter_attribute(view, "Eingangskanal", ["Papier"])).cases
        if row.duration_s >= 15 * 86400
    ]
    assert 0 < len(long_paper) < 160
    assert _cases_metric(app) == str(len(long_paper))
    assert len(_chips(app)) == 2

    _button(app, "Alle Filter entfernen").click()
    _run(app)
    assert _cases_metric(app) == "400" and not _chips(app)

    _add(app, "endpoints")
    assert _button(app, "Filter anwenden").disabled  # nothing chosen yet
    app.multiselect(key="analysis_add_ends").set_value(["Sollstellung buchen"])
    _run(app)
    _button(app, "Filter anwenden").click()
    _run(app)
    assert _cases_metric(app) == "400"  # every case ends with it
    assert _chips(app) == ["Endet mit\\: Sollstellung buchen ✕"]


def test_a_period_filter_says_what_it_counts(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office)
    app = run_page("analysis")
    captions = [c.value for c in app.caption]
    assert "Gezählt: " + plain("Alle Fälle des Protokolls (kein Zeitraum gewählt)") in captions
    _add(app, "period")
    app.radio(key="analysis_add_period_mode").set_value("started")
    app.date_input(key="analysis_add_period_from").set_value(dt.date(2024, 2, 1))
    app.date_input(key="analysis_add_period_to").set_value(dt.date(2024, 2, 29))
    _button(app, "Filter anwenden").click()
    _run(app)
    sentence = "Gezählt: " + plain(
        "Fälle, die im Zeitraum 01.02.2024–29.02.2024 begonnen haben (erstes Ereignis darin)"
    )
    assert sentence in [c.value for c in app.caption]
    started = get_cases(_events_view(office)).cases
    in_february = [
        row
        for row in started
        if dt.date(2024, 2, 1) <= local_date(row.start) <= dt.date(2024, 2, 29)
    ]
    assert 0 < len(in_february) < 400
    assert _cases_metric(app) == str(len(in_february))

    _add(app, "endpoints")
    app.multiselect(key="analysis_add_ends").set_value(["Sollstellung buchen"])
    _run(app)
    _button(app, "Filter anwenden").click()
    _run(app)
    narrowed = "Gezählt: " + plain(
        "Fälle, die im Zeitraum 01.02.2024–29.02.2024 begonnen haben (erstes Ereignis darin), "
        "eingeschränkt durch 1 Filter: Endet mit: Sollstellung buchen"
    )
    assert narrowed in [c.value for c in app.caption]


def test_removing_a_chip_keeps_the_variants_of_a_later_variant_filter(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office)
    view = _events_view(office)
    paper = filter_attribute(view, "Eingangskanal", ["Papier"])
    wanted = tuple(get_variants(paper, examples=0)["activities"].iloc[0])
    overall = [tuple(a) for a in get_variants(view, examples=0)["activities"]]
    number = overall.index(wanted) + 1
    assert number != 1  # otherwise the test could not tell renumbering from none
    filters = [
        {"kind": "attribute", "column": "Eingangskanal", "values": ["Papier"]},
        {"kind": "variant", "numbers": [1]},
    ]
    app = run_page("analysis", state={"analysis_filters": filters})
    kept = _cases_metric(app)
    _button(app, _chips(app)[0]).click()
    _run(app)
    assert app.session_state["analysis_filters"] == [{"kind": "variant", "numbers": [number]}]
    assert _cases_metric(app) == kept


def test_a_broken_filter_is_named_and_can_be_removed(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office)
    filters = [{"kind": "attribute", "column": "Farbe", "values": ["rot"]}]
    app = run_page("analysis", state={"analysis_filters": filters})
    assert _cases_metric(app) == "400"  # not applied
    assert any("Filter 1 wird nicht angewendet" in w.value for w in app.warning)
    assert any("Farbe" in w.value for w in app.warning)
    _button(app, "Ungültiger Filter ✕").click()
    _run(app)
    assert not any("nicht angewendet" in w.value for w in app.warning)
    assert app.session_state["analysis_filters"] == []


def test_a_filter_leaving_no_case_keeps_its_chip_to_remove_it(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office)
    filters = [
        {"kind": "activity", "activity": PAPER, "present": True},
        {"kind": "activity", "activity": PAPER, "present": False},
    ]
    app = run_page("analysis", state={"analysis_filters": filters})
    assert app.error and len(_chips(app)) == 2
    _button(app, "Alle Filter entfernen").click()
    _run(app)
    assert not app.error and _cases_metric(app) == "400"


def test_a_department_never_receives_another_departments_case_list(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/RELIABILITY.md item 27 for the case explorer's cached loaders."""
    from app_pages._analysis_cases import Explorer

    use_office(monkeypatch, office)
    db = Database(office.url)
    log_id = LogStore(db, office.data_dir).list_logs()[0].log_id
    db.dispose()
    spec = {"kind": "activity", "activity": PAPER}
    owner = Explorer(log_id, office.hundesteuer_department, None, None, None, "[]")
    assert owner.cases(spec)[0].total == 160  # cached now
    other = Explorer(log_id, "Fachdienst Wohnen", None, None, None, "[]")
    with pytest.raises(PermissionError):
        other.cases(spec)
    with pytest.raises(PermissionError):
        other.trace(_case(0))
    with pytest.raises(PermissionError):
        other.attribute_values("Eingangskanal")


# -- confirming a mapping of an unmodelled activity ----------------------------------------------

RENAMED = "Sollstellung im Kassenverfahren buchen"  # the log's name for "Sollstellung buchen"


@pytest.fixture
def renamed_office(tmp_path: Path) -> Office:
    """An office whose log calls one model step by another name: an unmodelled activity."""
    url = f"sqlite:///{tmp_path / 'pmo.sqlite3'}"
    db = Database(url)
    upgrade_schema(db)
    registry = Registry(db)
    load_catalogue_folder(registry, SAMPLE_MODELS, author="demo")
    log = generate_hundesteuer_log(tmp_path / "hundesteuer.csv")
    text = log.read_text(encoding="cp1252").replace("Sollstellung buchen", RENAMED)
    log.write_text(text, encoding="cp1252")
    LogStore(db, tmp_path / "daten").import_file(
        log, uploader="test", options=ImportOptions(process_key=KEY)
    )
    record = registry.get_process(KEY)
    db.dispose()
    return Office(url, tmp_path / "daten", record.name, record.department)


def _unmodelled(app: AppTest) -> list[str]:
    open_tab(app, "Modell und Realität")
    tables = [
        df.value
        for df in app.dataframe
        if {"activity", "cases", "share", "suggestion"} <= set(df.value.columns)
    ]
    return list(tables[0]["activity"]) if tables else []


def test_confirming_a_mapping_removes_the_unmodelled_activity(
    renamed_office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, renamed_office)
    app = run_page("analysis")
    assert _unmodelled(app) == [RENAMED]
    assert _select(app, "Aktivität des Protokolls").value == RENAMED
    step = _select(app, "Entspricht dem Modellschritt")
    assert "Sollstellung buchen" in step.options
    step.set_value("Sollstellung buchen")
    _button(app, "Zuordnung bestätigen").click()
    _run(app)
    assert _unmodelled(app) == []
    assert any("Zuordnung gespeichert" in s.value for s in app.success)
    deviations = _table(app, "kind", "activity", "examples")
    assert "Sollstellung buchen" not in set(deviations["activity"])  # no longer "skipped"
    db = Database(renamed_office.url)
    registry = Registry(db)
    assert registry.activity_mapping(KEY, 1) == {RENAMED: "Sollstellung buchen"}
    # A step the model lacks is refused by name, before anything is saved.
    from app_pages._analysis_model import confirm_mapping

    office_user = User("Frau Test", "process_manager")
    with pytest.raises(RegistryError, match="Kassenbuch"):
        confirm_mapping(registry, office_user, KEY, 1, "X", "Kassenbuch", ["Sollstellung buchen"])
    assert registry.activity_mapping(KEY, 1) == {RENAMED: "Sollstellung buchen"}
    db.dispose()


def test_a_department_cannot_confirm_a_mapping(
    renamed_office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(
        monkeypatch,
        renamed_office,
        role="department",
        department=renamed_office.hundesteuer_department,
    )
    app = run_page("analysis")
    assert _unmodelled(app) == [RENAMED]
    assert "Zuordnung bestätigen" not in [b.label for b in app.button]
    assert any("bestätigt das Prozessmanagement" in c.value for c in app.caption)

    from app_pages._analysis_model import confirm_mapping

    db = Database(renamed_office.url)
    registry = Registry(db)
    clerk = User("Herr Test", "department", renamed_office.hundesteuer_department)
    with pytest.raises(PermissionError):
        confirm_mapping(
            registry, clerk, KEY, 1, RENAMED, "Sollstellung buchen", ["Sollstellung buchen"]
        )
    assert registry.activity_mapping(KEY, 1) == {}
    db.dispose()
