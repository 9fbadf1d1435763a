"""Paged feeds (RFC 5005 §3): the newest episodes in the main feed, the rest on archive pages.

A 10,000-episode catalogue makes a 7.5 MB feed that every podcatcher downloads again each time
it polls. With paging, the main feed carries the newest `size` episodes and links to archive
pages of `size` episodes each, which apps that read them (the Podcast Index, AntennaPod,
feedparser's callers) follow to fill in the back catalogue:

    main feed    first → itself, last → page 1, next (and prev-archive) → the newest page
    page k       first → main feed, last → page 1, previous → page k+1 (or the main feed),
                 next (and prev-archive) → page k-1; page 1, the oldest, has no next

Pages are numbered from the oldest episode, so publishing an episode moves one episode from
the main feed onto the newest page and leaves the older pages as they were, byte for byte:
a page's `lastBuildDate` is its own newest episode's date, never the show's. Apple reads the
main document only, so paging is off unless the show asks for it.

`paginate` only splits and links; `render` writes each page with its links.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from feeds.guid import podcast_guid
from feeds.model import Episode, Show
from feeds.schedule import published_episodes

__all__ = ["Link", "Page", "page_show", "paginate"]

Link = tuple[str, str]
"""An `atom:link` of a page: (rel, href)."""


@dataclass(frozen=True, slots=True)
class Page:
    """One document of a paged feed: `number` 0 is the main feed, 1 the oldest archive page.
    `episodes` are newest first; `links` go beside the self link, in order."""

    number: int
    url: str
    episodes: tuple[Episode, ...]
    links: tuple[Link, ...]


def paginate(
    episodes: Iterable[Episode],
    *,
    now: int,
    size: int,
    feed_url: str,
    page_url: Callable[[int], str],
) -> list[Page]:
    """The main feed and its archive pages, main feed first then from the newest page.

    The episodes published at `now` are split: the newest `size` into the main feed, the
    others `size` to a page from the oldest (the newest page may hold fewer). A show with no
    more than `size` episodes has one page without links. `page_url(k)` is page k's URL.
    ValueError when `size` is below 1.
    """
    if size < 1:
        raise ValueError(f"a page holds at least one episode, not {size}")
    visible = published_episodes(episodes, now)
    main, archived = visible[:size], visible[size:]
    if not archived:
        return [Page(0, feed_url, tuple(main), ())]
    oldest_first = archived[::-1]
    chunks = [oldest_first[start : start + size] for start in range(0, len(archived), size)]
    count = len(chunks)
    last = page_url(1)
    newest = page_url(count)
    pages = [Page(0, feed_url, tuple(main), _links(feed_url, last, older=newest, newer=None))]
    for number in range(count, 0, -1):
        older = page_url(number - 1) if number > 1 else None
        newer = page_url(number + 1) if number < count else feed_url
        pages.append(
            Page(
                number,
                page_url(number),
                tuple(chunks[number - 1][::-1]),
                _links(feed_url, last, older=older, newer=newer),
            )
        )
    return pages


def _links(first: str, last: str, *, older: str | None, newer: str | None) -> tuple[Link, ...]:
    links: list[Link] = [("first", first), ("last", last)]
    if newer is not None:
        links.append(("previous", newer))
    if older is not None:
        # RFC 5005 §3's paged "next", and §4's "prev-archive" for readers of archived feeds.
        links += [("next", older), ("prev-archive", older)]
    return tuple(links)


def page_show(show: Show, page: Page) -> Show:
    """`show` as page `page` presents it: the main feed as it is; an archive page with its own
    self link, the show's `podcast:guid` and link, no WebSub hubs, and the date of its own
    newest episode as `lastBuildDate` (so that a page nobody changed keeps its bytes)."""
    if page.number == 0:
        return show
    return replace(
        show,
        feed_url=page.url,
        podcast_guid=show.podcast_guid or podcast_guid(show.feed_url),
        link=show.link or show.feed_url,
        updated=None,
        hubs=(),
    )
