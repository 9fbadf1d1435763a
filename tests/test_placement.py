"""Which media only subscribers may read, and that placing them is idempotent (unit tests on
the in-memory store; the routes are tested in test_private_feeds.py)."""

from __future__ import annotations

from podops.publish.mapping import Mapped
from podops.publish.placement import place_media, subscriber_only
from podops.storage._memory import MemoryStorage

PROD = "0123456789ab"
SHARED, PREMIUM, COVER = (f"media/{PROD}/{char * 64}.mp3" for char in "abc")


def mapped(access: str = "both") -> Mapped:
    """A free episode and a premium one sharing SHARED; the premium one also has PREMIUM;
    COVER is the show's image."""
    return Mapped(
        show=None,
        episodes=[],
        media_keys=[COVER, SHARED, SHARED, PREMIUM],
        access=access,
        premium={"premium-1", "premium-2"},
        enclosure_keys={"free": SHARED, "premium-1": SHARED, "premium-2": PREMIUM},
    )


def test_only_what_no_public_item_uses_is_for_subscribers() -> None:
    assert subscriber_only(mapped()) == {PREMIUM}
    # A show with no public feed: every enclosure, never its artwork.
    assert subscriber_only(mapped("private")) == {SHARED, PREMIUM}


def test_placing_moves_each_medium_once_and_back_when_it_turns_free() -> None:
    storage = MemoryStorage()
    for key in (SHARED, PREMIUM, COVER):
        storage.put_bytes(key, key.encode(), content_type="audio/mpeg")

    assert place_media(storage, PROD, mapped()) == [PREMIUM]
    assert place_media(storage, PROD, mapped()) == []
    hidden = f"private/{PROD}/media/{'b' * 64}.mp3"
    assert storage.list() == sorted([SHARED, COVER, hidden])
    assert storage.read_bytes(hidden) == PREMIUM.encode()

    free = mapped()
    free.premium = set()
    assert place_media(storage, PROD, free) == [PREMIUM]
    assert storage.list() == sorted([SHARED, PREMIUM, COVER])
