"""Reading stored documents as they are stored: one query, no ORM objects, no re-encoding.

A resource's document is written once, validated, as JSON (`podops.services.resources`); a
read serves that JSON text as it is. Each read is one SQL statement built once at import, run
on a plain connection: the ORM session, the statement building and the JSON decode and encode
were most of what an authenticated read cost.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection, Text, and_, bindparam, cast, select
from sqlalchemy.orm import Session

from podops.auth import Principal
from podops.errors import NotFoundError
from podops.models import Production, Resource
from podops.names import Kind, is_guid
from podops.services import productions, resources
from podops.services.paging import TimeKeyCursor
from podops.services.resources import Order, get_resource

# The stored JSON text: CAST is a no-op on SQLite and PostgreSQL's json type keeps the text.
_DOCUMENT_TEXT = cast(Resource.document, Text).label("document")

_PRODUCTION = select(Production.guid, Production.name, Production.owner_id).where(
    Production.name == bindparam("production")
)
# A production and its resource of one kind and name, in one statement: the resource's columns
# are NULL when the production has none by that name.
_RESOURCE_BY_NAME = (
    select(
        Production.guid,
        Production.name,
        Production.owner_id,
        Resource.etag,
        _DOCUMENT_TEXT,
    )
    .outerjoin(
        Resource,
        and_(
            Resource.production_guid == Production.guid,
            Resource.kind == bindparam("kind"),
            Resource.name == bindparam("name"),
        ),
    )
    .where(Production.name == bindparam("production"))
)


@dataclass(frozen=True)
class StoredDocument:
    """A resource's document as stored (JSON text) and its ETag."""

    etag: str
    json: str


def read_resource(
    connection: Connection, principal: Principal, production_key: str, kind: Kind, key: str
) -> StoredDocument:
    """The stored document `productions.get_production` and `resources.get_resource` would
    find, with their 404s: one statement when both keys are names (a GUID-shaped key may be
    either, so it takes the two lookups that prefer the GUID)."""
    if is_guid(production_key) or is_guid(key):
        return _read_by_guid(connection, principal, production_key, kind, key)
    row = connection.execute(
        _RESOURCE_BY_NAME, {"production": production_key, "kind": kind.value, "name": key}
    ).first()
    if row is None or not productions.may_see(principal, row.name, row.guid, row.owner_id):
        raise productions.not_found(production_key)
    if row.etag is None:
        raise _resource_not_found(kind, key, row.name)
    return StoredDocument(row.etag, row.document)


def _read_by_guid(
    connection: Connection, principal: Principal, production_key: str, kind: Kind, key: str
) -> StoredDocument:
    with Session(connection) as session:
        production = productions.get_production(session, principal, production_key)
        resource = get_resource(session, production, kind, key)
    text = connection.execute(
        select(_DOCUMENT_TEXT).where(Resource.guid == resource.guid)
    ).scalar_one()
    return StoredDocument(resource.etag, text)


def _resource_not_found(kind: Kind, key: str, production_name: str) -> NotFoundError:
    return NotFoundError(
        f"no {kind.value} {key} in production {production_name}",
        code="podops.resource.not_found",
    )


def read_page(
    connection: Connection,
    principal: Principal,
    production_key: str,
    *,
    kind: Kind | None,
    limit: int,
    cursor: TimeKeyCursor | None,
    order: Order,
    labels: dict[str, str],
) -> str:
    """The page `resources.list_resources` would give, as the JSON text of the list route's
    answer (`{"resources": [...], "next_cursor": ...}`), built from the stored texts."""
    if is_guid(production_key):
        with Session(connection) as session:
            production = productions.get_production(session, principal, production_key)
            production_guid = production.guid
    else:
        row = connection.execute(_PRODUCTION, {"production": production_key}).first()
        if row is None or not productions.may_see(principal, row.name, row.guid, row.owner_id):
            raise productions.not_found(production_key)
        production_guid = row.guid
    query = resources.paged(
        select(Resource.guid, Resource.date, _DOCUMENT_TEXT),
        production_guid=production_guid,
        kind=kind,
        cursor=cursor,
        order=order,
        labels=labels,
    )
    rows = connection.execute(query.limit(limit + 1)).all()
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        following = TimeKeyCursor(rows[-1].date, rows[-1].guid).encode()
    documents = ",".join(row.document for row in rows)
    return f'{{"resources":[{documents}],"next_cursor":{json.dumps(following)}}}'
