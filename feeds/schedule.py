"""Which episodes a feed shows at a given moment, in which order, and when that next changes.

`now` is always passed in: this package never reads the clock, so the same data and the same
`now` give the same feed.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter

from feeds.model import Episode

__all__ = ["next_release", "published_episodes"]

_PUBLISHED = attrgetter("published")
_GUID = attrgetter("guid")


def published_episodes(episodes: Iterable[Episode], now: int) -> list[Episode]:
    """The episodes published at or before `now`, newest first.

    Ordered by (published, guid), both descending, whatever the input order, so that two
    episodes published in the same second keep a stable order from build to build.
    """
    visible = [episode for episode in episodes if episode.published <= now]
    # The order of one stable sort on (published, guid), without a key tuple per episode:
    # thousands of those at once would wake the garbage collector in the middle of a build.
    visible.sort(key=_PUBLISHED, reverse=True)
    if len({episode.published for episode in visible}) < len(visible):
        _order_ties_by_guid(visible)
    return visible


def _order_ties_by_guid(episodes: list[Episode]) -> None:
    """Put each run of episodes published in the same second in descending GUID order."""
    start, count = 0, len(episodes)
    while start < count:
        end, published = start + 1, episodes[start].published
        while end < count and episodes[end].published == published:
            end += 1
        if end - start > 1:
            episodes[start:end] = sorted(episodes[start:end], key=_GUID, reverse=True)
        start = end


def next_release(episodes: Iterable[Episode], now: int) -> int | None:
    """When the next scheduled episode goes out (the feed must be rebuilt then), or None."""
    return min((e.published for e in episodes if e.published > now), default=None)
