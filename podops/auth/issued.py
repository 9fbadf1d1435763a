"""The tokens a user holds, as they may list them: never the token itself, only its record."""

from __future__ import annotations

import time

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from podops.auth.tokens import Principal
from podops.models import IssuedToken


def list_tokens(
    session: Session,
    principal: Principal,
    *,
    user_id: str,
    limit: int,
    after: tuple[int, str] | None,
) -> list[IssuedToken]:
    """`user_id`'s unexpired tokens (revoked ones too, marked), newest first, `limit` of them
    after the (issued_at, jti) `after`. A production token sees its production's tokens only:
    it may not learn of its user's other tokens, as it may not revoke them."""
    query = select(IssuedToken).where(
        IssuedToken.user_id == user_id, IssuedToken.expires_at >= int(time.time())
    )
    if principal.production is not None:
        query = query.where(IssuedToken.production == principal.production)
    if after is not None:
        at, jti = after
        query = query.where(
            or_(
                IssuedToken.issued_at < at,
                and_(IssuedToken.issued_at == at, IssuedToken.jti < jti),
            )
        )
    query = query.order_by(IssuedToken.issued_at.desc(), IssuedToken.jti.desc())
    return list(session.scalars(query.limit(limit)))
