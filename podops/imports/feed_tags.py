"""A parsed feed's Podcast Index tags (beyond the first eight) as document fields.

The inverse of `podops.publish.mapping` for these tags: what a build writes from the fields,
an import reads back into them, so an imported feed rebuilds with the same tags. Media the tags
point at (trailers, alternate enclosures' sources, srcset images, live streams) stay external
URLs. Unset
values are left out; a value the schema refuses is dropped by the caller and named.
"""

from __future__ import annotations

from typing import Any

import feeds
from feeds.parse import ParsedEpisode, ParsedShow


def show_tags(show: ParsedShow) -> dict[str, Any]:
    """The channel's tags as `ShowDescription` fields."""
    tags: dict[str, Any] = _compact(
        {
            "medium": show.medium,
            "license": _license(show.license),
            "locations": [_location(item) for item in show.locations],
            "trailers": [_trailer(item) for item in show.trailers],
            "txt": [_txt(item) for item in show.txt],
            "update_frequency": _update_frequency(show.update_frequency),
            "service_blocks": [
                {"blocked": item.blocked, "service": item.service} for item in show.service_blocks
            ],
            "publisher": _remote_item(show.publisher) if show.publisher else None,
            "chat": _chat(show.chat),
            "image_srcset": [_image_source(item) for item in show.image_srcset],
            "values": [_value(item) for item in show.values],
            "social_interacts": [_social_interact(item) for item in show.social_interacts],
            "podroll": [_remote_item(item) for item in show.podroll],
            "remote_items": [_remote_item(item) for item in show.remote_items],
            "live_items": [_live_item(item) for item in show.live_items],
        }
    )
    return tags


def episode_tags(episode: ParsedEpisode) -> dict[str, Any]:
    """The item's tags as `EpisodeDescription` fields."""
    tags: dict[str, Any] = _compact(
        {
            "season_name": episode.season_name,
            "soundbites": [
                {"start_time": item.start_time, "duration": item.duration, "title": item.title}
                for item in episode.soundbites
            ],
            "locations": [_location(item) for item in episode.locations],
            "license": _license(episode.license),
            "alternate_enclosures": [
                _alternate_enclosure(item) for item in episode.alternate_enclosures
            ],
            "image_srcset": [_image_source(item) for item in episode.image_srcset],
            "txt": [_txt(item) for item in episode.txt],
            "chat": _chat(episode.chat),
            "values": [_value(item) for item in episode.values],
            "social_interacts": [_social_interact(item) for item in episode.social_interacts],
            "content_links": [
                {"href": item.href, "text": item.text} for item in episode.content_links
            ],
        }
    )
    return tags


def _compact(value: Any) -> Any:
    """`value` without its None values, empty strings and empty lists, at every depth: the
    schema's defaults stand for them."""
    if isinstance(value, dict):
        kept = {key: _compact(item) for key, item in value.items()}
        return {key: item for key, item in kept.items() if item not in (None, "", [], {})}
    if isinstance(value, list):
        return [_compact(item) for item in value]
    return value


def _license(license: feeds.License | None) -> dict[str, Any] | None:
    return None if license is None else {"identifier": license.identifier, "url": license.url}


def _location(location: feeds.Location) -> dict[str, Any]:
    return {
        "name": location.name,
        "geo": location.geo,
        "osm": location.osm,
        "rel": location.rel,
        "country": location.country,
    }


def _trailer(trailer: feeds.Trailer) -> dict[str, Any]:
    media: dict[str, Any] = {"rel": "external", "url": trailer.url, "type": trailer.type}
    if trailer.length:
        media["length"] = trailer.length
    return {
        "title": trailer.title,
        "media": media,
        "published": trailer.published,
        "season": trailer.season,
    }


def _txt(txt: feeds.Txt) -> dict[str, Any]:
    return {"text": txt.text, "purpose": txt.purpose}


def _update_frequency(frequency: feeds.UpdateFrequency | None) -> dict[str, Any] | None:
    if frequency is None:
        return None
    return {
        "label": frequency.label,
        "rrule": frequency.rrule,
        "complete": frequency.complete,
        "starts": frequency.starts,
    }


def _remote_item(item: feeds.RemoteItem) -> dict[str, Any]:
    return {
        "feed_guid": item.feed_guid,
        "feed_url": item.feed_url,
        "item_guid": item.item_guid,
        "medium": item.medium,
        "title": item.title,
    }


def _chat(chat: feeds.Chat | None) -> dict[str, Any] | None:
    if chat is None:
        return None
    return {
        "server": chat.server,
        "protocol": chat.protocol,
        "account_id": chat.account_id,
        "space": chat.space,
    }


def _image_source(image: feeds.ImageSource) -> dict[str, Any]:
    return {"rel": "external", "url": image.url, "width": image.width}


def _recipient(recipient: feeds.ValueRecipient) -> dict[str, Any]:
    return {
        "type": recipient.type,
        "address": recipient.address,
        "split": recipient.split,
        "name": recipient.name,
        "custom_key": recipient.custom_key,
        "custom_value": recipient.custom_value,
        "fee": recipient.fee,
    }


def _value(value: feeds.Value) -> dict[str, Any]:
    return {
        "type": value.type,
        "method": value.method,
        "recipients": [_recipient(item) for item in value.recipients],
        "suggested": value.suggested,
        "time_splits": [
            {
                "start_time": split.start_time,
                "duration": split.duration,
                "recipients": [_recipient(item) for item in split.recipients],
                "remote_item": _remote_item(split.remote_item) if split.remote_item else None,
                "remote_start_time": split.remote_start_time,
                "remote_percentage": split.remote_percentage,
            }
            for split in value.time_splits
        ],
    }


def _social_interact(social: feeds.SocialInteract) -> dict[str, Any]:
    return {
        "protocol": social.protocol,
        "uri": social.uri,
        "account_id": social.account_id,
        "account_url": social.account_url,
        "priority": social.priority,
    }


def _alternate_enclosure(alternate: feeds.AlternateEnclosure) -> dict[str, Any]:
    integrity = alternate.integrity
    return {
        "type": alternate.type,
        "sources": [
            {"rel": "external", "uri": source.uri, "content_type": source.content_type}
            for source in alternate.sources
        ],
        "length": alternate.length,
        "bitrate": alternate.bitrate,
        "height": alternate.height,
        "lang": alternate.lang,
        "title": alternate.title,
        "rel": alternate.rel,
        "codecs": alternate.codecs,
        "default": alternate.default,
        "integrity": None
        if integrity is None
        else {"type": integrity.type, "value": integrity.value},
    }


def _live_item(live: feeds.LiveItem) -> dict[str, Any]:
    stream = live.enclosure
    return {
        "guid": live.guid,
        "title": live.title,
        "status": live.status,
        "start": live.start,
        "end": live.end,
        # Lint reports a live item without a stream; the schema refuses one, so it is dropped
        # and named by the caller.
        "enclosure": None
        if stream is None
        else {
            "rel": "external",
            "url": stream.url,
            "type": stream.type,
            # A stream's length is 0 in the feed: the document leaves it out for that.
            "length": stream.length or None,
        },
        "description": live.description,
        "link": live.link,
        "persons": [
            {
                "name": person.name,
                "role": person.role,
                "group": person.group,
                "href": person.href,
                "img": person.img,
            }
            for person in live.persons
        ],
        "alternate_enclosures": [_alternate_enclosure(item) for item in live.alternate_enclosures],
        "image_srcset": [_image_source(item) for item in live.image_srcset],
        "values": [_value(item) for item in live.values],
        "chat": _chat(live.chat),
        "content_links": [{"href": item.href, "text": item.text} for item in live.content_links],
    }
