"""What the public side shows (issue 18, findings 7 and 9): no redirect to a feed that does not
exist, media that browsers will not sniff into HTML, no markup stored as audio, no truncated
multipart body taken as complete."""

from __future__ import annotations

import hashlib

import pytest
from starlette.testclient import TestClient

from podops.storage.keys import feed_key, media_key
from tests.media.mpeg_frames import cbr_44100
from tests.support.auth import bearer, context_of, token_for
from tests.support.storage import concrete

SCOPES = "production:read production:write resource:read resource:write"
PROD = "public-surface-show"
MP3 = cbr_44100(frames=200)


@pytest.fixture
def host(client: TestClient) -> dict[str, str]:
    headers = bearer(token_for(context_of(client), "host@example.com", SCOPES))
    response = client.post("/a/v1/production", json={"name": PROD, "title": "T"}, headers=headers)
    assert response.status_code == 201, response.text
    return headers


def test_the_feed_of_a_never_published_production_is_404(
    client: TestClient, host: dict[str, str]
) -> None:
    response = client.get(f"/s/{PROD}/feed.xml", follow_redirects=False)
    assert response.status_code == 404
    assert response.json()["code"] == "podops.feed.not_found"
    assert "location" not in response.headers
    guid = client.get(f"/a/v1/production/{PROD}", headers=host).json()["guid"]
    concrete(context_of(client).storage).put_bytes(
        feed_key(guid), b"<rss/>", content_type="application/rss+xml"
    )
    published = client.get(f"/s/{PROD}/feed.xml", follow_redirects=False)
    assert published.status_code == 307
    assert published.headers["location"].endswith(f"/f/{guid}/feed.xml")


def test_media_and_feeds_carry_nosniff(client: TestClient) -> None:
    guid, sha = "0123456789ab", hashlib.sha256(MP3).hexdigest()
    storage = concrete(context_of(client).storage)
    storage.put_bytes(media_key(guid, sha, ".mp3"), MP3, content_type="audio/mpeg")
    storage.put_bytes(feed_key(guid), b"<rss/>", content_type="application/rss+xml")
    for path in (f"/m/{guid}/{sha}.mp3", f"/f/{guid}/feed.xml"):
        for method in ("GET", "HEAD"):
            response = client.request(method, path)
            assert response.status_code == 200
            assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "markup",
    [
        b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        b"\xef\xbb\xbf  \n<html><body>hi</body></html>",
        b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'/>",
    ],
)
def test_markup_with_audio_appended_is_refused(
    client: TestClient, host: dict[str, str], markup: bytes
) -> None:
    response = client.post(
        f"/a/v1/upload/{PROD}",
        content=markup + MP3,
        headers={**host, "Content-Type": "audio/mpeg"},
    )
    assert response.status_code == 415, response.text
    assert response.json()["code"] == "podops.media.markup"


def test_a_multipart_body_without_its_closing_boundary_is_400(
    client: TestClient, host: dict[str, str]
) -> None:
    boundary = "x-boundary-1234"
    body = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="asset"; filename="a.mp3"\r\n'
        "Content-Type: audio/mpeg\r\n\r\n"
    ).encode() + MP3  # no "\r\n--boundary--": the body was cut off
    response = client.post(
        f"/a/v1/upload/{PROD}",
        content=body,
        headers={**host, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "podops.upload.malformed"
    assert list(context_of(client).settings.upload_dir.glob("*.part")) == []
