"""Reading what a build needs from the database: the production mapped onto the `feeds`
model, and what its last publish recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from podops.models import FeedState, Production, Resource
from podops.names import Kind
from podops.publish.mapping import Mapped, map_production

_EPISODE_BATCH = 500


@dataclass(frozen=True)
class Published:
    """What the last publish of a production's feed recorded."""

    sha256: str | None = None
    # {item GUID: enclosure URL} of every item it published.
    items: dict[str, str] = field(default_factory=dict)
    # When the published feed last changed: its `lastBuildDate`.
    changed_at: int | None = None
    # The SHA-256 of each archive page it published, page 1 first; None when not known.
    archive_sha256: tuple[str, ...] | None = None


def load_production(session: Session, production: Production, *, base_url: str) -> Mapped:
    """The production's feed model, its episodes streamed from the database.

    Only the columns mapping reads are selected, and episode rows are mapped as they arrive,
    a batch at a time: a show of 50,000 episodes never has 50,000 ORM objects (or their JSON
    documents) in memory at once, only the `feeds` model they become.
    """
    of_production = Resource.production_guid == production.guid
    show = session.scalars(
        select(Resource).where(of_production, Resource.kind == Kind.SHOW.value)
    ).first()
    assets: dict[str, dict[str, Any]] = {
        name: document
        for name, document in session.execute(
            select(Resource.name, Resource.document).where(
                of_production, Resource.kind == Kind.ASSET.value
            )
        )
    }
    episodes = session.execute(
        select(Resource.guid, Resource.document, Resource.html)
        .where(of_production, Resource.kind == Kind.EPISODE.value)
        .order_by(_by_name(session))
        .execution_options(yield_per=_EPISODE_BATCH)
    )
    return map_production(production, show, episodes, assets, base_url=base_url)


def load_published(session: Session, production_guid: str) -> Published:
    """What the production's last publish recorded (nothing, before the first)."""
    state = session.get(FeedState, production_guid)
    if state is None:
        return Published()
    return Published(
        sha256=state.sha256,
        items=dict(state.items),
        changed_at=state.published_at,
        archive_sha256=None if state.archive_sha256 is None else tuple(state.archive_sha256),
    )


def _by_name(session: Session) -> ColumnElement[str]:
    """Episodes in code-point order of their names, as Python sorts them, on every database
    (PostgreSQL would otherwise follow the database's locale, which orders `-` and `_` apart)."""
    bytewise = "C" if session.get_bind().dialect.name == "postgresql" else "BINARY"
    return Resource.name.collate(bytewise)
