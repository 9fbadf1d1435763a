"""Real processes the tests start: redis-server, Celery workers, `podops serve`."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from podops.settings import VARIABLES, Settings

REPO = Path(__file__).resolve().parents[2]
# `podops`, as this interpreter runs it from this checkout (no installed script needed).
PODOPS = [sys.executable, "-m", "podops.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def redis_answers(host: str, port: int) -> bool:
    try:
        return bool(redis.Redis(host=host, port=port, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def wait_until(condition: object, timeout: float, what: str, interval: float = 0.05) -> None:
    """Poll `condition()` until true; fail the test naming `what` when `timeout` passes."""
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


class RedisServer:
    """A redis-server on a port of its own, started and stopped by a test."""

    def __init__(self, directory: Path, port: int) -> None:
        self.directory = directory
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail(
                "redis-server is not installed and no Redis answers on 127.0.0.1:6379: "
                "install Redis (Debian: apt-get install redis-server) or start one there.",
                pytrace=False,
            )
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: redis_answers("127.0.0.1", self.port), 10, "redis-server to start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


def process_env(settings: Settings) -> dict[str, str]:
    """The environment that gives a child process exactly these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PODOPS_")}
    for variable in VARIABLES:
        value = getattr(settings, variable.name.removeprefix("PODOPS_").lower())
        if isinstance(value, bool):
            text = str(value).lower()
        elif isinstance(value, tuple):
            text = ",".join(str(item) for item in value)
        else:
            text = str(value)
        env[variable.name] = text
    env["PODOPS_LOG_FORMAT"] = "text"
    return env


class ProcessGroup:
    """A real process started in its own process group, logging to `log_path`: a kill or a
    stop reaches it and every child it made (a worker's pool, say)."""

    log_path: Path
    process: subprocess.Popen[bytes] | None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the whole group: no chance to clean up or finish anything."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


class WorkerProcess(ProcessGroup):
    """`podops worker` as a real process (its own process group, so a kill takes all of it)."""

    def __init__(self, settings: Settings, log_path: Path, *, concurrency: int = 1) -> None:
        self.settings = settings
        self.log_path = log_path
        self.concurrency = concurrency
        self.process: subprocess.Popen[bytes] | None = None
        # Written by the worker once it takes tasks (its `worker_ready` signal).
        self.ready_file = log_path.with_suffix(".ready")

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = process_env(self.settings)
        env["PODOPS_WORKER_CONCURRENCY"] = str(self.concurrency)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "podops.cli",
                    "worker",
                    "--ready-file",
                    str(self.ready_file),
                ],
                env=env,
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(self._ready, 60, f"the worker to be ready (log: {self.log_path})", 0.1)

    def _ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            pytest.fail(f"worker exited with {self.process.returncode}:\n{self.log()}")
        return self.ready_file.exists()


class LiveServer:
    """The app on uvicorn (uvloop, httptools) on a real port, in a thread of the test process."""

    def __init__(self, app: object, port: int) -> None:
        import threading

        import uvicorn

        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(
            app,  # type: ignore[arg-type]
            host="127.0.0.1",
            port=port,
            loop="uvloop",
            http="httptools",
            lifespan="on",
            log_config=None,
            access_log=False,
        )
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self._thread.start()
        wait_until(lambda: self.server.started, 30, "uvicorn to start")

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(30)


def procfile_commands() -> dict[str, list[str]]:
    """The Procfile's processes by name, each as the argv that runs it from this checkout
    (`podops` as this interpreter's `-m podops.cli`, so no installed script is needed)."""
    import shlex

    commands = {}
    for line in (REPO / "Procfile").read_text().splitlines():
        name, separator, command = line.partition(":")
        if not separator or line.lstrip().startswith("#"):
            continue
        argv = shlex.split(command)
        assert argv[0] == "podops", line
        commands[name.strip()] = [*PODOPS, *argv[1:]]
    return commands


class ServiceProcess(ProcessGroup):
    """A podops command as a real process in its own process group (a kill takes all of it)."""

    def __init__(self, argv: list[str], env: dict[str, str], log_path: Path) -> None:
        self.argv = argv
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def running(self) -> bool:
        """True while it runs; fails the test with its log when it has exited."""
        assert self.process is not None
        if self.process.poll() is not None:
            pytest.fail(f"{self.argv[3:]} exited with {self.process.returncode}:\n{self.log()}")
        return True


def http_answers(url: str) -> bool:
    import httpx

    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
