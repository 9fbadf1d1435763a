"""The channel's `itunes:` tags, as Apple Podcasts reads them today (the items' are written
with the rest of each item, in `_items`, by the same rules).

Written as our own feedgen extension because feedgen's podcast extension is out of date:
it only allows `yes`/`no`/`clean` for `itunes:explicit` (Apple wants `true`/`false`) and it
refuses `.jpeg` artwork. Apple's rules kept here: `itunes:type` and `itunes:episodeType` in
lower case; `itunes:block` and `itunes:complete` written only as `Yes` (any other value is
read as "no", so "no" is said by leaving the tag out); `itunes:duration` in whole seconds;
one `itunes:category` per category, its subcategory nested inside, in the show's order.
"""

from __future__ import annotations

from lxml import etree

from feeds._namespaces import ITUNES, itunes
from feeds._text import writable
from feeds.model import Show

__all__ = ["ItunesChannel", "whole_seconds"]


def _text(parent: etree._Element, name: str, value: str) -> etree._Element:
    element = etree.SubElement(parent, itunes(name))
    element.text = writable(value)
    return element


def _boolean(value: bool) -> str:
    return "true" if value else "false"


def whole_seconds(duration: float) -> int:
    """A probed duration rounded to the nearest second, halves up (never negative)."""
    return max(0, int(duration + 0.5))


class ItunesChannel:
    """The channel's `itunes:` tags."""

    def __init__(self, show: Show) -> None:
        self._show = show

    def extend_ns(self) -> dict[str, str]:
        return {"itunes": ITUNES}

    def extend_rss(self, element: etree._Element) -> etree._Element:
        show = self._show
        channel = element.find("channel")
        assert channel is not None  # feedgen always writes one
        if show.author:
            _text(channel, "author", show.author)
        if show.owner is not None:
            owner = etree.SubElement(channel, itunes("owner"))
            _text(owner, "name", show.owner.name)
            _text(owner, "email", show.owner.email)
        if show.image is not None:
            etree.SubElement(channel, itunes("image"), attrib={"href": writable(show.image.url)})
        for category in show.categories:
            outer = etree.SubElement(
                channel, itunes("category"), attrib={"text": writable(category.name)}
            )
            if category.subcategory:
                etree.SubElement(
                    outer, itunes("category"), attrib={"text": writable(category.subcategory)}
                )
        _text(channel, "explicit", _boolean(show.explicit))
        _text(channel, "type", show.type.value)
        if show.block:
            _text(channel, "block", "Yes")
        if show.complete:
            _text(channel, "complete", "Yes")
        if show.new_feed_url:
            _text(channel, "new-feed-url", show.new_feed_url)
        return element

    def extend_atom(self, element: etree._Element) -> etree._Element:
        return element
