"""The `po` client imports nothing of the server, so it starts fast and installs light."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support.processes import REPO

SERVER_MODULES = (
    "sqlalchemy",
    "podops.models",
    "podops.db",
    "podops.api",
    "podops.auth",
    "starlette",
    "celery",
    "boto3",
    "lxml",
)


def modules_after(statement: str) -> list[str]:
    """`sys.modules` of a fresh interpreter that ran `statement` on this tree's code."""
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    script = f"{statement}; import json, sys; print(json.dumps(sorted(sys.modules)))"
    output = subprocess.run(
        [sys.executable, "-c", script],
        env=dict(os.environ, PYTHONPATH=path),
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    modules: list[str] = json.loads(output)
    return modules


def is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_po_imports_nothing_of_the_server() -> None:
    modules = modules_after("import podops.client.cli")
    assert "podops.client.cli" in modules
    server = [m for m in modules if any(is_within(m, name) for name in SERVER_MODULES)]
    assert server == []
    podops = [m for m in modules if is_within(m, "podops")]
    assert [m for m in podops if m != "podops" and not is_within(m, "podops.client")] == []


def test_the_check_sees_server_imports() -> None:
    # The test above would pass vacuously if the subprocess saw none of them.
    modules = modules_after("import podops.auth.service_accounts")
    assert {"sqlalchemy", "podops.models", "podops.auth"} <= set(modules)


def test_po_help_leaves_the_heavy_client_libraries_for_the_commands() -> None:
    # httpx (~70 ms), rich and PyYAML are imported by the commands that use them, so
    # `po --help` stays far under its 0.3 s (benchmarks/po_startup.py).
    modules = modules_after("import podops.client.cli")
    heavy = [m for m in modules if any(is_within(m, name) for name in ("httpx", "rich", "yaml"))]
    assert heavy == []
