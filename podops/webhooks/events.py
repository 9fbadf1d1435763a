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
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Literal, get_args

import feeds
from podops.jobs import (
    BrokerUnavailableError,
    BuildJob,
    DeliverWebhookJob,
    JobFailedError,
    JsonObject,
)
from podops.models import Operation, Production
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
# A failed build's event names at most this many of its errors (the operation has them all).
MAX_LISTED = 20


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


def build_failed(
    runtime: Runtime,
    job: BuildJob,
    production: Production,
    operation_id: str,
    error: JobFailedError,
) -> JobFailedError:
    """`build.failed` for a publishing build that cannot publish; the error, to raise."""
    if job.publishes:
        errors = error.details.get("report", {}).get("errors", [])
        data = {
            "production": production_data(production.guid, production.name),
            "operation": operation_id,
            "code": error.code,
            "message": error.message,
            "errors": errors[:MAX_LISTED],
        }
        emit(runtime, production.guid, ("build.failed", data))
    return error


def build_published(
    runtime: Runtime,
    production: Production,
    operation_id: str,
    result: JsonObject,
    new_episodes: Sequence[feeds.Episode],
    *,
    subscribers_only: Collection[str] = (),
) -> None:
    """`build.succeeded` for a build that changed a published feed, and `episode.published`
    for each episode no feed carried before (a scheduled one included); those of
    `subscribers_only` (GUIDs) are in the private feed alone, their media not public."""
    named = production_data(production.guid, production.name)
    built = {key: result.get(key) for key in ("feed_url", "items", "bytes", "sha256", "etag")}
    events: list[tuple[str, JsonObject]] = [
        ("build.succeeded", {"production": named, "operation": operation_id, **built})
    ]
    for episode in new_episodes:
        episode_data = {
            "guid": episode.guid,
            "title": episode.title,
            "published": episode.published,
            "enclosure_url": episode.enclosure.url if episode.enclosure is not None else None,
            "subscribers_only": episode.guid in subscribers_only,
        }
        events.append(
            (
                "episode.published",
                {"production": named, "feed_url": result.get("feed_url"), "episode": episode_data},
            )
        )
    emit(runtime, production.guid, *events)


def import_finished(
    runtime: Runtime, operation_id: str, source: str | None, result: JsonObject
) -> None:
    """`import.finished` for a feed import that succeeded, once its media imports have ended
    too: `result` is its result composed with them (`podops.imports.report`), `media` their
    counts, `problems` the feed's and the failed media imports' together."""
    counts = ("episodes_added", "episodes_already_there", "items_in_feed")
    data = {
        "production": production_data(result["production_guid"], result["production"]),
        "operation": operation_id,
        "source_url": source,
        "production_created": result["production_created"],
        **{key: result[key] for key in counts},
        "media_imports": len(result["media_imports"]),
        "media": result.get("media", {"imported": 0, "failed": 0}),
        "problems": len(result["problems"]),
    }
    emit(runtime, result["production_guid"], ("import.finished", data))


def asset_created(
    runtime: Runtime, production_guid: str, production_name: str, asset: JsonObject
) -> None:
    """`asset.created` for a new asset (not for the same bytes uploaded again); `asset` is
    its document."""
    description = asset.get("description", {})
    data = {
        "production": production_data(production_guid, production_name),
        "asset": {
            "name": asset["metadata"]["name"],
            "guid": asset["metadata"]["guid"],
            **{key: description.get(key) for key in ("url", "type", "size", "sha256", "duration")},
        },
    }
    emit(runtime, production_guid, ("asset.created", data))
