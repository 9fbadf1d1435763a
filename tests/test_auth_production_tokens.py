"""A token restricted to a production can do nothing outside it, api:admin or not (issue 18,
finding 1): it mints no token beyond its own production and scopes, revokes no one else's
token, and reaches no internal route."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.support.auth import bearer, context_of, token_for

HOME = "alice-prod-01"


@pytest.fixture
def restricted_admin(client: TestClient, admin: dict[str, str]) -> dict[str, str]:
    """An api:admin token of the admin, restricted to the production HOME."""
    response = client.post("/a/v1/production", json={"name": HOME, "title": "Alice"}, headers=admin)
    assert response.status_code == 201, response.text
    client.post("/a/v1/production", json={"name": "bobs-show-01", "title": "Bob"}, headers=admin)
    return bearer(token_for(context_of(client), "admin@example.com", "api:admin", production=HOME))


def mint(client: TestClient, headers: dict[str, str], **body: object) -> tuple[int, Any]:
    response = client.post("/_a/token", json=body, headers=headers)
    return response.status_code, response.json()


def test_a_production_token_mints_no_unrestricted_token(
    client: TestClient, restricted_admin: dict[str, str]
) -> None:
    token_for(context_of(client), "host@example.com", "resource:read")  # makes the user
    for user in ("host@example.com", "admin@example.com"):
        status, body = mint(client, restricted_admin, user=user, scope="api:admin")
        if status == 201:  # allowed only as narrow as its creator
            assert body["claims"]["prod"] == HOME
            minted = bearer(body["token"])
            assert client.get("/a/v1/production/bobs-show-01", headers=minted).status_code == 404
            assert client.post("/_t/ping", json={}, headers=minted).status_code == 403
        else:
            assert status == 400, body


def test_a_production_token_mints_none_for_another_production(
    client: TestClient, restricted_admin: dict[str, str]
) -> None:
    status, body = mint(
        client,
        restricted_admin,
        user="admin@example.com",
        scope="api:admin",
        production="bobs-show-01",
    )
    assert status == 403, body
    assert body["code"] == "podops.auth.beyond_creator"


def test_a_production_token_may_mint_within_its_production(
    client: TestClient, restricted_admin: dict[str, str]
) -> None:
    status, body = mint(
        client, restricted_admin, user="admin@example.com", scope="resource:read", production=HOME
    )
    assert status == 201, body
    assert body["claims"]["prod"] == HOME


def test_a_production_token_revokes_no_one_elses_token(
    client: TestClient, restricted_admin: dict[str, str]
) -> None:
    context = context_of(client)
    victim = token_for(context, "victim@example.com", "production:read")
    unrestricted = token_for(context, "admin@example.com", "production:read")
    for token in (victim, unrestricted):
        jti = client.get("/_a/token", headers=bearer(token)).json()["jti"]
        assert client.delete(f"/_a/token/{jti}", headers=restricted_admin).status_code == 404
        assert client.get("/_a/token", headers=bearer(token)).status_code == 200
    # Its own production's tokens (itself included) it may revoke.
    sibling = token_for(context, "admin@example.com", "production:read", production=HOME)
    jti = client.get("/_a/token", headers=bearer(sibling)).json()["jti"]
    assert client.delete(f"/_a/token/{jti}", headers=restricted_admin).status_code == 204


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/_t/ping", {"message": "x"}),
        ("/_t/import", {"production": HOME, "url": "https://example.com/a.mp3"}),
    ],
)
def test_a_production_token_reaches_no_internal_route(
    client: TestClient, restricted_admin: dict[str, str], path: str, body: dict[str, str]
) -> None:
    response = client.post(path, json=body, headers=restricted_admin)
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "podops.auth.production_token"
