"""Telling the world a feed changed: its WebSub hubs, and podping.

A build that changes a published feed starts one `NotifyJob`; an unchanged rebuild starts
none. Each hub gets a WebSub publish ping (`hub.mode=publish`, `hub.url=<feed>`, as hubs such
as Google's and Superfeedr's take it); the podping endpoint a GET with the feed URL, the
reason and the medium (podping.cloud's HTTP interface). Both are configured by the operator
(`PODOPS_WEBSUB_HUBS`, `PODOPS_PODPING_URL`), not by producers, so they are called directly
rather than through the import fetcher's address rules.

A hub or endpoint that is down, or answers 429 or 5xx, has the whole notice retried later
(a second ping to a hub that already had one is harmless); one that refuses it (another 4xx)
fails the operation, naming it.
"""

from __future__ import annotations

import httpx

from podops.jobs import JobFailedError, JobRetryError, JsonObject, NotifyJob
from podops.runtime import Runtime

TIMEOUT_SECONDS = 10
USER_AGENT = "podops-notify/1"


def wants_notice(runtime: Runtime) -> bool:
    """Whether anyone is configured to hear of changed feeds."""
    return bool(runtime.settings.websub_hubs or runtime.settings.podping_url)


def notify_feed_changed(runtime: Runtime, job: NotifyJob, *, operation_id: str) -> JsonObject:
    """Ping every configured hub, then podping; who was told."""
    del operation_id  # short work: no progress to report
    settings = runtime.settings
    told: list[str] = []
    with httpx.Client(timeout=TIMEOUT_SECONDS, headers={"User-Agent": USER_AGENT}) as client:
        for hub in settings.websub_hubs:
            _send(client, "POST", hub, data={"hub.mode": "publish", "hub.url": job.feed_url})
            told.append(hub)
        if settings.podping_url:
            headers = {"Authorization": settings.podping_token} if settings.podping_token else {}
            params = {"url": job.feed_url, "reason": "update", "medium": job.medium}
            _send(client, "GET", settings.podping_url, params=params, headers=headers)
            told.append(settings.podping_url)
    return {"feed_url": job.feed_url, "told": told}


def _send(client: httpx.Client, method: str, url: str, **options: object) -> None:
    try:
        response = client.request(method, url, **options)  # type: ignore[arg-type]
    except httpx.HTTPError as error:
        raise JobRetryError(f"{url}: {type(error).__name__}: {error}") from error
    if response.status_code == 429 or response.status_code >= 500:
        raise JobRetryError(f"{url} answered {response.status_code}")
    if response.status_code >= 400:
        raise JobFailedError(
            "podops.notify.refused",
            f"{url} refused the notice: {response.status_code} {response.text[:200]}",
        )
