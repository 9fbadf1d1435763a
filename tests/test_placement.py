"""Which media only subscribers may read, and that placing them is idempotent (unit tests on
the in-memory store; the routes are tested in test_private_feeds.py)."""

from __future__ import annotations

import feeds
from podops.publish.mapping import Mapped
from podops.publish.placement import place_media, subscriber_only
from podops.publish.private import MEDIA_MARK, private_episodes
from podops.storage._memory import MemoryStorage

PROD = "0123456789ab"
SHARED, PREMIUM, COVER = (f"media/{PROD}/{char * 64}.mp3" for char in "abc")
# The premium episode's own transcript and image, and an image a free episode shares with it.
TRANSCRIPT = f"media/{PROD}/{'d' * 64}.vtt"
ART = f"media/{PROD}/{'e' * 64}.jpg"
COMMON_ART = f"media/{PROD}/{'f' * 64}.png"
BASE = "https://podops.example"


def url(key: str) -> str:
    return f"{BASE}/m/{key.removeprefix('media/')}"


def mapped(access: str = "both") -> Mapped:
    """A free episode and two premium ones, all sharing SHARED; premium-2 also has PREMIUM,
    its own TRANSCRIPT and ART (twice: image and `podcast:images`), and COMMON_ART, which the
    free episode uses too; COVER is the show's image (and premium-1's)."""
    episode_keys = {
        "free": [SHARED, COMMON_ART],
        "premium-1": [SHARED, COVER],
        "premium-2": [PREMIUM, ART, TRANSCRIPT, ART, COMMON_ART],
    }
    return Mapped(
        show=None,
        episodes=[],
        media_keys=[COVER] + [key for keys in episode_keys.values() for key in keys],
        access=access,
        premium={"premium-1", "premium-2"},
        enclosure_keys={"free": SHARED, "premium-1": SHARED, "premium-2": PREMIUM},
        episode_keys=episode_keys,
        stored_urls={
            url(key): key for key in (SHARED, PREMIUM, COVER, TRANSCRIPT, ART, COMMON_ART)
        },
    )


def test_only_what_no_public_item_uses_is_for_subscribers() -> None:
    # The premium episode's enclosure, transcript and image (used twice, by it alone); not
    # what the free episode or the show uses too.
    assert subscriber_only(mapped()) == {PREMIUM, TRANSCRIPT, ART}
    # A show with no public feed: everything its episodes use, never its artwork.
    assert subscriber_only(mapped("private")) == {SHARED, PREMIUM, TRANSCRIPT, ART, COMMON_ART}
    free = mapped()
    free.premium = set()
    assert subscriber_only(free) == set()


def test_placing_moves_each_medium_once_and_back_when_it_turns_free() -> None:
    storage = MemoryStorage()
    for key in (SHARED, PREMIUM, COVER, TRANSCRIPT, ART, COMMON_ART):
        storage.put_bytes(key, key.encode(), content_type="audio/mpeg")
    storage.put_bytes(TRANSCRIPT, b"WEBVTT\n", content_type="text/vtt")

    assert place_media(storage, PROD, mapped()) == [PREMIUM, TRANSCRIPT, ART]
    assert place_media(storage, PROD, mapped()) == []
    hidden = {
        key: f"private/{PROD}/media/{key.split('/')[-1]}" for key in (PREMIUM, TRANSCRIPT, ART)
    }
    assert storage.list() == sorted([SHARED, COVER, COMMON_ART, *hidden.values()])
    assert storage.read_bytes(hidden[PREMIUM]) == PREMIUM.encode()
    assert storage.head(hidden[TRANSCRIPT]).content_type == "text/vtt"

    free = mapped()
    free.premium = set()
    assert place_media(storage, PROD, free) == [PREMIUM, TRANSCRIPT, ART]
    assert place_media(storage, PROD, free) == []
    assert storage.list() == sorted([SHARED, PREMIUM, COVER, TRANSCRIPT, ART, COMMON_ART])
    assert storage.head(TRANSCRIPT).content_type == "text/vtt"


def test_the_private_feed_names_subscriber_only_companions_by_placeholder() -> None:
    shows = mapped()
    premium = feeds.Episode(
        guid="premium-2",
        title="Premium",
        published=1_700_000_000,
        enclosure=feeds.Enclosure(url(PREMIUM), 10, "audio/mpeg"),
        image=feeds.Image(url(ART)),
        image_srcset=(feeds.ImageSource(url(ART), 1400), feeds.ImageSource(url(COMMON_ART), 700)),
        transcripts=(
            feeds.Transcript(url(TRANSCRIPT), "text/vtt"),
            feeds.Transcript("https://elsewhere.example/t.srt", "application/x-subrip"),
        ),
        chapters=feeds.Chapters("https://elsewhere.example/chapters.json"),
        alternate_enclosures=(
            feeds.AlternateEnclosure(
                "audio/mpeg",
                (feeds.Source(url(PREMIUM)), feeds.Source("ipfs://bafy")),
            ),
        ),
    )
    free = feeds.Episode(
        guid="free",
        title="Free",
        published=1_700_000_000,
        enclosure=feeds.Enclosure(url(SHARED), 10, "audio/mpeg"),
        image=feeds.Image(url(COMMON_ART)),
    )
    shows.episodes = [free, premium]

    [free_out, premium_out] = private_episodes(shows, base_url=BASE)

    def placeholder(key: str) -> str:
        return f"{BASE}/p/m/{MEDIA_MARK}/{PROD}/{key.split('/')[-1]}"

    assert premium_out.enclosure is not None
    assert premium_out.enclosure.url == placeholder(PREMIUM)
    assert premium_out.image == feeds.Image(placeholder(ART))
    # Shared with the free episode: public media, named by its public URL.
    assert [each.url for each in premium_out.image_srcset] == [placeholder(ART), url(COMMON_ART)]
    # External URLs stay: podops cannot sign what it does not serve.
    assert [each.url for each in premium_out.transcripts] == [
        placeholder(TRANSCRIPT),
        "https://elsewhere.example/t.srt",
    ]
    assert premium_out.chapters == premium.chapters
    assert [source.uri for source in premium_out.alternate_enclosures[0].sources] == [
        placeholder(PREMIUM),
        "ipfs://bafy",
    ]
    assert free_out.image == free.image
    assert free_out.enclosure is not None
    assert free_out.enclosure.url == placeholder(SHARED)  # every stored enclosure, as before
