"""`Idempotency-Key` on POST: a retried create returns the first response, once stored.

The first response is stored in the same transaction as what it created, so either both
exist or neither. A key reused with a different request is refused (409), never replayed.
Keys are per user and forgotten after a day.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from podops.errors import BadRequestError, ConflictError
from podops.models import IdempotentRequest

KEY_LIFETIME_SECONDS = 24 * 3600
_KEY = re.compile(r"[\x21-\x7e]{1,255}")


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


def parse_key(header: str | None) -> str | None:
    if header is None:
        return None
    if not _KEY.fullmatch(header):
        raise BadRequestError(
            "Idempotency-Key must be 1 to 255 visible ASCII characters",
            code="podops.request.invalid_idempotency_key",
            field="Idempotency-Key",
        )
    return header


def fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256(f"{method} {path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def replay(session: Session, user_id: str, key: str, print_: str) -> StoredResponse | None:
    """The stored response for this key, None if there is none; 409 if the request differs."""
    stored = session.get(IdempotentRequest, (user_id, key))
    if stored is None or stored.created_at < int(time.time()) - KEY_LIFETIME_SECONDS:
        return None
    if stored.fingerprint != print_:
        raise ConflictError(
            "this Idempotency-Key was used for a different request",
            code="podops.request.idempotency_key_reused",
            field="Idempotency-Key",
        )
    return StoredResponse(stored.status, stored.body, stored.headers)


def remember(
    session: Session, user_id: str, key: str, print_: str, response: StoredResponse
) -> None:
    """Store the first response in the caller's transaction (an old row under the key goes)."""
    session.execute(
        delete(IdempotentRequest).where(
            IdempotentRequest.user_id == user_id, IdempotentRequest.key == key
        )
    )
    session.add(
        IdempotentRequest(
            user_id=user_id,
            key=key,
            fingerprint=print_,
            status=response.status,
            body=response.body,
            headers=response.headers,
            created_at=int(time.time()),
        )
    )
    session.flush()


def purge_expired(session: Session) -> int:
    result = session.execute(
        delete(IdempotentRequest).where(
            IdempotentRequest.created_at < int(time.time()) - KEY_LIFETIME_SECONDS
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
