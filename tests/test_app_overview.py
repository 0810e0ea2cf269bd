"""Page "Übersicht": the portfolio at a glance, scoped to what the user may see."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from process_registry import Database, upgrade_schema
from tests.app_office import (
    OTHER_DEPARTMENT,
    Office,
    make_office,
    run_page,
    static_tables,
    table,
    use_office,
)
from tests.municipal_log import BOTTLENECK, RPA_STEPS


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    return make_office(tmp_path_factory.mktemp("overview"))


def _german(number: str) -> float:
    return float(number.replace(".", "").replace(",", "."))


def test_overview_shows_the_rpa_steps_as_top_candidates(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office)
    app = run_page("overview")
    assert app.title[0].value == "Übersicht"
    top = table(app, "Wichtigster Grund")
    assert set(top["Schritt"][:2]) == set(RPA_STEPS)
    assert set(top["Empfehlung"][:2]) == {"RPA (Softwareroboter)"}
    assert all(reason for reason in top["Wichtigster Grund"])
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Prozesse"] == "8"
    assert metrics["Ereignisprotokolle"] == "1"
    assert float(metrics["Stunden/Jahr"].replace(".", "").replace(",", ".")) > 0


def test_overview_tables_are_drawn_with_the_page(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader of the overview does not wait for an interactive grid to load and paint after
    the page, nor for a Markdown renderer per cell (issue 18): every table is one piece of HTML,
    its figures right-aligned, its names not."""
    use_office(monkeypatch, office)
    app = run_page("overview")
    assert len(app.dataframe) == 0
    assert len(app.table) == 0
    tables = static_tables(app)
    assert len(tables) == 5
    waits = next(t for t in tables if "Von" in t.frame.columns)
    assert waits.figures == (
        "Wartezeit gesamt (Tage)",
        "Ø Wartezeit je Übergang (Tage)",
        "Übergänge",
        "Fälle",
    )
    candidates = next(t for t in tables if "Wichtigster Grund" in t.frame.columns)
    assert candidates.figures == ("Score", "Stunden/Jahr")


def test_overview_names_bottleneck_deviations_and_stale_data(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office)
    app = run_page("overview")
    waits = table(app, "Von")
    assert (waits["Von"][0], waits["Nach"][0]) == BOTTLENECK
    deviations = table(app, "Häufigste Abweichung")
    fitting = deviations["Fälle ohne Abweichung"][0]  # a share in German notation: "62,5 %"
    assert re.fullmatch(r"\d{1,3},\d %", fitting) and 0.0 < _german(fitting[:-2]) < 100.0
    assert deviations["Häufigste Abweichung"][0]
    freshness = table(app, "Datenstand").set_index("Prozess")
    # The generated log ends in 2024: older than the office's 180 days.
    assert freshness.loc[office.hundesteuer_name, "Datenstand"].startswith("veraltet")
    assert set(freshness["Datenstand"]) >= {"kein Protokoll"}
    assert any("180 Tagen" in w.value for w in app.warning)


def test_department_of_another_department_sees_none_of_the_hundesteuer(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office, role="department", department=OTHER_DEPARTMENT)
    app = run_page("overview")
    shown = " ".join(str(frame.value.to_dict()) for frame in app.dataframe)
    assert office.hundesteuer_name not in shown
    assert not any(step in shown for step in RPA_STEPS)
    freshness = table(app, "Datenstand")
    assert set(freshness["Fachdienst"]) == {OTHER_DEPARTMENT}


def test_empty_registry_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'pmo.sqlite3'}"
    upgrade_schema(Database(url))
    use_office(monkeypatch, Office(url, tmp_path / "daten", "", ""))
    app = run_page("overview")
    assert any("pmo demo" in info.value for info in app.info)


def test_overview_speaks_english(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    use_office(monkeypatch, office)
    app = run_page("overview", language="en")
    assert app.title[0].value == "Overview"
    assert set(table(app, "Main reason")["Step"][:2]) == set(RPA_STEPS)


def test_overview_opens_with_the_conclusions_and_explains_the_score(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office)
    app = run_page("overview")
    assert app.subheader[0].value == "Ergebnis"
    paragraph = app.info[0].value.replace("\\", "")
    assert paragraph.startswith("Zuerst angehen: (1) ")
    assert office.hundesteuer_name in paragraph
    assert any(step in paragraph for step in RPA_STEPS)
    assert "Arbeitsstunden" in paragraph and "Voraussetzungen:" in paragraph
    # The generated log ends in 2024: the office's default threshold of 180 days is passed.
    assert "älter als 180 Tage" in paragraph
    assert any(c.value.startswith("Score = 100 × (0,7 × Nutzen") for c in app.caption)


def test_the_data_age_threshold_is_the_offices_setting(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office)
    settings = office.data_dir / "arbeitsbereich.toml"
    before = settings.read_text(encoding="utf-8") if settings.exists() else None
    settings.write_text("data_age_warning_days = 100000\n", encoding="utf-8")
    try:
        app = run_page("overview")
    finally:
        if before is None:
            settings.unlink()
        else:
            settings.write_text(before, encoding="utf-8")
    assert "Achtung" not in app.info[0].value
    assert not any("Tagen" in w.value for w in app.warning)


def test_the_conclusions_follow_the_language_switch(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office)
    app = run_page("overview", language="en")
    assert app.subheader[0].value == "Conclusions"
    paragraph = app.info[0].value.replace("\\", "")
    assert paragraph.startswith("Start with: (1) ")
    assert "RPA (software robot)" in paragraph and "working hours" in paragraph
    assert any(c.value.startswith("Score = 100 × (0.7 × benefit") for c in app.caption)
