"""The events a webhook subscription can ask for, and `emit`, which sends them.

An event is recorded (one delivery row per active subscription that asked for it) after the
work it reports was committed, then each delivery is handed to a worker: the caller never
waits on a receiver. A message is Standard Webhooks' `{type, timestamp, data}`, its
timestamp ISO 8601 as the specification has it; times inside `data` are Unix seconds, as
everywhere in the API.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Literal, get_args

from podops.jobs import BrokerUnavailableError, DeliverWebhookJob, JsonObject
from podops.models import Operation
from podops.runtime import Runtime
from podops.services import webhooks

logger = logging.getLogger(__name__)

# The events a subscription may name.
EventName = Literal[
    "build.succeeded", "build.failed", "episode.published", "import.finished", "asset.created"
]
EVENTS: tuple[str, ...] = get_args(EventName)
# Sent by the test endpoint to the one subscription tested, whatever events it names.
TEST_EVENT = "webhook.test"


def message(event: str, data: JsonObject, *, at: float | None = None) -> JsonObject:
    """The body of a webhook: `{type, timestamp, data}`."""
    moment = datetime.fromtimestamp(time.time() if at is None else at, UTC)
    return {"type": event, "timestamp": moment.isoformat().replace("+00:00", "Z"), "data": data}


def production_data(guid: str, name: str) -> dict[str, str]:
    """How every event names its production."""
    return {"guid": guid, "name": name}


def emit(runtime: Runtime, production: str, *events: tuple[str, JsonObject]) -> list[str]:
    """Record each `(event, data)` for the subscriptions of the production (GUID) that asked
    for it and start their deliveries; the delivery ids. Call it after the transaction that
    did the work has committed."""
    with runtime.database.session() as session:
        deliveries = webhooks.record_deliveries(
            session, production, [(event, message(event, data)) for event, data in events]
        )
    for delivery in deliveries:
        start_delivery(runtime, production, delivery)
    return deliveries


def start_delivery(runtime: Runtime, production: str, delivery: str) -> Operation | None:
    """Start the job that sends a recorded delivery; its operation (None: the broker did not
    take it, and the delivery is marked failed rather than left waiting for ever)."""
    try:
        return runtime.jobs.start(DeliverWebhookJob(delivery=delivery), production=production)
    except BrokerUnavailableError as error:
        logger.warning("webhook not sent", extra={"delivery": delivery, "error": str(error)})
        with runtime.database.session() as session:
            webhooks.record_attempt(
                session,
                delivery,
                status_code=None,
                error=f"the broker did not take the delivery: {error}",
                outcome=webhooks.FAILED,
            )
        return None
