"""Archive pages of a paged feed are written when they differ, known without reading them back.

Builds run in this process (`build_feed`, as a worker runs it) on a storage that counts what
is read and can be made to fail a write; `test_build.py` runs the same through a real worker.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any, cast

import pytest
from starlette.testclient import TestClient

from podops.jobs import BuildJob
from podops.models import FeedState
from podops.publish.pipeline import build_feed
from podops.runtime import Runtime
from podops.storage import Storage, StorageError
from podops.storage.keys import archive_key, feed_key, gzip_key
from tests.support.auth import bearer, context_of, token_for
from tests.support.documents import episode, show
from tests.support.storage import WatchedStorage

SCOPES = "production:read production:write production:build resource:read resource:write"
PROD = "paged-podcast"
BASE = f"/a/v1/resource/{PROD}"
HOUR = 3600


@pytest.fixture
def producer(client: TestClient) -> TestClient:
    client.headers.update(bearer(token_for(context_of(client), "host@example.com", SCOPES)))
    return client


def add_episode(client: TestClient, number: int) -> None:
    name = f"episode-{number:04d}"
    body = episode(name, date=int(time.time()) - (100 - number) * HOUR)
    response = client.post(f"{BASE}/episode/{name}", json=body)
    assert response.status_code == 201, response.text


def produce(client: TestClient, *, episodes: int) -> str:
    """A show of `episodes` episodes, three in its main feed; the production's GUID."""
    created = client.post("/a/v1/production", json={"name": PROD, "title": "T"})
    assert created.status_code == 201, created.text
    document = show(PROD, feed_episodes=3)
    assert client.post(f"{BASE}/show/{PROD}", json=document).status_code == 201
    for number in range(episodes):
        add_episode(client, number)
    guid: str = created.json()["guid"]
    return guid


def rebuild(client: TestClient, guid: str) -> tuple[dict[str, Any], WatchedStorage]:
    """One build on a watched storage: its result, and what it read."""
    runtime = context_of(client)
    watched = WatchedStorage(runtime.storage)
    result = build_one(replace(runtime, storage=cast(Storage, watched)), guid)
    return result, watched


def build_one(runtime: Runtime, guid: str) -> dict[str, Any]:
    return build_feed(runtime, BuildJob(production=guid), operation_id="test-build")


def recorded_sha256(client: TestClient, guid: str) -> list[str] | None:
    with context_of(client).database.session() as session:
        state = session.get(FeedState, guid)
        assert state is not None
        return state.archive_sha256


def page(client: TestClient, guid: str, number: int) -> bytes:
    with context_of(client).storage.open(archive_key(guid, number)) as stream:
        return stream.read()


def test_a_rebuild_reads_no_archive_page_back(producer: TestClient) -> None:
    """Seven episodes, three a page: pages 1 (three) and 2 (one). A rebuild writes no page and
    reads none; a new episode rewrites the newest page only, still reading none."""
    guid = produce(producer, episodes=7)
    first, watched = rebuild(producer, guid)
    assert (first["pages"], first["pages_written"]) == (3, 2)
    assert len(recorded_sha256(producer, guid) or []) == 2

    again, watched = rebuild(producer, guid)
    assert (again["changed"], again["pages_written"]) == (False, 0)
    assert watched.opened == []

    oldest = page(producer, guid, 1)
    add_episode(producer, 7)
    grown, watched = rebuild(producer, guid)
    assert (grown["changed"], grown["pages"], grown["pages_written"]) == (True, 3, 1)
    assert watched.opened == []
    assert page(producer, guid, 1) == oldest


def test_pages_published_before_their_hashes_were_recorded_are_read_back_once(
    producer: TestClient,
) -> None:
    guid = produce(producer, episodes=7)
    rebuild(producer, guid)
    with context_of(producer).database.session() as session:
        state = session.get(FeedState, guid)
        assert state is not None
        state.archive_sha256 = None  # as migration 0012 leaves every production

    legacy, watched = rebuild(producer, guid)
    assert legacy["pages_written"] == 0
    assert sorted(watched.opened) == [archive_key(guid, 1), archive_key(guid, 2)]
    assert len(recorded_sha256(producer, guid) or []) == 2

    _, watched = rebuild(producer, guid)
    assert watched.opened == []


@pytest.mark.parametrize("copy", ["plain", "gzip"])
def test_a_page_deleted_by_hand_is_written_again(producer: TestClient, copy: str) -> None:
    guid = produce(producer, episodes=7)
    rebuild(producer, guid)
    before = page(producer, guid, 1)
    key = archive_key(guid, 1)
    context_of(producer).storage.delete(key if copy == "plain" else gzip_key(key))

    again, watched = rebuild(producer, guid)
    assert again["pages_written"] == 1
    assert watched.opened == []
    assert page(producer, guid, 1) == before
    assert context_of(producer).storage.exists(gzip_key(key))


def test_a_build_failing_after_writing_a_page_leaves_no_hash_to_trust(
    producer: TestClient,
) -> None:
    """A build writes the newest page, then fails to write the main feed: the hashes are
    unknown until a build records them, so when the episode goes again the page it wrote
    is found different and written back, not left with an episode no feed has."""
    guid = produce(producer, episodes=7)
    rebuild(producer, guid)
    newest = page(producer, guid, 2)

    add_episode(producer, 7)
    runtime = context_of(producer)
    failing = WatchedStorage(runtime.storage)
    failing.failing = {feed_key(guid), gzip_key(feed_key(guid))}
    with pytest.raises(StorageError):
        build_one(replace(runtime, storage=cast(Storage, failing)), guid)
    assert page(producer, guid, 2) != newest  # written before the main feed failed
    assert recorded_sha256(producer, guid) is None

    deleted = producer.delete(f"{BASE}/episode/episode-0007", headers={"If-Match": "*"})
    assert deleted.status_code == 204, deleted.text
    again, watched = rebuild(producer, guid)
    assert again["pages_written"] == 1
    assert sorted(watched.opened) == [archive_key(guid, 1), archive_key(guid, 2)]
    assert page(producer, guid, 2) == newest
