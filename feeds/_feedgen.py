"""feedgen, wrapped so that the rest of `feeds` never touches it.

feedgen builds the RSS 2.0 channel (`atom:link rel="self"`, image, dates) and calls our
extensions for everything else in it. Its habits that a deterministic build cannot keep are
all handled here:

- It stamps `lastBuildDate` (and Atom's `updated`) with the clock when it constructs a feed.
  Atom is never rendered, and `lastBuildDate` is always replaced by the date given here (or
  left out when there is none), so the clock never reaches the output.
- It escapes the channel description instead of putting it in CDATA: a small extension of
  our own swaps the text for a CDATA section after feedgen wrote it.
- It uses one method to get and to set, untyped; this module offers typed values instead.

Items do not go through feedgen (see `_items` for why): this module writes the document
without them, and gives it back in two pieces, to be written before and after the items.

Extensions are registered on the feed for the `<channel>` through feedgen's own hooks
(`register_extension`, `extend_ns`, `extend_rss`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]
from lxml import etree

from feeds._namespaces import ATOM, CONTENT, ITUNES, PODCAST

__all__ = ["ChannelCore", "Extension", "channel_xml"]

_CORE = "podops_core"
_CLOSING = b"  </channel>\n</rss>\n"
# Reads back the channel feedgen wrote: CDATA kept, indentation dropped so that lxml indents
# the whole document afresh; nothing fetched, no entity expanded.
_PARSER = etree.XMLParser(
    strip_cdata=False, remove_blank_text=True, resolve_entities=False, no_network=True
)


class Extension(Protocol):
    """What feedgen calls on an extension object while it writes a feed."""

    def extend_ns(self) -> dict[str, str]:
        """Prefix → namespace URI, declared on the root element."""
        ...

    def extend_rss(self, element: etree._Element) -> etree._Element:
        """Add to `<rss>`, after feedgen wrote its channel."""
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
    hubs: tuple[str, ...] = ()
    # A paged feed's other pages (`feeds.paging`): (rel, href) after the hubs.
    page_links: tuple[tuple[str, str], ...] = ()


def channel_xml(
    channel: ChannelCore, channel_extensions: Sequence[tuple[str, Extension]]
) -> tuple[bytes, bytes]:
    """The feed around its items, as UTF-8 bytes: everything before them, everything after.

    The items go between the two, each the UTF-8 bytes of one `<item>` element indented for
    its place (`_items`), in order. Extension names must be unique; each extension's
    `extend_rss` runs after feedgen wrote the core elements it extends, in the order given.
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
    root = etree.fromstring(generator.rss_str(encoding="UTF-8"), _PARSER)
    document = etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)
    # The channel always has elements (feedgen requires a title), so lxml wrote its end tag
    # on a line of its own: the items go just before it, at the indentation lxml would use.
    assert document.endswith(_CLOSING), document[-40:]
    return document[: -len(_CLOSING)], _CLOSING


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


class _ChannelFixes:
    """Corrects feedgen's channel: description in CDATA, no clock-made `lastBuildDate`."""

    def __init__(self, channel: ChannelCore) -> None:
        self._channel = channel

    def extend_ns(self) -> dict[str, str]:
        # Items are written as text with these prefixes: the root declares them all, always.
        return {"atom": ATOM, "content": CONTENT, "itunes": ITUNES, "podcast": PODCAST}

    def extend_rss(self, element: etree._Element) -> etree._Element:
        channel = element.find("channel")
        assert channel is not None  # feedgen always writes one
        description = channel.find("description")
        assert description is not None  # feedgen refuses a channel without one
        description.text = etree.CDATA(self._channel.description_html)
        # WebSub (W3C, §4): beside the self link, the hubs a subscriber may use; then the
        # links to a paged feed's other pages (RFC 5005).
        added = [("hub", hub) for hub in self._channel.hubs] + list(self._channel.page_links)
        if added:
            self_link = channel.find(f"{{{ATOM}}}link")
            assert self_link is not None  # feedgen writes the self link first
            for rel, href in reversed(added):  # each goes right after the self link
                self_link.addnext(etree.Element(f"{{{ATOM}}}link", href=href, rel=rel))
        if self._channel.last_build is None:
            last_build = channel.find("lastBuildDate")
            if last_build is not None:
                channel.remove(last_build)
        return element

    def extend_atom(self, element: etree._Element) -> etree._Element:
        return element
