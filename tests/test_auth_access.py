"""Issuing, revoking and deactivating; ownership; production tokens; rate limits."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from podops.api import create_app
from podops.auth.users import deactivate_user
from podops.db import Database
from podops.settings import Settings
from tests.conftest import make_settings
from tests.support.auth import bearer, context_of, token_for
from tests.support.processes import wait_until


def start_ping(client: TestClient, headers: dict[str, str]) -> str:
    response = client.post("/_t/ping", json={"message": "x"}, headers=headers)
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def test_an_admin_creates_a_token_shown_once(client: TestClient, admin: dict[str, str]) -> None:
    token_for(context_of(client), "host@example.com", "resource:read")  # makes the user
    response = client.post(
        "/_a/token",
        json={
            "user": "host@example.com",
            "scope": "production:read production:build",
            "expires_in": 3600,
            "production": "my-podcast-show",
        },
        headers=admin,
    )
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    claims = client.get("/_a/token", headers=bearer(body["token"])).json()
    assert claims["scope"] == "production:build production:read"
    assert claims["prod"] == "my-podcast-show"
    assert claims["jti"] == body["claims"]["jti"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"user": "host@example.com", "scope": "root"}, 400, "podops.auth.invalid_scope"),
        ({"user": "host@example.com", "scope": ""}, 400, "podops.auth.invalid_scope"),
        ({"user": "host@example.com", "scope": "api:admin"}, 400, "podops.auth.invalid_scope"),
        (
            {"user": "host@example.com", "scope": "resource:read", "expires_in": 10**9},
            400,
            "podops.auth.invalid_expiry",
        ),
        (
            {"user": "host@example.com", "scope": "resource:read", "expires_in": 5},
            400,
            "podops.request.invalid",
        ),
        (
            {"user": "host@example.com", "scope": "resource:read", "production": "Bad.Name"},
            400,
            "podops.request.invalid",
        ),
        (
            {"user": "nobody@example.com", "scope": "resource:read"},
            404,
            "podops.auth.user_not_found",
        ),
        (
            {"user": "host@example.com", "scope": "resource:read", "extra": 1},
            400,
            "podops.request.invalid",
        ),
    ],
)
def test_token_requests_that_cannot_be_granted(
    client: TestClient, admin: dict[str, str], body: dict[str, object], status: int, code: str
) -> None:
    token_for(context_of(client), "host@example.com", "resource:read")
    response = client.post("/_a/token", json=body, headers=admin)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code


def test_only_an_admin_creates_tokens_for_another_user(client: TestClient) -> None:
    context = context_of(client)
    token_for(context, "other@example.com", "resource:read")
    token = token_for(context, "host@example.com", "production:write resource:write")
    for user in ("other@example.com", "nobody@example.com"):  # the same answer for both
        response = client.post(
            "/_a/token", json={"user": user, "scope": "resource:write"}, headers=bearer(token)
        )
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "podops.auth.not_admin"


def test_a_user_revokes_their_own_token(client: TestClient) -> None:
    context = context_of(client)
    token = token_for(context, "host@example.com", "production:read")
    jti = client.get("/_a/token", headers=bearer(token)).json()["jti"]
    assert client.delete(f"/_a/token/{jti}", headers=bearer(token)).status_code == 204
    response = client.get("/_a/token", headers=bearer(token))
    assert response.status_code == 401
    assert "revoked" in response.json()["message"]


def test_someone_elses_token_is_not_found_but_an_admin_may_revoke_it(
    client: TestClient, admin: dict[str, str]
) -> None:
    context = context_of(client)
    victim = token_for(context, "victim@example.com", "production:read")
    other = token_for(context, "other@example.com", "production:read")
    jti = client.get("/_a/token", headers=bearer(victim)).json()["jti"]
    response = client.delete(f"/_a/token/{jti}", headers=bearer(other))
    assert response.status_code == 404
    assert client.get("/_a/token", headers=bearer(victim)).status_code == 200
    assert client.delete(f"/_a/token/{jti}", headers=admin).status_code == 204
    assert client.get("/_a/token", headers=bearer(victim)).status_code == 401
    assert client.delete("/_a/token/" + "f" * 32, headers=admin).status_code == 404


def test_a_revocation_reaches_another_process_within_seconds(
    client: TestClient, settings: Settings
) -> None:
    token = token_for(context_of(client), "host@example.com", "production:read")
    with TestClient(create_app(settings)) as other_process:
        assert other_process.get("/_a/token", headers=bearer(token)).status_code == 200
        jti = client.get("/_a/token", headers=bearer(token)).json()["jti"]
        assert client.delete(f"/_a/token/{jti}", headers=bearer(token)).status_code == 204
        revoked_at = time.monotonic()
        wait_until(
            lambda: other_process.get("/_a/token", headers=bearer(token)).status_code == 401,
            10,
            "the other process to refuse the revoked token",
            0.2,
        )
        assert time.monotonic() - revoked_at < 5


def test_deactivating_a_user_ends_every_token_of_theirs(
    client: TestClient, database: Database
) -> None:
    context = context_of(client)
    tokens = [token_for(context, "leaver@example.com", "production:read") for _ in range(3)]
    keeper = token_for(context, "stayer@example.com", "production:read")
    for token in tokens:
        assert client.get("/_a/token", headers=bearer(token)).status_code == 200
    with database.session() as session:
        deactivate_user(session, "leaver@example.com")
    wait_until(
        lambda: all(
            client.get("/_a/token", headers=bearer(token)).status_code == 401 for token in tokens
        ),
        10,
        "every token of the deactivated user to be refused",
        0.2,
    )
    response = client.get("/_a/token", headers=bearer(tokens[0]))
    assert "deactivated" in response.json()["message"]
    assert client.get("/_a/token", headers=bearer(keeper)).status_code == 200


def test_an_operation_is_visible_to_its_owner_and_admins_only(
    client: TestClient, admin: dict[str, str]
) -> None:
    operation_id = start_ping(client, admin)
    location = f"/a/v1/operations/{operation_id}"
    assert client.get(location, headers=admin).status_code == 200
    stranger = token_for(context_of(client), "stranger@example.com", "production:read")
    response = client.get(location, headers=bearer(stranger))
    assert response.status_code == 404
    assert response.json()["code"] == "podops.operation.not_found"


def test_a_production_token_sees_nothing_of_other_productions(
    client: TestClient, admin: dict[str, str]
) -> None:
    operation_id = start_ping(client, admin)  # an operation of no production
    restricted = token_for(
        context_of(client), "admin@example.com", "api:admin", production="some-other-show"
    )
    response = client.get(f"/a/v1/operations/{operation_id}", headers=bearer(restricted))
    assert response.status_code == 404


@pytest.mark.parametrize("counted_in", ["redis", "process"])
def test_the_rate_limit_answers_429_with_retry_after(
    tmp_path: Path, database: Database, redis_url: str, counted_in: str
) -> None:
    broker = {"PODOPS_BROKER_URL": redis_url} if counted_in == "redis" else {}
    settings = make_settings(
        tmp_path, PODOPS_DATABASE_URL=database.url, PODOPS_RATE_LIMIT="3", **broker
    )
    with TestClient(create_app(settings)) as client:
        token = token_for(context_of(client), f"busy-{counted_in}@example.com", "production:read")
        other = token_for(context_of(client), f"calm-{counted_in}@example.com", "production:read")
        responses = [client.get("/_a/token", headers=bearer(token)) for _ in range(4)]
        assert [r.status_code for r in responses[:3]] == [200, 200, 200]
        assert [r.headers["x-ratelimit-remaining"] for r in responses[:3]] == ["2", "1", "0"]
        limited = responses[3]
        assert limited.status_code == 429
        assert limited.json()["code"] == "podops.auth.rate_limited"
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert limited.headers["x-ratelimit-limit"] == "3"
        assert int(limited.headers["x-ratelimit-reset"]) > time.time()
        # Each subject has its own budget, and a 403 carries the headers too.
        refused = client.post("/_t/ping", json={}, headers=bearer(other))
        assert refused.status_code == 403
        assert refused.headers["x-ratelimit-remaining"] == "2"


def test_expired_tokens_are_purged_but_live_revocations_kept(
    client: TestClient, database: Database
) -> None:
    from sqlalchemy import select

    from podops.auth.revocation import purge_expired
    from podops.models import IssuedToken

    context = context_of(client)
    short = token_for(context, "host@example.com", "production:read", ttl=60)
    live = token_for(context, "host@example.com", "production:read")
    for token in (short, live):
        jti = client.get("/_a/token", headers=bearer(token)).json()["jti"]
        client.delete(f"/_a/token/{jti}", headers=bearer(token))
    with database.session() as session:
        assert purge_expired(session, now=int(time.time()) + 200) == 1
    with database.session() as session:
        kept = list(session.scalars(select(IssuedToken.revoked_at)))
    assert len(kept) == 1
    assert kept[0] is not None
