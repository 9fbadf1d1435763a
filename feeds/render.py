"""`render`: a show and its episodes → the RSS feed, as UTF-8 bytes.

The feed is RSS 2.0 with the `itunes`, `podcast`, `atom` and `content` namespaces. It is
deterministic: the same show, episodes and `now` give byte-identical output, whatever order the
episodes come in, since `lastBuildDate` is derived from the data (the newest of the published
episodes' dates and `Show.updated`) and never from the clock.

`render` does not judge the data; `lint` does, and the service publishes only what passed it.
Render still turns almost anything into a well-formed feed: characters XML cannot carry are
left out and a missing show link falls back to the feed URL. It refuses (RenderError) a show
without a title, which RSS cannot express, and a published episode without a GUID, since
podcast apps would then key the episode on its media URL.

The channel is written by feedgen with our extensions (`_feedgen`, `_itunes`, `_podcastindex`),
each item by `_items`. What a build costs is mostly its items: the service passes the notes
already rendered as HTML (`Episode.notes_html`), so no Markdown is converted during a build,
and an `ItemCache` kept between builds means only new or changed items are written again.
`render_to` writes the same bytes to a file as they are made, for shows so large that the
feed itself is a good part of a worker's memory.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from typing import Protocol

from feeds._feedgen import ChannelCore, Extension, channel_xml
from feeds._items import item_xml
from feeds._itunes import ItunesChannel
from feeds._podcastindex import PodcastChannel
from feeds._text import cdata_content, writable
from feeds.cache import ItemCache
from feeds.markup import markdown_to_html
from feeds.model import Episode, Show
from feeds.paging import Link
from feeds.schedule import published_episodes

__all__ = ["GENERATOR", "Output", "RenderError", "render", "render_to"]

# No version number: a deploy alone must not change every feed's bytes.
GENERATOR = "podops"


class RenderError(ValueError):
    """The data lacks something no feed can be rendered without (see `render`)."""


class Output(Protocol):
    """Where `render_to` writes: a binary file, a hash, anything with `write(bytes)`."""

    def write(self, data: bytes, /) -> object:
        """Take the next piece of the feed."""
        ...


def render(
    show: Show,
    episodes: Iterable[Episode],
    *,
    now: int,
    cache: ItemCache | None = None,
    links: Sequence[Link] = (),
    stylesheet: str | None = None,
) -> bytes:
    """Render the feed of `show` as it stands at `now` (Unix seconds).

    Episodes published after `now` are left out; `feeds.schedule.next_release` says when the
    feed should be rendered again. Items are ordered newest first. Raises RenderError when the
    show has no title or a published episode has no GUID. With a `cache`, the items of
    episodes unchanged since an earlier render are taken from it (the bytes are the same).
    `links` are a paged feed's `atom:link`s to its other pages (`feeds.paging.Page.links`).
    `stylesheet` is the URL of an XSL stylesheet that a browser opening the feed applies
    (an `xml-stylesheet` processing instruction); podcast apps ignore it.
    """
    head, items, tail = _pieces(show, episodes, now, cache, links, stylesheet)
    if isinstance(items, list):
        # All in memory already (the cache holds them): one copy, sized beforehand.
        return b"".join([head, *items, tail])
    # Items written one at a time go into one growing buffer and are dropped; the buffer
    # becomes the result without a copy, so the feed is never held twice.
    feed = io.BytesIO()
    _write(feed, head, items, tail)
    return feed.getvalue()


def render_to(
    show: Show,
    episodes: Iterable[Episode],
    output: Output,
    *,
    now: int,
    cache: ItemCache | None = None,
    links: Sequence[Link] = (),
    stylesheet: str | None = None,
) -> int:
    """Write the feed `render` would return to `output`, a piece at a time; return its size.

    For the largest shows: the whole feed is never in memory (without a cache, one item at a
    time is). RenderError is raised before anything is written; should anything else go
    wrong, what was written is a partial feed, so write to a temporary file and publish it
    only once this returns.
    """
    head, items, tail = _pieces(show, episodes, now, cache, links, stylesheet)
    return _write(output, head, items, tail)


def _write(output: Output, head: bytes, items: Iterable[bytes], tail: bytes) -> int:
    output.write(head)
    size = len(head) + len(tail)
    for item in items:
        output.write(item)
        size += len(item)
    output.write(tail)
    return size


def _pieces(
    show: Show,
    episodes: Iterable[Episode],
    now: int,
    cache: ItemCache | None,
    links: Sequence[Link],
    stylesheet: str | None = None,
) -> tuple[bytes, Iterable[bytes], bytes]:
    """What comes before the items, the items (a list when cached), what comes after."""
    title = writable(show.title).strip()
    if not title:
        raise RenderError("show.title is empty: a feed cannot be rendered without a title")
    episodes = list(episodes)
    # isalnum() is the quick yes: letters and digits are all writable and not blank.
    for index, episode in enumerate(episodes):
        if episode.guid.isalnum() or episode.published > now:
            continue
        if not writable(episode.guid).strip():
            raise RenderError(
                f"episodes[{index}].guid is empty: an item without a GUID would be keyed on "
                "its media URL by podcast apps"
            )
    visible = published_episodes(episodes, now)
    newest = visible[0].published if visible else None
    dates = [date for date in (newest, show.updated) if date is not None]
    link = writable(show.link or show.feed_url)
    summary = show.summary_html
    channel = ChannelCore(
        title=title,
        link=link,
        description_html=cdata_content(
            markdown_to_html(show.summary_markdown) if summary is None else summary
        ),
        feed_url=writable(show.feed_url),
        language=writable(show.language),
        generator=GENERATOR,
        copyright=writable(show.copyright) if show.copyright else None,
        image_url=writable(show.image.url) if show.image else None,
        last_build=max(dates) if dates else None,
        published=newest,
        hubs=tuple(writable(hub) for hub in show.hubs),
        page_links=tuple((rel, writable(href)) for rel, href in links),
    )
    channel_extensions: list[tuple[str, Extension]] = [
        ("podops_itunes", ItunesChannel(show)),
        ("podops_podcast", PodcastChannel(show)),
    ]
    head, tail = channel_xml(channel, channel_extensions)
    if stylesheet is not None:
        head = _with_stylesheet(head, stylesheet)
    # Without a cache each item is written, copied out and dropped, one at a time.
    items = map(item_xml, visible) if cache is None else cache._items(visible)
    return head, items, tail


_STYLESHEET_HREF = re.compile(r"[^\s\"<>&?]+")


def _with_stylesheet(head: bytes, href: str) -> bytes:
    """`head` with an `xml-stylesheet` processing instruction right after the XML declaration
    (where browsers look for it). Only a plain URL is written: no quote or markup can end the
    instruction early."""
    if not _STYLESHEET_HREF.fullmatch(href):
        raise ValueError(f"not a plain stylesheet URL: {href!r}")
    declaration, newline, rest = head.partition(b"\n")
    instruction = f'<?xml-stylesheet type="text/xsl" href="{href}"?>'.encode()
    return declaration + newline + instruction + b"\n" + rest
