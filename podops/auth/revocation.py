"""Revoked tokens and deactivated users, as each process sees them: at most seconds old.

Checking the database on every request would cost a query each; instead each process keeps
the (small) sets of revoked token ids and inactive user ids and reloads them when they are
older than `max_age` seconds. A revocation made through this process counts at once.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from podops.db import Database
from podops.models import IssuedToken, SpentAssertion, User

DEFAULT_MAX_AGE_SECONDS = 2.0


class RevocationList:
    def __init__(self, database: Database, *, max_age: float = DEFAULT_MAX_AGE_SECONDS) -> None:
        self._database = database
        self._max_age = max_age
        self._revoked: frozenset[str] = frozenset()
        self._inactive: frozenset[str] = frozenset()
        self._loaded_at = float("-inf")
        self._lock = threading.Lock()

    @property
    def stale(self) -> bool:
        return time.monotonic() - self._loaded_at > self._max_age

    def refresh(self) -> None:
        """Reload both sets from the database (one query each)."""
        now = int(time.time())
        with self._database.session() as session:
            revoked = frozenset(
                session.scalars(
                    select(IssuedToken.jti).where(
                        IssuedToken.revoked_at.is_not(None), IssuedToken.expires_at >= now
                    )
                )
            )
            inactive = frozenset(session.scalars(select(User.id).where(User.active.is_(False))))
        with self._lock:
            self._revoked, self._inactive = revoked, inactive
            self._loaded_at = time.monotonic()

    def reason_to_refuse(self, jti: str, user_id: str) -> str | None:
        """Why a token must be refused, or None. Call `refresh` first when `stale`."""
        if jti in self._revoked:
            return "the token has been revoked"
        if user_id in self._inactive:
            return "the token's user has been deactivated"
        return None

    def note_revoked(self, jti: str) -> None:
        with self._lock:
            self._revoked = self._revoked | {jti}


def purge_expired(session: Session, *, now: int | None = None) -> int:
    """Forget tokens and assertions past their expiry: a revocation matters only until then."""
    moment = int(time.time()) if now is None else now
    tokens = session.execute(delete(IssuedToken).where(IssuedToken.expires_at < moment - 60))
    assertions = session.execute(
        delete(SpentAssertion).where(SpentAssertion.expires_at < moment - 60)
    )
    return int(tokens.rowcount + assertions.rowcount)  # type: ignore[attr-defined]
