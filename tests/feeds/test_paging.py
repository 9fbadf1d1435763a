"""Paged feeds (RFC 5005 §3): the main feed stays small and every episode is on one page.

A 10,000-episode show is split, rendered page by page and read back by feedparser, which
follows each page's `next` link from the main feed to the oldest page.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import feedparser  # type: ignore[import-untyped]
import pytest

from feeds import Page, page_show, paginate, podcast_guid, render
from feeds.model import Episode
from feeds.parse import parse_feed
from tests.feeds import samples
from tests.feeds.samples import DAY, NOW, texts

FEED = "https://cdn.example.com/p/sample-show/feed.xml"


def page_url(number: int) -> str:
    return f"https://cdn.example.com/p/sample-show/archive/{number}.xml"


def catalogue(count: int) -> list[Episode]:
    """`count` episodes an hour apart, the newest an hour before NOW, and one scheduled."""
    base = samples.episode(1)
    made = [
        replace(
            base,
            guid=f"{n:012x}",
            title=f"Episode {n}",
            published=NOW - (count - n + 1) * 3600,
            number=n,
            transcripts=(),
            chapters=None,
        )
        for n in range(1, count + 1)
    ]
    return [*made, replace(base, guid="f" * 12, published=NOW + DAY)]


def rendered(pages: list[Page]) -> dict[str, bytes]:
    show = samples.show()
    return {
        page.url: render(page_show(show, page), page.episodes, now=NOW, links=page.links)
        for page in pages
    }


def test_a_ten_thousand_episode_show_keeps_its_main_feed_small() -> None:
    episodes = catalogue(10_000)
    pages = paginate(episodes, now=NOW, size=100, feed_url=FEED, page_url=page_url)
    # 100 in the main feed, 9,900 on 99 full pages.
    assert [page.number for page in pages] == [0, *range(99, 0, -1)]
    documents = rendered(pages)
    whole = render(samples.show(), episodes, now=NOW)
    main = documents[FEED]
    print(f"\nmain feed {len(main):,} bytes paged, {len(whole):,} bytes whole")
    assert len(main) * 50 < len(whole)
    # Every published episode on exactly one page, the scheduled one on none.
    seen: list[str] = []
    for page in pages:
        seen += [episode.guid for episode in page.episodes]
    assert len(seen) == len(set(seen)) == 10_000
    assert "f" * 12 not in seen
    # The main feed has the newest, page 1 the oldest, each page newest first.
    assert pages[0].episodes[0].title == "Episode 10000"
    assert [e.number for e in pages[-1].episodes] == list(range(100, 0, -1))


def test_feedparser_follows_the_pages_from_the_main_feed_to_the_oldest() -> None:
    episodes = catalogue(1_050)
    pages = paginate(episodes, now=NOW, size=100, feed_url=FEED, page_url=page_url)
    documents = rendered(pages)
    url: str | None = FEED
    visited: list[str] = []
    guids: list[str] = []
    while url is not None:
        assert url not in visited
        visited.append(url)
        parsed: Any = feedparser.parse(documents[url])
        assert not parsed.bozo, parsed.bozo_exception
        guids += [entry.id for entry in parsed.entries]
        links = {link.rel: link.href for link in parsed.feed.links}
        assert links["self"] == url
        assert (links["first"], links["last"]) == (FEED, page_url(1))
        assert links.get("next") == links.get("prev-archive")
        url = links.get("next")
    assert visited == [FEED, *(page_url(n) for n in range(10, 0, -1))]
    assert guids == [e.guid for e in sorted(episodes[:-1], key=lambda e: -e.published)]
    # 950 archived: the newest page is partial (50 episodes) and links back to the main feed.
    newest: Any = feedparser.parse(documents[page_url(10)])
    assert len(newest.entries) == 50
    assert {link.rel: link.href for link in newest.feed.links}["previous"] == FEED


def test_an_archive_page_keeps_the_show_identity_and_dates_itself() -> None:
    show = samples.show(hubs=("https://hub.example.com/",))
    pages = paginate(catalogue(30), now=NOW, size=10, feed_url=FEED, page_url=page_url)
    oldest = pages[-1]
    root = samples.parse(
        render(page_show(show, oldest), oldest.episodes, now=NOW, links=oldest.links)
    )
    assert texts(root, "/rss/channel/podcast:guid") == [podcast_guid(FEED)]
    assert texts(root, "/rss/channel/link") == [show.link]
    assert texts(root, "/rss/channel/atom:link/@rel") == [
        "self",
        "first",
        "last",
        "previous",
    ]
    assert texts(root, "/rss/channel/lastBuildDate") == [
        texts(root, "/rss/channel/item[1]/pubDate")[0]
    ]


def test_publishing_an_episode_leaves_the_older_pages_byte_for_byte() -> None:
    before = catalogue(45)
    after = [*before[:-1], replace(before[0], guid="a" * 12, published=NOW - 60), before[-1]]
    old = rendered(paginate(before, now=NOW, size=10, feed_url=FEED, page_url=page_url))
    new = rendered(paginate(after, now=NOW, size=10, feed_url=FEED, page_url=page_url))
    changed = sorted(url for url in new if old.get(url) != new[url])
    # The main feed, the newest page (one more episode), and no other.
    assert changed == sorted([FEED, page_url(4)])


def test_a_show_that_fits_one_page_has_no_links() -> None:
    (page,) = paginate(catalogue(10), now=NOW, size=10, feed_url=FEED, page_url=page_url)
    assert (page.number, page.links, len(page.episodes)) == (0, (), 10)


@pytest.mark.parametrize("size", [0, -1])
def test_a_page_holds_at_least_one_episode(size: int) -> None:
    with pytest.raises(ValueError, match="at least one episode"):
        paginate(catalogue(3), now=NOW, size=size, feed_url=FEED, page_url=page_url)


def test_the_parser_reads_the_next_page_link() -> None:
    pages = paginate(catalogue(25), now=NOW, size=10, feed_url=FEED, page_url=page_url)
    documents = rendered(pages)
    assert parse_feed(documents[FEED]).next_page == page_url(2)
    assert parse_feed(documents[page_url(2)]).next_page == page_url(1)
    assert parse_feed(documents[page_url(1)]).next_page is None
    # An archived feed (RFC 5005 §4) names its older document prev-archive only.
    archived = documents[FEED].replace(b' rel="next"', b' rel="other"')
    assert parse_feed(archived).next_page == page_url(2)
