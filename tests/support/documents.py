"""Documents as a producer writes them, for the API tests."""

from __future__ import annotations

from typing import Any


def show(name: str = "the-daily-show", **description: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "show",
        "metadata": {"name": name, "labels": {"team": "audio"}},
        "description": {
            "title": "The Daily Show",
            "summary": "A *daily* show about podcasts.",
            "categories": [{"category": "Technology"}],
            "language": "en-us",
            "owner": {"name": "Jane", "email": "jane@example.com"},
            **description,
        },
        "image": {"rel": "external", "url": "https://cdn.example.com/the-daily-show.jpg"},
    }


def episode(
    name: str, *, date: int | None = None, labels: dict[str, str] | None = None, **description: Any
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "labels": labels or {}}
    if date is not None:
        metadata["date"] = date
    return {
        "apiVersion": "v1",
        "kind": "episode",
        "metadata": metadata,
        "description": {"title": f"Episode {name}", "summary": "Notes.", **description},
        "enclosure": {
            "rel": "external",
            "url": f"https://cdn.example.com/{name}.mp3",
            "type": "audio/mpeg",
            "length": 1000,
        },
    }


# Every Podcast Index tag beyond the first eight, as document fields (lint-clean).
PUBLISHER_GUID = "003af0a0-6a45-55cf-b765-68e3d349551a"
ROLL_GUID = "29cdca4a-32d8-56ba-b48b-09a011c5daa9"
MUSIC_GUID = "a94f5cc9-8c58-55fc-91fe-a324087a655b"
NODE = "02d5c1bf8b940dc9cadca86d1b0a3c37fbe39cee4c7e839e33bef9174531d27f52"
SRI = "sha384-ExVqijgYHm15PqQqdXfW95x+Rs6C+d6E/ICxyQOeFev"


def show_tags(
    *,
    trailer_asset: str | None = None,
    image_asset: str | None = None,
    stream_asset: str | None = None,
) -> dict[str, Any]:
    """Every channel tag; with asset names, a trailer, a srcset image and a live item's
    enclosure are uploaded assets."""
    stream = (
        {"rel": "asset", "name": stream_asset}
        if stream_asset
        else {
            "rel": "external",
            "url": "https://stream.example.com/live.mp3",
            "type": "audio/mpeg",
        }
    )
    trailer = (
        {"rel": "asset", "name": trailer_asset}
        if trailer_asset
        else {"rel": "external", "url": "https://cdn.example.com/s2.mp4", "type": "video/mp4"}
    )
    image = (
        {"rel": "asset", "name": image_asset}
        if image_asset
        else {"rel": "external", "url": "https://cdn.example.com/cover-1400.jpg", "width": 1400}
    )
    return {
        "medium": "podcast",
        "license": {"identifier": "cc-by-4.0"},
        "locations": [
            {
                "name": "Austin",
                "geo": "geo:30.2711286,-97.7436995",
                "osm": "R113314",
                "rel": "creator",
                "country": "US",
            }
        ],
        "trailers": [
            {
                "title": "Coming soon",
                "media": {
                    "rel": "external",
                    "url": "https://cdn.example.com/trailer.mp3",
                    "type": "audio/mpeg",
                    "length": 123_456,
                },
                "published": 1_700_000_000,
            },
            {"title": "Season 2", "media": trailer, "published": 1_700_086_400, "season": 2},
        ],
        "txt": [{"text": "S6lpp-7ZCn8-dZfGc-OoyaG", "purpose": "verify"}],
        "update_frequency": {
            "label": "Every other Monday for 10 episodes",
            "rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;COUNT=10",
            "complete": False,
            "starts": 1_700_000_000,
        },
        "service_blocks": [{"blocked": True}, {"blocked": False, "service": "google"}],
        "publisher": {
            "feed_guid": PUBLISHER_GUID,
            "feed_url": "https://example.com/publisher.xml",
            "medium": "publisher",
        },
        "chat": {
            "server": "irc.zeronode.net",
            "protocol": "irc",
            "account_id": "@sam",
            "space": "#sampleshow",
        },
        "image_srcset": [
            image,
            {"rel": "external", "url": "https://cdn.example.com/cover-600.jpg", "width": 600},
        ],
        "values": [
            {
                "type": "lightning",
                "method": "keysend",
                "recipients": [
                    {"type": "node", "address": NODE, "split": 95, "name": "Sam", "fee": False},
                    {
                        "type": "lnaddress",
                        "address": "host@example.com",
                        "split": 5,
                        "custom_key": "696969",
                        "custom_value": "eChoVKtO1KujpAA5HCoB",
                        "fee": True,
                    },
                ],
                "suggested": "0.00000005000",
                "time_splits": [],
            }
        ],
        "social_interacts": [
            {
                "protocol": "activitypub",
                "uri": "https://podcastindex.social/@sam/105079274766075912",
                "account_id": "@sam",
                "account_url": "https://podcastindex.social/@sam",
                "priority": 1,
            }
        ],
        "podroll": [
            {
                "feed_guid": ROLL_GUID,
                "feed_url": "https://feeds.example.org/buzzcast.xml",
                "title": "Buzzcast",
            }
        ],
        "remote_items": [
            {"feed_guid": MUSIC_GUID, "item_guid": "track-1", "medium": "music"},
        ],
        "live_items": [
            {
                "guid": "live-2025-01-06",
                "title": "Live from the studio",
                "status": "live",
                "start": 1_700_000_000,
                "end": 1_700_007_200,
                "enclosure": stream,
                "description": "Ask us anything.",
                "link": "https://example.com/live",
                "persons": [{"name": "Gina Guest", "role": "guest"}],
                "alternate_enclosures": [
                    {
                        "sources": [
                            {"rel": "external", "uri": "https://stream.example.com/live.m3u8"}
                        ],
                        "type": "application/vnd.apple.mpegurl",
                        "default": False,
                    }
                ],
                "chat": {"server": "irc.zeronode.net", "protocol": "irc"},
                "content_links": [
                    {"href": "https://www.youtube.com/live/example", "text": "On YouTube"}
                ],
            }
        ],
    }


def episode_tags(
    *, source_asset: str | None = None, image_asset: str | None = None
) -> dict[str, Any]:
    """Every item tag (with `season`); with asset names, an alternate enclosure's source and a
    srcset image are uploaded assets."""
    source = (
        {"rel": "asset", "name": source_asset}
        if source_asset
        else {"rel": "external", "uri": "https://cdn.example.com/ep1.mp3"}
    )
    image = (
        {"rel": "asset", "name": image_asset, "width": 1400}
        if image_asset
        else {"rel": "external", "url": "https://cdn.example.com/ep1-1400.jpg", "width": 1400}
    )
    return {
        "season": 1,
        "season_name": "Origins",
        "soundbites": [
            {"start_time": 73.0, "duration": 60.0},
            {"start_time": 4.5, "duration": 15.25, "title": "Why it matters"},
        ],
        "locations": [{"name": "Birmingham Civil Rights Museum", "osm": "R6930627"}],
        "license": {
            "identifier": "my-podcast-license-v1",
            "url": "https://example.com/license.pdf",
        },
        "alternate_enclosures": [
            {
                "sources": [
                    {"rel": "external", "uri": "https://cdn.example.com/ep1.opus"},
                    {"rel": "external", "uri": "ipfs://QmX33FYehk6ckGQ6g1D9"},
                ],
                "type": "audio/opus",
                "length": 900_000,
                "bitrate": 96_000.0,
                "height": 0,
                "lang": "en-US",
                "title": "High quality",
                "rel": "Main",
                "codecs": "opus",
                "default": False,
                "integrity": {"type": "sri", "value": SRI},
            },
            {
                "sources": [
                    source,
                    {
                        "rel": "external",
                        "uri": "magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a",
                        "content_type": "application/x-bittorrent",
                    },
                ],
                "type": "audio/mpeg",
                "default": True,
            },
        ],
        "image_srcset": [image],
        "txt": [{"text": "true", "purpose": "ai-content"}],
        "chat": {"server": "example.com", "protocol": "matrix", "space": "#ep:example.com"},
        "values": [
            {
                "type": "lightning",
                "method": "keysend",
                "recipients": [{"type": "node", "address": NODE, "split": 100, "fee": False}],
                "time_splits": [
                    {
                        "start_time": 60.0,
                        "duration": 237.0,
                        "recipients": [],
                        "remote_item": {
                            "feed_guid": MUSIC_GUID,
                            "item_guid": "https://podcastindex.org/podcast/4148683#1",
                            "medium": "music",
                        },
                        "remote_percentage": 95,
                    },
                    {
                        "start_time": 400.0,
                        "duration": 30.5,
                        "recipients": [
                            {
                                "type": "lnaddress",
                                "address": "gina@example.com",
                                "split": 10,
                                "name": "Gina (Guest)",
                                "fee": False,
                            }
                        ],
                        "remote_start_time": 12.0,
                    },
                ],
            }
        ],
        "social_interacts": [{"protocol": "disabled"}],
        "content_links": [
            {"href": "https://www.youtube.com/watch?v=example", "text": "On YouTube"},
            {"href": "at://did:plc:abc/app.bsky.feed.post/3k"},
        ],
    }
