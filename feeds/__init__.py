"""Podcast feeds, and nothing about the service: the model, `render`, `lint`.

Pure: no database, no HTTP, no clock, no settings. Whoever calls passes `now`.

    from feeds import Show, Episode, Enclosure, ItemCache, render, lint

    report = lint(show, episodes, now=now)
    if report.ok:
        xml = render(show, episodes, now=now)   # RSS 2.0, UTF-8 bytes, deterministic

A build is fast when the service does two things: it stores each episode's notes rendered
once by `markdown_to_html` and passes them as `Episode.notes_html` (`Episode.summary_html`
and `Show.summary_html` for the summaries), and it keeps one `ItemCache` per worker process
and passes it as `cache=` to both `lint` and `render`, so a rebuild checks and writes only the
episodes that changed.
`render_to(show, episodes, file, now=now)` writes the same bytes to a file as they are made,
so the largest feeds need not be held in memory whole.

Exceptions:

    RenderError (ValueError)   the show has no title, or a published episode has no GUID

Everything else `render` accepts; `lint` says what is wrong, field by field.
"""

from __future__ import annotations

from feeds._lint_podcast import KNOWN_LICENSES, MEDIUMS, rrule_problem
from feeds._lint_show import DESCRIPTION_MAX_BYTES, published_size
from feeds.cache import ItemCache
from feeds.categories import APPLE_CATEGORIES, is_apple_category
from feeds.guid import podcast_guid
from feeds.lint import Code, Finding, LintReport, lint, lint_each
from feeds.markup import markdown_to_html
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
    Integrity,
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
    Source,
    Trailer,
    Transcript,
    Txt,
    UpdateFrequency,
    Value,
    ValueRecipient,
    ValueTimeSplit,
)
from feeds.paging import Page, page_show, paginate
from feeds.render import RenderError, render, render_to
from feeds.schedule import next_release, published_episodes

__all__ = [
    "APPLE_CATEGORIES",
    "DESCRIPTION_MAX_BYTES",
    "KNOWN_LICENSES",
    "MEDIUMS",
    "AlternateEnclosure",
    "Category",
    "Chapters",
    "Chat",
    "Code",
    "ContentLink",
    "Enclosure",
    "Episode",
    "EpisodeType",
    "Finding",
    "Funding",
    "Image",
    "ImageSource",
    "Integrity",
    "ItemCache",
    "License",
    "LintReport",
    "LiveItem",
    "Location",
    "Owner",
    "Page",
    "Person",
    "RemoteItem",
    "RenderError",
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
    "is_apple_category",
    "lint",
    "lint_each",
    "markdown_to_html",
    "next_release",
    "page_show",
    "paginate",
    "podcast_guid",
    "published_episodes",
    "published_size",
    "render",
    "render_to",
    "rrule_problem",
]
