"""A build writes a feed unless the stored feed says it is that one: its SHA-256 in its
metadata, on the public feed's plain and gzip copies and on the private feed — not the
database's record of the last publish, which a build failing after its write leaves behind.

Builds run in this process (`build_feed`, as a worker runs it), on local storage and on
moto's S3 server; `test_build.py` runs builds through a real worker.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import pytest
from starlette.testclient import TestClient

from podops.api import create_app
from podops.jobs import BuildJob
from podops.models import FeedState
from podops.publish.compressed import put_feed
from podops.publish.pipeline import build_feed
from podops.publish.stored import SHA256_METADATA, public_metadata
from podops.services.feed_moves import MOVE_METADATA, feed_metadata
from podops.settings import Settings
from podops.storage import (
    MAX_METADATA_BYTES,
    Storage,
    StorageError,
    validate_metadata,
)
from podops.storage.keys import feed_key, gzip_key, private_feed_key
from tests.conftest import make_settings
from tests.media.mpeg_frames import cbr_44100
from tests.support.auth import bearer, context_of, token_for
from tests.support.producer import premium_production
from tests.support.s3 import s3_environment, use_dummy_aws_credentials
from tests.support.storage import ConcreteStorage, WatchedStorage, concrete

SCOPES = "production:read production:write production:build resource:read resource:write"
PROD = "stored-podcast"
BASE = f"/a/v1/resource/{PROD}"
FREE = "free-episode-01"
MP3 = cbr_44100(frames=400)


@pytest.fixture(params=["local", "s3"])
def producer(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[TestClient]:
    """The app with a producer's token, its objects on local disk or on moto's S3 server."""
    if request.param == "s3":
        use_dummy_aws_credentials(monkeypatch)
        endpoint = request.getfixturevalue("moto_endpoint")
        bucket = request.getfixturevalue("s3_bucket")
        settings = make_settings(
            tmp_path,
            PODOPS_DATABASE_URL=settings.database_url,
            **s3_environment(endpoint, bucket, f"stored-{tmp_path.name}"),
        )
    with TestClient(create_app(settings)) as client:
        client.headers.update(bearer(token_for(context_of(client), "host@example.com", SCOPES)))
        yield client


def produce(client: TestClient, *, access: str) -> str:
    """A show with a free episode (external media) and a premium one (an uploaded MP3),
    built once; the production's GUID."""
    guid = premium_production(client, PROD, access=access)
    rebuild(client, guid)
    return guid


def rebuild(client: TestClient, guid: str) -> dict[str, Any]:
    return build_feed(context_of(client), BuildJob(production=guid), operation_id="test-build")


def watched_rebuild(
    client: TestClient, guid: str, *, failing: frozenset[str] = frozenset()
) -> tuple[dict[str, Any], WatchedStorage]:
    """One build on a watched storage (refusing writes to `failing`): its result, and what
    it read."""
    runtime = context_of(client)
    watched = WatchedStorage(runtime.storage)
    watched.failing = set(failing)
    job = BuildJob(production=guid)
    watched_runtime = replace(runtime, storage=cast(Storage, watched))
    return build_feed(watched_runtime, job, operation_id="test-build"), watched


def retitle(client: TestClient, title: str) -> None:
    path = f"{BASE}/episode/{FREE}"
    document = client.get(path).json()
    document["description"]["title"] = title
    response = client.put(path, json=document, headers={"If-Match": "*"})
    assert response.status_code == 200, response.text


def storage_of(client: TestClient) -> ConcreteStorage:
    return concrete(context_of(client).storage)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def recorded_sha256(client: TestClient, guid: str) -> str | None:
    with context_of(client).database.session() as session:
        state = session.get(FeedState, guid)
        assert state is not None
        return state.sha256


def assert_published(client: TestClient, guid: str, built: dict[str, Any], feed: bytes) -> None:
    """Both copies of the public feed hold `feed`, and the build result names them."""
    storage = storage_of(client)
    key = feed_key(guid)
    assert storage.read_bytes(key) == feed
    assert gzip.decompress(storage.read_bytes(gzip_key(key))) == feed
    assert built["sha256"] == sha256(feed)
    assert built["etag"] == storage.head(key).etag
    assert built["gzip_etag"] == storage.head(gzip_key(key)).etag
    for copy in (key, gzip_key(key)):
        assert storage.head(copy).metadata[SHA256_METADATA] == sha256(feed)


def test_a_feed_a_failed_build_wrote_is_replaced_when_its_change_is_undone(
    producer: TestClient,
) -> None:
    """A build writes the public feed, then fails on the private feed (the store refuses its
    write): the record still names the feed before. When the change is undone, the next build
    renders that feed again — unchanged by the record — and writes it back."""
    guid = produce(producer, access="both")
    storage = storage_of(producer)
    published = storage.read_bytes(feed_key(guid))

    retitle(producer, "A better title")
    with pytest.raises(StorageError):
        watched_rebuild(producer, guid, failing=frozenset({private_feed_key(guid)}))
    assert b"A better title" in storage.read_bytes(feed_key(guid))
    assert recorded_sha256(producer, guid) == sha256(published)

    retitle(producer, f"Episode {FREE}")
    built = rebuild(producer, guid)
    assert (built["changed"], built["private_changed"]) == (False, False)
    assert_published(producer, guid, built, published)
    # Now the store and the record agree: the next build leaves the feed alone.
    stored = storage.head(feed_key(guid))
    assert rebuild(producer, guid)["etag"] == stored.etag
    assert storage.head(feed_key(guid)) == stored


@pytest.mark.parametrize("copy", ["plain", "gzip"])
def test_a_feed_deleted_by_hand_is_written_again(producer: TestClient, copy: str) -> None:
    guid = produce(producer, access="public")
    storage = storage_of(producer)
    key = feed_key(guid)
    published = storage.read_bytes(key)
    storage.delete(key if copy == "plain" else gzip_key(key))

    built = rebuild(producer, guid)
    assert built["changed"] is False
    assert_published(producer, guid, built, published)


def test_a_feed_stored_before_it_carried_its_hash_is_written_once_more(
    producer: TestClient, tmp_path: Path
) -> None:
    guid = produce(producer, access="public")
    storage = storage_of(producer)
    key = feed_key(guid)
    published = storage.read_bytes(key)
    rendered = tmp_path / "feed.xml"
    rendered.write_bytes(published)
    put_feed(storage, key, rendered, metadata=feed_metadata(None))  # as builds stored it

    built = rebuild(producer, guid)
    assert built["changed"] is False
    assert_published(producer, guid, built, published)
    assert storage.head(key).metadata == public_metadata(sha256(published), None)
    stored = storage.head(key), storage.head(gzip_key(key))
    rebuild(producer, guid)
    assert (storage.head(key), storage.head(gzip_key(key))) == stored


def test_a_rebuild_reads_neither_feed_back(producer: TestClient) -> None:
    guid = produce(producer, access="both")
    built, watched = watched_rebuild(producer, guid)
    assert (built["changed"], built["private_changed"]) == (False, False)
    assert watched.opened == []

    retitle(producer, "A better title")
    built, watched = watched_rebuild(producer, guid)
    assert (built["changed"], built["private_changed"]) == (True, True)
    assert watched.opened == []
    private = storage_of(producer).read_bytes(private_feed_key(guid))
    assert b"A better title" in private
    metadata = storage_of(producer).head(private_feed_key(guid)).metadata
    assert metadata == {SHA256_METADATA: sha256(private)}


def test_a_private_feed_stored_before_it_carried_its_hash_is_read_back_once(
    producer: TestClient,
) -> None:
    guid = produce(producer, access="both")
    storage = storage_of(producer)
    key = private_feed_key(guid)
    private = storage.read_bytes(key)
    storage.put_bytes(key, private, content_type="application/rss+xml")  # as builds stored it
    assert storage.head(key).metadata == {}

    built, watched = watched_rebuild(producer, guid)
    assert built["private_changed"] is False  # the same feed: nobody is told it changed
    assert watched.opened == [key]
    assert storage.read_bytes(key) == private
    assert storage.head(key).metadata == {SHA256_METADATA: sha256(private)}
    _, watched = watched_rebuild(producer, guid)
    assert watched.opened == []


def test_a_private_only_feed_deleted_by_hand_is_written_again(producer: TestClient) -> None:
    guid = produce(producer, access="private")
    storage = storage_of(producer)
    key = private_feed_key(guid)
    private = storage.read_bytes(key)
    storage.delete(key)

    built = rebuild(producer, guid)
    assert built["changed"] is False
    assert storage.read_bytes(key) == private
    assert storage.head(key).metadata == {SHA256_METADATA: sha256(private)}
    stored = storage.head(key)
    rebuild(producer, guid)
    assert storage.head(key) == stored


def test_the_hash_goes_first_and_the_move_beside_it_when_it_fits() -> None:
    digest = sha256(b"feed")
    move = ("https://new-host.example.com/feed.xml", 1_900_000_000)
    assert public_metadata(digest, move) == {
        SHA256_METADATA: digest,
        MOVE_METADATA: f"1900000000 {move[0]}",
    }
    # The longest move that fits beside the hash, and one byte more (left to the database).
    room = MAX_METADATA_BYTES - len(SHA256_METADATA) - len(digest) - len(MOVE_METADATA)
    fits = "https://e.com/" + "a" * (room - len("1900000000 https://e.com/"))
    assert validate_metadata(public_metadata(digest, (fits, 1_900_000_000)))[MOVE_METADATA]
    assert public_metadata(digest, (fits + "a", 1_900_000_000)) == {SHA256_METADATA: digest}
