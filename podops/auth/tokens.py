"""Access tokens: JWTs issued and verified by podops.

Claims: `iss` (this installation, `Settings.token_issuer`: its base URL or an identity kept with
its data, never the port it listens on), `aud` ("podops"), `sub` (user id), `iat`, `exp`, `jti`,
`scope` (space-separated), and optionally `prod` — a production the token is restricted to.
Every one of iss/aud/sub/iat/exp/jti is required; the header must say `typ: at+jwt` (RFC 9068)
and name the algorithm of the key its `kid` points at.

Verifying a signature is the costly part of a request, so verified tokens are kept, by their
exact text, until they expire. Revocation is not cached here: it is checked on every request
against a set that is at most a few seconds old (`podops.auth.revocation`).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import jwt

from podops.auth.keys import Keyring
from podops.auth.scopes import Scope, format_scopes, parse_scopes

JWT_TYP = "at+jwt"
AUDIENCE = "podops"
LEEWAY_SECONDS = 30
# Far above any token podops issues (about 600 bytes), far below header limits.
MAX_TOKEN_BYTES = 4096
REQUIRED_CLAIMS = ("iss", "aud", "sub", "iat", "exp", "jti")
_CACHE_SIZE = 10_000


class TokenError(Exception):
    """The token cannot be accepted. The message is safe to show the client."""


class InsufficientScopeError(Exception):
    """A valid token that lacks the scope a route needs."""

    def __init__(self, scope: Scope) -> None:
        super().__init__(f"this needs the {scope} scope")
        self.scope = scope


@dataclass(frozen=True)
class Claims:
    iss: str
    aud: str
    sub: str
    iat: int
    exp: int
    jti: str
    scope: frozenset[Scope]
    prod: str | None

    def to_json(self) -> dict[str, Any]:
        claims: dict[str, Any] = {
            "iss": self.iss,
            "aud": self.aud,
            "sub": self.sub,
            "iat": self.iat,
            "exp": self.exp,
            "jti": self.jti,
            "scope": format_scopes(self.scope),
        }
        if self.prod is not None:
            claims["prod"] = self.prod
        return claims


@dataclass(frozen=True)
class Principal:
    """Who is calling, with what rights: the verified claims of a live token."""

    claims: Claims

    @property
    def user_id(self) -> str:
        return self.claims.sub

    @property
    def scopes(self) -> frozenset[Scope]:
        return self.claims.scope

    @property
    def production(self) -> str | None:
        return self.claims.prod

    @property
    def is_admin(self) -> bool:
        return Scope.ADMIN in self.claims.scope

    def holds(self, scope: Scope) -> bool:
        """Whether the token carries `scope` (api:admin carries them all)."""
        return scope in self.claims.scope or self.is_admin

    def require(self, scope: Scope) -> None:
        """Raise `InsufficientScopeError` unless the token carries `scope` (api:admin has all)."""
        if not self.holds(scope):
            raise InsufficientScopeError(scope)


class TokenService:
    """Issues and verifies access tokens with one keyring, for one issuer."""

    def __init__(self, keyring: Keyring, issuer: str) -> None:
        if not issuer:
            raise ValueError("tokens need an issuer: build settings with Settings.with_secret()")
        self.keyring = keyring
        self.issuer = issuer
        self._verified: OrderedDict[str, Claims] = OrderedDict()
        self._lock = threading.Lock()

    def issue(
        self,
        *,
        subject: str,
        scopes: frozenset[Scope],
        ttl: int,
        production: str | None = None,
        now: int | None = None,
    ) -> tuple[str, Claims]:
        issued_at = int(time.time()) if now is None else now
        claims = Claims(
            iss=self.issuer,
            aud=AUDIENCE,
            sub=subject,
            iat=issued_at,
            exp=issued_at + ttl,
            jti=secrets.token_hex(16),
            scope=scopes,
            prod=production,
        )
        key = self.keyring.current
        token = jwt.encode(
            claims.to_json(),
            key.signing,
            algorithm=key.algorithm,
            headers={"kid": key.kid, "typ": JWT_TYP},
        )
        return token, claims

    def verify(self, token: str, *, now: float | None = None) -> Claims:
        """The claims of a genuine, current token; `TokenError` saying why not otherwise."""
        moment = time.time() if now is None else now
        with self._lock:
            cached = self._verified.get(token)
        if cached is not None:
            if moment > cached.exp + LEEWAY_SECONDS:
                raise TokenError("the token has expired")
            return cached
        claims = self._verify_signed(token, moment)
        with self._lock:
            self._verified[token] = claims
            while len(self._verified) > _CACHE_SIZE:
                self._verified.popitem(last=False)
        return claims

    def _verify_signed(self, token: str, moment: float) -> Claims:
        if len(token) > MAX_TOKEN_BYTES:
            raise TokenError(f"the token is longer than {MAX_TOKEN_BYTES} bytes")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenError("the token is not a well-formed JWT") from None
        if str(header.get("typ", "")).lower() not in (JWT_TYP, "application/" + JWT_TYP):
            raise TokenError(f"the token's typ is not {JWT_TYP}")
        key = self.keyring.find(str(header.get("kid", "")))
        if key is None:
            raise TokenError("the token was not signed by a key of this service")
        if header.get("alg") != key.algorithm:
            raise TokenError(f"the token's algorithm is not {key.algorithm}")
        try:
            payload = jwt.decode(
                token,
                key.verifying,
                algorithms=[key.algorithm],
                audience=AUDIENCE,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.ExpiredSignatureError:
            raise TokenError("the token has expired") from None
        except jwt.ImmatureSignatureError:
            raise TokenError("the token is not valid yet") from None
        except jwt.InvalidAudienceError:
            raise TokenError("the token is for another audience") from None
        except jwt.InvalidIssuerError:
            raise TokenError("the token was issued by someone else") from None
        except jwt.MissingRequiredClaimError as error:
            raise TokenError(f"the token has no {error.claim} claim") from None
        except jwt.InvalidSignatureError:
            raise TokenError("the token's signature does not verify") from None
        except jwt.PyJWTError:
            raise TokenError("the token is not valid") from None
        return _claims(payload)


# NumericDates beyond this (2100-01-01) are not dates any token of ours could carry.
LATEST_DATE = 4_102_444_800


def numeric_date(payload: dict[str, Any], claim: str) -> int:
    """A JWT NumericDate claim as whole seconds, or `TokenError`: PyJWT accepts a string or
    a float such as 1e30 with a valid signature; podops takes integers within sane bounds."""
    value = payload.get(claim)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= LATEST_DATE:
        raise TokenError(f"the token's {claim} must be a whole number of seconds since 1970")
    return value


def _claims(payload: dict[str, Any]) -> Claims:
    iat, exp = numeric_date(payload, "iat"), numeric_date(payload, "exp")
    if "nbf" in payload:
        numeric_date(payload, "nbf")
    try:
        scopes = parse_scopes(str(payload.get("scope", "")))
    except ValueError as error:
        raise TokenError(f"the token's scope is not valid: {error}") from None
    sub, jti, prod = payload["sub"], payload["jti"], payload.get("prod")
    if not isinstance(sub, str) or not isinstance(jti, str) or not sub or not jti:
        raise TokenError("the token's sub and jti must be non-empty strings")
    if prod is not None and not isinstance(prod, str):
        raise TokenError("the token's prod must be a string")
    return Claims(
        iss=payload["iss"],
        aud=AUDIENCE,
        sub=sub,
        iat=iat,
        exp=exp,
        jti=jti,
        scope=scopes,
        prod=prod,
    )
