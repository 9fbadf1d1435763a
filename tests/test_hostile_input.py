"""No 500 from hostile input (issue 18, finding 2): every number and string a client sends is
checked at one boundary — bodies in `podops.api.bodies`, query and header integers as ASCII
digits within bounds, cursors range-checked, NUL refused before it reaches either database."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from starlette.testclient import TestClient

from podops.storage.keys import feed_key, media_key
from tests.support.auth import bearer, context_of, token_for
from tests.support.storage import concrete

PROD = "hostile-input-show"
BASE = f"/a/v1/resource/{PROD}"
SCOPES = "production:read production:write production:build resource:read resource:write"
HUGE = "9" * 5000


@pytest.fixture
def host(client: TestClient) -> dict[str, str]:
    headers = bearer(token_for(context_of(client), "host@example.com", SCOPES))
    response = client.post("/a/v1/production", json={"name": PROD, "title": "T"}, headers=headers)
    assert response.status_code == 201, response.text
    return headers


def assert_400(response: object, field: str | None = None) -> dict[str, object]:
    status = getattr(response, "status_code", None)
    text = getattr(response, "text", "")
    assert status == 400, text
    body = dict(getattr(response, "json")())  # noqa: B009
    assert body["success"] is False
    if field is not None:
        assert body.get("field") == field, body
    return body


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/_t/ping", '{"delay": ' + HUGE + "}"),
        ("/a/v1/production", '{"name": "abcdefgh", "title": "t", "x": ' + HUGE + "}"),
        ("/_a/token", '{"user": "a@example.com", "scope": "x", "expires_in": -' + HUGE + "}"),
    ],
)
def test_a_json_integer_past_pythons_digit_limit_is_400(
    client: TestClient, admin: dict[str, str], path: str, body: str
) -> None:
    response = client.post(
        path, content=body, headers={**admin, "Content-Type": "application/json"}
    )
    assert assert_400(response)["code"] == "podops.request.malformed_json"


@pytest.mark.parametrize(
    "yaml_body",
    [
        "kind: show\ndate: 2024-13-45\n",
        "kind: show\nx: !!float abc\n",
        "kind: show\nx: !!timestamp 2024-99-99\n",
        f"kind: show\nx: {HUGE}\n",
        "kind: show\nx: !!int abc\n",
    ],
)
def test_yaml_values_that_do_not_convert_are_400(
    client: TestClient, host: dict[str, str], yaml_body: str
) -> None:
    response = client.post(
        f"{BASE}/show/the-daily-show",
        content=yaml_body.encode(),
        headers={**host, "Content-Type": "application/yaml"},
    )
    assert assert_400(response)["code"] == "podops.request.malformed_yaml"


@pytest.mark.parametrize("limit", ["²", "¹", "\u0661", HUGE, "+5", " 5", "5 "])
def test_limit_is_ascii_digits_within_bounds(
    client: TestClient, host: dict[str, str], limit: str
) -> None:
    for path in ("/a/v1/productions", f"{BASE}/all"):
        assert_400(client.get(path, params={"limit": limit}, headers=host), "limit")


def cursor_of(value: object) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "cursor",
    [
        cursor_of([2**63, "0123456789ab"]),
        cursor_of([2**70, "0123456789ab"]),
        cursor_of([-(2**70), "0123456789ab"]),
        cursor_of([-1, "0123456789ab"]),
        base64.urlsafe_b64encode(b"[" * 20_000 + b"]" * 20_000).decode(),
        cursor_of([[[[[[[1]]]]]], "0123456789ab"]),
    ],
)
def test_a_cursor_out_of_range_is_400(
    client: TestClient, host: dict[str, str], cursor: str
) -> None:
    response = client.get(f"{BASE}/all", params={"cursor": cursor}, headers=host)
    assert assert_400(response, "cursor")["code"] == "podops.request.invalid_cursor"


GUID = "0123456789ab"
DATA = b"\xff\xfb" + bytes(998)
SHA = hashlib.sha256(DATA).hexdigest()


@pytest.mark.parametrize(
    "range_header",
    [f"bytes={HUGE}-", f"bytes=0-{HUGE}", f"bytes=-{HUGE}", "bytes=²-", "bytes=0-¹"],
    ids=["start", "end", "suffix", "superscript-two", "superscript-one"],
)
def test_a_range_of_huge_or_non_ascii_numbers_is_ignored(
    client: TestClient, range_header: str
) -> None:
    storage = concrete(context_of(client).storage)
    storage.put_bytes(media_key(GUID, SHA, ".mp3"), DATA, content_type="audio/mpeg")
    storage.put_bytes(feed_key(GUID), b"<rss/>", content_type="application/rss+xml")
    for path in (f"/m/{GUID}/{SHA}.mp3", f"/f/{GUID}/feed.xml"):
        # No token: these are public. Headers arrive as Latin-1, where "²" is one byte.
        response = client.get(path, headers={"Range": range_header.encode("latin-1")})
        # A position past any object's size: a start past the end is 416, an end or a
        # suffix past it is the whole object (206), anything not ASCII digits is ignored.
        assert response.status_code in (200, 206, 416), (path, response.status_code)
        if response.status_code == 206:
            assert response.headers["content-range"].startswith("bytes 0-")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/a/v1/production/abc%00defgh", None),
        ("GET", f"{BASE}/all?label=key:va%00lue", None),
        ("GET", f"{BASE}/show/the%00daily", None),
        ("POST", "/_a/token", {"user": "nobody\x00@example.com", "scope": "resource:read"}),
        ("POST", "/a/v1/build", {"guid": "abcdef\x00012345"}),
        ("DELETE", "/_a/token/abc%00def", None),
        ("POST", "/a/v1/import/asset", {"production": PROD + "\x00", "url": "https://e.com/a"}),
        ("POST", "/a/v1/production", {"name": "nul-in-title", "title": "a\x00b"}),
        ("POST", f"{BASE}/show/the-daily-show", {"kind": "show", "metadata": {"x\x00": 1}}),
        ("GET", "/a/v1/productions?cursor=abc%00defgh", None),
        ("GET", "/s/abc%00defgh/feed.xml", None),
    ],
)
def test_a_nul_character_is_400_on_every_database(
    client: TestClient,
    host: dict[str, str],
    admin: dict[str, str],
    method: str,
    path: str,
    body: object,
) -> None:
    headers = admin if path.startswith("/_a/") else host
    response = client.request(method, path, json=body, headers=headers)
    assert assert_400(response)["code"] == "podops.request.nul_character"
