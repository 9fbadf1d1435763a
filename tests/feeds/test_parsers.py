"""Real podcatcher parsers read what we build: feedparser and gPodder's podcastparser.

Each must find every episode with the enclosure URL, length and type, the GUID, the date and
the duration that were built.
"""

from __future__ import annotations

import calendar
import io
from dataclasses import replace
from typing import Any

import feedparser  # type: ignore[import-untyped]
import podcastparser  # type: ignore[import-untyped]
import pytest

from feeds import Episode, Show, podcast_guid, render
from feeds._itunes import whole_seconds
from tests.feeds import samples
from tests.feeds.samples import DAY, NOW


def built() -> tuple[Show, list[Episode], bytes]:
    episodes = [
        *samples.episodes(6),
        # Durations that round, a video, a same-second pair, and one still scheduled.
        samples.episode(7, duration=3599.6),
        replace(
            samples.episode(8, duration=12.4),
            enclosure=replace(samples.episode(8).enclosure, type="video/mp4"),  # type: ignore[type-var]
        ),
        samples.episode(9, published=NOW - DAY),
        samples.episode(10, published=NOW - DAY),
        samples.episode(11, published=NOW + DAY),
    ]
    show = samples.show()
    return show, episodes, render(show, episodes, now=NOW)


def expected_episodes(episodes: list[Episode]) -> dict[str, Episode]:
    return {e.guid: e for e in episodes if e.published <= NOW}


def test_feedparser_finds_every_episode() -> None:
    show, episodes, feed = built()
    parsed: Any = feedparser.parse(feed)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert parsed.feed.title == show.title
    expected = expected_episodes(episodes)
    assert [entry.id for entry in parsed.entries] == sorted(
        expected, key=lambda guid: (expected[guid].published, guid), reverse=True
    )
    for entry in parsed.entries:
        episode = expected[entry.id]
        assert episode.enclosure is not None
        assert entry.guidislink is False
        (enclosure,) = entry.enclosures
        assert enclosure.href == episode.enclosure.url
        assert int(enclosure.length) == episode.enclosure.length
        assert enclosure.type == episode.enclosure.type
        assert calendar.timegm(entry.published_parsed) == episode.published
        assert episode.duration is not None
        assert entry.itunes_duration == str(whole_seconds(episode.duration))
        assert entry.title == episode.title


def test_podcastparser_finds_every_episode() -> None:
    show, episodes, feed = built()
    parsed = podcastparser.parse(show.feed_url, io.BytesIO(feed))
    assert parsed["title"] == show.title
    expected = expected_episodes(episodes)
    assert sorted(e["guid"] for e in parsed["episodes"]) == sorted(expected)
    for entry in parsed["episodes"]:
        episode = expected[entry["guid"]]
        assert episode.enclosure is not None
        (enclosure,) = entry["enclosures"]
        assert enclosure["url"] == episode.enclosure.url
        assert enclosure["file_size"] == episode.enclosure.length
        assert enclosure["mime_type"] == episode.enclosure.type
        assert entry["published"] == episode.published
        assert episode.duration is not None
        assert entry["total_time"] == whole_seconds(episode.duration)
        assert entry["title"] == episode.title
        # podcastparser would fall back to the media URL for a missing GUID: ours is there.
        assert entry["guid"] != episode.enclosure.url


# podcastparser 0.6.11 knows the `podcast:` namespace only by its old GitHub URI, not by the
# official https://podcastindex.org/namespace/1.0 this feed declares, so only feedparser is
# asked about those tags.
def test_feedparser_reads_the_podcast_namespace() -> None:
    show, episodes, feed = built()
    parsed: Any = feedparser.parse(feed)
    assert parsed.feed.podcast_guid == podcast_guid(show.feed_url)
    assert parsed.feed.podcast_funding["url"] == show.funding[0].url
    expected = expected_episodes(episodes)
    for entry in parsed.entries:
        episode = expected[entry.id]
        assert episode.chapters is not None
        assert entry.podcast_chapters["url"] == episode.chapters.url
        assert entry.podcast_transcript["url"] == episode.transcripts[0].url
        assert entry.podcast_episode == str(episode.number)
        assert entry.podcast_season == str(episode.season)


@pytest.mark.parametrize("parse", ["feedparser", "podcastparser"])
def test_moved_feed_is_announced(parse: str) -> None:
    new_url = "https://new.example.com/feed.xml"
    show = samples.show(new_feed_url=new_url)
    feed = render(show, samples.episodes(), now=NOW)
    if parse == "feedparser":
        assert feedparser.parse(feed).feed["itunes_new-feed-url"] == new_url
    else:
        assert podcastparser.parse(show.feed_url, io.BytesIO(feed))["new_url"] == new_url


def described() -> tuple[Show, bytes]:
    episodes = [
        samples.episode(1, itunes_title="Apple one", summary_markdown="Short *one*."),
        samples.episode(2, notes_markdown="Only notes."),
    ]
    episodes[0] = replace(episodes[0], notes_markdown="Long **notes**.")
    show = samples.show()
    return show, render(show, episodes, now=NOW)


def test_feedparser_reads_itunes_title_summary_and_notes_apart() -> None:
    _show, feed = described()
    parsed: Any = feedparser.parse(feed)
    assert not parsed.bozo, parsed.get("bozo_exception")
    by_title = {entry.title: entry for entry in parsed.entries}
    first, second = by_title["Episode 1"], by_title["Episode 2"]
    assert first.itunes_title == "Apple one"
    assert first.summary == "<p>Short <em>one</em>.</p>"
    assert [content.value for content in first.content] == ["<p>Long <strong>notes</strong>.</p>"]
    # Notes without a summary are the description, once.
    assert second.summary == "<p>Only notes.</p>"
    assert "content" not in second


def test_podcastparser_reads_the_notes_as_the_rich_description() -> None:
    show, feed = described()
    parsed = podcastparser.parse(show.feed_url, io.BytesIO(feed))
    by_title = {entry["title"]: entry for entry in parsed["episodes"]}
    assert by_title["Episode 1"]["description_html"] == "<p>Long <strong>notes</strong>.</p>"
    assert by_title["Episode 2"]["description_html"] == "<p>Only notes.</p>"
    assert by_title["Episode 2"]["description"] == "Only notes."
