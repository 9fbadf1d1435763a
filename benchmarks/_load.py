"""Load generation for the benchmarks: wrk when installed, else a Python fallback.

wrk (Debian package `wrk`) is the reference: a Python client on the same two cores would be
slower than the server and hide the difference being measured.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def requests_per_second(
    url: str, headers: dict[str, str], seconds: int, connections: int, threads: int = 1
) -> float:
    wrk = shutil.which("wrk")
    if wrk is None:
        return _python_load(url, headers, seconds)
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output:
        raise SystemExit(f"the benchmark got error responses:\n{output}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    assert match, output
    return float(match.group(1))


def _python_load(url: str, headers: dict[str, str], seconds: int) -> float:
    print(
        "  (wrk not installed: using a one-connection Python client; install wrk for "
        "figures that measure the server, not the client)",
        file=sys.stderr,
    )
    count, deadline = 0, time.monotonic() + seconds
    with httpx.Client(headers=headers) as client:
        while time.monotonic() < deadline:
            client.get(url).raise_for_status()
            count += 1
    return count / seconds


def load_generator() -> str:
    return "wrk" if shutil.which("wrk") else "python (fallback)"


@contextmanager
def serve(
    script: Path, mode: str, port: int, env: dict[str, str], stderr: IO[bytes] | None = None
) -> Iterator[str]:
    """Run `script --serve MODE --port PORT` and yield its base URL once it answers; the
    server's stderr (its logs) goes to `stderr` when given."""
    process = subprocess.Popen(
        [sys.executable, str(script), "--serve", mode, "--port", str(port)], env=env, stderr=stderr
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(base + "/healthz", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit(f"server {mode} did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(10)


def run_app(app: Any, port: int) -> None:
    """Serve `app` on 127.0.0.1:`port` as a production web process does (uvloop, httptools,
    no access log), so podops and every reference are measured on the same server settings."""
    import uvicorn

    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
    )
