"""Feed builds end to end: API → Redis → a real worker → storage → podcatcher parsers."""

from __future__ import annotations

import hashlib
import io
import re
import time
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import feedparser  # type: ignore[import-untyped]
import httpx
import httpx2
import podcastparser  # type: ignore[import-untyped]
import pytest
from PIL import Image
from starlette.testclient import TestClient

from feeds.parse import parse_feed
from podops.api import create_app
from podops.db import Database
from podops.imports.feed_tags import episode_tags as import_episode_tags
from podops.imports.feed_tags import show_tags as import_show_tags
from podops.resources import dump_resource, parse_resource
from podops.settings import Settings
from podops.storage.keys import feed_key
from tests.conftest import make_settings
from tests.fetch import servers
from tests.fetch.servers import LocalServer, running
from tests.media import mpeg_frames
from tests.media.mpeg_frames import cbr_44100
from tests.support.auth import bearer, context_of, token_for
from tests.support.documents import ROLL_GUID, episode, episode_tags, show, show_tags
from tests.support.operations import poll
from tests.support.partytime import ensure_partytime_installed, parse_with_partytime
from tests.support.processes import WorkerProcess, free_port
from tests.support.s3 import s3_environment

pytestmark = pytest.mark.slow

SCOPES = "production:read production:write production:build resource:read resource:write"
PROD = "build-podcast"
BASE = f"/a/v1/resource/{PROD}"
MP3 = cbr_44100(frames=1723)
DAY = 86400


def artwork() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1400, 1400), (200, 30, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


def build(client: TestClient, query: str = "", **body: Any) -> dict[str, Any]:
    response = client.post(f"/a/v1/build{query}", json={"guid": PROD, **body})
    assert response.status_code == 202, response.text
    assert response.headers["location"].startswith("/a/v1/operations/")
    return poll(client, response.headers["location"])


def produce(client: TestClient, *, episodes: int = 2) -> list[dict[str, Any]]:
    """A production with artwork, an uploaded MP3 and `episodes` episodes (one on the MP3)."""
    assert client.post("/a/v1/production", json={"name": PROD, "title": "T"}).status_code == 201
    cover = client.post(
        f"/a/v1/upload/{PROD}?role=artwork&name=cover-art-2024",
        content=artwork(),
        headers={"Content-Type": "image/jpeg"},
    )
    assert cover.status_code == 201, cover.text
    audio = client.post(
        f"/a/v1/upload/{PROD}?name=episode-one-audio",
        content=MP3,
        headers={"Content-Type": "audio/mpeg"},
    )
    assert audio.status_code == 201, audio.text
    document = show(PROD)
    document["image"] = {"rel": "asset", "name": "cover-art-2024"}
    assert client.post(f"{BASE}/show/{PROD}", json=document).status_code == 201
    made = []
    now = int(time.time())
    for number in range(episodes):
        body = episode(
            f"episode-{number:04d}",
            date=now - (episodes - number) * DAY,
            season=1,
            episode=number + 1,
        )
        if number == 0:
            body["enclosure"] = {"rel": "asset", "name": "episode-one-audio"}
        else:
            body["enclosure"]["duration"] = 600.0 + number
        response = client.post(f"{BASE}/episode/episode-{number:04d}", json=body)
        assert response.status_code == 201, response.text
        made.append(response.json())
    return made


def stored_feed(client: TestClient) -> Path:
    """The published feed's file in the test's local storage."""
    settings = context_of(client).settings
    assert settings.storage_url.startswith("file://"), settings.storage_url
    guid = client.get(f"/a/v1/production/{PROD}").json()["guid"]
    return Path(settings.storage_url.removeprefix("file://")) / feed_key(guid)


def fetch_feed(client: TestClient, feed_url: str, encoding: str = "identity") -> httpx2.Response:
    """The feed as served to a client that accepts `encoding` (the body decoded)."""
    base = context_of(client).settings.base_url
    return client.get(feed_url.removeprefix(base), headers={"Accept-Encoding": encoding})


@pytest.fixture
def producer(client: TestClient, worker: WorkerProcess) -> TestClient:
    client.headers.update(bearer(token_for(context_of(client), "host@example.com", SCOPES)))
    return client


def test_a_build_publishes_a_feed_every_parser_reads(producer: TestClient) -> None:
    client = producer
    made = produce(client)
    done = build(client)
    assert done["status"] == "Success", done
    result = done["result"]
    assert result["items"] == 2
    assert result["published"] is True
    assert result["changed"] is True
    assert result["alias_url"].endswith(f"/s/{PROD}/feed.xml")

    alias = client.get(f"/s/{PROD}/feed.xml", follow_redirects=False)
    assert alias.status_code == 307
    assert alias.headers["location"] == result["feed_url"]
    feed = fetch_feed(client, result["feed_url"])
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("application/rss+xml")
    assert (
        client.get(
            result["feed_url"].removeprefix(context_of(client).settings.base_url),
            headers={"If-None-Match": feed.headers["etag"], "Accept-Encoding": "identity"},
        ).status_code
        == 304
    )

    parsed = feedparser.parse(feed.content)
    assert not parsed.bozo
    podcast = podcastparser.parse(result["feed_url"], io.BytesIO(feed.content))
    ensure_partytime_installed()
    partytime = parse_with_partytime(feed.content)
    by_guid_fp = {entry.id: entry for entry in parsed.entries}
    by_guid_pp = {entry["guid"]: entry for entry in podcast["episodes"]}
    by_guid_pt = {item["guid"]: item for item in partytime["items"]}
    assert len(by_guid_fp) == len(by_guid_pp) == len(by_guid_pt) == len(made)
    for document in made:
        guid = document["metadata"]["guid"]
        entry, item, party = by_guid_fp[guid], by_guid_pp[guid], by_guid_pt[guid]
        enclosure = document["enclosure"]
        if enclosure["rel"] == "asset":
            asset = client.get(f"{BASE}/asset/{enclosure['name']}").json()["description"]
            url, length, kind = asset["url"], asset["size"], asset["type"]
            duration = round(asset["duration"])
        else:
            url, length, kind = enclosure["url"], enclosure["length"], enclosure["type"]
            duration = round(enclosure["duration"])
        assert entry.enclosures[0].href == url
        assert int(entry.enclosures[0].length) == length
        assert entry.enclosures[0].type == kind
        assert (
            int(time.mktime(entry.published_parsed)) - time.timezone == document["metadata"]["date"]
        )
        assert item["enclosures"][0]["url"] == url
        assert item["enclosures"][0]["file_size"] == length
        assert item["enclosures"][0]["mime_type"] == kind
        assert item["published"] == document["metadata"]["date"]
        assert item["total_time"] == duration
        assert party["enclosure"] == {"url": url, "length": length, "type": kind}
        assert party["pub_date_ms"] == document["metadata"]["date"] * 1000
        assert party["duration"] == duration
        assert guid != url


def test_an_unchanged_rebuild_writes_nothing_and_validate_publishes_nothing(
    producer: TestClient,
) -> None:
    client = producer
    produce(client)
    checked = build(client, "?validate=true")
    assert checked["status"] == "Success", checked
    assert checked["result"]["published"] is False
    assert client.get(f"/s/{PROD}/feed.xml").status_code == 404  # nothing published yet
    first = build(client)
    feed_url = first["result"]["feed_url"]
    before = fetch_feed(client, feed_url)
    # The stored file itself: a rewrite (temp file + rename) would change its inode and
    # nanosecond mtime at once, where Last-Modified alone could not tell within a second.
    stored = stored_feed(client).stat()
    again = build(client, "?v=true")
    assert again["result"]["changed"] is False
    unchanged = build(client)
    assert unchanged["result"]["changed"] is False
    after = fetch_feed(client, feed_url)
    assert after.content == before.content
    assert after.headers["last-modified"] == before.headers["last-modified"]
    kept = stored_feed(client).stat()
    assert (kept.st_ino, kept.st_mtime_ns) == (stored.st_ino, stored.st_mtime_ns)


def last_build_date(feed: bytes) -> int:
    found = re.findall(rb"<lastBuildDate>([^<]*)</lastBuildDate>", feed)
    assert len(found) == 1, found
    return int(parsedate_to_datetime(found[0].decode()).timestamp())


def test_the_build_result_names_the_served_etag_and_a_change_moves_last_build_date(
    producer: TestClient,
) -> None:
    client = producer
    made = produce(client)
    first = build(client)
    served = fetch_feed(client, first["result"]["feed_url"])
    assert first["result"]["etag"] == served.headers["etag"]
    assert first["result"]["sha256"] == hashlib.sha256(served.content).hexdigest()
    # An episode's title changes (not the show, not the newest date): the feed changed, so
    # its lastBuildDate is the time of this build.
    changed = made[0]
    changed["description"]["title"] = "A better title"
    path = f"{BASE}/episode/{changed['metadata']['name']}"
    assert client.put(path, json=changed, headers={"If-Match": "*"}).status_code == 200
    started = int(time.time())
    second = build(client)
    assert second["result"]["changed"] is True
    feed = fetch_feed(client, second["result"]["feed_url"])
    assert b"A better title" in feed.content
    assert last_build_date(feed.content) >= started
    assert second["result"]["etag"] == feed.headers["etag"] != served.headers["etag"]
    # Unchanged since: the same date, the same bytes, the same ETag.
    third = build(client)
    assert third["result"]["changed"] is False
    again = fetch_feed(client, third["result"]["feed_url"])
    assert again.content == feed.content
    assert third["result"]["etag"] == again.headers["etag"] == feed.headers["etag"]
    # The compressed form, made once at publish, says the same and has its own ETag.
    packed = fetch_feed(client, third["result"]["feed_url"], "gzip")
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.content == feed.content
    assert third["result"]["gzip_etag"] == packed.headers["etag"] != feed.headers["etag"]


def test_a_failed_build_names_every_field_and_keeps_the_previous_feed(
    producer: TestClient,
) -> None:
    client = producer
    made = produce(client)
    published = build(client)
    before = fetch_feed(client, published["result"]["feed_url"]).content
    # The show's artwork and an episode's audio are deleted after the first build.
    assert client.delete(f"{BASE}/asset/cover-art-2024").status_code == 204
    assert client.delete(f"{BASE}/asset/episode-one-audio").status_code == 204
    failed = build(client)
    assert failed["status"] == "Failed"
    assert failed["error"]["code"] == "podops.build.invalid"
    paths = {finding["path"] for finding in failed["error"]["report"]["errors"]}
    assert "episodes[0].enclosure" in paths
    assert any(path.startswith("show.image") for path in paths), paths
    assert fetch_feed(client, published["result"]["feed_url"]).content == before
    # The episodes are all still there; only the build refused.
    listed = client.get(f"{BASE}/episode").json()["resources"]
    assert {doc["metadata"]["guid"] for doc in listed} == {doc["metadata"]["guid"] for doc in made}


def test_a_show_with_only_the_schemas_required_fields_builds(producer: TestClient) -> None:
    """What the schema requires is what a build needs: nothing accepted fails later."""
    client = producer
    assert client.post("/a/v1/production", json={"name": PROD, "title": "T"}).status_code == 201
    minimal = {
        "apiVersion": "v1",
        "kind": "show",
        "metadata": {"name": PROD},
        "description": {
            "title": "Minimal",
            "summary": "Only what is required.",
            "categories": [{"category": "Comedy"}],
            "language": "en",
            "owner": {"name": "Ana", "email": "ana@example.com"},
        },
        "image": {"rel": "external", "url": "https://cdn.example.com/minimal.jpg"},
    }
    assert client.post(f"{BASE}/show/{PROD}", json=minimal).status_code == 201
    item = {
        "apiVersion": "v1",
        "kind": "episode",
        "metadata": {"name": "episode-one"},
        "description": {"title": "One"},
        "enclosure": {
            "rel": "external",
            "url": "https://cdn.example.com/one.mp3",
            "type": "audio/mpeg",
            "length": 1000,
        },
    }
    assert client.post(f"{BASE}/episode/episode-one", json=item).status_code == 201
    done = build(client)
    assert done["status"] == "Success", done["error"]
    assert done["result"]["items"] == 1


def test_a_show_without_episodes_is_not_published_unless_forced(producer: TestClient) -> None:
    client = producer
    assert client.post("/a/v1/production", json={"name": PROD, "title": "T"}).status_code == 201
    assert client.post(f"{BASE}/show/{PROD}", json=show(PROD)).status_code == 201
    refused = build(client)
    assert refused["status"] == "Failed"
    codes = {finding["code"] for finding in refused["error"]["report"]["errors"]}
    assert "no-episodes" in codes
    guid = client.get(f"/a/v1/production/{PROD}").json()["guid"]
    assert client.get(f"/f/{guid}/feed.xml").status_code == 404  # nothing was published
    forced = build(client, force=True)
    assert forced["status"] == "Success", forced["error"]
    assert "no-episodes" in {finding["code"] for finding in forced["result"]["warnings"]}


def test_the_guid_guard_refuses_to_drop_a_published_episode_unless_forced(
    producer: TestClient,
) -> None:
    client = producer
    produce(client, episodes=3)
    first = build(client)
    assert first["result"]["items"] == 3
    assert client.delete(f"{BASE}/episode/episode-0002").status_code == 204
    refused = build(client)
    assert refused["status"] == "Failed"
    codes = {finding["code"] for finding in refused["error"]["report"]["errors"]}
    assert codes == {"published-episode-dropped"}
    changed = episode("episode-0001", date=int(time.time()) - 2 * DAY)
    changed["enclosure"]["url"] = "https://cdn.example.com/moved.mp3"
    assert client.put(f"{BASE}/episode/episode-0001", json=changed).status_code == 200
    refused = build(client)
    codes = {finding["code"] for finding in refused["error"]["report"]["errors"]}
    assert codes == {"published-episode-dropped", "published-enclosure-changed"}
    forced = build(client, force=True)
    assert forced["status"] == "Success", forced
    assert forced["result"]["items"] == 2
    warned = {finding["code"] for finding in forced["result"]["warnings"]}
    assert {"published-episode-dropped", "published-enclosure-changed"} <= warned


def test_a_scheduled_episode_appears_when_its_time_comes(producer: TestClient) -> None:
    client = producer
    produce(client, episodes=1)
    soon = int(time.time()) + 3
    body = episode("episode-later", date=soon)
    body["enclosure"]["duration"] = 60.0
    assert client.post(f"{BASE}/episode/episode-later", json=body).status_code == 201
    first = build(client)
    assert first["result"]["items"] == 1
    context = context_of(client)
    assert context.jobs.start_scheduled_builds(at=soon - 1) == []  # not yet due
    # The worker's build publishes what is due by its own clock, so real time must reach
    # the episode's date before the build the sweeper starts.
    time.sleep(max(0.0, soon - time.time()))
    started = context.jobs.start_scheduled_builds(at=soon)  # what the periodic sweeper does
    assert len(started) == 1
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        feed = fetch_feed(client, first["result"]["feed_url"])
        if b"episode-later" in feed.content or feed.content.count(b"<item>") == 2:
            break
        time.sleep(0.2)
    assert feed.content.count(b"<item>") == 2


def test_build_requests_that_cannot_start(producer: TestClient) -> None:
    client = producer
    produce(client, episodes=1)
    stranger = bearer(token_for(context_of(client), "x@example.com", SCOPES))
    assert client.post("/a/v1/build", json={"guid": PROD}, headers=stranger).status_code == 404
    for body, query in [
        ({}, ""),
        ({"guid": PROD, "extra": 1}, ""),
        ({"guid": 5}, ""),
        ({"guid": PROD}, "?validate=maybe"),
    ]:
        response = client.post(f"/a/v1/build{query}", json=body)
        assert response.status_code == 400, (body, query, response.text)
    no_scope = bearer(token_for(context_of(client), "host@example.com", "resource:read"))
    assert client.post("/a/v1/build", json={"guid": PROD}, headers=no_scope).status_code == 403


def test_a_build_requested_while_one_is_busy_returns_that_one(
    client: TestClient, settings: Settings
) -> None:
    # No worker here: the first build stays Busy.
    client.headers.update(bearer(token_for(context_of(client), "host@example.com", SCOPES)))
    assert client.post("/a/v1/production", json={"name": PROD, "title": "T"}).status_code == 201
    first = client.post("/a/v1/build", json={"guid": PROD})
    second = client.post("/a/v1/build", json={"guid": PROD})
    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"]
    validate = client.post("/a/v1/build?validate=true", json={"guid": PROD})
    assert validate.json()["id"] != first.json()["id"]


def test_builds_publish_to_s3_too(
    tmp_path: Path,
    database: Database,
    redis_url: str,
    moto_endpoint: str,
    s3_bucket: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.support.s3 import use_dummy_aws_credentials

    use_dummy_aws_credentials(monkeypatch)
    settings = make_settings(
        tmp_path,
        PODOPS_DATABASE_URL=database.url,
        PODOPS_BROKER_URL=redis_url,
        **s3_environment(moto_endpoint, s3_bucket, "build-test"),
    )
    worker = WorkerProcess(settings, tmp_path / "worker.log")
    worker.start()
    try:
        with TestClient(create_app(settings)) as client:
            client.headers.update(bearer(token_for(context_of(client), "h@example.com", SCOPES)))
            produce(client, episodes=1)
            done = build(client)
            assert done["status"] == "Success", (done["error"], worker.log())
            feed = client.get(
                done["result"]["feed_url"].removeprefix(settings.base_url), follow_redirects=False
            )
            assert feed.status_code == 307
            published = httpx.get(feed.headers["location"])
            assert published.status_code == 200
            assert b"<rss" in published.content
            media_url = client.get(f"{BASE}/asset/episode-one-audio").json()["description"]["url"]
            media = client.get(media_url.removeprefix(settings.base_url), follow_redirects=False)
            assert media.status_code == 307
            assert httpx.get(media.headers["location"]).content == MP3
    finally:
        worker.stop()


def test_a_worker_killed_mid_build_leaves_the_old_feed_or_the_new_one(
    client: TestClient, settings: Settings, tmp_path: Path
) -> None:
    from podops.auth import Principal
    from podops.operations import FINISH_GRACE_SECONDS
    from podops.resources import parse_resource
    from podops.services import productions, resources

    client.headers.update(bearer(token_for(context_of(client), "host@example.com", SCOPES)))
    produce(client, episodes=1)
    context = context_of(client)
    first_worker = WorkerProcess(settings, tmp_path / "first.log")
    first_worker.start()
    try:
        old = build(client)
        assert old["status"] == "Success", old
        # Enough episodes that the next build takes a while: seeded through the service layer.
        claims = context.authenticator.tokens.verify(client.headers["authorization"].split()[1])
        with context.database.session() as session:
            production = productions.get_production(session, Principal(claims), PROD)
            for number in range(4000):
                name = f"bulk-{number:05d}"
                body = episode(name, date=1_600_000_000 + number * 3600)
                body["description"]["notes"] = (
                    "Some *notes* with [a link](https://example.com).\n" * 5
                )
                resources.create_resource(session, production, parse_resource(body), path_name=name)
        started = client.post("/a/v1/build", json={"guid": PROD})
        location = started.headers["location"]
        deadline = time.monotonic() + 30
        while client.get(location).json()["started"] is None and time.monotonic() < deadline:
            time.sleep(0.01)
        first_worker.kill()
    finally:
        first_worker.stop()
    assert client.get(location).json()["status"] == "Busy"  # killed while building
    feed_path = old["result"]["feed_url"].removeprefix(settings.base_url)
    assert client.get(feed_path).content.count(b"<item>") == 1  # the old feed, whole

    second_worker = WorkerProcess(settings, tmp_path / "second.log")
    second_worker.start()
    try:
        later = int(time.time()) + settings.task_time_limit + FINISH_GRACE_SECONDS + 1
        assert [op.id for op in context.jobs.sweep(at=later).resend] == [location.rsplit("/", 1)[1]]
        done = poll(client, location, timeout=120)
    finally:
        second_worker.stop()
    assert done["status"] == "Success", done
    assert done["attempts"] == 2
    new_feed = client.get(feed_path).content
    assert new_feed.count(b"<item>") == 4001
    assert feedparser.parse(new_feed).bozo == 0


def test_a_show_larger_than_the_item_cache_is_built_without_it(
    client: TestClient, settings: Settings
) -> None:
    """The worker's pipeline in this process, with a cache too small for any show and with the
    default one: the same feed, and the small cache is never filled."""
    from dataclasses import replace

    from podops.jobs import ValidateJob
    from podops.publish import pipeline

    client.headers.update(bearer(token_for(context_of(client), "host@example.com", SCOPES)))
    produce(client, episodes=3)
    context = context_of(client)
    guid = client.get(f"/a/v1/production/{PROD}").json()["guid"]
    etags = []
    for megabytes in (0, 64):
        runtime = replace(context, settings=replace(settings, build_cache_mb=megabytes))
        cache = pipeline.item_cache(megabytes)
        made_before = cache.misses
        result = pipeline.build_feed(
            runtime, ValidateJob(production=guid), operation_id=f"cache{megabytes}"
        )
        assert result["items"] == 3
        assert result["validated"] is True
        etags.append(result["sha256"])
        if megabytes == 0:
            assert (len(cache), cache.hits, cache.misses) == (0, 0, 0)
        else:
            assert cache.misses >= made_before + 3  # lint and render made them, and kept them
            assert len(cache) >= 3
    assert etags[0] == etags[1]


@pytest.fixture
def media_host() -> Iterator[LocalServer]:
    """A media server elsewhere, for external enclosures the build has to probe."""
    with running(LocalServer()) as server:
        yield server


@pytest.fixture
def prober(
    tmp_path: Path, database: Database, redis_url: str, media_host: LocalServer
) -> Iterator[TestClient]:
    """A producer whose worker may fetch from `media_host` (and nothing else private)."""
    settings = make_settings(
        tmp_path,
        PODOPS_DATABASE_URL=database.url,
        PODOPS_BROKER_URL=redis_url,
        PODOPS_FETCH_ALLOW=media_host.allow,
    )
    worker = WorkerProcess(settings, tmp_path / "worker.log")
    worker.start()
    try:
        with TestClient(create_app(settings)) as client:
            client.headers.update(bearer(token_for(context_of(client), "host@example.com", SCOPES)))
            yield client
    finally:
        worker.stop()


def add_external(client: TestClient, name: str, url: str) -> None:
    """An episode on media elsewhere, its length and type left for the build to find."""
    document = episode(name, date=int(time.time()) - DAY)
    document["enclosure"] = {"rel": "external", "url": url, "duration": 600.0}
    response = client.post(f"{BASE}/episode/{name}", json=document)
    assert response.status_code == 201, response.text


def test_the_build_probes_an_external_enclosure_once_and_records_it(
    prober: TestClient, media_host: LocalServer
) -> None:
    client = prober
    produce(client, episodes=1)
    # Types from the URL's extension (the server's is no media type), and from the server.
    media_host.routes["/media/second.mp3"] = servers.body(MP3, "application/octet-stream")
    media_host.routes["/stream/third"] = servers.body(MP3[:5000], "audio/x-m4a")
    add_external(client, "episode-0001", media_host.url("/media/second.mp3"))
    add_external(client, "episode-0002", media_host.url("/stream/third"))
    etag_before = client.get(f"{BASE}/episode/episode-0001").headers["etag"]

    done = build(client)

    assert done["status"] == "Success", done
    feed = fetch_feed(client, done["result"]["feed_url"]).content
    enclosures = {
        entry.enclosures[0].href: (int(entry.enclosures[0].length), entry.enclosures[0].type)
        for entry in feedparser.parse(feed).entries
    }
    assert enclosures[media_host.url("/media/second.mp3")] == (len(MP3), "audio/mpeg")
    assert enclosures[media_host.url("/stream/third")] == (5000, "audio/x-m4a")
    stored = client.get(f"{BASE}/episode/episode-0001")
    assert stored.json()["enclosure"] == {
        "rel": "external",
        "url": media_host.url("/media/second.mp3"),
        "duration": 600.0,
        "length": len(MP3),
        "type": "audio/mpeg",
    }
    assert stored.headers["etag"] != etag_before  # the stored document changed
    third = client.get(f"{BASE}/episode/episode-0002").json()["enclosure"]
    assert (third["length"], third["type"]) == (5000, "audio/x-m4a")
    asked = sorted((seen.method, seen.path) for seen in media_host.requests)
    assert asked == [("HEAD", "/media/second.mp3"), ("HEAD", "/stream/third")]

    again = build(client)

    assert again["status"] == "Success", again
    assert again["result"]["changed"] is False
    assert len(media_host.requests) == 2  # each URL was asked once, by the first build


def test_the_probe_reads_a_missing_duration_from_the_head_of_the_file(
    prober: TestClient, media_host: LocalServer
) -> None:
    client = prober
    produce(client, episodes=1)
    # An hour-long VBR MP3 with its frame count, behind 200 KB of ID3 tag (cover art).
    frames = [mpeg_frames.frame(kbps) for kbps in mpeg_frames.vbr_pattern(3000)]
    vbr = mpeg_frames.id3v2(200_000) + mpeg_frames.with_xing(frames)
    media_host.routes["/media/timed.mp3"] = servers.range_body(vbr)
    media_host.routes["/media/untimed.ogg"] = servers.range_body(b"OggS" + bytes(50_000))
    for name, path in (
        ("episode-0001", "/media/timed.mp3"),
        ("episode-0002", "/media/untimed.ogg"),
    ):
        document = episode(name, date=int(time.time()) - DAY)
        document["enclosure"] = {"rel": "external", "url": media_host.url(path)}
        assert client.post(f"{BASE}/episode/{name}", json=document).status_code == 201

    done = build(client)

    assert done["status"] == "Success", done
    seconds = 3000 * mpeg_frames.SAMPLES_PER_FRAME / 48000
    stored = client.get(f"{BASE}/episode/episode-0001").json()["enclosure"]
    assert stored["duration"] == pytest.approx(seconds, abs=0.001)
    assert (stored["length"], stored["type"]) == (len(vbr), "audio/mpeg")
    feed = feedparser.parse(fetch_feed(client, done["result"]["feed_url"]).content)
    durations = {entry.enclosures[0].href: entry.get("itunes_duration") for entry in feed.entries}
    assert durations[media_host.url("/media/timed.mp3")] == str(round(seconds))
    # Ogg states no duration in its head: length and type recorded, the duration left out.
    untimed = client.get(f"{BASE}/episode/episode-0002").json()["enclosure"]
    assert (untimed["length"], "duration" in untimed) == (50_004, False)
    ranges = [seen.headers.get("Range") for seen in media_host.requests if seen.method == "GET"]
    assert ranges
    assert all(asked and asked.startswith("bytes=") for asked in ranges)
    asked = len(media_host.requests)

    again = build(client)

    assert again["status"] == "Success", again
    assert len(media_host.requests) == asked  # each URL was asked by the first build only


def test_an_enclosure_that_cannot_be_probed_fails_the_build_naming_the_episode(
    prober: TestClient, media_host: LocalServer
) -> None:
    client = prober
    produce(client, episodes=1)
    missing = media_host.url("/media/missing.mp3")
    add_external(client, "episode-0001", missing)
    blocked = f"http://127.0.0.1:{free_port()}/media/elsewhere.mp3"
    add_external(client, "episode-0002", blocked)

    failed = build(client)

    assert failed["status"] == "Failed"
    assert failed["error"]["code"] == "podops.build.invalid"
    errors = {
        finding["path"]: finding
        for finding in failed["error"]["report"]["errors"]
        if finding["code"] == "enclosure-probe"
    }
    assert set(errors) == {"episodes[1].enclosure", "episodes[2].enclosure"}
    assert missing in errors["episodes[1].enclosure"]["message"]
    assert "answered 404" in errors["episodes[1].enclosure"]["message"]
    assert '"Episode episode-0001"' in errors["episodes[1].enclosure"]["message"]
    assert blocked in errors["episodes[2].enclosure"]["message"]
    assert "not a public address" in errors["episodes[2].enclosure"]["message"]
    # Nothing was found, so nothing was recorded.
    stored = client.get(f"{BASE}/episode/episode-0001").json()["enclosure"]
    assert "length" not in stored
    assert "type" not in stored


def as_document(tags: dict[str, Any], kind: str) -> dict[str, Any]:
    """The tag fields as the schema holds them, defaults filled in, for comparing."""
    if kind == "show":
        document = show("tagged-show", **tags)
    else:
        document = episode("tagged-episode", season=1, **tags)
    described: dict[str, Any] = dump_resource(parse_resource(document))["description"]
    return {key: described.get(key) for key in tags}


def test_every_podcast_index_tag_is_published_as_stored(producer: TestClient) -> None:
    """A show and an episode using every tag (some on uploaded assets) build; the feed, read
    back by the feed parser into document fields, says what the documents say, with each
    uploaded asset as its URL; partytime reads the tags too."""
    client = producer
    made = produce(client, episodes=2)
    cover = client.get(f"{BASE}/asset/cover-art-2024").json()["description"]
    audio = client.get(f"{BASE}/asset/episode-one-audio").json()["description"]
    stored_show = client.get(f"{BASE}/show/{PROD}").json()
    stored_show["description"].update(
        show_tags(trailer_asset="episode-one-audio", image_asset="cover-art-2024")
    )
    path = f"{BASE}/show/{PROD}"
    assert client.put(path, json=stored_show, headers={"If-Match": "*"}).status_code == 200
    # The episode on an external enclosure of 601 s, long enough for its soundbites.
    tagged = made[1]
    tagged["description"].update(
        episode_tags(source_asset="episode-one-audio", image_asset="cover-art-2024")
    )
    path = f"{BASE}/episode/{tagged['metadata']['name']}"
    assert client.put(path, json=tagged, headers={"If-Match": "*"}).status_code == 200

    done = build(client)
    assert done["status"] == "Success", done
    xml = fetch_feed(client, done["result"]["feed_url"]).content
    parsed = parse_feed(xml)
    assert not parsed.problems

    expected_show = show_tags()
    expected_show["trailers"][1]["media"] = {
        "rel": "external",
        "url": audio["url"],
        "type": audio["type"],
        "length": audio["size"],
    }
    expected_show["image_srcset"][0] = {"rel": "external", "url": cover["url"], "width": 1400}
    assert as_document(import_show_tags(parsed.show), "show") == as_document(expected_show, "show")
    expected_episode = episode_tags()
    del expected_episode["season"]
    alternate = expected_episode["alternate_enclosures"][1]
    alternate["sources"][0] = {"rel": "external", "uri": audio["url"]}
    alternate["length"] = audio["size"]  # the uploaded source's, as the document left it out
    expected_episode["image_srcset"][0]["url"] = cover["url"]
    (item,) = [item for item in parsed.episodes if item.guid == tagged["metadata"]["guid"]]
    assert as_document(import_episode_tags(item), "episode") == as_document(
        expected_episode, "episode"
    )

    ensure_partytime_installed()
    found = parse_with_partytime(xml)
    channel = found["channel"]["namespace"]
    assert channel["medium"] == "podcast"
    assert channel["license"]["identifier"] == "cc-by-4.0"
    assert [t["url"] for t in channel["trailers"]] == [
        "https://cdn.example.com/trailer.mp3",
        audio["url"],
    ]
    assert [r["feedGuid"] for r in channel["podroll"]] == [ROLL_GUID]
    (party_item,) = [i for i in found["items"] if i["guid"] == tagged["metadata"]["guid"]]
    tags = party_item["namespace"]
    assert tags["podcastSeason"] == {"number": 1, "name": "Origins"}
    assert [(s["startTime"], s["duration"]) for s in tags["podcastSoundbites"]] == [
        (73.0, 60.0),
        (4.5, 15.25),
    ]
    assert [s["uri"] for s in tags["alternativeEnclosures"][1]["source"]] == [
        audio["url"],
        "magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a",
    ]


def test_a_paged_feed_publishes_archive_pages_the_feed_links_to(producer: TestClient) -> None:
    """feed_episodes 3 of 7 episodes: the main feed with 3, archive pages of 3 and 1 that
    feedparser reaches by their `next` links through podops' own routes; a rebuild writes no
    page again."""
    client = producer
    made = produce(client, episodes=7)
    stored = client.get(f"{BASE}/show/{PROD}").json()
    stored["description"]["feed_episodes"] = 3
    path = f"{BASE}/show/{PROD}"
    assert client.put(path, json=stored, headers={"If-Match": "*"}).status_code == 200

    done = build(client)
    assert done["status"] == "Success", done
    result = done["result"]
    assert (result["pages"], result["pages_written"], result["items"]) == (3, 2, 7)
    url: str | None = result["feed_url"]
    guids: list[str] = []
    visited = []
    while url is not None:
        visited.append(url)
        response = fetch_feed(client, url)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/rss+xml")
        parsed: Any = feedparser.parse(response.content)
        guids += [entry.id for entry in parsed.entries]
        url = {link.rel: link.href for link in parsed.feed.links}.get("next")
    base = result["feed_url"].removesuffix("feed.xml")
    assert visited == [result["feed_url"], f"{base}archive/2.xml", f"{base}archive/1.xml"]
    # Every episode on exactly one page, newest first across the pages.
    assert guids == [document["metadata"]["guid"] for document in reversed(made)]

    again = build(client)
    assert again["status"] == "Success", again
    assert (again["result"]["changed"], again["result"]["pages_written"]) == (False, 0)

    # Bigger pages: the feed links one page now, and the one it no longer links is removed.
    stored = client.get(path).json()
    stored["description"]["feed_episodes"] = 4
    assert client.put(path, json=stored, headers={"If-Match": "*"}).status_code == 200
    fewer = build(client)
    assert fewer["status"] == "Success", fewer
    assert (fewer["result"]["pages"], fewer["result"]["pages_removed"]) == (2, 1)
    assert fetch_feed(client, f"{base}archive/1.xml").status_code == 200
    assert fetch_feed(client, f"{base}archive/2.xml").status_code == 404
    # Paging off: no page is left behind.
    del stored["description"]["feed_episodes"]
    assert client.put(path, json=stored, headers={"If-Match": "*"}).status_code == 200
    whole = build(client)
    assert whole["status"] == "Success", whole
    assert whole["result"]["pages_removed"] == 1
    assert "pages" not in whole["result"]
    assert fetch_feed(client, f"{base}archive/1.xml").status_code == 404


@pytest.mark.parametrize("page", ["0", "01", "x", "99", "1.5", "1234567"])
def test_an_archive_page_that_is_not_there_is_404_in_the_error_shape(
    producer: TestClient, page: str
) -> None:
    client = producer
    produce(client, episodes=1)
    guid = client.get(f"/a/v1/production/{PROD}").json()["guid"]
    response = client.get(f"/f/{guid}/archive/{page}.xml")
    assert response.status_code == 404
    assert response.json()["code"] == "podops.feed.not_found"
    assert response.json()["success"] is False


def test_uploaded_transcripts_and_chapters_are_published_at_their_urls(
    producer: TestClient,
) -> None:
    client = producer
    made = produce(client, episodes=1)
    vtt = b"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHello.\n"
    chapters = b'{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Start"}]}'
    for name, data, kind in (
        ("episode-one-vtt", vtt, "text/vtt"),
        ("episode-one-chapters", chapters, "application/json"),
    ):
        uploaded = client.post(
            f"/a/v1/upload/{PROD}?name={name}", content=data, headers={"Content-Type": kind}
        )
        assert uploaded.status_code == 201, uploaded.text
    tagged = made[0]
    tagged["description"]["transcripts"] = [
        {"asset": "episode-one-vtt", "type": "text/vtt", "rel": "captions"}
    ]
    tagged["description"]["chapters"] = {"asset": "episode-one-chapters"}
    path = f"{BASE}/episode/{tagged['metadata']['name']}"
    assert client.put(path, json=tagged, headers={"If-Match": "*"}).status_code == 200

    done = build(client)
    assert done["status"] == "Success", done
    (item,) = parse_feed(fetch_feed(client, done["result"]["feed_url"]).content).episodes
    transcript_url = client.get(f"{BASE}/asset/episode-one-vtt").json()["description"]["url"]
    chapters_url = client.get(f"{BASE}/asset/episode-one-chapters").json()["description"]["url"]
    assert [(t.url, t.type, t.rel) for t in item.transcripts] == [
        (transcript_url, "text/vtt", "captions")
    ]
    assert item.chapters is not None
    assert item.chapters.url == chapters_url
    base = context_of(client).settings.base_url
    assert client.get(transcript_url.removeprefix(base)).content == vtt
    assert client.get(chapters_url.removeprefix(base)).content == chapters


def test_a_premium_episodes_transcript_and_image_reach_subscribers_only(
    producer: TestClient,
) -> None:
    client = producer
    [made] = produce(client, episodes=1)
    vtt = b"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nFor subscribers.\n"
    art = io.BytesIO()
    Image.new("RGB", (1400, 1400), (30, 200, 30)).save(art, format="JPEG")
    for name, data, kind in (
        ("episode-one-vtt", vtt, "text/vtt"),
        ("episode-one-art", art.getvalue(), "image/jpeg"),
    ):
        uploaded = client.post(
            f"/a/v1/upload/{PROD}?name={name}", content=data, headers={"Content-Type": kind}
        )
        assert uploaded.status_code == 201, uploaded.text
    document = client.get(f"{BASE}/show/{PROD}").json()
    document["description"]["access"] = "both"
    assert client.put(f"{BASE}/show/{PROD}", json=document).status_code == 200
    path = f"{BASE}/episode/{made['metadata']['name']}"

    def set_premium(premium: bool) -> None:
        document = client.get(path).json()
        document["description"]["premium"] = premium
        document["description"]["transcripts"] = [{"asset": "episode-one-vtt", "type": "text/vtt"}]
        document["image"] = {"rel": "asset", "name": "episode-one-art"}
        assert client.put(path, json=document).status_code == 200
        done = build(client)
        assert done["status"] == "Success", done

    set_premium(True)
    base = context_of(client).settings.base_url
    subscriber = client.post(f"/a/v1/production/{PROD}/subscribers", json={"name": "Ada"})
    assert subscriber.status_code == 201, subscriber.text
    private = client.get(subscriber.json()["feed_url"].removeprefix(base))
    assert private.status_code == 200, private.text
    (item,) = parse_feed(private.content).episodes
    assert item.image is not None
    signed = {"text/vtt": item.transcripts[0].url, "image/jpeg": item.image.url}
    public = {
        kind: client.get(f"{BASE}/asset/{name}").json()["description"]["url"]
        for kind, name in (("text/vtt", "episode-one-vtt"), ("image/jpeg", "episode-one-art"))
    }
    expected = {"text/vtt": vtt, "image/jpeg": art.getvalue()}
    for kind, url in signed.items():
        assert url.startswith(f"{base}/p/m/{subscriber.json()['id']}."), url
        served = client.get(url.removeprefix(base))
        assert served.status_code == 200, kind
        assert served.headers["content-type"] == kind
        assert served.content == expected[kind]
        assert client.get(public[kind].removeprefix(base)).status_code == 404, kind

    set_premium(False)
    for kind, url in public.items():
        served = client.get(url.removeprefix(base))
        assert served.status_code == 200, kind
        assert served.headers["content-type"] == kind
        assert served.content == expected[kind]
        assert client.get(signed[kind].removeprefix(base)).content == expected[kind]
