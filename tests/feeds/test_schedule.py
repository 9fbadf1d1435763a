"""Which episodes are in the feed at a moment, in which order, and when that changes."""

from __future__ import annotations

import random

import pytest

from feeds import next_release, published_episodes
from tests.feeds import samples
from tests.feeds.samples import DAY, NOW


def test_published_episodes_are_newest_first_and_due_ones_only() -> None:
    episodes = [
        samples.episode(2),
        samples.episode(9, published=NOW + 1),
        samples.episode(1),
        samples.episode(3, published=NOW),
    ]
    assert [e.guid for e in published_episodes(episodes, NOW)] == [
        samples.episode(3).guid,
        samples.episode(2).guid,
        samples.episode(1).guid,
    ]


def test_ties_are_broken_by_guid_whatever_the_input_order() -> None:
    same = [samples.episode(n, published=NOW) for n in (2, 3, 1)]
    orders = {tuple(e.guid for e in published_episodes(list(p), NOW)) for p in (same, same[::-1])}
    assert len(orders) == 1


def test_next_release_is_the_earliest_scheduled_episode() -> None:
    episodes = [
        samples.episode(1),
        samples.episode(2, published=NOW + 2 * DAY),
        samples.episode(3, published=NOW + DAY),
    ]
    assert next_release(episodes, NOW) == NOW + DAY
    assert next_release(episodes, NOW + DAY) == NOW + 2 * DAY
    assert next_release(episodes, NOW + 2 * DAY) is None
    assert next_release([], NOW) is None


@pytest.mark.parametrize("seed", range(5))
def test_the_order_is_one_sort_on_date_then_guid(seed: int) -> None:
    # Many episodes share a second and some share a GUID: newest first, then the greatest
    # GUID, and the input order between episodes equal in both.
    rng = random.Random(seed)
    episodes = [
        samples.episode(
            rng.randint(1, 30), published=NOW - rng.randint(0, 5) * DAY, title=f"copy {index}"
        )
        for index in range(200)
    ]
    expected = sorted(episodes, key=lambda e: (e.published, e.guid), reverse=True)
    assert published_episodes(episodes, NOW) == expected
