"""The keyring that signs and verifies tokens.

Either one shared secret (HS256, the default) or PEM private keys: RSA → RS256, EC P-256 →
ES256, Ed25519 → EdDSA. The first PEM key signs; the others only verify, so a key can be
rotated: add the new key first, keep the old one until every token it signed has expired,
then remove it. Each key's `kid` is its RFC 7638 thumbprint, so it never needs configuring.

Each key verifies with its own algorithm only: a token whose header names another algorithm
(`none`, or HS256 "signed" with an RSA public key) is refused before any signature check.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey


class KeyConfigError(ValueError):
    """A configured key cannot be used; the message says which file and why."""


@dataclass(frozen=True)
class SigningKey:
    kid: str
    algorithm: str
    signing: Any  # the secret bytes, or a private key object
    verifying: Any  # the secret bytes, or the public key object
    jwk: dict[str, Any] | None  # public JWK; None for a shared secret


class Keyring:
    def __init__(self, keys: list[SigningKey]) -> None:
        if not keys:
            raise KeyConfigError("a keyring needs at least one key")
        self.current = keys[0]
        self._by_kid = {key.kid: key for key in keys}

    @classmethod
    def from_secret(cls, secret: str) -> Keyring:
        kid = "hs-" + hashlib.sha256(secret.encode()).hexdigest()[:16]
        raw = secret.encode()
        return cls([SigningKey(kid=kid, algorithm="HS256", signing=raw, verifying=raw, jwk=None)])

    @classmethod
    def from_pem_files(cls, paths: tuple[Path, ...]) -> Keyring:
        return cls([load_pem_key(path) for path in paths])

    def find(self, kid: str) -> SigningKey | None:
        return self._by_kid.get(kid)

    def jwks(self) -> dict[str, list[dict[str, Any]]] | None:
        """The public keys as a JWK Set, or None when tokens are signed with a secret."""
        public = [key.jwk for key in self._by_kid.values() if key.jwk is not None]
        return {"keys": public} if public else None


def load_pem_key(path: Path) -> SigningKey:
    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise KeyConfigError(f"PODOPS_JWT_KEYS: cannot load {path}: {error}") from None
    if isinstance(private, rsa.RSAPrivateKey):
        if private.key_size < 2048:
            raise KeyConfigError(f"PODOPS_JWT_KEYS: {path} is RSA-{private.key_size}; use ≥ 2048")
        algorithm, jwk = "RS256", RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
    elif isinstance(private, ec.EllipticCurvePrivateKey):
        if not isinstance(private.curve, ec.SECP256R1):
            raise KeyConfigError(f"PODOPS_JWT_KEYS: {path} is EC {private.curve.name}; use P-256")
        algorithm, jwk = "ES256", ECAlgorithm.to_jwk(private.public_key(), as_dict=True)
    elif isinstance(private, ed25519.Ed25519PrivateKey):
        algorithm, jwk = "EdDSA", OKPAlgorithm.to_jwk(private.public_key(), as_dict=True)
    else:
        raise KeyConfigError(f"PODOPS_JWT_KEYS: {path}: use an RSA, EC P-256 or Ed25519 key")
    kid = thumbprint(jwk)
    # `key_ops` is an array (RFC 7517 §4.3); PyJWT sets it for RSA keys only.
    public_jwk = {**jwk, "kid": kid, "alg": algorithm, "use": "sig", "key_ops": ["verify"]}
    return SigningKey(
        kid=kid,
        algorithm=algorithm,
        signing=private,
        verifying=private.public_key(),
        jwk=public_jwk,
    )


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638: SHA-256 of the required members, sorted, without whitespace."""
    required = {
        "RSA": ("e", "kty", "n"),
        "EC": ("crv", "kty", "x", "y"),
        "OKP": ("crv", "kty", "x"),
    }
    members = {name: jwk[name] for name in required[jwk["kty"]]}
    digest = hashlib.sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode())
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()
