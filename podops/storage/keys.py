"""The one place storage keys are composed.

Media keys derive from content (`media/{production guid}/{sha256}{ext}`), so the object at a
key never changes and the same bytes are stored once; a feed has one key per production (and
one per archive page when it is paged), each with its gzip copy beside it, and a production
with subscribers one more for its private feed.

Everything under `private/` is for subscribers only: the private feed, and the media only
premium episodes point at, which a build moves from `media/…` to `private/{production
guid}/media/…` (and back when an episode becomes free). The public `/m/…` route composes only
`media/` keys, and a bucket or CDN that serves media publicly must serve `media/` and `feeds/`
only, never `private/`.
"""

from __future__ import annotations

import re

_EXTENSION = re.compile(r"\.[a-z0-9]{1,8}")


def media_key(production_guid: str, sha256: str, extension: str) -> str:
    if not _EXTENSION.fullmatch(extension):
        raise ValueError(f"not a file extension: {extension!r}")
    return f"media/{production_guid}/{sha256}{extension}"


def hidden_media_key(key: str) -> str:
    """Where the media stored under `key` (a `media_key`) is kept while only subscribers may
    read it."""
    _, production_guid, filename = key.split("/")
    return f"private/{production_guid}/media/{filename}"


def media_prefix(production_guid: str) -> str:
    """The prefix of a production's public media keys."""
    return f"media/{production_guid}/"


def hidden_media_prefix(production_guid: str) -> str:
    """The prefix of a production's subscriber-only media keys."""
    return f"private/{production_guid}/media/"


def staged_upload_key(production_guid: str, upload: str) -> str:
    """Where a client puts media itself (a direct upload) until a worker makes its asset."""
    return f"uploads/{production_guid}/{upload}"


def feed_key(production_guid: str) -> str:
    return f"feeds/{production_guid}/feed.xml"


def archive_prefix(production_guid: str) -> str:
    """The prefix of every page of a paged public feed's archive."""
    return f"feeds/{production_guid}/archive/"


def archive_key(production_guid: str, page: int) -> str:
    """Page `page` (1: the oldest episodes) of a paged public feed's archive."""
    if page < 1:
        raise ValueError(f"archive pages count from 1, not {page}")
    return f"{archive_prefix(production_guid)}{page}.xml"


def private_feed_key(production_guid: str) -> str:
    """The private (premium) feed, its media URLs still to be signed for each subscriber."""
    return f"private/{production_guid}/feed.xml"


def production_prefixes(production_guid: str) -> tuple[str, ...]:
    """Every prefix under which a production's objects are kept: deleting it removes them."""
    return tuple(f"{area}/{production_guid}/" for area in ("media", "feeds", "private", "uploads"))


def gzip_key(key: str) -> str:
    """Where the gzip-compressed copy of the feed (or page) under `key` is kept."""
    return f"{key}.gz"
