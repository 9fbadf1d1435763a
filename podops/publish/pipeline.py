"""The build pipeline: a production's feed from its documents, checked, then published.

    load → map → probe external media → lint → GUID guard → render → (validate: stop) →
    place premium media → unchanged? stop → media present? → archive pages (a paged feed) →
    one atomic write of the feed → record what was published

The public feed never carries a premium episode, and premium media is moved where the public
routes cannot reach it (`podops.publish.placement`); a show whose `access` is `private` or
`both` also gets its private feed (`podops.publish.private`), and one that is `private` no
public feed at all: lint, the guard and the record then apply to the private feed.

Nothing is published unless every check passes; the previous feed stays as it was. The feed
is written in a single `put_path` (S3: one PUT; local: temp file + rename), so a reader — or a
worker killed mid-build and its retry — never leaves a partial feed behind.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO

import feeds
from podops.jobs import BuildJob, JobFailedError, NotifyJob
from podops.metrics import record_build
from podops.models import Production
from podops.publish import archive, guard
from podops.publish.compressed import FeedCopies, put_feed, stored_copies
from podops.publish.enclosures import fill_unprobed
from podops.publish.load import Published, load_production, load_published
from podops.publish.mapping import Mapped, Problem, alias_url, stylesheet_href
from podops.publish.notify import wants_notice
from podops.publish.placement import place_media, stored_key, subscriber_only
from podops.publish.private import (
    has_private_feed,
    has_public_feed,
    public_feed,
    publish_private,
    render_private,
)
from podops.publish.record import record_published
from podops.publish.stored import (
    SHA256_METADATA,
    public_metadata,
    read_sha256,
    stored_metadata,
)
from podops.runtime import Runtime
from podops.storage import Storage
from podops.storage.keys import feed_key, private_feed_key
from podops.webhooks import events as webhook_events

_ITEM_OVERHEAD_BYTES = 1536

Report = dict[str, list[dict[str, str]]]


@functools.cache
def item_cache(megabytes: int) -> feeds.ItemCache:
    """Each episode's rendered item and lint findings, kept between the builds of this worker
    process (PODOPS_BUILD_CACHE_MB): a rebuild after one new episode redoes one item, not ten
    thousand."""
    return feeds.ItemCache(max_bytes=megabytes * 1024 * 1024)


def build_feed(runtime: Runtime, job: BuildJob, *, operation_id: str) -> dict[str, Any]:
    """Build the feed of `job.production` and, unless the job only validates, publish it.

    `JobFailedError` when the feed has errors (the lint report in its details) or its media
    are missing; the result says what was (or would be) published otherwise.
    """
    now = int(time.time())
    started = time.perf_counter()
    settings = runtime.settings
    with runtime.database.session() as session:
        production = session.get(Production, job.production)
        if production is None:
            raise JobFailedError("podops.build.no_production", "the production no longer exists")
        mapped = load_production(session, production, base_url=settings.base_url)
        published = load_published(session, production.guid)
    # Outside the session above: no transaction is held open while far servers answer.
    fill_unprobed(runtime, mapped)
    worker_cache = item_cache(settings.build_cache_mb)
    cache = worker_cache if _fits(mapped, worker_cache) else None
    # What this build would publish in any feed ({item GUID: enclosure URL}): guarded, then
    # recorded; an item not recorded before goes out for the first time.
    items = _items(mapped if has_private_feed(mapped) else public_feed(mapped), now)
    report = _check(mapped, now, published.items, items, cache=cache, force=job.force)
    if report["errors"]:
        invalid = JobFailedError(
            "podops.build.invalid",
            f"the feed has {len(report['errors'])} error(s); nothing was published",
            details={"report": report},
        )
        raise webhook_events.build_failed(runtime, job, production, operation_id, invalid)
    assert mapped.show is not None
    settings.upload_dir.mkdir(parents=True, exist_ok=True)
    if not has_public_feed(mapped):
        return _build_private_only(
            runtime, production, mapped, job, published, items, report, now, operation_id
        )
    full, mapped = mapped, public_feed(mapped)
    assert mapped.show is not None
    rendered = settings.upload_dir / f"feed-{operation_id}.xml"
    try:
        # First as the published feed would read if nothing changed: its lastBuildDate stays
        # the time of the last change. Only a feed that differs is dated now, and published.
        # The WebSub hubs are the installation's: every feed names them.
        show = replace(mapped.show, hubs=settings.websub_hubs)
        unchanged_date = max(
            date for date in (show.updated, published.changed_at, 0) if date is not None
        )
        pages = archive.paginate(
            show,
            mapped.episodes,
            size=mapped.page_size,
            production=production,
            base_url=settings.base_url,
            now=now,
        )
        main = pages[0]
        # Browsers opening the feed read it as a page through this stylesheet.
        stylesheet = stylesheet_href(settings.base_url)
        sha256, size = _render(
            replace(show, updated=unchanged_date), main, rendered, now, cache, stylesheet
        )
        changed = sha256 != published.sha256
        result: dict[str, Any] = {
            "feed_url": show.feed_url,
            "alias_url": alias_url(settings.base_url, production),
            "items": len(items),
            "warnings": report["warnings"],
            "changed": changed,
        }
        if len(pages) > 1:
            result["pages"] = len(pages)
        if not job.publishes:
            seconds = time.perf_counter() - started
            record_build(result="validated", size=size, items=len(items), seconds=seconds)
            return {
                **result,
                "bytes": size,
                "sha256": sha256,
                "validated": True,
                "published": False,
            }
        if changed:
            sha256, size = _render(
                replace(show, updated=now), main, rendered, now, cache, stylesheet
            )
        # On every publishing build: a new premium episode changes the private feed only.
        place_media(runtime.storage, production.guid, full)
        stored_pages = archive.list_archive(runtime.storage, production.guid)
        archive_sha256: tuple[str, ...] = ()
        try:
            if len(pages) > 1:
                # The pages first: the main feed must not link to a page not there yet.
                _require_media(runtime.storage, mapped)
                archived = archive.publish_archive(
                    runtime,
                    production,
                    show,
                    pages,
                    stored=stored_pages,
                    recorded=published.archive_sha256,
                    now=now,
                    scratch=settings.upload_dir / f"page-{operation_id}.xml",
                    cache=cache,
                    stylesheet=stylesheet,
                )
                result["pages_written"], archive_sha256 = archived.written, archived.sha256
            feed = _publish(runtime, production, mapped, rendered, sha256, full.moved)
            # Last: pages the feed no longer links to (fewer episodes, or paging turned off).
            removed = archive.remove_unlinked_pages(runtime.storage, stored_pages, len(pages))
            if removed:
                result["pages_removed"] = removed
        except JobFailedError as error:
            webhook_events.build_failed(runtime, job, production, operation_id, error)
            raise
        # The ETags the feed is served with, plain and gzip-compressed.
        etag = feed.plain.etag
        result["gzip_etag"] = feed.compressed.etag
    finally:
        rendered.unlink(missing_ok=True)
    result.update(bytes=size, sha256=sha256, etag=etag)
    private_changed = False
    if has_private_feed(full):
        updated = now if changed else unchanged_date
        private_changed = _publish_private(runtime, production, full, updated, now)
        result["private_changed"] = private_changed
    # Recorded once every feed is out: a build retried after a failure above still sees its
    # new episodes as new.
    with runtime.database.session() as session:
        record_published(
            session,
            production.guid,
            sha256=sha256,
            size=size,
            items=items,
            now=now,
            next_build_at=feeds.next_release(full.episodes, now),
            moved=full.moved,
            archive_sha256=archive_sha256,
        )
    if changed or private_changed:
        in_public = {episode.guid for episode in mapped.episodes}
        new = _first_out(full, items, published)
        webhook_events.build_published(
            runtime,
            production,
            operation_id,
            result,
            new,
            subscribers_only={episode.guid for episode in new if episode.guid not in in_public},
        )
    if changed and wants_notice(runtime):
        notice = NotifyJob(
            production=production.guid, feed_url=show.feed_url, medium=show.medium or "podcast"
        )
        result["notify_operation"] = runtime.jobs.start(notice, production=production.guid).id
    record_build(
        result="published" if changed else "unchanged",
        size=size,
        items=len(items),
        seconds=time.perf_counter() - started,
    )
    return {**result, "published": True}


def _build_private_only(
    runtime: Runtime,
    production: Production,
    mapped: Mapped,
    job: BuildJob,
    published: Published,
    items: dict[str, str],
    report: Report,
    now: int,
    operation_id: str,
) -> dict[str, Any]:
    """The build of a show with no public feed: its private feed stands in for it (its hash
    and items recorded, unchanged when the same); no hub or podping is told, the producer's
    webhooks are."""
    assert mapped.show is not None
    base_url = runtime.settings.base_url
    unchanged_date = max(
        date for date in (mapped.show.updated, published.changed_at, 0) if date is not None
    )
    rendered = runtime.settings.upload_dir / f"private-{production.guid}-{now}.xml"
    try:
        sha256, size = render_private(
            mapped, rendered, base_url=base_url, updated=unchanged_date, now=now
        )
        changed = sha256 != published.sha256
        result: dict[str, Any] = {
            "feed_url": None,
            "alias_url": None,
            "items": len(items),
            "warnings": report["warnings"],
            "changed": changed,
            "bytes": size,
            "sha256": sha256,
        }
        if not job.publishes:
            return {**result, "validated": True, "published": False}
        place_media(runtime.storage, production.guid, mapped)
        if changed:
            sha256, size = render_private(mapped, rendered, base_url=base_url, updated=now, now=now)
        # Written unless the stored feed is this one, whatever the record says: a build that
        # wrote it and failed before recording it, or a feed deleted by hand.
        _put_private(runtime, production, mapped, rendered, sha256)
    finally:
        rendered.unlink(missing_ok=True)
    result.update(bytes=size, sha256=sha256)
    with runtime.database.session() as session:
        record_published(
            session,
            production.guid,
            sha256=sha256,
            size=size,
            items=items,
            now=now,
            next_build_at=feeds.next_release(mapped.episodes, now),
            # No public feed: its archive pages, if it had any, stay as they were.
            archive_sha256=published.archive_sha256,
        )
    if changed:
        new = _first_out(mapped, items, published)
        webhook_events.build_published(
            runtime,
            production,
            operation_id,
            result,
            new,
            subscribers_only={episode.guid for episode in new},
        )
    return {**result, "published": True}


def _publish_private(
    runtime: Runtime, production: Production, mapped: Mapped, updated: int, now: int
) -> bool:
    """Render the private feed beside the public one; publish it, media first, if it
    differs from the stored one (True then)."""
    rendered = runtime.settings.upload_dir / f"private-{production.guid}-{now}.xml"
    try:
        sha256, _ = render_private(
            mapped, rendered, base_url=runtime.settings.base_url, updated=updated, now=now
        )
        return _put_private(runtime, production, mapped, rendered, sha256)
    finally:
        rendered.unlink(missing_ok=True)


def _put_private(
    runtime: Runtime, production: Production, mapped: Mapped, rendered: Path, sha256: str
) -> bool:
    """Publish the `rendered` private feed, media first, unless the stored one says it is
    this feed (`podops.publish.stored`); whether the stored one differed."""
    storage = runtime.storage
    key = private_feed_key(production.guid)
    metadata = stored_metadata(storage, key)
    if metadata is not None and metadata.get(SHA256_METADATA) == sha256:
        return False
    # A feed stored before it carried its hash is read back, this once, to tell whether it
    # changed; it is written again all the same, with its hash.
    differs = metadata is None or SHA256_METADATA in metadata or read_sha256(storage, key) != sha256
    if differs:
        _require_media(storage, mapped)
    publish_private(storage, production, rendered, sha256)
    return differs


def _render(
    show: feeds.Show,
    page: feeds.Page,
    path: Path,
    now: int,
    cache: feeds.ItemCache | None,
    stylesheet: str,
) -> tuple[str, int]:
    """Render the main feed (`page`: its episodes and links) into `path`, naming the XSL
    `stylesheet` for browsers; its SHA-256 and size."""
    # Written to a file, not held in memory: a 50,000-episode feed is 130 MB.
    with path.open("wb", buffering=1024 * 1024) as output:
        hashing = _HashingWriter(output)
        size = feeds.render_to(
            show,
            page.episodes,
            hashing,
            now=now,
            cache=cache,
            links=page.links,
            stylesheet=stylesheet,
        )
    return hashing.hexdigest(), size


def _publish(
    runtime: Runtime,
    production: Production,
    mapped: Mapped,
    rendered: Path,
    sha256: str,
    moved: tuple[str, int] | None,
) -> FeedCopies:
    """Media first, then the feed in one write, with its SHA-256 and the show's move in its
    metadata (the feed routes read the move there); nothing when the stored feed and its
    gzip copy both say they are this feed with this move. The copies as stored.

    The stored feed is asked, not the record of the last publish: a build that wrote its
    feed and failed later left the record naming the feed before (`podops.publish.stored`).
    """
    key = feed_key(production.guid)
    metadata = public_metadata(sha256, moved)
    stored = stored_copies(runtime.storage, key, metadata=metadata)
    if stored is not None:
        return stored
    _require_media(runtime.storage, mapped)
    # One write: a local rename or a single S3 object, never a partial feed (its gzip copy,
    # for the clients that accept it, one write before). A move begun or ended, a copy
    # missing, or a feed stored before its hash went with it, is written again.
    return put_feed(runtime.storage, key, rendered, metadata=metadata)


def _fits(mapped: Mapped, cache: feeds.ItemCache) -> bool:
    """Whether the show's items would fit in the cache.

    A show larger than the cache gains nothing from it (its oldest items are pushed out
    before the next build could use them), and a cached render holds every item in memory at
    once; without the cache `render_to` writes the feed an item at a time. An item is about
    its notes' HTML and 1.5 KB of tags, URLs and title.
    """
    estimate = sum(
        len(episode.notes_html or episode.notes_markdown) + _ITEM_OVERHEAD_BYTES
        for episode in mapped.episodes
    )
    return estimate <= cache.max_bytes


class _HashingWriter:
    """Passes bytes on to a file, hashing them on the way."""

    def __init__(self, output: BinaryIO) -> None:
        self._output = output
        self._digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self._digest.update(data)
        return self._output.write(data)

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def _findings(findings: Sequence[feeds.Finding | Problem]) -> list[dict[str, str]]:
    return [
        {"code": str(item.code), "message": item.message, "path": item.path} for item in findings
    ]


def _check(
    mapped: Mapped,
    now: int,
    published: dict[str, str],
    current: dict[str, str],
    *,
    cache: feeds.ItemCache | None,
    force: bool,
) -> Report:
    errors = _findings(mapped.problems)
    warnings: list[dict[str, str]] = []
    if mapped.show is not None:
        lint = feeds.lint(mapped.show, mapped.episodes, now=now, cache=cache)
        # An empty feed is refused by Apple and every app; `force` publishes it all the same.
        empty = [item for item in lint.errors if item.code == feeds.Code.NO_EPISODES]
        errors += _findings([item for item in lint.errors if item not in empty])
        (warnings if force else errors).extend(_findings(empty))
        warnings += _findings(lint.warnings)
        changes = guard.check_published(published, current)
        (warnings if force else errors).extend(_findings(changes))
    return {"errors": errors, "warnings": warnings}


def _first_out(mapped: Mapped, items: dict[str, str], published: Published) -> list[feeds.Episode]:
    """The episodes this build put out that no publish before it had: each is announced once,
    whichever build (or feed) first carries it — a scheduled one when its time comes."""
    return [e for e in mapped.episodes if e.guid in items and e.guid not in published.items]


def _items(mapped: Mapped, now: int) -> dict[str, str]:
    return {
        episode.guid: episode.enclosure.url
        for episode in feeds.published_episodes(mapped.episodes, now)
        if episode.enclosure is not None
    }


def _require_media(storage: Storage, mapped: Mapped) -> None:
    """Media first: every file the feed points at must be in storage before it goes out."""
    hidden = subscriber_only(mapped)
    missing = [key for key in mapped.media_keys if not storage.exists(stored_key(key, hidden))]
    if missing:
        raise JobFailedError(
            "podops.build.media_missing",
            f"{len(missing)} media file(s) the feed points at are not in storage: {missing[:3]}",
        )
