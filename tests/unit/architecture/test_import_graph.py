"""The package import graph has no cycle.

Read with `ast`, not by importing: every `import` and `from … import` counts, inside functions
and under `TYPE_CHECKING` too (import-linter's layers see those as well, but a cycle there is
still a cycle in the design). Nodes are the first-level packages and top-level modules of
`benchstudio` (`config`, `all_models`, `app`, …); only `storage/migrations` (Alembic's env,
which imports every model) is left out.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[3] / "src"
PACKAGE = SRC / "benchstudio"
EXEMPT = ("storage", "migrations")

# Edges that another branch removes; the merge deletes this set (never add to it). Empty:
# jobs → admin (jobs/limits.py, being replaced by limits injected into the job runtime) is on
# no cycle any more; the import-linter layers contract still lists it as an ignored import.
_BEING_REMOVED: set[tuple[str, str]] = set()


def _module_name(path: Path) -> list[str]:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _imported(path: Path) -> Iterator[str]:
    """Every module name `path` imports (relative imports resolved)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            yield module
            # `from benchstudio import app` imports the module `benchstudio.app`.
            yield from (f"{module}.{alias.name}" for alias in node.names)


def _node(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "benchstudio" or len(parts) < 2:
        return None
    candidate = PACKAGE / parts[1]
    return parts[1] if candidate.is_dir() or candidate.with_suffix(".py").is_file() else None


def package_graph() -> dict[str, set[str]]:
    return {source: set(targets) for source, targets in _read_graph().items()}


@functools.cache
def _read_graph() -> dict[str, frozenset[str]]:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).parts
        if relative[: len(EXEMPT)] == EXEMPT or relative == ("__init__.py",):
            continue  # the root `__init__` holds only the version
        source = _module_name(path)[1]
        edges = graph.setdefault(source, set())
        for module in _imported(path):
            target = _node(module)
            if target is not None and target != source:
                edges.add(target)
    for source, target in _BEING_REMOVED:
        graph.get(source, set()).discard(target)
    return {source: frozenset(targets) for source, targets in graph.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_package_graph_has_no_cycle() -> None:
    graph = package_graph()
    found = cycles(graph)
    detail = [
        f"{' '.join(c)}: " + ", ".join(f"{a}→{b}" for a in c for b in sorted(graph[a]) if b in c)
        for c in found
    ]
    assert not found, "import cycles between packages:\n" + "\n".join(detail)


def test_the_graph_sees_function_level_and_type_checking_imports() -> None:
    graph = package_graph()
    assert "app" in graph["__main__"]  # imported inside a function only
    assert "jobs" in graph["cli"]  # cli/wiring.py imports jobs under TYPE_CHECKING only
    assert {"config", "all_models", "app"} <= graph.keys()


def test_a_planted_back_edge_is_a_cycle() -> None:
    graph = package_graph()
    graph["core"] = graph.get("core", set()) | {"accounts"}
    assert any({"core", "accounts"} <= set(c) for c in cycles(graph))
