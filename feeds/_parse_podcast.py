"""Readers for the Podcast Index tags beyond the first eight (those `_podcast_tags` writes).

Like `_parse_fields`, each reader takes an element's children and returns the model's value,
reporting to `Problems` what it could not read: a tag without what the namespace requires
(a trailer without a url, a value without a method) is left out and reported, an optional
attribute that cannot be read is left unset and reported. Values are kept as written
(a medium, a protocol, a service slug): lint judges them, the reader only reads.
"""

from __future__ import annotations

import math
import re

from lxml import etree

from feeds._namespaces import podcast
from feeds._parse_fields import Children, ProblemCode, Problems, attribute, persons, where
from feeds._parse_text import line_text, text
from feeds._parse_values import read_count, read_moment
from feeds.model import (
    AlternateEnclosure,
    Chat,
    ContentLink,
    Enclosure,
    ImageSource,
    Integrity,
    License,
    LiveItem,
    Location,
    RemoteItem,
    ServiceBlock,
    SocialInteract,
    Soundbite,
    Source,
    Trailer,
    Txt,
    UpdateFrequency,
    Value,
    ValueRecipient,
    ValueTimeSplit,
)

__all__ = [
    "alternate_enclosures",
    "chat",
    "content_links",
    "image_srcset",
    "license",
    "live_items",
    "locations",
    "medium",
    "podroll",
    "publisher",
    "remote_items",
    "season_name",
    "service_blocks",
    "social_interacts",
    "soundbites",
    "trailers",
    "txt",
    "update_frequency",
    "values",
]

# One image of a srcset: an absolute URL and a width descriptor (`… 1500w`).
_SRCSET_ENTRY = re.compile(r"(\S+)\s+([0-9]+)w")
# Entries are separated by a comma and whitespace (a URL may hold a comma of its own).
_SRCSET_SEPARATOR = re.compile(r",\s+|,$")


class _UnreadableError(ValueError):
    """An attribute that is there but cannot be read as what the namespace says it is."""


def _whole(element: etree._Element, name: str) -> int | None:
    value = attribute(element, name)
    if value is None:
        return None
    try:
        return read_count(value)
    except ValueError as error:
        raise _UnreadableError(f"{name} {error}") from error


def _seconds(element: etree._Element, name: str) -> float | None:
    value = attribute(element, name)
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise _UnreadableError(f"{name} {value!r} is not a number")
    return number


def _flag(element: etree._Element, name: str) -> bool:
    return (attribute(element, name) or "").lower() == "true"


class _Reader:
    """Reads one kind of tag, reporting what it leaves out as BAD_VALUE for `index`."""

    def __init__(self, index: int | None, problems: Problems) -> None:
        self.index = index
        self.problems = problems

    def left_out(self, tag: str, why: str) -> None:
        self.problems.add(
            self.index,
            ProblemCode.BAD_VALUE,
            f"{where(self.index)}: a podcast:{tag} {why}; it was left out",
        )

    def unset(self, tag: str, error: _UnreadableError) -> None:
        self.problems.add(
            self.index,
            ProblemCode.BAD_VALUE,
            f"{where(self.index)}: podcast:{tag}'s {error}; left unset",
        )

    def whole(self, element: etree._Element, tag: str, name: str) -> int | None:
        try:
            return _whole(element, name)
        except _UnreadableError as error:
            self.unset(tag, error)
            return None

    def seconds(self, element: etree._Element, tag: str, name: str) -> float | None:
        try:
            return _seconds(element, name)
        except _UnreadableError as error:
            self.unset(tag, error)
            return None


# Both levels -----------------------------------------------------------------------------


def license(parent: Children, index: int | None, problems: Problems) -> License | None:
    element = parent.first(podcast("license"))
    if element is None:
        return None
    identifier = line_text(element)
    if not identifier:
        _Reader(index, problems).left_out("license", "has no licence identifier")
        return None
    return License(identifier, attribute(element, "url"))


def locations(parent: Children, index: int | None, problems: Problems) -> tuple[Location, ...]:
    found: list[Location] = []
    for element in parent.all(podcast("location")):
        name = line_text(element)
        if not name:
            _Reader(index, problems).left_out("location", "has no name")
            continue
        found.append(
            Location(
                name,
                geo=attribute(element, "geo"),
                osm=attribute(element, "osm"),
                rel=attribute(element, "rel"),
                country=attribute(element, "country"),
            )
        )
    return tuple(found)


def txt(parent: Children) -> tuple[Txt, ...]:
    return tuple(
        Txt(text(element), attribute(element, "purpose")) for element in parent.all(podcast("txt"))
    )


def chat(parent: Children, index: int | None, problems: Problems) -> Chat | None:
    element = parent.first(podcast("chat"))
    if element is None:
        return None
    server, protocol = attribute(element, "server"), attribute(element, "protocol")
    if server is None or protocol is None:
        _Reader(index, problems).left_out("chat", "has no server or no protocol")
        return None
    return Chat(server, protocol, attribute(element, "accountId"), attribute(element, "space"))


def image_srcset(
    parent: Children, index: int | None, problems: Problems
) -> tuple[ImageSource, ...]:
    element = parent.first(podcast("images"))
    srcset = attribute(element, "srcset") if element is not None else None
    if srcset is None:
        return ()
    found: list[ImageSource] = []
    for entry in filter(None, (part.strip() for part in _SRCSET_SEPARATOR.split(srcset))):
        match = _SRCSET_ENTRY.fullmatch(entry)
        if match is None:
            _Reader(index, problems).left_out(
                "images", f"srcset entry {entry!r} is not a URL and a width such as 1500w"
            )
            continue
        found.append(ImageSource(match[1], int(match[2])))
    return tuple(found)


def values(parent: Children, index: int | None, problems: Problems) -> tuple[Value, ...]:
    reader = _Reader(index, problems)
    found: list[Value] = []
    for element in parent.all(podcast("value")):
        kind, method = attribute(element, "type"), attribute(element, "method")
        if kind is None or method is None:
            reader.left_out("value", "has no type or no method")
            continue
        inside = Children(element)
        splits: list[ValueTimeSplit] = []
        for split in inside.all(podcast("valueTimeSplit")):
            time_split = _time_split(split, reader)
            if time_split is not None:
                splits.append(time_split)
        found.append(
            Value(
                kind,
                method,
                _recipients(inside, reader),
                suggested=attribute(element, "suggested"),
                time_splits=tuple(splits),
            )
        )
    return tuple(found)


def _recipients(inside: Children, reader: _Reader) -> tuple[ValueRecipient, ...]:
    found: list[ValueRecipient] = []
    for element in inside.all(podcast("valueRecipient")):
        kind, address = attribute(element, "type"), attribute(element, "address")
        try:
            split = _whole(element, "split")
        except _UnreadableError as error:
            reader.left_out("valueRecipient", f"cannot be read: its {error}")
            continue
        if kind is None or address is None or split is None:
            reader.left_out("valueRecipient", "has no type, address or split")
            continue
        found.append(
            ValueRecipient(
                kind,
                address,
                split,
                name=attribute(element, "name"),
                custom_key=attribute(element, "customKey"),
                custom_value=attribute(element, "customValue"),
                fee=_flag(element, "fee"),
            )
        )
    return tuple(found)


def _time_split(element: etree._Element, reader: _Reader) -> ValueTimeSplit | None:
    try:
        start, duration = _seconds(element, "startTime"), _seconds(element, "duration")
    except _UnreadableError as error:
        reader.left_out("valueTimeSplit", f"cannot be read: its {error}")
        return None
    if start is None or duration is None:
        reader.left_out("valueTimeSplit", "has no startTime or no duration")
        return None
    inside = Children(element)
    remote = inside.first(podcast("remoteItem"))
    return ValueTimeSplit(
        start,
        duration,
        recipients=_recipients(inside, reader),
        remote_item=_remote_item(remote, reader) if remote is not None else None,
        remote_start_time=reader.seconds(element, "valueTimeSplit", "remoteStartTime"),
        remote_percentage=reader.whole(element, "valueTimeSplit", "remotePercentage"),
    )


def social_interacts(
    parent: Children, index: int | None, problems: Problems
) -> tuple[SocialInteract, ...]:
    reader = _Reader(index, problems)
    found: list[SocialInteract] = []
    for element in parent.all(podcast("socialInteract")):
        protocol = attribute(element, "protocol")
        if protocol is None:
            reader.left_out("socialInteract", "has no protocol")
            continue
        found.append(
            SocialInteract(
                protocol,
                uri=attribute(element, "uri"),
                account_id=attribute(element, "accountId"),
                account_url=attribute(element, "accountUrl"),
                priority=reader.whole(element, "socialInteract", "priority"),
            )
        )
    return tuple(found)


def _remote_item(element: etree._Element, reader: _Reader) -> RemoteItem | None:
    feed_guid = attribute(element, "feedGuid")
    if feed_guid is None:
        reader.left_out("remoteItem", "has no feedGuid")
        return None
    return RemoteItem(
        feed_guid,
        feed_url=attribute(element, "feedUrl"),
        item_guid=attribute(element, "itemGuid"),
        medium=attribute(element, "medium"),
        title=attribute(element, "title"),
    )


def _remote_items(elements: list[etree._Element], reader: _Reader) -> tuple[RemoteItem, ...]:
    found = (_remote_item(element, reader) for element in elements)
    return tuple(item for item in found if item is not None)


# The channel -----------------------------------------------------------------------------


def medium(channel: Children) -> str | None:
    return channel.line(podcast("medium"))


def trailers(channel: Children, problems: Problems) -> tuple[Trailer, ...]:
    reader = _Reader(None, problems)
    found: list[Trailer] = []
    for element in channel.all(podcast("trailer")):
        url, pubdate = attribute(element, "url"), attribute(element, "pubdate")
        if url is None or pubdate is None:
            reader.left_out("trailer", "has no url or no pubdate")
            continue
        try:
            published = read_moment(pubdate).seconds
        except ValueError as error:
            reader.left_out("trailer", f"has a pubdate that {error}")
            continue
        found.append(
            Trailer(
                line_text(element),
                url,
                published,
                length=reader.whole(element, "trailer", "length"),
                type=attribute(element, "type"),
                season=reader.whole(element, "trailer", "season"),
            )
        )
    return tuple(found)


def update_frequency(channel: Children, problems: Problems) -> UpdateFrequency | None:
    element = channel.first(podcast("updateFrequency"))
    if element is None:
        return None
    starts: int | None = None
    dtstart = attribute(element, "dtstart")
    if dtstart is not None:
        try:
            starts = read_moment(dtstart).seconds
        except ValueError as error:
            _Reader(None, problems).unset("updateFrequency", _UnreadableError(f"dtstart {error}"))
    return UpdateFrequency(
        line_text(element),
        rrule=attribute(element, "rrule"),
        complete=_flag(element, "complete"),
        starts=starts,
    )


def service_blocks(channel: Children, problems: Problems) -> tuple[ServiceBlock, ...]:
    found: list[ServiceBlock] = []
    for element in channel.all(podcast("block")):
        value = text(element).lower()
        if value not in ("yes", "no"):
            _Reader(None, problems).left_out("block", f"is {value!r}, not yes or no")
            continue
        found.append(ServiceBlock(value == "yes", attribute(element, "id")))
    return tuple(found)


def publisher(channel: Children, problems: Problems) -> RemoteItem | None:
    element = channel.first(podcast("publisher"))
    if element is None:
        return None
    remote = Children(element).first(podcast("remoteItem"))
    reader = _Reader(None, problems)
    if remote is None:
        reader.left_out("publisher", "holds no podcast:remoteItem")
        return None
    return _remote_item(remote, reader)


def podroll(channel: Children, problems: Problems) -> tuple[RemoteItem, ...]:
    element = channel.first(podcast("podroll"))
    if element is None:
        return ()
    return _remote_items(Children(element).all(podcast("remoteItem")), _Reader(None, problems))


def remote_items(channel: Children, problems: Problems) -> tuple[RemoteItem, ...]:
    return _remote_items(channel.all(podcast("remoteItem")), _Reader(None, problems))


# Items -----------------------------------------------------------------------------------


def season_name(item: Children) -> str | None:
    element = item.first(podcast("season"))
    return attribute(element, "name") if element is not None else None


def soundbites(item: Children, index: int, problems: Problems) -> tuple[Soundbite, ...]:
    reader = _Reader(index, problems)
    found: list[Soundbite] = []
    for element in item.all(podcast("soundbite")):
        try:
            start, duration = _seconds(element, "startTime"), _seconds(element, "duration")
        except _UnreadableError as error:
            reader.left_out("soundbite", f"cannot be read: its {error}")
            continue
        if start is None or duration is None:
            reader.left_out("soundbite", "has no startTime or no duration")
            continue
        found.append(Soundbite(start, duration, line_text(element)))
    return tuple(found)


def alternate_enclosures(
    item: Children, index: int | None, problems: Problems
) -> tuple[AlternateEnclosure, ...]:
    reader = _Reader(index, problems)
    found: list[AlternateEnclosure] = []
    tag = "alternateEnclosure"
    for element in item.all(podcast(tag)):
        media_type = attribute(element, "type")
        inside = Children(element)
        sources = tuple(
            Source(uri, attribute(source, "contentType"))
            for source in inside.all(podcast("source"))
            if (uri := attribute(source, "uri")) is not None
        )
        if media_type is None or not sources:
            reader.left_out(tag, "has no type or no podcast:source with a uri")
            continue
        integrity: Integrity | None = None
        check = inside.first(podcast("integrity"))
        if check is not None:
            kind, value = attribute(check, "type"), attribute(check, "value")
            if kind is None or value is None:
                reader.left_out("integrity", "has no type or no value")
            else:
                integrity = Integrity(kind, value)
        found.append(
            AlternateEnclosure(
                media_type,
                sources,
                length=reader.whole(element, tag, "length"),
                bitrate=reader.seconds(element, tag, "bitrate"),
                height=reader.whole(element, tag, "height"),
                lang=attribute(element, "lang"),
                title=attribute(element, "title"),
                rel=attribute(element, "rel"),
                codecs=attribute(element, "codecs"),
                default=_flag(element, "default"),
                integrity=integrity,
            )
        )
    return tuple(found)


def content_links(item: Children, index: int | None, problems: Problems) -> tuple[ContentLink, ...]:
    found: list[ContentLink] = []
    for element in item.all(podcast("contentLink")):
        href = attribute(element, "href")
        if href is None:
            _Reader(index, problems).left_out("contentLink", "has no href")
            continue
        found.append(ContentLink(href, line_text(element)))
    return tuple(found)


# Live items (channel) ----------------------------------------------------------------------

_LIVE = "liveItem"


def live_items(channel: Children, problems: Problems) -> tuple[LiveItem, ...]:
    """Each `podcast:liveItem` with a status, a start, a GUID and a title; its children are
    read as an item's are, with problems named for the channel."""
    reader = _Reader(None, problems)
    found: list[LiveItem] = []
    for element in channel.all(podcast(_LIVE)):
        status, start_text = attribute(element, "status"), attribute(element, "start")
        inside = Children(element)
        guid, title = inside.line("guid"), inside.line("title")
        if status is None or start_text is None or guid is None or title is None:
            reader.left_out(_LIVE, "has no status, start, guid or title")
            continue
        try:
            start = read_moment(start_text).seconds
        except ValueError as error:
            reader.left_out(_LIVE, f"has a start that {error}")
            continue
        end: int | None = None
        end_text = attribute(element, "end")
        if end_text is not None:
            try:
                end = read_moment(end_text).seconds
            except ValueError as error:
                reader.unset(_LIVE, _UnreadableError(f"end {error}"))
        description = inside.first("description")
        found.append(
            LiveItem(
                guid,
                title,
                status,
                start,
                _stream(inside, reader),
                end=end,
                description=text(description).strip() if description is not None else "",
                link=inside.line("link"),
                persons=persons(inside, None, problems),
                alternate_enclosures=alternate_enclosures(inside, None, problems),
                image_srcset=image_srcset(inside, None, problems),
                values=values(inside, None, problems),
                chat=chat(inside, None, problems),
                content_links=content_links(inside, None, problems),
            )
        )
    return tuple(found)


def _stream(inside: Children, reader: _Reader) -> Enclosure | None:
    """A live item's enclosure: the stream. Its length is 0 when missing (streams have none)."""
    element = next((e for e in inside.all("enclosure") if attribute(e, "url")), None)
    if element is None:
        return None
    url = attribute(element, "url") or ""
    length = 0
    try:
        length = _whole(element, "length") or 0
    except _UnreadableError as error:
        reader.unset("liveItem enclosure", error)
    return Enclosure(url, length, attribute(element, "type") or "")
