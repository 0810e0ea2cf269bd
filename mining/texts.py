"""Generated texts in German and English: a :class:`Text` is the German string with its English
twin attached, so every caller that only knows German (tests, stored snapshots, old code) keeps
working unchanged, and a caller that knows the reader's language asks for it at the end::

    reason = bi(f"{n} Fälle warten", f"{n} cases wait")
    str(reason)                        # "… Fälle warten" (German, as before)
    localized(record, "en")            # the record with every Text in English

Both languages stand side by side where the text is built, so a reviewer reads them together and a
placeholder cannot drift between a template table and the code. Joining keeps both languages
(:func:`join`); plain ``str`` operations (f-strings, ``+``) fall back to German, which is why
composed texts are built with :func:`bi` or :func:`join`.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType
from typing import Any

__all__ = [
    "LANGUAGES",
    "Text",
    "as_read",
    "bi",
    "default_language",
    "english_figures",
    "join",
    "localized",
    "pick",
    "reading",
    "reading_language",
    "tr",
]

LANGUAGES = ("de", "en")


class Text(str):
    """German text (the ``str`` value) carrying its English translation in :attr:`en`."""

    en: str

    def __new__(cls, de: str, en: str) -> Text:
        text = super().__new__(cls, de)
        text.en = str(en)
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        # Cached results (Streamlit's cache, pickled snapshots) must keep the translation.
        return (Text, (str(self), self.en))

    def __repr__(self) -> str:
        return f"Text({str(self)!r}, en={self.en!r})"

    def in_language(self, lang: str) -> str:
        return self.en if lang == "en" else str(self)


# Figures in generated texts are formatted once, in German ("1.234", "26,8", "12 %"), and the
# same string goes into both halves; the English half gets English notation here. Only the
# shapes German formatting writes are touched: a thousands dot before exactly three digits and a
# decimal comma before one or two (an English "1,234" has three digits after its comma).
_GERMAN_FIGURE = re.compile(
    r"(?<![\d.,])\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?(?![\d.,]\d)|(?<![\d.,])\d+,\d{1,2}(?![\d,])"
)


def _english_figure(match: re.Match[str]) -> str:
    return match.group(0).replace(".", "\x00").replace(",", ".").replace("\x00", ",")


def english_figures(text: str) -> str:
    """``text`` with German-formatted figures in English notation: "1.234,5" → "1,234.5"."""
    return _GERMAN_FIGURE.sub(_english_figure, text)


def bi(de: str, en: str) -> Text:
    """The text in both languages; ``de`` is what every German-only caller sees. Figures the
    English half took over in German notation are written the English way."""
    return Text(de, english_figures(en))


def pick(value: str, lang: str) -> str:
    """``value`` in ``lang``: a :class:`Text` translated, a plain string (data) unchanged."""
    return value.in_language(lang) if isinstance(value, Text) else value


def join(sep: str, parts: Iterable[str]) -> Text:
    """``sep.join(parts)`` in both languages (a plain part is the same in both)."""
    items = list(parts)
    return Text(sep.join(str(p) for p in items), sep.join(pick(p, "en") for p in items))


def default_language() -> str:
    """The language when the caller names none: ``PMO_LANGUAGE`` (de/en), else German."""
    value = os.environ.get("PMO_LANGUAGE", "de").strip().lower()
    return value if value in LANGUAGES else "de"


def localized(value: Any, lang: str) -> Any:
    """``value`` with every :class:`Text` inside (dicts, lists, tuples, dataclasses, data frames)
    replaced by its ``lang`` version; keys and everything else stay as they are."""
    if isinstance(value, Text):
        return value.in_language(lang)
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        items = {k: localized(v, lang) for k, v in value.items()}
        return MappingProxyType(items) if isinstance(value, MappingProxyType) else items
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*(localized(v, lang) for v in value))
    if isinstance(value, list | tuple):
        return type(value)(localized(v, lang) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: localized(getattr(value, f.name), lang)
            for f in dataclasses.fields(value)
            if f.init
        }
        return dataclasses.replace(value, **changes)
    if _is_frame(value):
        return value.map(lambda v: localized(v, lang) if isinstance(v, str) else v)
    return value


def _is_frame(value: Any) -> bool:
    return type(value).__name__ == "DataFrame" and hasattr(value, "map")


# The language a renderer writes in (the report's formats): set once around a whole rendering,
# so the many small label helpers need no language argument.
_READING: ContextVar[str] = ContextVar("pmo_reading_language", default="de")


@contextmanager
def reading(lang: str) -> Iterator[None]:
    """Within the block, :func:`tr` answers in ``lang``."""
    token = _READING.set(lang if lang in LANGUAGES else "de")
    try:
        yield
    finally:
        _READING.reset(token)


def tr(de: str, en: str) -> str:
    """``de`` or ``en``, whichever the surrounding :func:`reading` block writes in."""
    return en if _READING.get() == "en" else de


def as_read(value: str) -> str:
    """``value`` in the language of the surrounding :func:`reading` block."""
    return pick(value, _READING.get())


def reading_language() -> str:
    """The language of the surrounding :func:`reading` block (German outside one)."""
    return _READING.get()
