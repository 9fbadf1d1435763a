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


def fresh_env(**extra: str) -> dict[str, str]:
    """The environment of a new user: no podops or platform variable set."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PODOPS_") and k not in ("PORT", "WEB_CONCURRENCY")
    }
    env.update(PODOPS_LOG_FORMAT="text", PODOPS_WORKER_CONCURRENCY="1", **extra)
    return env


def start(
    command: list[str], cwd: Path, env: dict[str, str], log_path: Path
) -> subprocess.Popen[bytes]:
    with log_path.open("wb") as log:
        return subprocess.Popen(
            command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def wait_for_answer(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    def answers() -> bool:
        assert process.poll() is None, log_path.read_text()
        try:
            return httpx.get(url, timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(answers, 60, f"{url} to answer", 0.2)


def stop_group(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


PODOPS = [sys.executable, "-m", "podops.cli"]


def test_web_listens_on_port_with_web_concurrency_processes_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    port = free_port()
    # PORT, which platforms and honcho set, wins over PODOPS_PORT.
    env = fresh_env(PORT=str(port), PODOPS_PORT=str(free_port()), WEB_CONCURRENCY="2")
    subprocess.run([*PODOPS, "db", "upgrade"], cwd=tmp_path, env=env, check=True)
    log_path = tmp_path / "web.log"
    web = start([*PODOPS, "web"], tmp_path, env, log_path)
    try:
        wait_for_answer(web, f"http://127.0.0.1:{port}/healthz", log_path)
        wait_until(
            lambda: len(live_processes_in_group(web.pid)) >= 3,
            30,
            "the supervisor and its two API processes",
        )
        web.send_signal(signal.SIGTERM)  # to the supervisor only, as a platform does
        assert web.wait(30) == 0, log_path.read_text()
        wait_until(lambda: live_processes_in_group(web.pid) == [], 10, "every API process to exit")
    finally:
        stop_group(web)


def test_sigterm_to_serve_stops_its_worker_too(tmp_path: Path) -> None:
    port = free_port()
    log_path = tmp_path / "serve.log"
    serve = start([*PODOPS, "serve"], tmp_path, fresh_env(PODOPS_PORT=str(port)), log_path)
    try:
        wait_for_answer(serve, f"http://127.0.0.1:{port}/healthz", log_path)
        wait_until(lambda: "worker started" in log_path.read_text(), 30, "the worker to start")
        serve.send_signal(signal.SIGTERM)  # to podops serve only, not its group
        assert serve.wait(60) == 0, log_path.read_text()
        wait_until(
            lambda: live_processes_in_group(serve.pid) == [],
            10,
            "the worker and its pool to exit with podops serve",
        )
    finally:
        stop_group(serve)
    assert "worker stopped" in log_path.read_text()


def test_a_killed_serve_leaves_no_worker_behind(tmp_path: Path) -> None:
    port = free_port()
    log_path = tmp_path / "serve.log"
    serve = start([*PODOPS, "serve"], tmp_path, fresh_env(PODOPS_PORT=str(port)), log_path)
    try:
        wait_for_answer(serve, f"http://127.0.0.1:{port}/healthz", log_path)
        wait_until(lambda: "worker started" in log_path.read_text(), 30, "the worker to start")
        serve.kill()  # no chance to stop anything itself
        serve.wait()
        wait_until(
            lambda: live_processes_in_group(serve.pid) == [],
            40,
            "the orphaned worker to stop (it is sent SIGTERM when its parent dies)",
        )
    finally:
        stop_group(serve)


# Beside this Python, where its console scripts (podops itself among them) are installed.
SCRIPTS = Path(sys.executable).parent


@pytest.mark.skipif(not (SCRIPTS / "honcho").exists(), reason="honcho is a dev dependency")
def test_the_procfile_runs_under_honcho_as_the_readme_says(tmp_path: Path) -> None:
    port = free_port()
    env = fresh_env(PATH=f"{SCRIPTS}{os.pathsep}{os.environ.get('PATH', '')}")
    # The README's recipe: the release step once, then the long-running processes.
    subprocess.run([*PODOPS, "db", "upgrade"], cwd=tmp_path, env=env, check=True)
    procfile = Path(__file__).resolve().parents[1] / "Procfile"
    log_path = tmp_path / "honcho.log"
    honcho = start(
        [
            str(SCRIPTS / "honcho"),
            "-f",
            str(procfile),
            "-d",
            str(tmp_path),
            "start",
            "-p",
            str(port),
            "web",
            "worker",
            "beat",
        ],
        tmp_path,
        env,
        log_path,
    )
    try:
        # honcho gives web PORT=<port>; podops web listens there.
        wait_for_answer(honcho, f"http://127.0.0.1:{port}/healthz", log_path)
        wait_until(
            lambda: "ready" in log_path.read_text() and "beat" in log_path.read_text(),
            60,
            "the worker and beat to start",
        )
        assert honcho.poll() is None, log_path.read_text()
        honcho.send_signal(signal.SIGTERM)
        honcho.wait(60)
        wait_until(
            lambda: live_processes_in_group(honcho.pid) == [], 20, "every Procfile process to exit"
        )
    finally:
        stop_group(honcho)
