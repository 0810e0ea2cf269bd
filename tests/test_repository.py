"""The repository stands on its own: what its files cite is in it.

Code comments and tests cite the design notes and the reliability catalogue by section and item
(``docs/RELIABILITY.md item 27``); a maintainer who follows such a citation must find it in the
checkout, not in a folder that only existed on the machine the project was started on.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
DESIGN = PROJECT / "docs/DESIGN.md"
CATALOGUE = PROJECT / "docs/RELIABILITY.md"

# Paths that climb out of their folder; whether they stay inside the checkout is decided per file.
_PARENT_PATH = re.compile(r"(?:\.\./)+[\w.-][\w./-]*")
# Absolute paths into someone's home or work folder; /tmp in an example command is fine.
_MACHINE_PATH = re.compile(r"(?<![\w.~/-])/(?:home|Users|root|work)/[\w.-]+")
_DOCS_PATH = re.compile(r"(?<![\w./-])docs/[\w./-]*\w")
_CONTRACT = re.compile(r"(?<![\w/])(?:DESIGN|RELIABILITY)\.md")
_RELIABILITY_CITE = re.compile(
    r"RELIABILITY(?:\.md)?[`\])]*"
    r"\s*(?:§\s*(?P<section>\d+))?"
    r"(?:,?\s*(?:and\s+)?(?:checklist\s+)?items?\s+"
    r"(?P<items>\d+(?:\s*(?:[–/,-]|and)\s*\d+)*))?"
)
_DESIGN_CITE = re.compile(r"DESIGN\.md`?,\s*\"(?P<section>[^\"]+)\"")


@cache
def _text_files() -> dict[str, str]:
    """Every tracked file that is text, by its path in the repository."""
    if shutil.which("git") is None or not (PROJECT / ".git").exists():
        pytest.skip("not a git checkout: the tracked files are unknown")
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=PROJECT, capture_output=True, check=True
    ).stdout.decode()
    texts = {}
    for name in filter(None, listed.split("\0")):
        path = PROJECT / name
        if not path.is_file():
            continue  # deleted in the working tree, not yet committed
        data = path.read_bytes()
        if b"\0" not in data[:8192]:
            texts[name] = data.decode("utf-8", errors="replace")
    return texts


def _hits(pattern: re.Pattern[str]) -> list[tuple[str, re.Match[str]]]:
    return [
        (name, match) for name, text in _text_files().items() for match in pattern.finditer(text)
    ]


def test_no_file_points_outside_the_repository() -> None:
    outside = []
    for name, match in _hits(_PARENT_PATH):
        resolved = ((PROJECT / name).parent / match[0]).resolve()
        if not resolved.is_relative_to(PROJECT) or not resolved.exists():
            outside.append(f"{name}: {match[0]}")
    outside += [f"{name}: {match[0]}" for name, match in _hits(_MACHINE_PATH)]
    assert not outside, "\n".join(outside)


def test_every_docs_path_exists() -> None:
    # Attribution files name paths in the repositories the test data came from.
    found = [
        (name, match[0])
        for name, match in _hits(_DOCS_PATH)
        if not Path(name).name.startswith("SOURCES")
    ]
    assert {path for _name, path in found} >= {"docs/DESIGN.md", "docs/RELIABILITY.md"}
    missing = [f"{name}: {path}" for name, path in found if not (PROJECT / path).exists()]
    assert not missing, "\n".join(missing)


def test_the_contracts_are_cited_by_their_place_in_docs() -> None:
    bare = [
        f"{name}: {match[0]}"
        for name, match in _hits(_CONTRACT)
        if not name.startswith("docs/")
        and _text_files()[name][max(0, match.start() - 5) : match.start()] != "docs/"
    ]
    assert not bare, "\n".join(bare)


def _numbers(items: str) -> set[int]:
    """``"5–7, 29 and 35"`` → {5, 6, 7, 29, 35}."""
    numbers: set[int] = set()
    for part in re.split(r"\s*(?:,|/|and)\s*", items):
        bounds = [int(n) for n in re.split(r"\s*[–-]\s*", part)]
        numbers.update(range(bounds[0], bounds[-1] + 1))
    return numbers


def test_every_cited_section_and_item_of_the_catalogue_exists() -> None:
    catalogue = CATALOGUE.read_text(encoding="utf-8")
    sections = {int(n) for n in re.findall(r"^## (\d+)\.", catalogue, re.MULTILINE)}
    items = {int(n) for n in re.findall(r"^\| (\d+) \|", catalogue, re.MULTILINE)}
    cited: list[tuple[str, str, int]] = []
    for name, match in _hits(_RELIABILITY_CITE):
        if match["section"]:
            cited.append((name, "§", int(match["section"])))
        if match["items"]:
            cited += [(name, "item", n) for n in sorted(_numbers(match["items"]))]
    # The citations are still found at all (a reworded comment style would slip past the regex).
    assert len({n for _name, kind, n in cited if kind == "item"}) > 20
    missing = [
        f"{name}: {kind} {n}"
        for name, kind, n in cited
        if n not in (sections if kind == "§" else items)
    ]
    assert not missing, "\n".join(missing)


def test_every_cited_section_of_the_design_exists() -> None:
    design = DESIGN.read_text(encoding="utf-8")
    headings = set(re.findall(r"^## (.+)$", design, re.MULTILINE))
    cited = _hits(_DESIGN_CITE)
    assert cited
    missing = [f"{name}: {match[0]}" for name, match in cited if match["section"] not in headings]
    assert not missing, "\n".join(missing)
