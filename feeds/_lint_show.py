"""Lint rules for the show: the `<channel>`.

Errors are what Apple Podcasts or the Podcast Index refuse, or what breaks the feed's identity:
the required tags (title, description, artwork, language, category, owner email, feed URL),
values outside their sets, bad URLs, a description over 4000 bytes. Warnings are what apps
cope with but listeners or the producer would notice.
"""

from __future__ import annotations

import re

from feeds._findings import Code, Findings
from feeds._lint_podcast import check_show_tags
from feeds._rules import (
    PODCAST_INDEX_LABEL_MAX,
    check_artwork,
    check_length,
    check_persons,
    check_text,
    check_url,
)
from feeds._text import cdata_content
from feeds._values import email_problem, language_problem
from feeds.categories import APPLE_CATEGORIES
from feeds.markup import markdown_to_html
from feeds.model import Show

__all__ = ["DESCRIPTION_MAX_BYTES", "TITLE_MAX_CHARS", "lint_show", "published_size"]

# Apple: the show's and each episode's description may hold up to 4000 bytes, measured as
# published (HTML).
DESCRIPTION_MAX_BYTES = 4000
# Directories and apps cut longer titles.
TITLE_MAX_CHARS = 255

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_SUBJECT = "Show"


def published_size(html: str) -> int:
    """The bytes `html` takes in the feed's CDATA section, as `render` writes it."""
    return len(cdata_content(html).encode("utf-8"))


def lint_show(show: Show, findings: Findings) -> None:
    """Record every problem of `show` in `findings`."""
    _check_title_and_summary(show, findings)
    _check_urls(show, findings)
    _check_language(show, findings)
    _check_categories(show, findings)
    _check_people(show, findings)
    for index, funding in enumerate(show.funding):
        path = f"show.funding[{index}]"
        check_url(findings, f"{path}.url", _SUBJECT, "funding link", funding.url)
        if not funding.title.strip():
            findings.warning(
                Code.MISSING,
                f"{path}.title",
                f"{_SUBJECT}: funding link {index} has no label for apps to show beside it.",
            )
        check_length(
            findings,
            f"{path}.title",
            _SUBJECT,
            "funding label",
            funding.title,
            PODCAST_INDEX_LABEL_MAX,
        )
    if show.podcast_guid is not None and not _UUID.fullmatch(show.podcast_guid):
        findings.error(
            Code.INVALID_PODCAST_GUID,
            "show.podcast_guid",
            f"{_SUBJECT}: the podcast GUID {show.podcast_guid!r} is not a UUID "
            "(36 characters with four hyphens).",
        )
    check_show_tags(show, findings)


def _check_title_and_summary(show: Show, findings: Findings) -> None:
    if not show.title.strip():
        findings.error(Code.MISSING, "show.title", f"{_SUBJECT}: the title is missing.")
    check_length(findings, "show.title", _SUBJECT, "title", show.title, TITLE_MAX_CHARS)
    check_text(findings, "show.title", _SUBJECT, "title", show.title)
    if not show.summary_markdown.strip():
        findings.error(
            Code.MISSING,
            "show.summary_markdown",
            f"{_SUBJECT}: the summary is missing; it is the feed's description, which Apple "
            "Podcasts requires.",
        )
    else:
        html = show.summary_html
        if html is None:
            html = markdown_to_html(show.summary_markdown)
        size = published_size(html)
        if size > DESCRIPTION_MAX_BYTES:
            findings.error(
                Code.TOO_LONG,
                "show.summary_markdown",
                f"{_SUBJECT}: the summary is {size} bytes once rendered as HTML; Apple "
                f"Podcasts accepts at most {DESCRIPTION_MAX_BYTES}.",
            )
    check_text(findings, "show.summary_markdown", _SUBJECT, "summary", show.summary_markdown)
    for path, label, text in (
        ("show.author", "author", show.author),
        ("show.copyright", "copyright", show.copyright),
    ):
        if text:
            check_text(findings, path, _SUBJECT, label, text)


def _check_urls(show: Show, findings: Findings) -> None:
    if not show.feed_url.strip():
        findings.error(
            Code.MISSING,
            "show.feed_url",
            f"{_SUBJECT}: the feed URL is missing; the feed names itself with it.",
        )
    else:
        check_url(findings, "show.feed_url", _SUBJECT, "feed URL", show.feed_url)
    if show.link:
        check_url(findings, "show.link", _SUBJECT, "website link", show.link)
    else:
        findings.warning(
            Code.MISSING,
            "show.link",
            f"{_SUBJECT}: the website link is missing; the feed URL is used in its place.",
        )
    if show.image is None:
        findings.error(
            Code.MISSING,
            "show.image",
            f"{_SUBJECT}: the artwork is missing; Apple Podcasts requires it.",
        )
    else:
        check_artwork(findings, "show.image", _SUBJECT, show.image)
    if show.new_feed_url:
        check_url(findings, "show.new_feed_url", _SUBJECT, "new feed URL", show.new_feed_url)
        if show.new_feed_url == show.feed_url:
            findings.warning(
                Code.NEW_FEED_URL_UNCHANGED,
                "show.new_feed_url",
                f"{_SUBJECT}: the new feed URL is the feed's own URL, so it moves nothing.",
            )


def _check_language(show: Show, findings: Findings) -> None:
    if not show.language.strip():
        findings.error(
            Code.MISSING,
            "show.language",
            f"{_SUBJECT}: the language is missing; use an ISO 639 code such as en-us.",
        )
        return
    problem = language_problem(show.language)
    if problem is not None:
        code, what = problem
        findings.error(code, "show.language", f"{_SUBJECT}: the language {what}.")


def _check_categories(show: Show, findings: Findings) -> None:
    if not show.categories:
        findings.error(
            Code.MISSING,
            "show.categories",
            f"{_SUBJECT}: no category is set; Apple Podcasts requires one from its list "
            "(the first one counts most).",
        )
    for index, category in enumerate(show.categories):
        path = f"show.categories[{index}]"
        subcategories = APPLE_CATEGORIES.get(category.name)
        if subcategories is None:
            findings.error(
                Code.UNKNOWN_CATEGORY,
                f"{path}.name",
                f"{_SUBJECT}: {category.name!r} is not an Apple Podcasts category "
                "(names are case-sensitive, e.g. 'Health & Fitness').",
            )
        elif category.subcategory is not None and category.subcategory not in subcategories:
            allowed = ", ".join(sorted(subcategories)) or "none"
            findings.error(
                Code.UNKNOWN_CATEGORY,
                f"{path}.subcategory",
                f"{_SUBJECT}: {category.subcategory!r} is not a subcategory of "
                f"{category.name!r} (allowed: {allowed}).",
            )


def _check_people(show: Show, findings: Findings) -> None:
    owner = show.owner
    if owner is None or not owner.email.strip():
        findings.error(
            Code.MISSING,
            "show.owner.email",
            f"{_SUBJECT}: the owner's email is missing; Apple Podcasts uses it to verify "
            "who owns the show.",
        )
    else:
        problem = email_problem(owner.email)
        if problem is not None:
            code, what = problem
            findings.error(code, "show.owner.email", f"{_SUBJECT}: the owner's email {what}.")
    if owner is not None:
        if not owner.name.strip():
            findings.warning(
                Code.MISSING, "show.owner.name", f"{_SUBJECT}: the owner's name is missing."
            )
        check_text(findings, "show.owner.name", _SUBJECT, "owner's name", owner.name)
    if not (show.author or "").strip():
        findings.warning(
            Code.MISSING,
            "show.author",
            f"{_SUBJECT}: the author is missing; Apple Podcasts shows it under the title.",
        )
    if show.locked and not (show.locked_owner or (owner.email if owner else "")):
        findings.warning(
            Code.LOCKED_WITHOUT_OWNER,
            "show.locked_owner",
            f"{_SUBJECT}: the feed is locked but names no owner email, so a move to another "
            "host cannot be verified.",
        )
    if show.locked_owner:
        problem = email_problem(show.locked_owner)
        if problem is not None:
            code, what = problem
            findings.error(code, "show.locked_owner", f"{_SUBJECT}: the lock owner {what}.")
    check_persons(findings, "show.persons", _SUBJECT, show.persons)
