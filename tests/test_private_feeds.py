"""Private and premium feeds: subscribers' secret feed URLs, signed media, revocation,
and the same 404 for every bad token (nothing confirms a show or a subscriber exists)."""

from __future__ import annotations

import asyncio
import io
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from PIL import Image
from starlette.testclient import TestClient

from podops.api import create_app
from podops.db import Database
from podops.jobs import BuildJob
from podops.private.feed import fill, substitution
from podops.private.grants import Grant, MediaSigner
from podops.private.state import Limits, MemoryState
from podops.publish.pipeline import build_feed
from podops.publish.private import FEED_MARK, private_media_url
from tests.conftest import make_settings
from tests.feeds.samples import parse
from tests.media.mpeg_frames import cbr_44100
from tests.support.auth import bearer, context_of, token_for
from tests.support.producer import premium_production
from tests.support.s3 import s3_environment

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

SCOPES = "production:read production:write production:build resource:read resource:write"
PROD = "private-podcast"
BASE = f"/a/v1/resource/{PROD}"
SUBSCRIBERS = f"/a/v1/production/{PROD}/subscribers"
MP3 = cbr_44100(frames=400)
NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
}
NOT_FOUND_FEED = {"success": False, "code": "podops.feed.not_found", "message": "no such feed"}
NOT_FOUND_MEDIA = {"success": False, "code": "podops.media.not_found", "message": "no such media"}


@pytest.fixture
def producer(client: TestClient) -> TestClient:
    client.headers.update(bearer(token_for(context_of(client), "host@example.com", SCOPES)))
    return client


def produce(client: TestClient, *, access: str) -> str:
    """A show with a free episode (external media) and a premium one (an uploaded MP3),
    built; the production's GUID."""
    guid = premium_production(client, PROD, access=access)
    rebuild(client, guid)
    return guid


def rebuild(client: TestClient, guid: str, *, force: bool = False) -> dict[str, Any]:
    job = BuildJob(production=guid, force=force)
    return build_feed(context_of(client), job, operation_id="test-build")


def subscribe(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post(SUBSCRIBERS, json={"name": "Ada", **body})
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    assert made["feed_url"].startswith(context_of(client).settings.base_url + "/p/")
    return made


def local(client: TestClient, url: str) -> str:
    return url.removeprefix(context_of(client).settings.base_url)


def items(feed: bytes) -> dict[str, str]:
    """{title: enclosure URL} of the feed's items."""
    channel = parse(feed).find("channel")
    assert channel is not None
    return {
        item.findtext("title", ""): item.find("enclosure").get("url", "")  # type: ignore[union-attr]
        for item in channel.findall("item")
    }


def test_the_public_feed_never_carries_premium_episodes(producer: TestClient) -> None:
    guid = produce(producer, access="both")
    public = producer.get(f"/f/{guid}/feed.xml")
    assert public.status_code == 200
    assert list(items(public.content)) == ["Episode free-episode-01"]
    channel = parse(public.content).find("channel")
    assert channel is not None
    assert channel.find("itunes:block", NS) is None


def test_a_subscriber_reads_every_episode_blocked_from_directories_with_signed_media(
    producer: TestClient,
) -> None:
    produce(producer, access="both")
    subscriber = subscribe(producer, email="ada@example.com", label="gold")
    feed = producer.get(local(producer, subscriber["feed_url"]))
    assert feed.status_code == 200, feed.text
    assert feed.headers["content-type"].startswith("application/rss+xml")
    assert "private" in feed.headers["cache-control"]
    channel = parse(feed.content).find("channel")
    assert channel is not None
    assert channel.findtext("itunes:block", namespaces=NS) == "Yes"
    assert channel.findtext("podcast:block", namespaces=NS) == "yes"
    self_link = channel.find("{http://www.w3.org/2005/Atom}link[@rel='self']")
    assert self_link is not None
    assert self_link.get("href") == subscriber["feed_url"]
    assert FEED_MARK.encode() not in feed.content
    found = items(feed.content)
    assert set(found) == {"Episode free-episode-01", "Episode premium-episode-01"}
    assert found["Episode free-episode-01"] == "https://cdn.example.com/free-episode-01.mp3"
    media = found["Episode premium-episode-01"]
    assert f"/p/m/{subscriber['id']}.1.0." in media
    # The same URL on every read: podcatchers that key on it download nothing twice.
    assert items(producer.get(local(producer, subscriber["feed_url"])).content) == found

    whole = producer.get(local(producer, media))
    assert whole.status_code == 200
    assert whole.content == MP3
    assert "public" not in whole.headers["cache-control"]
    ranged = producer.get(local(producer, media), headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206
    assert ranged.content == MP3[:100]

    etag = feed.headers["etag"]
    again = producer.get(local(producer, subscriber["feed_url"]), headers={"If-None-Match": etag})
    assert again.status_code == 304
    other = subscribe(producer, name="Bob")
    assert producer.get(local(producer, other["feed_url"])).headers["etag"] != etag


def test_revoking_cuts_feed_and_media_at_once(producer: TestClient) -> None:
    produce(producer, access="both")
    subscriber = subscribe(producer)
    feed_path = local(producer, subscriber["feed_url"])
    media = local(producer, items(producer.get(feed_path).content)["Episode premium-episode-01"])
    assert producer.get(media).status_code == 200

    assert producer.delete(f"{SUBSCRIBERS}/{subscriber['id']}").status_code == 204

    assert producer.get(feed_path).json() == NOT_FOUND_FEED
    response = producer.get(media)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND_MEDIA
    listed = producer.get(f"{SUBSCRIBERS}/{subscriber['id']}").json()
    assert listed["revoked"] is not None
    assert listed["feed_url"] is None


def test_rotating_cuts_the_old_urls_and_gives_new_ones(producer: TestClient) -> None:
    produce(producer, access="both")
    subscriber = subscribe(producer)
    old_feed = local(producer, subscriber["feed_url"])
    old_media = local(producer, items(producer.get(old_feed).content)["Episode premium-episode-01"])

    rotated = producer.post(f"{SUBSCRIBERS}/{subscriber['id']}/rotate")
    assert rotated.status_code == 200, rotated.text
    new_feed = local(producer, rotated.json()["feed_url"])

    assert producer.get(old_feed).status_code == 404
    assert producer.get(old_media).status_code == 404
    new_media = local(producer, items(producer.get(new_feed).content)["Episode premium-episode-01"])
    assert f"{subscriber['id']}.2.0." in new_media
    assert producer.get(new_media).content == MP3


def test_a_revocation_reaches_a_process_that_never_saw_the_subscriber(
    producer: TestClient,
) -> None:
    # The version store is read before the database: a media URL whose version is not in
    # the store yet is checked against the database once.
    produce(producer, access="both")
    subscriber = subscribe(producer)
    feed_path = local(producer, subscriber["feed_url"])
    media = local(producer, items(producer.get(feed_path).content)["Episode premium-episode-01"])
    with context_of(producer).database.session() as session:
        from podops.models import Subscriber

        row = session.get(Subscriber, subscriber["id"])
        assert row is not None
        row.revoked_at = int(time.time())
    assert producer.get(media).status_code == 404


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # wrong secret
        lambda token: "f" * 12 + token[12:],  # unknown subscriber
        lambda token: token[:20],  # malformed
        lambda token: token + "x",
        lambda token: FEED_MARK,  # the placeholder itself
    ],
)
def test_a_bad_feed_token_is_the_404_of_a_feed_that_does_not_exist(
    producer: TestClient, mangle: Any
) -> None:
    produce(producer, access="both")
    token = subscribe(producer)["feed_url"].split("/")[-2]
    response = producer.get(f"/p/{mangle(token)}/feed.xml")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND_FEED
    assert producer.get("/f/0123456789ab/feed.xml").json()["code"] == NOT_FOUND_FEED["code"]


def test_an_expired_subscriber_gets_404_for_feed_and_media(producer: TestClient) -> None:
    produce(producer, access="both")
    soon = int(time.time()) + 2
    subscriber = subscribe(producer, expires=soon)
    feed_path = local(producer, subscriber["feed_url"])
    media = local(producer, items(producer.get(feed_path).content)["Episode premium-episode-01"])
    assert f".{soon}." in media
    time.sleep(max(0.0, soon - time.time()) + 0.1)
    assert producer.get(feed_path).json() == NOT_FOUND_FEED
    assert producer.get(media).json() == NOT_FOUND_MEDIA


def test_a_tampered_media_url_is_404(producer: TestClient) -> None:
    guid = produce(producer, access="both")
    subscriber = subscribe(producer)
    media = local(
        producer,
        items(producer.get(local(producer, subscriber["feed_url"])).content)[
            "Episode premium-episode-01"
        ],
    )
    _, _, _, grant, production, filename = media.split("/")
    sub, version, expires, signature = grant.split(".")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    # Another GUID, whatever this one ends with (`…0` was once this one, 1 time in 36).
    other_production = guid[:-1] + ("1" if guid.endswith("0") else "0")
    tampered = [
        f"/p/m/{sub}.{version}.{expires}.{flipped}/{production}/{filename}",  # signature
        f"/p/m/{sub}.{version}.{int(time.time()) + 10**6}.{signature}/{production}/{filename}",
        f"/p/m/{sub}.{int(version) + 1}.{expires}.{signature}/{production}/{filename}",
        f"/p/m/{'0' * 12}.{version}.{expires}.{signature}/{production}/{filename}",
        f"/p/m/{grant}/{production}/{'0' * 64}.mp3",  # another file, same grant
        f"/p/m/{grant}/{other_production}/{filename}",  # another production
        f"/p/m/{grant}/{production}/{filename[:-4]}.wav",
        f"/p/m/garbage/{production}/{filename}",
    ]
    for url in tampered:
        response = producer.get(url)
        assert response.status_code == 404, url
        assert response.json() == NOT_FOUND_MEDIA, url
        assert producer.head(url).status_code == 404


def public_form(url: str) -> str:
    """The unsigned public URL a subscriber could derive from a signed media URL."""
    _, _, _, _grant, production, filename = url.split("/")
    return f"/m/{production}/{filename}"


def set_premium(client: TestClient, premium: bool) -> None:
    path = f"{BASE}/episode/premium-episode-01"
    document = client.get(path).json()
    document["description"]["premium"] = premium
    response = client.put(path, json=document)
    assert response.status_code == 200, response.text


def test_a_premium_enclosure_is_not_public_media(producer: TestClient) -> None:
    produce(producer, access="both")
    feed_path = local(producer, subscribe(producer)["feed_url"])
    media = local(producer, items(producer.get(feed_path).content)["Episode premium-episode-01"])
    assert producer.get(media).content == MP3

    public = producer.get(public_form(media))
    assert public.status_code == 404
    assert public.json() == NOT_FOUND_MEDIA
    assert producer.head(public_form(media)).status_code == 404


def test_an_episode_moving_between_premium_and_free_moves_its_media(
    producer: TestClient,
) -> None:
    guid = produce(producer, access="both")
    feed_path = local(producer, subscribe(producer)["feed_url"])
    media = local(producer, items(producer.get(feed_path).content)["Episode premium-episode-01"])

    set_premium(producer, False)
    assert producer.get(public_form(media)).status_code == 404  # until the next build
    rebuild(producer, guid)
    public_items = items(producer.get(f"/f/{guid}/feed.xml").content)
    assert local(producer, public_items["Episode premium-episode-01"]) == public_form(media)
    assert producer.get(public_form(media)).content == MP3
    # The subscriber's URL is the same, and still plays: nobody downloads it again.
    assert local(
        producer, items(producer.get(feed_path).content)["Episode premium-episode-01"]
    ) == (media)
    assert producer.get(media).content == MP3

    set_premium(producer, True)
    rebuild(producer, guid)  # still in the private feed: nothing is dropped
    assert producer.get(public_form(media)).status_code == 404
    assert producer.get(media).content == MP3
    assert rebuild(producer, guid)["changed"] is False


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1400, 1400), (30, 30, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


VTT = b"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nOnly for subscribers.\n"
CHAPTERS = b'{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Start"}]}'
ART = jpeg()
# What the premium episode points at besides its audio: (asset, bytes, type uploaded as).
COMPANIONS = {
    "image": ("premium-art-01", ART, "image/jpeg"),
    "transcript": ("premium-vtt-01", VTT, "text/vtt"),
    "chapters": ("premium-chapters-01", CHAPTERS, "application/json"),
}


def add_companions(client: TestClient) -> None:
    """Give the premium episode an uploaded image, transcript and chapters file."""
    for name, data, kind in COMPANIONS.values():
        uploaded = client.post(
            f"/a/v1/upload/{PROD}?name={name}", content=data, headers={"Content-Type": kind}
        )
        assert uploaded.status_code == 201, uploaded.text
    path = f"{BASE}/episode/premium-episode-01"
    document = client.get(path).json()
    document["image"] = {"rel": "asset", "name": COMPANIONS["image"][0]}
    document["description"]["transcripts"] = [
        {"asset": COMPANIONS["transcript"][0], "type": "text/vtt", "rel": "captions"}
    ]
    document["description"]["chapters"] = {"asset": COMPANIONS["chapters"][0]}
    response = client.put(path, json=document)
    assert response.status_code == 200, response.text


def companions(feed: bytes) -> dict[str, str]:
    """{"image"|"transcript"|"chapters": URL} of the premium episode's item in `feed`."""
    channel = parse(feed).find("channel")
    assert channel is not None
    [item] = [
        i for i in channel.findall("item") if i.findtext("title") == "Episode premium-episode-01"
    ]
    found = {
        "image": item.find("itunes:image", NS),
        "transcript": item.find("podcast:transcript", NS),
        "chapters": item.find("podcast:chapters", NS),
    }
    urls = {}
    for kind, element in found.items():
        assert element is not None, kind
        urls[kind] = element.get("href" if kind == "image" else "url", "")
    return urls


def asset_url(client: TestClient, kind: str) -> str:
    name = COMPANIONS[kind][0]
    url: str = client.get(f"{BASE}/asset/{name}").json()["description"]["url"]
    return url


def test_a_premium_episodes_image_transcript_and_chapters_are_for_subscribers_only(
    producer: TestClient,
) -> None:
    guid = produce(producer, access="both")
    add_companions(producer)
    rebuild(producer, guid)
    subscriber = subscribe(producer)
    feed_path = local(producer, subscriber["feed_url"])
    signed = companions(producer.get(feed_path).content)
    # The types they are stored with, as the public route would serve them.
    stored_types = {"image": "image/jpeg", "transcript": "text/vtt", "chapters": "application/json"}
    for kind, url in signed.items():
        _, data, _ = COMPANIONS[kind]
        assert f"/p/m/{subscriber['id']}.1.0." in url, kind
        served = producer.get(local(producer, url))
        assert served.status_code == 200, kind
        assert served.content == data
        assert served.headers["content-type"] == stored_types[kind], kind
        assert served.headers["x-content-type-options"] == "nosniff"
        assert local(producer, asset_url(producer, kind)) == public_form(local(producer, url))
        public = producer.get(public_form(local(producer, url)))
        assert public.status_code == 404, kind
        assert public.json() == NOT_FOUND_MEDIA

    set_premium(producer, False)
    rebuild(producer, guid)
    # Free: public media again, named in both feeds by its public URL; old signed URLs play.
    assert companions(producer.get(f"/f/{guid}/feed.xml").content) == {
        kind: asset_url(producer, kind) for kind in COMPANIONS
    }
    assert companions(producer.get(feed_path).content) == {
        kind: asset_url(producer, kind) for kind in COMPANIONS
    }
    for kind, url in signed.items():
        assert producer.get(public_form(local(producer, url))).content == COMPANIONS[kind][1]
        assert producer.get(local(producer, url)).content == COMPANIONS[kind][1]

    set_premium(producer, True)
    rebuild(producer, guid)
    assert companions(producer.get(feed_path).content) == signed
    for kind, url in signed.items():
        assert producer.get(public_form(local(producer, url))).status_code == 404, kind
        assert producer.get(local(producer, url)).content == COMPANIONS[kind][1]
    assert rebuild(producer, guid)["changed"] is False


def test_media_a_free_episode_shares_stay_public(producer: TestClient) -> None:
    guid = produce(producer, access="both")
    add_companions(producer)
    path = f"{BASE}/episode/free-episode-01"
    document = producer.get(path).json()
    document["description"]["transcripts"] = [
        {"asset": COMPANIONS["transcript"][0], "type": "text/vtt"}
    ]
    assert producer.put(path, json=document).status_code == 200
    rebuild(producer, guid)
    signed = companions(producer.get(local(producer, subscribe(producer)["feed_url"])).content)
    # The free episode publishes the transcript: the private feed names its public URL.
    assert signed["transcript"] == asset_url(producer, "transcript")
    assert producer.get(local(producer, signed["transcript"])).content == VTT
    assert producer.get(public_form(local(producer, signed["image"]))).status_code == 404


def test_every_medium_of_a_private_show_is_subscribers_only(producer: TestClient) -> None:
    guid = produce(producer, access="private")
    add_companions(producer)
    set_premium(producer, False)  # no public feed: free or not, for subscribers only
    rebuild(producer, guid)
    feed_path = local(producer, subscribe(producer)["feed_url"])
    feed = producer.get(feed_path).content
    media = local(producer, items(feed)["Episode premium-episode-01"])
    assert producer.get(media).content == MP3
    assert producer.get(public_form(media)).status_code == 404
    for kind, url in companions(feed).items():
        assert producer.get(local(producer, url)).content == COMPANIONS[kind][1]
        assert producer.get(public_form(local(producer, url))).status_code == 404, kind


def test_a_private_show_has_no_public_feed(producer: TestClient) -> None:
    guid = produce(producer, access="private")
    assert producer.get(f"/f/{guid}/feed.xml").status_code == 404
    subscriber = subscribe(producer)
    feed = producer.get(local(producer, subscriber["feed_url"]))
    assert feed.status_code == 200
    assert len(items(feed.content)) == 2
    assert rebuild(producer, guid)["changed"] is False


def test_a_public_show_has_no_private_feed(producer: TestClient) -> None:
    guid = produce(producer, access="public")
    assert list(items(producer.get(f"/f/{guid}/feed.xml").content)) == ["Episode free-episode-01"]
    subscriber = subscribe(producer)
    assert producer.get(local(producer, subscriber["feed_url"])).json() == NOT_FOUND_FEED


def test_subscribers_are_counted_and_rate_limited(producer: TestClient) -> None:
    context = context_of(producer)
    produce(producer, access="both")
    subscriber = subscribe(producer)
    feed_path = local(producer, subscriber["feed_url"])
    for _ in range(3):
        assert producer.get(feed_path).status_code == 200
    got = producer.get(f"{SUBSCRIBERS}/{subscriber['id']}").json()
    today = got["activity"][0]
    assert today["requests"] == 3
    assert today["addresses"] == 1
    assert len(got["activity"]) == 7

    limits = Limits(per_minute=3, addresses_per_day=0)
    assert producer.portal is not None
    producer.portal.call(context.subscribers.close)  # in the app's own event loop
    context.__dict__["subscribers"] = MemoryState(limits)
    for _ in range(3):
        assert producer.get(feed_path).status_code == 200
    limited = producer.get(feed_path)
    assert limited.status_code == 429
    assert limited.json()["code"] == "podops.subscriber.rate_limited"
    assert int(limited.headers["retry-after"]) >= 1


def test_subscriber_bodies_are_checked(producer: TestClient) -> None:
    produce(producer, access="both")
    for body in (
        {},
        {"email": "not-an-email"},
        {"name": "A", "label": "Not A Label"},
        {"name": "A", "expires": "soon"},
        {"name": "A", "extra": 1},
    ):
        response = producer.post(SUBSCRIBERS, json=body)
        assert response.status_code == 400, body
    assert producer.get(f"{SUBSCRIBERS}/nope").status_code == 400
    assert producer.get(f"{SUBSCRIBERS}/0123456789ab").status_code == 404
    listed = producer.get(SUBSCRIBERS).json()
    assert listed == {"subscribers": [], "next_cursor": None}
    other = bearer(token_for(context_of(producer), "other@example.com", SCOPES))
    subscribe(producer)
    assert producer.get(SUBSCRIBERS, headers=other).status_code == 404


def test_an_address_cap_refuses_new_addresses_only() -> None:
    asyncio.run(_address_cap())


async def _address_cap() -> None:
    state = MemoryState(Limits(per_minute=0, addresses_per_day=2))
    now = 1_700_000_000
    assert (await state.admit("s", "a", now=now)).allowed
    assert (await state.admit("s", "b", now=now)).allowed
    refused = await state.admit("s", "c", now=now)
    assert not refused.allowed
    assert refused.reason == "addresses"
    assert (await state.admit("s", "a", now=now)).allowed  # a known address still may
    assert (await state.admit("s", "c", now=now + 86400)).allowed  # a new day
    [today, yesterday] = await state.activity("s", now=now + 86400, days=2)
    assert (yesterday.requests, yesterday.addresses, yesterday.refused) == (3, 2, 1)
    assert (today.requests, today.addresses) == (1, 1)


def test_placeholders_are_filled_whatever_the_chunking() -> None:
    signer = MediaSigner(b"k" * 32)
    replace = substitution(signer, Grant("0123456789ab", 3, 0), "T" * 44)
    # Audio, and what else an episode may store: images, transcripts, chapters.
    extensions = (".mp3", ".jpg", ".png", ".vtt", ".srt", ".json", ".m4a", ".opus")
    key_urls = [
        private_media_url("http://h", "media/abcdef012345/" + "e" * 64 + extension)
        for extension in extensions
    ]
    feed = (
        f'<a href="http://h/p/{FEED_MARK}/feed.xml"/>'
        + "".join(f'<enclosure url="{key_urls[i % 8]}" n="{i}"/>' for i in range(20))
    ).encode()
    whole = b"".join(fill([feed], replace))
    assert FEED_MARK.encode() not in whole
    assert b"_grant_" not in whole
    assert whole.count(b"/p/m/0123456789ab.3.0.") == 20
    for extension in extensions:  # each signed for its own key, extension and all
        key = "media/abcdef012345/" + "e" * 64 + extension
        signed = signer.grant(Grant("0123456789ab", 3, 0), key)
        assert f'/p/m/{signed}/abcdef012345/{"e" * 64}{extension}"'.encode() in whole
    for size in (1, 7, 64, 127, 128, 129, 500):
        chunks = [feed[i : i + size] for i in range(0, len(feed), size)]
        assert b"".join(fill(chunks, replace)) == whole, size


def test_s3_private_media_is_a_307_to_a_short_lived_presigned_url(
    tmp_path: Path,
    database: Database,
    moto_endpoint: str,
    s3_bucket: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.support.s3 import use_dummy_aws_credentials

    use_dummy_aws_credentials(monkeypatch)
    settings = make_settings(
        tmp_path,
        PODOPS_DATABASE_URL=database.url,
        **s3_environment(moto_endpoint, s3_bucket, "private-test"),
        # Public media go through a CDN; private media never do.
        PODOPS_PUBLIC_BASE_URL="https://cdn.example",
    )
    with TestClient(create_app(settings)) as client:
        client.headers.update(bearer(token_for(context_of(client), "host@example.com", SCOPES)))
        produce(client, access="both")
        subscriber = subscribe(client)
        feed = client.get(local(client, subscriber["feed_url"]))
        media = local(client, items(feed.content)["Episode premium-episode-01"])
        response = client.get(media, follow_redirects=False)
        assert response.status_code == 307
        target = response.headers["location"]
        assert target.startswith(moto_endpoint)
        assert "Expires=" in target or "X-Amz-Expires=300" in target
        assert client.get(media[:-5] + "0.mp3", follow_redirects=False).status_code == 404
    fetched = httpx.get(target)
    assert fetched.status_code == 200
    assert fetched.content == MP3


def test_s3_premium_media_is_out_of_public_reach(
    tmp_path: Path,
    database: Database,
    moto_endpoint: str,
    s3_bucket: str,
    s3_client: S3Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.support.s3 import use_dummy_aws_credentials

    use_dummy_aws_credentials(monkeypatch)
    settings = make_settings(
        tmp_path,
        PODOPS_DATABASE_URL=database.url,
        **s3_environment(moto_endpoint, s3_bucket, "leak-test"),
    )
    with TestClient(create_app(settings)) as client:
        client.headers.update(bearer(token_for(context_of(client), "host@example.com", SCOPES)))
        guid = produce(client, access="both")
        add_companions(client)
        rebuild(client, guid)
        feed = client.get(local(client, subscribe(client)["feed_url"]))
        media = local(client, items(feed.content)["Episode premium-episode-01"])
        # Without a CDN the public route hands out presigned URLs of `media/` keys.
        public = client.get(public_form(media), follow_redirects=False)
        signed = client.get(media, follow_redirects=False)
        transcript = local(client, companions(feed.content)["transcript"])
        public_transcript = client.get(public_form(transcript), follow_redirects=False)
        signed_transcript = client.get(transcript, follow_redirects=False)
    assert public.status_code == 307
    assert httpx.get(public.headers["location"]).status_code == 404
    assert httpx.get(signed.headers["location"]).content == MP3
    assert public_transcript.status_code == 307
    assert httpx.get(public_transcript.headers["location"]).status_code == 404
    fetched = httpx.get(signed_transcript.headers["location"])
    assert fetched.content == VTT
    assert fetched.headers["content-type"] == "text/vtt"
    # Nor is it anywhere a public bucket policy or CDN for `media/` would serve.
    listed = s3_client.list_objects_v2(Bucket=s3_bucket, Prefix="leak-test/")
    keys = [item["Key"] for item in listed.get("Contents", [])]
    filename = media.split("/")[-1]
    assert f"leak-test/private/{guid}/media/{filename}" in keys
    assert not [key for key in keys if key.startswith("leak-test/media/")]
