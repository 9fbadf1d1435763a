"""Operations as callers see them: one looked up for a principal, if it is theirs to see."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from podops import operations
from podops.auth import Principal
from podops.errors import NotFoundError
from podops.imports.report import with_media_imports
from podops.models import Operation, Production
from podops.services.productions import may_access


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
