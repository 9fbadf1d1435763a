"""Readers for the fields of a foreign feed's channel and items.

Each takes the element's children (`Children`, indexed by tag once) and returns the model's
value for one field, reporting to `Problems` whatever it could not read as it stands; `index`
is the item's position among the feed's items, or None for the channel. `feeds.parse` puts
the values together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar
from urllib.parse import urlsplit

from lxml import etree

from feeds._itunes import whole_seconds
from feeds._namespaces import ATOM, ITUNES, PODCAST, itunes, podcast
from feeds._parse_text import html_source, line_text, safe_html, text, words_of
from feeds._parse_values import read_count, read_duration, read_moment
from feeds.model import (
    Category,
    Chapters,
    Enclosure,
    Funding,
    Image,
    Owner,
    Person,
    Transcript,
)

__all__ = [
    "NORMALISING",
    "REPAIRS",
    "SKIPPING",
    "Children",
    "ParseProblem",
    "ProblemCode",
    "Problems",
    "categories",
    "chapters",
    "choice",
    "count",
    "dropped",
    "duration",
    "enclosure",
    "explicit",
    "funding",
    "image",
    "locked",
    "owner",
    "persons",
    "published",
    "rss_image",
    "self_link",
    "transcripts",
    "url_of",
    "yes",
]

_Choice = TypeVar("_Choice", bound=StrEnum)
# `itunes:duration` as Apple writes it: whole seconds, MM:SS or HH:MM:SS.
_PLAIN_DURATION = re.compile(r"[0-9]+|[0-9]{1,2}:[0-9]{2}|[0-9]+:[0-9]{2}:[0-9]{2}")


# An enclosure without a type gets one from its file extension, when that says it plainly.
_MEDIA_EXTENSIONS = {
    "aac": "audio/aac",
    "flac": "audio/flac",
    "m4a": "audio/x-m4a",
    "m4v": "video/x-m4v",
    "mov": "video/quicktime",
    "mp3": "audio/mpeg",
    "mp4": "video/mp4",
    "oga": "audio/ogg",
    "ogg": "audio/ogg",
    "opus": "audio/opus",
    "wav": "audio/wav",
    "webm": "video/webm",
}


class ProblemCode(StrEnum):
    """What was wrong with part of a feed that was read all the same."""

    MISSING_TITLE = "podops.import.missing_title"
    MISSING_GUID = "podops.import.missing_guid"  # the item was skipped
    DUPLICATE_GUID = "podops.import.duplicate_guid"  # the item was skipped
    MISSING_ENCLOSURE = "podops.import.missing_enclosure"
    BAD_ENCLOSURE = "podops.import.bad_enclosure"
    MISSING_DATE = "podops.import.missing_date"
    BAD_DATE = "podops.import.bad_date"
    BAD_DURATION = "podops.import.bad_duration"
    BAD_VALUE = "podops.import.bad_value"
    # The document was not well-formed XML, and was repaired to be read (see REPAIRS).
    HTML_ENTITIES = "podops.import.html_entities"
    REPAIRED_AMPERSANDS = "podops.import.repaired_ampersands"
    REPAIRED_NAMESPACES = "podops.import.repaired_namespaces"
    REPAIRED_ENCODING = "podops.import.repaired_encoding"
    REPAIRED_XML = "podops.import.repaired_xml"
    # A value was read, and will be published in podops' own form (see NORMALISING).
    NORMALISED_EXPLICIT = "podops.import.normalised_explicit"
    NORMALISED_DURATION = "podops.import.normalised_duration"
    GUID_PERMALINK = "podops.import.guid_permalink"
    DROPPED_SUBTITLE = "podops.import.dropped_subtitle"
    DROPPED_SUMMARY = "podops.import.dropped_summary"


# The problems that mean an item was left out of `ParsedFeed.episodes`.
SKIPPING = frozenset({ProblemCode.MISSING_GUID, ProblemCode.DUPLICATE_GUID})
# Repairs made to a document that was not well-formed XML, so that it could be read.
REPAIRS = frozenset(
    {
        ProblemCode.HTML_ENTITIES,
        ProblemCode.REPAIRED_AMPERSANDS,
        ProblemCode.REPAIRED_NAMESPACES,
        ProblemCode.REPAIRED_ENCODING,
        ProblemCode.REPAIRED_XML,
    }
)
# What the import keeps in another form, or leaves out, though nothing was wrong with it.
NORMALISING = frozenset(
    {
        ProblemCode.NORMALISED_EXPLICIT,
        ProblemCode.NORMALISED_DURATION,
        ProblemCode.GUID_PERMALINK,
        ProblemCode.DROPPED_SUBTITLE,
        ProblemCode.DROPPED_SUMMARY,
    }
)


@dataclass(frozen=True, slots=True)
class ParseProblem:
    """Something in the feed that could not be read as it stands.

    `index` is the position of the `<item>` among the feed's items (0 for the first), or None
    for the channel. When `code` is MISSING_GUID or DUPLICATE_GUID the item was skipped.
    """

    index: int | None
    code: ProblemCode
    message: str


class Problems:
    """The problems found so far, in the order they were found."""

    def __init__(self) -> None:
        self.found: list[ParseProblem] = []

    def add(self, index: int | None, code: ProblemCode, message: str) -> None:
        self.found.append(ParseProblem(index, code, message))


class Children:
    """An element's child elements by tag, in document order: each child looked at once."""

    __slots__ = ("_by_tag",)

    def __init__(self, parent: etree._Element) -> None:
        by_tag: dict[str, list[etree._Element]] = {}
        for child in parent:
            tag = child.tag
            if isinstance(tag, str):  # not an entity reference
                by_tag.setdefault(tag, []).append(child)
        self._by_tag = by_tag

    def all(self, tag: str) -> list[etree._Element]:
        return self._by_tag.get(tag, [])

    def first(self, tag: str) -> etree._Element | None:
        found = self._by_tag.get(tag)
        return found[0] if found else None

    def line(self, tag: str) -> str | None:
        """The first `tag`'s text on one line, or None when it is missing or blank."""
        element = self.first(tag)
        return (line_text(element) or None) if element is not None else None

    def html(self, *tags: str) -> str:
        """The first of `tags` that has any text, as safe HTML."""
        for tag in tags:
            element = self.first(tag)
            if element is not None:
                html = safe_html(html_source(element))
                if html:
                    return html
        return ""


def attribute(element: etree._Element, name: str) -> str | None:
    """An attribute's value, stripped; None when it is missing or blank."""
    value = element.get(name)
    if value is None:
        return None
    return value.strip() or None


def where(index: int | None) -> str:
    """How a problem names the part of the feed it is in."""
    return "the channel" if index is None else f"item {index}"


def _label(tag: str) -> str:
    """`{namespace}name` as the feed's prefix would write it: `itunes:season`."""
    return tag.replace(f"{{{ITUNES}}}", "itunes:").replace(f"{{{PODCAST}}}", "podcast:")


# The channel ----------------------------------------------------------------------------


def categories(channel: Children, problems: Problems) -> tuple[Category, ...]:
    """`itunes:category`, several, each with its nested subcategories (one Category each)."""
    found: list[Category] = []
    for element in channel.all(itunes("category")):
        name = " ".join((element.get("text") or "").split())
        if not name:
            problems.add(None, ProblemCode.BAD_VALUE, "an itunes:category has no text attribute")
            continue
        subcategories = [
            " ".join((sub.get("text") or "").split())
            for sub in element.iterchildren(itunes("category"))
        ]
        named = [sub for sub in subcategories if sub]
        if named:
            found.extend(Category(name, sub) for sub in named)
        else:
            found.append(Category(name))
    return tuple(dict.fromkeys(found))  # each once, in the feed's order


def owner(channel: Children) -> Owner | None:
    element = channel.first(itunes("owner"))
    if element is None:
        return None
    inside = Children(element)
    name, email = inside.line(itunes("name")), inside.line(itunes("email"))
    if name is None and email is None:
        return None
    return Owner(name or "", email or "")


def rss_image(channel: Children) -> Image | None:
    element = channel.first("image")
    if element is None:
        return None
    url = Children(element).line("url")
    return Image(url) if url else None


def self_link(channel: Children) -> str | None:
    return atom_link(channel, "self")


def atom_link(channel: Children, rel: str) -> str | None:
    """The href of the channel's first `atom:link` with `rel`."""
    for element in channel.all(f"{{{ATOM}}}link"):
        if (element.get("rel") or "").strip().lower() == rel:
            return attribute(element, "href")
    return None


def locked(channel: Children, problems: Problems) -> tuple[bool, str | None]:
    """`podcast:locked` and its owner's email. A value other than yes or no counts as yes:
    the tag exists to stop imports, and a wrong guess the other way would let one through."""
    element = channel.first(podcast("locked"))
    if element is None:
        return False, None
    owner_email = attribute(element, "owner")
    value = text(element).lower()
    if value in ("no", "false", ""):
        return False, owner_email
    if value not in ("yes", "true"):
        problems.add(
            None,
            ProblemCode.BAD_VALUE,
            f"podcast:locked is {value!r}, not yes or no; the feed is taken to be locked",
        )
    return True, owner_email


def funding(channel: Children, problems: Problems) -> tuple[Funding, ...]:
    found: list[Funding] = []
    for element in channel.all(podcast("funding")):
        url = attribute(element, "url")
        if url is None:
            problems.add(None, ProblemCode.BAD_VALUE, "a podcast:funding has no url; left out")
            continue
        found.append(Funding(url, line_text(element)))
    return tuple(found)


# Shared by the channel and items ----------------------------------------------------------


def image(parent: Children) -> Image | None:
    element = parent.first(itunes("image"))
    if element is None:
        return None
    # Apple reads the href; some feeds write the URL as the element's text instead.
    url = attribute(element, "href") or line_text(element)
    return Image(url) if url else None


def yes(parent: Children, tag: str) -> bool:
    """`itunes:block` and `itunes:complete`: Apple reads only "Yes" as yes."""
    return (parent.line(tag) or "").lower() == "yes"


def explicit(parent: Children, index: int | None, problems: Problems) -> bool | None:
    value = parent.line(itunes("explicit"))
    if value is None:
        return None
    flag = value.lower()
    if flag in ("true", "yes", "explicit"):
        if flag == "explicit":
            problems.add(
                index,
                ProblemCode.NORMALISED_EXPLICIT,
                f"{where(index)}: itunes:explicit is {value!r}; read as true, and published "
                "as true",
            )
        return True
    if flag in ("false", "no", "clean"):
        return False
    problems.add(
        index,
        ProblemCode.BAD_VALUE,
        f"{where(index)}: itunes:explicit is {value!r}, not true or false; left unset",
    )
    return None


def choice(
    parent: Children,
    tag: str,
    choices: type[_Choice],
    default: _Choice,
    index: int | None,
    problems: Problems,
) -> _Choice:
    value = parent.line(tag)
    if value is None:
        return default
    try:
        return choices(value.lower())
    except ValueError:
        allowed = ", ".join(option.value for option in choices)
        problems.add(
            index,
            ProblemCode.BAD_VALUE,
            f"{where(index)}: {_label(tag)} is {value!r}, not one of {allowed}; "
            f"read as {default.value}",
        )
        return default


def persons(parent: Children, index: int | None, problems: Problems) -> tuple[Person, ...]:
    found: list[Person] = []
    for element in parent.all(podcast("person")):
        name = line_text(element)
        if not name:
            problems.add(
                index, ProblemCode.BAD_VALUE, f"{where(index)}: a podcast:person has no name"
            )
            continue
        found.append(
            Person(
                name,
                role=attribute(element, "role"),
                group=attribute(element, "group"),
                href=attribute(element, "href"),
                img=attribute(element, "img"),
            )
        )
    return tuple(found)


# Items -------------------------------------------------------------------------------------


def url_of(element: etree._Element) -> str | None:
    return attribute(element, "url")


def published(item: Children, index: int, problems: Problems) -> int | None:
    value = item.line("pubDate")
    if value is None:
        problems.add(index, ProblemCode.MISSING_DATE, f"item {index} has no <pubDate>")
        return None
    try:
        moment = read_moment(value)
    except ValueError as error:
        problems.add(index, ProblemCode.BAD_DATE, f"item {index}: pubDate {error}")
        return None
    if moment.caveat is not None:
        problems.add(
            index, ProblemCode.BAD_DATE, f"item {index}: pubDate {value!r}: {moment.caveat}"
        )
    return moment.seconds


def enclosure(item: Children, index: int, problems: Problems) -> Enclosure | None:
    """The first enclosure with a URL. A missing length is 0, a missing type is guessed from
    the file's extension; either is reported, and the media import measures both again."""
    elements = [element for element in item.all("enclosure") if url_of(element)]
    if not elements:
        problems.add(
            index, ProblemCode.MISSING_ENCLOSURE, f"item {index} has no <enclosure> with a url"
        )
        return None
    if len(elements) > 1:
        problems.add(
            index,
            ProblemCode.BAD_ENCLOSURE,
            f"item {index} has {len(elements)} enclosures; only the first is imported",
        )
    element = elements[0]
    url = url_of(element) or ""
    length_text = attribute(element, "length")
    try:
        length = read_count(length_text or "")
    except ValueError:
        length = 0
        problems.add(
            index,
            ProblemCode.BAD_ENCLOSURE,
            f"item {index}: the enclosure has no length; read as 0"
            if length_text is None
            else f"item {index}: the enclosure's length {length_text!r} is not a number of bytes",
        )
    media_type = attribute(element, "type") or _media_type_of(url)
    if media_type is None:
        problems.add(index, ProblemCode.BAD_ENCLOSURE, f"item {index}: the enclosure has no type")
    return Enclosure(url, length, media_type or "")


def _media_type_of(url: str) -> str | None:
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    name = path.rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return _MEDIA_EXTENSIONS.get(extension)


def duration(item: Children, index: int, problems: Problems) -> float | None:
    value = item.line(itunes("duration"))
    if value is None:
        return None
    try:
        seconds = read_duration(value)
    except ValueError as error:
        problems.add(index, ProblemCode.BAD_DURATION, f"item {index}: itunes:duration {error}")
        return None
    if _PLAIN_DURATION.fullmatch(value) is None:
        problems.add(
            index,
            ProblemCode.NORMALISED_DURATION,
            f"item {index}: itunes:duration {value!r} is not whole seconds, MM:SS or HH:MM:SS; "
            f"read as {seconds:g} seconds, and published as {whole_seconds(seconds)}",
        )
    return seconds


def dropped(parent: Children, index: int | None, problems: Problems, *kept: str) -> None:
    """Report `itunes:subtitle` and `itunes:summary` when they say something the texts kept
    (`kept`, as safe HTML) do not: podops publishes neither (Apple shows neither now)."""
    kept_text: list[str] | None = None
    for tag, code in (
        (itunes("subtitle"), ProblemCode.DROPPED_SUBTITLE),
        (itunes("summary"), ProblemCode.DROPPED_SUMMARY),
    ):
        words = words_of(parent.html(tag))
        if not words:
            continue
        if kept_text is None:
            kept_text = [words_of(html) for html in kept]
        if not any(words in text for text in kept_text):
            problems.add(
                index,
                code,
                f"{where(index)}: {_label(tag)} was left out; podops publishes the "
                "description in its place, and Apple Podcasts no longer shows it",
            )


def count(item: Children, index: int, problems: Problems, *tags: str) -> int | None:
    """The first of `tags` that holds a whole number (`itunes:season`, then `podcast:season`).

    A tag that holds something else is reported, and the next one is tried.
    """
    for tag in tags:
        value = item.line(tag)
        if value is None:
            continue
        try:
            return read_count(value)
        except ValueError as error:
            problems.add(index, ProblemCode.BAD_VALUE, f"item {index}: {_label(tag)} {error}")
    return None


def transcripts(item: Children, index: int, problems: Problems) -> tuple[Transcript, ...]:
    found: list[Transcript] = []
    for element in item.all(podcast("transcript")):
        url, media_type = attribute(element, "url"), attribute(element, "type")
        if url is None or media_type is None:
            problems.add(
                index,
                ProblemCode.BAD_VALUE,
                f"item {index}: a podcast:transcript without a url or type was left out",
            )
            continue
        language, rel = attribute(element, "language"), attribute(element, "rel")
        found.append(Transcript(url, media_type, language, rel))
    return tuple(found)


def chapters(item: Children) -> Chapters | None:
    element = item.first(podcast("chapters"))
    url = attribute(element, "url") if element is not None else None
    if element is None or url is None:
        return None
    media_type = attribute(element, "type")
    return Chapters(url, media_type) if media_type else Chapters(url)
