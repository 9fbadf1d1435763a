"""`podops serve` — the README's first command — on a fresh data directory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.processes import free_port, wait_until

pytestmark = pytest.mark.slow


def live_processes_in_group(pgid: int) -> list[int]:
    """Processes of a group that still run (exited children awaiting their reaper don't)."""
    live = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, group = fields[0], int(fields[2])
        if group == pgid and state not in ("Z", "X"):
            live.append(int(stat.parent.name))
    return live


def test_serve_runs_api_and_worker_and_ctrl_c_stops_both(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PODOPS_")}
    env.update(PODOPS_PORT=str(port), PODOPS_WORKER_CONCURRENCY="1", PODOPS_LOG_FORMAT="text")
    log_path = tmp_path / "serve.log"
    # As a user runs it: in a fresh directory, nothing configured, no server of any kind.
    with log_path.open("wb") as log:
        serve = subprocess.Popen(
            [sys.executable, "-m", "podops.cli", "serve"],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        assert serve.poll() is None, log_path.read_text()
        try:
            return httpx.get(base + "/", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(answers, 60, "podops serve to answer GET /", 0.2)
        assert httpx.get(base + "/").json()["name"] == "podops"
        assert (tmp_path / "var" / "podops.sqlite3").exists()  # embedded defaults, migrated

        # The first admin and their token come from the server-side command line.
        podops = [sys.executable, "-m", "podops.cli"]
        subprocess.run(
            [*podops, "users", "create", "me@example.com", "--admin"],
            cwd=tmp_path,
            env=env,
            check=True,
            capture_output=True,
        )
        token = subprocess.run(
            [*podops, "token", "create", "--user", "me@example.com", "--scope", "api:admin"],
            cwd=tmp_path,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        auth = {"Authorization": f"Bearer {token}"}
        assert httpx.get(base + "/_a/token", headers=auth).json()["scope"] == "api:admin"

        started = httpx.post(base + "/_t/ping", json={"message": "from serve"}, headers=auth)
        assert started.status_code == 202
        location = base + started.headers["location"]
        deadline = time.monotonic() + 60
        while (
            httpx.get(location, headers=auth).json()["status"] == "Busy"
            and time.monotonic() < deadline
        ):
            time.sleep(0.2)
        assert httpx.get(location, headers=auth).json()["result"] == {"message": "from serve"}

        # Ctrl-C in a terminal signals the whole foreground process group.
        os.killpg(serve.pid, signal.SIGINT)
        assert serve.wait(60) == 0, log_path.read_text()
        # No live process of the group is left: the worker and its pool stopped too.
        wait_until(
            lambda: live_processes_in_group(serve.pid) == [],
            10,
            "every process of podops serve to exit",
        )
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait()
    assert "worker stopped" in log_path.read_text()
