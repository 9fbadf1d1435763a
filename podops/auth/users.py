"""Users: created and deactivated on the server (`podops users …`)."""

from __future__ import annotations

import re
import secrets
import time

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from podops.models import User

# Pragmatic: one @, no spaces, a dot in the domain; the mail server is the real judge.
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
MAX_EMAIL = 254


class UserError(ValueError):
    """A user cannot be created or changed as asked; the message says why."""


def normalise_email(email: str) -> str:
    cleaned = email.strip().lower()
    if len(cleaned) > MAX_EMAIL or not _EMAIL.fullmatch(cleaned):
        raise UserError(f"{email!r} is not an email address")
    return cleaned


def create_user(session: Session, email: str, *, admin: bool = False) -> User:
    address = normalise_email(email)
    if find_user(session, address) is not None:
        raise UserError(f"a user {address} exists already")
    user = User(
        id=secrets.token_hex(6),
        email=address,
        is_admin=admin,
        active=True,
        created_at=int(time.time()),
    )
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, email_or_id: str) -> User | None:
    """A user by email address or by id."""
    key = email_or_id.strip().lower()
    return session.scalars(select(User).where((User.email == key) | (User.id == key))).first()


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.created_at, User.email)))


def deactivate_user(session: Session, email: str) -> User:
    """Deactivate a user: every token of theirs stops working (within seconds everywhere)."""
    user = find_user(session, email)
    if user is None:
        raise UserError(f"no user {email}")
    session.execute(
        update(User).where(User.id == user.id).values(active=False, deactivated_at=int(time.time()))
    )
    session.refresh(user)
    return user
