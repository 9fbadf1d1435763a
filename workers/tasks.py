"""The Celery tasks, thin: an operation id in, the job's service called, the outcome recorded.

Each job kind's task is one line of `ADAPTERS`: the parameters model it expects and the
service that does its work. Build and validate share a task; the operation's kind says which
model its parameters are read back with.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from celery import Celery, Task

from podops.analytics.aggregate import aggregate_downloads
from podops.auth.revocation import purge_expired
from podops.celery_config import COUNT_DOWNLOADS_TASK, SWEEP_TASK
from podops.direct_uploads import store_direct_upload
from podops.imports.asset import fall_back_abandoned, import_asset
from podops.imports.feed import import_feed
from podops.imports.report import announce_feed_import
from podops.jobs import (
    AggregateDownloadsJob,
    BuildJob,
    DeliverWebhookJob,
    DirectUploadJob,
    ImportAssetJob,
    ImportFeedJob,
    JobParams,
    NotifyJob,
    PingJob,
)
from podops.publish.notify import notify_feed_changed
from podops.publish.pipeline import build_feed
from podops.runtime import Runtime
from podops.services.ping import echo
from podops.tracing import TRACE_HEADERS
from podops.uploads import UPLOAD_PART_DEADLINE, remove_abandoned_parts
from podops.webhooks.deliver import deliver_webhook
from workers.runner import Service, run_operation

if TYPE_CHECKING:
    from podops.tracing import Tracing

ADAPTERS: tuple[tuple[type[JobParams], Service[Any]], ...] = (
    (PingJob, echo),
    (BuildJob, build_feed),  # and ValidateJob, a BuildJob that does not publish
    (ImportAssetJob, import_asset),
    (ImportFeedJob, import_feed),
    (NotifyJob, notify_feed_changed),
    (DeliverWebhookJob, deliver_webhook),
    (DirectUploadJob, store_direct_upload),
    (AggregateDownloadsJob, aggregate_downloads),
)


# What follows a run of the kind once its outcome is committed (whatever it was: the callee
# reads the operation). A feed import's event waits for the last of its media imports.
WHEN_ENDED: dict[type[JobParams], Callable[[Runtime, str], object]] = {
    ImportFeedJob: announce_feed_import,
    ImportAssetJob: announce_feed_import,
}


def register_tasks(app: Celery, runtime: Callable[[], Runtime]) -> None:
    """Register every job kind's task, and the periodic sweep, on `app`; each runs with the
    `runtime` of the process it runs in.

    `shared=False`: Celery otherwise hands a task to every app made later in the process,
    bound to the first app's runtime (and settings).
    """
    for expects, service in ADAPTERS:
        _register_job(app, runtime, expects, service)

    @app.task(name=SWEEP_TASK, shared=False)
    def sweep_operations() -> dict[str, object]:
        """Periodic upkeep: re-send stuck operations, start due builds, forget expired tokens,
        remove partial upload and import files nobody holds or writes, delete operations
        finished longer ago than their retention."""
        current = runtime()
        report = current.jobs.sweep()
        # An abandoned media import leaves its episode on the media's old URL, as a failed one.
        fell_back = fall_back_abandoned(current, report.failed) if report.failed else 0
        for operation_id in report.failed:  # an abandoned media import ends its feed import's
            announce_feed_import(current, operation_id)
        scheduled = current.jobs.start_scheduled_builds()
        with current.database.session() as session:
            purged = purge_expired(session)
        purged_operations = current.jobs.purge_finished()
        removed_parts = remove_abandoned_parts(
            current.settings.upload_dir, idle_for=UPLOAD_PART_DEADLINE
        )
        return {
            "resent": [operation.id for operation in report.resend],
            "failed": report.failed,
            "fell_back": fell_back,
            "purged_tokens": purged,
            "purged_operations": purged_operations,
            "scheduled_builds": scheduled,
            "removed_parts": removed_parts,
        }

    @app.task(name=COUNT_DOWNLOADS_TASK, shared=False)
    def count_downloads() -> str:
        """Periodic: start the download counting, unless a run is still under way."""
        operation, _new = runtime().jobs.start_unless_busy(
            AggregateDownloadsJob(), production=None, owner=None
        )
        return operation.id


def _register_job(
    app: Celery, runtime: Callable[[], Runtime], expects: type[JobParams], service: Service[Any]
) -> None:
    ended = WHEN_ENDED.get(expects)

    @app.task(name=expects.task, shared=False, bind=True)
    def run(task: Task[Any, Any], operation_id: str) -> str:
        current = runtime()
        if current.tracing is None:
            outcome = run_operation(current, operation_id, expects, service)
        else:
            outcome = _traced(current, current.tracing, task, operation_id, expects, service)
        if ended is not None:
            ended(current, operation_id)
        return outcome


def _traced(
    runtime: Runtime,
    tracing: Tracing,
    task: Task[Any, Any],
    operation_id: str,
    expects: type[JobParams],
    service: Service[Any],
) -> str:
    """`run_operation` in a consumer span, the child of the span that sent the job (its trace
    context travels in the message's headers; Celery hands custom headers over as attributes
    of the task's request)."""
    from podops.tracing._sdk import fail

    parent = {name: value for name in TRACE_HEADERS if (value := task.request.get(name))}
    attributes = {
        "podops.job.kind": expects.kind,
        "podops.job.task": expects.task,
        "podops.operation.id": operation_id,
        "messaging.system": "celery",
    }
    with tracing.span(
        f"job {expects.kind}", role="consumer", attributes=attributes, parent=parent
    ) as span:
        outcome = run_operation(runtime, operation_id, expects, service)
        span.set_attribute("podops.job.outcome", outcome)
        if outcome == "failed":
            fail(span, outcome)
        return outcome
