"""Operations as callers see them: one looked up for a principal, if it is theirs to see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from podops import operations
from podops.auth import Principal
from podops.errors import NotFoundError
from podops.imports.report import with_media_imports
from podops.models import Operation, Production
from podops.services import paging
from podops.services.paging import TimeKeyCursor
from podops.services.productions import get_production, may_access


def get_operation(session: Session, principal: Principal, operation_id: str) -> Operation:
    """The operation `operation_id` if the caller may see it; else 404.

    Someone else's operation is "not found" too: its existence is not confirmed.
    """
    operation = session.get(Operation, operation_id)
    if operation is None or not can_see(session, principal, operation):
        raise NotFoundError(f"no operation {operation_id}", code="podops.operation.not_found")
    return operation


def operation_view(session: Session, principal: Principal, operation_id: str) -> dict[str, Any]:
    """`get_operation` as the API shows it: a feed import composed with the media imports
    it started (`podops.imports.report`)."""
    operation = get_operation(session, principal, operation_id)
    view = operations.to_json(operation)
    with_media_imports(session, operation, view)
    return view


def can_see(session: Session, principal: Principal, operation: Operation) -> bool:
    """A production's operations are seen by whoever may see the production; others by their
    owner (and admins). A production token sees only its production's."""
    if operation.production is not None:
        production = session.get(Production, operation.production)
        return production is not None and may_access(principal, production)
    if principal.production is not None:
        return False
    return principal.is_admin or operation.owner == principal.user_id


@dataclass(frozen=True)
class OperationFilter:
    """What a list of operations is narrowed to; None: any."""

    production: str | None = None  # a name or GUID
    kind: str | None = None
    status: str | None = None


def list_operations(
    session: Session,
    principal: Principal,
    wanted: OperationFilter,
    *,
    limit: int,
    after: TimeKeyCursor | None,
) -> list[Operation]:
    """The operations the caller may see (`can_see`, in SQL), newest first, `limit` of them
    after the (created_at, id) `after`. A production named in `wanted` that is not the
    caller's is a 404, as everywhere."""
    query = select(Operation)
    if wanted.production is not None:
        guid = get_production(session, principal, wanted.production).guid
        query = query.where(Operation.production == guid)
    elif principal.production is not None:
        guid = get_production(session, principal, principal.production).guid
        query = query.where(Operation.production == guid)
    elif not principal.is_admin:
        own = select(Production.guid).where(Production.owner_id == principal.user_id)
        query = query.where(
            or_(
                Operation.production.in_(own),
                and_(Operation.production.is_(None), Operation.owner == principal.user_id),
            )
        )
    if wanted.kind is not None:
        query = query.where(Operation.kind == wanted.kind)
    if wanted.status is not None:
        query = query.where(Operation.status == wanted.status)
    if after is not None:
        query = query.where(
            paging.after(Operation.created_at, Operation.id, after, newest_first=True)
        )
    query = query.order_by(Operation.created_at.desc(), Operation.id.desc()).limit(limit)
    return list(session.scalars(query))
