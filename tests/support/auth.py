"""Users and tokens for tests, made the way the server makes them."""

from __future__ import annotations

from starlette.testclient import TestClient

from podops.auth import Scope
from podops.auth.users import create_user, find_user
from podops.runtime import Runtime


def context_of(client: TestClient) -> Runtime:
    context: Runtime = client.app.state.context  # type: ignore[attr-defined]
    return context


def token_for(
    context: Runtime,
    email: str,
    scopes: str,
    *,
    admin: bool = False,
    production: str | None = None,
    ttl: int | None = None,
) -> str:
    """A real token for `email` (created on first use) with the space-separated `scopes`."""
    with context.database.session() as session:
        user = find_user(session, email) or create_user(session, email, admin=admin)
        token, _claims = context.authenticator.issue(
            session,
            user,
            scopes=frozenset(Scope(name) for name in scopes.split()),
            ttl=ttl,
            production=production,
        )
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
