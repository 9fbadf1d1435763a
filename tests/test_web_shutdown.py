"""SIGTERM to `podops web`, as platforms stop it: the request in flight finishes (within
PODOPS_SHUTDOWN_TIMEOUT), no new connection is taken, and the process exits cleanly."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from podops import migrate
from podops.db import Database
from podops.runtime import Runtime
from podops.settings import Settings
from tests.conftest import make_settings
from tests.support.auth import bearer, token_for
from tests.support.processes import (
    PODOPS,
    ServiceProcess,
    free_port,
    http_answers,
    process_env,
    wait_until,
)
from tests.support.producer import MP3, SCOPES

pytestmark = pytest.mark.slow

CHUNK = 1024


class SlowUpload:
    """An upload whose body trickles in over `seconds`, sent from a thread: a request that is
    in flight when the test signals the server. `response` or `error` once it ends."""

    def __init__(self, url: str, token: str, seconds: float) -> None:
        self.first_bytes_sent = threading.Event()
        self.response: httpx.Response | None = None
        self.error: httpx.HTTPError | None = None
        self._pause = seconds / (len(MP3) // CHUNK)
        self._thread = threading.Thread(target=self._send, args=(url, token), daemon=True)

    def _body(self) -> Iterator[bytes]:
        for start in range(0, len(MP3), CHUNK):
            yield MP3[start : start + CHUNK]
            self.first_bytes_sent.set()
            time.sleep(self._pause)

    def _send(self, url: str, token: str) -> None:
        headers = {**bearer(token), "Content-Type": "audio/mpeg"}
        try:
            self.response = httpx.post(url, content=self._body(), headers=headers, timeout=60)
        except httpx.HTTPError as error:
            self.error = error

    def start(self) -> None:
        self._thread.start()
        assert self.first_bytes_sent.wait(10), "the upload did not start"

    def join(self) -> None:
        self._thread.join(60)


def start_web(settings: Settings, tmp_path: Path) -> tuple[ServiceProcess, Runtime, str]:
    """`podops web` (one process) on a migrated database; it, a runtime, a producer's token
    and a production `shutdown-show` to upload to."""
    database = Database(settings.database_url)
    migrate.upgrade(database)
    database.dispose()
    web = ServiceProcess([*PODOPS, "web"], process_env(settings), tmp_path / "web.log")
    web.start()
    wait_until(
        lambda: web.running() and http_answers(f"{settings.base_url}/healthz"),
        60,
        "podops web to answer",
        0.2,
    )
    runtime = Runtime.build(settings)
    token = token_for(runtime, "shutdown@example.com", SCOPES)
    made = httpx.post(
        f"{settings.base_url}/a/v1/production",
        json={"name": "shutdown-show", "title": "Shutdown"},
        headers=bearer(token),
    )
    assert made.status_code == 201, made.text
    return web, runtime, token


def asset_names(runtime: Runtime) -> list[str]:
    from sqlalchemy import select

    from podops.models import Resource

    with runtime.database.session() as session:
        return list(session.scalars(select(Resource.name).where(Resource.kind == "asset")))


def test_sigterm_lets_the_request_in_flight_finish_then_web_exits(tmp_path: Path) -> None:
    port = free_port()
    settings = make_settings(tmp_path, PODOPS_PORT=str(port), PODOPS_SHUTDOWN_TIMEOUT="20")
    web, runtime, token = start_web(settings, tmp_path)
    try:
        upload = SlowUpload(
            f"{settings.base_url}/a/v1/upload/shutdown-show?name=in-flight-audio", token, 3
        )
        upload.start()
        assert web.process is not None
        web.process.send_signal(signal.SIGTERM)  # to the process, as a platform sends it
        signalled = time.monotonic()
        # It stops listening at once: a new request finds nobody there.
        wait_until(lambda: not http_answers(f"{settings.base_url}/healthz"), 5, "the port to close")
        assert web.process.poll() is None, "web exited with a request in flight"

        upload.join()
        assert upload.error is None, upload.error
        assert upload.response is not None
        assert upload.response.status_code == 201, upload.response.text
        assert upload.response.json()["asset"]["description"]["size"] == len(MP3)
        assert web.process.wait(30) == 0, web.log()
        assert time.monotonic() - signalled < settings.shutdown_timeout
        assert asset_names(runtime) == ["in-flight-audio"]
    finally:
        runtime.close()
        web.stop()


def test_a_request_longer_than_the_shutdown_timeout_is_cut_and_changes_nothing(
    tmp_path: Path,
) -> None:
    port = free_port()
    settings = make_settings(tmp_path, PODOPS_PORT=str(port), PODOPS_SHUTDOWN_TIMEOUT="1")
    web, runtime, token = start_web(settings, tmp_path)
    try:
        upload = SlowUpload(
            f"{settings.base_url}/a/v1/upload/shutdown-show?name=cut-off-audio", token, 20
        )
        upload.start()
        assert web.process is not None
        web.process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        # The process does not wait for the client: it exits once the timeout has passed.
        assert web.process.wait(15) == 0, web.log()
        assert time.monotonic() - signalled < 10
        upload.join()
        assert upload.response is None or upload.response.status_code >= 500
        assert asset_names(runtime) == []
        # Nothing half-received is left behind.
        assert list(settings.upload_dir.glob("*.part")) == []
    finally:
        runtime.close()
        web.stop()
