"""Media delivery over real HTTP: HEAD, ranges, ETags, 304; a 307 to S3."""

from __future__ import annotations

import hashlib
import os
import time
from email.utils import formatdate
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from podops.api import create_app
from podops.db import Database
from podops.settings import Settings
from podops.storage.keys import media_key
from tests.conftest import make_settings
from tests.support.auth import context_of
from tests.support.processes import LiveServer
from tests.support.s3 import s3_environment
from tests.support.storage import concrete

PRODUCTION_GUID = "0123456789ab"
DATA = os.urandom(10_000)
SHA = hashlib.sha256(DATA).hexdigest()
URL = f"/m/{PRODUCTION_GUID}/{SHA}.mp3"


@pytest.fixture
def served(settings: Settings, live_server: LiveServer) -> str:
    context = live_server.server.config.app.state.context  # type: ignore[attr-defined]
    concrete(context.storage).put_bytes(
        media_key(PRODUCTION_GUID, SHA, ".mp3"), DATA, content_type="audio/mpeg"
    )
    return live_server.url


def test_get_and_head_carry_what_podcatchers_need(served: str) -> None:
    response = httpx.get(served + URL)
    assert response.status_code == 200
    assert response.content == DATA
    headers = response.headers
    assert headers["content-type"] == "audio/mpeg"
    assert headers["content-length"] == str(len(DATA))
    assert headers["accept-ranges"] == "bytes"
    assert headers["etag"].startswith('"')
    assert headers["etag"].endswith('"')
    assert "immutable" in headers["cache-control"]
    assert headers["last-modified"].endswith("GMT")
    head = httpx.head(served + URL)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(DATA))
    assert head.headers["etag"] == headers["etag"]


@pytest.mark.parametrize(
    ("range_header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, 9999),
        ("bytes=-100", 9900, 9999),
        ("bytes=9990-20000", 9990, 9999),
        ("bytes=0-0", 0, 0),
    ],
)
def test_a_byte_range_is_206(served: str, range_header: str, first: int, last: int) -> None:
    response = httpx.get(served + URL, headers={"Range": range_header})
    assert response.status_code == 206
    assert response.content == DATA[first : last + 1]
    assert response.headers["content-range"] == f"bytes {first}-{last}/{len(DATA)}"
    assert response.headers["content-length"] == str(last - first + 1)


@pytest.mark.parametrize("range_header", ["bytes=10000-", "bytes=20000-30000", "bytes=-0"])
def test_an_unsatisfiable_range_is_416(served: str, range_header: str) -> None:
    response = httpx.get(served + URL, headers={"Range": range_header})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(DATA)}"


def test_an_empty_object_is_served_whole_and_has_no_range(
    settings: Settings, live_server: LiveServer
) -> None:
    sha = hashlib.sha256(b"").hexdigest()
    context = live_server.server.config.app.state.context  # type: ignore[attr-defined]
    concrete(context.storage).put_bytes(
        media_key(PRODUCTION_GUID, sha, ".mp3"), b"", content_type="audio/mpeg"
    )
    url = f"{live_server.url}/m/{PRODUCTION_GUID}/{sha}.mp3"

    response = httpx.get(url)
    ranged = httpx.get(url, headers={"Range": "bytes=0-"})

    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == "0"
    assert ranged.status_code == 416
    assert ranged.headers["content-range"] == "bytes */0"


@pytest.mark.parametrize(
    "range_header", ["bytes=abc", "items=0-1", "bytes=5-1", "bytes=0-1,5-6", "bytes=", "bytes=-"]
)
def test_a_malformed_range_is_ignored_as_rfc_9110_allows(served: str, range_header: str) -> None:
    response = httpx.get(served + URL, headers={"Range": range_header})
    assert response.status_code == 200
    assert response.content == DATA


def test_conditional_requests_answer_304(served: str) -> None:
    etag = httpx.head(served + URL).headers["etag"]
    assert httpx.get(served + URL, headers={"If-None-Match": etag}).status_code == 304
    assert (
        httpx.get(served + URL, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    )
    assert httpx.get(served + URL, headers={"If-None-Match": '"other"'}).status_code == 200
    later = formatdate(time.time() + 3600, usegmt=True)
    earlier = formatdate(time.time() - 86400, usegmt=True)
    assert httpx.get(served + URL, headers={"If-Modified-Since": later}).status_code == 304
    assert httpx.get(served + URL, headers={"If-Modified-Since": earlier}).status_code == 200
    assert httpx.get(served + URL, headers={"If-Modified-Since": "garbage"}).status_code == 200


def test_if_range_with_a_stale_etag_sends_everything(served: str) -> None:
    etag = httpx.head(served + URL).headers["etag"]
    fresh = httpx.get(served + URL, headers={"Range": "bytes=0-9", "If-Range": etag})
    assert fresh.status_code == 206
    stale = httpx.get(served + URL, headers={"Range": "bytes=0-9", "If-Range": '"old"'})
    assert stale.status_code == 200
    assert stale.content == DATA


@pytest.mark.parametrize(
    "path",
    [
        f"/m/{PRODUCTION_GUID}/{'0' * 64}.mp3",
        f"/m/{PRODUCTION_GUID}/{SHA}.exe.mp3",
        f"/m/not-a-guid/{SHA}.mp3",
        f"/m/{PRODUCTION_GUID}/..%2F..%2Fetc%2Fpasswd",
        f"/m/{PRODUCTION_GUID}/{SHA.upper()}.mp3",
    ],
)
def test_unknown_media_is_404_in_the_error_shape(served: str, path: str) -> None:
    response = httpx.get(served + path)
    assert response.status_code == 404
    assert response.json()["success"] is False


def test_s3_media_is_a_307_to_a_url_that_serves_it(
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
        **s3_environment(moto_endpoint, s3_bucket, "media-test"),
    )
    with TestClient(create_app(settings)) as client:
        concrete(context_of(client).storage).put_bytes(
            media_key(PRODUCTION_GUID, SHA, ".mp3"), DATA, content_type="audio/mpeg"
        )
        response = client.get(URL, follow_redirects=False)
        assert response.status_code == 307
        target = response.headers["location"]
        assert target.startswith(moto_endpoint)
    fetched = httpx.get(target)
    assert fetched.status_code == 200
    assert fetched.content == DATA
    assert fetched.headers["content-type"] == "audio/mpeg"
