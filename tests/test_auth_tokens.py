"""Bearer tokens: every way a token can be wrong gives 401 and changes nothing."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from podops.auth.tokens import AUDIENCE, JWT_TYP
from podops.models import Operation
from podops.settings import Settings
from tests.support.auth import bearer, context_of, token_for


def forge(settings: Settings, client: TestClient, **changes: Any) -> str:
    """A token signed with the service's own secret, with `changes` to the claims or header."""
    context = context_of(client)
    key = context.authenticator.tokens.keyring.current
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": settings.token_issuer,
        "aud": AUDIENCE,
        "sub": "0123456789ab",
        "iat": now,
        "exp": now + 600,
        "jti": "j" * 32,
        "scope": "api:admin",
    }
    header = {"kid": key.kid, "typ": JWT_TYP}
    for name, value in changes.items():
        target = header if name.startswith("header_") else claims
        name = name.removeprefix("header_")
        if value is None:
            target.pop(name, None)
        else:
            target[name] = value
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256", headers=header)


def unsigned(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': JWT_TYP})}.{part(claims)}."


def count_operations(client: TestClient) -> int:
    with context_of(client).database.session() as session:
        return int(session.scalar(select(func.count()).select_from(Operation)) or 0)


BAD_HEADERS: dict[str, Callable[[Settings, TestClient], str | None]] = {
    "no header": lambda s, c: None,
    "empty": lambda s, c: "",
    "basic scheme": lambda s, c: "Basic dXNlcjpwYXNz",
    "bearer without token": lambda s, c: "Bearer",
    "two tokens": lambda s, c: "Bearer a.b.c d.e.f",
    "garbage base64": lambda s, c: "Bearer %%%.@@@.***",
    "not a jwt": lambda s, c: "Bearer bm90IGEgand0",
    "alg none": lambda s, c: "Bearer " + unsigned({"sub": "x", "scope": "api:admin"}),
    "wrong signature": lambda s, c: "Bearer " + forge(s, c)[:-4] + "AAAA",
    "expired": lambda s, c: (
        "Bearer " + forge(s, c, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)
    ),
    "not yet valid": lambda s, c: "Bearer " + forge(s, c, nbf=int(time.time()) + 3600),
    "issued in the future": lambda s, c: "Bearer " + forge(s, c, iat=int(time.time()) + 3600),
    "wrong aud": lambda s, c: "Bearer " + forge(s, c, aud="someone-else"),
    "wrong iss": lambda s, c: "Bearer " + forge(s, c, iss="https://evil.example"),
    "missing exp": lambda s, c: "Bearer " + forge(s, c, exp=None),
    "missing jti": lambda s, c: "Bearer " + forge(s, c, jti=None),
    "missing sub": lambda s, c: "Bearer " + forge(s, c, sub=None),
    "missing iat": lambda s, c: "Bearer " + forge(s, c, iat=None),
    "unknown scope": lambda s, c: "Bearer " + forge(s, c, scope="root"),
    "wrong typ": lambda s, c: "Bearer " + forge(s, c, header_typ="JWT"),
    "unknown kid": lambda s, c: "Bearer " + forge(s, c, header_kid="other"),
    "oversized": lambda s, c: "Bearer " + forge(s, c, padding="x" * 8000),
    # Accepted by PyJWT with a valid signature: dates that are not whole seconds.
    "exp as a string": lambda s, c: "Bearer " + forge(s, c, exp=str(int(time.time()) + 600)),
    "exp 1e30": lambda s, c: "Bearer " + forge(s, c, exp=1e30),
    "exp a float": lambda s, c: "Bearer " + forge(s, c, exp=time.time() + 600.5),
    "exp true": lambda s, c: "Bearer " + forge(s, c, exp=True, iat=0),
    "iat as a string": lambda s, c: "Bearer " + forge(s, c, iat=str(int(time.time()))),
    "nbf 1e30 in the past": lambda s, c: "Bearer " + forge(s, c, nbf=-1e30),
}


@pytest.mark.parametrize("case", sorted(BAD_HEADERS))
def test_a_bad_token_is_401_invalid_token_and_changes_nothing(
    client: TestClient, settings: Settings, case: str
) -> None:
    authorization = BAD_HEADERS[case](settings, client)
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client.post("/_t/ping", json={"message": "x"}, headers=headers)
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "podops.auth.invalid_token"
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="podops", error="invalid_token"')
    assert count_operations(client) == 0


def test_the_service_accepts_its_own_forged_token_shape(
    client: TestClient, settings: Settings
) -> None:
    # The bad cases above differ from a good token only in what each names.
    with context_of(client).database.session() as session:
        from podops.auth.users import create_user

        create_user(session, "forger@example.com", admin=True)
    response = client.get("/_a/token", headers=bearer(forge(settings, client)))
    assert response.status_code == 200
    assert response.json()["sub"] == "0123456789ab"


def test_a_valid_token_without_the_scope_is_403_insufficient_scope(client: TestClient) -> None:
    token = token_for(context_of(client), "reader@example.com", "production:read")
    response = client.post("/_t/ping", json={}, headers=bearer(token))
    assert response.status_code == 403
    assert response.json()["code"] == "podops.auth.insufficient_scope"
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]
    assert 'scope="api:admin"' in response.headers["www-authenticate"]
    assert count_operations(client) == 0


def test_get_token_returns_the_callers_claims(client: TestClient) -> None:
    token = token_for(
        context_of(client),
        "ci@example.com",
        "resource:read resource:write",
        production="my-podcast-show",
    )
    claims = client.get("/_a/token", headers=bearer(token)).json()
    assert claims["active"] is True
    assert claims["scope"] == "resource:read resource:write"
    assert claims["prod"] == "my-podcast-show"
    assert claims["aud"] == "podops"
    assert claims["exp"] - claims["iat"] == 8 * 3600
    assert set(claims) >= {"iss", "sub", "iat", "exp", "jti"}
