"""Publishing a feed with its gzip form beside it, compressed once per build, not per request.

A feed is XML that compresses about tenfold, fetched by every podcatcher every hour or so:
the delivery routes send the `.gz` copy (`gzip_key`) to clients that accept gzip, and the
plain one to the others. The copy is written first and the plain feed second, each in one
write; in between, the two may show different builds, each of them whole, which a client
that asked once for one encoding cannot notice. Both carry the same metadata (the feed's
SHA-256 among it), so a build that finds the two apart — one written and the other not, or
one deleted by hand (`stored_copies`) — writes both again; a feed published before its copy
existed is served plain until then. Brotli would save another 15 % or so, but no well-kept
library for it is among the project's dependencies, so gzip it is.
"""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from podops.publish import FEED_CACHE, FEED_TYPE
from podops.storage import NotFoundError, Storage, StoredObject
from podops.storage.keys import gzip_key

# Paid once per build rather than per request: the smallest output is worth the time.
GZIP_LEVEL = 9


@dataclass(frozen=True)
class FeedCopies:
    """A stored feed's two objects: the plain feed and its gzip copy."""

    plain: StoredObject
    compressed: StoredObject


def put_feed(
    storage: Storage, key: str, path: Path, *, metadata: Mapping[str, str] | None = None
) -> FeedCopies:
    """Store the feed file at `path` under `key` (the store takes the file), its gzip copy
    under `gzip_key(key)` first; both with `metadata`, for whichever of them is served."""
    compressed = path.with_name(path.name + ".gz")
    try:
        compress(path, compressed)
        packed = storage.put_path(
            gzip_key(key),
            compressed,
            content_type=FEED_TYPE,
            cache_control=FEED_CACHE,
            content_encoding="gzip",  # a bucket or CDN serving it says so
            metadata=metadata,
        )
    finally:
        compressed.unlink(missing_ok=True)  # a store that copies leaves it behind
    plain = storage.put_path(
        key, path, content_type=FEED_TYPE, cache_control=FEED_CACHE, metadata=metadata
    )
    return FeedCopies(plain, packed)


def stored_copies(storage: Storage, key: str, *, metadata: Mapping[str, str]) -> FeedCopies | None:
    """The feed under `key` and its gzip copy when both are stored with `metadata`; None
    when either is missing (deleted by hand, say) or stored with other metadata."""
    found = []
    for copy in (key, gzip_key(key)):
        try:
            stored = storage.head(copy)
        except NotFoundError:
            return None
        if stored.metadata != metadata:
            return None
        found.append(stored)
    return FeedCopies(*found)


def compress(source: Path, target: Path) -> None:
    """gzip `source` into `target`, streaming; no name or time in the header, so the same
    feed compresses to the same bytes."""
    with (
        source.open("rb") as plain,
        target.open("wb") as raw,
        gzip.GzipFile(
            filename="", mode="wb", compresslevel=GZIP_LEVEL, fileobj=raw, mtime=0
        ) as packed,
    ):
        shutil.copyfileobj(plain, packed, 1024 * 1024)
