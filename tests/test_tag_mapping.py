"""The Podcast Index tags between documents and the `feeds` model, both ways, without workers:
a build maps every field, an import reads every tag back into the same fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import feeds
from feeds.parse import parse_feed
from podops.imports.feed_tags import episode_tags, show_tags
from podops.models import Production, Resource
from podops.publish.mapping import Mapped, map_production
from podops.resources import dump_resource, parse_resource
from tests.feeds import samples
from tests.support import documents

SHOW_TAGS = (
    "medium",
    "license",
    "locations",
    "trailers",
    "txt",
    "update_frequency",
    "service_blocks",
    "publisher",
    "chat",
    "image_srcset",
    "values",
    "social_interacts",
    "podroll",
    "remote_items",
    "live_items",
)
EPISODE_TAGS = (
    "season_name",
    "soundbites",
    "locations",
    "license",
    "alternate_enclosures",
    "image_srcset",
    "txt",
    "chat",
    "values",
    "social_interacts",
    "content_links",
)
BASE = "https://podops.test"


@dataclass
class Row:
    guid: str
    document: dict[str, Any]
    html: str | None = None
    updated_at: int = 0


def mapped(
    show: dict[str, Any], episode: dict[str, Any], assets: dict[str, dict[str, Any]] | None = None
) -> Mapped:
    production = cast(Production, Row("0123456789ab", {}))
    return map_production(
        production,
        cast(Resource, Row("0123456789ab", dump_resource(parse_resource(show)))),
        [Row("ba9876543210", dump_resource(parse_resource(episode)))],
        assets or {},
        base_url=BASE,
    )


def test_a_feed_read_back_into_documents_maps_onto_the_same_tags() -> None:
    show, episode = samples.namespace_show(), samples.namespace_episode(1)
    parsed = parse_feed(feeds.render(show, [episode], now=samples.NOW))
    assert not parsed.problems
    (item,) = parsed.episodes
    result = mapped(
        documents.show("tag-show-1", **show_tags(parsed.show)),
        documents.episode(
            "tag-episode-1", date=samples.NOW - 60, season=item.season, **episode_tags(item)
        ),
    )
    assert result.problems == []
    assert result.show is not None
    for field in SHOW_TAGS:
        assert getattr(result.show, field) == getattr(show, field), field
    for field in EPISODE_TAGS:
        assert getattr(result.episodes[0], field) == getattr(episode, field), field


ASSETS: dict[str, dict[str, Any]] = {
    "trailer-2024": {
        "description": {
            "url": "https://media.podops.test/trailer.m4a",
            "storage_key": "p/trailer.m4a",
            "size": 4321,
            "type": "audio/mp4",
        }
    },
    "cover-art-1500": {
        "description": {
            "url": "https://media.podops.test/cover.jpg",
            "storage_key": "p/cover.jpg",
            "width": 1500,
            "height": 1500,
        }
    },
    "episode-one-opus": {
        "description": {
            "url": "https://media.podops.test/ep1.opus",
            "storage_key": "p/ep1.opus",
            "size": 98765,
            "type": "audio/ogg",
        }
    },
    "episode-one-art": {"description": {"url": "https://media.podops.test/ep1.png"}},
    "live-recording": {
        "description": {
            "url": "https://media.podops.test/live.mp3",
            "storage_key": "p/live.mp3",
            "size": 55555,
            "type": "audio/mpeg",
        }
    },
}


def tagged(
    *,
    trailer: str | None = None,
    cover: str | None = None,
    source: str | None = None,
    art: str | None = None,
    stream: str | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A show and an episode with every tag, naming the given uploaded assets."""
    return (
        documents.show(
            "tag-show-1",
            **documents.show_tags(trailer_asset=trailer, image_asset=cover, stream_asset=stream),
        ),
        documents.episode(
            "tag-episode-1",
            date=1_700_000_000,
            **documents.episode_tags(source_asset=source, image_asset=art),
        ),
    )


def test_uploaded_assets_become_their_urls_and_their_media_is_published_first() -> None:
    show, episode = tagged(
        trailer="trailer-2024",
        cover="cover-art-1500",
        source="episode-one-opus",
        art="episode-one-art",
        stream="live-recording",
    )
    del episode["description"]["alternate_enclosures"][1]["type"]
    result = mapped(show, episode, ASSETS)
    assert result.problems == []
    assert result.show is not None
    trailer = result.show.trailers[1]
    assert (trailer.url, trailer.length, trailer.type) == (
        "https://media.podops.test/trailer.m4a",
        4321,
        "audio/mp4",
    )
    assert result.show.image_srcset[0] == feeds.ImageSource(
        "https://media.podops.test/cover.jpg", 1500
    )
    (item,) = result.episodes
    alternate = item.alternate_enclosures[1]
    assert alternate.sources[0] == feeds.Source("https://media.podops.test/ep1.opus")
    assert (alternate.type, alternate.length) == ("audio/ogg", 98765)
    # The width the document gives stands for the one never probed.
    assert item.image_srcset == (feeds.ImageSource("https://media.podops.test/ep1.png", 1400),)
    (live,) = result.show.live_items
    assert live.enclosure == feeds.Enclosure(
        "https://media.podops.test/live.mp3", 55555, "audio/mpeg"
    )
    assert set(result.media_keys) >= {"p/trailer.m4a", "p/cover.jpg", "p/ep1.opus", "p/live.mp3"}


def test_a_missing_asset_is_a_problem_naming_the_field() -> None:
    show, episode = tagged(
        trailer="trailer-gone",
        cover="cover-gone1",
        source="source-gone",
        art="art-gone1",
        stream="stream-gone",
    )
    result = mapped(show, episode, {})
    assert sorted(problem.path for problem in result.problems) == [
        "episodes[0].alternate_enclosures[1].sources[0]",
        "episodes[0].image_srcset[0]",
        "show.image_srcset[0]",
        "show.live_items[0].enclosure",
        "show.trailers[1].media",
    ]
    assert all("does not exist" in problem.message for problem in result.problems)
    assert result.show is not None
    assert len(result.show.trailers) == 1
    assert len(result.episodes[0].alternate_enclosures) == 1


def test_an_uploaded_image_of_unknown_width_needs_one() -> None:
    show, episode = tagged(art="episode-one-art")
    del episode["description"]["image_srcset"][0]["width"]
    result = mapped(show, episode, ASSETS)
    assert [(problem.path, problem.code) for problem in result.problems] == [
        ("episodes[0].image_srcset[0].width", "missing-reference")
    ]


FILES: dict[str, dict[str, Any]] = {
    "episode-one-vtt": {
        "description": {
            "url": "https://media.podops.test/ep1.vtt",
            "storage_key": "p/ep1.vtt",
            "type": "text/vtt",
        }
    },
    "episode-one-chapters": {
        "description": {
            "url": "https://media.podops.test/ep1.json",
            "storage_key": "p/ep1.json",
            "type": "application/json",
        }
    },
}


def with_files(episode: dict[str, Any], transcript: str, chapters: str) -> dict[str, Any]:
    episode["description"]["transcripts"] = [
        {"asset": transcript, "type": "text/vtt", "language": "en"},
        {"url": "https://cdn.example.com/ep1.srt", "type": "application/x-subrip"},
    ]
    episode["description"]["chapters"] = {"asset": chapters}
    return episode


def test_uploaded_transcripts_and_chapters_become_their_urls() -> None:
    show, episode = tagged()
    result = mapped(show, with_files(episode, "episode-one-vtt", "episode-one-chapters"), FILES)
    assert result.problems == []
    (item,) = result.episodes
    assert item.transcripts == (
        feeds.Transcript("https://media.podops.test/ep1.vtt", "text/vtt", "en"),
        feeds.Transcript("https://cdn.example.com/ep1.srt", "application/x-subrip"),
    )
    assert item.chapters == feeds.Chapters("https://media.podops.test/ep1.json")
    assert {"p/ep1.vtt", "p/ep1.json"} <= set(result.media_keys)


def test_a_deleted_transcript_or_chapters_asset_is_a_problem_naming_the_field() -> None:
    show, episode = tagged()
    result = mapped(show, with_files(episode, "vtt-gone-1", "chapters-gone"), {})
    assert sorted((problem.path, problem.code) for problem in result.problems) == [
        ("episodes[0].chapters.asset", "missing-reference"),
        ("episodes[0].transcripts[0].asset", "missing-reference"),
    ]
    (item,) = result.episodes
    assert [t.url for t in item.transcripts] == ["https://cdn.example.com/ep1.srt"]
    assert item.chapters is None
