"""Delivering one webhook message: signed, POSTed under the fetch rules, every attempt logged.

    2xx                                  delivered
    network error, timeout, 408/429/5xx  logged, retried later (`JobRetryError`: the sweeper
                                         re-sends it after `retry_delay`, exponential backoff
                                         with full jitter) until the operation's last attempt
    anything else (another 4xx, a 3xx,   failed at once: the same message would fail again
    an address that is now private)

The endpoint is vetted again at every attempt, since its name may resolve elsewhere by now.
Each attempt is signed afresh (Standard Webhooks: `webhook-timestamp` is the attempt's time;
`webhook-id` stays the message's, so a receiver can drop a duplicate).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from standardwebhooks import Webhook

from podops.fetch import FetchError, FetchPolicy
from podops.fetch.post import post
from podops.jobs import DeliverWebhookJob, JobFailedError, JobRetryError, JsonObject
from podops.models import Operation
from podops.runtime import Runtime
from podops.services import webhooks
from podops.settings import Settings

USER_AGENT = "podops-webhooks/1"
CONTENT_TYPE = "application/json"


def webhook_policy(settings: Settings) -> FetchPolicy:
    """Where a webhook may be sent: the import fetcher's address rules (`PODOPS_FETCH_ALLOW`
    lets private receivers through), short timeouts, no redirects."""
    return FetchPolicy(
        connect_timeout=10.0,
        read_timeout=15.0,
        total_timeout=30.0,
        max_redirects=0,
        allow=settings.fetch_allow,
        user_agent=USER_AGENT,
    )


def signed_headers(secret: str, message_id: str, body: str, *, at: datetime) -> dict[str, str]:
    """Standard Webhooks' three headers for `body`, signed with the subscription's secret."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, body),
    }


def deliver_webhook(runtime: Runtime, job: DeliverWebhookJob, *, operation_id: str) -> JsonObject:
    """Send the delivery's message once; what came of it."""
    with runtime.database.session() as session:
        found = webhooks.load_delivery(session, job.delivery)
        operation = session.get(Operation, operation_id)
        attempt = operation.attempts if operation is not None else 1
        if found is None:
            return {"delivery": job.delivery, "skipped": "the webhook was deleted"}
        delivery, subscription = found
        if delivery.status != webhooks.PENDING:
            return {"delivery": job.delivery, "skipped": f"already {delivery.status}"}
        url, secret, payload = subscription.url, subscription.secret, delivery.payload
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    headers = signed_headers(secret, job.delivery, body, at=datetime.now(UTC))
    try:
        status = post(
            url,
            body.encode(),
            content_type=CONTENT_TYPE,
            headers=headers,
            policy=webhook_policy(runtime.settings),
        )
    except FetchError as error:
        final = not error.transient or attempt >= runtime.settings.operation_max_attempts
        _record(
            runtime,
            job.delivery,
            status_code=getattr(error, "status", None),
            error=f"{error.code}: {error.message}",
            outcome=webhooks.FAILED if final else webhooks.PENDING,
        )
        if not final:
            raise JobRetryError(f"{url}: {error.message}") from error
        raise JobFailedError(
            "podops.webhook.undelivered",
            f"{url}: {error.message} (attempt {attempt}); the message is not sent again",
            details={"delivery": job.delivery, "cause": error.code},
        ) from error
    _record(runtime, job.delivery, status_code=status, error=None, outcome=webhooks.DELIVERED)
    return {"delivery": job.delivery, "url": url, "status_code": status, "attempt": attempt}


def _record(
    runtime: Runtime, delivery: str, *, status_code: int | None, error: str | None, outcome: str
) -> None:
    with runtime.database.session() as session:
        webhooks.record_attempt(
            session, delivery, status_code=status_code, error=error, outcome=outcome
        )
