"""The tokens a user holds, as they may list them: never the token itself, only its record."""

from __future__ import annotations

import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from podops.auth.tokens import Principal
from podops.models import IssuedToken
from podops.services import paging
from podops.services.paging import TimeKeyCursor


def list_tokens(
    session: Session,
    principal: Principal,
    *,
    user_id: str,
    limit: int,
    after: TimeKeyCursor | None,
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
        query = query.where(
            paging.after(IssuedToken.issued_at, IssuedToken.jti, after, newest_first=True)
        )
    query = query.order_by(IssuedToken.issued_at.desc(), IssuedToken.jti.desc())
    return list(session.scalars(query.limit(limit)))
