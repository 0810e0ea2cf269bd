"""FIM Stammprozesse on the Prozessregister page (issue 16): import an XProzess file, read what the
Stammprozess says, derive a local process and keep it aligned, driven through Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages._bpmn_viewer import viewer_available
from process_registry import Database, Registry, RegistryError, upgrade_schema
from tests.conftest import PROJECT, bpmn_file
from tests.xprozess_fixture import DEFAULT_GROUPS, LEIKA, xprozess_file

STAMM = "mutterschaftsleistungen-zuschuss-zahlung"
LOCAL = "muschg-stadt"
SACHLICH_URI = "https://www.gesetze-im-internet.de/muschg_2018/__20.html"


@pytest.fixture
def workspace(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Registry:
    monkeypatch.setenv("PMO_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("PMO_DATA_DIR", str(tmp_path / "daten"))
    monkeypatch.setenv("PMO_USER", "pm.mueller")
    monkeypatch.delenv("PMO_LOCAL_ROLE", raising=False)
    monkeypatch.chdir(PROJECT)
    db = Database(sqlite_url)
    upgrade_schema(db)
    return Registry(db)


@pytest.fixture
def stamm(workspace: Registry) -> Registry:
    workspace.import_fim(xprozess_file(), source="stamm.xml", author="anna")
    return workspace


def _page(language: str = "de") -> AppTest:
    app = AppTest.from_file(str(PROJECT / "app_pages" / "registry.py"), default_timeout=120)
    app.session_state["pmo_language"] = language
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _click(app: AppTest, label: str) -> None:
    next(b for b in app.button if b.label == label).click().run()
    assert not app.exception, [e.value for e in app.exception]


def _import(app: AppTest, name: str, content: bytes) -> None:
    app.file_uploader(key="registry_fim_import_file").set_value((name, content, "text/xml"))
    _click(app, "Importieren")


def _frame(app: AppTest, column: str):  # noqa: ANN202 - a pandas DataFrame
    return next(d.value for d in app.dataframe if column in d.value.columns)


def _facts(app: AppTest) -> dict[str, str]:
    table = next(t.value for t in app.table if "FIM-Version" in set(t.value["Feld"]))
    return dict(zip(table["Feld"], table["Wert"], strict=True))


def _stamm_column(app: AppTest) -> dict[str, str]:
    """The catalogue's Stammprozess column by process key."""
    catalogue = _frame(app, "Stammprozess")
    return dict(zip(catalogue["Schlüssel"], catalogue["Stammprozess"], strict=True))


def _texts(elements) -> str:  # noqa: ANN001 - AppTest element sequences
    return "\n".join(str(e.value) for e in elements)


def test_an_import_on_the_page_lands_the_stammprozess_with_its_fim_data(
    workspace: Registry,
) -> None:
    app = _page()  # an empty registry: the import is how it starts
    _import(app, "stamm.xml", xprozess_file())
    assert not app.error, _texts(app.error)
    assert f"Neuer Eintrag „{STAMM}“" in _texts(app.success)
    assert "5 Aktivitätengruppe(n)" in _texts(app.markdown)
    assert workspace.get_process(STAMM).fim_id == LEIKA
    assert list(_frame(app, "Schlüssel")["Schlüssel"]) == [STAMM]

    assert "FIM" in [tab.label for tab in app.tabs]
    facts = _facts(app)
    assert facts["LeiKa-Leistungsschlüssel"] == LEIKA
    assert (facts["FIM-Version"], facts["FIM-Status"]) == ("1.2", "fachlich freigegeben (gold)")
    assert "(13)" in facts["Land/Länder"]
    assert "15.03.2023" in [v for k, v in facts.items() if k.startswith("Freigabe")]
    assert facts["Schlagworte"] == "Mutterschutz, Zuschuss, Arbeitgeber"
    assert f"[§ 20 MuSchG]({SACHLICH_URI})" in _texts(app.markdown)
    groups = _frame(app, "FIM-Typ")
    assert len(groups) == len(DEFAULT_GROUPS)
    row = groups[groups["Aufgabe"] == "Anspruch sachlich prüfen"].iloc[0]
    assert (row["FIM-Typ"], row["Handlungsgrundlage"], row["Link"]) == (
        "03 – Sachliche Prüfung",
        "§ 20 MuSchG",
        SACHLICH_URI,
    )
    if viewer_available():
        # The side panel's data travel with the diagram: type and legal basis of each group.
        srcdoc = app.get("iframe")[0].proto.srcdoc
        assert "Sachliche Prüfung" in srcdoc and SACHLICH_URI in srcdoc
    assert "Als XProzess exportieren" in [b.label for b in app.get("download_button")]

    _import(app, "stamm.xml", xprozess_file())
    assert "Unverändert" in _texts(app.info)
    assert len(workspace.get_process(STAMM).versions) == 1


def test_a_broken_xprozess_file_shows_the_reason_and_stores_nothing(workspace: Registry) -> None:
    truncated = b"<?xml version='1.0'?><xprozess:alleInhalte"
    app = _page()
    _import(app, "kaputt.xml", truncated)
    assert not app.exception
    # Exactly the registry's one-line message: file, line, column and what is wrong.
    with pytest.raises(RegistryError) as refused:
        workspace.import_fim(truncated, source="kaputt.xml", author="x")
    assert [e.value for e in app.error] == [str(refused.value)]
    assert str(refused.value).startswith("kaputt.xml, Zeile 1")
    assert workspace.list_processes() == []


def test_a_derived_process_asks_for_a_review_when_the_stammprozess_changes(
    stamm: Registry,
) -> None:
    app = _page()
    app.text_input(key=f"registry_derive_{STAMM}_key").set_value(LOCAL)
    app.text_input(key=f"registry_derive_{STAMM}_dept").set_value("Jugendamt")
    _click(app, "Lokalen Prozess ableiten")
    local = stamm.get_process(LOCAL)
    assert (local.derived_from, local.derived_version, local.department) == (STAMM, 1, "Jugendamt")
    # The page opens the new local process.
    assert app.selectbox(key="registry_selected").value == LOCAL
    assert f"Abgeleitet von **{STAMM}** (abgestimmt mit Version 1)" in _texts(app.markdown)
    assert "folgt dem Stammprozess unverändert" in _texts(app.success)
    assert not app.warning

    _import(app, "stamm-1.3.xml", xprozess_file(version="1.3", groups=DEFAULT_GROUPS[:4]))
    assert f"Als Version 2 von „{STAMM}“ gespeichert" in _texts(app.success)
    assert _stamm_column(app) == {STAMM: "", LOCAL: f"{STAMM} – ⚠ neue Version prüfen"}
    warnings = _texts(app.warning)
    assert "hat eine neue Version 2" in warnings and "mit Version 1 abgestimmt" in warnings
    # What changed in the Stammprozess, and where the local process now departs from it.
    removed = [t.value for t in app.table if "ID" in t.value.columns]
    assert any("sp_bescheid" in set(table["ID"]) for table in removed)

    _click(app, "Als geprüft markieren")
    assert stamm.get_process(LOCAL).derived_version == 2
    assert not app.warning, _texts(app.warning)
    assert "abgestimmt mit Version 2" in _texts(app.markdown)
    # The city keeps the step the Stammprozess dropped: its own element now, shown as added.
    assert "1 Elemente hinzugefügt, 0 entfernt" in _texts(app.markdown)
    assert any("sp_bescheid" in set(t.value["ID"]) for t in app.table if "ID" in t.value.columns)
    if viewer_available():  # the local process's diagram, and Stammprozess and local side by side
        assert len(app.get("iframe")) == 3
    assert _stamm_column(app) == {STAMM: "", LOCAL: STAMM}


def test_readers_see_the_fim_data_but_cannot_import_or_derive(
    stamm: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMO_LOCAL_ROLE", "leadership")
    app = _page()
    assert not app.file_uploader and not app.expander
    assert "Lokalen Prozess ableiten" not in [b.label for b in app.button]
    assert _facts(app)["FIM-Version"] == "1.2"


def test_without_a_leika_key_the_page_says_why_there_is_no_xprozess_export(
    workspace: Registry,
) -> None:
    workspace.add_process(
        bpmn_file("miwg-reference/A.1.0.bpmn"),
        key="ohne-leika",
        name="Ohne Leistungsschlüssel",
        department="Fachdienst Test",
        author="a",
    )
    app = _page()
    assert "Als XProzess exportieren" not in [b.label for b in app.get("download_button")]
    assert "14-stelligen LeiKa-Leistungsschlüssel" in _texts(app.caption)
    assert "FIM" not in [tab.label for tab in app.tabs]


def test_the_english_switch_translates_the_fim_parts(stamm: Registry) -> None:
    app = _page(language="en")
    assert [e.label for e in app.expander] == ["Import a FIM reference process"]
    assert "FIM" in [tab.label for tab in app.tabs]
    assert "Reference process" in _frame(app, "Key").columns
    assert any("FIM version" in set(t.value["Field"]) for t in app.table)
    assert "Derive local process" in [b.label for b in app.button]
