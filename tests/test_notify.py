"""A changed feed is announced: one WebSub publish ping per hub and one podping, each once per
changed build and never for an unchanged one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from podops.api import create_app
from podops.db import Database
from tests.conftest import make_settings
from tests.support.auth import bearer, context_of, token_for
from tests.support.documents import episode, show
from tests.support.operations import poll
from tests.support.processes import WorkerProcess
from tests.support.receiver import Receiver, receiving

pytestmark = pytest.mark.slow

PROD = "announced-show"
BASE = f"/a/v1/resource/{PROD}"
SCOPES = "production:read production:write production:build resource:read resource:write"


@pytest.fixture
def listener() -> Iterator[Receiver]:
    with receiving() as receiver:
        yield receiver


@pytest.fixture
def announcer(
    tmp_path: Path, database: Database, redis_url: str, listener: Receiver
) -> Iterator[TestClient]:
    settings = make_settings(
        tmp_path,
        PODOPS_DATABASE_URL=database.url,
        PODOPS_BROKER_URL=redis_url,
        PODOPS_WEBSUB_HUBS=f"{listener.url('/hub')},{listener.url('/hub2')}",
        PODOPS_PODPING_URL=listener.url("/podping"),
        PODOPS_PODPING_TOKEN="podping-secret",
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
            assert client.post(f"{BASE}/show/{PROD}", json=show(PROD)).status_code == 201
            body = episode("episode-one", date=1_700_000_000)
            assert client.post(f"{BASE}/episode/episode-one", json=body).status_code == 201
            yield client
    finally:
        worker.stop()


def build(client: TestClient) -> dict[str, Any]:
    response = client.post("/a/v1/build", json={"guid": PROD})
    assert response.status_code == 202, response.text
    done = poll(client, response.headers["location"])
    assert done["status"] == "Success", done["error"]
    return dict(done["result"])


def test_each_changed_build_is_announced_once_and_an_unchanged_one_not_at_all(
    announcer: TestClient, listener: Receiver
) -> None:
    client = announcer
    first = build(client)
    notice = poll(client, f"/a/v1/operations/{first['notify_operation']}")
    assert notice["status"] == "Success", notice
    feed_url = first["feed_url"]
    feed = client.get(feed_url.removeprefix(context_of(client).settings.base_url)).text
    assert f'<atom:link href="{listener.url("/hub")}" rel="hub"/>' in feed
    for hub in ("/hub", "/hub2"):
        [ping] = listener.at(hub)
        assert ping.method == "POST"
        assert ping.form == {"hub.mode": ["publish"], "hub.url": [feed_url]}
    [podping] = listener.at("/podping")
    assert podping.method == "GET"
    assert podping.query == {"url": [feed_url], "reason": ["update"], "medium": ["podcast"]}
    assert podping.headers["Authorization"] == "podping-secret"

    unchanged = build(client)
    assert unchanged["changed"] is False
    assert "notify_operation" not in unchanged
    assert len(listener.heard) == 3

    changed = episode("episode-one", date=1_700_000_000)
    changed["description"]["title"] = "A new title"
    put = client.put(f"{BASE}/episode/episode-one", json=changed, headers={"If-Match": "*"})
    assert put.status_code == 200
    second = build(client)
    assert poll(client, f"/a/v1/operations/{second['notify_operation']}")["status"] == "Success"
    assert [len(listener.at(path)) for path in ("/hub", "/hub2", "/podping")] == [2, 2, 2]


def test_a_hub_that_refuses_the_notice_fails_its_operation_not_the_build(
    announcer: TestClient, listener: Receiver
) -> None:
    listener.answer = 400
    done = build(announcer)
    notice = poll(announcer, f"/a/v1/operations/{done['notify_operation']}")
    assert notice["status"] == "Failed"
    assert notice["error"]["code"] == "podops.notify.refused"
    assert listener.url("/hub") in notice["error"]["message"]
