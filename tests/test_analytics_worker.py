"""The counting runs in a real Celery worker: as a job, and as the beat's periodic task."""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from starlette.testclient import TestClient

from podops.analytics.aggregate import SETTLE_SECONDS, aggregate
from podops.celery_config import COUNT_DOWNLOADS_TASK, celery_config
from podops.cli import main as podops
from podops.jobs import AggregateDownloadsJob
from podops.models import Operation
from podops.runtime import Runtime
from podops.settings import Settings
from tests.support.analytics import STATS_SCOPES, Studio, make_studio, note
from tests.support.auth import bearer, context_of, token_for
from tests.support.processes import WorkerProcess, process_env

APPLE = "Podcasts/1650.20 CFNetwork/1404.0.5 Darwin/22.3.0"


@pytest.fixture
def studio(client: TestClient) -> Studio:
    client.headers.update(bearer(token_for(context_of(client), "host@example.com", STATS_SCOPES)))
    return make_studio(client, context_of(client))


def finished(runtime: Runtime, operation_id: str, timeout: float = 60) -> Operation:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with runtime.database.session() as session:
            operation = session.get(Operation, operation_id)
            assert operation is not None
            if operation.status != "Busy":
                return operation
        time.sleep(0.1)
    pytest.fail(f"operation {operation_id} still Busy after {timeout}s")


def test_the_aggregation_job_counts_in_the_worker(studio: Studio, worker: WorkerProcess) -> None:
    runtime = studio.runtime
    now = time.time()
    note(runtime, studio.long, now, "203.0.113.5", APPLE)
    note(runtime, studio.short, now, "203.0.113.5", APPLE)
    assert runtime.download_log.flush() == 2
    # An earlier run saw these events SETTLE_SECONDS ago: the job counts them now.
    aggregate(runtime.database, now=now - SETTLE_SECONDS, keep_raw_days=7)
    second = finished(runtime, runtime.jobs.start(AggregateDownloadsJob()).id)
    assert second.status == "Success", second.error
    assert second.result is not None
    assert (second.result["events"], second.result["downloads"]) == (2, 2)


def test_the_beat_starts_one_counting_job(
    client: TestClient, settings: Settings, worker: WorkerProcess
) -> None:
    schedule = celery_config(settings)["beat_schedule"]["count-downloads"]
    assert schedule["task"] == COUNT_DOWNLOADS_TASK
    assert schedule["schedule"] == float(settings.analytics_interval)
    runtime = context_of(client)
    runtime.jobs.celery.send_task(COUNT_DOWNLOADS_TASK, queue=settings.task_queue)
    deadline = time.monotonic() + 60
    started: list[str] = []
    while not started and time.monotonic() < deadline:
        with runtime.database.session() as session:
            started = list(
                session.scalars(
                    select(Operation.id).where(Operation.kind == AggregateDownloadsJob.kind)
                )
            )
        time.sleep(0.1)
    assert len(started) == 1
    assert finished(runtime, started[0]).status == "Success"


def test_podops_analytics_count_counts_what_was_logged_now(
    studio: Studio, settings: Settings
) -> None:
    runtime = studio.runtime
    note(runtime, studio.long, time.time(), "203.0.113.7", APPLE)
    assert runtime.download_log.flush() == 1
    # No earlier run has set a horizon: the command waits out the settling time itself.
    result = CliRunner().invoke(
        podops, ["analytics", "count"], env=process_env(settings), catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "counted 1 downloads in 1 events" in result.output
    again = CliRunner().invoke(podops, ["analytics", "count"], env=process_env(settings))
    assert "counted 0 downloads in 0 events" in again.output
