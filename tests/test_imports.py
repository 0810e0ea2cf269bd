"""What the code imports: every third-party package is declared in pyproject.toml.

A package that arrives only as another one's dependency (altair through Streamlit, numpy through
pandas) works until that package drops it or narrows its version; then a fresh install breaks
without any change here. So every top-level import of a package that is neither the standard
library nor this project must name a distribution that pyproject.toml declares: the libraries,
the CLI and the workspace in ``dependencies``; tests and the benchmark may also use the extras.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
RUNTIME = ("process_registry", "mining", "pmo", "app_pages", "app.py")
TOOLING = ("bench", "tests")


def _sources(*places: str) -> list[Path]:
    files: list[Path] = []
    for place in places:
        path = PROJECT / place
        files += [path] if path.suffix == ".py" else sorted(path.rglob("*.py"))
    return files


@cache
def _own_names() -> frozenset[str]:
    """Top-level names that are this project's own modules and packages."""
    return frozenset(
        entry.stem
        for entry in PROJECT.iterdir()
        if entry.suffix == ".py" or (entry.is_dir() and any(entry.glob("*.py")))
    )


def third_party_imports(files: list[Path]) -> dict[str, set[str]]:
    """{top-level import name: files that import it}, for every absolute import in ``files``."""
    found: dict[str, set[str]] = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.partition(".")[0]
                if top not in sys.stdlib_module_names and top not in _own_names():
                    found.setdefault(top, set()).add(str(path.relative_to(PROJECT)))
    return found


def _normalized(requirement: str) -> str:
    """The distribution name of a requirement string, normalized as PEP 503 compares them."""
    name = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    assert name, f"unreadable requirement {requirement!r}"
    return re.sub(r"[-_.]+", "-", name[0]).lower()


def _declared() -> tuple[set[str], set[str]]:
    """(distributions in ``dependencies``, those plus every optional extra)."""
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {_normalized(r) for r in project["dependencies"]}
    extras = {_normalized(r) for group in project["optional-dependencies"].values() for r in group}
    return runtime, runtime | extras


def _undeclared(imports: dict[str, set[str]], declared: set[str]) -> list[str]:
    distributions = packages_distributions()
    problems = []
    for name, files in sorted(imports.items()):
        candidates = {_normalized(d) for d in distributions.get(name, ())}
        if not candidates & declared:
            where = ", ".join(sorted(files)[:3])
            shown = "/".join(sorted(candidates)) or "no installed distribution"
            problems.append(f"{name} ({shown}), imported in {where}")
    return problems


def test_the_scan_sees_the_packages_the_code_uses() -> None:
    imports = third_party_imports(_sources(*RUNTIME, *TOOLING))
    assert {"pandas", "sqlalchemy", "streamlit", "pytest"} <= imports.keys()
    assert not {"mining", "pmo", "app_pages", "json", "tests"} & imports.keys()


def test_the_libraries_cli_and_workspace_import_only_declared_dependencies() -> None:
    runtime, _everything = _declared()
    problems = _undeclared(third_party_imports(_sources(*RUNTIME)), runtime)
    assert not problems, "declare in [project] dependencies:\n" + "\n".join(problems)


def test_tests_and_benchmark_import_only_declared_packages() -> None:
    _runtime, everything = _declared()
    problems = _undeclared(third_party_imports(_sources(*TOOLING)), everything)
    assert not problems, "declare in pyproject.toml:\n" + "\n".join(problems)
