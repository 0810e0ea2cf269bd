"""Every visible string of the workspace comes from one translation table: ``app_pages/texts/``.

The table is split into one TOML file per page (``registry.toml`` → keys ``registry.*``) so pages
can be read on their own; :func:`table` merges them into one mapping and a test checks that every
key has German and English and that every key a page uses exists.

    t("registry.title")                     # "Prozessregister" / "Process registry"
    t("logs.imported", cases=412)           # str.format placeholders
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import streamlit as st

__all__ = [
    "LANGUAGES",
    "german_widgets",
    "language",
    "set_language",
    "t",
    "table",
    "uploader_note",
]

LANGUAGES = {"de": "Deutsch", "en": "English"}
_FOLDER = Path(__file__).with_name("texts")


@cache
def table() -> dict[str, dict[str, str]]:
    """``{"page.key": {"de": …, "en": …}}`` from every file in ``texts/``."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(_FOLDER.glob("*.toml")):
        with path.open("rb") as handle:
            for key, entry in tomllib.load(handle).items():
                merged[f"{path.stem}.{key}"] = entry
    return merged


def language() -> str:
    return st.session_state.get("pmo_language", "de")


def set_language(code: str) -> None:
    st.session_state["pmo_language"] = code if code in LANGUAGES else "de"


def t(key: str, **values: object) -> str:
    """The text ``key`` in the user's language (German when a translation is missing)."""
    entry = table().get(key)
    if entry is None:
        return key  # visible in the page and caught by tests/test_app_texts.py
    text = entry.get(language()) or entry["de"]
    return text.format(**values) if values else text


# Streamlit (1.67) writes a few texts of its own in English whatever the page's language: the
# uploader's button and its "200MB per file • CSV" line, and a form's "Press Enter to submit
# form". German pages replace the button's word by CSS, hide the other two and say the limit in
# a caption (uploader_note). The selectors are the test ids of the installed version's DOM;
# tests/test_browser_language.py checks them in a real Chromium.
_GERMAN_WIDGETS_CSS = """
[data-testid="stFileUploaderDropzoneInstructions"],
[data-testid="InputInstructions"] { display: none; }
[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"]
  [data-testid="stMarkdownContainer"] p { font-size: 0; }
[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"]
  [data-testid="stMarkdownContainer"] p::after { content: "%s"; font-size: 0.875rem; }
"""


def german_widgets() -> None:
    """On German pages, Streamlit's own English widget texts replaced or hidden (see above)."""
    if language() == "de":
        st.html(f"<style>{_GERMAN_WIDGETS_CSS % t('common.upload_button')}</style>")


def uploader_note(types: Sequence[str], limit_mb: int | None = None) -> None:
    """Under a file uploader on a German page: the size limit and types the hidden English
    dropzone line would have said."""
    if language() != "de":
        return
    limit = limit_mb or st.get_option("server.maxUploadSize")
    names = ", ".join(kind.upper() for kind in types)
    st.caption(t("common.upload_limit", limit=limit, types=names))
