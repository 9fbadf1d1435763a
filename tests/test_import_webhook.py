"""`import.finished` for a feed import with its media: sent once, when the media imports have
ended too, with their counts; received by a real local endpoint from a real worker."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks import Webhook
from starlette.testclient import TestClient

from podops.api import create_app
from podops.db import Database
from podops.imports.report import announce_feed_import
from tests.conftest import make_settings
from tests.fetch.servers import Handler, LocalServer, body
from tests.support.auth import bearer, context_of, token_for
from tests.support.operations import poll
from tests.support.processes import WorkerProcess, wait_until
from tests.support.receiver import Receiver, receiving
from tests.test_feed_import import EMAIL, MP3, SCOPES, foreign_feed, item, poll_until

pytestmark = pytest.mark.slow

PROD = "moved-show"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    local = LocalServer(routes={})
    local.start()
    try:
        yield local
    finally:
        local.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as listening:
        yield listening


@pytest.fixture
def mover(
    tmp_path: Path, database: Database, redis_url: str, server: LocalServer, receiver: Receiver
) -> Iterator[TestClient]:
    settings = make_settings(
        tmp_path,
        PODOPS_DATABASE_URL=database.url,
        PODOPS_BROKER_URL=redis_url,
        # The media server and the webhook receiver are both on loopback.
        PODOPS_FETCH_ALLOW="127.0.0.1",
    )
    worker = WorkerProcess(settings, tmp_path / "worker.log")
    worker.start()
    try:
        with TestClient(create_app(settings)) as client:
            client.headers.update(bearer(token_for(context_of(client), EMAIL, SCOPES)))
            yield client
    finally:
        worker.stop()


def subscribe(client: TestClient, receiver: Receiver) -> dict[str, Any]:
    made = client.post("/a/v1/production", json={"name": PROD, "title": "Moved"})
    assert made.status_code == 201, made.text
    hooks = f"/a/v1/production/{PROD}/webhooks"
    response = client.post(
        hooks, json={"url": receiver.url("/hook"), "events": ["import.finished"]}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def deliveries(client: TestClient, hook: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.get(f"/a/v1/production/{PROD}/webhooks/{hook['id']}/deliveries")
    assert response.status_code == 200, response.text
    return list(response.json()["deliveries"])


def test_import_finished_waits_for_the_media_and_counts_them(
    mover: TestClient, server: LocalServer, receiver: Receiver
) -> None:
    hook = subscribe(mover, receiver)
    released = threading.Event()

    def held(handler: Handler) -> None:
        released.wait(30)
        body(MP3)(handler)

    server.routes["/held.mp3"] = held
    items = [
        item("kept-1", "Kept", "Mon, 06 Jan 2020 10:00:00 +0000", server.url("/held.mp3")),
        item("lost-2", "Lost", "Mon, 13 Jan 2020 10:00:00 +0000", server.url("/gone.mp3")),
    ]
    # The show's image is not found either.
    xml = foreign_feed(items).decode()
    xml = xml.replace("https://old-host.example.com/cover.jpg", server.url("/no-cover.jpg"))
    response = mover.post(
        "/a/v1/import/feed", json={"name": PROD, "xml": xml, "import_media": True}
    )
    assert response.status_code == 202, response.text
    location, operation_id = response.headers["location"], response.json()["id"]

    # The feed part has ended; the media are being imported, one held back by the test.
    waiting = poll_until(
        mover, location, lambda _: any(seen.path == "/held.mp3" for seen in server.requests)
    )
    assert waiting["status"] == "Busy", waiting
    assert waiting["progress"]["stage"] == "media"
    assert deliveries(mover, hook) == []  # not yet: the media are not all in
    released.set()
    done = poll(mover, location)
    assert done["status"] == "Success", done["error"]
    assert done["result"]["media"] == {"imported": 1, "failed": 2}

    wait_until(lambda: len(receiver.at("/hook")) >= 1, 60, "import.finished", 0.1)
    [sent] = receiver.at("/hook")
    message = Webhook(hook["secret"]).verify(sent.body, sent.headers)
    assert message["type"] == "import.finished"
    data = message["data"]
    assert data["operation"] == operation_id
    assert data["production"]["name"] == PROD
    assert data["media_imports"] == 3
    assert data["media"] == {"imported": 1, "failed": 2}
    assert data["problems"] == len(done["result"]["problems"]) >= 2
    assert data["episodes_added"] == 2

    # Once: a late ending (a redelivered task, the sweeper) sends nothing more.
    assert not announce_feed_import(context_of(mover), operation_id)
    for media in done["result"]["media_imports"]:
        assert not announce_feed_import(context_of(mover), media)
    assert len(deliveries(mover, hook)) == 1
    assert len(receiver.at("/hook")) == 1


def test_an_import_without_media_is_announced_when_it_ends(
    mover: TestClient, receiver: Receiver
) -> None:
    hook = subscribe(mover, receiver)
    items = [item("only-1", "Only", "Mon, 06 Jan 2020 10:00:00 +0000", "https://a.example/1.mp3")]
    response = mover.post(
        "/a/v1/import/feed", json={"name": PROD, "xml": foreign_feed(items).decode()}
    )
    assert response.status_code == 202, response.text
    assert poll(mover, response.headers["location"])["status"] == "Success"
    wait_until(lambda: len(receiver.at("/hook")) >= 1, 60, "import.finished", 0.1)
    [sent] = receiver.at("/hook")
    data = Webhook(hook["secret"]).verify(sent.body, sent.headers)["data"]
    assert (data["media_imports"], data["media"]) == (0, {"imported": 0, "failed": 0})
    assert len(deliveries(mover, hook)) == 1
