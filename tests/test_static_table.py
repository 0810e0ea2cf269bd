"""The reading tables of the workspace (``app_pages._static_table``): one piece of HTML whose
every value is text, whatever an upload names its activities or processes."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pandas as pd
import pytest

from app_pages._static_table import FIGURE_CLASS, table_html


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.cells: list[tuple[str, str]] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("th", "td"):
            self._open, self._class = "", dict(attrs).get("class") or ""

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open += data

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._open is not None:
            self.cells.append((self._open, self._class))
            self._open = None


def _read(markup: str) -> _Markup:
    reader = _Markup()
    reader.feed(markup)
    return reader


@pytest.mark.parametrize(
    "name",
    [
        "<img src=x onerror=alert(1)>",
        "</table><script>alert(1)</script>",
        "**fett** [Link](https://example.org) `Code`",
        'Antrag "prüfen" & <bescheiden>',
    ],
)
def test_a_name_from_an_upload_is_shown_as_written(name: str) -> None:
    markup = table_html(pd.DataFrame({"Schritt": [name], "Fälle": ["1.867"]}))
    reader = _read(markup)
    assert ("Schritt", "") in reader.cells
    assert (name, "") in reader.cells
    assert not {"img", "script", "a", "strong", "code"} & set(reader.tags)


def test_figures_are_right_aligned_in_header_and_cells_and_names_are_not() -> None:
    frame = pd.DataFrame({"Prozess": ["Wohngeld", "Meldewesen"], "Fälle": ["1.867", "12"]})
    reader = _read(table_html(frame, figures=["Fälle"]))
    assert reader.cells == [
        ("Prozess", ""),
        ("Fälle", FIGURE_CLASS),
        ("Wohngeld", ""),
        ("1.867", FIGURE_CLASS),
        ("Meldewesen", ""),
        ("12", FIGURE_CLASS),
    ]
    assert f".{FIGURE_CLASS} {{ text-align: right;" in markup_style(frame)


def markup_style(frame: pd.DataFrame) -> str:
    return table_html(frame).split("</style>")[0]


def test_columns_come_in_the_order_asked_and_missing_cells_read_as_a_dash() -> None:
    frame = pd.DataFrame(
        {"Alter": [None, 12], "Prozess": ["Wohngeld", None], "Stand": [dt.date(2026, 3, 1), None]}
    )
    reader = _read(table_html(frame, order=["Prozess", "Stand", "Alter"]))
    texts = [text for text, _classes in reader.cells]
    assert texts[:3] == ["Prozess", "Stand", "Alter"]
    assert "None" not in texts and "nan" not in " ".join(texts)
    assert texts[3:5] == ["Wohngeld", "01.03.2026"]
    assert texts[5:] == ["–", "–", "–", "12"]


def test_a_figure_column_the_table_lacks_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="Fälle"):
        table_html(pd.DataFrame({"Prozess": ["Wohngeld"]}), figures=["Fälle"])
