"""Podcast feeds, and nothing about the service: the model, `render`, `lint`.

Pure: no database, no HTTP, no clock, no settings. Whoever calls passes `now`.

    from feeds import Show, Episode, Enclosure, render, lint

    report = lint(show, episodes, now=now)
    if report.ok:
        xml = render(show, episodes, now=now)   # RSS 2.0, UTF-8 bytes, deterministic

Exceptions:

    RenderError (ValueError)   the show has no title, or a published episode has no GUID

Everything else `render` accepts; `lint` says what is wrong, field by field.
"""

from __future__ import annotations

from feeds.categories import APPLE_CATEGORIES, is_apple_category
from feeds.guid import podcast_guid
from feeds.lint import Code, Finding, LintReport, lint
from feeds.markup import markdown_to_html
from feeds.model import (
    Category,
    Chapters,
    Enclosure,
    Episode,
    EpisodeType,
    Funding,
    Image,
    Owner,
    Person,
    Show,
    ShowType,
    Transcript,
)
from feeds.render import RenderError, render
from feeds.schedule import next_release, published_episodes

__all__ = [
    "APPLE_CATEGORIES",
    "Category",
    "Chapters",
    "Code",
    "Enclosure",
    "Episode",
    "EpisodeType",
    "Finding",
    "Funding",
    "Image",
    "LintReport",
    "Owner",
    "Person",
    "RenderError",
    "Show",
    "ShowType",
    "Transcript",
    "is_apple_category",
    "lint",
    "markdown_to_html",
    "next_release",
    "podcast_guid",
    "published_episodes",
    "render",
]
