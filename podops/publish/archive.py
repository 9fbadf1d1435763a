"""A paged public feed's archive pages (RFC 5005 §3; `feeds.paging` says how pages are cut).

A show with `feed_episodes` set publishes its main feed with the newest episodes and archive
pages with the rest, under `archive_key`. Pages are numbered from the oldest episode, so a new
episode changes the main feed and the newest page; every other page renders to the same bytes
and is not written again. The pages are written before the main feed that links to them, each
in one write like the feed itself. Pages a shrunken catalogue no longer links to are left
where they are: nothing links to them, and the store has no delete on its narrow port.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import feeds
from podops.models import Production
from podops.publish.compressed import put_feed
from podops.publish.mapping import archive_url
from podops.storage import NotFoundError, Storage
from podops.storage.keys import archive_key, archive_prefix


def paginate(
    show: feeds.Show,
    episodes: list[feeds.Episode],
    *,
    size: int | None,
    production: Production,
    base_url: str,
    now: int,
) -> list[feeds.Page]:
    """The main feed and its archive pages; one page without links when the show is not
    paged (`size` None) or fits in its main feed."""
    if size is None:
        visible = tuple(feeds.published_episodes(episodes, now))
        return [feeds.Page(0, show.feed_url, visible, ())]
    return feeds.paginate(
        episodes,
        now=now,
        size=size,
        feed_url=show.feed_url,
        page_url=lambda page: archive_url(base_url, production, page),
    )


def publish_archive(
    storage: Storage,
    production: Production,
    show: feeds.Show,
    pages: list[feeds.Page],
    *,
    now: int,
    scratch: Path,
    cache: feeds.ItemCache | None,
    stylesheet: str | None = None,
) -> int:
    """Write each archive page that differs from the stored one; how many were written."""
    written = 0
    try:
        for page in pages:
            if page.number == 0:
                continue
            data = feeds.render(
                feeds.page_show(show, page),
                page.episodes,
                now=now,
                cache=cache,
                links=page.links,
                stylesheet=stylesheet,
            )
            key = archive_key(production.guid, page.number)
            if _stored_digest(storage, key) == hashlib.sha256(data).digest():
                continue
            scratch.write_bytes(data)
            put_feed(storage, key, scratch)
            written += 1
    finally:
        scratch.unlink(missing_ok=True)  # a store that copies leaves it behind
    return written


def _stored_digest(storage: Storage, key: str) -> bytes | None:
    digest = hashlib.sha256()
    try:
        with storage.open(key) as stream:
            for chunk in iter(lambda: stream.read(1024 * 1024), b""):
                digest.update(chunk)
    except NotFoundError:
        return None
    return digest.digest()


def remove_unlinked_pages(storage: Storage, production_guid: str, pages: int) -> int:
    """Delete the archive pages (and their gzip copies) numbered `pages` and above: a feed of
    `pages` documents links pages 1 to `pages - 1` only. How many pages went."""
    prefix = archive_prefix(production_guid)
    removed = 0
    for key in storage.list(prefix):
        number = key[len(prefix) :].split(".", 1)[0]
        if number.isascii() and number.isdigit() and int(number) >= pages:
            storage.delete(key)
            removed += key.endswith(".xml")
    return removed
