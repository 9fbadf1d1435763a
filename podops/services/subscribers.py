"""Subscribers of a production's private feed: made, listed, rotated and revoked here.

Only a hash of each subscriber's secret is stored. The key version goes up on rotation and
is the one media grants are signed with (`podops.private`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from podops.errors import NotFoundError
from podops.models import Production, Resource, Subscriber
from podops.names import Kind, new_guid
from podops.private.grants import new_secret, secret_matches, secret_sha256
from podops.resources.subscribers import SubscriberCreate

REVOKED = 0  # the key version of a revoked subscriber: no grant carries it


@dataclass(frozen=True)
class FeedAccess:
    """A subscriber allowed to read a private feed now."""

    subscriber: str
    production: str
    key_version: int
    expires: int | None


def create_subscriber(
    session: Session, production: Production, body: SubscriberCreate, *, now: int
) -> tuple[Subscriber, str]:
    """A new subscriber of `production`, and their secret (shown once)."""
    secret = new_secret()
    subscriber = Subscriber(
        id=new_guid(),
        production_guid=production.guid,
        name=body.name,
        email=body.email,
        label=body.label,
        secret_sha256=secret_sha256(secret),
        key_version=1,
        expires_at=body.expires,
        created_at=now,
        updated_at=now,
    )
    session.add(subscriber)
    session.flush()
    return subscriber, secret


def list_subscribers(
    session: Session, production: Production, *, limit: int, after: str | None
) -> list[Subscriber]:
    query = (
        select(Subscriber)
        .where(Subscriber.production_guid == production.guid)
        .order_by(Subscriber.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(Subscriber.id > after)
    return list(session.scalars(query))


def get_subscriber(session: Session, production: Production, subscriber_id: str) -> Subscriber:
    subscriber = session.get(Subscriber, subscriber_id)
    if subscriber is None or subscriber.production_guid != production.guid:
        raise NotFoundError(f"no subscriber {subscriber_id}", code="podops.subscriber.not_found")
    return subscriber


def rotate_secret(
    session: Session, production: Production, subscriber_id: str, *, now: int
) -> tuple[Subscriber, str]:
    """A new secret for the subscriber: their old feed URL and media URLs stop working."""
    subscriber = get_subscriber(session, production, subscriber_id)
    if subscriber.revoked_at is not None:
        raise NotFoundError(
            f"subscriber {subscriber_id} is revoked", code="podops.subscriber.revoked"
        )
    secret = new_secret()
    subscriber.secret_sha256 = secret_sha256(secret)
    subscriber.key_version += 1
    subscriber.updated_at = now
    return subscriber, secret


def revoke(session: Session, production: Production, subscriber_id: str, *, now: int) -> Subscriber:
    """End the subscriber's access, feed and media; the row stays, for the record."""
    subscriber = get_subscriber(session, production, subscriber_id)
    if subscriber.revoked_at is None:
        subscriber.revoked_at = now
        subscriber.updated_at = now
    return subscriber


def feed_access(
    session: Session, subscriber_id: str, secret: str, *, now: int
) -> FeedAccess | None:
    """The subscriber whose secret this is, if they may read their private feed now: not
    revoked, not expired, and the show still has a private feed. None otherwise, whatever
    the reason (the caller answers 404 alike)."""
    subscriber = session.get(Subscriber, subscriber_id)
    if subscriber is None or not secret_matches(secret, subscriber.secret_sha256):
        return None
    if not _active(subscriber, now):
        return None
    access = session.scalars(
        select(Resource.document).where(
            Resource.production_guid == subscriber.production_guid,
            Resource.kind == Kind.SHOW.value,
        )
    ).first()
    if access is None or access["description"].get("access") not in ("private", "both"):
        return None
    return FeedAccess(
        subscriber.id, subscriber.production_guid, subscriber.key_version, subscriber.expires_at
    )


def current_version(session: Session, subscriber_id: str, *, now: int) -> int:
    """The key version media grants of the subscriber must carry; `REVOKED` when none may."""
    subscriber = session.get(Subscriber, subscriber_id)
    if subscriber is None or subscriber.revoked_at is not None:
        return REVOKED
    return subscriber.key_version


def _active(subscriber: Subscriber, now: int) -> bool:
    if subscriber.revoked_at is not None:
        return False
    return subscriber.expires_at is None or subscriber.expires_at > now
