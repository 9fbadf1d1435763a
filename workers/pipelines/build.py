"""The build pipeline: a production's feed from its documents, checked, then published.

    load → map → lint → GUID guard → render → (validate: stop) → unchanged? stop →
    media present? → one atomic write of the feed → record what was published

Nothing is published unless every check passes; the previous feed stays as it was. The feed
is written in a single `put_bytes` (S3: one PUT; local: temp file + rename), so a reader — or a
worker killed mid-build and its retry — never leaves a partial feed behind.
"""

from __future__ import annotations

import functools
import hashlib
import time
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

import feeds
from podops.build import FEED_CACHE, FEED_TYPE, guard
from podops.build.mapping import Mapped, Problem, alias_url, map_production
from podops.models import FeedState, Production, Resource
from podops.names import Kind
from podops.settings import Settings
from podops.storage import Storage
from podops.storage.keys import feed_key
from workers.runner import PermanentError
from workers.runtime import Runtime

_EPISODE_BATCH = 500
_ITEM_OVERHEAD_BYTES = 1536


@functools.cache
def item_cache(megabytes: int) -> feeds.ItemCache:
    """Each episode's rendered item and lint findings, kept between the builds of this worker
    process (PODOPS_BUILD_CACHE_MB): a rebuild after one new episode redoes one item, not ten
    thousand."""
    return feeds.ItemCache(max_bytes=megabytes * 1024 * 1024)


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


def build(runtime: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    """Build (and unless `validate`, publish) the feed of `params["production"]`."""
    now = int(time.time())
    worker_cache = item_cache(runtime.settings.build_cache_mb)
    with runtime.database.session() as session:
        production = session.get(Production, params["production"])
        if production is None:
            raise PermanentError("podops.build.no_production", "the production no longer exists")
        mapped = _load(session, production, runtime.settings)
        previous = session.get(FeedState, production.guid)
        published_items = dict(previous.items) if previous else {}
        last_sha = previous.sha256 if previous else None
    cache = worker_cache if _fits(mapped, worker_cache) else None
    # What this build would publish ({item GUID: enclosure URL}): guarded, then recorded.
    items = _items(mapped, now)
    report = _check(
        mapped, now, published_items, items, cache=cache, force=bool(params.get("force"))
    )
    if report["errors"]:
        raise PermanentError(
            "podops.build.invalid",
            f"the feed has {len(report['errors'])} error(s); nothing was published",
            details={"report": report},
        )
    assert mapped.show is not None
    runtime.settings.upload_dir.mkdir(parents=True, exist_ok=True)
    rendered = runtime.settings.upload_dir / f"feed-{params['operation_id']}.xml"
    try:
        # Written to a file, not held in memory: a 50,000-episode feed is 130 MB.
        with rendered.open("wb", buffering=1024 * 1024) as output:
            hashing = _HashingWriter(output)
            size = feeds.render_to(mapped.show, mapped.episodes, hashing, now=now, cache=cache)
        return _publish(
            runtime,
            params,
            production,
            mapped,
            report,
            rendered,
            items,
            size,
            hashing.hexdigest(),
            last_sha,
            now,
        )
    finally:
        rendered.unlink(missing_ok=True)


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


def _publish(
    runtime: Runtime,
    params: dict[str, Any],
    production: Production,
    mapped: Mapped,
    report: dict[str, list[dict[str, str]]],
    rendered: Path,
    items: dict[str, str],
    size: int,
    sha256: str,
    last_sha: str | None,
    now: int,
) -> dict[str, Any]:
    assert mapped.show is not None
    result: dict[str, Any] = {
        "feed_url": mapped.show.feed_url,
        "alias_url": alias_url(runtime.settings.base_url, production),
        "etag": f'"{sha256[:32]}"',
        "items": len(items),
        "bytes": size,
        "warnings": report["warnings"],
        "changed": sha256 != last_sha,
    }
    if params.get("validate"):
        return {**result, "validated": True, "published": False}
    if sha256 != last_sha:
        _require_media(runtime.storage, mapped)
        # One write: a local rename or a single S3 object, never a partial feed.
        runtime.storage.put_path(
            feed_key(production.guid), rendered, content_type=FEED_TYPE, cache_control=FEED_CACHE
        )
    with runtime.database.session() as session:
        _record(
            session,
            production.guid,
            sha256,
            size,
            items,
            now,
            feeds.next_release(mapped.episodes, now),
        )
    return {**result, "published": True}


def _load(session: Session, production: Production, settings: Settings) -> Mapped:
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
    return map_production(production, show, episodes, assets, base_url=settings.base_url)


def _by_name(session: Session) -> ColumnElement[str]:
    """Episodes in code-point order of their names, as Python sorts them, on every database
    (PostgreSQL would otherwise follow the database's locale, which orders `-` and `_` apart)."""
    bytewise = "C" if session.get_bind().dialect.name == "postgresql" else "BINARY"
    return Resource.name.collate(bytewise)


def _findings(findings: tuple[feeds.Finding, ...] | list[Problem]) -> list[dict[str, str]]:
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
) -> dict[str, list[dict[str, str]]]:
    errors = _findings(mapped.problems)
    warnings: list[dict[str, str]] = []
    if mapped.show is not None:
        lint = feeds.lint(mapped.show, mapped.episodes, now=now, cache=cache)
        errors += _findings(lint.errors)
        warnings += _findings(lint.warnings)
        changes = guard.check_published(published, current)
        (warnings if force else errors).extend(_findings(changes))
    return {"errors": errors, "warnings": warnings}


def _items(mapped: Mapped, now: int) -> dict[str, str]:
    return {
        episode.guid: episode.enclosure.url
        for episode in feeds.published_episodes(mapped.episodes, now)
        if episode.enclosure is not None
    }


def _require_media(storage: Storage, mapped: Mapped) -> None:
    """Media first: every file the feed points at must be in storage before it goes out."""
    missing = [key for key in mapped.media_keys if not storage.exists(key)]
    if missing:
        raise PermanentError(
            "podops.build.media_missing",
            f"{len(missing)} media file(s) the feed points at are not in storage: {missing[:3]}",
        )


def _record(
    session: Session,
    production_guid: str,
    sha256: str,
    size: int,
    items: dict[str, str],
    now: int,
    next_build_at: int | None,
) -> None:
    state = session.get(FeedState, production_guid)
    if state is None:
        state = FeedState(production_guid=production_guid)
        session.add(state)
    state.sha256, state.size, state.items = sha256, size, items
    state.published_at, state.next_build_at = now, next_build_at
