"""An episode's description: what the feed's item says about one episode.

The publish date is the envelope's `metadata.date`; the media is the envelope's `enclosure`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator

from podops.resources._types import (
    MAX_INT32,
    DocumentModel,
    LongText,
    Name,
    ShortText,
    Text,
    fail,
)
from podops.resources._web import WebUrl
from podops.resources.namespace import (
    MAX_TAGS,
    AlternateEnclosure,
    Chat,
    ContentLink,
    ImageSrcset,
    License,
    Locations,
    SocialInteracts,
    Soundbite,
    TxtRecords,
    Values,
)
from podops.resources.persons import MAX_PERSONS, Person
from podops.resources.show import Language

MAX_TRANSCRIPTS = 20

# The formats the podcast namespace lists for `<podcast:transcript type="…">`.
TranscriptType = Literal[
    "text/vtt", "application/x-subrip", "application/json", "text/html", "text/plain"
]
EpisodeNumber = Annotated[int, Field(ge=1, le=MAX_INT32)]


def _url_or_asset(value: str | None, info: ValidationInfo) -> str | None:
    """`asset` itself, when exactly one of `url` and `asset` is given."""
    url = info.data.get("url")
    if "url" not in info.data and value is None:
        return value  # the URL failed validation: its own error says enough
    if (url is None) == (value is None):
        fail(
            "url_or_asset",
            "give the file's url, or the name of an uploaded asset as asset: one of the two",
        )
    return value


class Transcript(DocumentModel):
    """A transcript file (`<podcast:transcript>`), at `url` or an uploaded `asset` (by
    name; the build publishes its URL); `rel: captions` marks timed captions."""

    url: WebUrl | None = None
    asset: Annotated[Name | None, Field(validate_default=True)] = None
    type: TranscriptType
    language: Language | None = None
    rel: Literal["captions"] | None = None

    _one_source = field_validator("asset")(_url_or_asset)


class Chapters(DocumentModel):
    """A chapters file in the podcast namespace's JSON format (`<podcast:chapters>`), at
    `url` or an uploaded `asset` (by name)."""

    url: WebUrl | None = None
    asset: Annotated[Name | None, Field(validate_default=True)] = None
    type: Literal["application/json+chapters"] = "application/json+chapters"

    _one_source = field_validator("asset")(_url_or_asset)


MAX_FEED_GUID = 1024


class EpisodeDescription(DocumentModel):
    """The item of the feed.

    `summary` is the plain description (`<description>`); `notes` are the show notes, Markdown
    or HTML, published as `<content:encoded>`. Apple shows either one and caps both at 4,000
    bytes, so both carry that limit. `explicit` left out means "as the show says".

    `feed_guid` is the item GUID of an episode imported from another host, kept exactly as it
    was so no subscriber downloads it again; the server sets it, and the feed uses it instead
    of `metadata.guid`.

    `premium` keeps the episode out of the public feed: only subscribers of the show's
    private feed get it (the show's `access` is `private` or `both`), and its uploaded media —
    audio, image, transcripts, chapters — that nothing public uses too, by signed URLs.

    The Podcast Index tags of the item (`podops.resources.namespace`), each optional:
    `season_name` (the `name` of `podcast:season`, which needs `season`), `soundbites`,
    `locations`, `license`, `alternate_enclosures`, `image_srcset` (`podcast:images`), `txt`,
    `chat`, `values`, `social_interacts`, `content_links`.
    """

    title: Text
    itunes_title: Annotated[
        Text | None,
        Field(description="Apple's episode title, without show name or numbers (itunes:title)"),
    ] = None
    feed_guid: Annotated[str, Field(min_length=1, max_length=MAX_FEED_GUID)] | None = None
    summary: LongText | None = None
    notes: LongText | None = None
    link: WebUrl | None = None
    season: EpisodeNumber | None = None
    episode: EpisodeNumber | None = None
    type: Literal["full", "trailer", "bonus"] = "full"
    explicit: bool | None = None
    block: bool = False
    premium: Annotated[
        bool, Field(description="only in the show's private feed, never in its public one")
    ] = False
    transcripts: Annotated[list[Transcript], Field(max_length=MAX_TRANSCRIPTS)] = []
    chapters: Chapters | None = None
    persons: Annotated[list[Person], Field(max_length=MAX_PERSONS)] = []
    season_name: Annotated[
        ShortText | None,
        Field(description="the season's name (podcast:season name); needs season"),
    ] = None
    soundbites: Annotated[list[Soundbite], Field(max_length=MAX_TAGS)] | None = None
    locations: Locations | None = None
    license: License | None = None
    alternate_enclosures: Annotated[list[AlternateEnclosure], Field(max_length=MAX_TAGS)] | None = (
        None
    )
    image_srcset: ImageSrcset | None = None
    txt: TxtRecords | None = None
    chat: Chat | None = None
    values: Values | None = None
    social_interacts: SocialInteracts | None = None
    content_links: Annotated[list[ContentLink], Field(max_length=MAX_TAGS)] | None = None

    @field_validator("season_name")
    @classmethod
    def _season_has_a_number(cls, value: str | None, info: ValidationInfo) -> str | None:
        # A season that failed validation is absent from `info.data`: its error says enough.
        if value is not None and "season" in info.data and info.data["season"] is None:
            fail("season_name_without_season", "a season's name needs its number: set season")
        return value
