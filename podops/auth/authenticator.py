"""The authenticator: from an Authorization header to a `Principal`, and issuing tokens."""

from __future__ import annotations

import re
import time

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from podops.auth.keys import Keyring
from podops.auth.ratelimit import RateLimiter, make_rate_limiter
from podops.auth.revocation import RevocationList
from podops.auth.scopes import Scope, format_scopes
from podops.auth.tokens import MAX_TOKEN_BYTES, Claims, Principal, TokenError, TokenService
from podops.db import Database
from podops.errors import BadRequestError, NotFoundError
from podops.models import IssuedToken, User
from podops.settings import Settings

# RFC 6750 b64token: what may follow "Bearer ".
_BEARER = re.compile(r"[Bb][Ee][Aa][Rr][Ee][Rr] +([A-Za-z0-9\-._~+/]+=*)")


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer …` header; `TokenError` for anything else."""
    if not authorization:
        raise TokenError("no bearer token: send Authorization: Bearer <token>")
    if len(authorization) > MAX_TOKEN_BYTES + 16:
        raise TokenError(f"the Authorization header is longer than {MAX_TOKEN_BYTES} bytes")
    match = _BEARER.fullmatch(authorization.strip())
    if match is None:
        raise TokenError("the Authorization header is not 'Bearer <token>'")
    return match.group(1)


class Authenticator:
    """Verifies tokens (cached), honours revocations (seconds old at most), issues tokens."""

    def __init__(self, settings: Settings, database: Database) -> None:
        keyring = (
            Keyring.from_pem_files(settings.jwt_keys)
            if settings.jwt_keys
            else Keyring.from_secret(settings.jwt_secret)
        )
        self.settings = settings
        self.database = database
        self.tokens = TokenService(keyring, issuer=settings.token_issuer)
        self.revocations = RevocationList(database)
        self.limiter: RateLimiter | None = make_rate_limiter(
            settings.rate_limit, settings.broker_url
        )

    async def authenticate(self, authorization: str | None) -> Principal:
        claims = self.tokens.verify(bearer_token(authorization))
        if self.revocations.stale:
            await run_in_threadpool(self.revocations.refresh)
        reason = self.revocations.reason_to_refuse(claims.jti, claims.sub)
        if reason is not None:
            raise TokenError(reason)
        return Principal(claims)

    def issue(
        self,
        session: Session,
        user: User,
        *,
        scopes: frozenset[Scope],
        ttl: int | None = None,
        production: str | None = None,
        client_id: str | None = None,
    ) -> tuple[str, Claims]:
        """Issue a token for `user` and record it; `BadRequestError` when it may not be had."""
        lifetime = self.settings.token_ttl if ttl is None else ttl
        if not user.active:
            raise BadRequestError(
                f"user {user.email} is deactivated", code="podops.auth.inactive_user"
            )
        if not scopes:
            raise BadRequestError(
                "name at least one scope", code="podops.auth.invalid_scope", field="scope"
            )
        if Scope.ADMIN in scopes and not user.is_admin:
            raise BadRequestError(
                f"{user.email} is not an admin: api:admin cannot be granted",
                code="podops.auth.invalid_scope",
                field="scope",
            )
        if not 60 <= lifetime <= self.settings.token_max_ttl:
            raise BadRequestError(
                f"a token lives between 60 and {self.settings.token_max_ttl} seconds",
                code="podops.auth.invalid_expiry",
                field="expires_in",
            )
        token, claims = self.tokens.issue(
            subject=user.id, scopes=scopes, ttl=lifetime, production=production
        )
        session.add(
            IssuedToken(
                jti=claims.jti,
                user_id=user.id,
                scope=format_scopes(scopes),
                production=production,
                client_id=client_id,
                issued_at=claims.iat,
                expires_at=claims.exp,
            )
        )
        return token, claims

    def revoke(self, session: Session, jti: str, *, by: Principal) -> IssuedToken:
        """Revoke a token of the caller's own (any token, for an admin). A token restricted to
        a production revokes only its user's tokens of that production, admin or not."""
        issued = session.get(IssuedToken, jti)
        if issued is None or not _may_revoke(by, issued):
            # Someone else's token is "not found", not "forbidden": ids are not confirmed.
            raise NotFoundError(f"no token {jti}", code="podops.auth.token_not_found")
        if issued.revoked_at is None:
            issued.revoked_at = int(time.time())
        self.revocations.note_revoked(jti)
        return issued

    async def close(self) -> None:
        if self.limiter is not None:
            await self.limiter.close()


def _may_revoke(by: Principal, issued: IssuedToken) -> bool:
    own = issued.user_id == by.user_id
    if by.production is not None:
        return own and issued.production == by.production
    return own or by.is_admin
