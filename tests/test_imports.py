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


# --- import cycles --------------------------------------------------------------------------------


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Every import that runs: at module level and inside functions (a deferred import that
    closes a cycle still is one), but not under ``if TYPE_CHECKING:``, which never runs."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph(files: list[Path], root: Path = PROJECT) -> dict[str, set[str]]:
    """{module: the modules among ``files`` it imports}. ``from package import name`` points at
    the submodule ``package.name`` where there is one, else at the package."""
    modules = {_module_name(path, root): path for path in files}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names if alias.name in modules}
                continue
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            for alias in node.names:
                if f"{base}.{alias.name}" in modules:
                    targets.add(f"{base}.{alias.name}")
                elif base in modules:
                    targets.add(base)
        graph[name] = targets - {name}
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return cycles


def test_the_cycle_finder_finds_a_deferred_cycle(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from .b import helper\n")
    (package / "b.py").write_text("def helper():\n    from pkg.a import x\n")
    (package / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import a\n"
    )
    graph = import_graph(sorted(package.glob("*.py")), tmp_path)
    assert graph["pkg.c"] == set()
    assert import_cycles(graph) == [["pkg.a", "pkg.b"]]


def test_the_project_modules_import_each_other_without_cycles() -> None:
    graph = import_graph(_sources(*RUNTIME, "bench"))
    assert {"pmo._sample_logs", "mining.digitization.overrides"} <= graph.keys()
    cycles = import_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" ↔ ".join(group) for group in cycles)
