"""The producer's whole path through running podops processes, over real HTTP.

create a production → upload artwork and audio → import audio from a URL → show and two
episodes → build → the feed from its public URL, naming both episodes' media.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.media.mpeg_frames import cbr_44100
from tests.support.documents import episode, show

MP3 = cbr_44100(frames=400)
IMPORTED_MP3 = cbr_44100(frames=600)
SCOPES = "production:read production:write production:build resource:read resource:write"


def artwork() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1400, 1400), (30, 90, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


@dataclass(frozen=True)
class Produced:
    """What one run of the scenario made and published."""

    production: str
    feed_url: str
    operations: list[str]  # the Location of every operation it started


def premium_production(client: httpx.Client, name: str, *, access: str) -> str:
    """A production `name` whose show (`access`) has a free episode on external media and a
    premium one on an uploaded MP3, not built yet; the production's GUID."""
    created = client.post("/a/v1/production", json={"name": name, "title": "T"})
    assert created.status_code == 201, created.text
    audio = client.post(
        f"/a/v1/upload/{name}?name=premium-audio-01",
        content=MP3,
        headers={"Content-Type": "audio/mpeg"},
    )
    assert audio.status_code == 201, audio.text
    base = f"/a/v1/resource/{name}"
    assert client.post(f"{base}/show/{name}", json=show(name, access=access)).status_code == 201
    now = int(time.time())
    premium = episode("premium-episode-01", date=now - 3600, premium=True)
    premium["enclosure"] = {"rel": "asset", "name": "premium-audio-01"}
    for body in (episode("free-episode-01", date=now - 7200), premium):
        path = f"{base}/episode/{body['metadata']['name']}"
        response = client.post(path, json=body)
        assert response.status_code == 201, response.text
    guid: str = created.json()["guid"]
    return guid


def poll(client: httpx.Client, location: str, timeout: float = 60) -> dict[str, Any]:
    """GET the operation at `location` until it is no longer Busy; fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        operation: dict[str, Any] = client.get(location).raise_for_status().json()
        if operation["status"] != "Busy":
            return operation
        time.sleep(0.1)
    pytest.fail(f"operation {location} still Busy after {timeout}s")


def started(response: httpx.Response) -> str:
    assert response.status_code == 202, response.text
    location: str = response.headers["location"]
    return location


def produce(client: httpx.Client, name: str, import_url: str, *, base_url: str) -> Produced:
    """The scenario, through `client` (a web process and a producer's token); fails on any
    step. Links under the service's `base_url` (its load balancer's) are followed through
    `client`'s web process."""
    resources = f"/a/v1/resource/{name}"
    made = client.post("/a/v1/production", json={"name": name, "title": f"Show {name}"})
    assert made.status_code == 201, made.text
    for query, body, media_type in (
        ("role=artwork&name=cover-artwork", artwork(), "image/jpeg"),
        ("name=uploaded-audio", MP3, "audio/mpeg"),
    ):
        upload = client.post(
            f"/a/v1/upload/{name}?{query}", content=body, headers={"Content-Type": media_type}
        )
        assert upload.status_code == 201, upload.text
    imported = started(
        client.post(
            "/a/v1/import/asset",
            json={"production": name, "url": import_url, "name": "imported-audio"},
        )
    )
    assert poll(client, imported)["status"] == "Success", client.get(imported).text

    document = show(name)
    document["image"] = {"rel": "asset", "name": "cover-artwork"}
    assert client.post(f"{resources}/show/{name}", json=document).status_code == 201
    now = int(time.time())
    for number, asset in enumerate(("uploaded-audio", "imported-audio")):
        body = episode(f"episode-{number:04d}", date=now - (2 - number) * 86400)
        body["enclosure"] = {"rel": "asset", "name": asset}
        response = client.post(f"{resources}/episode/episode-{number:04d}", json=body)
        assert response.status_code == 201, response.text

    build = started(client.post("/a/v1/build", json={"guid": name}))
    done = poll(client, build)
    assert done["status"] == "Success", done["error"]
    feed_url: str = done["result"]["feed_url"]
    assert_feed_served(client, feed_url, base_url=base_url, episodes=2)
    return Produced(name, feed_url, [imported, build])


def public_get(client: httpx.Client, url: str, *, base_url: str) -> httpx.Response:
    """GET `url` as a podcatcher does, following redirects (to the bucket, say); a URL of the
    service itself goes to `client`'s web process, as the load balancer would send it."""
    if url.startswith(base_url + "/"):
        url = str(client.base_url).rstrip("/") + url.removeprefix(base_url)
    return httpx.get(url, follow_redirects=True, timeout=10)


def assert_feed_served(
    client: httpx.Client, feed_url: str, *, base_url: str, episodes: int
) -> None:
    """The feed answers at its public URL, and every enclosure it names answers too."""
    from lxml import etree

    feed = public_get(client, feed_url, base_url=base_url)
    assert feed.status_code == 200, (feed_url, str(feed.url), feed.status_code, feed.text[:300])
    channel = etree.fromstring(feed.content).find("channel")
    assert channel is not None
    enclosures = [item.get("url") for item in channel.iterfind("item/enclosure")]
    assert len(enclosures) == episodes
    for url in enclosures:
        assert url is not None
        media = public_get(client, url, base_url=base_url)
        assert media.status_code == 200, (url, media.status_code)
        assert media.content in (MP3, IMPORTED_MP3)
