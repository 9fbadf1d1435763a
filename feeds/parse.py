"""`parse_feed`: an existing podcast's RSS feed → the show and episodes podops imports from it.

    parsed = parse_feed(xml)                        # bytes, as fetched or uploaded
    if not parsed.show.may_be_imported_by(user_email):
        ...                                         # podcast:locked, and not the owner
    for episode in parsed.episodes:                 # in the feed's order, GUIDs unique
        name = suggest_episode_name(episode)        # a valid resource name, from the GUID
    parsed.problems                                 # what was skipped or could not be read

The feed is read as hostile input (see `_parse_xml`): no entity is ever expanded and nothing
is fetched; a DOCTYPE with an internal subset, where entities are declared, is refused.
A feed that is not well-formed XML is read as podcast apps read it (`_parse_repair`:
undeclared `itunes:`/`podcast:` prefixes, HTML entities, stray `&`, a wrong encoding
declaration; then lxml's recovering parser), and every repair is listed first in
`ParsedFeed.problems` (`ParsedFeed.repairs`). Everything else is read leniently, as podcast
apps do, and whatever could not be read is reported in `ParsedFeed.problems` rather than
failing the whole import:

- An item without a `<guid>` is skipped. Its GUID is the identity podcast apps keep for the
  episode, and the only key that lets a second import of the same feed add the new episodes
  and change nothing else; a GUID is never made up from the media URL (it changes when media
  moves, and every subscriber downloads the episode again). An item whose GUID an earlier
  item already had is skipped too.
- An item without an enclosure is kept, with `enclosure=None`: it is still an episode (some
  shows publish text-only announcements), and lint stops it from being published as it is.
- A missing or unreadable `pubDate` gives `published=None`; a duration, number or flag that
  cannot be read is left unset. Each is reported.

GUIDs are kept exactly as they were, with only the whitespace around them removed. Text meant
for listeners (descriptions) is kept as HTML and made safe with the policy `render` uses.
What is read but will be published in podops' own form, or left out, is noted last
(`NORMALISING`): an `itunes:explicit` of "explicit", a duration that is not whole seconds,
MM:SS or HH:MM:SS, a GUID that was the episode's permalink (published with
isPermaLink="false"), an `itunes:subtitle` or `itunes:summary` that says what no kept text does.

Exceptions:

    FeedParseError (ValueError)    the bytes are not an RSS feed that can be read safely;
                                   `code` (ParseErrorCode) says why, `message` for people:
        podops.import.not_xml      empty, or not XML that even a recovering parser can read
                                   an RSS channel from
        podops.import.not_rss      an HTML page, an Atom or RSS 1.0 feed, RSS without <channel>
        podops.import.unsafe_xml   a DOCTYPE with an internal subset (entity declarations)
        podops.import.too_large    over 32 MiB, over 100,000 items, or past the parser's limits
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from lxml import etree

from feeds import _parse_fields as read
from feeds import _parse_podcast as namespace
from feeds._namespaces import CONTENT, itunes, podcast
from feeds._parse_fields import (
    NORMALISING,
    REPAIRS,
    SKIPPING,
    Children,
    ParseProblem,
    ProblemCode,
    Problems,
)
from feeds._parse_text import content
from feeds._parse_xml import MAX_FEED_BYTES, FeedParseError, ParseErrorCode, load_channel
from feeds.guid import podcast_guid
from feeds.model import (
    AlternateEnclosure,
    Category,
    Chapters,
    Chat,
    ContentLink,
    Enclosure,
    Episode,
    EpisodeType,
    Funding,
    Image,
    ImageSource,
    License,
    LiveItem,
    Location,
    Owner,
    Person,
    RemoteItem,
    ServiceBlock,
    Show,
    ShowType,
    SocialInteract,
    Soundbite,
    Trailer,
    Transcript,
    Txt,
    UpdateFrequency,
    Value,
)

__all__ = [
    "MAX_FEED_BYTES",
    "MAX_ITEMS",
    "NORMALISING",
    "REPAIRS",
    "SKIPPING",
    "FeedParseError",
    "ParseErrorCode",
    "ParseProblem",
    "ParsedEpisode",
    "ParsedFeed",
    "ParsedShow",
    "ProblemCode",
    "parse_feed",
    "suggest_episode_name",
]

MAX_ITEMS = 100_000

_XML_SPACE = " \t\r\n"
_SLUG_LENGTH = 31  # 31 + "-" + 12 hex digits = 44, the longest name
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class ParsedShow:
    """The feed's `<channel>`, as far as podops keeps it.

    Fields are those of `feeds.Show`, with None where the feed said nothing (`explicit`,
    `language`), plus what only an import needs: `feed_url` is where the old feed says it is
    published (its `atom:link rel="self"`), `new_feed_url` is its `itunes:new-feed-url`, and
    `summary_html` is the description as safe HTML. `locked` is `podcast:locked` being "yes"
    and `locked_owner` its `owner` attribute; `may_be_imported_by` applies them.
    """

    title: str
    summary_html: str
    link: str | None
    language: str | None
    categories: tuple[Category, ...]
    explicit: bool | None
    type: ShowType
    author: str | None
    owner: Owner | None
    copyright: str | None
    image: Image | None
    block: bool
    complete: bool
    new_feed_url: str | None
    feed_url: str | None
    podcast_guid: str | None
    locked: bool
    locked_owner: str | None
    funding: tuple[Funding, ...]
    persons: tuple[Person, ...]
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
    live_items: tuple[LiveItem, ...] = ()

    @property
    def ownership_emails(self) -> tuple[str, ...]:
        """The addresses the feed names as its owner's: the lock's owner, the iTunes owner."""
        emails = (self.locked_owner, self.owner.email if self.owner else None)
        return tuple(dict.fromkeys(email for email in emails if email))

    def may_be_imported_by(self, email: str) -> bool:
        """Whether a user whose (verified) address is `email` may import this feed.

        An unlocked feed may be imported by anyone. A feed with `<podcast:locked>yes` only by
        its owner: `email` must be one of `ownership_emails`, compared without regard to case.
        """
        if not self.locked:
            return True
        wanted = email.strip().casefold()
        return bool(wanted) and any(
            wanted == owned.strip().casefold() for owned in self.ownership_emails
        )

    def to_show(self, *, feed_url: str) -> Show:
        """The show as podops would publish it at `feed_url`.

        The summary HTML is the Markdown (raw HTML is Markdown). The show keeps its
        `podcast:guid`: the one the feed declared, else the one its old feed URL implies. The
        old feed's `itunes:new-feed-url` is not carried over: the show's new home is podops.
        Missing language and explicit flag become "" and False, for lint to point out.
        """
        guid = self.podcast_guid or (podcast_guid(self.feed_url) if self.feed_url else None)
        return Show(
            title=self.title,
            summary_markdown=self.summary_html,
            feed_url=feed_url,
            language=self.language or "",
            categories=self.categories,
            explicit=bool(self.explicit),
            owner=self.owner,
            link=self.link,
            author=self.author,
            copyright=self.copyright,
            image=self.image,
            type=self.type,
            block=self.block,
            complete=self.complete,
            locked=self.locked,
            locked_owner=self.locked_owner,
            funding=self.funding,
            persons=self.persons,
            podcast_guid=guid,
            medium=self.medium,
            license=self.license,
            locations=self.locations,
            trailers=self.trailers,
            txt=self.txt,
            update_frequency=self.update_frequency,
            service_blocks=self.service_blocks,
            publisher=self.publisher,
            chat=self.chat,
            image_srcset=self.image_srcset,
            values=self.values,
            social_interacts=self.social_interacts,
            podroll=self.podroll,
            remote_items=self.remote_items,
            live_items=self.live_items,
        )


@dataclass(frozen=True, slots=True)
class ParsedEpisode:
    """One `<item>` with a GUID, as far as podops keeps it.

    Fields are those of `feeds.Episode`, but `published` is None when the item had no
    readable `pubDate`, and the notes are `notes_html`: the richest description the item has
    (`content:encoded`, else `description`, else `itunes:summary`) as safe HTML.
    `summary_html` is the item's `description` as safe HTML when it is something else beside
    the notes in `content:encoded`, else "" (a description that only repeats the notes, or
    stands in for them, is the notes). `itunes_title` is `itunes:title`, Apple's title
    without numbers. `index` is the item's position among the feed's items, as in
    `ParseProblem.index`.
    """

    index: int
    guid: str
    title: str
    published: int | None
    notes_html: str
    enclosure: Enclosure | None
    duration: float | None
    link: str | None
    season: int | None
    number: int | None
    type: EpisodeType
    explicit: bool | None
    block: bool
    image: Image | None
    transcripts: tuple[Transcript, ...]
    chapters: Chapters | None
    persons: tuple[Person, ...]
    itunes_title: str | None = None
    summary_html: str = ""
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

    def to_episode(self, *, default_published: int | None = None) -> Episode:
        """The episode as podops would publish it; the summary and notes HTML are its Markdown.

        `default_published` stands in for a missing `pubDate`; ValueError when both are None.
        """
        published = self.published if self.published is not None else default_published
        if published is None:
            raise ValueError(f"item {self.index} ({self.guid!r}) has no publication date")
        return Episode(
            guid=self.guid,
            title=self.title,
            published=published,
            enclosure=self.enclosure,
            notes_markdown=self.notes_html,
            duration=self.duration,
            link=self.link,
            season=self.season,
            number=self.number,
            type=self.type,
            explicit=self.explicit,
            block=self.block,
            image=self.image,
            transcripts=self.transcripts,
            chapters=self.chapters,
            persons=self.persons,
            itunes_title=self.itunes_title,
            summary_markdown=self.summary_html,
            season_name=self.season_name,
            soundbites=self.soundbites,
            locations=self.locations,
            license=self.license,
            alternate_enclosures=self.alternate_enclosures,
            image_srcset=self.image_srcset,
            txt=self.txt,
            chat=self.chat,
            values=self.values,
            social_interacts=self.social_interacts,
            content_links=self.content_links,
        )


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A foreign feed, read: its show, its episodes in the feed's order, and its problems.

    `item_count` is the number of `<item>` elements, including those skipped. `problems`
    holds, in this order: the repairs made to read the document (`repairs`), what could not
    be read as it stands or was skipped (in the feed's order), and what was read but will be
    published in podops' own form or left out (`NORMALISING`: explicit values, durations,
    permalink GUIDs, itunes:subtitle and itunes:summary). `next_page` is the href of a paged
    feed's next (older) page (RFC 5005: `atom:link rel="next"`, else `rel="prev-archive"`),
    as written: it may be relative to the feed's URL.
    """

    show: ParsedShow
    episodes: tuple[ParsedEpisode, ...]
    problems: tuple[ParseProblem, ...]
    item_count: int
    next_page: str | None = None

    @property
    def repairs(self) -> tuple[ParseProblem, ...]:
        """What was repaired to read a document that was not well-formed XML (`REPAIRS`)."""
        return tuple(problem for problem in self.problems if problem.code in REPAIRS)

    @property
    def skipped(self) -> tuple[int, ...]:
        """The indexes of the items left out of `episodes`."""
        return tuple(
            problem.index
            for problem in self.problems
            if problem.code in SKIPPING and problem.index is not None
        )


def parse_feed(xml: bytes) -> ParsedFeed:
    """Read an RSS feed (the bytes as served) into what podops imports from it.

    Raises FeedParseError when the bytes are not an RSS feed that can be read safely (see the
    module's docstring); every other problem is reported in `ParsedFeed.problems`.
    """
    root = load_channel(xml)
    problems = Problems()
    for repair in root.repairs:
        problems.add(None, repair.code, repair.message)
    items = root.channel.findall("item")
    if len(items) > MAX_ITEMS:
        raise FeedParseError(
            ParseErrorCode.TOO_LARGE,
            f"the feed has {len(items):,} items; at most {MAX_ITEMS:,} are imported",
        )
    channel = Children(root.channel)
    show = _show(channel, problems)
    episodes: list[ParsedEpisode] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        episode = _episode(Children(item), index, problems)
        if episode is None:
            continue
        first = seen.setdefault(episode.guid, index)
        if first != index:
            problems.add(
                index,
                ProblemCode.DUPLICATE_GUID,
                f"item {index} has the GUID {episode.guid!r} of item {first}; it was skipped",
            )
            continue
        episodes.append(episode)
    # What was normalised comes last: it is the least urgent, and often one note an item.
    found = problems.found
    ordered = [p for p in found if p.code not in NORMALISING]
    ordered += [p for p in found if p.code in NORMALISING]
    older = read.atom_link(channel, "next") or read.atom_link(channel, "prev-archive")
    return ParsedFeed(show, tuple(episodes), tuple(ordered), len(items), older)


def _is_permalink(guid_element: etree._Element, guid: str) -> bool:
    """Whether apps read the GUID as the episode's web page: it is an http(s) URL and
    isPermaLink is not "false" (RSS reads a missing one as "true")."""
    flag = (guid_element.get("isPermaLink") or "true").strip().lower()
    return flag != "false" and guid.lower().startswith(("http://", "https://"))


def suggest_episode_name(episode: ParsedEpisode) -> str:
    """A resource name for an imported episode: its title as a slug, and a hash of its GUID.

    Always a valid name (8 to 44 of `a-z 0-9 - _`), and the same for the same GUID and title
    on every import, e.g. `the-first-episode-3f2a9c1b7d4e`. Two episodes get the same name
    only if their GUIDs' SHA-256 share 48 bits. A name is a label, not an identity: match
    episodes already imported by their GUID, since a title may have changed since.
    """
    ascii_title = unicodedata.normalize("NFKD", episode.title).encode("ascii", "ignore")
    slug = _NOT_SLUG.sub("-", ascii_title.decode("ascii").lower()).strip("-")
    slug = slug[:_SLUG_LENGTH].rstrip("-") or "episode"
    digest = hashlib.sha256(episode.guid.encode("utf-8")).hexdigest()[:12]
    return f"{slug}-{digest}"


def _show(channel: Children, problems: Problems) -> ParsedShow:
    title = channel.line("title")
    if title is None:
        problems.add(None, ProblemCode.MISSING_TITLE, "the channel has no <title>")
    locked, locked_owner = read.locked(channel, problems)
    summary = channel.html("description", itunes("summary"))
    read.dropped(channel, None, problems, summary)
    return ParsedShow(
        title=title or "",
        summary_html=summary,
        link=channel.line("link"),
        language=channel.line("language"),
        categories=read.categories(channel, problems),
        explicit=read.explicit(channel, None, problems),
        type=read.choice(channel, itunes("type"), ShowType, ShowType.EPISODIC, None, problems),
        author=channel.line(itunes("author")),
        owner=read.owner(channel),
        copyright=channel.line("copyright"),
        image=read.image(channel) or read.rss_image(channel),
        block=read.yes(channel, itunes("block")),
        complete=read.yes(channel, itunes("complete")),
        new_feed_url=channel.line(itunes("new-feed-url")),
        feed_url=read.self_link(channel),
        podcast_guid=channel.line(podcast("guid")),
        locked=locked,
        locked_owner=locked_owner,
        funding=read.funding(channel, problems),
        persons=read.persons(channel, None, problems),
        medium=namespace.medium(channel),
        license=namespace.license(channel, None, problems),
        locations=namespace.locations(channel, None, problems),
        trailers=namespace.trailers(channel, problems),
        txt=namespace.txt(channel),
        update_frequency=namespace.update_frequency(channel, problems),
        service_blocks=namespace.service_blocks(channel, problems),
        publisher=namespace.publisher(channel, problems),
        chat=namespace.chat(channel, None, problems),
        image_srcset=namespace.image_srcset(channel, None, problems),
        values=namespace.values(channel, None, problems),
        social_interacts=namespace.social_interacts(channel, None, problems),
        podroll=namespace.podroll(channel, problems),
        remote_items=namespace.remote_items(channel, problems),
        live_items=namespace.live_items(channel, problems),
    )


def _episode(item: Children, index: int, problems: Problems) -> ParsedEpisode | None:
    title = item.line("title")
    guid_element = item.first("guid")
    guid = content(guid_element).strip(_XML_SPACE) if guid_element is not None else ""
    if not guid:
        enclosure_url = next(filter(None, map(read.url_of, item.all("enclosure"))), None)
        what = f"{title!r}" if title else "untitled"
        media = f" (media {enclosure_url})" if enclosure_url else ""
        problems.add(
            index,
            ProblemCode.MISSING_GUID,
            f"item {index}, {what}{media}, has no <guid>; it was skipped, since without one it "
            "cannot be imported again without becoming a second episode",
        )
        return None
    if title is None:
        problems.add(index, ProblemCode.MISSING_TITLE, f"item {index} ({guid!r}) has no <title>")
    if guid_element is not None and _is_permalink(guid_element, guid):
        problems.add(
            index,
            ProblemCode.GUID_PERMALINK,
            f'item {index}: its <guid> {guid!r} is a permalink (isPermaLink is not "false"); '
            "podops keeps it as the episode's GUID, unchanged, and publishes it with "
            'isPermaLink="false", so apps no longer take it for the episode\'s web page',
        )
    season = read.count(item, index, problems, itunes("season"), podcast("season"))
    number = read.count(item, index, problems, itunes("episode"), podcast("episode"))
    notes = item.html(f"{{{CONTENT}}}encoded")
    description = item.html("description")
    summary = description if notes and description != notes else ""
    notes = notes or description or item.html(itunes("summary"))
    read.dropped(item, index, problems, notes, summary)
    return ParsedEpisode(
        index=index,
        guid=guid,
        title=title or "",
        published=read.published(item, index, problems),
        notes_html=notes,
        enclosure=read.enclosure(item, index, problems),
        duration=read.duration(item, index, problems),
        link=item.line("link"),
        season=season,
        number=number,
        type=read.choice(
            item, itunes("episodeType"), EpisodeType, EpisodeType.FULL, index, problems
        ),
        explicit=read.explicit(item, index, problems),
        block=read.yes(item, itunes("block")),
        image=read.image(item),
        transcripts=read.transcripts(item, index, problems),
        chapters=read.chapters(item),
        persons=read.persons(item, index, problems),
        itunes_title=item.line(itunes("title")),
        summary_html=summary,
        season_name=namespace.season_name(item),
        soundbites=namespace.soundbites(item, index, problems),
        locations=namespace.locations(item, index, problems),
        license=namespace.license(item, index, problems),
        alternate_enclosures=namespace.alternate_enclosures(item, index, problems),
        image_srcset=namespace.image_srcset(item, index, problems),
        txt=namespace.txt(item),
        chat=namespace.chat(item, index, problems),
        values=namespace.values(item, index, problems),
        social_interacts=namespace.social_interacts(item, index, problems),
        content_links=namespace.content_links(item, index, problems),
    )
