"""Imports point one way: feeds ← podops ← workers. Nothing imports workers."""

from __future__ import annotations

import ast

import pytest

from tests.support.processes import REPO

FORBIDDEN = {"feeds": {"podops", "workers"}, "podops": {"workers"}}


def imported_packages(package: str) -> set[tuple[str, str]]:
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
        (path, name) for path, name in imported_packages(package) if name in FORBIDDEN[package]
    )
    assert wrong == []


def test_the_check_sees_imports() -> None:
    # The rule above would pass vacuously if the scan found nothing.
    assert ("workers/tasks.py", "podops") in imported_packages("workers")
