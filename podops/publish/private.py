"""Private and premium feeds: what a subscriber reads instead of (or beside) the public feed.

A show's `access` decides which feeds a build publishes:

    public    the public feed, without premium episodes (the default)
    both      the public feed without premium episodes, and the private feed with all
    private   the private feed only

The private feed is rendered once per build, like the public one, and stored under
`private_feed_key`. It carries `itunes:block` and `podcast:block` so that no directory lists
it, and placeholders where each subscriber's URLs go: its self link names `FEED_MARK`
instead of the subscriber's secret, and each stored enclosure `MEDIA_MARK` instead of a
signed grant, as does every other stored medium of an episode that only subscribers may read
(its image, transcripts, chapters…: `podops.publish.placement`). `podops.private.feed` fills
them in per request as the feed streams out. Media that are not in podops' storage (external
URLs) are left as they are: podops cannot sign what it does not serve.

A stored image, transcript or chapters file that something public uses too keeps its public
URL in the private feed: it is public media anyway, a CDN may cache it for everyone, and a
podcatcher fetching a hundred episodes' artwork does not spend the subscriber's request limit.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import feeds
from podops.models import Production
from podops.publish import FEED_TYPE
from podops.publish.mapping import Mapped
from podops.publish.placement import subscriber_only
from podops.publish.stored import private_metadata
from podops.storage import Storage
from podops.storage.keys import private_feed_key

# Neither can be a real secret or grant: both hold characters those never contain.
FEED_MARK = "_feed_"
MEDIA_MARK = "_grant_"
PRIVATE_CACHE = "private, no-store"


def public_feed(mapped: Mapped) -> Mapped:
    """`mapped` without its premium episodes: what the public feed carries."""
    if not mapped.premium:
        return mapped
    episodes = [episode for episode in mapped.episodes if episode.guid not in mapped.premium]
    return replace(mapped, episodes=episodes)


def has_public_feed(mapped: Mapped) -> bool:
    return mapped.access != "private"


def has_private_feed(mapped: Mapped) -> bool:
    return mapped.access in ("private", "both")


def private_feed_url(base_url: str) -> str:
    """The self link of the stored private feed: each subscriber's URL replaces it."""
    return f"{base_url}/p/{FEED_MARK}/feed.xml"


def private_media_url(base_url: str, media_key: str) -> str:
    """The placeholder URL of stored media in the private feed (`media/{production}/{file}`)."""
    _, production, filename = media_key.split("/")
    return f"{base_url}/p/m/{MEDIA_MARK}/{production}/{filename}"


def private_show(show: feeds.Show, *, base_url: str) -> feeds.Show:
    """The channel of the private feed: blocked everywhere, no hubs, no move, the public
    feed's `podcast:guid` (the same show, not a new one)."""
    return replace(
        show,
        feed_url=private_feed_url(base_url),
        podcast_guid=show.podcast_guid or feeds.podcast_guid(show.feed_url),
        block=True,
        service_blocks=(feeds.ServiceBlock(blocked=True),),
        new_feed_url=None,
        hubs=(),
    )


def private_episodes(mapped: Mapped, *, base_url: str) -> list[feeds.Episode]:
    """Every episode, each stored enclosure and each other subscriber-only medium pointing at
    its placeholder URL."""
    hidden = subscriber_only(mapped)
    placeholders = {
        url: private_media_url(base_url, key)
        for url, key in mapped.stored_urls.items()
        if key in hidden
    }
    episodes = []
    for episode in mapped.episodes:
        key = mapped.enclosure_keys.get(episode.guid)
        if key is not None and episode.enclosure is not None:
            enclosure = replace(episode.enclosure, url=private_media_url(base_url, key))
            episode = replace(episode, enclosure=enclosure)
        if not hidden.isdisjoint(mapped.episode_keys.get(episode.guid, ())):
            episode = _companions_placed(episode, placeholders)
        episodes.append(episode)
    return episodes


def _companions_placed(episode: feeds.Episode, placeholders: dict[str, str]) -> feeds.Episode:
    """`episode` with its image, images, transcripts, chapters and alternate enclosures'
    sources named by their placeholder URL where `placeholders` (by URL) has one."""

    def placed(url: str) -> str:
        return placeholders.get(url, url)

    image, chapters = episode.image, episode.chapters
    return replace(
        episode,
        image=None if image is None else replace(image, url=placed(image.url)),
        image_srcset=tuple(replace(each, url=placed(each.url)) for each in episode.image_srcset),
        transcripts=tuple(replace(each, url=placed(each.url)) for each in episode.transcripts),
        chapters=None if chapters is None else replace(chapters, url=placed(chapters.url)),
        alternate_enclosures=tuple(
            replace(each, sources=tuple(replace(src, uri=placed(src.uri)) for src in each.sources))
            for each in episode.alternate_enclosures
        ),
    )


def render_private(
    mapped: Mapped, path: Path, *, base_url: str, updated: int, now: int
) -> tuple[str, int]:
    """Render the private feed into `path`; its SHA-256 and size."""
    assert mapped.show is not None
    show = private_show(replace(mapped.show, updated=updated), base_url=base_url)
    digest = hashlib.sha256()
    with path.open("wb", buffering=1024 * 1024) as output:
        size = feeds.render_to(show, private_episodes(mapped, base_url=base_url), output, now=now)
    with path.open("rb") as rendered:
        for chunk in iter(lambda: rendered.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest(), size


def publish_private(storage: Storage, production: Production, rendered: Path, sha256: str) -> None:
    """One atomic write of the rendered private feed (its SHA-256 `sha256` in its metadata),
    never cached by a shared cache."""
    storage.put_path(
        private_feed_key(production.guid),
        rendered,
        content_type=FEED_TYPE,
        cache_control=PRIVATE_CACHE,
        metadata=private_metadata(sha256),
    )
