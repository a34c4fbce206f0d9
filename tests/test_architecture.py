"""The layers of docs/architecture.md, held by the import graph: a pure core, a shell at the edge, a leaf engine.

Every import counts, wherever it is written (a function-level import runs too), except those under
``if TYPE_CHECKING:``, which never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "bot"

# The shell: git and the file system, caches, GitHub, rendering, the command line. Everything else is the core.
SHELL = ("bot.sources", "bot.cache", "bot.result_cache", "bot.code_identity", "bot.files", "bot.loader", "bot.github",
         "bot.report", "bot.commands", "bot.cli", "bot.__main__")
FORBIDDEN_IN_CORE = ("bot.sources", "bot.cache", "bot.code_identity", "bot.files", "bot.github", "bot.report",
                     "bot.commands", "bot.cli")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_only(node: ast.AST) -> set[int]:
    """Line numbers of the statements under ``if TYPE_CHECKING:`` blocks."""
    lines: set[int] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.If) and isinstance(child.test, ast.Name) and child.test.id == "TYPE_CHECKING":
            for statement in child.body:
                lines.update(range(statement.lineno, (statement.end_lineno or statement.lineno) + 1))
    return lines


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def imports_in(source: str, name: str, package: bool) -> set[str]:
    """The module names ``source`` (module ``name``) imports, resolved; ``from pkg import sub`` counts as ``pkg.sub``
    when that is a module of ``bot``."""
    tree = ast.parse(source)
    skip = _type_checking_only(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                parent = name if package else name.rpartition(".")[0]
                for _ in range(node.level - 1):
                    parent = parent.rpartition(".")[0]
                base = f"{parent}.{base}".rstrip(".")
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return found


def imports_of(name: str) -> set[str]:
    """The other modules of ``bot`` that module ``name`` imports."""
    found = imports_in(MODULES[name].read_text(encoding="utf-8"), name, _is_package(name))
    return {module for module in found if module in MODULES and module != name}


GRAPH = nx.DiGraph([(name, target) for name in MODULES for target in imports_of(name)])
GRAPH.add_nodes_from(MODULES)


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


CORE = sorted(name for name in MODULES if name != "bot" and not _within(name, SHELL))


def test_the_core_and_the_shell_are_both_there() -> None:
    assert {"bot.check", "bot.graph", "bot.policy.engine", "bot.manifests.models", "bot.compat.api",
            "bot.export.openlineage", "bot.export.backstage"} <= set(CORE)
    assert {"bot.sources", "bot.cli", "bot.github.client", "bot.report", "bot.code_identity",
            "bot.files"} <= set(MODULES) - set(CORE)


@pytest.mark.parametrize("module", CORE)
def test_a_core_module_imports_no_io(module: str) -> None:
    reached = nx.descendants(GRAPH, module)
    bad = sorted(target for target in reached if _within(target, FORBIDDEN_IN_CORE))
    assert not bad, f"{module} reaches the shell: {bad} (via {nx.shortest_path(GRAPH, module, bad[0])})"


def test_compat_is_a_leaf() -> None:
    for module in (name for name in MODULES if _within(name, ("bot.compat",))):
        others = sorted(t for t in GRAPH.successors(module) if not _within(t, ("bot.compat",)) and t != "bot")
        assert not others, f"{module} imports {others}: the JSON Schema engine knows nothing of modelgate"


def test_no_import_cycles() -> None:
    # A package's __init__ re-exporting its own submodules is not a cycle of concerns: leave those edges out.
    graph = GRAPH.copy()
    graph.remove_edges_from([(a, b) for a, b in GRAPH.edges if _is_package(a) and b.startswith(a + ".")])
    cycles = sorted(sorted(cycle) for cycle in nx.simple_cycles(graph))
    assert not cycles, f"import cycles: {cycles}"


def test_the_imports_are_read_as_written() -> None:
    """The reader itself: plain, relative, function-level and TYPE_CHECKING imports."""
    source = """
from typing import TYPE_CHECKING
import bot.graph
from . import consumers
from ..compat import refs
from bot.policy import finding

if TYPE_CHECKING:
    from bot.sources import Source

def late() -> None:
    from bot.result import Finding
"""
    found = imports_in(source, "bot.policy.engine", package=False)
    assert {"bot.graph", "bot.policy.consumers", "bot.compat.refs", "bot.policy", "bot.result"} <= found
    assert "bot.sources" not in found
    parent = source.replace("from . import consumers", "from .. import lint")
    assert "bot.lint" in imports_in(parent, "bot.policy.engine", package=False)


def test_no_command_imports_the_command_line_above_it() -> None:
    """``bot.cli`` builds the commands' parsers; a command that needs the parser (completion) is handed it."""
    for module in (name for name in MODULES if _within(name, ("bot.commands",))):
        assert "bot.cli" not in imports_of(module), f"{module} imports bot.cli"
