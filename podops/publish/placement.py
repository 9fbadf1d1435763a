"""Keeping premium media where only subscribers reach it.

Uploads are stored under `media/…`, which the public `/m/` route serves (as does a public
bucket or CDN). A subscriber could take the signed URL of a premium episode, drop the
signature and read the same key through `/m/`. So every publishing build puts each stored
medium that only subscribers may read under `private/{production}/media/` and every other
medium its feeds point at under `media/`: an episode made premium is out of public reach
after the next build, and one made free is public again.

Subscribers may read, alone: whatever premium episodes point at in podops' storage — the
enclosure, the episode's image and `podcast:images`, its transcripts, its chapters, its
alternate enclosures' uploaded sources — and the same of every episode of a show with no
public feed (`access: private`). The same bytes used by anything public too are public: a
free episode's, or the show's (its artwork, trailers and live items, which the channel of
either feed names, are never hidden). Media outside podops' storage (external URLs) are
the producer's to protect: podops neither moves nor signs them.

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
        guids = set(mapped.episode_keys)
    else:
        guids = mapped.premium & set(mapped.episode_keys)
    # `media_keys` names a key once for each use, as `episode_keys` does by episode:
    # whatever is left after the subscriber-only episodes' uses is used by something public.
    only = Counter(key for guid in guids for key in mapped.episode_keys[guid])
    public = Counter(mapped.media_keys) - only
    return set(only) - set(public)


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
