"""Each line of code in its room: who may import what (README, "Layout").

The facades are the API. ``pmo/`` and ``app_pages/`` reach the libraries only through
``mining`` and ``process_registry`` themselves; the pages reach the application layer only through
``pmo``; inside ``mining`` one stage reaches another only through that stage's package; only
``process_registry`` touches the catalogue database; only ``app.py`` and ``app_pages/`` import
Streamlit. Every import is checked, also those inside functions.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import PROJECT

LIBRARIES = ("mining", "process_registry")
DATABASE_PACKAGES = ("sqlalchemy", "alembic", "psycopg", "psycopg2")


@dataclass(frozen=True)
class Import:
    path: Path
    line: int
    module: str  # the module imported from (``from m import n``) or imported (``import m``)
    names: tuple[str, ...]  # the names taken from it; empty for ``import m``

    def __str__(self) -> str:
        taken = f" import {', '.join(self.names)}" if self.names else ""
        return f"{self.path.relative_to(PROJECT)}:{self.line}: {self.module}{taken}"


def _sources(*roots: str) -> list[Path]:
    paths: list[Path] = []
    for root in roots:
        path = PROJECT / root
        paths.extend([path] if path.suffix == ".py" else sorted(path.rglob("*.py")))
    return paths


def _module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports(*roots: str) -> Iterator[Import]:
    for path in _sources(*roots):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield Import(path, node.lineno, alias.name, ())
            elif isinstance(node, ast.ImportFrom):
                names = tuple(alias.name for alias in node.names)
                yield Import(path, node.lineno, _absolute(path, node), names)


def _top(module: str) -> str:
    return module.split(".")[0]


def _facade_names(package: str) -> set[str]:
    return set(importlib.import_module(package).__all__)


def _through_facade(item: Import, facades: tuple[str, ...]) -> str | None:
    """Why ``item`` bypasses one of ``facades``, or None when it uses it as the API."""
    top = _top(item.module)
    if top not in facades:
        return None
    if item.module != top or not item.names:
        return "reaches into a submodule instead of the facade"
    unknown = sorted(set(item.names) - _facade_names(top))
    return f"uses names the facade does not export: {unknown}" if unknown else None


def test_cli_pages_and_benchmark_use_the_library_facades() -> None:
    """The benchmark measures what users call, so it keeps to the facades too."""
    offenders = [
        f"{item} — {why}"
        for item in _imports("pmo", "app_pages", "app.py", "bench")
        if (why := _through_facade(item, LIBRARIES))
    ]
    assert offenders == []


def test_pages_use_the_application_layer_through_its_facade() -> None:
    offenders = [
        f"{item} — {why}"
        for item in _imports("app_pages", "app.py")
        if (why := _through_facade(item, ("pmo",)))
    ]
    assert offenders == []


def _stage(module: str) -> str:
    """``mining.ingest.read._csv`` → ``mining.ingest``; ``mining.analysis`` → itself."""
    return ".".join(module.split(".")[:2])


def test_mining_stages_meet_only_at_their_packages() -> None:
    offenders = []
    for item in _imports("mining"):
        if _top(item.module) != "mining":
            continue
        own = _stage(_module_name(item.path))
        if item.module == "mining":
            offenders.append(
                f"{item} — the top facade is for the CLI and the pages, not for mining"
            )
        elif _stage(item.module) != own and item.module != _stage(item.module):
            offenders.append(
                f"{item} — reaches into another stage; import from {_stage(item.module)}"
            )
        elif _stage(item.module) != own:
            unknown = sorted(set(item.names) - _facade_names(item.module))
            if unknown:
                offenders.append(f"{item} — not exported by {item.module}: {unknown}")
    assert offenders == []


def test_mining_reaches_the_registry_only_through_its_facade_and_never_the_database() -> None:
    offenders = []
    for item in _imports("mining"):
        if _top(item.module) in DATABASE_PACKAGES:
            offenders.append(f"{item} — the catalogue database belongs to process_registry")
        elif _top(item.module) in ("pmo", "app_pages", "streamlit"):
            offenders.append(f"{item} — a library never imports the layers above it")
        elif why := _through_facade(item, ("process_registry",)):
            offenders.append(f"{item} — {why}")
    assert offenders == []


def test_only_the_registry_touches_the_catalogue_database() -> None:
    offenders = [
        str(item)
        for item in _imports("mining", "pmo", "app_pages", "app.py")
        if _top(item.module) in DATABASE_PACKAGES
    ]
    assert offenders == []


def test_the_registry_imports_nothing_above_it() -> None:
    offenders = [
        str(item)
        for item in _imports("process_registry")
        if _top(item.module) in ("mining", "pmo", "app_pages", "streamlit")
    ]
    assert offenders == []


@pytest.mark.parametrize("package", ["process_registry", "mining", "pmo.cli"])
def test_libraries_never_import_streamlit(package: str) -> None:
    code = f"import sys, {package}; print('streamlit' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_only_app_and_pages_import_streamlit() -> None:
    offenders = [
        str(item)
        for item in _imports("process_registry", "mining", "pmo")
        if _top(item.module) == "streamlit"
    ]
    assert offenders == []


@pytest.mark.parametrize("package", ["mining", "process_registry", "pmo"])
def test_every_facade_name_resolves(package: str) -> None:
    """A name in ``__all__`` that does not import would break only the caller that needs it."""
    facade = importlib.import_module(package)
    missing = [name for name in facade.__all__ if not hasattr(facade, name)]
    assert missing == []
