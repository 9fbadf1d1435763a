"""Bulk apply: many documents of one production created or updated in one transaction.

Each document is created when its (kind, name) is new, replaced when it differs from the stored
one, and left alone when it would store the same. Every document is checked before anything is
kept: one refusal and the whole request changes nothing, and every refusal is reported with
its document's index. A dry run does the same work and rolls it back, so it answers exactly
what would change, field by field.

It does the single-resource path's checks (`podops.services.resources`) with what they look up
read once per request instead of once per document: the resources named, the show, the
production's asset names. Rows are written with one flush.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from podops.errors import ApiError, ConflictError, FieldProblem
from podops.models import Production, Resource, ResourceLabel
from podops.names import Kind, new_guid
from podops.resources import AnyDocument, asset_references
from podops.services import resources as single

Action = Literal["create", "update", "unchanged"]
# Shows first (an episode's parent), then assets, then episodes.
_ORDER = {Kind.SHOW.value: 0, Kind.ASSET.value: 1, Kind.EPISODE.value: 2}
# Changes listed per document at most; the count says how many there were.
MAX_CHANGES = 50


@dataclass(frozen=True)
class Change:
    field: str
    before: Any
    after: Any


@dataclass
class Outcome:
    """What one document did (or, in a dry run, would do)."""

    index: int
    kind: str
    name: str
    action: Action
    guid: str
    etag: str
    changes: list[Change] = field(default_factory=list)
    resource: Resource | None = None


class BulkRefusedError(ApiError):
    """Some documents cannot be applied: nothing was. `errors` names each, by index."""

    status = 400
    code = "podops.bulk.refused"


def apply_documents(
    session: Session,
    production: Production,
    documents: list[AnyDocument],
    *,
    base_url: str | None,
) -> list[Outcome]:
    """Create or update `documents` in `production`, in the caller's transaction; the outcome
    of each, in the order given. `BulkRefusedError` listing every document refused (the
    caller rolls back)."""
    _refuse_duplicates(documents)
    existing = _existing(session, production, documents)
    show = single.find_show(session, production)
    show_guid = show.guid if show is not None else None
    assets = set(
        session.scalars(
            select(Resource.name).where(
                Resource.production_guid == production.guid,
                Resource.kind == Kind.ASSET.value,
            )
        )
    )
    now = int(time.time())
    outcomes: list[Outcome] = []
    problems: list[FieldProblem] = []
    new_rows: list[Resource] = []
    changed: list[tuple[Resource, AnyDocument]] = []
    order = sorted(range(len(documents)), key=lambda i: _ORDER.get(documents[i].kind, 3))
    for index in order:
        document = documents[index]
        stored = existing.get((document.kind, document.metadata.name))
        try:
            if document.kind == Kind.SHOW.value and stored is None and show_guid is not None:
                raise ConflictError(
                    f"production {production.name} has a show already and may have only one: "
                    "send it under its own name to update it",
                    code="podops.resource.show_exists",
                )
            _check_assets(production, document, assets)
            if stored is None:
                outcome, row = _create(production, document, index, show_guid, now, base_url)
                new_rows.append(row)
                if row.kind == Kind.SHOW.value:
                    show_guid = row.guid
            else:
                outcome = _update(production, document, index, stored, now, base_url)
                if outcome.action == "update":
                    changed.append((stored, document))
        except ApiError as error:
            where = f"documents.{index}"
            path = f"{where}.{error.field}" if error.field else where
            problems.append(
                {
                    "field": path,
                    "message": f"{document.kind} {document.metadata.name}: {error.message}",
                }
            )
            continue
        outcomes.append(outcome)
    if problems:
        problems.sort(key=lambda problem: int(problem["field"].split(".")[1]))
        first = problems[0]
        more = len(problems) - 1
        raise BulkRefusedError(
            f"{first['field']}: {first['message']}"
            + (f" (and {more} more: see errors)" if more else "")
            + "; nothing was applied",
            field=first["field"],
            errors=problems,
        )
    _write(session, production, new_rows, changed, documents, outcomes)
    return sorted(outcomes, key=lambda outcome: outcome.index)


def _refuse_duplicates(documents: list[AnyDocument]) -> None:
    seen: dict[tuple[str, str], int] = {}
    problems: list[FieldProblem] = []
    for index, document in enumerate(documents):
        key = (document.kind, document.metadata.name)
        if key in seen:
            problems.append(
                {
                    "field": f"documents.{index}.metadata.name",
                    "message": f"{document.kind} {key[1]} is also documents.{seen[key]}",
                }
            )
        else:
            seen[key] = index
    if problems:
        raise BulkRefusedError(
            f"{problems[0]['field']}: {problems[0]['message']}; send each document once",
            field=problems[0]["field"],
            errors=problems,
        )


def _existing(
    session: Session, production: Production, documents: list[AnyDocument]
) -> dict[tuple[str, str], Resource]:
    """The stored resources the documents name, by (kind, name): one query a chunk."""
    keys = [(document.kind, document.metadata.name) for document in documents]
    found: dict[tuple[str, str], Resource] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        rows = session.scalars(
            select(Resource).where(
                Resource.production_guid == production.guid,
                tuple_(Resource.kind, Resource.name).in_(chunk),
            )
        )
        found.update({(row.kind, row.name): row for row in rows})
    return found


def _check_assets(production: Production, document: AnyDocument, assets: set[str]) -> None:
    for path, name in asset_references(document):
        if name not in assets:
            raise single.missing_asset(production, path, name)


def _create(
    production: Production,
    document: AnyDocument,
    index: int,
    show_guid: str | None,
    now: int,
    base_url: str | None,
) -> tuple[Outcome, Resource]:
    single.check_no_server_owned(document)
    guid = new_guid()
    parent = show_guid if document.kind == Kind.EPISODE.value else production.guid
    data = single.stored_document(
        production, document, guid=guid, now=now, parent=parent, base_url=base_url
    )
    row = Resource(
        guid=guid,
        production_guid=production.guid,
        kind=document.kind,
        name=document.metadata.name,
        created_at=now,
    )
    single.write_document(row, data, now=now)
    outcome = Outcome(index, document.kind, row.name, "create", guid, row.etag, resource=row)
    return outcome, row


def _update(
    production: Production,
    document: AnyDocument,
    index: int,
    stored: Resource,
    now: int,
    base_url: str | None,
) -> Outcome:
    single.check_server_owned_kept(stored, document)
    parent = stored.document["metadata"]["parent"]
    data = single.stored_document(
        production,
        document,
        guid=stored.guid,
        now=stored.created_at,
        parent=parent,
        keep=stored.document,
        base_url=base_url,
    )
    if data == stored.document:
        return Outcome(index, stored.kind, stored.name, "unchanged", stored.guid, stored.etag)
    changes = diff(stored.document, data)
    single.write_document(stored, data, now=now)
    return Outcome(
        index, stored.kind, stored.name, "update", stored.guid, stored.etag, changes, stored
    )


def _write(
    session: Session,
    production: Production,
    new_rows: list[Resource],
    changed: list[tuple[Resource, AnyDocument]],
    documents: list[AnyDocument],
    outcomes: list[Outcome],
) -> None:
    """Insert the new rows and their labels, and renew the labels of the changed ones.

    New rows go in as one multi-row INSERT each for resources and labels, not through the
    session's unit of work, which would cost more than every check a document passes (issue
    17); they stay out of the session, as objects the outcomes hold. Changed rows are the
    session's own and are flushed as usual.
    """
    if changed:
        session.execute(
            delete(ResourceLabel).where(
                ResourceLabel.resource_guid.in_([row.guid for row, _document in changed])
            )
        )
    by_index = {outcome.index: outcome for outcome in outcomes}
    labels = [
        {"resource_guid": by_index[index].guid, "key": key, "value": value}
        for index, document in enumerate(documents)
        if by_index[index].action != "unchanged"
        for key, value in document.metadata.labels.items()
    ]
    try:
        if new_rows:
            session.execute(
                insert(Resource), [{key: getattr(row, key) for key in _COLUMNS} for row in new_rows]
            )
        session.flush()  # the changed rows, before their new labels
        if labels:
            session.execute(insert(ResourceLabel), labels)
    except IntegrityError:  # a concurrent request created one of these names first
        raise ConflictError(
            f"resources of production {production.name} were created meanwhile by another "
            "request; nothing was applied: send the batch again",
            code="podops.bulk.conflict",
        ) from None


# Every column of a resource row, as the new rows' INSERT names them.
_COLUMNS = tuple(column.key for column in Resource.__table__.columns)


def diff(before: Any, after: Any, path: str = "") -> list[Change]:
    """The fields that differ between two stored documents, as dotted paths (lists compared
    whole), at most MAX_CHANGES of them."""
    changes: list[Change] = []
    _diff(before, after, path, changes)
    return changes[:MAX_CHANGES]


def _diff(before: Any, after: Any, path: str, changes: list[Change]) -> None:
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after)):
            child = f"{path}.{key}" if path else str(key)
            _diff(before.get(key), after.get(key), child, changes)
    elif before != after:
        changes.append(Change(path, before, after))
