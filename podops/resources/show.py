"""A show's description: what the feed's channel says about the podcast."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from podops.resources import categories
from podops.resources._types import (
    DocumentModel,
    LongText,
    ShortText,
    Text,
    UnixTime,
    fail,
    wrap_value_error,
)
from podops.resources._web import Email, WebUrl
from podops.resources.languages import InvalidLanguageError, normalise_language
from podops.resources.namespace import (
    MAX_LIVE_ITEMS,
    MAX_TAGS,
    Chat,
    ImageSrcset,
    License,
    LiveItem,
    Locations,
    Medium,
    RemoteItem,
    RemoteItems,
    ServiceBlock,
    SocialInteracts,
    Trailer,
    TxtRecords,
    UpdateFrequency,
    Values,
    check_live_items,
    check_publisher,
    check_service_blocks,
)
from podops.resources.persons import MAX_PERSONS, Person

MAX_CATEGORIES = 10
MAX_FEED_EPISODES = 10_000
MAX_FUNDING = 10

CategoryName = Annotated[
    str,
    Field(
        description=f"an Apple Podcasts category; see {categories.APPLE_CATEGORIES_URL}",
        json_schema_extra={"enum": list(categories.APPLE_CATEGORIES)},
    ),
]
SubcategoryName = Annotated[
    str,
    Field(
        description="an Apple Podcasts subcategory of the category",
        json_schema_extra={"enum": list(categories.ALL_SUBCATEGORIES)},
    ),
]


class Category(DocumentModel):
    """An Apple Podcasts category, with an optional subcategory that must belong to it."""

    category: CategoryName
    subcategory: SubcategoryName | None = None

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        try:
            return categories.check_category(value)
        except categories.InvalidCategoryError as error:
            wrap_value_error("category_unknown", error)

    @field_validator("subcategory")
    @classmethod
    def _belongs_to_category(cls, value: str | None, info: ValidationInfo) -> str | None:
        # A field validator (not a model validator) so the error's loc ends in `subcategory`.
        # If the category itself failed it is absent here, and that error says enough.
        category = info.data.get("category")
        if value is None or category is None:
            return value
        try:
            return categories.check_subcategory(category, value)
        except categories.InvalidCategoryError as error:
            wrap_value_error("subcategory_unknown", error)


class Owner(DocumentModel):
    """Who Apple contacts about the show (`<itunes:owner>`); the email is also the owner of
    `<podcast:locked>`."""

    name: Text
    email: Email


class Funding(DocumentModel):
    """A page where listeners can support the show (`<podcast:funding>`)."""

    url: WebUrl
    title: ShortText | None = None


def _language(value: str) -> str:
    try:
        return normalise_language(value)
    except InvalidLanguageError as error:
        wrap_value_error("language_invalid", error)


Language = Annotated[
    str,
    Field(
        min_length=2,
        max_length=6,
        description="ISO 639-1 code with an optional region, e.g. en, en-us, pt-br",
        json_schema_extra={"pattern": "^[A-Za-z]{2}([-_]([A-Za-z]{2}|[0-9]{3}))?$"},
    ),
    AfterValidator(_language),
]
"""A feed language, normalised to lower case with a hyphen (`pt_BR` becomes `pt-br`)."""


PodcastGuid = Annotated[
    str,
    Field(
        pattern="^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
        description="set by the server: the show's podcast:guid (a UUID), never changed",
    ),
]


class ShowDescription(DocumentModel):
    """The channel of the feed.

    Required: what a build needs of every show — Apple's title, summary, category and
    language, and the owner, whose email `<podcast:locked>` names and Apple verifies with.
    `explicit` is always published, so it defaults to false; `locked` defaults to true so
    that another host cannot import the show without the owner's say-so.

    `podcast_guid` is the show's identity in the Podcast Index (`<podcast:guid>`), set by the
    server once and kept for ever: the one an imported feed declared, else the one its old
    feed URL implies, else the one of the show's first podops feed URL.

    `new_feed_url` tells podcatchers the show has moved (`itunes:new-feed-url`); with
    `redirect_until` as well, the builds from then on have podops answer the show's feed URLs
    (`/f/…` and `/s/…`) with a 301 to it until that time, as podcatchers expect during a move.
    `feed_episodes` pages the public feed: its main document carries that many of the newest
    episodes and links to archive pages holding the rest (off by default: Apple Podcasts reads
    the main document only).

    `access` says which feeds a build publishes: the public feed (never with an episode
    marked `premium`), the private feed each subscriber reads (every episode, marked
    `itunes:block` and `podcast:block` so no directory lists it), or both.

    The Podcast Index tags of the channel (`podops.resources.namespace`), each optional:
    `medium`, `license`, `locations`, `trailers`, `txt`, `update_frequency`, `service_blocks`
    (`podcast:block`; `block` is `itunes:block`), `publisher`, `chat`, `image_srcset`
    (`podcast:images`), `values`, `social_interacts`, `podroll` and `remote_items` (what a list
    medium such as musicL holds), and `live_items` (`podcast:liveItem`: live streams, each
    with its status, start, end and stream).
    """

    title: Text
    summary: LongText
    link: WebUrl | None = None
    categories: Annotated[list[Category], Field(min_length=1, max_length=MAX_CATEGORIES)]
    owner: Owner
    author: Text | None = None
    copyright: Text | None = None
    language: Language
    explicit: bool = False
    type: Literal["episodic", "serial"] = "episodic"
    block: bool = False
    access: Annotated[
        Literal["public", "private", "both"],
        Field(
            description="public: one public feed; private: only subscribers' private feeds; "
            "both: a public feed without the premium episodes and a private feed with all"
        ),
    ] = "public"
    complete: bool = False
    feed_episodes: Annotated[
        int | None,
        Field(
            ge=1,
            le=MAX_FEED_EPISODES,
            description="page the public feed (RFC 5005): the main feed carries this many of "
            "the newest episodes, archive pages as many each; unset, the feed carries all",
        ),
    ] = None
    new_feed_url: WebUrl | None = None
    redirect_until: Annotated[
        UnixTime | None,
        Field(
            description="with new_feed_url: until this time (Unix seconds) the show's podops "
            "feed URLs answer 301 to new_feed_url; after it they serve the feed again"
        ),
    ] = None
    locked: bool = True
    podcast_guid: PodcastGuid | None = None
    funding: Annotated[list[Funding], Field(max_length=MAX_FUNDING)] = []
    persons: Annotated[list[Person], Field(max_length=MAX_PERSONS)] = []
    medium: Medium | None = None
    license: License | None = None
    locations: Locations | None = None
    trailers: Annotated[list[Trailer], Field(max_length=MAX_TAGS)] | None = None
    txt: TxtRecords | None = None
    update_frequency: UpdateFrequency | None = None
    service_blocks: Annotated[list[ServiceBlock], Field(max_length=MAX_TAGS)] | None = None
    publisher: RemoteItem | None = None
    chat: Chat | None = None
    image_srcset: ImageSrcset | None = None
    values: Values | None = None
    social_interacts: SocialInteracts | None = None
    podroll: RemoteItems | None = None
    remote_items: RemoteItems | None = None
    live_items: Annotated[list[LiveItem], Field(max_length=MAX_LIVE_ITEMS)] | None = None

    _distinct_services = field_validator("service_blocks")(check_service_blocks)

    @field_validator("redirect_until")
    @classmethod
    def _redirect_needs_a_target(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and not info.data.get("new_feed_url"):
            fail(
                "redirect_without_new_feed_url",
                "needs new_feed_url: the address the show's feed URLs would redirect to",
            )
        return value

    _publisher_medium = field_validator("publisher")(check_publisher)
    _distinct_live_items = field_validator("live_items")(check_live_items)

    @field_validator("categories")
    @classmethod
    def _distinct_categories(cls, value: list[Category]) -> list[Category]:
        seen: set[tuple[str, str | None]] = set()
        for item in value:
            key = (item.category, item.subcategory)
            if key in seen:
                fail("category_repeated", f"lists {_category_text(item)} more than once")
            seen.add(key)
        return value


def _category_text(item: Category) -> str:
    if item.subcategory is None:
        return repr(item.category)
    return f"{item.category!r} > {item.subcategory!r}"
