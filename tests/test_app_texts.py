"""The workspace's one translation table: complete in German and English, and every key a page
uses exists (a missing key would show its raw name to the user)."""

from __future__ import annotations

import re
import string

import pytest

from app_pages._i18n import table
from tests.conftest import PROJECT

_CALL = re.compile(r"""\bt\(\s*f?["']([a-z_]+\.[a-z0-9_]+)["']""")
_DYNAMIC = re.compile(r"""\bt\(\s*f["']([a-z_]+\.[a-z0-9_]*)\{""")


def _sources() -> list[tuple[str, str]]:
    pages = sorted(p for p in (PROJECT / "app_pages").glob("*.py") if p.name != "_i18n.py")
    files = [PROJECT / "app.py", *pages]
    return [(path.name, path.read_text(encoding="utf-8")) for path in files]


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_entry_has_german_and_english_with_the_same_placeholders() -> None:
    entries = table()
    assert entries, "no texts found in app_pages/texts/"
    for key, entry in entries.items():
        assert set(entry) == {"de", "en"}, key
        assert entry["de"].strip() and entry["en"].strip(), key
        assert _fields(entry["de"]) == _fields(entry["en"]), key


@pytest.mark.parametrize(("name", "source"), _sources(), ids=[n for n, _ in _sources()])
def test_every_key_a_page_uses_exists(name: str, source: str) -> None:
    missing = sorted({key for key in _CALL.findall(source) if key not in table()})
    assert not missing, f"{name} uses undefined texts: {missing}"
    for prefix in _DYNAMIC.findall(source):
        assert any(key.startswith(prefix) for key in table()), f"{name}: no texts {prefix}…"


def test_pages_do_not_hard_code_german_titles() -> None:
    # Titles and headers are the first thing a user of the English switch would see untranslated.
    literal = re.compile(r"""st\.(title|header|subheader)\(\s*["']""")
    offenders = [name for name, source in _sources() if literal.search(source)]
    assert not offenders, offenders
