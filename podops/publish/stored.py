"""A stored feed says which feed it is: its SHA-256 in its metadata (`podops-sha256`).

A build writes a feed only when the stored one is not the feed it rendered, and it asks the
stored object, not the database. The record of the last publish (`FeedState.sha256`) is
written once every feed of a build is out, so a build that writes its main feed and then
fails (the private feed's premium media missing, a later write refused) leaves the record
naming the feed before: were the next build to render that one again (the change undone),
the record would call it unchanged while the store kept serving the failed build's feed.
So each feed is stored with its SHA-256, the public feed's plain and gzip copies alike
(beside its move, `podops.services.feed_moves`), and a build compares with their heads:
one head a copy, nothing read back.

The record still decides what a build reports: `changed`, the feed's lastBuildDate, the
webhooks and the hub pings follow what the last successful build published.

A public feed stored before feeds carried their hash is written once more by its next build.
A private feed stored so is read back once, so that a build which changes nothing still says
so (`private_changed`), and written again with its hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from podops.services import feed_moves
from podops.storage import MAX_METADATA_BYTES, NotFoundError, Storage

SHA256_METADATA = "podops-sha256"


def public_metadata(sha256: str, moved: tuple[str, int] | None) -> dict[str, str]:
    """The metadata the public feed is stored with: its SHA-256 (hex), and its move when
    that fits beside it."""
    own = {SHA256_METADATA: sha256}
    room = MAX_METADATA_BYTES - len(SHA256_METADATA) - len(sha256)
    return {**feed_moves.feed_metadata(moved, room=room), **own}


def private_metadata(sha256: str) -> dict[str, str]:
    """The metadata the private feed is stored with: its SHA-256 (hex)."""
    return {SHA256_METADATA: sha256}


def stored_metadata(storage: Storage, key: str) -> Mapping[str, str] | None:
    """The metadata the object under `key` is stored with; None when there is no object."""
    try:
        return storage.head(key).metadata
    except NotFoundError:
        return None


def read_sha256(storage: Storage, key: str) -> str | None:
    """The SHA-256 of the object under `key`, read back whole; None when there is none."""
    digest = hashlib.sha256()
    try:
        with storage.open(key) as stream:
            for chunk in iter(lambda: stream.read(1024 * 1024), b""):
                digest.update(chunk)
    except NotFoundError:
        return None
    return digest.hexdigest()
