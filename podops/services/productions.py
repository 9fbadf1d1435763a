"""Productions: created by a user, seen by their owner (and admins) only."""

from __future__ import annotations

import time

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from podops.auth import Principal
from podops.errors import ConflictError, NotFoundError
from podops.models import Production
from podops.names import is_guid, new_guid
from podops.resources import Production as ProductionOut
from podops.resources import ProductionCreate


def to_model(production: Production) -> ProductionOut:
    return ProductionOut(
        guid=production.guid,
        name=production.name,
        title=production.title,
        summary=production.summary,
        owner=production.owner_id,
        created=production.created_at,
        updated=production.updated_at,
    )


def may_access(principal: Principal, production: Production) -> bool:
    """Owner or admin; a production token only for its own production."""
    return may_see(principal, production.name, production.guid, production.owner_id)


def may_see(principal: Principal, name: str, guid: str, owner_id: str) -> bool:
    """`may_access` for a production read as columns rather than loaded."""
    if principal.production is not None and principal.production not in (name, guid):
        return False
    return principal.is_admin or owner_id == principal.user_id


def not_found(key: str) -> NotFoundError:
    """The 404 for a production that is absent or not the caller's: the same either way, so
    its existence is not confirmed."""
    return NotFoundError(f"no production {key}", code="podops.production.not_found")


def get_production(session: Session, principal: Principal, key: str) -> Production:
    """The production named (or with the GUID) `key`, if the caller may see it; else 404.

    Another user's production is "not found" too: its existence is not confirmed.
    """
    production = None
    if is_guid(key):
        production = session.get(Production, key)
    if production is None:
        production = session.scalars(select(Production).where(Production.name == key)).first()
    if production is None or not may_access(principal, production):
        raise not_found(key)
    return production


def guid_by_name(session: Session, name: str) -> str | None:
    """The GUID of the production named `name`, whoever owns it (feeds are public)."""
    return session.scalars(select(Production.guid).where(Production.name == name)).first()


def list_productions(
    session: Session, principal: Principal, *, limit: int, after: str | None
) -> list[Production]:
    """The caller's productions by name (an admin's: all), `limit` of them after `after`."""
    query = select(Production).order_by(Production.name).limit(limit)
    if not principal.is_admin:
        query = query.where(Production.owner_id == principal.user_id)
    if principal.production is not None:
        query = query.where(
            (Production.name == principal.production) | (Production.guid == principal.production)
        )
    if after is not None:
        query = query.where(Production.name > after)
    return list(session.scalars(query))


def create_production(session: Session, principal: Principal, body: ProductionCreate) -> Production:
    """A new production owned by the caller; 409 if the name is taken (by anyone)."""
    if principal.production is not None and principal.production != body.name:
        raise NotFoundError(
            f"this token is for production {principal.production} only",
            code="podops.production.not_found",
        )
    if session.scalars(select(Production.guid).where(Production.name == body.name)).first():
        raise name_taken(body.name)
    return _insert(
        session, body.name, owner_id=principal.user_id, title=body.title, summary=body.summary
    )


def check_importable(session: Session, name: str, *, owner_id: str) -> None:
    """409 unless a feed may be imported into `name` for `owner_id`: the name is free or
    the owner's own production."""
    _owned_or_free(session, name, owner_id=owner_id)


def open_for_import(session: Session, name: str, *, owner_id: str) -> tuple[Production, bool]:
    """The production a feed is imported into: the owner's own `name`, or a new one (titled
    by its name until the show is known); whether it is new. 409 if another user has `name`."""
    production = _owned_or_free(session, name, owner_id=owner_id)
    if production is not None:
        return production, False
    return _insert(session, name, owner_id=owner_id, title=name, summary=None), True


def _owned_or_free(session: Session, name: str, *, owner_id: str) -> Production | None:
    production = session.scalars(select(Production).where(Production.name == name)).first()
    if production is not None and production.owner_id != owner_id:
        raise name_taken(name)
    return production


def _insert(
    session: Session, name: str, *, owner_id: str, title: str, summary: str | None
) -> Production:
    """Add a production named `name`; 409 if a concurrent request took the name first."""
    now = int(time.time())
    production = Production(
        guid=new_guid(),
        name=name,
        title=title,
        summary=summary,
        owner_id=owner_id,
        created_at=now,
        updated_at=now,
    )
    session.add(production)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # created by a concurrent request since the check above
        raise name_taken(name) from None
    return production


def name_taken(name: str) -> ConflictError:
    return ConflictError(
        f"a production named {name} exists already; production names are unique because "
        "they are part of public feed URLs",
        code="podops.production.exists",
        field="name",
    )
