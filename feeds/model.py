"""The podcast model: what a feed is built from.

Frozen dataclasses with no behaviour of their own. The service maps its show and episode
documents onto them; `render` turns them into RSS and `lint` judges them. Every timestamp is
an integer count of Unix seconds (UTC), as in the API. Text meant for listeners (the show's
summary, an episode's summary and notes) is Markdown; raw HTML inside it is allowed and is
sanitised when rendered, so notes imported from another host's feed keep their links and
lists.

Rendering Markdown is the costliest part of a build (a few hundred microseconds a note), and
the notes rarely change: the service renders them once, when it stores a document, with
`feeds.markdown_to_html`, and passes the result as `Episode.notes_html` (and
`Episode.summary_html`, `Show.summary_html`). `render` then uses that HTML as it is; when it
is None, `render` converts the Markdown itself. `lint` reads the Markdown, which is what the
producer wrote, and measures the HTML the feed will carry against Apple's size limits.

Nothing here is checked on construction: a model may hold anything the service stored, and
`lint` names each problem with the path of its field (`episodes[3].enclosure.length`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "AlternateEnclosure",
    "Category",
    "Chapters",
    "Chat",
    "ContentLink",
    "Enclosure",
    "Episode",
    "EpisodeType",
    "Funding",
    "Image",
    "ImageSource",
    "Integrity",
    "License",
    "LiveItem",
    "Location",
    "Owner",
    "Person",
    "RemoteItem",
    "ServiceBlock",
    "Show",
    "ShowType",
    "SocialInteract",
    "Soundbite",
    "Source",
    "Trailer",
    "Transcript",
    "Txt",
    "UpdateFrequency",
    "Value",
    "ValueRecipient",
    "ValueTimeSplit",
]


class ShowType(StrEnum):
    """`itunes:type`: whether listeners should start with the newest or the first episode."""

    EPISODIC = "episodic"
    SERIAL = "serial"


class EpisodeType(StrEnum):
    """`itunes:episodeType`."""

    FULL = "full"
    TRAILER = "trailer"
    BONUS = "bonus"


@dataclass(frozen=True, slots=True)
class Category:
    """One Apple Podcasts category, optionally narrowed by one of its subcategories."""

    name: str
    subcategory: str | None = None


@dataclass(frozen=True, slots=True)
class Owner:
    """`itunes:owner`: who Apple contacts about the show. Not shown to listeners."""

    name: str
    email: str


@dataclass(frozen=True, slots=True)
class Image:
    """Artwork. Width and height are known when the service probed the file, else None."""

    url: str
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True, slots=True)
class Funding:
    """`podcast:funding`: a link where listeners can support the show, and its label."""

    url: str
    title: str


@dataclass(frozen=True, slots=True)
class Person:
    """`podcast:person`. The Podcast Index assumes role "host" and group "cast" when unset."""

    name: str
    role: str | None = None
    group: str | None = None
    href: str | None = None
    img: str | None = None


@dataclass(frozen=True, slots=True)
class Enclosure:
    """The episode's media file as probed: absolute URL, size in bytes, MIME type."""

    url: str
    length: int
    type: str


@dataclass(frozen=True, slots=True)
class Transcript:
    """`podcast:transcript`. `rel="captions"` marks a file with time codes."""

    url: str
    type: str
    language: str | None = None
    rel: str | None = None


@dataclass(frozen=True, slots=True)
class Chapters:
    """`podcast:chapters`: a chapters file, JSON chapters by default."""

    url: str
    type: str = "application/json+chapters"


# The Podcast Index namespace's other tags (https://podcastindex.org/namespace/1.0). Strings
# hold the namespace's values as written (a medium, a protocol, a service slug), so that a
# feed read back gives the same model; `lint` checks them against the namespace's lists.


@dataclass(frozen=True, slots=True)
class License:
    """`podcast:license`: a licence identifier from the namespace's list, or a custom one with
    the `url` of its full text (required for a custom licence)."""

    identifier: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Location:
    """`podcast:location`: a place the show or episode is about (`rel` "subject", the
    namespace's default) or was made in ("creator"). `geo` is an RFC 5870 geo URI
    (`geo:30.2672,-97.7431`), `osm` an OpenStreetMap type letter and id (`R113314`),
    `country` an ISO 3166-1 alpha-2 code."""

    name: str
    geo: str | None = None
    osm: str | None = None
    rel: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class Trailer:
    """`podcast:trailer` (channel): a trailer for the show, or for one `season`. `published`
    is in Unix seconds (the `pubdate` attribute)."""

    title: str
    url: str
    published: int
    length: int | None = None
    type: str | None = None
    season: int | None = None


@dataclass(frozen=True, slots=True)
class Txt:
    """`podcast:txt`: free-form text, such as a directory's ownership token
    (`purpose="verify"`, `"applepodcastsverify"`) or `purpose="ai-content"` with true/false."""

    text: str
    purpose: str | None = None


@dataclass(frozen=True, slots=True)
class UpdateFrequency:
    """`podcast:updateFrequency` (channel): the release schedule as words (`label`) and as an
    RFC 5545 recurrence rule (`rrule`, e.g. `FREQ=WEEKLY;BYDAY=MO`), starting at `starts`
    (Unix seconds, the `dtstart` attribute; needed when the rule has a COUNT)."""

    label: str
    rrule: str | None = None
    complete: bool = False
    starts: int | None = None


@dataclass(frozen=True, slots=True)
class ServiceBlock:
    """`podcast:block` (channel): `blocked` yes or no, for one `service` (a slug of the
    namespace's service list, e.g. "google") or, with None, for every platform."""

    blocked: bool
    service: str | None = None


@dataclass(frozen=True, slots=True)
class RemoteItem:
    """`podcast:remoteItem`: another feed, by its `podcast:guid`, or one item in it."""

    feed_guid: str
    feed_url: str | None = None
    item_guid: str | None = None
    medium: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Chat:
    """`podcast:chat`: where the official chat is: a server's host name and its `protocol`
    (irc, xmpp, nostr, matrix), the podcaster's account and the room (`space`)."""

    server: str
    protocol: str
    account_id: str | None = None
    space: str | None = None


@dataclass(frozen=True, slots=True)
class ImageSource:
    """One image of `podcast:images` (its `srcset`): an absolute URL and its width in pixels."""

    url: str
    width: int


@dataclass(frozen=True, slots=True)
class Soundbite:
    """`podcast:soundbite` (item): a part of the episode's media worth sharing, in seconds
    from its start; the namespace suggests 15 to 120 seconds. An empty title lets apps use
    the episode's."""

    start_time: float
    duration: float
    title: str = ""


@dataclass(frozen=True, slots=True)
class Source:
    """`podcast:source`: one URI where an alternate enclosure can be had (https, ipfs, a
    torrent: `content_type` then says what it delivers)."""

    uri: str
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class Integrity:
    """`podcast:integrity`: an SRI string (`type` "sri", e.g. `sha384-…`) or a base64 PGP
    signature (`type` "pgp-signature") of an alternate enclosure's file."""

    type: str
    value: str


@dataclass(frozen=True, slots=True)
class AlternateEnclosure:
    """`podcast:alternateEnclosure` (item): another encoding or quality of the episode, or
    companion media (`rel`), with at least one source. `default` marks the same file as the
    enclosure, offered by other means. `bitrate` is in bits per second, `height` in pixels."""

    type: str
    sources: tuple[Source, ...]
    length: int | None = None
    bitrate: float | None = None
    height: int | None = None
    lang: str | None = None
    title: str | None = None
    rel: str | None = None
    codecs: str | None = None
    default: bool = False
    integrity: Integrity | None = None


@dataclass(frozen=True, slots=True)
class ValueRecipient:
    """`podcast:valueRecipient`: who receives `split` shares of each payment, at `address`
    (of `type` "node", a Lightning node's public key, or "lnaddress")."""

    type: str
    address: str
    split: int
    name: str | None = None
    custom_key: str | None = None
    custom_value: str | None = None
    fee: bool = False


@dataclass(frozen=True, slots=True)
class ValueTimeSplit:
    """`podcast:valueTimeSplit`: other recipients from `start_time` for `duration` seconds:
    either `recipients` or one `remote_item` (which gets `remote_percentage`, 0 to 100)."""

    start_time: float
    duration: float
    recipients: tuple[ValueRecipient, ...] = ()
    remote_item: RemoteItem | None = None
    remote_start_time: float | None = None
    remote_percentage: int | None = None


@dataclass(frozen=True, slots=True)
class Value:
    """`podcast:value`: payments while listening, by `type` (e.g. "lightning") and `method`
    (e.g. "keysend"); `suggested` is an amount as written (e.g. "0.00000005000")."""

    type: str
    method: str
    recipients: tuple[ValueRecipient, ...]
    suggested: str | None = None
    time_splits: tuple[ValueTimeSplit, ...] = ()


@dataclass(frozen=True, slots=True)
class SocialInteract:
    """`podcast:socialInteract`: the root post of the comments (`uri`) and its `protocol`
    (activitypub, atproto, …); protocol "disabled" with no uri asks for no comments."""

    protocol: str
    uri: str | None = None
    account_id: str | None = None
    account_url: str | None = None
    priority: int | None = None


@dataclass(frozen=True, slots=True)
class ContentLink:
    """`podcast:contentLink` (item): the content elsewhere (a video site), with a label."""

    href: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class LiveItem:
    """`podcast:liveItem` (channel): a live stream, an item of its own beside the episodes.

    `status` is "pending" (announced), "live" or "ended", as written (lint holds it to the
    namespace's list); `start` and `end` are in Unix seconds (`end` None: not announced yet).
    `enclosure` is the stream (its `length` may be 0: a stream has no size), and
    `content_links` where else to watch or listen. `description` is plain text. The other
    children are those an item has: `link`, `persons`, `alternate_enclosures` (other
    encodings of the stream), `image_srcset`, `values` and `chat`. `guid` is the item's
    GUID; it stays the same when the stream becomes an episode, so apps keep it.
    """

    guid: str
    title: str
    status: str
    start: int
    enclosure: Enclosure | None
    end: int | None = None
    description: str = ""
    link: str | None = None
    persons: tuple[Person, ...] = ()
    alternate_enclosures: tuple[AlternateEnclosure, ...] = ()
    image_srcset: tuple[ImageSource, ...] = ()
    values: tuple[Value, ...] = ()
    chat: Chat | None = None
    content_links: tuple[ContentLink, ...] = ()


@dataclass(frozen=True, slots=True)
class Show:
    """A podcast: everything in the feed's `<channel>` apart from its items.

    `feed_url` is where this feed is published (the `atom:link rel="self"`); `podcast:guid`
    is derived from it unless `podcast_guid` carries the one the show was given first (a show
    imported from another host keeps its GUID). `updated` is when the show's own data last
    changed, so `lastBuildDate` moves when only the show changed. `locked_owner` is the email
    in `podcast:locked owner="…"`; when None the owner's email is used. `summary_html`, when
    set, is `markdown_to_html(summary_markdown)` as the service stored it.

    The Podcast Index tags of the channel, each written only when set: `medium`, `license`,
    `locations`, `trailers`, `txt`, `update_frequency`, `service_blocks` (`podcast:block`;
    `block` is `itunes:block`), `publisher`, `chat`, `image_srcset` (`podcast:images`),
    `values`, `social_interacts`, `podroll`, and `remote_items` (what a list medium such as
    "musicL" holds), then `live_items` (`podcast:liveItem`, the live streams).

    `hubs` are the WebSub hubs podcast apps may subscribe to for word of a change
    (`atom:link rel="hub"`).
    """

    title: str
    summary_markdown: str
    feed_url: str
    language: str
    categories: tuple[Category, ...]
    explicit: bool
    owner: Owner | None = None
    link: str | None = None
    author: str | None = None
    copyright: str | None = None
    image: Image | None = None
    type: ShowType = ShowType.EPISODIC
    block: bool = False
    complete: bool = False
    new_feed_url: str | None = None
    locked: bool = False
    locked_owner: str | None = None
    funding: tuple[Funding, ...] = ()
    persons: tuple[Person, ...] = ()
    podcast_guid: str | None = None
    updated: int | None = None
    summary_html: str | None = None
    medium: str | None = None
    license: License | None = None
    locations: tuple[Location, ...] = ()
    trailers: tuple[Trailer, ...] = ()
    txt: tuple[Txt, ...] = ()
    update_frequency: UpdateFrequency | None = None
    service_blocks: tuple[ServiceBlock, ...] = ()
    publisher: RemoteItem | None = None
    chat: Chat | None = None
    image_srcset: tuple[ImageSource, ...] = ()
    values: tuple[Value, ...] = ()
    social_interacts: tuple[SocialInteract, ...] = ()
    podroll: tuple[RemoteItem, ...] = ()
    remote_items: tuple[RemoteItem, ...] = ()
    hubs: tuple[str, ...] = ()
    live_items: tuple[LiveItem, ...] = ()


@dataclass(frozen=True, slots=True)
class Episode:
    """One episode: an `<item>`.

    `guid` is the server-made identifier (12 lower-case hex characters, or the GUID an
    imported episode already had); it is the item's `<guid>` for ever and is never replaced
    by the media URL. `published` is in Unix seconds; an episode published after the `now`
    given to `render` stays out of the feed. `duration` is in seconds as probed. `explicit`
    None means "as the show says". `itunes_title` is the title Apple Podcasts shows, without
    the season and episode numbers a `title` may carry for other apps (`<itunes:title>`).

    An episode has two texts for listeners, both Markdown: `summary_markdown`, the short plain
    description, is the item's `<description>`; `notes_markdown`, the show notes, are its
    `<content:encoded>`. Each is published once: with no summary the notes are the
    description and there is no `content:encoded` (podcast apps read content:encoded, else
    the description), and with no notes there is none either. Apple accepts at most 4,000
    bytes in each, as published (HTML), and `lint` holds them to it.
    `summary_html` and `notes_html`, when set, are `markdown_to_html` of the Markdown as the
    service stored it with the episode; keeping them in step is the service's part.

    The Podcast Index tags of the item, each written only when set: `season_name` (the
    `name` of `podcast:season`, written with `season`), `soundbites`, `locations`, `license`,
    `alternate_enclosures`, `image_srcset` (`podcast:images`), `txt`, `chat`, `values`,
    `social_interacts`, `content_links`.
    """

    guid: str
    title: str
    published: int
    enclosure: Enclosure | None
    notes_markdown: str = ""
    duration: float | None = None
    link: str | None = None
    season: int | None = None
    number: int | None = None
    type: EpisodeType = EpisodeType.FULL
    explicit: bool | None = None
    block: bool = False
    image: Image | None = None
    transcripts: tuple[Transcript, ...] = ()
    chapters: Chapters | None = None
    persons: tuple[Person, ...] = ()
    notes_html: str | None = None
    itunes_title: str | None = None
    summary_markdown: str = ""
    summary_html: str | None = None
    season_name: str | None = None
    soundbites: tuple[Soundbite, ...] = ()
    locations: tuple[Location, ...] = ()
    license: License | None = None
    alternate_enclosures: tuple[AlternateEnclosure, ...] = ()
    image_srcset: tuple[ImageSource, ...] = ()
    txt: tuple[Txt, ...] = ()
    chat: Chat | None = None
    values: tuple[Value, ...] = ()
    social_interacts: tuple[SocialInteract, ...] = ()
    content_links: tuple[ContentLink, ...] = ()
