"""Webhook subscriptions of a production, and the deliveries made to them.

A subscription's secret is made here (Standard Webhooks' `whsec_` and 32 random bytes in
base64), returned once when it is created and kept to sign; a delivery is one message to one
subscription, with the log of its attempts. Deleting a subscription deletes its deliveries.
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podops.errors import ConflictError, NotFoundError
from podops.models import Production, WebhookDelivery, WebhookSubscription
from podops.names import new_guid

# A delivery's status: waiting for its (next) attempt, taken by the receiver, or given up on.
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
# Subscriptions one production may have: each is a POST for every event.
MAX_SUBSCRIPTIONS = 20


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def create_subscription(
    session: Session, production: Production, *, url: str, events: Sequence[str], active: bool
) -> WebhookSubscription:
    """A new subscription of the production, with a fresh secret; 409 past the limit."""
    count = len(list_subscriptions(session, production))
    if count >= MAX_SUBSCRIPTIONS:
        raise ConflictError(
            f"a production may have at most {MAX_SUBSCRIPTIONS} webhooks; delete one first",
            code="podops.webhook.too_many",
        )
    subscription = WebhookSubscription(
        id=new_guid(),
        production_guid=production.guid,
        url=url,
        secret=new_secret(),
        events=list(dict.fromkeys(events)),
        active=active,
        created_at=int(time.time()),
    )
    session.add(subscription)
    session.flush()
    return subscription


def list_subscriptions(session: Session, production: Production) -> list[WebhookSubscription]:
    return list(
        session.scalars(
            select(WebhookSubscription)
            .where(WebhookSubscription.production_guid == production.guid)
            .order_by(WebhookSubscription.created_at, WebhookSubscription.id)
        )
    )


def get_subscription(session: Session, production: Production, key: str) -> WebhookSubscription:
    """The production's subscription `key`; 404 for any other (another production's too)."""
    subscription = session.get(WebhookSubscription, key) if len(key) <= 12 else None
    if subscription is None or subscription.production_guid != production.guid:
        raise NotFoundError(f"no webhook {key[:40]}", code="podops.webhook.not_found")
    return subscription


def delete_subscription(session: Session, production: Production, key: str) -> None:
    session.delete(get_subscription(session, production, key))


def list_deliveries(
    session: Session, subscription: WebhookSubscription, *, limit: int
) -> list[WebhookDelivery]:
    """The subscription's latest deliveries, newest first."""
    return list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.subscription_id == subscription.id)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
            .limit(limit)
        )
    )


def record_deliveries(
    session: Session,
    production_guid: str,
    messages: Sequence[tuple[str, dict[str, Any]]],
    *,
    to: WebhookSubscription | None = None,
) -> list[str]:
    """A pending delivery of each `(event, body)` to every active subscription of the
    production that asked for the event (or, given `to`, to that subscription alone,
    whatever it asked for); their ids, which are the messages' `webhook-id`."""
    if to is not None:
        subscriptions = [to]
    else:
        subscriptions = list(
            session.scalars(
                select(WebhookSubscription).where(
                    WebhookSubscription.production_guid == production_guid,
                    WebhookSubscription.active.is_(True),
                )
            )
        )
    now = int(time.time())
    made = []
    for subscription in subscriptions:
        for event, body in messages:
            if to is None and event not in subscription.events:
                continue
            delivery = WebhookDelivery(
                id=f"msg_{secrets.token_hex(12)}",
                subscription_id=subscription.id,
                event=event,
                payload=body,
                status=PENDING,
                attempts=[],
                created_at=now,
                updated_at=now,
            )
            session.add(delivery)
            made.append(delivery.id)
    return made


def load_delivery(
    session: Session, delivery_id: str
) -> tuple[WebhookDelivery, WebhookSubscription] | None:
    """A delivery and its subscription; None when either is gone."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        return None
    subscription = session.get(WebhookSubscription, delivery.subscription_id)
    return None if subscription is None else (delivery, subscription)


def record_attempt(
    session: Session, delivery_id: str, *, status_code: int | None, error: str | None, outcome: str
) -> int:
    """Add an attempt to a delivery's log and set its status; how many attempts it has."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:  # its subscription was deleted meanwhile
        return 0
    now = int(time.time())
    entry = {"at": now, "status_code": status_code, "error": error}
    # A new list: the ORM notices a JSON column change only by assignment.
    delivery.attempts = [*delivery.attempts, entry]
    delivery.status, delivery.updated_at = outcome, now
    return len(delivery.attempts)


def subscription_to_json(
    subscription: WebhookSubscription, *, with_secret: bool = False
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": subscription.id,
        "url": subscription.url,
        "events": list(subscription.events),
        "active": subscription.active,
        "created": subscription.created_at,
    }
    if with_secret:
        out["secret"] = subscription.secret
    return out


def delivery_to_json(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "event": delivery.event,
        "status": delivery.status,
        "created": delivery.created_at,
        "updated": delivery.updated_at,
        "attempts": list(delivery.attempts),
        "payload": delivery.payload,
    }
