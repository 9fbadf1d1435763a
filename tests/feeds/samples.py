"""A complete, lint-clean show and episodes to build tests from (change one field each)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lxml import etree

from feeds import (
    Category,
    Chapters,
    Enclosure,
    Episode,
    EpisodeType,
    Funding,
    Image,
    Owner,
    Person,
    Show,
    Transcript,
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
