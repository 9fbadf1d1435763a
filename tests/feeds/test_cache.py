"""`ItemCache`: a rebuild with a cache gives exactly what a build without one gives."""

from __future__ import annotations

import copy
import threading
from dataclasses import replace

import pytest

from feeds import (
    Chapters,
    Enclosure,
    Episode,
    Image,
    ItemCache,
    LintReport,
    Person,
    Show,
    ShowType,
    Transcript,
    lint,
    render,
)
from tests.feeds import samples
from tests.feeds.samples import DAY, NOW


def build(
    show: Show, episodes: list[Episode], cache: ItemCache | None, now: int = NOW
) -> tuple[LintReport, bytes]:
    """What the service does: lint, then render, on the same episodes."""
    return lint(show, episodes, now=now, cache=cache), render(show, episodes, now=now, cache=cache)


def fresh(episodes: list[Episode]) -> list[Episode]:
    """Equal episodes in new objects, as read again from the database."""
    return copy.deepcopy(episodes)


def assert_same_as_uncached(
    show: Show, episodes: list[Episode], cache: ItemCache, now: int = NOW
) -> None:
    assert build(show, episodes, cache, now) == build(show, episodes, None, now)
    # What the cache says it holds is what its entries hold.
    assert cache.nbytes == sum(entry.size for entry in cache._entries.values())


def test_a_cold_and_a_warm_cache_give_the_uncached_bytes() -> None:
    show, episodes, cache = samples.show(), samples.episodes(20), ItemCache()
    assert_same_as_uncached(show, episodes, cache)
    assert cache.misses == 40  # 20 items and 20 lint results, made once
    assert_same_as_uncached(show, fresh(episodes), cache)
    assert (cache.hits, cache.misses) == (40, 40)
    assert len(cache) == 20


def test_adding_an_episode_makes_only_that_one() -> None:
    show, episodes, cache = samples.show(), samples.episodes(20), ItemCache()
    build(show, episodes, cache)
    before = cache.misses
    grown = [*fresh(episodes), samples.episode(21)]
    assert_same_as_uncached(show, grown, cache)
    assert cache.misses - before == 2  # its lint result and its item


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Renamed"},
        {"notes_markdown": "Other *notes*."},
        {"notes_html": "<p>Stored</p>"},
        {"duration": 1234.0},
        {"published": NOW - 5 * DAY},
        {"explicit": True},
        {"enclosure": Enclosure("https://cdn.example.com/moved.mp3", 5, "audio/mpeg")},
        {"transcripts": (Transcript("https://cdn.example.com/1.vtt", "text/vtt", "fr"),)},
        {"chapters": Chapters("https://cdn.example.com/other.json")},
        {"persons": (Person("Gia Guest", role="guest", href="https://gia.example.com"),)},
        {"image": Image("https://cdn.example.com/ep.png")},
    ],
)
def test_an_edited_episode_is_never_served_stale(change: dict[str, object]) -> None:
    show, episodes, cache = samples.show(), samples.episodes(5), ItemCache()
    build(show, episodes, cache)
    edited = [replace(episodes[0], **change), *fresh(episodes[1:])]  # type: ignore[arg-type]
    assert_same_as_uncached(show, edited, cache)


def test_a_nested_change_is_seen() -> None:
    # Only the guest's link differs: the whole episode, nested values included, is compared.
    guest = Person("Gia Guest", href="https://gia.example.com/a")
    episode = samples.episode(1, persons=(guest,))
    show, cache = samples.show(), ItemCache()
    build(show, [episode], cache)
    moved = replace(episode, persons=(replace(guest, href="https://gia.example.com/b"),))
    _, feed = build(show, [moved], cache)
    assert b"https://gia.example.com/b" in feed
    assert b"https://gia.example.com/a" not in feed


def test_lint_findings_follow_the_index_the_schedule_and_the_show_type() -> None:
    broken = samples.episode(3, enclosure=replace(samples.episode(3).enclosure, length=0))  # type: ignore[type-var]
    episodes = [samples.episode(1), samples.episode(2), broken]
    show, cache = samples.show(), ItemCache()
    assert_same_as_uncached(show, episodes, cache)
    # The same episode at another index, then scheduled, then in a serial show.
    assert_same_as_uncached(show, [broken, *episodes[:2]], cache)
    later = [*episodes[:2], replace(broken, published=NOW + DAY)]
    assert_same_as_uncached(show, later, cache)
    unnumbered = [replace(episode, number=None) for episode in episodes]
    assert_same_as_uncached(show, unnumbered, cache)
    serial = samples.show(type=ShowType.SERIAL)
    assert_same_as_uncached(serial, unnumbered, cache)
    report, _ = build(serial, unnumbered, cache)
    assert {f.path for f in report.warnings} >= {f"episodes[{i}].number" for i in range(3)}
    assert_same_as_uncached(show, unnumbered, cache)


def test_a_later_now_and_removed_episodes() -> None:
    show, cache = samples.show(), ItemCache()
    episodes = [*samples.episodes(5), samples.episode(6, published=NOW + DAY)]
    assert_same_as_uncached(show, episodes, cache)
    assert_same_as_uncached(show, fresh(episodes), cache, now=NOW + 2 * DAY)
    assert_same_as_uncached(show, fresh(episodes[2:]), cache)


def test_render_without_lint_and_lint_without_render() -> None:
    show, episodes, cache = samples.show(), samples.episodes(5), ItemCache()
    assert render(show, episodes, now=NOW, cache=cache) == render(show, episodes, now=NOW)
    assert lint(show, episodes, now=NOW, cache=cache) == lint(show, episodes, now=NOW)
    assert lint(show, episodes, now=NOW, cache=cache) == lint(show, episodes, now=NOW)
    again = fresh(episodes)
    assert render(show, again, now=NOW, cache=cache) == render(show, again, now=NOW)


def test_lint_and_render_may_see_different_objects() -> None:
    # Render must not trust what lint checked unless it is the very same object.
    show, episodes, cache = samples.show(), samples.episodes(3), ItemCache()
    build(show, episodes, cache)
    lint(show, episodes, now=NOW, cache=cache)
    edited = [replace(episodes[0], title="Changed after lint"), *episodes[1:]]
    assert render(show, edited, now=NOW, cache=cache) == render(show, edited, now=NOW)


def test_shows_sharing_a_cache_and_guids_shared_between_shows() -> None:
    cache = ItemCache()
    first, second = samples.show(), samples.show(title="Another show")
    ours = samples.episodes(4)
    # An imported show may carry the same GUIDs with other content.
    theirs = [replace(episode, title=f"Theirs {episode.title}") for episode in ours]
    for _ in range(2):
        assert_same_as_uncached(first, ours, cache)
        assert_same_as_uncached(second, theirs, cache)


def test_duplicate_guids_with_different_content_in_one_show() -> None:
    show, cache = samples.show(), ItemCache()
    twins = [samples.episode(1), samples.episode(1, title="Twin", published=NOW - DAY)]
    for _ in range(2):
        assert_same_as_uncached(show, twins, cache)


def test_an_unhashable_episode_is_rendered_without_the_cache() -> None:
    odd = replace(samples.episode(1), transcripts=[Transcript("https://x.io/1.vtt", "text/vtt")])  # type: ignore[arg-type]
    show, cache = samples.show(), ItemCache()
    assert_same_as_uncached(show, [odd, samples.episode(2)], cache)
    assert len(cache) == 1


def test_a_small_cache_keeps_what_fits_and_stays_correct() -> None:
    show, episodes = samples.show(), samples.episodes(30)
    cache = ItemCache(max_bytes=4_000)
    for _ in range(2):
        assert_same_as_uncached(show, fresh(episodes), cache)
        assert 0 < cache.nbytes <= 4_000
        assert 0 < len(cache) < 30
    nothing = ItemCache(max_bytes=0)
    assert_same_as_uncached(show, episodes, nothing)
    assert (len(nothing), nothing.nbytes) == (0, 0)


def test_the_least_recently_used_go_first() -> None:
    show, cache = samples.show(), ItemCache()
    old, new = samples.episodes(3), [samples.episode(n) for n in range(4, 7)]
    build(show, old, cache)
    build(show, new, cache)
    cache.max_bytes = cache.nbytes // 2 + 1
    build(show, new, cache)
    kept = set(cache._entries)
    assert kept == {episode.guid for episode in new}


def test_clear_and_a_negative_size() -> None:
    show, episodes, cache = samples.show(), samples.episodes(3), ItemCache()
    build(show, episodes, cache)
    cache.clear()
    assert (len(cache), cache.nbytes) == (0, 0)
    assert_same_as_uncached(show, episodes, cache)
    with pytest.raises(ValueError, match="max_bytes"):
        ItemCache(max_bytes=-1)


def test_threads_may_share_a_cache() -> None:
    show, cache = samples.show(), ItemCache()
    shows = [samples.episodes(n) for n in (5, 12, 20)]
    expected = [build(show, episodes, None) for episodes in shows]
    failures: list[int] = []

    def work(index: int) -> None:
        for _ in range(20):
            if build(show, fresh(shows[index]), cache) != expected[index]:
                failures.append(index)

    threads = [threading.Thread(target=work, args=(i % 3,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
