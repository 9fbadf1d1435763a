"""feedgen, wrapped so that the rest of `feeds` never touches it.

feedgen builds the RSS 2.0 core (channel, items, `atom:link rel="self"`, enclosures, GUIDs,
dates) and calls extensions for everything else. Its habits that a deterministic build cannot
keep are all handled here:

- It stamps `lastBuildDate` (and Atom's `updated`) with the clock when it constructs a feed
  or an entry. Atom is never rendered, and `lastBuildDate` is always replaced by the date
  given here (or left out when there is none), so the clock never reaches the output.
- It prepends entries by default, and holds every entry object until the end: here feedgen
  writes the channel, then builds each item (`FeedEntry.rss_entry`) which goes straight
  into the document, in the order given.
- It escapes the channel and item descriptions instead of putting them in CDATA: a small
  extension of our own swaps the text for a CDATA section after feedgen wrote it.
- It uses one method to get and to set, untyped; this module offers typed values instead.

Extensions are registered on the feed for the `<channel>` and on each entry for its `<item>`,
through feedgen's own hooks (`register_extension`, `extend_ns`, `extend_rss`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from feedgen.entry import FeedEntry  # type: ignore[import-untyped]
from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]
from lxml import etree

from feeds._namespaces import ATOM, CONTENT

__all__ = ["ChannelCore", "Extension", "ItemCore", "build_rss"]

_CORE = "podops_core"
# Reads back the channel feedgen wrote: CDATA kept, indentation dropped so that the final
# serialisation indents channel and items alike; nothing fetched, no entity expanded.
_PARSER = etree.XMLParser(
    strip_cdata=False, remove_blank_text=True, resolve_entities=False, no_network=True
)


class Extension(Protocol):
    """What feedgen calls on an extension object while it writes a feed."""

    def extend_ns(self) -> dict[str, str]:
        """Prefix → namespace URI, declared on the root element."""
        ...

    def extend_rss(self, element: etree._Element) -> etree._Element:
        """Add to `<rss>` (a channel extension) or to one `<item>` (an entry extension)."""
        ...

    def extend_atom(self, element: etree._Element) -> etree._Element:
        """Add to an Atom feed; never called, since only RSS is rendered."""
        ...


@dataclass(frozen=True, slots=True)
class ChannelCore:
    """The RSS 2.0 channel elements, with dates in Unix seconds."""

    title: str
    link: str
    description_html: str
    feed_url: str
    language: str
    generator: str
    copyright: str | None
    image_url: str | None
    last_build: int | None
    published: int | None


@dataclass(frozen=True, slots=True)
class EnclosureCore:
    """`<enclosure url length type>`."""

    url: str
    length: int
    type: str


@dataclass(frozen=True, slots=True)
class ItemCore:
    """The RSS 2.0 item elements. The GUID is never a permalink."""

    guid: str
    title: str
    link: str | None
    description_html: str
    enclosure: EnclosureCore | None
    published: int


def build_rss(
    channel: ChannelCore,
    channel_extensions: Sequence[tuple[str, Extension]],
    items: Iterable[tuple[ItemCore, Sequence[tuple[str, Extension]]]],
) -> bytes:
    """The feed as UTF-8 bytes: `channel`, its extensions, then `items` in the order given.

    Extension names must be unique; each extension's `extend_rss` runs after feedgen wrote
    the core elements it extends, in the order given.
    """
    generator = FeedGenerator()
    _set_channel(generator, channel)
    generator.register_extension(
        _CORE, _factory(_ChannelFixes(channel)), extension_class_entry=None, atom=False
    )
    for name, extension in channel_extensions:
        generator.register_extension(
            name, _factory(extension), extension_class_entry=None, atom=False
        )
    # feedgen would keep every entry object alive until it serialises the whole feed (about
    # 180 MB more for 50,000 episodes). So feedgen writes the channel alone, then builds each
    # item, which moves into the document at once while its entry object is dropped.
    root = etree.fromstring(generator.rss_str(encoding="UTF-8"), _PARSER)
    feed_channel = root.find("channel")
    assert feed_channel is not None  # feedgen always writes one
    for item, item_extensions in items:
        feed_channel.append(_item_element(item, item_extensions))
    result: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)
    return result


def _factory(extension: Extension) -> Callable[[], Extension]:
    # feedgen instantiates extension classes itself; a factory hands it a prepared object.
    return lambda: extension


def _when(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def _set_channel(fg: FeedGenerator, channel: ChannelCore) -> None:
    fg.title(channel.title)
    # feedgen takes the RSS <link> from the last link given and atom:link from the "self" one.
    fg.link(href=channel.feed_url, rel="self", type="application/rss+xml")
    fg.link(href=channel.link, rel="alternate")
    # Replaced by CDATA in _ChannelFixes; feedgen refuses an empty description.
    fg.description(channel.description_html or " ")
    fg.language(channel.language)
    fg.generator(channel.generator)
    if channel.copyright:
        fg.copyright(channel.copyright)
    if channel.image_url:
        fg.image(url=channel.image_url, title=channel.title, link=channel.link)
    if channel.published is not None:
        fg.pubDate(_when(channel.published))
    # Always overwrite the clock reading taken by FeedGenerator(); left out when None.
    fg.lastBuildDate(_when(channel.last_build or 0))


def _item_element(item: ItemCore, extensions: Sequence[tuple[str, Extension]]) -> etree._Element:
    entry: FeedEntry = FeedEntry()
    entry.title(item.title)
    if item.link:
        entry.link(href=item.link)
    entry.guid(item.guid, permalink=False)
    entry.description(item.description_html)
    entry.content(item.description_html, type="CDATA")
    if item.enclosure is not None:
        entry.enclosure(item.enclosure.url, str(item.enclosure.length), item.enclosure.type)
    entry.pubDate(_when(item.published))
    entry.register_extension(_CORE, _factory(_ItemFixes(item)), atom=False)
    for name, extension in extensions:
        entry.register_extension(name, _factory(extension), atom=False)
    element: etree._Element = entry.rss_entry()
    return element


class _ChannelFixes:
    """Corrects feedgen's channel: description in CDATA, no clock-made `lastBuildDate`."""

    def __init__(self, channel: ChannelCore) -> None:
        self._channel = channel

    def extend_ns(self) -> dict[str, str]:
        return {"atom": ATOM, "content": CONTENT}

    def extend_rss(self, element: etree._Element) -> etree._Element:
        channel = element.find("channel")
        assert channel is not None  # feedgen always writes one
        description = channel.find("description")
        assert description is not None  # feedgen refuses a channel without one
        description.text = etree.CDATA(self._channel.description_html)
        if self._channel.last_build is None:
            last_build = channel.find("lastBuildDate")
            if last_build is not None:
                channel.remove(last_build)
        return element

    def extend_atom(self, element: etree._Element) -> etree._Element:
        return element


class _ItemFixes:
    """Corrects feedgen's item: description in CDATA, as `content:encoded` already is."""

    def __init__(self, item: ItemCore) -> None:
        self._item = item

    def extend_ns(self) -> dict[str, str]:
        return {}

    def extend_rss(self, element: etree._Element) -> etree._Element:
        description = element.find("description")
        if description is not None:
            description.text = etree.CDATA(self._item.description_html)
        return element

    def extend_atom(self, element: etree._Element) -> etree._Element:
        return element
