"""Tokens signed with PEM keys: RS256, ES256, EdDSA; JWKS; rotation; algorithm confusion."""

from __future__ import annotations

import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from starlette.testclient import TestClient

from podops.api import create_app
from podops.auth.keys import KeyConfigError, load_pem_key
from podops.auth.tokens import AUDIENCE, JWT_TYP
from podops.db import Database
from tests.conftest import make_settings
from tests.support.auth import bearer, context_of, token_for

KEY_MAKERS = {
    "RS256": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
    "ES256": lambda: ec.generate_private_key(ec.SECP256R1()),
    "EdDSA": ed25519.Ed25519PrivateKey.generate,
}


def write_key(path: Path, algorithm: str) -> Path:
    key = KEY_MAKERS[algorithm]()
    path.write_bytes(
        key.private_bytes(  # type: ignore[attr-defined]
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


def app_with_keys(tmp_path: Path, database: Database, *keys: Path) -> TestClient:
    settings = make_settings(
        tmp_path,
        PODOPS_DATABASE_URL=database.url,
        PODOPS_JWT_KEYS=",".join(str(key) for key in keys),
        PODOPS_JWT_SECRET="",
    )
    return TestClient(create_app(settings))


@pytest.fixture
def rsa_key(tmp_path: Path) -> Path:
    return write_key(tmp_path / "rsa.pem", "RS256")


@pytest.mark.parametrize("algorithm", sorted(KEY_MAKERS))
def test_tokens_signed_with_each_key_type_work_and_jwks_lists_the_key(
    tmp_path: Path, database: Database, algorithm: str
) -> None:
    key_path = write_key(tmp_path / "key.pem", algorithm)
    with app_with_keys(tmp_path, database, key_path) as client:
        token = token_for(context_of(client), "host@example.com", "production:read")
        header = jwt.get_unverified_header(token)
        assert header["alg"] == algorithm
        assert header["typ"] == JWT_TYP
        assert client.get("/_a/token", headers=bearer(token)).status_code == 200
        [jwk] = client.get("/_a/jwks").json()["keys"]
        assert jwk["kid"] == header["kid"]
        assert jwk["alg"] == algorithm
        assert "d" not in jwk  # never the private part
        assert jwk["key_ops"] == ["verify"]  # an array of operations (RFC 7517 §4.3)
        assert all(isinstance(value, str) for name, value in jwk.items() if name != "key_ops")
        # Anyone can verify a podops token with the published key.
        public = jwt.PyJWK(jwk)
        claims = jwt.decode(token, public, algorithms=[algorithm], audience=AUDIENCE)
        assert claims["scope"] == "production:read"


def test_jwks_is_404_with_a_shared_secret(client: TestClient) -> None:
    response = client.get("/_a/jwks")
    assert response.status_code == 404
    assert response.json()["code"] == "podops.auth.no_public_keys"


def test_a_rotated_key_still_verifies_until_retired(
    tmp_path: Path, database: Database, rsa_key: Path
) -> None:
    with app_with_keys(tmp_path, database, rsa_key) as client:
        old_token = token_for(context_of(client), "host@example.com", "production:read")
    new_key = write_key(tmp_path / "new.pem", "EdDSA")
    with app_with_keys(tmp_path, database, new_key, rsa_key) as client:
        assert client.get("/_a/token", headers=bearer(old_token)).status_code == 200
        new_token = token_for(context_of(client), "host@example.com", "production:read")
        assert jwt.get_unverified_header(new_token)["alg"] == "EdDSA"
        assert len(client.get("/_a/jwks").json()["keys"]) == 2
    with app_with_keys(tmp_path, database, new_key) as client:
        response = client.get("/_a/token", headers=bearer(old_token))
        assert response.status_code == 401
        assert client.get("/_a/token", headers=bearer(new_token)).status_code == 200


def test_hs256_signed_with_the_rsa_public_key_is_refused(
    tmp_path: Path, database: Database, rsa_key: Path
) -> None:
    signing_key = load_pem_key(rsa_key)
    public_pem = signing_key.verifying.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with app_with_keys(tmp_path, database, rsa_key) as client:
        settings = context_of(client).settings
        now = int(time.time())
        claims = {
            "iss": settings.token_issuer,
            "aud": AUDIENCE,
            "sub": "0123456789ab",
            "iat": now,
            "exp": now + 600,
            "jti": "x" * 32,
            "scope": "api:admin",
        }
        # PyJWT itself refuses to HMAC with a PEM key; build the forgery by hand.
        import base64
        import hashlib
        import hmac
        import json

        def part(data: object) -> bytes:
            return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=")

        signing_input = (
            part({"alg": "HS256", "typ": JWT_TYP, "kid": signing_key.kid}) + b"." + part(claims)
        )
        signature = base64.urlsafe_b64encode(
            hmac.new(public_pem, signing_input, hashlib.sha256).digest()
        ).rstrip(b"=")
        forged = (signing_input + b"." + signature).decode()
        response = client.get("/_a/token", headers=bearer(forged))
        assert response.status_code == 401
        assert "algorithm" in response.json()["message"]


def test_unusable_keys_are_refused_at_start(tmp_path: Path) -> None:
    weak = tmp_path / "weak.pem"
    too_small = rsa.generate_private_key(65537, 1024)  # noqa: S505 — the point of the test
    weak.write_bytes(
        too_small.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(KeyConfigError, match="RSA-1024"):
        load_pem_key(weak)
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a key")
    with pytest.raises(KeyConfigError, match="cannot load"):
        load_pem_key(garbage)
