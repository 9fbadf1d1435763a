"""A parsed foreign feed mapped onto podops' documents, created through the resource service.

Foreign feeds are messy: a value podops cannot keep (a category not in Apple's list, a title
over 255 characters) is left out or cut, and named in `problems`; an item that cannot be kept
at all is skipped and named there too. Every episode keeps its item GUID exactly as it was
(`description.feed_guid`), with its date, season, episode number, explicit flag and notes
(HTML kept, made safe). With `import_media` the media references say `rel: import`, for the
asset imports the caller starts (`Imports`); without it they stay external URLs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

import feeds
from feeds.model import Person
from feeds.parse import ParsedEpisode, ParsedShow, suggest_episode_name
from podops.errors import BadRequestError
from podops.imports.feed_tags import episode_tags, show_tags
from podops.jobs import ExternalFacts, JobFailedError
from podops.jobs.kinds import IMPORT_FIELDS, ImportField
from podops.models import Production, Resource
from podops.resources import parse_resource
from podops.services import resources
from podops.services.resources import TOO_LONG_PUBLISHED

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


@dataclass(frozen=True)
class MediaImport:
    """A `rel: import` reference of a created document, to be fetched afterwards; if that
    fails, it falls back to the URL as `rel: external` with the `fallback` facts the feed
    gave (an enclosure's type, length and duration), so the show still builds."""

    resource: str
    field: ImportField
    url: str
    fallback: ExternalFacts | None = None


@dataclass
class Mapping:
    """How the feed is mapped (`import_media`; `source_url`, where it was fetched from, if it
    was; `base_url`, podops' own), and what mapping it did: the problems it met, the media
    imports it left to do."""

    import_media: bool
    base_url: str
    # Who imports: the show's owner when the feed names none.
    importer_email: str
    source_url: str | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)
    imports: list[MediaImport] = field(default_factory=list)


def create_show(
    session: Session, production: Production, show: ParsedShow, mapping: Mapping
) -> bool:
    """The production's show from the feed's channel, unless it has one; whether it was made.

    `JobFailedError` when the channel cannot be kept at all.
    """
    if resources.find_show(session, production) is not None:
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
        "owner": _owner(show, production, mapping),
        "author": show.author,
        "copyright": show.copyright,
        "language": show.language or "en",
        "explicit": bool(show.explicit),
        "type": str(show.type),
        "block": show.block,
        "complete": show.complete,
        "new_feed_url": show.new_feed_url,
        "locked": show.locked,
        "podcast_guid": _podcast_guid(show, mapping.source_url),
        "funding": [{"url": item.url, "title": item.title} for item in show.funding],
        "persons": [_person(person) for person in show.persons],
        **show_tags(show),
    }
    document: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "show",
        "metadata": {"name": production.name},
        "description": {key: value for key, value in description.items() if value is not None},
        "image": _reference(show.image.url if show.image else None, mapping.import_media),
    }
    if not show.categories:
        mapping.problems.append(
            {
                "index": None,
                "guid": None,
                "code": "podops.import.no_category",
                "message": "the feed names no category; 'Society & Culture' was set",
            }
        )
    resource = _create(session, production, document, None, mapping)
    if resource is None:
        raise JobFailedError(
            "podops.import.bad_show",
            "the feed's show cannot be kept",
            details={"problems": mapping.problems[-5:]},
        )
    production.title = description["title"]
    _note_imports(resource, document, mapping)
    return True


def create_episode(
    session: Session, production: Production, episode: ParsedEpisode, mapping: Mapping
) -> bool:
    """An episode from the feed's item; False when the item cannot be kept (named in
    `mapping.problems`)."""
    enclosure = episode.enclosure
    # What the feed says of the media: an external enclosure keeps it, and so does the one a
    # failed media import falls back to.
    facts = ExternalFacts(
        type=enclosure.type if enclosure else None,
        length=enclosure.length if enclosure and enclosure.length > 0 else None,
        duration=episode.duration if episode.duration and episode.duration > 0 else None,
    )
    description: dict[str, Any] = {
        "title": (episode.title or episode.guid)[:MAX_TITLE_CHARS],
        "itunes_title": episode.itunes_title[:MAX_TITLE_CHARS] if episode.itunes_title else None,
        "feed_guid": episode.guid,
        "summary": _clip(episode.summary_html),
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
        **episode_tags(episode),
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
            enclosure.url if enclosure else None, mapping.import_media, **facts.model_dump()
        ),
        "image": _reference(episode.image.url if episode.image else None, mapping.import_media),
    }
    if enclosure is not None and enclosure.length <= 0 and not mapping.import_media:
        mapping.problems.append(
            {
                "index": episode.index,
                "guid": episode.guid,
                "code": "podops.import.enclosure_length_missing",
                "message": "the feed gives the enclosure no length: the build asks its "
                f"server ({enclosure.url}) for it",
            }
        )
    resource = _create(session, production, document, episode.index, mapping)
    if resource is None:
        return False
    _note_imports(resource, document, mapping, enclosure=facts)
    return True


def _owner(show: ParsedShow, production: Production, mapping: Mapping) -> dict[str, str]:
    """The feed's `itunes:owner`; the importing user when it names none (every show has an
    owner: Apple verifies with the email, `podcast:locked` names it)."""
    if show.owner is not None and "@" in show.owner.email:
        return {
            "name": show.owner.name or show.author or production.name,
            "email": show.owner.email,
        }
    mapping.problems.append(
        {
            "index": None,
            "guid": None,
            "code": "podops.import.owner_set",
            "message": "the feed names no owner email; the show's owner is "
            f"{mapping.importer_email}",
        }
    )
    return {"name": show.author or production.name, "email": mapping.importer_email}


def _podcast_guid(show: ParsedShow, source_url: str | None) -> str | None:
    """The show's identity moves with it: the `podcast:guid` the feed declared, else the one
    its old feed URL implies (what the Podcast Index computed); None for a feed sent as XML
    without a self link (the show then gets the one of its podops feed URL)."""
    if show.podcast_guid:
        return show.podcast_guid.strip().lower()
    old_url = show.feed_url or source_url
    return feeds.podcast_guid(old_url) if old_url else None


def _note_imports(
    resource: Resource,
    document: dict[str, Any],
    mapping: Mapping,
    *,
    enclosure: ExternalFacts | None = None,
) -> None:
    for field_name in IMPORT_FIELDS:
        reference = document.get(field_name)
        if reference and reference["rel"] == "import":
            fallback = enclosure if field_name == "enclosure" else None
            mapping.imports.append(
                MediaImport(resource.guid, field_name, reference["url"], fallback)
            )


def _person(person: Person) -> dict[str, Any]:
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
    mapping: Mapping,
) -> Resource | None:
    """Create the resource, leaving out (and reporting) each optional value that does not
    validate; None when an essential one does not."""
    document = {key: value for key, value in document.items() if value is not None}
    for _ in range(20):
        try:
            parsed = parse_resource(document)
        except ValidationError as error:
            # Every value at fault is dropped in one pass: a feed may hold more of them (a
            # podroll of bad GUIDs) than there are passes.
            paths: list[list[str]] = []
            for item in error.errors(include_url=False):
                path = [str(part) for part in item["loc"]]
                if len(path) >= 2 and path[-2].isdigit():
                    path = path[:-1]  # a bad field of a list item: drop the whole item
                mapping.problems.append(
                    {
                        "index": index,
                        "guid": document.get("description", {}).get("feed_guid"),
                        "code": "podops.import.value_dropped",
                        "message": f"{'.'.join(path)}: {item['msg']} (left out)",
                    }
                )
                if ".".join(path) in ESSENTIAL:
                    return None
                if path not in paths:
                    paths.append(path)
            # The last list item first, so the indices of the others still hold.
            dropped = [
                _drop_nearest(document, path) for path in sorted(paths, key=_order, reverse=True)
            ]
            if not any(dropped):
                return None
            continue
        try:
            return resources.create_resource(
                session,
                production,
                parsed,
                path_name=parsed.metadata.name,
                from_server=True,
                base_url=mapping.base_url,
            )
        except BadRequestError as error:
            # A text within 4,000 bytes that grows past them as published HTML: cut it more.
            if error.code != TOO_LONG_PUBLISHED or not _shorten(document, error.field):
                raise
            mapping.problems.append(
                {
                    "index": index,
                    "guid": document.get("description", {}).get("feed_guid"),
                    "code": "podops.import.value_cut",
                    "message": f"{error.field}: cut to fit Apple's 4,000 bytes as published",
                }
            )
    return None


def _shorten(document: dict[str, Any], field: str | None) -> bool:
    """Cut the text at `field` (`description.summary`, say) by a fifth; False if there is
    none."""
    parts = (field or "").split(".")
    node: Any = document
    for part in parts[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
    text = node.get(parts[-1]) if isinstance(node, dict) else None
    if not isinstance(text, str) or not text:
        return False
    node[parts[-1]] = _clip(text, len(text.encode()) * 4 // 5)
    return True


def _order(path: list[str]) -> list[tuple[int, int, str]]:
    """A key sorting paths by their list indices as numbers."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in path]


def _drop_nearest(document: dict[str, Any], path: list[str]) -> bool:
    """Remove the value at `path`, or where it is missing (a required field), the nearest
    value that holds it, short of the description itself; False when there is none."""
    while len(path) >= 2 and ".".join(path) not in ESSENTIAL:
        if _drop(document, path):
            return True
        path = path[:-1]
    return False


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
