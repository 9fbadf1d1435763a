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
    "Category",
    "Chapters",
    "Enclosure",
    "Episode",
    "EpisodeType",
    "Funding",
    "Image",
    "Owner",
    "Person",
    "Show",
    "ShowType",
    "Transcript",
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


@dataclass(frozen=True, slots=True)
class Show:
    """A podcast: everything in the feed's `<channel>` apart from its items.

    `feed_url` is where this feed is published (the `atom:link rel="self"`); `podcast:guid`
    is derived from it unless `podcast_guid` carries the one the show was given first (a show
    imported from another host keeps its GUID). `updated` is when the show's own data last
    changed, so `lastBuildDate` moves when only the show changed. `locked_owner` is the email
    in `podcast:locked owner="…"`; when None the owner's email is used. `summary_html`, when
    set, is `markdown_to_html(summary_markdown)` as the service stored it.
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
