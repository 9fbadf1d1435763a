"""What the counting knows of a media file: its size, its duration, and its episode.

A media URL names a production and a file (its SHA-256 and extension). The file is the asset
with those bytes (its document holds size and duration, as the upload probed them), and the
episode is the one whose enclosure is that asset; the counts are kept under the episode's
name — else the asset's, else the file's, for bytes no asset or episode holds any more.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from podops.analytics.counting import MediaFacts
from podops.models import Production, Resource
from podops.names import Kind


class MediaCatalog:
    """Media files' facts (size, duration, episode), each read once: make one per run."""

    def __init__(self) -> None:
        self._facts: dict[tuple[str, str], MediaFacts | None] = {}
        self._episodes: dict[str, dict[str, str]] = {}

    def facts(self, session: Session, production: str, media: str) -> MediaFacts | None:
        key = (production, media)
        if key not in self._facts:
            self._facts[key] = self._look_up(session, production, media)
        return self._facts[key]

    def _look_up(self, session: Session, production: str, media: str) -> MediaFacts | None:
        if session.get(Production, production) is None:
            return None
        assets = session.execute(
            select(Resource.name, Resource.document).where(
                Resource.production_guid == production,
                Resource.kind == Kind.ASSET.value,
                Resource.sha256 == media[:64],
            )
        ).all()
        if not assets:
            return MediaFacts(episode=media)  # no asset holds these bytes any more
        episodes = self._enclosures(session, production)
        # The same bytes under several names: the one an episode points at, if any.
        name, document = next(
            ((name, document) for name, document in assets if name in episodes), assets[0]
        )
        description = document.get("description") or {}
        size, duration = description.get("size"), description.get("duration")
        return MediaFacts(
            episode=episodes.get(name, name),
            size=int(size) if size else None,
            duration=float(duration) if duration else None,
        )

    def _enclosures(self, session: Session, production: str) -> dict[str, str]:
        """Asset name → the name of the episode whose enclosure it is."""
        if production not in self._episodes:
            rows = session.execute(
                select(Resource.name, Resource.document).where(
                    Resource.production_guid == production,
                    Resource.kind == Kind.EPISODE.value,
                )
            )
            self._episodes[production] = {
                enclosure["name"]: name
                for name, document in rows
                if isinstance(enclosure := document.get("enclosure"), dict)
                and enclosure.get("rel") == "asset"
                and isinstance(enclosure.get("name"), str)
            }
        return self._episodes[production]
