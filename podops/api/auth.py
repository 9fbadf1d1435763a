"""Route protection (`requires`) and the token endpoints under `/_a/`.

Every protected route states the scope it needs with `@requires(Scope.…)`; the decorator
authenticates the caller, counts the request against the subject's rate limit and checks the
scope, then leaves the `Principal` on `request.state.principal`.
"""

from __future__ import annotations

import functools
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qs

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from podops.api.bodies import read_json
from podops.api.context import context_of, in_session
from podops.api.docs import QueryParameter, documented
from podops.api.middleware import RATE_LIMIT_STATE
from podops.api.pagination import CURSOR, LIMIT, query_cursor, query_limit
from podops.api.routing import path_for
from podops.auth import Principal, Scope, TokenError, issued
from podops.auth.scopes import parse_scopes
from podops.auth.service_accounts import EXCHANGED_TOKEN_TTL, GRANT_TYPE, redeem_assertion
from podops.auth.users import find_user
from podops.errors import (
    ApiError,
    BadRequestError,
    ForbiddenError,
    NotFoundError,
    UnsupportedMediaTypeError,
)
from podops.models import IssuedToken
from podops.services import productions
from podops.services.paging import TimeKeyCursor
from podops.untrusted import NUL, nul_refused

Endpoint = Callable[[Request], Awaitable[Response]]
FORM = "application/x-www-form-urlencoded"
_JTI = re.compile(r"[0-9A-Za-z_-]{1,64}")
MIN_TOKEN_TTL = 60  # seconds, as `Authenticator.issue` requires


class RateLimitedError(ApiError):
    status = 429
    code = "podops.auth.rate_limited"


@dataclass(frozen=True)
class Requirement:
    """What `@requires` asks of an endpoint's callers: a valid token within its rate limit,
    carrying `scope` (None: any scope); with `whole_service`, a token not restricted to a
    production (the route acts outside any one production)."""

    scope: Scope | None
    whole_service: bool = False


def requires(scope: Scope | None, *, whole_service: bool = False) -> Callable[[Endpoint], Endpoint]:
    """Protect an endpoint: a valid token, within its rate limit, carrying `scope`.

    `None` asks only for a valid token (any scope). `whole_service` refuses (403) a token
    restricted to a production, api:admin or not: the internal routes act on the whole service.
    The requirement stays readable on the endpoint (`requirement_of`), for the OpenAPI
    document and the test of public routes.
    """

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def protected(request: Request) -> Response:
            authenticator = context_of(request).authenticator
            principal = await authenticator.authenticate(request.headers.get("authorization"))
            await charge(request, principal.user_id, 1)
            if scope is not None:
                principal.require(scope)
            if whole_service and principal.production is not None:
                raise ForbiddenError(
                    f"this token is restricted to production {principal.production}; "
                    "this route acts outside any one production",
                    code="podops.auth.production_token",
                )
            request.state.principal = principal
            return await endpoint(request)

        protected.requirement = Requirement(scope, whole_service)  # type: ignore[attr-defined]
        return protected

    return decorate


async def charge(request: Request, subject: str, cost: int) -> None:
    """Count `cost` requests of `subject` against its rate limit; 429 beyond it. Every
    protected request costs one; a bulk request adds what its size costs."""
    limiter = context_of(request).authenticator.limiter
    if limiter is None or cost <= 0:
        return
    result = await limiter.hit(subject, cost)
    request.scope.setdefault("state", {})[RATE_LIMIT_STATE] = result.headers()
    if not result.allowed:
        retry = max(1, result.reset_at - int(time.time()))
        raise RateLimitedError(
            f"more than {result.limit} requests a minute; retry in {retry} seconds",
            headers={"Retry-After": str(retry)},
        )


def requirement_of(endpoint: object) -> Requirement | None:
    """What `@requires` asks of the endpoint's callers; None when it is public."""
    requirement = getattr(endpoint, "requirement", None)
    return requirement if isinstance(requirement, Requirement) else None


def principal_of(request: Request) -> Principal:
    principal: Principal = request.state.principal
    return principal


class TokenRequest(BaseModel):
    """Create a token: for yourself, with at most your own token's scopes and production (an
    admin: for anyone). The token is shown once."""

    model_config = ConfigDict(extra="forbid")

    user: str | None = Field(
        default=None,
        max_length=254,
        description="email address or user id; default the caller (only an admin names another)",
    )
    scope: str = Field(max_length=255, description="space-separated scopes")
    expires_in: int | None = Field(
        default=None, ge=60, le=2**31 - 1, description="seconds; default 8 hours"
    )
    production: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9_-]{8,44}$",
        description="restrict to one production; a production token mints for its own only",
    )


class TokenClaims(BaseModel):
    model_config = ConfigDict(extra="allow")

    active: bool
    iss: str
    aud: str
    sub: str
    iat: int
    exp: int
    jti: str
    scope: str
    prod: str | None = None


class TokenCreated(BaseModel):
    token: str
    token_type: str
    expires_in: int
    claims: dict[str, Any]


class TokenExchanged(BaseModel):
    access_token: str
    token_type: str
    expires_in: int
    scope: str


class ExchangeRequest(BaseModel):
    """RFC 7523 (as a form, or the same fields as JSON)."""

    grant_type: Literal["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    assertion: str = Field(max_length=4096)
    scope: str | None = Field(default=None, max_length=255)


class JsonWebKeySet(BaseModel):
    keys: list[dict[str, str]]


@documented(
    "Verify the caller's token and return its claims", responses={200: TokenClaims}, tag="auth"
)
@requires(None)
async def verify_token(request: Request) -> Response:
    principal = principal_of(request)
    return JSONResponse({"active": True, **principal.claims.to_json()})


class IssuedTokenOut(BaseModel):
    """A token's record: never the token itself (it was shown once)."""

    jti: str
    scope: str
    production: str | None
    client_id: str | None
    issued: int
    expires: int
    revoked: int | None


class TokenList(BaseModel):
    tokens: list[IssuedTokenOut]
    next_cursor: str | None


@documented(
    "Create a token: yours, with at most your token's scopes and production (an admin: "
    "anyone's); the token is shown once",
    body=TokenRequest,
    responses={201: TokenCreated, 403: None, 404: None},
    tag="auth",
)
@requires(None)
async def create_token(request: Request) -> Response:
    body = await read_json(request, TokenRequest)
    try:
        scopes = parse_scopes(body.scope)
    except ValueError as error:
        raise BadRequestError(str(error), code="podops.auth.invalid_scope", field="scope") from None
    authenticator, creator = context_of(request).authenticator, principal_of(request)

    def issue(session: Session) -> tuple[str, dict[str, Any]]:
        production = _within_creator(session, creator, scopes, body.production)
        user = find_user(session, body.user or creator.user_id)
        if not creator.is_admin and (user is None or user.id != creator.user_id):
            # The same answer whether the user exists or not: nothing confirmed.
            raise ForbiddenError(
                "only an admin creates tokens for another user; leave out user for your own",
                code="podops.auth.not_admin",
            )
        if user is None:
            raise NotFoundError(f"no user {body.user}", code="podops.auth.user_not_found")
        ttl = (
            body.expires_in
            if creator.is_admin
            else _within_lifetime(creator, body.expires_in, authenticator.settings.token_ttl)
        )
        token, claims = authenticator.issue(
            session, user, scopes=scopes, ttl=ttl, production=production
        )
        return token, claims.to_json()

    token, claims = await in_session(request, issue)
    return JSONResponse(
        {
            "token": token,
            "token_type": "Bearer",
            "expires_in": claims["exp"] - claims["iat"],
            "claims": claims,
        },
        status_code=201,
        headers={"Cache-Control": "no-store"},
    )


def _within_lifetime(creator: Principal, asked: int | None, default: int) -> int:
    """A lifetime no longer than what is left of the creator's token: a token minted by a
    short-lived one (a service account's hour, say) must not outlive it. Without an ask, the
    default lifetime cut to fit; an ask beyond it is 403."""
    left = creator.claims.exp - int(time.time())
    wanted = default if asked is None else asked
    if wanted <= left:
        return wanted
    if asked is None and left >= MIN_TOKEN_TTL:
        return left
    raise ForbiddenError(
        f"your token expires in {max(left, 0)} seconds: a token it creates cannot live longer"
        + ("" if left >= MIN_TOKEN_TTL else f", nor less than {MIN_TOKEN_TTL} seconds"),
        code="podops.auth.beyond_creator",
    )


def _within_creator(
    session: Session, creator: Principal, scopes: frozenset[Scope], requested: str | None
) -> str | None:
    """The production a new token is restricted to, never wider than its creator's token: a
    creator restricted to a production mints tokens for that production only (the default when
    none is asked for). 403 when the token would hold a scope or production its creator lacks."""
    lacking = sorted(scope for scope in scopes if not creator.holds(scope))
    if lacking:
        raise ForbiddenError(
            f"your token does not hold {lacking[0]}: it cannot grant it",
            code="podops.auth.beyond_creator",
        )
    if creator.production is None:
        return requested
    if requested is None or requested == creator.production:
        return creator.production
    try:  # the same production, by its other key (GUID or name)?
        productions.get_production(session, creator, requested)
    except NotFoundError:
        raise ForbiddenError(
            f"your token is restricted to production {creator.production}: "
            f"it cannot grant {requested}",
            code="podops.auth.beyond_creator",
        ) from None
    return requested


@documented(
    "Your live tokens (revoked ones marked), newest first; an admin may name another user",
    responses={200: TokenList, 403: None, 404: None},
    query=(
        LIMIT,
        CURSOR,
        QueryParameter(
            "user", {"type": "string", "maxLength": 254}, "email or user id (admin only)"
        ),
    ),
    tag="auth",
)
@requires(None)
async def list_tokens(request: Request) -> Response:
    limit = query_limit(request)
    cursor = query_cursor(request, _JTI)
    named = request.query_params.get("user")
    caller = principal_of(request)
    if named is not None and len(named) > 254:
        raise BadRequestError("user is at most 254 characters", field="user")

    def page(session: Session) -> list[IssuedToken]:
        user_id = caller.user_id
        if named is not None:
            user = find_user(session, named)
            if user is None or (user.id != caller.user_id and not caller.is_admin):
                # Not confirmed to a non-admin: "no user", as for one that does not exist.
                raise NotFoundError(f"no user {named}", code="podops.auth.user_not_found")
            user_id = user.id
        return issued.list_tokens(session, caller, user_id=user_id, limit=limit + 1, after=cursor)

    rows = await in_session(request, page)
    shown = rows[:limit]
    more = len(rows) > limit
    return JSONResponse(
        {
            "tokens": [_issued_json(row) for row in shown],
            "next_cursor": TimeKeyCursor(shown[-1].issued_at, shown[-1].jti).encode()
            if more
            else None,
        },
        headers={"Cache-Control": "no-store"},
    )


def _issued_json(row: IssuedToken) -> dict[str, Any]:
    return IssuedTokenOut(
        jti=row.jti,
        scope=row.scope,
        production=row.production,
        client_id=row.client_id,
        issued=row.issued_at,
        expires=row.expires_at,
        revoked=row.revoked_at,
    ).model_dump(mode="json")


@documented(
    "Revoke a token of yours (an admin: anyone's)", responses={204: None, 404: None}, tag="auth"
)
@requires(None)
async def revoke_token(request: Request) -> Response:
    jti = request.path_params["jti"]
    if not 1 <= len(jti) <= 64:
        raise NotFoundError(f"no token {jti}", code="podops.auth.token_not_found")
    authenticator = context_of(request).authenticator
    await in_session(request, authenticator.revoke, jti, by=principal_of(request))
    return Response(status_code=204)


@documented(
    "The public keys that verify tokens", responses={200: JsonWebKeySet, 404: None}, tag="auth"
)
async def jwks(request: Request) -> Response:
    keys = context_of(request).authenticator.tokens.keyring.jwks()
    if keys is None:
        raise NotFoundError(
            "tokens are signed with a shared secret (HS256): there are no public keys",
            code="podops.auth.no_public_keys",
        )
    return JSONResponse(keys, headers={"Cache-Control": "public, max-age=300"})


@documented(
    "Exchange a service account's signed assertion for a short-lived token",
    body=ExchangeRequest,
    media_types=(FORM, "application/json"),
    responses={200: TokenExchanged},
    tag="auth",
)
async def exchange_token(request: Request) -> Response:
    """RFC 7523: a service account's signed assertion in, a short-lived access token out."""
    form = await _exchange_form(request)
    if form.get("grant_type") != GRANT_TYPE:
        raise BadRequestError(
            f"grant_type must be {GRANT_TYPE}",
            code="podops.auth.unsupported_grant_type",
            field="grant_type",
        )
    assertion = form.get("assertion", "")
    context = context_of(request)
    token_uri = context.settings.base_url + path_for(request, "exchange_token")

    def exchange(session: Session) -> tuple[str, dict[str, Any]]:
        try:
            grant = redeem_assertion(
                session, assertion, token_uri=token_uri, requested=form.get("scope")
            )
        except TokenError as error:
            raise BadRequestError(
                str(error), code="podops.auth.invalid_grant", field="assertion"
            ) from None
        user = find_user(session, grant.account.user_id)
        assert user is not None
        ttl = min(EXCHANGED_TOKEN_TTL, context.settings.token_max_ttl)
        token, claims = context.authenticator.issue(
            session,
            user,
            scopes=grant.scopes,
            ttl=ttl,
            production=grant.account.production,
            client_id=grant.account.client_id,
        )
        return token, claims.to_json()

    token, claims = await in_session(request, exchange)
    return JSONResponse(
        {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": claims["exp"] - claims["iat"],
            "scope": claims["scope"],
        },
        headers={"Cache-Control": "no-store"},
    )


async def _exchange_form(request: Request) -> dict[str, str]:
    """The exchange request's fields, from a form (as RFC 7523 has it) or a JSON object."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in (FORM, "application/json"):
        raise UnsupportedMediaTypeError(f"send {FORM} (RFC 7523) or application/json")
    raw = await request.body()
    data: object
    try:
        if media_type == FORM:
            parsed = parse_qs(raw.decode(), keep_blank_values=True, max_num_fields=10)
            data = {key: values[0] for key, values in parsed.items()}
        else:
            data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise BadRequestError(
            "the body is not a valid token request", code="podops.auth.invalid_request"
        )
    fields = {str(key): value for key, value in data.items() if isinstance(value, str)}
    if any(NUL in text for item in fields.items() for text in item):
        raise nul_refused("body")
    return fields


# Under /_a.
routes = [
    Route("/token", verify_token, methods=["GET"]),
    Route("/token", create_token, methods=["POST"]),
    Route("/tokens", list_tokens, methods=["GET"]),
    Route("/token/exchange", exchange_token, methods=["POST"]),
    Route("/token/{jti}", revoke_token, methods=["DELETE"]),
    Route("/jwks", jwks, methods=["GET"]),
]
