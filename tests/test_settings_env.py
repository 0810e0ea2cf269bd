"""Every environment variable pmo reads is in the README's table, and the table lists no other.

An operator configures pmo from that table alone: a variable the code reads but the table misses
is a setting nobody can find, a row for a variable nothing reads is a setting that does nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import PROJECT

NAME = re.compile(r"\bPMO_[A-Z][A-Z0-9_]*\b")
# Where pmo reads its environment: the packages, the workspace, the benchmark, the build and CI
# scripts, and the test helpers (not the test modules, which set variables for the code above).
CODE_FOLDERS = ("process_registry", "mining", "pmo", "app_pages", "bench", "tests")
CODE_FILES = ("app.py", "Makefile", ".ci/run")


def _code_files() -> list[Path]:
    files = [PROJECT / name for name in CODE_FILES]
    for folder in CODE_FOLDERS:
        for path in sorted((PROJECT / folder).rglob("*.py")):
            if folder == "tests" and path.name.startswith("test_"):
                continue
            files.append(path)
    return files


def _mentioned_in_code() -> dict[str, set[str]]:
    """Each PMO_* name with the files that mention it."""
    found: dict[str, set[str]] = {}
    for path in _code_files():
        for name in NAME.findall(path.read_text(encoding="utf-8")):
            found.setdefault(name, set()).add(str(path.relative_to(PROJECT)))
    return found


def _read_in_code(name: str) -> bool:
    """The name as a string the code hands to the environment (``"PMO_X"``), or as a variable in
    the Makefile or a shell script (``PMO_X ?=``, ``${PMO_X…}``) — not merely in a docstring."""
    quoted = re.compile(rf"""["']{name}["']""")
    shell = re.compile(rf"(^|\s|\$\{{|\$\(){name}\b", re.MULTILINE)
    for path in _code_files():
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py" and quoted.search(text):
            return True
        if path.suffix != ".py" and shell.search(text):
            return True
    return False


def _readme_table() -> dict[str, str]:
    """The rows of the table under "### Environment variables": name → the rest of the row."""
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Environment variables", 1)[1]
    rows: dict[str, str] = {}
    in_table = False
    for line in section.splitlines():
        if line.startswith("|"):
            in_table = True
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            match = re.fullmatch(r"`(PMO_[A-Z0-9_]+)`", cells[0])
            if match:
                assert match[1] not in rows, f"{match[1]} has two rows"
                rows[match[1]] = " | ".join(cells[1:])
        elif in_table:
            break  # the one table ends at the first line that is not a row
    return rows


def test_every_variable_the_code_reads_is_in_the_readme_table() -> None:
    table = _readme_table()
    missing = {name: files for name, files in _mentioned_in_code().items() if name not in table}
    assert missing == {}


def test_every_row_of_the_table_is_read_and_says_what_it_means() -> None:
    table = _readme_table()
    assert {"PMO_DATA_DIR", "PMO_DATABASE_URL", "PMO_RETENTION_DAYS"} <= set(table)
    assert [name for name in table if not _read_in_code(name)] == []
    for name, rest in table.items():
        meaning, default = rest.split(" | ")
        assert meaning and default, name
