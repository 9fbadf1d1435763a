"""How the code is layered: imports point one way, and no module imports itself in a circle.

    feeds ← podops ← workers

`feeds` is the feed library and knows nothing of the service; `workers` adapts the service's
jobs to Celery, and nothing in `podops` imports it — except the command line, which is the
entry point that starts workers (`podops worker`, `podops serve`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.processes import REPO

PACKAGES = ("feeds", "podops", "workers")
FORBIDDEN = {"feeds": {"podops", "workers"}, "podops": {"workers"}}
# The modules that may import what their package otherwise must not, and why.
ENTRY_POINTS = {"podops/cli.py"}  # runs the worker it starts: `podops worker`


def imported_packages(package: str) -> set[tuple[str, str]]:
    """(file, top-level package) for every import anywhere in `package`, nested ones too."""
    found = set()
    for path in (REPO / package).rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            else:
                continue
            found.update((str(path.relative_to(REPO)), name.split(".")[0]) for name in names)
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_one_way(package: str) -> None:
    wrong = sorted(
        (path, name)
        for path, name in imported_packages(package)
        if name in FORBIDDEN[package] and path not in ENTRY_POINTS
    )
    assert wrong == []


def test_the_check_sees_imports() -> None:
    # The rule above would pass vacuously if the scan found nothing.
    assert ("workers/tasks.py", "podops") in imported_packages("workers")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {
        module_name(path): path for package in PACKAGES for path in (REPO / package).rglob("*.py")
    }


def load_time_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """The imports a module runs when it is loaded: module level, inside `if`/`try` blocks,
    but not under `if TYPE_CHECKING:` and not inside functions (those run when called)."""
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
                pending.extend(node.body)
            pending.extend(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                pending.extend(block)
            for handler in node.handlers:
                pending.extend(handler.body)


def import_graph() -> dict[str, set[str]]:
    """Module → the project modules it imports when loaded. `from a import b` counts as an
    import of `a.b` when that is a module, else of `a`."""
    modules = all_modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in load_time_imports(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                ]
            graph[name].update(target for target in targets if target in modules)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module, or a module importing
    itself (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
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
            if len(component) > 1 or node in graph[node]:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_in_a_circle() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    # The graph is read (the check is not vacuous), and a made-up cycle is found.
    graph = import_graph()
    assert "podops.runtime" in graph["workers.app"]
    graph["podops.settings"] = graph["podops.settings"] | {"workers.app"}
    assert any("podops.settings" in component for component in cycles(graph))
