"""Recording what a publish put out, for the GUID guard and the scheduler of the next build."""

from __future__ import annotations

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
) -> None:
    """Remember the feed just published: its hash and size, its {item GUID: enclosure URL},
    when it last changed (`now`, unless this build left it as it was), when the next
    scheduled episode falls due, and where (until when) its URLs redirect to, if anywhere."""
    state = session.get(FeedState, production_guid)
    if state is None:
        state = FeedState(production_guid=production_guid)
        session.add(state)
    if state.sha256 != sha256:
        state.published_at = now
    state.sha256, state.size, state.items = sha256, size, items
    state.next_build_at = next_build_at
    state.moved_to, state.moved_until = moved if moved is not None else (None, None)
