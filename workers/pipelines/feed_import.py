"""Moving a podcast into podops: its feed read, its show and episodes created.

Every item keeps its GUID exactly as it was (`description.feed_guid`), with its date, season,
episode number, categories, explicit flag and notes (HTML kept, made safe). A feed that says
`<podcast:locked>yes</podcast:locked>` is refused unless its owner is the importing user. With
`import_media` the media come in through the asset import path; without it enclosures stay
external URLs. Importing the same feed again adds its new episodes and changes nothing else.

Foreign feeds are messy: a value podops cannot keep (a category not in Apple's list, a title
over 255 characters) is left out or cut, and named in the result's `problems`; an item that
cannot be kept at all is skipped and named there too. Only an unreadable feed, a locked one or
a show that cannot be made fails the operation.
"""

from __future__ import annotations

import time
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from feeds.parse import FeedParseError, ParsedEpisode, ParsedShow, parse_feed, suggest_episode_name
from podops.fetch import FetchError, fetch_bytes
from podops.models import Production, Resource
from podops.names import Kind, new_guid
from podops.resources import parse_resource
from podops.services import resources
from workers.pipelines.imports import fetch_policy
from workers.runner import PermanentError, TransientError
from workers.runtime import Runtime

MAX_TEXT_BYTES = 4000
MAX_TITLE_CHARS = 255
# Fields a document must have: a value of these that does not validate fails the item.
ESSENTIAL = {
    "kind",
    "apiVersion",
    "metadata",
    "description.title",
    "description.summary",
    "description.categories",
    "description.language",
}


def import_feed(runtime: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    xml = params.get("xml")
    if xml is None:
        try:
            xml, _fetched = fetch_bytes(params["url"], policy=fetch_policy(runtime.settings))
        except FetchError as error:
            if error.transient:
                raise TransientError(error.message) from error
            raise PermanentError(error.code, error.message) from error
    elif isinstance(xml, str):
        xml = xml.encode()
    try:
        parsed = parse_feed(xml)
    except FeedParseError as error:
        raise PermanentError(str(error.code), error.message) from error
    _refuse_locked(parsed.show, params["owner_email"])
    problems: list[dict[str, Any]] = [
        {"index": problem.index, "code": str(problem.code), "message": problem.message}
        for problem in parsed.problems
    ]
    imports: list[tuple[str, str, str]] = []  # (resource guid, field, url) to fetch afterwards
    with runtime.database.session() as session:
        production, created = _production(session, params)
        show_created = _ensure_show(session, production, parsed.show, params, problems, imports)
        known = _known_guids(session, production)
        added = skipped = 0
        for episode in parsed.episodes:
            if episode.guid in known:
                skipped += 1
                continue
            if _add_episode(session, production, episode, params, problems, imports):
                added += 1
                known.add(episode.guid)
        production_guid, production_name = production.guid, production.name
    operations = [
        runtime.jobs.start(
            "import_asset",
            {
                "production": production_guid,
                "url": url,
                "role": "artwork" if field == "image" else "media",
                "link": {"resource": resource_guid, "field": field},
            },
            production=production_guid,
            owner=params["owner"],
        ).id
        for resource_guid, field, url in imports
    ]
    return {
        "production": production_name,
        "production_guid": production_guid,
        "production_created": created,
        "show_created": show_created,
        "episodes_added": added,
        "episodes_already_there": skipped,
        "items_in_feed": parsed.item_count,
        "media_imports": operations,
        "problems": problems[:200],
    }


def _refuse_locked(show: ParsedShow, importer_email: str) -> None:
    """A locked feed moves only for its owner: the lock's own `owner` when it names one (the
    Podcast Index rule), else the `itunes:owner` email."""
    if not show.locked:
        return
    owner = show.locked_owner or (show.owner.email if show.owner else None)
    if owner is not None and owner.strip().lower() == importer_email.strip().lower():
        return
    raise PermanentError(
        "podops.import.locked",
        "the feed is locked (<podcast:locked>yes</podcast:locked>) and its owner is "
        f"{owner or 'not named'}, not you: its owner must unlock it, or import it themselves",
    )


def _production(session: Session, params: dict[str, Any]) -> tuple[Production, bool]:
    production = session.scalars(
        select(Production).where(Production.name == params["name"])
    ).first()
    if production is not None:
        if production.owner_id != params["owner"]:
            raise PermanentError("podops.production.exists", f"{params['name']} is taken")
        return production, False
    now = int(time.time())
    production = Production(
        guid=new_guid(),
        name=params["name"],
        title=params["name"],
        owner_id=params["owner"],
        created_at=now,
        updated_at=now,
    )
    session.add(production)
    session.flush()
    return production, True


def _known_guids(session: Session, production: Production) -> set[str]:
    rows = session.scalars(
        select(Resource).where(
            Resource.production_guid == production.guid, Resource.kind == Kind.EPISODE.value
        )
    )
    return {row.document.get("description", {}).get("feed_guid") or row.guid for row in rows}


def _clip(text: str | None, limit: int = MAX_TEXT_BYTES) -> str | None:
    if not text:
        return None
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", "ignore").rstrip() + "…"


def _reference(url: str | None, media: bool, **external: Any) -> dict[str, Any] | None:
    if not url:
        return None
    if media:
        return {"rel": "import", "url": url}
    return {"rel": "external", "url": url, **{k: v for k, v in external.items() if v}}


def _ensure_show(
    session: Session,
    production: Production,
    show: ParsedShow,
    params: dict[str, Any],
    problems: list[dict[str, Any]],
    imports: list[tuple[str, str, str]],
) -> bool:
    existing = session.scalars(
        select(Resource).where(
            Resource.production_guid == production.guid, Resource.kind == Kind.SHOW.value
        )
    ).first()
    if existing is not None:
        return False
    description: dict[str, Any] = {
        "title": show.title[:MAX_TITLE_CHARS] or production.name,
        "summary": _clip(show.summary_html) or show.title[:MAX_TITLE_CHARS] or production.name,
        "link": show.link,
        "categories": [
            {
                "category": category.name,
                **({"subcategory": category.subcategory} if category.subcategory else {}),
            }
            for category in show.categories
        ]
        or [{"category": "Society & Culture"}],
        "owner": {"name": show.owner.name, "email": show.owner.email} if show.owner else None,
        "author": show.author,
        "copyright": show.copyright,
        "language": show.language or "en",
        "explicit": bool(show.explicit),
        "type": str(show.type),
        "block": show.block,
        "complete": show.complete,
        "new_feed_url": show.new_feed_url,
        "locked": show.locked,
        "funding": [{"url": item.url, "title": item.title} for item in show.funding],
        "persons": [_person(person) for person in show.persons],
    }
    document: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "show",
        "metadata": {"name": production.name},
        "description": {key: value for key, value in description.items() if value is not None},
        "image": _reference(show.image.url if show.image else None, params["import_media"]),
    }
    if not show.categories:
        problems.append(
            {
                "index": None,
                "code": "podops.import.no_category",
                "message": "the feed names no category; 'Society & Culture' was set",
            }
        )
    resource = _create(session, production, document, None, problems)
    if resource is None:
        raise PermanentError(
            "podops.import.bad_show",
            "the feed's show cannot be kept",
            details={"problems": problems[-5:]},
        )
    production.title = description["title"]
    if document["image"] and document["image"]["rel"] == "import":
        imports.append((resource.guid, "image", document["image"]["url"]))
    return True


def _add_episode(
    session: Session,
    production: Production,
    episode: ParsedEpisode,
    params: dict[str, Any],
    problems: list[dict[str, Any]],
    imports: list[tuple[str, str, str]],
) -> bool:
    enclosure = episode.enclosure
    description: dict[str, Any] = {
        "title": (episode.title or episode.guid)[:MAX_TITLE_CHARS],
        "feed_guid": episode.guid,
        "notes": _clip(episode.notes_html),
        "link": episode.link,
        "season": episode.season,
        "episode": episode.number,
        "type": str(episode.type),
        "explicit": episode.explicit,
        "block": episode.block,
        "transcripts": [
            {
                "url": item.url,
                "type": item.type,
                **({"language": item.language} if item.language else {}),
                **({"rel": item.rel} if item.rel else {}),
            }
            for item in episode.transcripts
        ],
        "chapters": {"url": episode.chapters.url, "type": episode.chapters.type}
        if episode.chapters
        else None,
        "persons": [_person(person) for person in episode.persons],
    }
    document: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "episode",
        "metadata": {
            "name": suggest_episode_name(episode),
            "date": int(time.time()) if episode.published is None else episode.published,
        },
        "description": {key: value for key, value in description.items() if value is not None},
        "enclosure": _reference(
            enclosure.url if enclosure else None,
            params["import_media"],
            type=enclosure.type if enclosure else None,
            length=enclosure.length if enclosure and enclosure.length > 0 else None,
            duration=episode.duration if episode.duration and episode.duration > 0 else None,
        ),
        "image": _reference(episode.image.url if episode.image else None, params["import_media"]),
    }
    resource = _create(session, production, document, episode.index, problems)
    if resource is None:
        return False
    for field in ("enclosure", "image"):
        reference = document[field]
        if reference and reference["rel"] == "import":
            imports.append((resource.guid, field, reference["url"]))
    return True


def _person(person: Any) -> dict[str, Any]:
    fields = {
        "name": person.name,
        "role": person.role,
        "group": person.group,
        "href": person.href,
        "img": person.img,
    }
    return {key: value for key, value in fields.items() if value}


def _create(
    session: Session,
    production: Production,
    document: dict[str, Any],
    index: int | None,
    problems: list[dict[str, Any]],
) -> Resource | None:
    """Create the resource, leaving out (and reporting) each optional value that does not
    validate; None when an essential one does not."""
    document = {key: value for key, value in document.items() if value is not None}
    for _ in range(20):
        try:
            parsed = parse_resource(document)
        except ValidationError as error:
            first = error.errors(include_url=False)[0]
            path = [str(part) for part in first["loc"]]
            if len(path) >= 2 and path[-2].isdigit():
                path = path[:-1]  # a bad field of a list item: drop the whole item
            problems.append(
                {
                    "index": index,
                    "code": "podops.import.value_dropped",
                    "message": f"{'.'.join(path)}: {first['msg']} (left out)",
                }
            )
            if ".".join(path) in ESSENTIAL or not _drop(document, path):
                return None
            continue
        return resources.create_resource(
            session, production, parsed, path_name=parsed.metadata.name, from_server=True
        )
    return None


def _drop(document: dict[str, Any], path: list[str]) -> bool:
    """Remove the value at `path` (a list item or a field); False when there is none."""
    node: Any = document
    for part in path[:-1]:
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return False
    last = path[-1]
    if isinstance(node, list) and last.isdigit() and int(last) < len(node):
        del node[int(last)]
        return True
    if isinstance(node, dict) and last in node:
        del node[last]
        return True
    return False
