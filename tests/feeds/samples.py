"""A complete, lint-clean show and episodes to build tests from (change one field each)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lxml import etree

from feeds import (
    AlternateEnclosure,
    Category,
    Chapters,
    Chat,
    ContentLink,
    Enclosure,
    Episode,
    EpisodeType,
    Funding,
    Image,
    ImageSource,
    Integrity,
    License,
    LiveItem,
    Location,
    Owner,
    Person,
    RemoteItem,
    ServiceBlock,
    Show,
    SocialInteract,
    Soundbite,
    Source,
    Trailer,
    Transcript,
    Txt,
    UpdateFrequency,
    Value,
    ValueRecipient,
    ValueTimeSplit,
)

NOW = 1_735_689_600  # 2025-01-01 00:00:00 UTC
DAY = 86_400

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}


def show(**changes: Any) -> Show:
    """A show with every field filled in and nothing for lint to complain about."""
    base = Show(
        title="The Sample Show",
        summary_markdown="A show about *samples*.\n\n[Our site](https://example.com/show)",
        feed_url="https://cdn.example.com/p/sample-show/feed.xml",
        language="en-us",
        categories=(Category("Technology"), Category("Society & Culture", "Documentary")),
        explicit=False,
        owner=Owner("Sam Owner", "owner@example.com"),
        link="https://example.com/show",
        author="Sam Author",
        copyright="© 2025 Sample Productions",
        image=Image("https://cdn.example.com/p/sample-show/cover.jpeg", 3000, 3000),
        funding=(Funding("https://example.com/support", "Support the show"),),
        persons=(Person("Sam Author", href="https://example.com/sam"),),
        updated=NOW - 10 * DAY,
    )
    return replace(base, **changes)


def episode(n: int = 1, /, **changes: Any) -> Episode:
    """Episode `n`, published `n` days after 2024-12-01, lint-clean."""
    guid = f"{n:012x}"
    base = Episode(
        guid=guid,
        title=f"Episode {n}",
        published=NOW - 31 * DAY + n * DAY,
        enclosure=Enclosure(
            f"https://cdn.example.com/p/sample-show/{guid}.mp3", 1_000_000 + n, "audio/mpeg"
        ),
        notes_markdown=f"Notes for **episode {n}**.",
        duration=1800.0 + n,
        link=f"https://example.com/show/{n}",
        season=1,
        number=n,
        type=EpisodeType.FULL,
        transcripts=(Transcript(f"https://cdn.example.com/p/sample-show/{guid}.vtt", "text/vtt"),),
        chapters=Chapters(f"https://cdn.example.com/p/sample-show/{guid}.json"),
    )
    return replace(base, **changes)


def episodes(count: int = 3) -> list[Episode]:
    """Episodes 1..count, oldest first."""
    return [episode(number) for number in range(1, count + 1)]


def parse(feed: bytes) -> etree._Element:
    """The `<rss>` element of a rendered feed, CDATA sections kept as such."""
    parser = etree.XMLParser(strip_cdata=False, resolve_entities=False, no_network=True)
    return etree.fromstring(feed, parser)


def one(root: etree._Element, path: str) -> etree._Element:
    """The single element at `path` (XPath with the feed's prefixes); fails otherwise."""
    found = root.xpath(path, namespaces=NS)
    assert isinstance(found, list)
    assert len(found) == 1, f"{path}: {len(found)} elements"
    element = found[0]
    assert isinstance(element, etree._Element)
    return element


def elements(root: etree._Element, path: str) -> list[etree._Element]:
    """Every element at `path`, in document order."""
    found = root.xpath(path, namespaces=NS)
    assert isinstance(found, list)
    assert all(isinstance(item, etree._Element) for item in found)
    return [item for item in found if isinstance(item, etree._Element)]


def texts(root: etree._Element, path: str) -> list[str]:
    """The text of the elements (or the attribute values) at `path`, in document order."""
    found = root.xpath(path, namespaces=NS)
    assert isinstance(found, list)
    values = []
    for item in found:
        if isinstance(item, etree._Element):
            values.append(item.text or "")
        else:
            assert isinstance(item, str)
            values.append(str(item))
    return values


def attributes(element: etree._Element) -> dict[str, str]:
    """The element's attributes as a plain dict."""
    return {str(name): str(value) for name, value in element.attrib.items()}


# The Podcast Index tags beyond the first eight, each set, for the tests of the namespace.
PUBLISHER_GUID = "003af0a0-6a45-55cf-b765-68e3d349551a"
ROLL_GUID = "29cdca4a-32d8-56ba-b48b-09a011c5daa9"
MUSIC_GUID = "a94f5cc9-8c58-55fc-91fe-a324087a655b"
NODE = "02d5c1bf8b940dc9cadca86d1b0a3c37fbe39cee4c7e839e33bef9174531d27f52"
HOST_NODE = "03ae9f91a0cb8ff43840e3c322c4c61f019d8c1c3cea15a25cfc425ac605e61a4a"


def namespace_show(**changes: Any) -> Show:
    """`show()` with every Podcast Index tag of the channel set, lint-clean."""
    base = show(
        medium="podcast",
        license=License("CC-BY-4.0"),
        locations=(
            Location(
                "Austin",
                geo="geo:30.2711286,-97.7436995",
                osm="R113314",
                rel="creator",
                country="US",
            ),
            Location("Dreamworld", geo="geo:-27.8611449,153.3162701", osm="R16317988"),
        ),
        trailers=(
            Trailer(
                "Coming soon",
                "https://cdn.example.com/p/sample-show/trailer.mp3",
                NOW - 40 * DAY,
                123_456,
                "audio/mpeg",
            ),
            Trailer(
                "Season 2: the sequel",
                "https://cdn.example.com/p/sample-show/s2.mp4",
                NOW - 2 * DAY,
                type="video/mp4",
                season=2,
            ),
        ),
        txt=(Txt("S6lpp-7ZCn8-dZfGc-OoyaG", "verify"), Txt("false", "ai-content")),
        update_frequency=UpdateFrequency(
            "Every other Monday for 10 episodes",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;COUNT=10",
            starts=NOW,
        ),
        service_blocks=(ServiceBlock(True), ServiceBlock(False, "google")),
        publisher=RemoteItem(
            PUBLISHER_GUID, "https://example.com/publisher.xml", medium="publisher"
        ),
        chat=Chat("irc.zeronode.net", "irc", "@sam", "#sampleshow"),
        image_srcset=(
            ImageSource("https://cdn.example.com/p/sample-show/cover-1500.jpg", 1500),
            ImageSource("https://cdn.example.com/p/sample-show/cover-600.jpg", 600),
        ),
        values=(
            Value(
                "lightning",
                "keysend",
                (
                    ValueRecipient("node", NODE, 95, name="Sam (Podcaster)"),
                    ValueRecipient("node", HOST_NODE, 5, name="Host", fee=True),
                ),
                suggested="0.00000005000",
            ),
        ),
        social_interacts=(
            SocialInteract(
                "activitypub",
                "https://podcastindex.social/@sam/105079274766075912",
                "@sam",
                "https://podcastindex.social/@sam",
                priority=1,
            ),
        ),
        podroll=(
            RemoteItem(ROLL_GUID, "https://feeds.example.org/buzzcast.xml", title="Buzzcast"),
        ),
        live_items=(live_item(), live_item("live-ended-2024", status="ended")),
    )
    return replace(base, **changes)


def live_item(guid: str = "live-2025-01-06", /, **changes: Any) -> LiveItem:
    """A live stream with every child a live item may have, lint-clean: it starts an hour
    after NOW and lasts two (an ended one ended the same time a week earlier)."""
    ended = changes.get("status") == "ended"
    start = NOW - 7 * DAY if ended else NOW + 3600
    base = LiveItem(
        guid=guid,
        title="Live: samples, unrehearsed",
        status="pending",
        start=start,
        end=start + 7200,
        enclosure=Enclosure("https://stream.example.com/sample-show/live.mp3", 0, "audio/mpeg"),
        description="Join us & ask <anything>.",
        link="https://example.com/show/live",
        persons=(Person("Gina Guest", role="guest", href="https://example.com/gina"),),
        alternate_enclosures=(
            AlternateEnclosure(
                "application/vnd.apple.mpegurl",
                (Source("https://stream.example.com/sample-show/live.m3u8"),),
                bitrate=128_000.0,
                title="HLS",
            ),
        ),
        image_srcset=(ImageSource("https://cdn.example.com/p/sample-show/live-1500.jpg", 1500),),
        values=(Value("lightning", "keysend", (ValueRecipient("node", NODE, 100),)),),
        chat=Chat("irc.zeronode.net", "irc", "@sam", "#sampleshow-live"),
        content_links=(
            ContentLink("https://www.youtube.com/live/example", "Watch on YouTube"),
            ContentLink("https://example.com/show/live/player", "Listen in the browser"),
        ),
    )
    return replace(base, **changes)


def namespace_episode(n: int = 1, /, **changes: Any) -> Episode:
    """`episode(n)` with every Podcast Index tag of an item set, lint-clean."""
    guid = f"{n:012x}"
    media = f"https://cdn.example.com/p/sample-show/{guid}"
    base = episode(
        n,
        season_name="Origins",
        soundbites=(Soundbite(73.0, 60.0), Soundbite(1234.5, 42.25, "Why it matters")),
        locations=(Location("Birmingham Civil Rights Museum", osm="R6930627", country="US"),),
        license=License("my-podcast-license-v1", "https://example.com/license.pdf"),
        alternate_enclosures=(
            AlternateEnclosure(
                "audio/opus",
                (Source(f"{media}.opus"), Source("ipfs://QmX33FYehk6ckGQ6g1D9")),
                length=900_000,
                bitrate=96_000.0,
                title="High quality",
                lang="en-US",
                codecs="opus",
                integrity=Integrity("sri", "sha384-ExVqijgYHm15PqQqdXfW95x+Rs6C+d6E/ICxyQOeFev"),
            ),
            AlternateEnclosure(
                "audio/mpeg",
                (Source(f"{media}.mp3"), Source(f"{media}.torrent", "application/x-bittorrent")),
                length=1_000_000 + n,
                default=True,
            ),
        ),
        image_srcset=(ImageSource(f"{media}-1500.jpg", 1500),),
        txt=(Txt("true", "ai-content"),),
        chat=Chat("example.com", "matrix", "@sam:example.com", "#episode:example.com"),
        values=(
            Value(
                "lightning",
                "keysend",
                (ValueRecipient("node", NODE, 100),),
                time_splits=(
                    ValueTimeSplit(
                        60.0,
                        237.0,
                        remote_item=RemoteItem(
                            MUSIC_GUID,
                            item_guid="https://podcastindex.org/podcast/4148683#1",
                            medium="music",
                        ),
                        remote_percentage=95,
                    ),
                    ValueTimeSplit(
                        400.0,
                        30.5,
                        (ValueRecipient("lnaddress", "gina@example.com", 10, name="Gina (Guest)"),),
                        remote_start_time=12.0,
                    ),
                ),
            ),
        ),
        social_interacts=(SocialInteract("disabled"),),
        content_links=(ContentLink("https://www.youtube.com/watch?v=example", "On YouTube"),),
    )
    return replace(base, **changes)
