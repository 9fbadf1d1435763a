"""A show moving away: where its podops feed URLs redirect to, and until when.

The producer sets `new_feed_url` and `redirect_until` in the show; each publishing build
records them beside what it published (`FeedState`, the record) and stores them with the feed
itself, in its metadata (`feed_metadata`): the feed routes learn the move from the head of the
feed they read anyway, without asking the database. After `redirect_until`
the feed is served again, still naming the new URL in `itunes:new-feed-url`, so a podcatcher
that missed the 301s still follows the move; nothing is refused with 410, which would strand
those listeners.

A feed stored without the move in its metadata — published before moves were stored with
feeds, or with a URL too long for metadata — has its move read from `FeedState`
(`moved_to`); its next build stores the move with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from podops.models import FeedState
from podops.storage import MAX_METADATA_BYTES

# The feed's metadata entry: "none", or "{redirect_until} {new_feed_url}".
MOVE_METADATA = "podops-move"
_STAYING = "none"


@dataclass(frozen=True)
class Move:
    """Where a show's feed URLs redirect to (None: nowhere), and until when."""

    to: str | None = None
    until: int = 0

    def target(self, now: int) -> str | None:
        """The URL the feed redirects to at `now`; None when it is served as usual."""
        return self.to if self.to is not None and now < self.until else None


def feed_metadata(
    moved: tuple[str, int] | None, *, room: int = MAX_METADATA_BYTES
) -> dict[str, str]:
    """The metadata a build stores the public feed with: the move (`moved`: the new URL and
    `redirect_until`), or that there is none; empty when the move does not fit in `room`
    bytes of metadata (what the feed's other entries leave), and the database is asked
    instead."""
    value = _STAYING if moved is None else f"{moved[1]} {moved[0]}"
    if len(MOVE_METADATA) + len(value) > room:
        return {}
    return {MOVE_METADATA: value}


def published_move(metadata: Mapping[str, str]) -> Move | None:
    """The move the feed was stored with (`feed_metadata`); None when it was stored without
    one (or with one this code cannot read): ask `moved_to`."""
    value = metadata.get(MOVE_METADATA)
    if value == _STAYING:
        return Move()
    until, _, url = (value or "").partition(" ")
    if not until.isascii() or not until.isdigit() or not url:
        return None
    return Move(to=url, until=int(until))


def moved_to(session: Session, production_guid: str, *, now: int) -> str | None:
    """The URL the production's feed redirects to now, as the last publishing build
    recorded it; None when it is served as usual."""
    row = session.execute(
        select(FeedState.moved_to, FeedState.moved_until).where(
            FeedState.production_guid == production_guid
        )
    ).first()
    if row is None or row.moved_to is None or row.moved_until is None:
        return None
    return row.moved_to if now < row.moved_until else None
