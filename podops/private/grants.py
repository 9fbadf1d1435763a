"""Secrets and signatures of private feeds.

A subscriber's feed token is their id (12 hex characters) followed by a 32-character random
secret; only the secret's SHA-256 is stored. A media grant is
`{subscriber}.{version}.{expiry}.{signature}`, the signature an HMAC-SHA256 (cut to 128 bits)
of those three and the media's storage key, under a key derived from the installation's
media signing secret. An expiry of 0 means none.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from podops.settings import Settings, SettingsError

SECRET_CHARS = 32
_FEED_TOKEN = re.compile(r"([0-9a-f]{12})([A-Za-z0-9_-]{32})")
_GRANT = re.compile(r"([0-9a-f]{12})\.([1-9][0-9]{0,9})\.(0|[1-9][0-9]{0,11})\.([A-Za-z0-9_-]{22})")


@dataclass(frozen=True)
class FeedToken:
    subscriber: str
    secret: str


@dataclass(frozen=True)
class Grant:
    subscriber: str
    version: int
    expires: int  # Unix seconds; 0: never


def new_secret() -> str:
    return secrets.token_urlsafe(24)  # 32 characters


def secret_sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def feed_token(subscriber: str, secret: str) -> str:
    return subscriber + secret


def parse_feed_token(token: str) -> FeedToken | None:
    match = _FEED_TOKEN.fullmatch(token)
    return FeedToken(match.group(1), match.group(2)) if match else None


def secret_matches(secret: str, stored_sha256: str) -> bool:
    return hmac.compare_digest(secret_sha256(secret), stored_sha256)


class MediaSigner:
    """Signs and checks media grants with the installation's media key."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    @classmethod
    def from_settings(cls, settings: Settings) -> MediaSigner:
        material = settings.media_signing_secret or settings.jwt_secret
        if not material:
            raise SettingsError(
                "PODOPS_MEDIA_SIGNING_SECRET is not set, and there is no JWT secret to derive "
                "it from: set it to at least 32 random bytes to serve private feeds"
            )
        key = hmac.new(material.encode(), b"podops/private-media/v1", hashlib.sha256).digest()
        return cls(key)

    def grant(self, grant: Grant, media_key: str) -> str:
        return f"{grant.subscriber}.{grant.version}.{grant.expires}.{self._sign(grant, media_key)}"

    def check(self, text: str, media_key: str, *, now: int) -> Grant | None:
        """The grant `text` names if its signature is right for `media_key` and it has not
        expired; None otherwise (whatever is wrong with it)."""
        match = _GRANT.fullmatch(text)
        if match is None:
            return None
        grant = Grant(match.group(1), int(match.group(2)), int(match.group(3)))
        if not hmac.compare_digest(self._sign(grant, media_key), match.group(4)):
            return None
        if grant.expires and grant.expires <= now:
            return None
        return grant

    def address_hash(self, address: str, day: int) -> str:
        """A per-day pseudonym of a client address: distinct addresses can be counted without
        keeping any."""
        message = f"{day}:{address}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:24]

    def _sign(self, grant: Grant, media_key: str) -> str:
        message = f"{grant.subscriber}.{grant.version}.{grant.expires}.{media_key}".encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
