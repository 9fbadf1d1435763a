"""Recording what a publish put out, for the GUID guard and the scheduler of the next build."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import update
from sqlalchemy.orm import Session

from podops.models import FeedState


def record_published(
    session: Session,
    production_guid: str,
    *,
    sha256: str,
    size: int,
    items: dict[str, str],
    now: int,
    next_build_at: int | None,
    moved: tuple[str, int] | None = None,
    archive_sha256: Sequence[str] | None = None,
) -> None:
    """Remember the feed just published: its hash and size, its {item GUID: enclosure URL},
    when it last changed (`now`, unless this build left it as it was), when the next
    scheduled episode falls due, where (until when) its URLs redirect to, if anywhere, and
    the hash of each of its archive pages (page 1 first; None: not known)."""
    state = session.get(FeedState, production_guid)
    if state is None:
        state = FeedState(production_guid=production_guid)
        session.add(state)
    if state.sha256 != sha256:
        state.published_at = now
    state.sha256, state.size, state.items = sha256, size, items
    state.next_build_at = next_build_at
    state.moved_to, state.moved_until = moved if moved is not None else (None, None)
    state.archive_sha256 = list(archive_sha256) if archive_sha256 is not None else None


def forget_archive(session: Session, production_guid: str) -> None:
    """Mark the hashes of the production's archive pages unknown: pages are about to be
    written, and until the build records them, nobody may trust the old ones."""
    session.execute(
        update(FeedState)
        .where(FeedState.production_guid == production_guid)
        .values(archive_sha256=None)
        .execution_options(synchronize_session=False)
    )
