"""The `podcast:` tags of the Podcast Index namespace (https://podcastindex.org/namespace/1.0).

Channel: `podcast:guid` (from `feeds.guid`), `podcast:locked` (`yes`/`no`, with the owner's
email), `podcast:funding`, `podcast:person`, then the tags of `_podcast_tags.channel_tags`,
written here as a feedgen extension. Item: `podcast:season` (with its `name`),
`podcast:episode`, `podcast:transcript`, `podcast:chapters`, `podcast:person` and the tags of
`_podcast_tags.item_tags`, written with the rest of each item in `_items`. Optional attributes are
written only when set, so a podcatcher applies the namespace's defaults (a person without a
role is a host; a transcript without a language is in the feed's language).
"""

from __future__ import annotations

from collections.abc import Mapping

from lxml import etree

from feeds._namespaces import PODCAST, podcast
from feeds._podcast_tags import Tag, channel_tags
from feeds._text import writable
from feeds.guid import podcast_guid
from feeds.model import Person, Show

__all__ = ["PodcastChannel"]


def _tag(
    parent: etree._Element,
    name: str,
    text: str | None = None,
    attributes: Mapping[str, str | None] | None = None,
) -> etree._Element:
    present = {key: writable(value) for key, value in (attributes or {}).items() if value}
    element = etree.SubElement(parent, podcast(name), attrib=present)
    if text is not None:
        element.text = writable(text)
    return element


def _element(parent: etree._Element, tag: Tag) -> None:
    if tag.prefix:
        element = _tag(parent, tag.name, tag.text, dict(tag.attributes))
    else:  # RSS's own elements, inside a live item
        present = {key: writable(value) for key, value in tag.attributes if value}
        element = etree.SubElement(parent, tag.name, attrib=present)
        if tag.text is not None:
            element.text = writable(tag.text)
    for child in tag.children:
        _element(element, child)


def _persons(parent: etree._Element, persons: tuple[Person, ...]) -> None:
    for person in persons:
        _tag(
            parent,
            "person",
            person.name,
            {"role": person.role, "group": person.group, "img": person.img, "href": person.href},
        )


class PodcastChannel:
    """The channel's `podcast:` tags."""

    def __init__(self, show: Show) -> None:
        self._show = show

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST}

    def extend_rss(self, element: etree._Element) -> etree._Element:
        show = self._show
        channel = element.find("channel")
        assert channel is not None  # feedgen always writes one
        _tag(channel, "guid", show.podcast_guid or podcast_guid(show.feed_url))
        owner = show.locked_owner or (show.owner.email if show.owner else None)
        _tag(channel, "locked", "yes" if show.locked else "no", {"owner": owner})
        for funding in show.funding:
            _tag(channel, "funding", funding.title, {"url": funding.url})
        _persons(channel, show.persons)
        for tag in channel_tags(show):
            _element(channel, tag)
        return element

    def extend_atom(self, element: etree._Element) -> etree._Element:
        return element
