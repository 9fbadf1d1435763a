"""Resources: the show, episodes and assets of a production, as validated documents.

The server owns every GUID and each `metadata.parent`: a show's parent is its production, an
episode's the show, an asset's the production. A document that names another parent is
refused — it was meant for another production. Every stored document carries a strong ETag
(the hash of its canonical JSON) that `If-Match` is compared with.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from typing import Any, Literal, TypeVarTuple

from sqlalchemy import Select, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import feeds
from podops.errors import BadRequestError, ConflictError, NotFoundError, PreconditionFailedError
from podops.models import Production, Resource, ResourceLabel
from podops.names import GUID_PATTERN, Kind, is_guid, new_guid
from podops.publish.mapping import feed_url, rendered_html
from podops.resources import AnyDocument, asset_references, dump_resource, server_owned_values
from podops.services import paging
from podops.services.paging import TimeKeyCursor

Order = Literal["asc", "desc"]
# A text within its byte limit as written, over it as the feed publishes it.
TOO_LONG_PUBLISHED = "podops.resource.too_long_published"
# The document fields that point at media: an asset, an external URL, or one to import.


def etag_of(document: dict[str, Any]) -> str:
    """A strong, quoted ETag: the same document gives the same tag on every backend."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:32] + '"'


def write_document(resource: Resource, document: dict[str, Any], *, now: int) -> None:
    """Set a resource's stored document and all that derives from it: its rendered HTML, its
    ETag and its date. Every write of a document goes through here, so a resource's ETag is
    always the hash of the document it has."""
    resource.document = document
    resource.html = rendered_html(resource.kind, document)
    resource.etag = etag_of(document)
    resource.date = document["metadata"]["date"]
    resource.updated_at = now


def link_imported_asset(session: Session, resource_guid: str, field: str, asset_name: str) -> bool:
    """Point a document's `rel: import` reference (`image` or `enclosure`) at the asset it
    became; whether it did. A document deleted or changed meanwhile is left alone: the
    producer's newer choice wins, and the asset stays for whoever wants it."""
    resource = session.get(Resource, resource_guid)
    if resource is None:
        return False
    reference = resource.document.get(field)
    if not isinstance(reference, dict) or reference.get("rel") != "import":
        return False
    document = {**resource.document, field: {"rel": "asset", "name": asset_name}}
    write_document(resource, document, now=int(time.time()))
    return True


def unlink_failed_import(
    session: Session,
    resource_guid: str,
    field: str,
    url: str,
    facts: dict[str, Any] | None = None,
) -> bool:
    """Point a document's `rel: import` reference whose import failed back at its URL, as an
    external reference the build can use (and probe for what `facts` — the type, length and
    duration an imported feed stated — do not say); whether it did. As with linking, a
    document the producer changed meanwhile is left alone."""
    resource = session.get(Resource, resource_guid)
    if resource is None:
        return False
    reference = resource.document.get(field)
    if reference != {"rel": "import", "url": url}:
        return False
    known = {key: value for key, value in (facts or {}).items() if value}
    document = {**resource.document, field: {"rel": "external", "url": url, **known}}
    write_document(resource, document, now=int(time.time()))
    return True


def fill_enclosure(
    session: Session,
    resource_guid: str,
    *,
    url: str,
    length: int,
    type: str | None,
    duration: float | None = None,
) -> bool:
    """Record what a probe of `url` learnt in an episode's external enclosure: `length`, and
    `type` and `duration` when known, each only where the document still lacks it; whether
    it changed.

    A document deleted meanwhile, or whose enclosure now points elsewhere, is left alone, as
    is any value the producer set: their edit wins over what the build found.
    """
    # Locked to the end of the transaction: a concurrent write lands after this one, not
    # under it (SQLite, one writer at a time, needs no lock).
    resource = session.get(Resource, resource_guid, with_for_update=True)
    if resource is None:
        return False
    reference = resource.document.get("enclosure")
    if not isinstance(reference, dict) or reference.get("rel") != "external":
        return False
    if reference.get("url") != url:
        return False
    filled = dict(reference)
    if not filled.get("length"):
        filled["length"] = length
    if not filled.get("type") and type is not None:
        filled["type"] = type
    if not filled.get("duration") and duration is not None:
        filled["duration"] = duration
    if filled == reference:
        return False
    write_document(resource, {**resource.document, "enclosure": filled}, now=int(time.time()))
    return True


def feed_guids(session: Session, production: Production) -> set[str]:
    """The item GUID of every episode: the imported feed's where it kept one, else its own."""
    rows = session.execute(
        select(Resource.guid, Resource.document).where(
            Resource.production_guid == production.guid, Resource.kind == Kind.EPISODE.value
        )
    )
    return {document.get("description", {}).get("feed_guid") or guid for guid, document in rows}


def check_if_match(header: str | None, etag: str) -> None:
    """RFC 9110 If-Match with strong comparison; 412 when no listed tag matches."""
    if header is None:
        return
    tags = [tag.strip() for tag in header.split(",") if tag.strip()]
    if "*" in tags or etag in tags:
        return
    raise PreconditionFailedError(
        f"the resource has changed: its ETag is {etag}", code="podops.resource.etag_mismatch"
    )


def get_resource(session: Session, production: Production, kind: Kind, key: str) -> Resource:
    """The resource of `kind` named `key` (or with GUID `key`) in `production`; else 404."""
    query = select(Resource).where(
        Resource.production_guid == production.guid, Resource.kind == kind.value
    )
    found = None
    if is_guid(key):
        found = session.scalars(query.where(Resource.guid == key)).first()
    if found is None:
        found = session.scalars(query.where(Resource.name == key)).first()
    if found is None:
        raise NotFoundError(
            f"no {kind.value} {key} in production {production.name}",
            code="podops.resource.not_found",
        )
    return found


def decode_cursor(text: str) -> TimeKeyCursor:
    """A resource list's cursor: (date, GUID) of the page's last resource; 400 if forged."""
    return TimeKeyCursor.decode(text, _GUID_KEY)


_GUID_KEY = re.compile(GUID_PATTERN)


def list_resources(
    session: Session,
    production: Production,
    *,
    kind: Kind | None,
    limit: int,
    cursor: TimeKeyCursor | None,
    order: Order,
    labels: dict[str, str],
) -> tuple[list[Resource], TimeKeyCursor | None]:
    """A page of resources by date (then GUID), and the cursor of the next page if any."""
    query = paged(
        select(Resource),
        production_guid=production.guid,
        kind=kind,
        cursor=cursor,
        order=order,
        labels=labels,
    )
    rows = list(session.scalars(query.limit(limit + 1)))
    if len(rows) <= limit:
        return rows, None
    page = rows[:limit]
    return page, TimeKeyCursor(page[-1].date, page[-1].guid)


Columns = TypeVarTuple("Columns")


def paged(
    query: Select[*Columns],
    *,
    production_guid: str,
    kind: Kind | None,
    cursor: TimeKeyCursor | None,
    order: Order,
    labels: dict[str, str],
) -> Select[*Columns]:
    """`query` (over `Resource`) narrowed to a production's resources of `kind` carrying every
    label, after `cursor`, in the list order: by date, then GUID. The ORM list and the read
    path that serves stored texts share it, so their pages cannot differ."""
    query = query.where(Resource.production_guid == production_guid)
    if kind is not None:
        query = query.where(Resource.kind == kind.value)
    for key, value in labels.items():
        query = query.where(
            Resource.guid.in_(
                select(ResourceLabel.resource_guid).where(
                    ResourceLabel.key == key, ResourceLabel.value == value
                )
            )
        )
    if cursor is not None:
        query = query.where(
            paging.after(Resource.date, Resource.guid, cursor, newest_first=order == "desc")
        )
    if order == "desc":
        return query.order_by(Resource.date.desc(), Resource.guid.desc())
    return query.order_by(Resource.date.asc(), Resource.guid.asc())


def create_resource(
    session: Session,
    production: Production,
    document: AnyDocument,
    *,
    path_name: str,
    from_server: bool = False,
    base_url: str | None = None,
) -> Resource:
    """Store a new resource; 409 if its name (or, for a show, any show) exists.

    `from_server` lets the service itself (a feed import) set server-owned values such as an
    imported episode's `feed_guid`; a client's document never may. A new show is given its
    `podcast_guid` from its feed URL on `base_url`, unless the import set one.
    """
    _check_name(document, path_name)
    if not from_server:
        check_no_server_owned(document)
    kind = Kind(document.kind)
    taken = select(Resource.guid).where(
        Resource.production_guid == production.guid,
        Resource.kind == kind.value,
        Resource.name == document.metadata.name,
    )
    if session.scalars(taken).first():
        raise name_taken(kind, document.metadata.name)
    if kind is Kind.SHOW and find_show(session, production) is not None:
        raise ConflictError(
            f"production {production.name} has a show already; update it with PUT",
            code="podops.resource.show_exists",
        )
    now = int(time.time())
    guid = new_guid()
    stored = _stored_document(session, production, document, guid=guid, now=now, base_url=base_url)
    resource = Resource(
        guid=guid,
        production_guid=production.guid,
        kind=kind.value,
        name=document.metadata.name,
        created_at=now,
    )
    write_document(resource, stored, now=now)
    try:
        with session.begin_nested():
            session.add(resource)
            session.flush()
    except IntegrityError:  # a concurrent create of the same name won
        raise name_taken(kind, document.metadata.name) from None
    set_labels(session, resource, document)
    session.flush()
    return resource


def replace_resource(
    session: Session,
    production: Production,
    kind: Kind,
    key: str,
    document: AnyDocument,
    *,
    if_match: str | None,
    base_url: str | None = None,
) -> Resource:
    """Replace a resource's document; 404 if absent, 412 if `If-Match` is stale. A show
    keeps its `podcast_guid` (one stored before podops kept them gets it now, on `base_url`)."""
    resource = get_resource(session, production, kind, key)
    check_if_match(if_match, resource.etag)
    _check_name(document, resource.name)
    check_server_owned_kept(resource, document)
    now = int(time.time())
    stored = _stored_document(
        session,
        production,
        document,
        guid=resource.guid,
        now=resource.created_at,
        keep=resource.document,
        base_url=base_url,
    )
    write_document(resource, stored, now=now)
    session.execute(delete(ResourceLabel).where(ResourceLabel.resource_guid == resource.guid))
    session.flush()
    set_labels(session, resource, document)
    session.flush()
    return resource


def delete_resource(
    session: Session, production: Production, kind: Kind, key: str, *, if_match: str | None
) -> None:
    """Delete a resource; a show only once its episodes are gone."""
    resource = get_resource(session, production, kind, key)
    check_if_match(if_match, resource.etag)
    if kind is Kind.SHOW:
        episodes = select(Resource.guid).where(
            Resource.production_guid == production.guid, Resource.kind == Kind.EPISODE.value
        )
        if session.scalars(episodes.limit(1)).first():
            raise ConflictError(
                "the show still has episodes; delete them first",
                code="podops.resource.has_episodes",
            )
    session.delete(resource)
    session.flush()


def check_no_server_owned(document: AnyDocument) -> None:
    """400 when a document to create sets a value only the server sets."""
    owned = server_owned_values(document)
    if owned:
        field = next(iter(owned))
        raise BadRequestError(
            f"{field} is set by the server and may not be sent when creating",
            code="podops.resource.server_owned",
            field=field,
        )


def check_server_owned_kept(resource: Resource, document: AnyDocument) -> None:
    """400 when a replacing document changes a value only the server sets (repeating the
    stored one is fine: a document read, edited and sent back has them)."""
    for field, value in server_owned_values(document).items():
        if field == "metadata.guid" and value != resource.guid:
            raise BadRequestError(
                f"metadata.guid is {resource.guid} and cannot change",
                code="podops.resource.server_owned",
                field=field,
            )
        if field.startswith("description.") and value != _stored_value(resource, field):
            raise BadRequestError(
                f"{field} is set by the server and cannot be changed",
                code="podops.resource.server_owned",
                field=field,
            )


def _check_name(document: AnyDocument, path_name: str) -> None:
    if document.metadata.name != path_name:
        raise BadRequestError(
            f"metadata.name is {document.metadata.name} but the path names {path_name}",
            code="podops.resource.name_mismatch",
            field="metadata.name",
        )


def find_show(session: Session, production: Production) -> Resource | None:
    """The production's show, if it has one."""
    return session.scalars(
        select(Resource).where(
            Resource.production_guid == production.guid, Resource.kind == Kind.SHOW.value
        )
    ).first()


def _stored_document(
    session: Session,
    production: Production,
    document: AnyDocument,
    *,
    guid: str,
    now: int,
    keep: dict[str, Any] | None = None,
    base_url: str | None = None,
) -> dict[str, Any]:
    """`stored_document`, with the parent and the production's assets looked up."""
    if document.kind == Kind.EPISODE.value:
        show = find_show(session, production)
        parent = show.guid if show is not None else None
    else:
        parent = production.guid
    _check_asset_references(session, production, document)
    return stored_document(
        production, document, guid=guid, now=now, parent=parent, keep=keep, base_url=base_url
    )


def stored_document(
    production: Production,
    document: AnyDocument,
    *,
    guid: str,
    now: int,
    parent: str | None,
    keep: dict[str, Any] | None = None,
    base_url: str | None = None,
) -> dict[str, Any]:
    """The document as stored: server-owned GUID and `parent` filled in (None: an episode
    whose production has no show, a 409), date defaulted, the server-owned values of the
    stored version (`keep`) kept. Asset references are the caller's to check."""
    if parent is None:
        raise ConflictError(
            f"production {production.name} has no show yet; create the show first",
            code="podops.resource.no_show",
        )
    if document.metadata.parent is not None and document.metadata.parent != parent:
        raise BadRequestError(
            f"metadata.parent must be {parent}, this {document.kind}'s parent in production "
            f"{production.name}",
            code="podops.resource.parent_mismatch",
            field="metadata.parent",
        )
    _check_published_sizes(document)
    data = dump_resource(document)
    data["metadata"]["guid"] = guid
    data["metadata"]["parent"] = parent
    data["metadata"].setdefault("date", now)
    if keep is not None and "description" in keep and document.kind == Kind.ASSET.value:
        # An asset's media facts come from the server's probe; a PUT changes labels, not those.
        data["description"] = keep["description"]
    if keep is not None and "feed_guid" in keep.get("description", {}):
        # An imported episode's GUID outlives any edit: subscribers know it by it.
        data["description"]["feed_guid"] = keep["description"]["feed_guid"]
    if document.kind == Kind.SHOW.value:
        _keep_podcast_guid(data["description"], keep, production, base_url)
    return data


def missing_asset(production: Production, path: str, name: str) -> BadRequestError:
    return BadRequestError(
        f"{path}: production {production.name} has no asset {name!r}; upload or import it first",
        code="podops.resource.no_such_asset",
        field=path,
    )


def _check_asset_references(
    session: Session, production: Production, document: AnyDocument
) -> None:
    """400 when the document names an asset the production does not have: the build would
    refuse it, so the write says so first."""
    for path, name in asset_references(document):
        exists = select(Resource.guid).where(
            Resource.production_guid == production.guid,
            Resource.kind == Kind.ASSET.value,
            Resource.name == name,
        )
        if session.scalars(exists).first() is None:
            raise missing_asset(production, path, name)


def _check_published_sizes(document: AnyDocument) -> None:
    """400 when a text is over Apple's 4,000 bytes as the feed publishes it (Markdown turned
    into HTML, in CDATA): the build would refuse it, so the write says so first."""
    description = dump_resource(document).get("description") or {}
    fields = {"show": ("summary",), "episode": ("summary", "notes")}.get(document.kind, ())
    for field in fields:
        text = description.get(field)
        if not text:
            continue
        size = feeds.published_size(feeds.markdown_to_html(text))
        if size > feeds.DESCRIPTION_MAX_BYTES:
            raise BadRequestError(
                f"description.{field} is {size} bytes once published as HTML; Apple Podcasts "
                f"accepts at most {feeds.DESCRIPTION_MAX_BYTES}",
                code=TOO_LONG_PUBLISHED,
                field=f"description.{field}",
            )


def _keep_podcast_guid(
    description: dict[str, Any],
    keep: dict[str, Any] | None,
    production: Production,
    base_url: str | None,
) -> None:
    """A show's `podcast:guid` is given once and never recomputed: the stored one, else the
    one an import set, else the one of the show's feed URL now."""
    kept = (keep or {}).get("description", {}).get("podcast_guid")
    if kept is not None:
        description["podcast_guid"] = kept
    elif "podcast_guid" not in description and base_url is not None:
        description["podcast_guid"] = feeds.podcast_guid(feed_url(base_url, production))


def _stored_value(resource: Resource, field: str) -> object:
    value: Any = resource.document
    for part in field.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def set_labels(session: Session, resource: Resource, document: AnyDocument) -> None:
    for key, value in document.metadata.labels.items():
        session.add(ResourceLabel(resource_guid=resource.guid, key=key, value=value))


def name_taken(kind: Kind, name: str) -> ConflictError:
    return ConflictError(
        f"a {kind.value} named {name} exists already in this production",
        code="podops.resource.exists",
        field="metadata.name",
    )
