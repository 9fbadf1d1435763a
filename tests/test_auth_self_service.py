"""Self-service tokens (issue 16): a user creates, lists and revokes their own tokens, never
wider than the token that asks (scopes and production)."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.support.auth import bearer, context_of, token_for

HOME = "hosts-show-01"


@pytest.fixture
def host(client: TestClient) -> dict[str, str]:
    token = token_for(
        context_of(client),
        "host@example.com",
        "production:read production:write resource:read resource:write",
    )
    headers = bearer(token)
    response = client.post("/a/v1/production", json={"name": HOME, "title": "H"}, headers=headers)
    assert response.status_code == 201, response.text
    return headers


def mint(client: TestClient, headers: dict[str, str], **body: object) -> tuple[int, Any]:
    response = client.post("/_a/token", json=body, headers=headers)
    return response.status_code, response.json()


def jtis(client: TestClient, headers: dict[str, str], **params: str) -> list[str]:
    response = client.get("/_a/tokens", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [token["jti"] for token in response.json()["tokens"]]


def test_a_user_creates_lists_and_revokes_their_own_token(
    client: TestClient, host: dict[str, str]
) -> None:
    status, body = mint(client, host, scope="resource:read", expires_in=600)
    assert status == 201, body
    minted = bearer(body["token"])
    claims = client.get("/_a/token", headers=minted).json()
    assert claims["sub"] == client.get("/_a/token", headers=host).json()["sub"]
    assert claims["scope"] == "resource:read"
    assert client.get(f"/a/v1/resource/{HOME}/all", headers=minted).status_code == 200
    assert (
        client.post(
            "/a/v1/production", json={"name": "another-show", "title": "x"}, headers=minted
        ).status_code
        == 403
    )  # only resource:read

    listed = client.get("/_a/tokens", headers=host).json()["tokens"]
    mine = {token["jti"]: token for token in listed}
    assert body["claims"]["jti"] in mine
    assert mine[body["claims"]["jti"]]["revoked"] is None
    assert "token" not in mine[body["claims"]["jti"]]  # the token itself is never shown again

    assert client.delete(f"/_a/token/{body['claims']['jti']}", headers=host).status_code == 204
    assert client.get("/_a/token", headers=minted).status_code == 401
    again = {t["jti"]: t for t in client.get("/_a/tokens", headers=host).json()["tokens"]}
    assert again[body["claims"]["jti"]]["revoked"] is not None


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"scope": "production:build"}, "podops.auth.beyond_creator"),  # not held
        ({"scope": "api:admin"}, "podops.auth.beyond_creator"),
        ({"scope": "resource:read", "user": "admin@example.com"}, "podops.auth.not_admin"),
    ],
)
def test_a_user_mints_nothing_wider_than_their_token(
    client: TestClient, host: dict[str, str], admin: dict[str, str], body: dict[str, str], code: str
) -> None:
    before = jtis(client, host)
    status, answer = mint(client, host, **body)
    assert status == 403, answer
    assert answer["code"] == code
    assert jtis(client, host) == before  # nothing was issued


def test_a_production_token_mints_only_for_its_production(
    client: TestClient, host: dict[str, str]
) -> None:
    restricted = bearer(
        token_for(context_of(client), "host@example.com", "resource:read", production=HOME)
    )
    status, body = mint(client, restricted, scope="resource:read")
    assert status == 201, body
    assert body["claims"]["prod"] == HOME  # stays restricted when none is asked for
    status, body = mint(client, restricted, scope="resource:read", production="other-show-1")
    assert status == 403
    assert body["code"] == "podops.auth.beyond_creator"
    # It lists only its production's tokens: not the unrestricted one of the same user.
    listed = client.get("/_a/tokens", headers=restricted).json()["tokens"]
    assert listed
    assert {token["production"] for token in listed} == {HOME}


def test_the_token_list_pages_with_a_cursor(client: TestClient, host: dict[str, str]) -> None:
    for _ in range(4):
        assert mint(client, host, scope="resource:read")[0] == 201
    everything = jtis(client, host, limit="100")
    assert len(everything) == 5  # the four and the host's own
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = client.get("/_a/tokens", params=params, headers=host).json()
        seen += [token["jti"] for token in page["tokens"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == everything


def test_an_admin_lists_another_users_tokens_and_a_user_cannot(
    client: TestClient, host: dict[str, str], admin: dict[str, str]
) -> None:
    assert len(jtis(client, admin, user="host@example.com")) == 1
    response = client.get("/_a/tokens", params={"user": "admin@example.com"}, headers=host)
    assert response.status_code == 404
    assert response.json()["code"] == "podops.auth.user_not_found"


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "²"},
        {"limit": "9" * 5000},
        {"cursor": "not-a-cursor"},
        {"cursor": "WzI1MzQwMjMwMDgwMCwiYSJd"},  # [253402300800,"a"]: past the time bound
        {"cursor": "WzEsIiciXQ"},  # [1,"'"]: not a token id
        {"user": "x" * 300},
    ],
)
def test_bad_token_list_queries_are_400(
    client: TestClient, host: dict[str, str], params: dict[str, str]
) -> None:
    response = client.get("/_a/tokens", params=params, headers=host)
    assert response.status_code == 400, response.text
    assert response.json()["success"] is False


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"scope": 5},
        {"scope": "resource:read", "user": 7},
        {"scope": "resource:read", "user": "x" * 300},
        {"scope": "resource:read", "production": "Bad.Name"},
        {"scope": "unknown:scope"},
    ],
)
def test_malformed_token_requests_are_400_and_issue_nothing(
    client: TestClient, host: dict[str, str], body: dict[str, object]
) -> None:
    before = jtis(client, host)
    status, answer = mint(client, host, **body)
    assert status == 400, answer
    assert jtis(client, host) == before


def test_a_minted_token_never_outlives_the_token_that_mints_it(
    client: TestClient, host: dict[str, str]
) -> None:
    short = bearer(token_for(context_of(client), "host@example.com", "resource:read", ttl=300))
    status, body = mint(client, short, scope="resource:read")
    assert status == 201, body
    assert 240 <= body["expires_in"] <= 300  # the default (8 hours) cut to what is left
    before = jtis(client, host)
    status, body = mint(client, short, scope="resource:read", expires_in=3600)
    assert status == 403
    assert body["code"] == "podops.auth.beyond_creator"
    assert jtis(client, host) == before


def test_an_admin_mints_any_lifetime(client: TestClient, admin: dict[str, str]) -> None:
    short_admin = bearer(
        token_for(context_of(client), "admin@example.com", "api:admin", admin=True, ttl=300)
    )
    status, body = mint(client, short_admin, scope="resource:read", expires_in=3600)
    assert status == 201, body
    assert body["expires_in"] == 3600
