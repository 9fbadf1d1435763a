"""A show moving away: with `new_feed_url` and `redirect_until`, the show's podops feed URLs
answer 301 to the new one — on a real uvicorn port — until that time, then serve the feed
again (still naming the new URL); a `redirect_until` without somewhere to go is refused."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from podops.jobs import BuildJob
from podops.publish.pipeline import build_feed
from tests.feeds.samples import parse
from tests.support.auth import bearer, token_for
from tests.support.documents import episode, show
from tests.support.processes import LiveServer

PROD = "moving-podcast"
SHOW = f"/a/v1/resource/{PROD}/show/{PROD}"
NEW_HOME = "https://new-host.example.com/feeds/moving.xml"
SCOPES = "production:write resource:read resource:write"
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"


@pytest.fixture
def api(live_server: LiveServer) -> Iterator[httpx.Client]:
    context = live_server.server.config.app.state.context  # type: ignore[attr-defined]
    token = token_for(context, "mover@example.com", SCOPES)
    with httpx.Client(base_url=live_server.url, headers=bearer(token)) as client:
        yield client


def produce(api: httpx.Client) -> str:
    created = api.post("/a/v1/production", json={"name": PROD, "title": "Moving"})
    assert created.status_code == 201, created.text
    assert api.post(SHOW, json=show(PROD)).status_code == 201
    body = episode("episode-0001", date=int(time.time()) - 60)
    assert api.post(f"/a/v1/resource/{PROD}/episode/episode-0001", json=body).status_code == 201
    guid: str = created.json()["guid"]
    return guid


def build(live_server: LiveServer, guid: str) -> dict[str, Any]:
    context = live_server.server.config.app.state.context  # type: ignore[attr-defined]
    return build_feed(context, BuildJob(production=guid), operation_id="test-move")


def move(api: httpx.Client, **description: Any) -> httpx.Response:
    return api.put(SHOW, json=show(PROD, **description))


def test_the_old_feed_urls_redirect_until_the_producer_says(
    api: httpx.Client, live_server: LiveServer
) -> None:
    guid = produce(api)
    build(live_server, guid)
    feed, alias = f"/f/{guid}/feed.xml", f"/s/{PROD}/feed.xml"
    until = int(time.time()) + 4
    assert move(api, new_feed_url=NEW_HOME, redirect_until=until).status_code == 200
    assert api.get(feed).status_code == 200  # the next build starts the move, not the write

    build(live_server, guid)
    for path in (feed, alias):
        for method in ("GET", "HEAD"):
            answer = api.request(method, path)
            assert answer.status_code == 301, (method, path, answer.text)
            assert answer.headers["location"] == NEW_HOME
            assert "max-age" in answer.headers["cache-control"]

    time.sleep(max(0.0, until - time.time()) + 0.2)
    served = api.get(feed)
    assert served.status_code == 200
    channel = parse(served.content).find("channel")
    assert channel is not None
    # Whoever missed the redirects still learns of the move from the feed itself.
    assert channel.findtext(f"{ITUNES}new-feed-url") == NEW_HOME
    assert api.get(alias).status_code == 307


def test_a_move_ends_when_the_producer_takes_redirect_until_away(
    api: httpx.Client, live_server: LiveServer
) -> None:
    guid = produce(api)
    far = int(time.time()) + 86400
    assert move(api, new_feed_url=NEW_HOME, redirect_until=far).status_code == 200
    build(live_server, guid)
    assert api.get(f"/f/{guid}/feed.xml").status_code == 301

    assert move(api, new_feed_url=NEW_HOME).status_code == 200
    build(live_server, guid)
    assert api.get(f"/f/{guid}/feed.xml").status_code == 200


@pytest.mark.parametrize(
    ("description", "code"),
    [
        ({"redirect_until": 2_000_000_000}, "redirect_without_new_feed_url"),
        ({"new_feed_url": NEW_HOME, "redirect_until": -1}, None),
        ({"new_feed_url": NEW_HOME, "redirect_until": "tomorrow"}, None),
        ({"new_feed_url": NEW_HOME, "redirect_until": 10**13}, None),  # milliseconds
        ({"new_feed_url": "ftp://new-host.example.com/feed.xml", "redirect_until": 1}, None),
    ],
)
def test_a_bad_redirect_is_refused_and_changes_nothing(
    api: httpx.Client, live_server: LiveServer, description: dict[str, Any], code: str | None
) -> None:
    guid = produce(api)
    build(live_server, guid)
    before = api.get(SHOW).json()

    refused = move(api, **description)
    assert refused.status_code == 400, refused.text
    error = refused.json()
    assert error["success"] is False
    assert error["field"].startswith("description.")
    if code is not None:
        assert error["field"] == "description.redirect_until"
        assert "new_feed_url" in error["message"]
    assert api.get(SHOW).json() == before
    build(live_server, guid)
    assert api.get(f"/f/{guid}/feed.xml").status_code == 200
