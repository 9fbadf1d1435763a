"""The Podcast Index namespace's tags beyond the first eight, as document fields.

https://podcastindex.org/namespace/1.0. The field names are those of the `feeds` model (and
so of lint's messages): `locations`, `image_srcset`, `alternate_enclosures`, … Each model
holds the rules lint treats as errors where a schema can state them (closed lists, ranges,
URL schemes, the forms of geo URIs, OSM ids, recurrence rules and SRI strings); what lint only
warns about (a service slug or protocol not yet on the namespace's open lists, a long label,
a soundbite outside 15 to 120 seconds) a document may hold.

Where a tag points at media podops can hold — a trailer, an alternate enclosure's source, an
image of a srcset, a live item's enclosure — the document names it like `enclosure` does:
`{"rel": "asset", "name": …}` for an uploaded asset, `{"rel": "external", …}` for a URL
carried as it is.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

import feeds
from podops.resources._types import (
    MAX_INT32,
    MAX_INT64,
    DocumentModel,
    Name,
    ShortText,
    Text,
    UnixTime,
    fail,
)
from podops.resources._web import MediaMimeType, MimeType, Uri, WebUrl
from podops.resources.persons import MAX_PERSONS, Person
from podops.resources.references import AssetReference

MAX_TAGS = 50  # locations, trailers, txt records, values, … of one show or episode
MAX_REMOTE_ITEMS = 1000  # a podroll, or the items of a list medium such as "musicL"
MAX_RECIPIENTS = 100
MAX_SOURCES = 20
MAX_TXT_CHARS = 4000
MAX_SECONDS = 10**9  # about 31 years: no media lasts longer

Seconds = Annotated[float, Field(ge=0, le=MAX_SECONDS, description="seconds")]
Duration = Annotated[float, Field(gt=0, le=MAX_SECONDS, description="seconds")]
PodcastGuid = Annotated[
    str,
    Field(
        pattern="^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
        description="a feed's podcast:guid (a UUID)",
    ),
]
ItemGuid = Annotated[str, Field(min_length=1, max_length=1024, description="an item's guid")]


def _check_medium(value: str) -> str:
    if value not in feeds.MEDIUMS:
        fail(
            "medium_unknown",
            f"{value[:40]!r} is not a medium of the Podcast Index "
            f"({', '.join(sorted(feeds.MEDIUMS))}; case-sensitive)",
        )
    return value


Medium = Annotated[
    str,
    Field(
        description="what the feed is (podcast:medium); a list medium ends in L (musicL)",
        json_schema_extra={"enum": sorted(feeds.MEDIUMS)},
    ),
    AfterValidator(_check_medium),
]


class License(DocumentModel):
    """`podcast:license`: an identifier from the namespace's list (cc-by-4.0, …), or a custom
    licence with the `url` of its full text."""

    identifier: ShortText
    url: Annotated[WebUrl | None, Field(validate_default=True)] = None

    @field_validator("url")
    @classmethod
    def _custom_needs_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        identifier = info.data.get("identifier")
        if value is None and identifier and identifier.lower() not in feeds.KNOWN_LICENSES:
            fail(
                "license_url_missing",
                f"the licence {identifier!r} is not one the Podcast Index lists "
                f"({', '.join(sorted(feeds.KNOWN_LICENSES))}); a custom licence needs the URL "
                "of its full text",
            )
        return value


_GEO = re.compile(
    r"geo:(-?[0-9]+(?:\.[0-9]+)?),(-?[0-9]+(?:\.[0-9]+)?)(?:,-?[0-9]+(?:\.[0-9]+)?)?"
    r"(?:;[A-Za-z0-9-]+=[^;]+)*",
    re.IGNORECASE,
)


class Location(DocumentModel):
    """`podcast:location`: a place the show or episode is about (`rel` subject, the default)
    or was made in (creator)."""

    name: ShortText
    geo: (
        Annotated[
            str,
            Field(
                max_length=256,
                description="an RFC 5870 geo URI, e.g. geo:30.2672,-97.7431",
                json_schema_extra={"pattern": r"^[Gg][Ee][Oo]:-?[0-9]"},
            ),
        ]
        | None
    ) = None
    osm: (
        Annotated[
            str,
            Field(
                pattern=r"^[NWR][0-9]+(#[0-9]+)?$",
                max_length=32,
                description="an OpenStreetMap type (N, W or R) and id, e.g. R113314",
            ),
        ]
        | None
    ) = None
    rel: Literal["subject", "creator"] | None = None
    country: (
        Annotated[str, Field(pattern="^[A-Z]{2}$", description="ISO 3166-1 alpha-2, e.g. US")]
        | None
    ) = None

    @field_validator("geo")
    @classmethod
    def _geo_uri(cls, value: str | None) -> str | None:
        if value is None:
            return value
        match = _GEO.fullmatch(value)
        if match is None or not (abs(float(match[1])) <= 90 and abs(float(match[2])) <= 180):
            fail(
                "geo_invalid",
                f"{value[:60]!r} is not an RFC 5870 geo URI such as geo:30.2672,-97.7431 "
                "(latitude -90 to 90, longitude -180 to 180)",
            )
        return value


class ExternalMedia(DocumentModel):
    """Media hosted elsewhere, carried as it is."""

    rel: Literal["external"]
    url: WebUrl
    type: MediaMimeType | None = None
    length: Annotated[int, Field(gt=0, le=MAX_INT64, description="size in bytes")] | None = None


MediaReference = Annotated[AssetReference | ExternalMedia, Field(discriminator="rel")]
"""A trailer's media: an uploaded asset, or a URL."""


class Trailer(DocumentModel):
    """`podcast:trailer`: a trailer for the show, or for one `season` of it."""

    title: ShortText
    media: MediaReference
    published: UnixTime
    season: Annotated[int, Field(ge=1, le=MAX_INT32)] | None = None


class Txt(DocumentModel):
    """`podcast:txt`: free-form text, such as a directory's ownership token (`purpose` verify)
    or `purpose` ai-content with true or false."""

    text: Annotated[str, Field(min_length=1, max_length=MAX_TXT_CHARS)]
    purpose: Annotated[ShortText | None, Field(validate_default=True)] = None

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            fail("text_blank", "must not be blank")
        return value

    @field_validator("purpose")
    @classmethod
    def _ai_content_is_a_flag(cls, value: str | None, info: ValidationInfo) -> str | None:
        text = info.data.get("text")
        if value == "ai-content" and text is not None and text not in ("true", "false"):
            fail("txt_ai_content", f"an ai-content txt must be true or false, not {text[:40]!r}")
        return value


class UpdateFrequency(DocumentModel):
    """`podcast:updateFrequency`: the release schedule as words and as an RFC 5545 rule
    (`FREQ=WEEKLY;BYDAY=MO`), starting at `starts` (needed when the rule has a COUNT)."""

    label: ShortText
    rrule: (
        Annotated[
            str,
            Field(
                min_length=1,
                max_length=512,
                description="an RFC 5545 recurrence rule, e.g. FREQ=WEEKLY;BYDAY=MO",
                json_schema_extra={"pattern": "^[A-Za-z]"},
            ),
        ]
        | None
    ) = None
    complete: bool = False
    starts: Annotated[UnixTime | None, Field(validate_default=True)] = None

    @field_validator("rrule")
    @classmethod
    def _recurrence_rule(cls, value: str | None) -> str | None:
        problem = None if value is None else feeds.rrule_problem(value)
        if problem is not None:
            fail("rrule_invalid", f"the recurrence rule {problem}")
        return value

    @field_validator("starts")
    @classmethod
    def _count_needs_start(cls, value: int | None, info: ValidationInfo) -> int | None:
        rule = info.data.get("rrule")
        if value is None and rule is not None and "COUNT=" in rule.upper():
            fail("rrule_start_missing", "the recurrence rule has a COUNT, so it needs `starts`")
        return value


class ServiceBlock(DocumentModel):
    """`podcast:block`: whether one `service` (a slug of the namespace's list, such as
    google) or, without one, every platform, must leave the show out."""

    blocked: bool
    service: (
        Annotated[
            str,
            Field(
                pattern="^[a-z0-9]+$",
                max_length=64,
                description="a service slug of the Podcast Index, e.g. google, spotify",
            ),
        ]
        | None
    ) = None


class RemoteItem(DocumentModel):
    """`podcast:remoteItem`: another feed, by its podcast:guid, or one item of it."""

    feed_guid: PodcastGuid
    feed_url: WebUrl | None = None
    item_guid: ItemGuid | None = None
    medium: Medium | None = None
    title: ShortText | None = None


class Chat(DocumentModel):
    """`podcast:chat`: the official chat's server (a host name), protocol (irc, xmpp, nostr,
    matrix), the podcaster's account and the room."""

    server: Annotated[
        str,
        Field(
            max_length=253,
            pattern=r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9-]+)*$",
            description="a host name, no scheme or path: irc.zeronode.net",
        ),
    ]
    protocol: Annotated[
        str,
        Field(pattern="^[a-z0-9]+$", max_length=32, description="irc, xmpp, nostr or matrix"),
    ]
    account_id: ShortText | None = None
    space: ShortText | None = None


class ExternalImageSource(DocumentModel):
    """An image of a srcset hosted elsewhere, and its width in pixels."""

    rel: Literal["external"]
    url: WebUrl
    width: Annotated[int, Field(ge=1, le=1_000_000, description="pixels")]

    @field_validator("url")
    @classmethod
    def _no_comma(cls, value: str) -> str:
        if "," in value:
            fail("url_comma", "an image URL in a srcset cannot hold a comma: write it as %2C")
        return value


class AssetImageSource(DocumentModel):
    """An uploaded image of a srcset; its width is the one probed unless given."""

    rel: Literal["asset"]
    name: Name
    width: Annotated[int, Field(ge=1, le=1_000_000, description="pixels")] | None = None


ImageSourceReference = Annotated[AssetImageSource | ExternalImageSource, Field(discriminator="rel")]
"""One image of `podcast:images`."""


class ValueRecipient(DocumentModel):
    """`podcast:valueRecipient`: who gets `split` shares of each payment, at `address` (a
    Lightning node's key for `type` node, an address for lnaddress)."""

    type: Annotated[str, Field(pattern="^[a-z0-9-]+$", max_length=32, description="node, …")]
    address: Text
    split: Annotated[int, Field(ge=0, le=MAX_INT32)]
    name: ShortText | None = None
    custom_key: ShortText | None = None
    custom_value: Text | None = None
    fee: bool = False


class ValueTimeSplit(DocumentModel):
    """`podcast:valueTimeSplit`: other recipients from `start_time` for `duration` seconds,
    either `recipients` or one `remote_item` (which gets `remote_percentage`)."""

    start_time: Seconds
    duration: Duration
    recipients: Annotated[list[ValueRecipient], Field(max_length=MAX_RECIPIENTS)] = []
    remote_item: Annotated[RemoteItem | None, Field(validate_default=True)] = None
    remote_start_time: Seconds | None = None
    remote_percentage: Annotated[int, Field(ge=0, le=100)] | None = None

    @field_validator("remote_item")
    @classmethod
    def _one_kind_of_recipient(
        cls, value: RemoteItem | None, info: ValidationInfo
    ) -> RemoteItem | None:
        recipients = info.data.get("recipients")
        if recipients is not None and bool(recipients) == (value is not None):
            fail("time_split_recipients", "a time split holds either recipients or a remote item")
        return value


class Value(DocumentModel):
    """`podcast:value`: payments while listening, by `type` (lightning) and `method`
    (keysend); `suggested` is an amount as written (0.00000005000)."""

    type: Annotated[str, Field(pattern="^[a-z0-9-]+$", max_length=32, description="lightning")]
    method: Annotated[str, Field(pattern="^[a-z0-9-]+$", max_length=32, description="keysend")]
    recipients: Annotated[list[ValueRecipient], Field(min_length=1, max_length=MAX_RECIPIENTS)]
    suggested: (
        Annotated[
            str,
            Field(pattern=r"^[0-9]+(\.[0-9]+)?$", max_length=32, description="a decimal amount"),
        ]
        | None
    ) = None
    time_splits: Annotated[list[ValueTimeSplit], Field(max_length=MAX_TAGS)] = []


class SocialInteract(DocumentModel):
    """`podcast:socialInteract`: the root post of the comments (`uri`) and its `protocol`
    (activitypub, atproto, …); protocol disabled, without a uri, asks for no comments."""

    protocol: Annotated[
        str, Field(pattern="^[a-z0-9]+$", max_length=32, description="activitypub, atproto, …")
    ]
    uri: Annotated[Uri | None, Field(validate_default=True)] = None
    account_id: ShortText | None = None
    account_url: WebUrl | None = None
    priority: Annotated[int, Field(ge=0, le=MAX_INT32)] | None = None

    @field_validator("uri")
    @classmethod
    def _uri_unless_disabled(cls, value: str | None, info: ValidationInfo) -> str | None:
        protocol = info.data.get("protocol")
        if value is None and protocol is not None and protocol != "disabled":
            fail(
                "social_uri_missing", "the root post's URI is required unless protocol is disabled"
            )
        return value


class Soundbite(DocumentModel):
    """`podcast:soundbite`: a part of the episode worth sharing, in seconds from its start
    (the namespace suggests 15 to 120 seconds); without a title apps use the episode's."""

    start_time: Seconds
    duration: Duration
    title: ShortText | None = None


class ExternalSource(DocumentModel):
    """A URI the alternate media can be had at (https, ipfs, a torrent's: `content_type`
    then says what it delivers)."""

    rel: Literal["external"]
    uri: Uri
    content_type: MimeType | None = None


SourceReference = Annotated[AssetReference | ExternalSource, Field(discriminator="rel")]
"""A `podcast:source`: an uploaded asset, or a URI."""

_SRI = re.compile(r"(?:sha256|sha384|sha512)-[A-Za-z0-9+/]+={0,2}(?:\s+\S+)*")


class Integrity(DocumentModel):
    """`podcast:integrity`: an SRI string (`sha384-…`) or a base64 PGP signature."""

    type: Literal["sri", "pgp-signature"]
    value: Annotated[str, Field(min_length=1, max_length=16384)]

    @field_validator("value")
    @classmethod
    def _sri_form(cls, value: str, info: ValidationInfo) -> str:
        if not value.strip():
            fail("text_blank", "must not be blank")
        if info.data.get("type") == "sri" and not _SRI.fullmatch(value):
            fail("sri_invalid", "is not an SRI string such as sha384-<base64 digest>")
        return value


class AlternateEnclosure(DocumentModel):
    """`podcast:alternateEnclosure`: another encoding or quality of the episode, with where
    to get it (`sources`); `default` marks the main enclosure's own file. Left out, `type`
    and `length` are the first uploaded source's."""

    sources: Annotated[list[SourceReference], Field(min_length=1, max_length=MAX_SOURCES)]
    type: Annotated[MimeType | None, Field(validate_default=True)] = None
    length: Annotated[int, Field(ge=0, le=MAX_INT64, description="bytes")] | None = None
    bitrate: Annotated[float, Field(ge=0, le=1e12, description="bits per second")] | None = None
    height: Annotated[int, Field(ge=0, le=1_000_000, description="pixels")] | None = None
    lang: ShortText | None = None
    title: ShortText | None = None
    rel: ShortText | None = None
    codecs: ShortText | None = None
    default: bool = False
    integrity: Integrity | None = None

    @field_validator("type")
    @classmethod
    def _type_known(cls, value: str | None, info: ValidationInfo) -> str | None:
        sources = info.data.get("sources")
        if value is None and sources and not any(s.rel == "asset" for s in sources):
            fail("type_missing", "is required unless a source is an uploaded asset")
        return value


class ContentLink(DocumentModel):
    """`podcast:contentLink`: the content elsewhere (a video site), with a label."""

    href: Uri
    text: ShortText | None = None


class ExternalStream(DocumentModel):
    """A live stream hosted elsewhere (an Icecast mount, an HLS playlist), carried as it is;
    a stream has no size, so `length` is left out (the feed says 0) unless known."""

    rel: Literal["external"]
    url: WebUrl
    type: MimeType
    length: Annotated[int, Field(gt=0, le=MAX_INT64, description="bytes")] | None = None


StreamReference = Annotated[AssetReference | ExternalStream, Field(discriminator="rel")]
"""A live item's enclosure: an uploaded asset (a recording), or the stream's URL."""

MAX_LIVE_ITEMS = 20
LiveItemGuid = Annotated[
    str,
    Field(
        min_length=1,
        max_length=1024,
        pattern=r"^\S(.*\S)?$",
        description="the item's GUID, chosen once and never changed (it may become an "
        "episode's feed_guid when the recording is published)",
    ),
]


class LiveItem(DocumentModel):
    """`podcast:liveItem`: a live stream, `pending` before it starts, `live` while it runs,
    `ended` after; `start` and `end` in Unix seconds; `enclosure` is the stream and
    `content_links` where else to follow it. Its other children are an episode's."""

    guid: LiveItemGuid
    title: Text
    status: Literal["pending", "live", "ended"]
    start: UnixTime
    end: Annotated[UnixTime | None, Field(validate_default=True)] = None
    enclosure: StreamReference
    description: Text | None = None
    link: WebUrl | None = None
    persons: Annotated[list[Person], Field(max_length=MAX_PERSONS)] | None = None
    alternate_enclosures: Annotated[list[AlternateEnclosure], Field(max_length=MAX_TAGS)] | None = (
        None
    )
    image_srcset: Annotated[list[ImageSourceReference], Field(max_length=MAX_TAGS)] | None = None
    values: Annotated[list[Value], Field(max_length=MAX_TAGS)] | None = None
    chat: Chat | None = None
    content_links: Annotated[list[ContentLink], Field(max_length=MAX_TAGS)] | None = None

    @field_validator("end")
    @classmethod
    def _after_start(cls, value: int | None, info: ValidationInfo) -> int | None:
        start = info.data.get("start")
        if value is None and info.data.get("status") == "ended":
            fail("live_end_missing", "an ended live item needs its end time")
        if value is not None and start is not None and value < start:
            fail("live_end_before_start", "the live item ends before it starts")
        return value


def check_live_items(items: list[LiveItem] | None) -> list[LiveItem] | None:
    """`items` itself, unless two live items share a GUID."""
    seen: set[str] = set()
    for item in items or []:
        if item.guid in seen:
            fail("live_guid_repeated", f"two live items have the GUID {item.guid[:60]!r}")
        seen.add(item.guid)
    return items


Locations = Annotated[list[Location], Field(max_length=MAX_TAGS)]
TxtRecords = Annotated[list[Txt], Field(max_length=MAX_TAGS)]
ImageSrcset = Annotated[list[ImageSourceReference], Field(max_length=MAX_TAGS)]
Values = Annotated[list[Value], Field(max_length=MAX_TAGS)]
SocialInteracts = Annotated[list[SocialInteract], Field(max_length=MAX_TAGS)]
RemoteItems = Annotated[list[RemoteItem], Field(max_length=MAX_REMOTE_ITEMS)]


def check_service_blocks(blocks: list[ServiceBlock] | None) -> list[ServiceBlock] | None:
    """`blocks` itself, unless it blocks or allows one service (or every one) twice."""
    seen: set[str | None] = set()
    for block in blocks or []:
        if block.service in seen:
            what = f"service {block.service!r}" if block.service else "every platform"
            fail("block_repeated", f"{what} is blocked or allowed twice; say it once")
        seen.add(block.service)
    return blocks


def check_publisher(item: RemoteItem | None) -> RemoteItem | None:
    """`item` itself, unless its medium is not "publisher"."""
    if item is not None and item.medium != "publisher":
        fail("publisher_medium", "the publisher's remote item must have the medium 'publisher'")
    return item
