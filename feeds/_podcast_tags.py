"""The Podcast Index tags beyond the first eight, as `Tag` trees: one place for their order,
attribute order and value formats, written by `_podcastindex` (the channel, through lxml)
and by `_items` (each item, as text).

Channel: `medium`, `license`, `location`, `trailer`, `txt`, `updateFrequency`, `block`,
`publisher`, `chat`, `images`, `value`, `socialInteract`, `podroll`, `remoteItem`,
`liveItem` (with its RSS `title`, `description`, `link`, `guid` and `enclosure`). Item,
after the tags `_items` writes itself: `soundbite`, `location`, `license`,
`alternateEnclosure`, `images`, `txt`, `chat`, `value`, `socialInteract`, `contentLink`.

Values: times in seconds as Python writes a float (`73.0`, `1234.5`), so that they read back
exactly; dates as RFC 2822 (`trailer pubdate`) or ISO 8601 in UTC (`updateFrequency
dtstart`); flags as `true`, written only when true (the namespace's default is false).
Optional attributes are written only when set.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

from feeds.model import (
    AlternateEnclosure,
    Chat,
    ContentLink,
    Episode,
    ImageSource,
    License,
    LiveItem,
    Location,
    Person,
    RemoteItem,
    Show,
    SocialInteract,
    Soundbite,
    Txt,
    Value,
    ValueRecipient,
    ValueTimeSplit,
)

__all__ = ["Tag", "channel_tags", "iso8601", "item_tags", "rfc2822", "seconds"]

# RFC 2822 names, whatever the process' locale.
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

Attributes = tuple[tuple[str, str | None], ...]


class Tag(NamedTuple):
    """An element: local name, attributes (None: left out), text, child elements, and its
    namespace's prefix ("podcast", or "" for RSS's own, such as a live item's `title`)."""

    name: str
    attributes: Attributes = ()
    text: str | None = None
    children: tuple[Tag, ...] = ()
    prefix: str = "podcast"


def rfc2822(moment: int) -> str:
    """`moment` (Unix time) as an RFC 2822 date in UTC: `Tue, 03 Dec 2024 00:00:00 +0000`."""
    at = datetime.fromtimestamp(moment, tz=UTC)
    return (
        f"{_DAYS[at.weekday()]}, {at.day:02d} {_MONTHS[at.month - 1]} "
        f"{at.year} {at.hour:02d}:{at.minute:02d}:{at.second:02d} +0000"
    )


def iso8601(moment: int) -> str:
    """`moment` (Unix time) as JavaScript's `toISOString` writes it: `2023-08-28T00:00:00.000Z`."""
    return datetime.fromtimestamp(moment, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def seconds(value: float) -> str:
    """A time in seconds as written in the feed: Python's shortest exact form (`73.0`)."""
    return repr(float(value))


def _number(value: float | None) -> str | None:
    if value is None:
        return None
    return str(value) if isinstance(value, int) else seconds(value)


def _whole(value: int | None) -> str | None:
    return None if value is None else str(value)


def _flag(value: bool) -> str | None:
    return "true" if value else None


def channel_tags(show: Show) -> list[Tag]:
    """The show's tags, in the order written after `podcast:person`."""
    tags: list[Tag] = []
    if show.medium is not None:
        tags.append(Tag("medium", text=show.medium))
    if show.license is not None:
        tags.append(_license(show.license))
    tags.extend(map(_location, show.locations))
    for trailer in show.trailers:
        attributes: Attributes = (
            ("url", trailer.url),
            ("pubdate", rfc2822(trailer.published)),
            ("length", _whole(trailer.length)),
            ("type", trailer.type),
            ("season", _whole(trailer.season)),
        )
        tags.append(Tag("trailer", attributes, trailer.title))
    tags.extend(map(_txt, show.txt))
    frequency = show.update_frequency
    if frequency is not None:
        attributes = (  # the order of the namespace's examples
            ("complete", _flag(frequency.complete)),
            ("dtstart", None if frequency.starts is None else iso8601(frequency.starts)),
            ("rrule", frequency.rrule),
        )
        tags.append(Tag("updateFrequency", attributes, frequency.label))
    for block in show.service_blocks:
        tags.append(Tag("block", (("id", block.service),), "yes" if block.blocked else "no"))
    if show.publisher is not None:
        tags.append(Tag("publisher", children=(_remote_item(show.publisher),)))
    if show.chat is not None:
        tags.append(_chat(show.chat))
    if show.image_srcset:
        tags.append(_images(show.image_srcset))
    tags.extend(map(_value, show.values))
    tags.extend(map(_social_interact, show.social_interacts))
    if show.podroll:
        tags.append(Tag("podroll", children=tuple(map(_remote_item, show.podroll))))
    tags.extend(map(_remote_item, show.remote_items))
    tags.extend(map(_live_item, show.live_items))
    return tags


def item_tags(episode: Episode) -> list[Tag]:
    """The episode's tags, in the order written after its `podcast:person` tags."""
    tags: list[Tag] = list(map(_soundbite, episode.soundbites))
    tags.extend(map(_location, episode.locations))
    if episode.license is not None:
        tags.append(_license(episode.license))
    tags.extend(map(_alternate_enclosure, episode.alternate_enclosures))
    if episode.image_srcset:
        tags.append(_images(episode.image_srcset))
    tags.extend(map(_txt, episode.txt))
    if episode.chat is not None:
        tags.append(_chat(episode.chat))
    tags.extend(map(_value, episode.values))
    tags.extend(map(_social_interact, episode.social_interacts))
    tags.extend(map(_content_link, episode.content_links))
    return tags


def _license(license: License) -> Tag:
    return Tag("license", (("url", license.url),), license.identifier)


def _location(location: Location) -> Tag:
    attributes = (
        ("rel", location.rel),
        ("geo", location.geo),
        ("osm", location.osm),
        ("country", location.country),
    )
    return Tag("location", attributes, location.name)


def _txt(txt: Txt) -> Tag:
    return Tag("txt", (("purpose", txt.purpose),), txt.text)


def _chat(chat: Chat) -> Tag:
    attributes = (
        ("server", chat.server),
        ("protocol", chat.protocol),
        ("accountId", chat.account_id),
        ("space", chat.space),
    )
    return Tag("chat", attributes)


def _images(images: tuple[ImageSource, ...]) -> Tag:
    srcset = ", ".join(f"{image.url} {image.width}w" for image in images)
    return Tag("images", (("srcset", srcset),))


def _remote_item(item: RemoteItem) -> Tag:
    attributes = (
        ("feedGuid", item.feed_guid),
        ("feedUrl", item.feed_url),
        ("itemGuid", item.item_guid),
        ("medium", item.medium),
        ("title", item.title),
    )
    return Tag("remoteItem", attributes)


def _recipient(recipient: ValueRecipient) -> Tag:
    attributes = (
        ("name", recipient.name),
        ("type", recipient.type),
        ("address", recipient.address),
        ("split", str(recipient.split)),
        ("customKey", recipient.custom_key),
        ("customValue", recipient.custom_value),
        ("fee", _flag(recipient.fee)),
    )
    return Tag("valueRecipient", attributes)


def _time_split(split: ValueTimeSplit) -> Tag:
    attributes = (
        ("startTime", seconds(split.start_time)),
        ("duration", seconds(split.duration)),
        ("remoteStartTime", _number(split.remote_start_time)),
        ("remotePercentage", _whole(split.remote_percentage)),
    )
    children = tuple(map(_recipient, split.recipients))
    if split.remote_item is not None:
        children += (_remote_item(split.remote_item),)
    return Tag("valueTimeSplit", attributes, children=children)


def _value(value: Value) -> Tag:
    attributes = (("type", value.type), ("method", value.method), ("suggested", value.suggested))
    children = tuple(map(_recipient, value.recipients))
    children += tuple(map(_time_split, value.time_splits))
    # An empty `podcast:value` is written open and closed, as the namespace's example is.
    return Tag("value", attributes, None if children else "", children)


def _social_interact(social: SocialInteract) -> Tag:
    attributes = (
        ("priority", _whole(social.priority)),
        ("protocol", social.protocol),
        ("uri", social.uri),
        ("accountId", social.account_id),
        ("accountUrl", social.account_url),
    )
    return Tag("socialInteract", attributes)


def _soundbite(soundbite: Soundbite) -> Tag:
    attributes = (
        ("startTime", seconds(soundbite.start_time)),
        ("duration", seconds(soundbite.duration)),
    )
    return Tag("soundbite", attributes, soundbite.title or None)


def _alternate_enclosure(alternate: AlternateEnclosure) -> Tag:
    attributes = (
        ("type", alternate.type),
        ("length", _whole(alternate.length)),
        ("bitrate", _number(alternate.bitrate)),
        ("height", _whole(alternate.height)),
        ("lang", alternate.lang),
        ("title", alternate.title),
        ("rel", alternate.rel),
        ("codecs", alternate.codecs),
        ("default", _flag(alternate.default)),
    )
    children = tuple(
        Tag("source", (("uri", source.uri), ("contentType", source.content_type)))
        for source in alternate.sources
    )
    integrity = alternate.integrity
    if integrity is not None:
        children += (Tag("integrity", (("type", integrity.type), ("value", integrity.value))),)
    return Tag("alternateEnclosure", attributes, children=children)


def _content_link(link: ContentLink) -> Tag:
    return Tag("contentLink", (("href", link.href),), link.text)


def _rss(name: str, text: str) -> Tag:
    return Tag(name, text=text, prefix="")


def _person(person: Person) -> Tag:
    attributes = (
        ("role", person.role),
        ("group", person.group),
        ("img", person.img),
        ("href", person.href),
    )
    return Tag("person", attributes, person.name)


def _live_item(live: LiveItem) -> Tag:
    """The namespace's order: the item's RSS elements, its podcast: ones, the enclosure, and
    the content links last."""
    attributes = (
        ("status", live.status),
        ("start", iso8601(live.start)),
        ("end", None if live.end is None else iso8601(live.end)),
    )
    children = [_rss("title", live.title)]
    if live.description:
        children.append(_rss("description", live.description))
    if live.link:
        children.append(_rss("link", live.link))
    children.append(Tag("guid", (("isPermaLink", "false"),), live.guid, prefix=""))
    if live.image_srcset:
        children.append(_images(live.image_srcset))
    children.extend(map(_person, live.persons))
    children.extend(map(_alternate_enclosure, live.alternate_enclosures))
    if live.chat is not None:
        children.append(_chat(live.chat))
    children.extend(map(_value, live.values))
    enclosure = live.enclosure
    if enclosure is not None:
        attributes_of_enclosure: Attributes = (
            ("url", enclosure.url),
            # RSS requires a length; a stream has none, and 0 says so.
            ("length", str(enclosure.length)),
            ("type", enclosure.type),
        )
        children.append(Tag("enclosure", attributes_of_enclosure, prefix=""))
    children.extend(map(_content_link, live.content_links))
    return Tag("liveItem", attributes, children=tuple(children))
