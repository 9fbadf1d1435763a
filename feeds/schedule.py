"""Which episodes a feed shows at a given moment, in which order, and when that next changes.

`now` is always passed in: this package never reads the clock, so the same data and the same
`now` give the same feed.
"""

from __future__ import annotations

from collections.abc import Iterable

from feeds.model import Episode

__all__ = ["next_release", "published_episodes"]


def published_episodes(episodes: Iterable[Episode], now: int) -> list[Episode]:
    """The episodes published at or before `now`, newest first.

    Ordered by (published, guid), both descending, whatever the input order, so that two
    episodes published in the same second keep a stable order from build to build.
    """
    visible = [episode for episode in episodes if episode.published <= now]
    visible.sort(key=lambda episode: (episode.published, episode.guid), reverse=True)
    return visible


def next_release(episodes: Iterable[Episode], now: int) -> int | None:
    """When the next scheduled episode goes out (the feed must be rebuilt then), or None."""
    return min((e.published for e in episodes if e.published > now), default=None)
