"""The whole background path with real parts: API → Redis → Celery worker → database."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from podops.api import create_app
from podops.operations import FINISH_GRACE_SECONDS
from podops.settings import Settings
from tests.conftest import make_settings
from tests.support.auth import bearer, context_of, token_for
from tests.support.operations import poll
from tests.support.processes import WorkerProcess, wait_until

pytestmark = pytest.mark.slow


def test_an_operation_runs_on_a_real_worker(
    client: TestClient, admin: dict[str, str], worker: WorkerProcess
) -> None:
    client.headers.update(admin)
    response = client.post("/_t/ping", json={"message": "hello podcast"})
    assert response.status_code == 202
    location = response.headers["location"]
    assert location == f"/a/v1/operations/{response.json()['id']}"
    assert response.json()["status"] == "Busy"
    done = poll(client, location)
    assert done["status"] == "Success"
    assert done["result"] == {"message": "hello podcast"}
    assert done["attempts"] == 1
    assert isinstance(done["finished"], int)


def test_a_killed_worker_does_not_lose_the_operation(
    client: TestClient, admin: dict[str, str], settings: Settings, tmp_path: Path
) -> None:
    client.headers.update(admin)
    first = WorkerProcess(settings, tmp_path / "first.log")
    first.start()
    try:
        response = client.post("/_t/ping", json={"message": "survivor", "delay": 8})
        location = response.headers["location"]
        wait_until(
            lambda: client.get(location).json()["started"] is not None,
            30,
            "the first worker to start the operation",
        )
        first.kill()
    finally:
        first.stop()
    assert client.get(location).json()["status"] == "Busy"

    second = WorkerProcess(settings, tmp_path / "second.log")
    second.start()
    try:
        context = client.app.state.context  # type: ignore[attr-defined]
        # The sweeper, run as it would be once the dead claim's deadline (the time limit plus
        # the grace) has passed, frees the claim and sends the task again.
        later = int(time.time()) + settings.task_time_limit + FINISH_GRACE_SECONDS + 1
        report = context.jobs.sweep(at=later)
        assert [op.id for op in report.resend] == [location.rsplit("/", 1)[1]]
        done = poll(client, location, timeout=60)
    finally:
        second.stop()
    assert done["status"] == "Success", done
    assert done["result"] == {"message": "survivor"}
    assert done["attempts"] == 2


def test_the_embedded_broker_needs_no_server(tmp_path: Path, database_url: str) -> None:
    from podops import migrate
    from podops.db import Database

    database = Database(database_url)
    migrate.upgrade(database)
    database.dispose()
    settings = make_settings(tmp_path, PODOPS_DATABASE_URL=database_url)
    assert settings.embedded_broker
    worker = WorkerProcess(settings, tmp_path / "worker.log")
    worker.start()
    try:
        with TestClient(create_app(settings)) as client:
            client.headers.update(
                bearer(token_for(context_of(client), "a@example.com", "api:admin", admin=True))
            )
            assert client.get("/readyz").status_code == 200
            response = client.post("/_t/ping", json={"message": "no server"})
            assert response.status_code == 202
            done = poll(client, response.headers["location"])
    finally:
        worker.stop()
    assert done["status"] == "Success"
    assert done["result"] == {"message": "no server"}
