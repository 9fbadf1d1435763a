"""A show moving away: where its podops feed URLs redirect to, and until when.

The producer sets `new_feed_url` and `redirect_until` in the show; each publishing build
records them beside what it published (`FeedState`), and the feed routes read them with
one primary-key lookup. After `redirect_until` the feed is served again, still naming the
new URL in `itunes:new-feed-url`, so a podcatcher that missed the 301s still follows the
move; nothing is refused with 410, which would strand those listeners.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from podops.models import FeedState


def moved_to(session: Session, production_guid: str, *, now: int) -> str | None:
    """The URL the production's feed redirects to now; None when it is served as usual."""
    row = session.execute(
        select(FeedState.moved_to, FeedState.moved_until).where(
            FeedState.production_guid == production_guid
        )
    ).first()
    if row is None or row.moved_to is None or row.moved_until is None:
        return None
    return row.moved_to if now < row.moved_until else None
