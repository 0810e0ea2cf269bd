"""Page "Digitalisierung": candidates with reasons, the matrix, and editable assumptions."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from tests.app_office import (
    OTHER_DEPARTMENT,
    Downloads,
    Office,
    make_office,
    run_page,
    table,
    use_office,
)
from tests.municipal_log import RPA_STEPS

SHARE = "digitization_a_rpa.automation_share"


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    return make_office(tmp_path_factory.mktemp("digitization"))


@pytest.fixture
def own_data(office: Office, tmp_path: Path) -> Path:
    """A copy of the data folder, for tests that save the office's assumptions."""
    return Path(shutil.copytree(office.data_dir, tmp_path / "daten"))


def _rpa_hours(app) -> dict[str, float]:  # noqa: ANN001
    frame = table(app, "Euro/Jahr")
    rpa = frame[frame["Empfehlung"] == "RPA (Softwareroboter)"]
    # The table shows German notation ("1.234,5"); the CSV download keeps the numbers.
    return dict(zip(rpa["Schritt"], map(_days, rpa["Stunden/Jahr"]), strict=True))


def test_candidates_rank_the_rpa_steps_first_with_reasons(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    downloads = Downloads(monkeypatch)
    use_office(monkeypatch, office)
    app = run_page("digitization")
    assert app.title[0].value == "Digitalisierung"
    candidates = table(app, "Euro/Jahr")
    assert set(candidates["Schritt"][:2]) == set(RPA_STEPS)
    assert {"wenige Fälle", "§ 35a"} <= set(candidates.columns)
    # No software takes over the step that decides: the form assistance for the repeated
    # "Anmeldung prüfen" sits at the intake, so no row needs the § 35a flag.
    assert "Anmeldung prüfen" not in set(candidates["Schritt"])
    assert not candidates["§ 35a"].any()
    details = " ".join(m.value for m in app.markdown).replace("\\", "")  # Markdown escapes
    assert "Häufig:" in details and "Automatisierungsanteil" in details
    assert "Ausführungen/Jahr" in set(table(app, "Messwert")["Messwert"])
    # The calculation verbatim: the formula, its inputs by name, and where each assumption came from.
    formula = "Ausführungen/Jahr × Minuten je Ausführung ÷ 60 × Automatisierungsanteil"
    assert formula in [c.value for c in app.code]
    assert "Automatisierungsanteil" in set(table(app, "Eingangsgröße")["Eingangsgröße"])
    assert "Standard" in set(table(app, "Herkunft")["Herkunft"])
    assert len(app.get("vega_lite_chart")) >= 1
    csv = downloads.data(app, "Kandidaten als CSV (Excel)").decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("Nr.;Prozess;Schritt;Empfehlung;Score")
    assert RPA_STEPS[0] in csv and RPA_STEPS[1] in csv


def test_recompute_uses_the_edited_assumptions_for_this_session(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office)
    app = run_page("digitization")
    before = _rpa_hours(app)
    app.number_input(key=SHARE).set_value(0.4)
    app.button(key="digitization_a_go").click().run()
    assert not app.exception
    after = _rpa_hours(app)
    for step in RPA_STEPS:  # default share 0.8 → 0.4 halves the estimate
        assert after[step] == pytest.approx(before[step] / 2, abs=0.1)
    assert not (office.data_dir / "annahmen.toml").exists()


def _position(app, column: str) -> int:  # noqa: ANN001
    """Where the table with ``column`` sits among the page's top-level elements."""
    for index, node in app.main.children.items():
        if node.type == "dataframe" and column in node.value.columns:
            return index
    raise AssertionError(f"no table with {column!r}")


def test_recompute_reads_the_stored_analysis_and_keeps_the_layout(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Assumptions only change the candidates: "Neu berechnen" must not analyse a log again.
    import mining.stored_analysis

    analysed: list[str] = []

    def counted(name: str):  # noqa: ANN202
        original = getattr(mining.stored_analysis, name)

        def run(view, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
            analysed.append(f"{name}: {view.path}")
            return original(view, *args, **kwargs)

        return run

    # Every part of an analysis that reads the log (figures, details, signals).
    for name in ("flow_figures", "detail_figures", "signals"):
        monkeypatch.setattr(mining.stored_analysis, name, counted(name))
    use_office(monkeypatch, office)
    app = run_page("digitization")
    before = _position(app, "Euro/Jahr")
    analysed.clear()  # the first visit of the module's office may analyse its log once
    app.number_input(key=SHARE).set_value(0.45)
    app.button(key="digitization_a_go").click().run()
    assert not app.exception
    assert any("geänderten Annahmen" in i.value for i in app.info)
    assert analysed == []
    # The note on edited assumptions takes a slot kept for it: the browser updates the table and
    # the charts below in place instead of building them anew.
    assert _position(app, "Euro/Jahr") == before


def test_a_bad_assumption_shows_the_reason_and_changes_nothing(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office)
    app = run_page("digitization")
    before = _rpa_hours(app)
    app.number_input(key=SHARE).set_value(80.0)  # meant 80 %
    app.button(key="digitization_a_go").click().run()
    assert not app.exception
    assert any("zwischen 0 und 1" in e.value for e in app.error)
    assert _rpa_hours(app) == before


def test_save_as_standard_writes_only_the_changed_keys(
    office: Office, own_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office, data_dir=own_data)
    app = run_page("digitization")
    app.number_input(key=SHARE).set_value(0.6)
    app.button(key="digitization_a_save").click().run()
    assert not app.exception
    assert app.success
    saved = tomllib.loads((own_data / "annahmen.toml").read_text(encoding="utf-8"))
    assert saved == {"rpa": {"automation_share": 0.6}}
    # A new session starts from the saved standard.
    again = run_page("digitization")
    assert again.number_input(key=SHARE).value == 0.6


def test_the_office_extends_the_verb_lexicon_and_saves_it(
    office: Office, own_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office, data_dir=own_data)
    app = run_page("digitization")
    field = app.text_area(key="digitization_a_rpa.transfer_verbs")
    field.set_value(field.value + ", abschließen")
    app.button(key="digitization_a_save").click().run()
    assert not app.exception
    saved = tomllib.loads((own_data / "annahmen.toml").read_text(encoding="utf-8"))
    assert saved["rpa"]["transfer_verbs"][-1] == "abschließen"
    assert set(saved) == {"rpa"} and set(saved["rpa"]) == {"transfer_verbs"}


def test_save_refuses_a_negative_rate_and_keeps_the_old_file(
    office: Office, own_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = "[rpa]\nautomation_share = 0.7\n"
    (own_data / "annahmen.toml").write_text(old, encoding="utf-8")
    use_office(monkeypatch, office, data_dir=own_data)
    app = run_page("digitization")
    app.number_input(key="digitization_a_rate_E9b").set_value(-71.0)
    app.button(key="digitization_a_save").click().run()
    assert not app.exception
    assert any("Stundensatz E9b" in e.value for e in app.error)
    assert (own_data / "annahmen.toml").read_text(encoding="utf-8") == old


def test_only_process_managers_may_save_the_standard(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office, role="leadership")
    app = run_page("digitization")
    keys = {b.key for b in app.button}
    assert "digitization_a_go" in keys and "digitization_a_save" not in keys


def test_another_department_sees_none_of_the_hundesteuer_candidates(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office, role="department", department=OTHER_DEPARTMENT)
    app = run_page("digitization")
    shown = " ".join(str(frame.value.to_dict()) for frame in app.dataframe)
    assert office.hundesteuer_name not in shown
    assert not any(step in shown for step in RPA_STEPS)


def test_a_standard_that_would_not_load_again_is_not_written(tmp_path: Path) -> None:
    """The last guard of "Als Standard speichern": the written file is loaded back before it
    replaces the office's file, so a value the loader refuses never becomes the standard."""
    from types import MappingProxyType

    from mining.digitization import Assumptions, AssumptionsError, load_assumptions
    from mining.digitization.overrides import save_assumptions

    office_file = tmp_path / "annahmen.toml"
    office_file.write_text("[rpa]\nautomation_share = 0.7\n", encoding="utf-8")
    sections = dict(load_assumptions().sections) | {"unbekannt": MappingProxyType({"x": 1})}
    with pytest.raises(AssumptionsError, match=r"annahmen\.toml: unbekannter Abschnitt"):
        save_assumptions(office_file, Assumptions(MappingProxyType(sections)))
    assert office_file.read_text(encoding="utf-8") == "[rpa]\nautomation_share = 0.7\n"
    assert [p.name for p in tmp_path.iterdir()] == ["annahmen.toml"]  # no temporary file left


def _days(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def test_a_scenario_of_accepted_candidates_shows_before_and_after(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office)
    app = run_page("digitization")
    accept = app.multiselect(key="scenario_accept")
    rpa = [o for o in accept.options if any(step in o for step in RPA_STEPS)]
    assert len(rpa) == 2, accept.options  # both robot steps can be accepted
    for option in rpa:
        accept.select(option)
    app.button(key="scenario_go").click().run()
    assert not app.exception
    figures = table(app, "vorher").set_index("Kennzahl")
    median = figures.loc["Durchlaufzeit Median (Tage)"]
    # The robot steps lose most of the hours before them: the cases get shorter.
    assert _days(median["nachher"]) < _days(median["vorher"])
    assert "Anteil über der Frist" not in " ".join(figures.index)  # Hundesteuer has none
    hours = next(m for m in app.metric if m.label == "Stunden/Jahr")
    assert _days(hours.value) > 0
    sources = table(app, "Quelle")
    assert "RPA: übernommener Anteil der Bearbeitungszeit" in set(sources["Messwert"])
    # Offered to the Berichte page of this session, as computed here.
    offered = app.session_state["scenario_for_report"]
    assert offered["process"] == app.selectbox(key="scenario_process").value
    assert sorted(activity for activity, _ in offered["changes"]) == sorted(RPA_STEPS)
    assert {kind for _, kind in offered["changes"]} == {"rpa"}
    assert offered["online_share"] is None


def test_a_target_online_share_moves_paper_cases(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office)
    app = run_page("digitization")
    app.toggle(key="scenario_online_on").set_value(True).run()
    app.slider(key="scenario_online_share").set_value(100).run()
    app.button(key="scenario_go").click().run()
    assert not app.exception
    lines = " ".join(m.value for m in app.markdown).replace("\\", "")
    # 40 % of the 400 generated cases arrive on paper; at 100 % online all of them move.
    assert "160 von 160 Fällen geändert" in lines
    figures = table(app, "vorher").set_index("Kennzahl")
    median = figures.loc["Durchlaufzeit Median (Tage)"]
    assert _days(median["nachher"]) < _days(median["vorher"])


def test_a_scenario_without_a_change_asks_for_one(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office)
    app = run_page("digitization")
    app.button(key="scenario_go").click().run()
    assert [w.value for w in app.warning] == [
        "Bitte mindestens einen Kandidaten übernehmen oder einen Ziel-Anteil setzen."
    ]


def test_the_matrix_labels_every_dot_and_no_two_labels_overlap(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    import pyarrow as pa
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from app_pages._matrix import FONT_SIZE, HEIGHT, WIDTH, X_MAX, overlaps

    use_office(monkeypatch, office)
    app = run_page("digitization")
    [chart] = [c for c in app.get("vega_lite_chart") if "layer" in json.loads(c.proto.spec)]
    spec = json.loads(chart.proto.spec)
    assert (spec["width"], spec["height"]) == (WIDTH, HEIGHT)  # the pixels the layout assumed
    assert spec["autosize"]["type"] == "pad"  # not squeezed to fit the column
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["rule", "circle", "text"]
    [dataset] = chart.proto.datasets
    frame = pa.ipc.open_stream(dataset.data.data).read_pandas()
    candidates = table(app, "Euro/Jahr")
    assert len(frame) == len(candidates)
    for rank, step, label in zip(frame["rank"], frame["step"], frame["label"], strict=True):
        # The rank and the step's name, or the rank alone where the spot is crowded.
        assert label == str(rank) or (
            label.startswith(f"{rank} ") and (step in label or label.endswith("…"))
        )
    # Where the chart draws each label (left edge, vertical middle), measured as the layout does.
    boxes = []
    for label, x, y in zip(frame["label"], frame["label_x"], frame["label_y"], strict=True):
        left, middle = x / X_MAX * WIDTH, HEIGHT - y * HEIGHT
        width = stringWidth(label, "Helvetica", FONT_SIZE)
        boxes.append((left, middle - FONT_SIZE / 2, left + width, middle + FONT_SIZE / 2))
    assert all(0 <= b[0] and b[2] <= WIDTH and 0 <= b[1] and b[3] <= HEIGHT for b in boxes)
    clashes = [
        (frame["label"][i], frame["label"][j])
        for i in range(len(boxes))
        for j in range(i + 1, len(boxes))
        if overlaps(boxes[i], boxes[j])
    ]
    assert clashes == []
    assert any(c.value.startswith("Score = 100 × (0,7 × Nutzen") for c in app.caption)


def test_back_to_the_standard_takes_one_click_and_shows_the_standard(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office)
    app = run_page("digitization")
    before = _rpa_hours(app)
    app.number_input(key=SHARE).set_value(0.4)
    app.button(key="digitization_a_go").click().run()
    # Right after the recompute the button is there to click, not only after another run.
    assert not app.button(key="digitization_a_reset").disabled
    app.button(key="digitization_a_reset").click().run()
    assert not app.exception and not app.warning
    assert app.number_input(key=SHARE).value == 0.8
    assert _rpa_hours(app) == before
    assert app.button(key="digitization_a_reset").disabled
