"""A small office for the workspace page tests: the sample registry and one Hundesteuer log.

Each page test module builds it once (it takes a few seconds) and points a test's environment at
it with :func:`use_office`; a page then runs on its own under Streamlit's AppTest.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from mining.ingest.pipeline import ImportOptions
from mining.ingest.store import LogStore
from process_registry import Database, Registry, load_catalogue_folder, upgrade_schema
from tests.conftest import PROJECT, SAMPLE_MODELS
from tests.municipal_log import generate_hundesteuer_log

HUNDESTEUER = "hundesteuer-anmeldung"
OTHER_DEPARTMENT = "Fachdienst Tiefbau"  # owns the Sondernutzung sample, not the Hundesteuer


@dataclass(frozen=True)
class Office:
    url: str
    data_dir: Path
    hundesteuer_name: str
    hundesteuer_department: str


def make_office(folder: Path, *, with_log: bool = True) -> Office:
    url = f"sqlite:///{folder / 'pmo.sqlite3'}"
    db = Database(url)
    upgrade_schema(db)
    registry = Registry(db)
    load_catalogue_folder(registry, SAMPLE_MODELS, author="demo")
    data_dir = folder / "daten"
    if with_log:
        log = generate_hundesteuer_log(folder / "hundesteuer.csv", service_times=True)
        LogStore(db, data_dir).import_file(
            log,
            uploader="test",
            options=ImportOptions(process_key=HUNDESTEUER, attributes=("Eingangskanal",)),
        )
    record = registry.get_process(HUNDESTEUER)
    db.dispose()
    return Office(url, data_dir, record.name, record.department)


def use_office(
    monkeypatch: pytest.MonkeyPatch,
    office: Office,
    *,
    role: str = "process_manager",
    department: str | None = None,
    data_dir: Path | None = None,
) -> None:
    monkeypatch.setenv("PMO_DATABASE_URL", office.url)
    monkeypatch.setenv("PMO_DATA_DIR", str(data_dir or office.data_dir))
    monkeypatch.setenv("PMO_USER", "Frau Test")
    monkeypatch.setenv("PMO_LOCAL_ROLE", role)
    if department:
        monkeypatch.setenv("PMO_LOCAL_DEPARTMENT", department)
    else:
        monkeypatch.delenv("PMO_LOCAL_DEPARTMENT", raising=False)
    monkeypatch.delenv("PMO_ROLES_FILE", raising=False)
    monkeypatch.chdir(PROJECT)


def run_page(
    name: str, *, language: str | None = None, state: dict[str, object] | None = None
) -> AppTest:
    """Run ``app_pages/<name>.py`` once, with ``state`` in the session; it must not raise."""
    app = AppTest.from_file(str(PROJECT / "app_pages" / f"{name}.py"), default_timeout=120)
    if language:
        app.session_state["pmo_language"] = language
    for key, value in (state or {}).items():
        app.session_state[key] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def table(app: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page that has ``column``, as the reader sees it: an interactive
    grid (``st.dataframe``), a reading table drawn as HTML (:func:`static_tables`), or an
    ``st.table`` (whose cells are Markdown) without the escapes."""
    for frame in app.dataframe:
        if column in frame.value.columns:
            return frame.value
    for static in static_tables(app):
        if column in static.frame.columns:
            return static.frame
    for markdown in app.table:
        if column in markdown.value.columns:
            return markdown.value.replace(r"\\(.)", r"\1", regex=True)
    raise StopIteration(column)


@dataclass(frozen=True)
class StaticTable:
    """A reading table of the page (``app_pages._static_table``): its text as shown, and the
    columns drawn as figures (right-aligned)."""

    frame: pd.DataFrame
    figures: tuple[str, ...]


class _TableReader(HTMLParser):
    """The tables of an HTML text: per table, per row, (text, classes) of each cell."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[tuple[str, str]]]] = []
        self._cell: list[str] | None = None
        self._classes = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("th", "td"):
            self._cell, self._classes = [], dict(attrs).get("class") or ""

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._cell is not None:
            self.tables[-1][-1].append(("".join(self._cell), self._classes))
            self._cell = None


def static_tables(app: AppTest) -> list[StaticTable]:
    """The page's reading tables drawn as HTML, in the order of the page."""
    found = []
    for element in app.get("html"):
        reader = _TableReader()
        reader.feed(element.proto.body)
        for rows in reader.tables:
            header, *body = rows
            names = [text for text, _classes in header]
            frame = pd.DataFrame([[text for text, _c in row] for row in body], columns=names)
            # A figure column is right-aligned in its header and in every one of its cells.
            figures = tuple(
                name
                for index, name in enumerate(names)
                if all("pmo-figure" in row[index][1].split() for row in rows)
            )
            found.append(StaticTable(frame, figures))
    return found


def as_numbers(column: pd.Series) -> pd.Series:
    """A table column shown in German notation ("1.234,5", "25,0 %", "–" when missing) as the
    numbers it shows: the pages format figures as text (Streamlit knows no decimal comma)."""

    def read(text: str) -> float | None:
        text = text.removesuffix(" %").replace(".", "").replace(",", ".")
        return None if text == "–" else float(text)

    return pd.Series([read(text) for text in column], index=column.index, dtype="Float64")


class Downloads:
    """The files behind the download buttons: Streamlit keeps them in an in-memory store that
    AppTest discards after each run, so the test keeps its own reference to every file added,
    and to the function of every file made only when it is downloaded (``data=callable``)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.files: dict[str, bytes] = {}
        self.deferred: dict[str, Callable[[], bytes | str]] = {}
        original = MemoryMediaFileStorage.load_and_get_id
        original_deferred = MediaFileManager.add_deferred

        def keep(storage, path_or_data, mimetype, kind, filename=None):  # noqa: ANN001
            file_id = original(storage, path_or_data, mimetype, kind, filename)
            self.files[file_id] = storage.get_file(file_id).content
            return file_id

        def keep_deferred(manager, data_callable, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
            file_id = original_deferred(manager, data_callable, *args, **kwargs)
            self.deferred[file_id] = data_callable
            return file_id

        monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
        monkeypatch.setattr(MediaFileManager, "add_deferred", keep_deferred)

    def is_deferred(self, app: AppTest, label: str) -> bool:
        """Whether the button's file is made only when the user downloads it."""
        return bool(self._button(app, label).proto.deferred_file_id)

    def data(self, app: AppTest, label: str) -> bytes:
        """The file the button downloads; one made on download is made now, as a click does."""
        proto = self._button(app, label).proto
        if proto.deferred_file_id:
            data = self.deferred[proto.deferred_file_id]()
            return data.encode() if isinstance(data, str) else data
        return self.files[Path(proto.url).stem]

    @staticmethod
    def _button(app: AppTest, label: str):  # noqa: ANN205
        return next(b for b in app.get("download_button") if b.label == label)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def page_analysis(
    log_id: str, scope: str = "*", *, process_key: str | None = None, version: int | None = None
) -> dict:
    """The Analyse page's analysis of a whole log as the page asks for it (no filters, calendar
    time, minimum group size 5, the shipped assumptions)."""
    from app_pages._shared import cached_analysis

    return cached_analysis(
        log_id,
        scope,
        process_key=process_key,
        version=version,
        date_from=None,
        date_to=None,
        top_variants=None,
        working_time=False,
        min_group_size=5,
        assumptions_path=None,
        assumptions_mtime=None,
    )
