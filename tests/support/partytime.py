"""Read a feed with podcast-partytime, the Podcast Index parser (npm), from the Python tests.

`tests/js` is a small Node project pinning podcast-partytime; `tests/js/parse-feed.mjs` reads a
feed on stdin and prints what partytime found as JSON (its header comment lists the keys).

    ensure_partytime_installed()        # once per session: `npm ci` if node_modules is missing
    found = parse_with_partytime(xml)   # {"partytime", "warnings", "channel", "items"}
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
JS_PROJECT = REPO / "tests" / "js"
SCRIPT = JS_PROJECT / "parse-feed.mjs"
PACKAGE = "podcast-partytime"

PARSE_TIMEOUT = 30.0
INSTALL_TIMEOUT = 300.0

INSTALL_HINT = (
    "the podcast-partytime tests need Node.js (18 or later) with npm on PATH: install them "
    "(e.g. `apt-get install nodejs npm`, or from https://nodejs.org/), then run "
    "`npm ci` in tests/js"
)


class PartytimeError(RuntimeError):
    """partytime could not be installed or run, or could not parse the feed."""


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise PartytimeError(f"`{name}` not found on PATH; {INSTALL_HINT}")
    return path


def pinned_version() -> str:
    """The exact podcast-partytime version `tests/js/package.json` pins."""
    manifest = json.loads((JS_PROJECT / "package.json").read_text(encoding="utf-8"))
    version = manifest["dependencies"][PACKAGE]
    assert isinstance(version, str)
    return version


def installed_version() -> str | None:
    """The podcast-partytime version in `tests/js/node_modules`, or None if it is not there."""
    manifest = JS_PROJECT / "node_modules" / PACKAGE / "package.json"
    try:
        version = json.loads(manifest.read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return None
    return version if isinstance(version, str) else None


def ensure_partytime_installed() -> None:
    """Run `npm ci` in tests/js unless the pinned podcast-partytime is already installed.

    A fresh checkout has no node_modules; a stale one (after the pin changed) is replaced.
    Raises PartytimeError naming what to install when node or npm is missing, or with npm's
    output when the install fails.
    """
    _tool("node")
    if installed_version() == pinned_version():
        return
    npm = _tool("npm")
    command = [npm, "ci", "--no-audit", "--no-fund"]
    try:
        done = subprocess.run(
            command,
            cwd=JS_PROJECT,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise PartytimeError(
            f"`npm ci` in {JS_PROJECT} did not finish within {INSTALL_TIMEOUT:.0f}s "
            "(is the npm registry reachable?)"
        ) from error
    if done.returncode != 0:
        raise PartytimeError(
            f"`npm ci` in {JS_PROJECT} failed with exit code {done.returncode}:\n"
            f"{done.stdout}{done.stderr}"
        )
    if installed_version() != pinned_version():
        raise PartytimeError(
            f"`npm ci` in {JS_PROJECT} succeeded but {PACKAGE} {pinned_version()} is not in "
            "node_modules: package-lock.json and package.json disagree"
        )


def parse_with_partytime(xml: bytes) -> dict[str, Any]:
    """What podcast-partytime finds in the feed `xml`; raises PartytimeError if it finds no feed."""
    node = _tool("node")
    try:
        done = subprocess.run(
            [node, str(SCRIPT)],
            # partytime loads a `.env` from the working directory: keep it to tests/js.
            cwd=JS_PROJECT,
            input=xml,
            capture_output=True,
            timeout=PARSE_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise PartytimeError(
            f"partytime did not parse the feed within {PARSE_TIMEOUT:.0f}s"
        ) from error
    stderr = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode != 0:
        raise PartytimeError(f"partytime failed (exit code {done.returncode}): {stderr}")
    try:
        found = json.loads(done.stdout)
    except ValueError as error:
        raise PartytimeError(
            f"parse-feed.mjs printed something that is not JSON: {done.stdout[:500]!r}; "
            f"stderr: {stderr}"
        ) from error
    if not isinstance(found, dict):
        raise PartytimeError(f"parse-feed.mjs printed {type(found).__name__}, not an object")
    return found
