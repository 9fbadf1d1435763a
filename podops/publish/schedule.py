"""Scheduled episodes: the feed is rebuilt by itself when the next one falls due.

Each build records when the next scheduled episode goes out (`FeedState.next_build_at`); the
periodic sweeper starts a build for every production whose time has come.
"""

from __future__ import annotations

import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from podops.models import FeedState


def take_due(session: Session, *, now: int | None = None) -> list[str]:
    """Productions whose scheduled build is due, marked as taken so the next sweep does not
    start them again (the build they get records the following due time)."""
    moment = int(time.time()) if now is None else now
    due = list(
        session.scalars(
            select(FeedState)
            .where(FeedState.next_build_at <= moment)
            .with_for_update(skip_locked=True)
        )
    )
    for state in due:
        state.next_build_at = None
    return [state.production_guid for state in due]
