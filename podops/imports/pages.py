"""Reading a paged feed's archive (RFC 5005) on import: its `next` links, followed.

A feed that carries only its newest episodes links to older pages; an import that stopped at
the first document would leave the back catalogue behind. Each page is fetched like the feed
itself (`podops.fetch`: the same address rules and size cap, so a page cannot reach a private
address the feed could not), at most `MAX_PAGES` of them and `MAX_ITEMS` items in all, and
never the same URL twice. The show is the first document's; the episodes are those of every
page, each GUID once, indexed as if the pages were one list of items.

A page that cannot be fetched for good or read ends the walk: what was read is imported and
the problem named. A page that fails for a moment fails the import for a retry, as the first
document does.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urljoin, urlsplit

from feeds.parse import MAX_ITEMS, FeedParseError, ParsedEpisode, ParsedFeed, parse_feed
from podops.fetch import FetchError, FetchPolicy, fetch_bytes
from podops.jobs import JobRetryError
from podops.metrics import record_fetched

MAX_PAGES = 1000

Problem = dict[str, Any]


def follow_pages(
    first: ParsedFeed, url: str | None, policy: FetchPolicy
) -> tuple[ParsedFeed, list[Problem]]:
    """`first` with the episodes of the pages its `next` links lead to; the problems met."""
    episodes = list(first.episodes)
    guids = {episode.guid for episode in episodes}
    problems: list[Problem] = []
    count, pages = first.item_count, 0
    seen = {url} if url else set()
    base, link = url, first.next_page
    while link:
        target = urljoin(base, link) if base else link
        why = _refusal(target, seen, pages, count)
        if why is not None:
            problems.append(_problem("podops.import.page_not_followed", f"{target}: {why}"))
            break
        seen.add(target)
        try:
            data, _ = fetch_bytes(target, policy=policy)
            page = parse_feed(data)
        except FetchError as error:
            if error.transient:
                raise JobRetryError(f"archive page {target}: {error.message}") from error
            problems.append(_problem(error.code, f"archive page {target}: {error.message}"))
            break
        except FeedParseError as error:
            problems.append(_problem(str(error.code), f"archive page {target}: {error.message}"))
            break
        record_fetched("feed", len(data))
        pages += 1
        episodes += _new_episodes(page, count, guids)
        problems += [
            _problem(str(item.code), f"archive page {target}: {item.message}", count + item.index)
            for item in page.problems
            if item.index is not None  # the channel's repeat the first document's
        ]
        count += page.item_count
        base, link = target, page.next_page
    merged = replace(first, episodes=tuple(episodes), item_count=count, next_page=None)
    return merged, problems


def _refusal(target: str, seen: set[str], pages: int, count: int) -> str | None:
    if urlsplit(target).scheme not in ("http", "https"):
        return "an archive page must be an http(s) URL"
    if target in seen:
        return "the pages link back to a page already read"
    if pages >= MAX_PAGES:
        return f"more than {MAX_PAGES} archive pages; the rest were not read"
    if count >= MAX_ITEMS:
        return f"the pages hold more than {MAX_ITEMS:,} items; the rest were not read"
    return None


def _new_episodes(page: ParsedFeed, offset: int, guids: set[str]) -> list[ParsedEpisode]:
    """The page's episodes whose GUIDs no earlier page had, indexed after those pages."""
    found = []
    for episode in page.episodes:
        if episode.guid in guids:
            continue
        guids.add(episode.guid)
        found.append(replace(episode, index=offset + episode.index))
    return found


def _problem(code: str, message: str, index: int | None = None) -> Problem:
    return {"index": index, "guid": None, "code": code, "message": message}
