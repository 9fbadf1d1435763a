"""Feeds over real HTTP, compressed once at publish: gzip negotiated by Accept-Encoding, with
ETags, 304, HEAD and ranges right for each representation; the plain feed for the rest."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from feeds import render
from podops.api import create_app
from podops.api.delivery import accepts_gzip
from podops.db import Database
from podops.publish.compressed import compress, put_feed
from podops.settings import Settings
from podops.storage.keys import archive_key, feed_key
from tests.conftest import make_settings
from tests.feeds import samples
from tests.support.processes import LiveServer
from tests.support.s3 import s3_environment
from tests.support.storage import concrete

GUID = "0123456789ab"
FEED = render(samples.show(), samples.episodes(40), now=samples.NOW)
URL = f"/f/{GUID}/feed.xml"


@pytest.fixture
def served(settings: Settings, live_server: LiveServer, tmp_path: Path) -> str:
    """The live server's URL, with FEED published as the build publishes it (and as page 1)."""
    storage = live_server.server.config.app.state.context.storage  # type: ignore[attr-defined]
    for key in (feed_key(GUID), archive_key(GUID, 1)):
        rendered = tmp_path / "feed.xml"
        rendered.write_bytes(FEED)
        put_feed(storage, key, rendered)
    return live_server.url


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


def raw(http: httpx.Client, method: str, url: str, **headers: str) -> tuple[httpx.Response, bytes]:
    """The response and its body as sent, not decoded."""
    with http.stream(method, url, headers=headers) as response:
        return response, b"".join(response.iter_raw())


@pytest.mark.parametrize("path", [URL, f"/f/{GUID}/archive/1.xml"])
def test_a_client_that_accepts_gzip_gets_the_copy_compressed_at_publish(
    served: str, http: httpx.Client, path: str
) -> None:
    response, body = raw(http, "GET", served + path, **{"Accept-Encoding": "gzip, deflate"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["vary"] == "Accept-Encoding, Accept"
    assert response.headers["content-type"].startswith("application/rss+xml")
    assert int(response.headers["content-length"]) == len(body) < len(FEED) / 5
    assert gzip.decompress(body) == FEED
    plain, plain_body = raw(http, "GET", served + path, **{"Accept-Encoding": "identity"})
    assert plain_body == FEED
    assert "content-encoding" not in plain.headers
    assert plain.headers["vary"] == "Accept-Encoding, Accept"
    # Two representations, two strong validators.
    assert plain.headers["etag"] != response.headers["etag"]


@pytest.mark.parametrize(
    ("accept", "compressed"),
    [
        ("gzip", True),
        ("GZIP;q=0.5", True),
        ("x-gzip", True),
        ("*", True),
        ("br, *;q=0.1", True),
        ("gzip;q=0, *", False),
        ("*;q=0", False),
        ("br", False),
        ("identity", False),
        ("", False),
        ("gzip;q=lots", False),
        ("gzip;q=2", False),
        (",,;", False),
    ],
)
def test_accept_encoding_is_read_as_rfc_9110_has_it(accept: str, compressed: bool) -> None:
    assert accepts_gzip(accept) is compressed


def test_no_accept_encoding_gets_the_plain_feed(served: str, http: httpx.Client) -> None:
    request = http.build_request("GET", served + URL)
    del request.headers["accept-encoding"]
    response = http.send(request)
    assert response.status_code == 200
    assert response.content == FEED
    assert "content-encoding" not in response.headers


def test_conditional_requests_and_head_on_the_compressed_form(
    served: str, http: httpx.Client
) -> None:
    gz = {"Accept-Encoding": "gzip"}
    first, body = raw(http, "GET", served + URL, **gz)
    etag = first.headers["etag"]
    again, _ = raw(http, "GET", served + URL, **gz, **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["etag"] == etag
    # The gzip validator does not match the plain representation.
    other, other_body = raw(
        http, "GET", served + URL, **{"If-None-Match": etag, "Accept-Encoding": "identity"}
    )
    assert (other.status_code, other_body) == (200, FEED)
    head, head_body = raw(http, "HEAD", served + URL, **gz)
    assert (head.status_code, head_body) == (200, b"")
    assert head.headers["content-length"] == str(len(body))
    assert head.headers["content-encoding"] == "gzip"


def test_a_range_of_the_compressed_form_is_of_its_bytes(served: str, http: httpx.Client) -> None:
    whole, body = raw(http, "GET", served + URL, **{"Accept-Encoding": "gzip"})
    part, part_body = raw(
        http, "GET", served + URL, **{"Accept-Encoding": "gzip", "Range": "bytes=10-99"}
    )
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 10-99/{len(body)}"
    assert part_body == body[10:100]
    beyond, _ = raw(
        http, "GET", served + URL, **{"Accept-Encoding": "gzip", "Range": f"bytes={len(body)}-"}
    )
    assert beyond.status_code == 416
    assert whole.headers["accept-ranges"] == "bytes"


def test_a_feed_published_before_its_copy_existed_is_served_plain(
    settings: Settings, live_server: LiveServer, http: httpx.Client
) -> None:
    storage = live_server.server.config.app.state.context.storage  # type: ignore[attr-defined]
    concrete(storage).put_bytes(feed_key(GUID), FEED, content_type="application/rss+xml")
    response, body = raw(http, "GET", live_server.url + URL, **{"Accept-Encoding": "gzip"})
    assert (response.status_code, body) == (200, FEED)
    assert "content-encoding" not in response.headers


def test_compression_is_deterministic(tmp_path: Path) -> None:
    source = tmp_path / "feed.xml"
    source.write_bytes(FEED)
    compress(source, tmp_path / "a.gz")
    compress(source, tmp_path / "b.gz")
    assert (tmp_path / "a.gz").read_bytes() == (tmp_path / "b.gz").read_bytes()


def test_on_s3_a_client_that_accepts_gzip_is_sent_to_the_compressed_object(
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
        **s3_environment(moto_endpoint, s3_bucket, "feeds-test"),
    )
    with TestClient(create_app(settings)) as client:
        storage = client.app.state.context.storage  # type: ignore[attr-defined]
        before = tmp_path / "old.xml"
        before.write_bytes(FEED)
        # Published before feeds were compressed: no copy, so the plain feed for everyone.
        storage.put_path(feed_key("0123456789ac"), before, content_type="application/rss+xml")
        old = client.get(
            "/f/0123456789ac/feed.xml", headers={"Accept-Encoding": "gzip"}, follow_redirects=False
        )
        assert old.status_code == 307
        assert httpx.URL(old.headers["location"]).path.endswith("/feed.xml")

        rendered = tmp_path / "feed.xml"
        rendered.write_bytes(FEED)
        put_feed(storage, feed_key(GUID), rendered)
        gzipped = client.get(URL, headers={"Accept-Encoding": "gzip"}, follow_redirects=False)
        plain = client.get(URL, headers={"Accept-Encoding": "identity"}, follow_redirects=False)
    assert gzipped.status_code == plain.status_code == 307
    assert gzipped.headers["vary"] == plain.headers["vary"] == "Accept-Encoding"
    assert httpx.URL(plain.headers["location"]).path.endswith("/feed.xml")
    # What the bucket (or a CDN in front of it) answers: the copy, saying it is gzip.
    with httpx.Client() as http:
        response, body = raw(http, "GET", gzipped.headers["location"])
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["content-type"].startswith("application/rss+xml")
    assert gzip.decompress(body) == FEED
