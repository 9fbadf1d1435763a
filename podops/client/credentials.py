"""A service account's credential file and the assertion signed with it.

`podops serviceaccount create` writes the file (JSON: `client_id`, `private_key`, `token_uri`);
a client signs a short-lived assertion with it and trades that for an access token at
`token_uri` (RFC 7523). The server verifies and spends the assertion in
`podops.auth.service_accounts`, which takes its constants from here.

This module belongs to the `po` client, so it imports nothing of the server; PyJWT and
cryptography (~70 ms) are imported only when an assertion is signed.
"""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
from typing import Any

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_ALGORITHM = "EdDSA"
ASSERTION_LIFETIME = 120
CREDENTIALS_TYPE = "podops_service_account"
CREDENTIAL_KEYS = ("client_id", "private_key", "token_uri")


def read_credentials(path: Path) -> dict[str, str]:
    """The credential file at `path`; `OSError` or `ValueError` saying why it is unusable."""
    content: Any = json.loads(path.read_text())
    if not isinstance(content, dict):
        raise ValueError("not a JSON object")
    missing = [key for key in CREDENTIAL_KEYS if not isinstance(content.get(key), str)]
    if missing:
        raise ValueError(f"no {', '.join(missing)}")
    return {key: str(value) for key, value in content.items()}


def sign_assertion(credentials: dict[str, str], *, now: int | None = None) -> str:
    """An assertion for `credentials` (what the `po` client does before each exchange)."""
    import jwt
    from cryptography.hazmat.primitives import serialization

    issued_at = int(time.time()) if now is None else now
    key = serialization.load_pem_private_key(credentials["private_key"].encode(), password=None)
    claims = {
        "iss": credentials["client_id"],
        "sub": credentials["client_id"],
        "aud": credentials["token_uri"],
        "iat": issued_at,
        "exp": issued_at + ASSERTION_LIFETIME,
        "jti": secrets.token_hex(16),
    }
    return jwt.encode(claims, key, algorithm=ASSERTION_ALGORITHM)  # type: ignore[arg-type]
