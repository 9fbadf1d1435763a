"""Celery tasks, thin: an operation id in, a pipeline called, the outcome recorded."""

from __future__ import annotations

import functools

from podops.auth.revocation import purge_expired
from podops.jobs import TaskNames
from workers.app import celery_app
from workers.pipelines import build, feed_import, imports, ping
from workers.runner import run_operation
from workers.runtime import runtime


@celery_app.task(name=TaskNames.PING)
def run_ping(operation_id: str) -> str:
    return run_operation(runtime(), operation_id, ping.echo)


@celery_app.task(name=TaskNames.BUILD)
def run_build(operation_id: str) -> str:
    current = runtime()
    return run_operation(current, operation_id, functools.partial(build.build, current))


@celery_app.task(name=TaskNames.IMPORT_ASSET)
def run_import_asset(operation_id: str) -> str:
    current = runtime()
    return run_operation(current, operation_id, functools.partial(imports.import_asset, current))


@celery_app.task(name=TaskNames.IMPORT_FEED)
def run_import_feed(operation_id: str) -> str:
    current = runtime()
    return run_operation(current, operation_id, functools.partial(feed_import.import_feed, current))


@celery_app.task(name=TaskNames.SWEEP)
def sweep_operations() -> dict[str, object]:
    """Periodic upkeep: re-send stuck operations, forget expired tokens."""
    current = runtime()
    report = current.jobs.sweep()
    scheduled = current.jobs.start_scheduled_builds()
    with current.database.session() as session:
        purged = purge_expired(session)
    return {
        "resent": [operation.id for operation in report.resend],
        "failed": report.failed,
        "purged_tokens": purged,
        "scheduled_builds": scheduled,
    }
