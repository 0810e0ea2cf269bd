"""Every visible string of the workspace comes from one translation table: ``app_pages/texts/``.

The table is split into one TOML file per page (``registry.toml`` → keys ``registry.*``) so pages
can be read on their own; :func:`table` merges them into one mapping and a test checks that every
key has German and English and that every key a page uses exists.

    t("registry.title")                     # "Prozessregister" / "Process registry"
    t("logs.imported", cases=412)           # str.format placeholders
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

import streamlit as st

__all__ = ["LANGUAGES", "language", "set_language", "t", "table"]

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
