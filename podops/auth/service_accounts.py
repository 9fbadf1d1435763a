"""Service accounts: machines trade a signed assertion for a short-lived access token.

`podops serviceaccount create` makes an Ed25519 key pair, keeps only the public half and
writes a credential file (JSON: `client_id`, `private_key`, `token_uri`). A CI pipeline signs
an assertion with it — `iss` and `sub` the client id, `aud` the token URI, `exp` at most five
minutes after `iat`, a fresh `jti` — and posts it to `POST /_a/token/exchange`
(RFC 7523 `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`). Each assertion can be
exchanged once; the token it buys lives an hour at most. No long-lived bearer token exists.

The client's half (the credential file, signing an assertion) lives in
`podops.client.credentials`, which `po` imports without the server; it is re-exported here.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from podops.auth.scopes import Scope, format_scopes, parse_scopes
from podops.auth.tokens import LEEWAY_SECONDS, TokenError, numeric_date
from podops.client.credentials import (
    ASSERTION_ALGORITHM,
    CREDENTIALS_TYPE,
    GRANT_TYPE,
    sign_assertion,
)
from podops.models import ServiceAccount, SpentAssertion, User

__all__ = [
    "ASSERTION_ALGORITHM",
    "EXCHANGED_TOKEN_TTL",
    "GRANT_TYPE",
    "MAX_ASSERTION_BYTES",
    "MAX_ASSERTION_LIFETIME",
    "ExchangeGrant",
    "create_service_account",
    "redeem_assertion",
    "sign_assertion",
]

MAX_ASSERTION_LIFETIME = 300
EXCHANGED_TOKEN_TTL = 3600
MAX_ASSERTION_BYTES = 4096


@dataclass(frozen=True)
class ExchangeGrant:
    """What a valid assertion entitles its account to."""

    account: ServiceAccount
    scopes: frozenset[Scope]


def create_service_account(
    session: Session,
    user: User,
    *,
    name: str,
    scopes: frozenset[Scope],
    production: str | None,
    token_uri: str,
) -> tuple[ServiceAccount, dict[str, str]]:
    """A new account and its credential file's content (the only copy of the private key)."""
    private = ed25519.Ed25519PrivateKey.generate()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    account = ServiceAccount(
        client_id="sa-" + secrets.token_hex(12),
        user_id=user.id,
        name=name,
        public_key=public_pem,
        scopes=format_scopes(scopes),
        production=production,
        active=True,
        created_at=int(time.time()),
    )
    session.add(account)
    session.flush()
    credentials = {
        "type": CREDENTIALS_TYPE,
        "client_id": account.client_id,
        "private_key": private_pem,
        "token_uri": token_uri,
    }
    return account, credentials


def redeem_assertion(
    session: Session, assertion: str, *, token_uri: str, requested: str | None = None
) -> ExchangeGrant:
    """Verify an assertion and spend it; `TokenError` saying why it cannot be exchanged."""
    if len(assertion) > MAX_ASSERTION_BYTES:
        raise TokenError("the assertion is too long")
    try:
        unverified: dict[str, Any] = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise TokenError("the assertion is not a well-formed JWT") from None
    issuer = unverified.get("iss")
    if not isinstance(issuer, str) or not issuer.isprintable():
        raise TokenError("the assertion's iss must be a client id")
    account = session.get(ServiceAccount, issuer[:40])
    if account is None or not account.active:
        raise TokenError("unknown or disabled service account")
    public_key = serialization.load_pem_public_key(account.public_key.encode())
    if not isinstance(public_key, ed25519.Ed25519PublicKey):
        raise TokenError("the service account's key is not Ed25519")
    try:
        claims = jwt.decode(
            assertion,
            public_key,
            algorithms=[ASSERTION_ALGORITHM],
            audience=token_uri,
            issuer=account.client_id,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "sub", "aud", "iat", "exp", "jti"]},
        )
    except jwt.ExpiredSignatureError:
        raise TokenError("the assertion has expired") from None
    except jwt.InvalidAudienceError:
        raise TokenError(f"the assertion's aud must be {token_uri}") from None
    except jwt.PyJWTError as error:
        raise TokenError(f"the assertion is not valid: {error}") from None
    if claims["sub"] != account.client_id:
        raise TokenError("the assertion's sub must be its client id")
    for claim in ("iat", "exp"):
        numeric_date(claims, claim)
    if int(claims["exp"]) - int(claims["iat"]) > MAX_ASSERTION_LIFETIME:
        raise TokenError(f"an assertion may live {MAX_ASSERTION_LIFETIME} seconds at most")
    user = session.get(User, account.user_id)
    if user is None or not user.active:
        raise TokenError("the service account's user has been deactivated")
    scopes = parse_scopes(account.scopes)
    if requested:
        try:
            wanted = parse_scopes(requested)
        except ValueError as error:
            raise TokenError(str(error)) from None
        if not wanted <= scopes:
            raise TokenError("the requested scope is more than the account may have")
        scopes = wanted
    _spend(session, f"{account.client_id}:{claims['jti']}", int(claims["exp"]))
    return ExchangeGrant(account=account, scopes=scopes)


def _spend(session: Session, jti: str, expires_at: int) -> None:
    now = int(time.time())
    session.execute(delete(SpentAssertion).where(SpentAssertion.expires_at < now - LEEWAY_SECONDS))
    try:
        with session.begin_nested():
            session.add(SpentAssertion(jti=jti[:128], expires_at=expires_at + LEEWAY_SECONDS))
    except IntegrityError:
        raise TokenError("the assertion has been used already") from None
