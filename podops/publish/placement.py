"""Keeping premium media where only subscribers reach it.

Uploads are stored under `media/…`, which the public `/m/` route serves (as does a public
bucket or CDN). A subscriber could take the signed URL of a premium episode, drop the
signature and read the same key through `/m/`. So every publishing build puts each stored
enclosure that only subscribers may hear under `private/{production}/media/` and every
other medium its feeds point at under `media/`: an episode made premium is out of public
reach after the next build, and one made free is public again.

Subscribers may hear, alone: the enclosures of premium episodes, and every enclosure of a
show with no public feed (`access: private`). The same bytes used by a free episode too are
public — the free episode publishes them. A premium episode's images, transcripts and
chapters stay public media; only its audio (or video) is hidden.

Until the first build after its upload, a new file is under `media/` as every upload is; its
key is its SHA-256, which nobody can guess from outside.
"""

from __future__ import annotations

from collections import Counter

from podops.publish.mapping import Mapped
from podops.storage import Storage
from podops.storage.keys import hidden_media_key, hidden_media_prefix, media_prefix


def subscriber_only(mapped: Mapped) -> set[str]:
    """The media keys (public form) of what only subscribers may read."""
    if mapped.access == "private":
        enclosures = list(mapped.enclosure_keys.values())
    else:
        enclosures = [key for guid, key in mapped.enclosure_keys.items() if guid in mapped.premium]
    # `media_keys` names a key once for each use: whatever is left after the premium
    # enclosures' uses is used by something public.
    public = Counter(mapped.media_keys) - Counter(enclosures)
    return set(enclosures) - set(public)


def stored_key(key: str, hidden: set[str]) -> str:
    """Where the media `key` is stored once placed."""
    return hidden_media_key(key) if key in hidden else key


def place_media(storage: Storage, production_guid: str, mapped: Mapped) -> list[str]:
    """Move each medium the production's feeds point at to where its audience reaches it;
    the keys moved (public form). Idempotent: a second run moves nothing."""
    hidden = subscriber_only(mapped)
    # Two listings rather than a HEAD per key: a show has thousands of media.
    in_public = set(storage.list(media_prefix(production_guid)))
    in_private = set(storage.list(hidden_media_prefix(production_guid)))
    moved = []
    for key in sorted(set(mapped.media_keys)):
        secret = hidden_media_key(key)
        if key in hidden and key in in_public:
            storage.move(key, secret)
        elif key not in hidden and secret in in_private:
            storage.move(secret, key)
        else:
            continue
        moved.append(key)
    return moved
