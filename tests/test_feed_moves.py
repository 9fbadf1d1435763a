"""A show moving away: with `new_feed_url` and `redirect_until`, the show's podops feed URLs
answer 301 to the new one — on a real uvicorn port — until that time, then serve the feed
again (still naming the new URL); a `redirect_until` without somewhere to go is refused.

The build stores the move with the feed (its metadata, on local disk and on S3) and the feed
routes read it there; a feed stored before that asks the database until its next build."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from podops.api import create_app
from podops.db import Database
from podops.jobs import BuildJob
from podops.models import FeedState
from podops.publish.compressed import put_feed
from podops.publish.pipeline import build_feed
from podops.publish.stored import public_metadata
from podops.runtime import Runtime
from podops.services.feed_moves import (
    MOVE_METADATA,
    Move,
    feed_metadata,
    published_move,
)
from podops.storage import MAX_METADATA_BYTES
from podops.storage.keys import feed_key, gzip_key
from tests.conftest import make_settings
from tests.feeds.samples import parse
from tests.support.auth import bearer, context_of, token_for
from tests.support.documents import episode, show
from tests.support.processes import LiveServer
from tests.support.s3 import s3_environment, use_dummy_aws_credentials
from tests.support.storage import concrete

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
    return build_in(context, guid)


def build_in(runtime: Runtime, guid: str) -> dict[str, Any]:
    return build_feed(runtime, BuildJob(production=guid), operation_id="test-move")


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


def test_the_move_is_stored_as_feed_metadata_and_read_back() -> None:
    assert published_move(feed_metadata(None)) == Move()
    assert published_move(feed_metadata((NEW_HOME, 1_900_000_000))) == Move(NEW_HOME, 1_900_000_000)
    # The deadline is exact: a 301 up to the second before redirect_until, the feed from it.
    move = Move(NEW_HOME, 1_900_000_000)
    assert move.target(1_899_999_999) == NEW_HOME
    assert move.target(1_900_000_000) is None
    assert Move().target(0) is None


def test_a_move_too_long_for_metadata_is_left_to_the_database() -> None:
    longest = "https://new-host.example.com/" + "a" * MAX_METADATA_BYTES
    assert feed_metadata((longest, 1_900_000_000)) == {}
    assert published_move({}) is None


@pytest.mark.parametrize(
    "value", ["", "soon https://e.com/f", "1900000000", "-1 https://e.com/f", "١٢ https://e.com/f"]
)
def test_unreadable_move_metadata_is_left_to_the_database(value: str) -> None:
    assert published_move({MOVE_METADATA: value}) is None


def test_a_feed_stored_before_moves_went_with_it_asks_the_database_until_its_next_build(
    api: httpx.Client, live_server: LiveServer, tmp_path: Path
) -> None:
    context = live_server.server.config.app.state.context  # type: ignore[attr-defined]
    guid = produce(api)
    feed, alias = f"/f/{guid}/feed.xml", f"/s/{PROD}/feed.xml"
    until = int(time.time()) + 3600
    assert move(api, new_feed_url=NEW_HOME, redirect_until=until).status_code == 200
    build_in(context, guid)
    # The same feed, stored as builds stored it before: no move in its metadata.
    storage = concrete(context.storage)
    rendered = tmp_path / "feed.xml"
    rendered.write_bytes(storage.read_bytes(feed_key(guid)))
    put_feed(storage, feed_key(guid), rendered)
    assert storage.head(feed_key(guid)).metadata == {}

    for encoding in ("gzip", "identity"):
        answer = api.get(feed, headers={"Accept-Encoding": encoding})
        assert (answer.status_code, answer.headers["location"]) == (301, NEW_HOME)
    set_recorded_move(context.database, guid, until=int(time.time()) - 1)
    assert api.get(feed).status_code == 200  # the database answers for this feed
    assert api.get(alias).status_code == 307

    built = build_in(context, guid)
    assert built["changed"] is False  # the same feed, now stored with its move
    for key in (feed_key(guid), gzip_key(feed_key(guid))):
        assert storage.head(key).metadata == public_metadata(built["sha256"], (NEW_HOME, until))
    # From here on the stored feed answers, whatever the database holds.
    set_recorded_move(context.database, guid, until=None)
    for path in (feed, alias):
        for encoding in ("gzip", "identity"):
            answer = api.get(path, headers={"Accept-Encoding": encoding})
            assert (answer.status_code, answer.headers["location"]) == (301, NEW_HOME), path
    stored = storage.head(feed_key(guid))
    build_in(context, guid)
    assert storage.head(feed_key(guid)) == stored  # this feed with this move: left alone


def set_recorded_move(database: Database, guid: str, *, until: int | None) -> None:
    """Change the move the last build recorded, behind the feed routes' back."""
    with database.session() as session:
        state = session.get(FeedState, guid)
        assert state is not None
        state.moved_to = NEW_HOME if until is not None else None
        state.moved_until = until


@pytest.fixture
def s3_api(
    tmp_path: Path,
    database: Database,
    moto_endpoint: str,
    s3_bucket: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[TestClient]:
    """The app keeping its objects on moto's S3 server, with a producer's token."""
    use_dummy_aws_credentials(monkeypatch)
    prefix = f"moves-{tmp_path.name}"
    settings = make_settings(
        tmp_path,
        PODOPS_DATABASE_URL=database.url,
        **s3_environment(moto_endpoint, s3_bucket, prefix),
    )
    with TestClient(create_app(settings)) as client:
        client.headers.update(bearer(token_for(context_of(client), "s3@example.com", SCOPES)))
        yield client


def test_on_s3_the_move_goes_with_the_feed(s3_api: TestClient) -> None:
    context = context_of(s3_api)
    guid = produce(s3_api)
    feed, alias = f"/f/{guid}/feed.xml", f"/s/{PROD}/feed.xml"
    build_in(context, guid)
    assert s3_api.get(feed, follow_redirects=False).status_code == 307

    until = int(time.time()) + 3600
    assert move(s3_api, new_feed_url=NEW_HOME, redirect_until=until).status_code == 200
    assert s3_api.get(feed, follow_redirects=False).status_code == 307  # until the next build
    built = build_in(context, guid)
    for key in (feed_key(guid), gzip_key(feed_key(guid))):
        stored = context.storage.head(key).metadata
        assert stored == public_metadata(built["sha256"], (NEW_HOME, until))
        assert stored[MOVE_METADATA] == f"{until} {NEW_HOME}"
    # The database is not asked: what it holds does not matter to the feed routes.
    set_recorded_move(context.database, guid, until=None)
    for path in (feed, alias):
        for encoding in ("gzip", "identity"):
            answer = s3_api.get(path, headers={"Accept-Encoding": encoding}, follow_redirects=False)
            assert (answer.status_code, answer.headers["location"]) == (301, NEW_HOME)

    assert move(s3_api, new_feed_url=NEW_HOME).status_code == 200
    build_in(context, guid)
    for encoding in ("gzip", "identity"):
        answer = s3_api.get(feed, headers={"Accept-Encoding": encoding}, follow_redirects=False)
        assert answer.status_code == 307
        served = httpx.get(answer.headers["location"])
        channel = parse(served.content).find("channel")  # httpx decodes the gzip copy
        assert channel is not None
        assert channel.findtext(f"{ITUNES}new-feed-url") == NEW_HOME
