"""Deleting and renaming a production, and what either does to its tokens, feeds and media.

Delete: the production's rows go (resources, labels, feed state, subscribers, webhooks, by
cascade) in one transaction, refused while any of its background work is Busy, and refused
while a public feed is published unless forced; its operations stay, as a record. Its stored
objects (media, the public and private feed) are removed after the commit (`remove_objects`):
a podcatcher then gets 404 for the feed and its media.

Rename: only the name changes. The GUID, and so the feed URL (`/f/{guid}/feed.xml`), its
`podcast:guid`, media URLs and item GUIDs stay: subscribers notice nothing. The alias
`/s/{old name}/feed.xml` stops answering (404), and the old name is free for anyone.

Either way tokens restricted to the old name are revoked, since a production made later with
that name must not fall to them; service accounts follow a rename (and are deactivated by a
delete), so the tokens they exchange for keep working.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from podops.auth import Principal
from podops.auth.revocation import RevocationList
from podops.errors import BadRequestError, ConflictError, ForbiddenError
from podops.models import (
    FeedState,
    IssuedToken,
    Operation,
    OperationStatus,
    Production,
    Resource,
    ServiceAccount,
)
from podops.services.productions import get_production, name_taken
from podops.storage import Storage
from podops.storage.keys import production_prefixes


@dataclass(frozen=True)
class Deleted:
    guid: str
    name: str
    resources: int
    tokens_revoked: int


def delete_production(
    session: Session,
    principal: Principal,
    key: str,
    *,
    confirm: str | None,
    force: bool,
    revocations: RevocationList,
) -> Deleted:
    """Delete the production `key` (name or GUID) with its rows; see the module docstring.

    `confirm` must repeat the production's name (400 otherwise): a delete is never implied.
    409 while work of it is Busy, or while a feed is published and `force` is not set.
    """
    production = get_production(session, principal, key)
    if confirm != production.name:
        raise BadRequestError(
            f"to delete production {production.name}, repeat its name: confirm={production.name}",
            code="podops.production.unconfirmed",
            field="confirm",
        )
    _refuse_while_busy(session, production, "delete")
    if not force and session.get(FeedState, production.guid) is not None:
        raise ConflictError(
            f"production {production.name} has a published feed: its subscribers will get 404; "
            "send force=true to delete it anyway",
            code="podops.production.published",
        )
    resources = len(
        session.scalars(
            select(Resource.guid).where(Resource.production_guid == production.guid)
        ).all()
    )
    revoked = _revoke_restricted_tokens(session, (production.name, production.guid), revocations)
    session.execute(
        update(ServiceAccount)
        .where(ServiceAccount.production.in_((production.name, production.guid)))
        .values(active=False)
    )
    deleted = Deleted(production.guid, production.name, resources, revoked)
    session.delete(production)
    session.flush()
    return deleted


def remove_objects(storage: Storage, production_guid: str) -> int:
    """Remove every stored object of a deleted production; how many there were."""
    removed = 0
    for prefix in production_prefixes(production_guid):
        for key in storage.list(prefix):
            storage.delete(key)
            removed += 1
    return removed


def rename_production(
    session: Session,
    principal: Principal,
    key: str,
    new_name: str,
    *,
    revocations: RevocationList,
) -> tuple[Production, int]:
    """Rename the production `key`; the production and how many tokens were revoked.

    A token restricted to a production may not rename it (403): the token is bound to the
    name. 409 when `new_name` is taken, or while work of the production is Busy.
    """
    if principal.production is not None:
        raise ForbiddenError(
            f"this token is restricted to production {principal.production}, whose name it is "
            "bound to: rename with a token not restricted to a production",
            code="podops.auth.production_token",
        )
    production = get_production(session, principal, key)
    old_name = production.name
    if new_name == old_name:
        return production, 0
    _refuse_while_busy(session, production, "rename")
    if session.scalars(select(Production.guid).where(Production.name == new_name)).first():
        raise name_taken(new_name)
    production.name = new_name
    production.updated_at = int(time.time())
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # taken by a concurrent request since the check above
        raise name_taken(new_name) from None
    revoked = _revoke_restricted_tokens(session, (old_name,), revocations)
    session.execute(
        update(ServiceAccount)
        .where(ServiceAccount.production == old_name)
        .values(production=new_name)
    )
    return production, revoked


def _refuse_while_busy(session: Session, production: Production, action: str) -> None:
    busy = session.scalars(
        select(Operation.kind).where(
            Operation.production == production.guid, Operation.status == OperationStatus.BUSY
        )
    ).first()
    if busy is not None:
        raise ConflictError(
            f"production {production.name} has work in progress (a {busy} operation): "
            f"{action} it once that has finished (GET /a/v1/operations?state=Busy)",
            code="podops.production.busy",
        )


def _revoke_restricted_tokens(
    session: Session, keys: tuple[str, ...], revocations: RevocationList
) -> int:
    now = int(time.time())
    jtis = list(
        session.scalars(
            select(IssuedToken.jti).where(
                IssuedToken.production.in_(keys),
                IssuedToken.revoked_at.is_(None),
                IssuedToken.expires_at >= now,
            )
        )
    )
    if jtis:
        session.execute(update(IssuedToken).where(IssuedToken.jti.in_(jtis)).values(revoked_at=now))
        for jti in jtis:
            revocations.note_revoked(jti)
    return len(jtis)
