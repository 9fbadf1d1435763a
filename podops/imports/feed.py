"""Moving a podcast into podops: its feed read, its show and episodes created.

Every item keeps its GUID exactly as it was, with its date, season, episode number, explicit
flag and notes (`feed_documents` does the mapping). A feed that says
`<podcast:locked>yes</podcast:locked>` is refused unless its owner is the importing user. With
`import_media` the media come in through asset imports, started once the documents exist;
without it enclosures stay external URLs. Importing the same feed again adds its new episodes
and changes nothing else. A paged feed's archive pages (RFC 5005 `next` links) are followed,
so the back catalogue comes too (`pages`).

Only an unreadable feed, a locked one, a name another user has, or a show that cannot be made
fails the operation; everything else that could not be kept is named in the result's
`problems`.
"""

from __future__ import annotations

from typing import Any

from feeds.parse import FeedParseError, ParsedFeed, ParsedShow, parse_feed
from podops.errors import ConflictError
from podops.fetch import FetchError, fetch_bytes
from podops.imports.feed_documents import Mapping, create_episode, create_show
from podops.imports.pages import follow_pages
from podops.imports.policy import fetch_policy
from podops.imports.start import start_asset_import
from podops.jobs import ImportFeedJob, JobFailedError, JobRetryError, ReferenceLink
from podops.metrics import record_fetched
from podops.runtime import Runtime
from podops.services import productions, resources

# The result names at most this many problems; a feed of thousands of bad items says enough.
MAX_PROBLEMS = 200


def import_feed(runtime: Runtime, job: ImportFeedJob, *, operation_id: str) -> dict[str, Any]:
    """Import the feed `job` names into the production `job.name`; what was made."""
    parsed = _parse(_feed_bytes(runtime, job))
    _refuse_locked(parsed.show, job.owner_email)
    parsed, page_problems = follow_pages(parsed, job.url, fetch_policy(runtime.settings))
    # Each item's problems name its GUID too: indexes shift when the old feed changes.
    guids = {episode.index: episode.guid for episode in parsed.episodes}
    mapping = Mapping(
        import_media=job.import_media,
        base_url=runtime.settings.base_url,
        importer_email=job.owner_email,
        source_url=job.url,
        problems=[
            {
                "index": problem.index,
                "guid": guids.get(problem.index) if problem.index is not None else None,
                "code": str(problem.code),
                "message": problem.message,
            }
            for problem in parsed.problems
        ]
        + page_problems,
    )
    with runtime.database.session() as session:
        try:
            production, created = productions.open_for_import(session, job.name, owner_id=job.owner)
        except ConflictError as error:
            raise JobFailedError(error.code, error.message) from error
        show_created = create_show(session, production, parsed.show, mapping)
        known = resources.feed_guids(session, production)
        added = skipped = 0
        for episode in parsed.episodes:
            if episode.guid in known:
                skipped += 1
            elif create_episode(session, production, episode, mapping):
                added += 1
                known.add(episode.guid)
        production_guid, production_name = production.guid, production.name
    media_imports = [
        start_asset_import(
            runtime,
            production_guid,
            item.url,
            owner=job.owner,
            link=ReferenceLink(resource=item.resource, field=item.field, fallback=item.fallback),
            feed_import=operation_id,
        ).id
        for item in mapping.imports
    ]
    # `import.finished` goes once this operation and its media imports have all ended
    # (`podops.imports.report.announce_feed_import`), not now.
    return {
        "production": production_name,
        "production_guid": production_guid,
        "production_created": created,
        "show_created": show_created,
        "episodes_added": added,
        "episodes_already_there": skipped,
        "items_in_feed": parsed.item_count,
        "media_imports": media_imports,
        "problems": mapping.problems[:MAX_PROBLEMS],
    }


def _feed_bytes(runtime: Runtime, job: ImportFeedJob) -> bytes:
    """The feed as sent, or fetched from its URL within the fetch policy."""
    if job.xml is not None:
        return job.xml.encode()
    assert job.url is not None  # the API takes exactly one of url and xml
    try:
        data, _fetched = fetch_bytes(job.url, policy=fetch_policy(runtime.settings))
    except FetchError as error:
        if error.transient:
            raise JobRetryError(error.message) from error
        raise JobFailedError(error.code, error.message) from error
    record_fetched("feed", len(data))
    return data


def _parse(data: bytes) -> ParsedFeed:
    try:
        return parse_feed(data)
    except FeedParseError as error:
        raise JobFailedError(str(error.code), error.message) from error


def _refuse_locked(show: ParsedShow, importer_email: str) -> None:
    """A locked feed moves only for its owner: the lock's own `owner` when it names one (the
    Podcast Index rule), else the `itunes:owner` email."""
    if not show.locked:
        return
    owner = show.locked_owner or (show.owner.email if show.owner else None)
    if owner is not None and owner.strip().lower() == importer_email.strip().lower():
        return
    raise JobFailedError(
        "podops.import.locked",
        "the feed is locked (<podcast:locked>yes</podcast:locked>) and its owner is "
        f"{owner or 'not named'}, not you: its owner must unlock it, or import it themselves",
    )
