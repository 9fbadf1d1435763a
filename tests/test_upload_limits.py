"""Uploads leave nothing on disk and hold no connection for ever (issue 18, findings 3 and 4):
a partial file is removed at startup and by the sweeper; a body sent too slowly is closed with
408; a user has a bounded number of uploads in progress at once. Real sockets, real uvicorn."""

from __future__ import annotations

import asyncio
import dataclasses
import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from podops.api import create_app
from podops.errors import TooManyRequestsError
from podops.runtime import Runtime
from podops.settings import Settings
from podops.upload_slots import RedisUploadSlots
from podops.uploads import UPLOAD_PART_DEADLINE, remove_abandoned_parts
from tests.support.auth import bearer, token_for
from tests.support.processes import REPO, LiveServer, free_port, process_env, wait_until

pytestmark = pytest.mark.slow

SCOPES = "production:read production:write resource:read resource:write"
PROD = "upload-limits-show"


def parts(settings: Settings) -> list[Path]:
    directory = settings.upload_dir
    return sorted(directory.glob("*.part")) if directory.exists() else []


def host_token(settings: Settings, email: str = "host@example.com") -> dict[str, str]:
    runtime = Runtime.build(settings)
    try:
        return bearer(token_for(runtime, email, SCOPES))
    finally:
        runtime.close()


def start_upload(url: str, headers: dict[str, str], declared: int, first: bytes) -> socket.socket:
    """An upload whose headers and first bytes are sent, the rest held back."""
    address = httpx.URL(url)
    connection = socket.create_connection((address.host, address.port or 80))
    connection.sendall(
        f"POST /a/v1/upload/{PROD} HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: {headers['Authorization']}\r\nContent-Type: audio/mpeg\r\n"
        f"Content-Length: {declared}\r\n\r\n".encode()
        + first
    )
    return connection


def read_response(connection: socket.socket, timeout: float) -> bytes:
    """Everything the server sends until it closes the connection (or `timeout` passes)."""
    connection.settimeout(timeout)
    received = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = connection.recv(65536)
        except TimeoutError:
            break
        if not chunk:
            return received
        received += chunk
    raise AssertionError(f"the server kept the connection open; it sent {received[:200]!r}")


def fast_limits(settings: Settings) -> Settings:
    """`settings` with limits a test reaches in a second: 1 s of grace, 20 kB/s, 2 uploads."""
    return dataclasses.replace(
        settings, body_grace_seconds=1, body_min_rate=20_000, max_uploads_per_user=2
    )


@pytest.fixture
def server(settings: Settings) -> Iterator[LiveServer]:
    live = LiveServer(create_app(fast_limits(settings)), free_port())
    live.start()
    try:
        headers = host_token(settings)
        response = httpx.post(
            live.url + "/a/v1/production", json={"name": PROD, "title": "T"}, headers=headers
        )
        assert response.status_code == 201, response.text
        yield live
    finally:
        live.stop()


def test_a_slow_upload_is_closed_with_408_and_leaves_nothing(
    settings: Settings, server: LiveServer
) -> None:
    headers = host_token(settings)
    started = time.monotonic()
    with start_upload(server.url, headers, 1_000_000, b"\xff\xfb" + bytes(8)) as connection:
        wait_until(lambda: parts(settings) != [], 10, "the upload to start")
        for _ in range(20):  # 10 bytes every 0.1 s: the attack that held connections
            try:
                connection.sendall(bytes(10))
            except OSError:
                break
            time.sleep(0.1)
        answer = read_response(connection, 10)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"podops.request.timeout" in answer
    assert time.monotonic() - started < 8
    wait_until(lambda: parts(settings) == [], 10, "the partial upload to be removed")


def test_a_slow_json_body_is_closed_with_408(settings: Settings, server: LiveServer) -> None:
    headers = host_token(settings)
    address = httpx.URL(server.url)
    with socket.create_connection((address.host, address.port or 80)) as connection:
        connection.sendall(
            b"POST /a/v1/production HTTP/1.1\r\nHost: x\r\n"
            + f"Authorization: {headers['Authorization']}\r\n".encode()
            + b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
        )
        answer = read_response(connection, 10)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]


def test_a_user_has_a_bounded_number_of_uploads_in_progress(
    settings: Settings, server: LiveServer
) -> None:
    headers = host_token(settings)
    held = [start_upload(server.url, headers, 10_000_000, bytes(100)) for _ in range(2)]
    try:
        wait_until(lambda: len(parts(settings)) == 2, 10, "two uploads to start")
        third = httpx.post(
            f"{server.url}/a/v1/upload/{PROD}",
            content=b"\xff\xfb" + bytes(100),
            headers={**headers, "Content-Type": "audio/mpeg"},
        )
        assert third.status_code == 429, third.text
        assert third.json()["code"] == "podops.upload.too_many"
        assert int(third.headers["retry-after"]) >= 1
    finally:
        for connection in held:
            connection.close()
    wait_until(lambda: parts(settings) == [], 10, "the abandoned uploads to be removed")


def test_the_bound_holds_across_web_processes(settings: Settings) -> None:
    # Two web processes on one Redis broker: uploads held on one count on the other.
    servers = [LiveServer(create_app(fast_limits(settings)), free_port()) for _ in range(2)]
    for live in servers:
        live.start()
    try:
        headers = host_token(settings)
        created = httpx.post(
            servers[0].url + "/a/v1/production", json={"name": PROD, "title": "T"}, headers=headers
        )
        assert created.status_code == 201, created.text
        held = [start_upload(servers[0].url, headers, 10_000_000, bytes(100)) for _ in range(2)]
        try:
            wait_until(lambda: len(parts(settings)) == 2, 10, "two uploads to start")
            third = httpx.post(
                f"{servers[1].url}/a/v1/upload/{PROD}",
                content=b"\xff\xfb" + bytes(100),
                headers={**headers, "Content-Type": "audio/mpeg"},
            )
            assert third.status_code == 429, third.text
        finally:
            for connection in held:
                connection.close()
        wait_until(lambda: parts(settings) == [], 10, "the abandoned uploads to be removed")
        # The slots are free again: the next upload is judged on its bytes, not refused.
        fourth = httpx.post(
            f"{servers[1].url}/a/v1/upload/{PROD}",
            content=b"not audio at all",
            headers={**headers, "Content-Type": "audio/mpeg"},
        )
        assert fourth.status_code == 415, fourth.text
    finally:
        for live in servers:
            live.stop()


def test_a_lease_left_by_a_dead_process_expires(redis_url: str) -> None:
    user, key = "leaseuser01", "podops:uploads:leaseuser01"

    async def scenario() -> int:
        slots = RedisUploadSlots(1, redis_url)
        try:
            # What a process killed mid-upload leaves: a lease nobody renews, past its expiry.
            await slots._redis.zadd(key, {"dead-process": time.time() - 1})
            async with slots.hold(user):
                with pytest.raises(TooManyRequestsError):
                    async with slots.hold(user):
                        pass
            return int(await slots._redis.zcard(key))
        finally:
            await slots._redis.delete(key)
            await slots.close()

    assert asyncio.run(scenario()) == 0  # the finished upload gave its slot back


def test_a_web_process_killed_mid_upload_leaves_no_part_after_a_restart(
    settings: Settings, tmp_path: Path
) -> None:
    port = free_port()
    env = {**process_env(settings), "PODOPS_PORT": str(port), "PODOPS_HOST": "127.0.0.1"}
    log_path = tmp_path / "serve.log"
    with log_path.open("ab") as log:
        web = subprocess.Popen(
            [sys.executable, "-m", "podops.cli", "serve", "--no-worker"],
            env=env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:

        def answers() -> bool:
            try:
                return httpx.get(url + "/healthz").status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(answers, 60, f"podops serve to answer ({log_path})")
        headers = host_token(settings)
        httpx.post(url + "/a/v1/production", json={"name": PROD, "title": "T"}, headers=headers)
        with start_upload(url, headers, 10_000_000, bytes(200_000)):
            wait_until(lambda: parts(settings) != [], 10, "the upload to start")
            os.killpg(web.pid, signal.SIGKILL)
            web.wait(10)
        assert parts(settings) != []  # kill -9: nothing could clean up
    finally:
        if web.poll() is None:
            os.killpg(web.pid, signal.SIGKILL)
            web.wait(10)
    restarted = LiveServer(create_app(settings), free_port())
    restarted.start()
    try:
        assert parts(settings) == []
    finally:
        restarted.stop()


def test_the_sweep_removes_parts_nobody_writes(tmp_path: Path) -> None:
    directory = tmp_path / "uploads"
    directory.mkdir()
    names = ("upload-a.part", "upload-b.part", "upload-c.part", "import-d.part", "keep.mp3")
    stale, fresh, live, stale_import, other = (directory / name for name in names)
    for path in (stale, fresh, live, stale_import, other):
        path.write_bytes(b"x")
    hour_ago = time.time() - 3600
    for path in (stale, live, stale_import, other):
        os.utime(path, (hour_ago, hour_ago))
    with live.open("rb") as held:  # a process is still receiving it
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert remove_abandoned_parts(directory, idle_for=600) == 2
        assert remove_abandoned_parts(directory, idle_for=0, pattern="upload-*.part") == 1
    assert sorted(path.name for path in directory.iterdir()) == ["keep.mp3", "upload-c.part"]
    # At startup (idle_for=0) every upload part no live process holds goes.
    assert remove_abandoned_parts(directory, idle_for=0, pattern="upload-*.part") == 1
    assert remove_abandoned_parts(tmp_path / "missing", idle_for=0) == 0


# Celery warns when a second app in one process registers the same task names (the test runs
# once per database); the tasks are the same functions.
@pytest.mark.filterwarnings("ignore::celery.exceptions.DuplicateTaskNameWarning")
def test_the_periodic_sweep_removes_abandoned_parts(settings: Settings) -> None:
    from podops.celery_config import SWEEP_TASK
    from workers.app import create_celery_app

    settings.upload_dir.mkdir(parents=True)
    stale = settings.upload_dir / "upload-old.part"
    stale.write_bytes(b"x")
    long_ago = time.time() - 2 * UPLOAD_PART_DEADLINE
    os.utime(stale, (long_ago, long_ago))
    report = create_celery_app(settings).tasks[SWEEP_TASK].run()
    assert report["removed_parts"] == 1
    assert not stale.exists()
