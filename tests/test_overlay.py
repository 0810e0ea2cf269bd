"""Mined figures on the model's elements (mining.conformance.overlay) and the process map's DOT text
(mining.measures.process_map), on the sample Hundesteuer model and the generated log with known findings."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest

from mining import ImportOptions, LogStore, analyze, open_log
from mining.conformance.overlay import (
    SCALES,
    colour,
    element_figures,
    label_figures,
    unmodelled_activities,
    unplaced_activities,
)
from mining.measures.process_map import dot_string, map_dot, reduce_map
from pmo.context import process_context
from process_registry import Database, Registry, load_catalogue_folder, upgrade_schema
from tests.conftest import SAMPLE_MODELS
from tests.municipal_log import BOTTLENECK, SHARES, SKIPPED_STEP, generate_hundesteuer_log

KEY = "hundesteuer-anmeldung"
EXTRA_STEP = "Telefonische Rückfrage"  # not in the model


def _with_extra_step(path: Path) -> Path:
    """The generated log plus a phone call the model does not know, in every tenth case."""
    with path.open(encoding="cp1252", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    out = [rows[0]]
    for row in rows[1:]:
        out.append(row)
        number = int(row[0].rsplit("-", 1)[1])
        if row[1] == "Anmeldung prüfen" and number % 10 == 3:  # never a rework case (n % 5)
            out.append([row[0], EXTRA_STEP, row[2], row[3], row[4]])
    extra = path.with_name("hundesteuer_extra.csv")
    with extra.open("w", encoding="cp1252", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(out)
    return extra


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("overlay")
    db = Database(f"sqlite:///{folder / 'pmo.sqlite3'}")
    upgrade_schema(db)
    registry = Registry(db)
    load_catalogue_folder(registry, SAMPLE_MODELS, author="test")
    store = LogStore(db, folder / "daten")
    log = generate_hundesteuer_log(folder / "hundesteuer.csv")
    results = {}
    for name, path in (("plain", log), ("extra", _with_extra_step(log))):
        options = ImportOptions(process_key=KEY, attributes=("Eingangskanal",))
        log_id = store.import_file(path, uploader="test", options=options).log_id
        view = open_log(store.events_path(log_id))
        results[name] = analyze(view, process=process_context(registry, KEY))
    yield {"document": registry.get_document(KEY), **results}
    db.dispose()


def test_the_bottleneck_is_the_darkest_task_by_waiting_time(analysed: dict) -> None:
    figures = element_figures(analysed["document"], analysed["plain"], "wait")
    darkest = max(figures.values(), key=lambda f: f.value or 0)
    assert darkest.figure.label == BOTTLENECK[1]
    assert darkest.element_id == "Activity_SteuerbescheidErstellen"
    assert darkest.fill == SCALES["wait"][1]
    assert 8 < darkest.value / 86400 < 12  # about ten days, as injected
    others = [f for f in figures.values() if f is not darkest and f.value is not None]
    assert others and all(f.value < 86400 for f in others)  # every other step within hours


def test_the_skipped_step_is_marked_with_its_share(analysed: dict) -> None:
    figures = element_figures(analysed["document"], analysed["plain"], "deviation")
    skipped = figures["Activity_SteuerfallAnlegen"]
    assert skipped.figure.label == SKIPPED_STEP
    assert skipped.marker == "skipped"
    assert skipped.stroke is not None
    assert skipped.value == pytest.approx(SHARES["skip"], abs=0.01)
    assert skipped.figure.example_cases and all(
        case.startswith("HST-2024-") for case in skipped.figure.example_cases
    )
    calm = figures["Activity_HundesteuerBerechnen"]
    assert (calm.marker, calm.value, calm.fill) == (None, 0.0, SCALES["deviation"][0])


def test_frequencies_land_on_the_elements_of_their_names(analysed: dict) -> None:
    document = analysed["document"]
    figures = element_figures(document, analysed["plain"], "frequency")
    assert figures["Activity_PapieranmeldungScannen"].value == 400 * SHARES["paper"]
    assert figures["Activity_SteuerfallAnlegen"].value == 400 * (1 - SHARES["skip"])
    # The start event the system logs as an activity carries its figures too.
    assert figures["Event_HundeanmeldungEingegangen"].figure.events == 400
    kinds = {node.id: node.kind for node in document.nodes}
    assert set(figures) <= set(kinds)
    assert all(kinds[element] != "gateway" for element in figures)


def test_a_start_event_has_no_wait_and_so_no_colour(analysed: dict) -> None:
    figures = element_figures(analysed["document"], analysed["plain"], "wait")
    start = figures["Event_HundeanmeldungEingegangen"]
    assert (start.value, start.fill) == (None, None)


def test_unmodelled_activities_are_listed_not_placed(analysed: dict) -> None:
    result = analysed["extra"]
    rows = unmodelled_activities(result)
    assert [row["activity"] for row in rows] == [EXTRA_STEP]
    assert rows[0]["cases"] == 40 and rows[0]["share"] == pytest.approx(0.1)
    figures = element_figures(analysed["document"], result, "frequency")
    assert all(EXTRA_STEP not in f.figure.log_activities for f in figures.values())
    assert unplaced_activities(analysed["document"], result) == []


def test_skipped_alternatives_mark_each_alternative(analysed: dict) -> None:
    result = {
        **analysed["plain"],
        "conformance": {
            **analysed["plain"]["conformance"],
            "deviations": [
                {
                    "kind": "skipped",
                    "activity": "Steuerbescheid versenden oder Hundesteuermarke versenden",
                    "cases": 8,
                    "share": 0.02,
                    "example_cases": ["HST-2024-00001"],
                }
            ],
        },
    }
    figures = element_figures(analysed["document"], result, "deviation")
    for element in ("Activity_SteuerbescheidVersenden", "Activity_SteuermarkeVersenden"):
        assert figures[element].marker == "skipped"
        assert figures[element].figure.skipped_cases == 8


def test_steps_of_a_called_process_are_named_as_unplaced(analysed: dict) -> None:
    result = analysed["plain"]
    mapping = dict(result["conformance"]["mapping"])
    mapping["pairs"] = {**mapping["pairs"], "Gebühr berechnen": "Gebühr berechnen"}
    result = {
        **result,
        "conformance": {**result["conformance"], "mapping": mapping},
        "activity_times": [
            *result["activity_times"],
            {"activity": "Gebühr berechnen", "events": 7, "cases": 7},
        ],
    }
    unplaced = unplaced_activities(analysed["document"], result)
    assert [(f.label, f.events) for f in unplaced] == [("Gebühr berechnen", 7)]


def test_unknown_measure_is_refused(analysed: dict) -> None:
    with pytest.raises(ValueError, match="measure"):
        element_figures(analysed["document"], analysed["plain"], "speed")  # type: ignore[arg-type]


def test_colour_scale_runs_from_light_to_strong() -> None:
    assert colour("wait", 0.0) == SCALES["wait"][0]
    assert colour("wait", 1.0) == SCALES["wait"][1]
    assert colour("wait", 7.0) == SCALES["wait"][1]  # clipped
    assert re.fullmatch(r"#[0-9a-f]{6}", colour("frequency", 0.5))


def test_label_figures_without_a_model_check_use_exact_names() -> None:
    result = {
        "log": {"cases": 2},
        "activity_times": [{"activity": "A", "events": 2, "cases": 2}],
        "dfg": [],
    }
    figures = label_figures(result, ["A", "B"])
    assert list(figures) == ["A"] and figures["A"].events == 2


# --- process map ---------------------------------------------------------------------------

_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
HOSTILE = [
    'Antrag "prüfen"',
    "C:\\Temp\\N\\l",
    "Zeile eins\nZeile zwei\r\nZeile drei",
    '"]; evil -> a0 [label="x',
    "{ subgraph } // -- /* */ <b>fett</b>",
    "Steuer-Fall-Aufnahme-im-Fachverfahren-mit-sehr-langem-Namen",
]


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def _hostile_map() -> tuple[pd.DataFrame, pd.DataFrame, str]:
    counts = {name: 10 - number for number, name in enumerate(HOSTILE)}
    dfg = pd.DataFrame(
        {
            "source": HOSTILE[:-1],
            "target": HOSTILE[1:],
            "count": [5, 4, 3, 2, 1],
            "mean_wait_s": [60.0, 3600.0, None, 86400.0, 7200.0],
        }
    )
    activities, edges = reduce_map(dfg, counts, activity_share=1.0, path_share=1.0)
    dot = map_dot(
        activities,
        edges,
        measure="time",
        format_wait=lambda s: f"{s:.0f} s",
        starts={HOSTILE[0]: 3},
        ends={HOSTILE[-1]: 3},
    )
    return activities, edges, dot


def test_hostile_names_stay_inside_their_labels() -> None:
    _, _, dot = _hostile_map()
    skeleton = _QUOTED.sub('""', dot)
    statement = re.compile(
        r"\s*(?:digraph process_map \{|\}|(?:graph|node|edge) \[.*\];|"
        r'(?:a\d+|start|end)(?: -> (?:a\d+|end))? \[(?:[a-z]+="", )*[a-z]+=""\];)'
    )
    for line in skeleton.splitlines():
        assert statement.fullmatch(line), line
    labels = [_unescape(m) for m in _QUOTED.findall(dot)]
    for name in HOSTILE:
        flat = " ".join(name.split())
        assert any(" ".join(label.split()).startswith(flat) for label in labels), name


def test_dot_string_escapes_quotes_backslashes_and_line_breaks() -> None:
    assert dot_string('a"b') == '"a\\"b"'
    assert dot_string("a\\nb") == '"a\\\\nb"'  # a literal backslash-n is no line break
    assert dot_string("a\r\nb") == '"a\\nb"'
    assert dot_string("a\x00b\x1bc") == '"abc"'


def test_time_map_labels_edges_with_waits_and_skips_unknown_ones() -> None:
    _, edges, dot = _hostile_map()
    assert len(edges) == 5
    assert "60 s" in dot and "86400 s" in dot
    assert dot.count('label="–"') == 1  # the edge without a measured wait


def test_sliders_keep_the_most_frequent_activities_and_paths() -> None:
    counts = {"A": 100, "B": 80, "C": 50, "D": 5}
    dfg = pd.DataFrame(
        {
            "source": ["A", "B", "A", "C", "D"],
            "target": ["B", "C", "C", "D", "A"],
            "count": [80, 50, 20, 5, 1],
            "mean_wait_s": [1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    activities, edges = reduce_map(dfg, counts, activity_share=0.75, path_share=1.0)
    assert list(activities["activity"]) == ["A", "B", "C"]
    assert set(zip(edges["source"], edges["target"], strict=True)) == {
        ("A", "B"),
        ("B", "C"),
        ("A", "C"),
    }
    _, edges = reduce_map(dfg, counts, activity_share=0.75, path_share=0.5)
    assert list(zip(edges["source"], edges["target"], strict=True)) == [("A", "B"), ("B", "C")]
    activities, edges = reduce_map(dfg, counts, activity_share=0.0, path_share=0.0)
    assert list(activities["activity"]) == ["A"] and edges.empty
    with pytest.raises(ValueError):
        reduce_map(dfg, counts, activity_share=1.5, path_share=1.0)
    dot = map_dot(activities, edges, measure="frequency", format_wait=str)
    assert dot.count(" -> ") == 0 and 'label="A\\n100"' in dot
