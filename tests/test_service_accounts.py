"""Service accounts: a signed assertion buys a short-lived token, once."""

from __future__ import annotations

import secrets
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from starlette.testclient import TestClient

from podops.auth import Scope
from podops.auth.service_accounts import GRANT_TYPE, create_service_account, sign_assertion
from podops.auth.users import create_user, deactivate_user
from tests.support.auth import bearer, context_of


def make_account(
    client: TestClient, *, production: str | None = "my-podcast-show"
) -> dict[str, str]:
    context = context_of(client)
    with context.database.session() as session:
        user = create_user(session, f"owner-{secrets.token_hex(3)}@example.com")
        _account, credentials = create_service_account(
            session,
            user,
            name="CI",
            production=production,
            scopes=frozenset({Scope.PRODUCTION_BUILD, Scope.RESOURCE_WRITE}),
            token_uri=context.settings.base_url + "/_a/token/exchange",
        )
    return credentials


def exchange(client: TestClient, assertion: str, **extra: str) -> Any:
    return client.post(
        "/_a/token/exchange",
        data={"grant_type": GRANT_TYPE, "assertion": assertion, **extra},
    )


def test_an_assertion_buys_a_short_lived_token(client: TestClient) -> None:
    credentials = make_account(client)
    assert credentials["private_key"].startswith("-----BEGIN PRIVATE KEY-----")
    response = exchange(client, sign_assertion(credentials))
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "production:build resource:write"
    claims = client.get("/_a/token", headers=bearer(body["access_token"])).json()
    assert claims["prod"] == "my-podcast-show"


def test_json_bodies_and_a_narrower_scope_are_accepted(client: TestClient) -> None:
    credentials = make_account(client)
    response = client.post(
        "/_a/token/exchange",
        json={
            "grant_type": GRANT_TYPE,
            "assertion": sign_assertion(credentials),
            "scope": "production:build",
        },
    )
    assert response.status_code == 200
    assert response.json()["scope"] == "production:build"


def test_an_assertion_is_spent_once(client: TestClient) -> None:
    assertion = sign_assertion(make_account(client))
    assert exchange(client, assertion).status_code == 200
    replay = exchange(client, assertion)
    assert replay.status_code == 400
    assert replay.json()["code"] == "podops.auth.invalid_grant"
    assert "used already" in replay.json()["message"]


def tampered(credentials: dict[str, str], **changes: Any) -> str:
    key = serialization.load_pem_private_key(credentials["private_key"].encode(), password=None)
    now = int(time.time())
    claims = {
        "iss": credentials["client_id"],
        "sub": credentials["client_id"],
        "aud": credentials["token_uri"],
        "iat": now,
        "exp": now + 60,
        "jti": secrets.token_hex(8),
        **changes,
    }
    return jwt.encode(
        {k: v for k, v in claims.items() if v is not None},
        key,  # type: ignore[arg-type]
        algorithm="EdDSA",
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"aud": "https://elsewhere.example/token"}, "aud must be"),
        ({"iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600}, "expired"),
        ({"exp": int(time.time()) + 3600}, "300 seconds at most"),
        ({"sub": "sa-someone-else"}, "sub must be"),
        ({"jti": None}, "not valid"),
        ({"iss": "sa-unknown"}, "unknown or disabled"),
        # Unauthenticated input that reaches a database lookup (PostgreSQL refuses NUL).
        ({"iss": "sa-\x00x"}, "iss must be a client id"),
        ({"exp": 1e30}, "whole number of seconds"),
        ({"iat": str(int(time.time()))}, "whole number of seconds"),
    ],
)
def test_bad_assertions_are_refused(
    client: TestClient, change: dict[str, Any], message: str
) -> None:
    response = exchange(client, tampered(make_account(client), **change))
    assert response.status_code == 400
    assert response.json()["code"] == "podops.auth.invalid_grant"
    assert message in response.json()["message"]


def test_an_assertion_signed_by_another_key_is_refused(client: TestClient) -> None:
    mine, theirs = make_account(client), make_account(client)
    forged = tampered({**theirs, "client_id": mine["client_id"], "token_uri": mine["token_uri"]})
    response = exchange(client, forged)
    assert response.status_code == 400
    assert response.json()["code"] == "podops.auth.invalid_grant"


@pytest.mark.parametrize(
    ("form", "status"),
    [
        ({"grant_type": "password", "assertion": "x"}, 400),
        ({"grant_type": GRANT_TYPE, "assertion": "garbage"}, 400),
        ({"grant_type": GRANT_TYPE, "assertion": "a" * 10000}, 400),
        ({"grant_type": GRANT_TYPE}, 400),
    ],
)
def test_malformed_exchange_requests(client: TestClient, form: dict[str, str], status: int) -> None:
    assert client.post("/_a/token/exchange", data=form).status_code == status


def test_an_exchange_body_must_be_a_form_or_json(client: TestClient) -> None:
    response = client.post(
        "/_a/token/exchange", content=b"x", headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 415
    response = client.post(
        "/_a/token/exchange", content=b"[1]", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400


def test_a_deactivated_owner_gets_no_token(client: TestClient) -> None:
    credentials = make_account(client)
    context = context_of(client)
    with context.database.session() as session:
        from podops.models import ServiceAccount

        account = session.get(ServiceAccount, credentials["client_id"])
        assert account is not None
        from podops.models import User

        user = session.get(User, account.user_id)
        assert user is not None
        deactivate_user(session, user.email)
    response = exchange(client, sign_assertion(credentials))
    assert response.status_code == 400
    assert "deactivated" in response.json()["message"]
