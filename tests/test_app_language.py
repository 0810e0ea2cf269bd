"""Every page of the navigation reads in one language: German or English, never a mix.

Each page runs on the sample office (tests/app_office.py) in both languages; every text a user
reads (headings, markdown, captions, metrics, tables, buttons, labels, messages) is collected and
searched for marker words of the other language. Names from the data (processes, activities,
departments, units, channels) are German in both modes and are taken out first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from mining.ingest.store import LogStore
from process_registry import Database, Registry
from tests.app_office import Office, make_office, run_page, static_tables, use_office

PAGES = ("overview", "registry", "logs", "analysis", "digitization", "reports", "settings")

# Words that only the other language uses in running text; each as a whole word.
MARKERS = {
    "de": (
        "der", "die", "das", "und", "nicht", "oder", "mit", "für", "ist", "sind", "Fälle",
        "Fall", "Prozess", "Wartezeit", "Durchlaufzeit", "keine", "wird", "werden", "je",
    ),
    "en": ("the", "and", "cases", "waiting", "with", "not", "is", "are", "of", "per"),
}  # fmt: skip


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    return make_office(tmp_path_factory.mktemp("sprache"))


@pytest.fixture(scope="module")
def data_names(office: Office) -> list[str]:
    """Every name the data brings in, longest first (so a name inside a name goes with it)."""
    db = Database(office.url)
    names: set[str] = set()
    try:
        registry = Registry(db)
        for process in registry.list_processes():
            names |= {process.name, process.department, process.key}
            document = registry.get_document(process.key)
            names |= {str(e) for e in _element_names(document.to_dict())}
        store = LogStore(db, office.data_dir)
        for info in store.list_logs():
            names |= {info.source_name, info.log_id}
            frame = pd.read_parquet(store.events_path(info.log_id))
            for column in frame.columns:
                if frame[column].dtype == object:
                    names |= {str(v) for v in frame[column].dropna().unique()[:500]}
    finally:
        db.dispose()
    return sorted((n for n in names if n and len(n) > 2), key=len, reverse=True)


def _element_names(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("name", "label", "lane", "pool") and isinstance(item, str):
                yield item
            else:
                yield from _element_names(item)
    elif isinstance(value, list):
        for item in value:
            yield from _element_names(item)


def _texts(app: AppTest) -> list[str]:
    """What the page shows as text, element by element."""
    out: list[str] = []
    for kind in (
        "title", "header", "subheader", "markdown", "caption", "info", "warning",
        "success", "error", "text", "code",
    ):  # fmt: skip
        out += [str(e.value) for e in app.get(kind)]
    for metric in app.metric:
        out += [str(metric.label), str(metric.value)]
    for kind in ("button", "download_button", "checkbox", "toggle", "radio", "selectbox"):
        out += [str(getattr(e, "label", "")) for e in app.get(kind)]
    for widget in (*app.selectbox, *app.radio, *app.multiselect):
        out += [str(option) for option in widget.options]  # AppTest gives them formatted
    for kind in ("expander", "tab"):
        out += [str(e.label) for e in app.get(kind)]
    for frame in app.dataframe:
        value = frame.value
        if isinstance(value, pd.DataFrame):
            # Identifier-like names are keys that column_config relabels; the user never reads them.
            out += [str(c) for c in value.columns if not re.fullmatch(r"[a-z_]+", str(c))]
            for column in value.columns:
                if value[column].dtype == object:
                    out += [str(v) for v in value[column].dropna().unique()[:200]]
    for static in static_tables(app):
        out += [str(c) for c in static.frame.columns]
        out += [str(v) for v in static.frame.to_numpy().ravel()]
    return out


def _mixed(texts: list[str], lang: str, names: list[str]) -> list[str]:
    other = "en" if lang == "de" else "de"
    words = re.compile(r"\b(" + "|".join(map(re.escape, MARKERS[other])) + r")\b")
    found = []
    for text in texts:
        plain = text
        for name in names:
            if name in plain:
                plain = plain.replace(name, " ")
        # Code, URLs and file names are not prose.
        plain = re.sub(r"`[^`]*`|https?://\S+|\S+\.(?:csv|xes|bpmn|xml|toml)\b", " ", plain)
        if words.search(plain):
            found.append(text[:160])
    return sorted(set(found))


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_page_reads_in_one_language(
    name: str, lang: str, office: Office, data_names: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office)
    app = run_page(name, language=lang)
    texts = _texts(app)
    assert texts, f"{name}: no text collected"
    assert _mixed(texts, lang, data_names) == []


def test_sidebar_speaks_the_chosen_language(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_office(monkeypatch, office)
    app = AppTest.from_file(str(Path(__file__).parents[1] / "app.py"), default_timeout=120)
    app.session_state["pmo_language"] = "en"
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    captions = [c.value for c in app.sidebar.caption]
    assert any(c.startswith("Signed in as Frau Test (Process manager)") for c in captions), captions
    assert not any("Angemeldet" in c for c in captions)
