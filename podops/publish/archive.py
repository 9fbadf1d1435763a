"""A paged public feed's archive pages (RFC 5005 §3; `feeds.paging` says how pages are cut).

A show with `feed_episodes` set publishes its main feed with the newest episodes and archive
pages with the rest, under `archive_key`. Pages are numbered from the oldest episode, so a new
episode changes the main feed and the newest page; every other page renders to the same bytes
and is not written again. The pages are written before the main feed that links to them, each
in one write like the feed itself (its gzip copy first).

Which pages differ is known without reading them back. Each build records every page's SHA-256
with the feed's state (`FeedState.archive_sha256`) and lists the archive's keys once
(`list_archive`: one request, fewer than 500 pages). A page is written when its hash is not the
recorded one or when it, or its gzip copy, is not in the listing (deleted by hand, say). Where
no hashes are recorded (a production published before they were), the stored pages are read
back, once. A build forgets the recorded hashes before it writes its first page, and records
them again with the feed: one that fails in between leaves them unknown, not wrong. Pages the
feed no longer links to (fewer episodes, paging turned off) go once the main feed is out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import feeds
from podops.models import Production
from podops.publish.compressed import put_feed
from podops.publish.mapping import archive_url
from podops.publish.record import forget_archive
from podops.publish.stored import read_sha256
from podops.runtime import Runtime
from podops.storage import Storage
from podops.storage.keys import archive_key, archive_prefix, gzip_key


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


@dataclass(frozen=True)
class StoredArchive:
    """A production's archive keys in storage by page number (plain and gzip copies), as
    listed once at the start of a build."""

    production_guid: str
    keys: dict[int, frozenset[str]]

    def has_page(self, number: int) -> bool:
        """Whether page `number` and its gzip copy are both stored."""
        key = archive_key(self.production_guid, number)
        return {key, gzip_key(key)} <= self.keys.get(number, frozenset())


@dataclass(frozen=True)
class PublishedArchive:
    """What `publish_archive` did: how many pages it wrote, and every page's SHA-256 (hex,
    page 1 first) to record."""

    written: int
    sha256: tuple[str, ...]


def list_archive(storage: Storage, production_guid: str) -> StoredArchive:
    """The archive pages stored for the production, from one listing."""
    prefix = archive_prefix(production_guid)
    keys: dict[int, set[str]] = {}
    for key in storage.list(prefix):
        number = key[len(prefix) :].split(".", 1)[0]
        if number.isascii() and number.isdigit():
            keys.setdefault(int(number), set()).add(key)
    return StoredArchive(production_guid, {number: frozenset(k) for number, k in keys.items()})


def publish_archive(
    runtime: Runtime,
    production: Production,
    show: feeds.Show,
    pages: list[feeds.Page],
    *,
    stored: StoredArchive,
    recorded: Sequence[str] | None,
    now: int,
    scratch: Path,
    cache: feeds.ItemCache | None,
    stylesheet: str | None = None,
) -> PublishedArchive:
    """Write each archive page whose SHA-256 is not the `recorded` one (page 1 first), or that
    is not wholly in `stored`. `recorded` None: the hashes are not known, and each stored page
    is read back instead."""
    storage = runtime.storage
    sha256: dict[int, str] = {}
    written = 0
    forgotten = recorded is None
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
            sha256[page.number] = hashlib.sha256(data).hexdigest()
            if _published_sha256(storage, stored, recorded, page.number) == sha256[page.number]:
                continue
            if not forgotten:
                # Committed before the write: a build failing after it leaves no hash that
                # a later build would trust over the page it wrote.
                with runtime.database.session() as session:
                    forget_archive(session, production.guid)
                forgotten = True
            key = archive_key(production.guid, page.number)
            scratch.write_bytes(data)
            put_feed(storage, key, scratch)
            written += 1
    finally:
        scratch.unlink(missing_ok=True)  # a store that copies leaves it behind
    return PublishedArchive(written, tuple(sha256[number] for number in sorted(sha256)))


def _published_sha256(
    storage: Storage, stored: StoredArchive, recorded: Sequence[str] | None, number: int
) -> str | None:
    """The SHA-256 of page `number` as stored, from the record where there is one; None when
    the page is not wholly stored, or not recorded."""
    if not stored.has_page(number):
        return None
    if recorded is None:
        return read_sha256(storage, archive_key(stored.production_guid, number))
    return recorded[number - 1] if number <= len(recorded) else None


def remove_unlinked_pages(storage: Storage, stored: StoredArchive, pages: int) -> int:
    """Delete the stored archive pages (and their gzip copies) numbered `pages` and above: a
    feed of `pages` documents links pages 1 to `pages - 1` only. How many pages went."""
    removed = 0
    for number, keys in sorted(stored.keys.items()):
        if number >= pages:
            for key in sorted(keys):
                storage.delete(key)
            removed += archive_key(stored.production_guid, number) in keys
    return removed
