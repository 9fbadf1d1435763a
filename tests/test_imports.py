"""Asset imports end to end: a real HTTP server, a real worker, Redis; SSRF refused."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from podops.api import create_app
from podops.db import Database
from podops.operations import FINISH_GRACE_SECONDS
from podops.settings import Settings
from tests.conftest import make_settings
from tests.fetch.servers import Handler, LocalServer, body, status
from tests.media.mpeg_frames import cbr_44100
from tests.support.auth import bearer, context_of, token_for
from tests.support.documents import episode, show
from tests.support.operations import poll
from tests.support.processes import RedisServer, WorkerProcess, wait_until
from tests.support.storage import concrete

pytestmark = pytest.mark.slow

SCOPES = "production:read production:write resource:read resource:write"
PROD = "import-podcast"
MP3 = cbr_44100(frames=1723)


@pytest.fixture
def media_server() -> Iterator[LocalServer]:
    server = LocalServer(
        routes={
            "/episode.mp3": body(MP3),
            "/missing.mp3": status(404),
            "/page.html": body(b"<html>not audio</html>" * 50, "text/html"),
        }
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def importer(
    tmp_path: Path, database: Database, redis_url: str, media_server: LocalServer
) -> Iterator[tuple[TestClient, Settings]]:
    """An app and a worker that may fetch from the test's media server (and nothing private)."""
    settings = make_settings(
        tmp_path,
        PODOPS_DATABASE_URL=database.url,
        PODOPS_BROKER_URL=redis_url,
        PODOPS_FETCH_ALLOW=media_server.allow,
    )
    worker = WorkerProcess(settings, tmp_path / "worker.log")
    worker.start()
    try:
        with TestClient(create_app(settings)) as client:
            client.headers.update(bearer(token_for(context_of(client), "h@example.com", SCOPES)))
            assert (
                client.post("/a/v1/production", json={"name": PROD, "title": "T"}).status_code
                == 201
            )
            yield client, settings
    finally:
        worker.stop()


def start(client: TestClient, url: str, **extra: str) -> str:
    response = client.post("/a/v1/import/asset", json={"production": PROD, "url": url, **extra})
    assert response.status_code == 202, response.text
    return str(response.headers["location"])


def test_an_asset_is_imported_probed_and_stored(
    importer: tuple[TestClient, Settings], media_server: LocalServer
) -> None:
    client, settings = importer
    done = poll(client, start(client, media_server.url("/episode.mp3"), name="imported-ep-1"))
    assert done["status"] == "Success", done
    result = done["result"]
    assert result["sha256"] == hashlib.sha256(MP3).hexdigest()
    assert result["size"] == len(MP3)
    assert result["type"] == "audio/mpeg"
    asset = client.get(f"/a/v1/resource/{PROD}/asset/imported-ep-1").json()
    assert asset["description"]["sha256"] == result["sha256"]
    assert client.get(result["url"].removeprefix(settings.base_url)).content == MP3
    assert list(settings.upload_dir.iterdir()) == []


def test_an_import_reference_in_an_episode_becomes_an_asset(
    importer: tuple[TestClient, Settings], media_server: LocalServer
) -> None:
    client, _settings = importer
    assert client.post(f"/a/v1/resource/{PROD}/show/{PROD}", json=show(PROD)).status_code == 201
    document = episode("episode-0001")
    document["enclosure"] = {"rel": "import", "url": media_server.url("/episode.mp3")}
    created = client.post(f"/a/v1/resource/{PROD}/episode/episode-0001", json=document)
    assert created.status_code == 201
    link = created.headers["link"]
    assert link.endswith('rel="import"')
    done = poll(client, link.split(">")[0].lstrip("<"))
    assert done["status"] == "Success", done
    stored = client.get(f"/a/v1/resource/{PROD}/episode/episode-0001").json()
    assert stored["enclosure"] == {"rel": "asset", "name": done["result"]["asset"]}
    assert (
        client.get(
            f"/a/v1/resource/{PROD}/episode/episode-0001",
            headers={"If-None-Match": created.headers["etag"]},
        ).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("path", "code"),
    [("/missing.mp3", "podops.fetch.not_found"), ("/page.html", "podops.media.markup")],
)
def test_a_reference_whose_import_fails_points_back_at_its_url(
    importer: tuple[TestClient, Settings], media_server: LocalServer, path: str, code: str
) -> None:
    """The document still builds, from the media's old home, and the failure is told."""
    client, _settings = importer
    assert client.post(f"/a/v1/resource/{PROD}/show/{PROD}", json=show(PROD)).status_code == 201
    document = episode("episode-0001")
    url = media_server.url(path)
    document["enclosure"] = {"rel": "import", "url": url}
    created = client.post(f"/a/v1/resource/{PROD}/episode/episode-0001", json=document)
    assert created.status_code == 201
    done = poll(client, created.headers["link"].split(">")[0].lstrip("<"))
    assert done["status"] == "Failed"
    assert done["error"]["code"] == code
    assert done["error"]["reference"] == "external"
    assert url in done["error"]["message"]
    stored = client.get(f"/a/v1/resource/{PROD}/episode/episode-0001").json()
    assert stored["enclosure"] == {"rel": "external", "url": url}


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://10.0.0.1/a.mp3", "podops.fetch.blocked_address"),
        ("http://169.254.169.254/latest/meta-data/", "podops.fetch.blocked_address"),
        ("http://[::1]/a.mp3", "podops.fetch.blocked_address"),
        ("http://[::ffff:127.0.0.1]/a.mp3", "podops.fetch.blocked_address"),
        ("http://0.0.0.0/a.mp3", "podops.fetch.blocked_address"),
        ("http://127.0.0.1:1/a.mp3", "podops.fetch.blocked_address"),  # loopback, but not allowed
        ("http://localhost/a.mp3", "podops.fetch.blocked_address"),
    ],
)
def test_private_addresses_fail_the_operation_and_leave_nothing(
    importer: tuple[TestClient, Settings], url: str, code: str
) -> None:
    client, settings = importer
    done = poll(client, start(client, url))
    assert done["status"] == "Failed"
    assert done["error"]["code"] == code, done["error"]
    assert client.get(f"/a/v1/resource/{PROD}/asset").json()["resources"] == []
    assert list(settings.upload_dir.iterdir()) == [] if settings.upload_dir.exists() else True


@pytest.mark.parametrize(
    ("path", "code"),
    [("/missing.mp3", "podops.fetch.not_found"), ("/page.html", "podops.media.markup")],
)
def test_permanent_failures_fail_at_once(
    importer: tuple[TestClient, Settings], media_server: LocalServer, path: str, code: str
) -> None:
    client, _settings = importer
    done = poll(client, start(client, media_server.url(path)))
    assert done["status"] == "Failed"
    assert done["error"]["code"] == code
    assert done["attempts"] == 1


def test_a_transient_failure_is_retried_by_the_sweeper(
    importer: tuple[TestClient, Settings], media_server: LocalServer
) -> None:
    client, _settings = importer
    media_server.routes["/flaky.mp3"] = status(503)
    location = start(client, media_server.url("/flaky.mp3"))
    operation_id = location.rsplit("/", 1)[1]
    wait_until(lambda: client.get(location).json()["started"] is not None, 30, "the first try")
    wait_until(lambda: _claim(client, operation_id) is None, 30, "the claim to be released")
    assert client.get(location).json()["status"] == "Busy"
    media_server.routes["/flaky.mp3"] = body(MP3)
    report = context_of(client).jobs.sweep(at=int(time.time()) + 301)
    assert [op.id for op in report.resend] == [operation_id]
    done = poll(client, location)
    assert done["status"] == "Success", done
    assert done["attempts"] == 2


# Celery warns when a second app in one process registers the same task names.
@pytest.mark.filterwarnings("ignore::celery.exceptions.DuplicateTaskNameWarning")
def test_an_import_the_sweeper_gives_up_on_points_back_at_its_url(
    importer: tuple[TestClient, Settings], media_server: LocalServer
) -> None:
    """Out of attempts (a server that kept failing) is a failure like any: the document
    falls back to the URL, and so still builds."""
    from podops.celery_config import SWEEP_TASK
    from podops.models import Operation
    from workers.app import create_celery_app

    client, settings = importer
    assert client.post(f"/a/v1/resource/{PROD}/show/{PROD}", json=show(PROD)).status_code == 201
    media_server.routes["/flaky.mp3"] = status(503)
    document = episode("episode-0001")
    url = media_server.url("/flaky.mp3")
    document["enclosure"] = {"rel": "import", "url": url}
    created = client.post(f"/a/v1/resource/{PROD}/episode/episode-0001", json=document)
    assert created.status_code == 201
    location = created.headers["link"].split(">")[0].lstrip("<")
    operation_id = location.rsplit("/", 1)[1]
    wait_until(lambda: client.get(location).json()["started"] is not None, 30, "the first try")
    wait_until(lambda: _claim(client, operation_id) is None, 30, "the claim to be released")
    with context_of(client).database.session() as session:
        operation = session.get(Operation, operation_id)
        assert operation is not None
        operation.attempts = settings.operation_max_attempts
        operation.deadline_at = int(time.time()) - 1

    report = create_celery_app(settings).tasks[SWEEP_TASK].run()

    assert report["failed"] == [operation_id]
    assert report["fell_back"] == 1
    assert client.get(location).json()["error"]["code"] == "podops.operation.abandoned"
    stored = client.get(f"/a/v1/resource/{PROD}/episode/episode-0001").json()
    assert stored["enclosure"] == {"rel": "external", "url": url}


def _claim(client: TestClient, operation_id: str) -> str | None:
    from podops.models import Operation

    with context_of(client).database.session() as session:
        operation = session.get(Operation, operation_id)
        assert operation is not None
        return operation.run_token


@pytest.mark.parametrize(
    "payload",
    [
        {"production": PROD},
        {"production": PROD, "url": "ftp://host/a.mp3"},
        {"production": PROD, "url": "http://x.example/a.mp3", "extra": 1},
        {"production": PROD, "url": "http://x.example/a.mp3", "name": "Bad Name"},
    ],
)
def test_malformed_import_requests_are_400(
    importer: tuple[TestClient, Settings], payload: dict[str, Any]
) -> None:
    client, _settings = importer
    assert client.post("/a/v1/import/asset", json=payload).status_code == 400


def test_someone_elses_production_is_404_and_internal_import_needs_admin(
    importer: tuple[TestClient, Settings], media_server: LocalServer
) -> None:
    client, _settings = importer
    stranger = bearer(token_for(context_of(client), "x@example.com", SCOPES))
    body_ = {"production": PROD, "url": media_server.url("/episode.mp3")}
    assert client.post("/a/v1/import/asset", json=body_, headers=stranger).status_code == 404
    assert client.post("/_t/import", json=body_).status_code == 403
    admin = bearer(token_for(context_of(client), "root@example.com", "api:admin", admin=True))
    response = client.post("/_t/import", json=body_, headers=admin)
    assert response.status_code == 202
    assert poll(client, response.headers["location"])["status"] == "Success"


def slow(data: bytes, chunk: int, pause: float) -> Any:
    def route(handler: Handler) -> None:
        handler.send_head(200, {"Content-Type": "audio/mpeg", "Content-Length": str(len(data))})
        for start_at in range(0, len(data), chunk):
            if handler.stopping.is_set() or not handler.write_raw(
                data[start_at : start_at + chunk]
            ):
                return
            time.sleep(pause)

    return route


def test_a_worker_killed_mid_download_still_ends_with_one_good_asset(
    tmp_path: Path, database: Database, redis_url: str, media_server: LocalServer
) -> None:
    big = cbr_44100(frames=441 * 200)  # about 3.6 MB, served over about 3 seconds
    media_server.routes["/big.mp3"] = slow(big, 64 * 1024, 0.05)
    settings = make_settings(
        tmp_path,
        PODOPS_DATABASE_URL=database.url,
        PODOPS_BROKER_URL=redis_url,
        PODOPS_FETCH_ALLOW=media_server.allow,
    )
    with TestClient(create_app(settings)) as client:
        client.headers.update(bearer(token_for(context_of(client), "h@example.com", SCOPES)))
        client.post("/a/v1/production", json={"name": PROD, "title": "T"})
        first = WorkerProcess(settings, tmp_path / "first.log")
        first.start()
        try:
            location = start(client, media_server.url("/big.mp3"), name="big-import-1")
            part = settings.upload_dir / f"import-{location.rsplit('/', 1)[1]}.part"
            wait_until(
                lambda: part.exists() and part.stat().st_size > 256 * 1024,
                30,
                "the download to be under way",
            )
            first.kill()
        finally:
            first.stop()
        assert client.get(location).json()["status"] == "Busy"
        # Nothing partial is visible.
        assert concrete(context_of(client).storage).list("media/") == []
        second = WorkerProcess(settings, tmp_path / "second.log")
        second.start()
        try:
            later = int(time.time()) + settings.task_time_limit + FINISH_GRACE_SECONDS + 1
            context_of(client).jobs.sweep(at=later)
            done = poll(client, location, timeout=120)
        finally:
            second.stop()
        assert done["status"] == "Success", done
        assets = client.get(f"/a/v1/resource/{PROD}/asset").json()["resources"]
        assert len(assets) == 1
        assert assets[0]["description"]["sha256"] == hashlib.sha256(big).hexdigest()
        assert len(concrete(context_of(client).storage).list("media/")) == 1
        assert list(settings.upload_dir.iterdir()) == []


def test_operations_queued_when_redis_restarts_are_not_lost(
    tmp_path: Path, database: Database, own_redis: RedisServer, media_server: LocalServer
) -> None:
    settings = make_settings(
        tmp_path,
        PODOPS_DATABASE_URL=database.url,
        PODOPS_BROKER_URL=own_redis.url,
        PODOPS_FETCH_ALLOW=media_server.allow,
    )
    with TestClient(create_app(settings)) as client:
        client.headers.update(bearer(token_for(context_of(client), "h@example.com", SCOPES)))
        client.post("/a/v1/production", json={"name": PROD, "title": "T"})
        # Queued with no worker to take them; then Redis (which keeps nothing on disk) restarts.
        locations = [
            start(client, media_server.url("/episode.mp3"), name=f"queued-asset-{n}")
            for n in range(3)
        ]
        own_redis.stop()
        own_redis.start()
        worker = WorkerProcess(settings, tmp_path / "worker.log")
        worker.start()
        try:
            # The messages died with Redis; the operations did not. The sweeper sends them again.
            report = context_of(client).jobs.sweep(at=int(time.time()) + settings.queue_timeout + 1)
            assert len(report.resend) == 3
            results = [poll(client, location) for location in locations]
        finally:
            worker.stop()
    assert [result["status"] for result in results] == ["Success"] * 3


def test_a_long_download_shows_its_progress_while_busy(
    importer: tuple[TestClient, Settings], media_server: LocalServer
) -> None:
    client, _ = importer
    big = cbr_44100(frames=441 * 200)  # about 3.6 MB, served over about 3 seconds
    media_server.routes["/long.mp3"] = slow(big, 64 * 1024, 0.05)
    location = start(client, media_server.url("/long.mp3"))
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + 60
    while (operation := client.get(location).json())["status"] == "Busy":
        assert time.monotonic() < deadline, operation
        if operation["progress"] is not None:
            seen.append(operation["progress"])
        time.sleep(0.1)
    assert operation["status"] == "Success", operation
    midway = [report for report in seen if 0 < report["done"] < len(big)]
    assert midway, seen  # told while it was still downloading
    assert all(
        report == {**report, "stage": "download", "total": len(big), "unit": "bytes"}
        for report in seen
    )
    assert operation["progress"] == {
        "stage": "download",
        "done": len(big),
        "total": len(big),
        "unit": "bytes",
    }
