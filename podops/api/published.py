"""What a published public feed says, read back for the show page (`podops.api.show_page`).

The page shows what the last build published, never drafts: it reads the stored feed, which
holds only public episodes (premium ones are in the private feed alone), newest first. The
feed is read as a stream and left as soon as the wanted episodes are in hand, so the first
page of a 10,000-episode show costs the channel and a few dozen items, not 26 MB of XML.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from lxml import etree

# The namespaces every feed `feeds.render` writes declares (feeds keeps its own copy private).
ATOM = "http://www.w3.org/2005/Atom"
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
_CHANNEL_FIELDS = {"title", "link", "description", f"{{{ITUNES}}}image", f"{{{ATOM}}}link"}


@dataclass(frozen=True, slots=True)
class PublishedEpisode:
    title: str
    published: str  # pubDate as the feed has it (RFC 2822)
    notes_html: str
    audio_url: str | None
    audio_type: str
    duration: str | None
    link: str | None


@dataclass(slots=True)
class PublishedShow:
    title: str = ""
    link: str | None = None
    description_html: str = ""
    image_url: str | None = None
    feed_url: str | None = None
    # A paged feed's older episodes live in its archive pages (RFC 5005), linked from it.
    archive_url: str | None = None
    episodes: list[PublishedEpisode] = field(default_factory=list)
    # Whether the feed has episodes after the ones read.
    more: bool = False


class Readable(Protocol):
    """What the feed is read from: a storage object's stream, a file."""

    def read(self, size: int = -1, /) -> bytes: ...


def read_published(stream: Readable, *, skip: int, count: int) -> PublishedShow:
    """The channel of the feed in `stream` and its episodes `skip` to `skip + count`."""
    show = PublishedShow()
    seen = 0
    for element in _ends(stream):
        tag = element.tag
        if tag == "item":
            if seen >= skip + count:
                show.more = True
                break
            if seen >= skip:
                show.episodes.append(_episode(element))
            seen += 1
            # Items read are dropped from the tree, so memory stays flat however deep the page.
            element.clear()
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]
        elif tag in _CHANNEL_FIELDS and _parent_tag(element) == "channel":
            _channel_field(show, element)
    return show


def _ends(stream: Readable) -> Iterator[etree._Element]:
    # The feed is our own build's, but read as any XML should be: no entity expanded, nothing
    # fetched.
    return (
        element
        for _event, element in etree.iterparse(
            stream, events=("end",), resolve_entities=False, no_network=True, huge_tree=True
        )
    )


def _parent_tag(element: etree._Element) -> str | None:
    parent = element.getparent()
    return None if parent is None else str(parent.tag)


def _channel_field(show: PublishedShow, element: etree._Element) -> None:
    tag, text = element.tag, (element.text or "").strip()
    if tag == "title":
        show.title = text
    elif tag == "link":
        show.link = text or None
    elif tag == "description":
        show.description_html = text
    elif tag == f"{{{ITUNES}}}image":
        show.image_url = element.get("href")
    elif element.get("rel") == "self":
        show.feed_url = element.get("href")
    elif element.get("rel") == "prev-archive":
        show.archive_url = element.get("href")


def _episode(item: etree._Element) -> PublishedEpisode:
    enclosure = item.find("enclosure")
    return PublishedEpisode(
        title=item.findtext("title", "").strip(),
        published=item.findtext("pubDate", "").strip(),
        notes_html=item.findtext("description", "").strip(),
        audio_url=None if enclosure is None else enclosure.get("url"),
        audio_type="" if enclosure is None else enclosure.get("type", ""),
        duration=item.findtext(f"{{{ITUNES}}}duration"),
        link=item.findtext("link"),
    )
