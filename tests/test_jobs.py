"""The job contract: typed parameters in, one outcome recorded per run, whatever the service
raises. The runner is called in this process, with services made for the test; the real
worker process has tests of its own (test_worker.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from podops import operations
from podops.jobs import (
    BuildJob,
    DeliverWebhookJob,
    DirectUploadJob,
    ImportAssetJob,
    ImportFeedJob,
    JobFailedError,
    JobParams,
    JobRetryError,
    NotifyJob,
    PingJob,
    ReferenceLink,
    ValidateJob,
)
from podops.jobs.kinds import JOB_KINDS, BadParamsError, load_params
from podops.models import Operation, OperationStatus
from podops.runtime import Runtime
from podops.settings import Settings
from workers.runner import run_operation
from workers.tasks import ADAPTERS

EXAMPLES: list[JobParams] = [
    PingJob(message="hi", delay=0.5),
    BuildJob(production="p" * 22, force=True),
    ValidateJob(production="p" * 22),
    ImportAssetJob(
        production="p" * 22,
        url="https://example.com/a.mp3",
        role="artwork",
        name="cover-art",
        link=ReferenceLink(resource="r" * 22, field="image"),
    ),
    ImportFeedJob(name="my-show-01", owner="u", owner_email="a@example.com", url="https://x.org/f"),
    NotifyJob(production="p" * 22, feed_url="https://podops.example/f/x/feed.xml", medium="music"),
    DeliverWebhookJob(delivery="msg_" + "d" * 24),
    DirectUploadJob(
        production="p" * 22,
        upload="a" * 24,
        size=1_000_000,
        sha256="0" * 64,
        role="media",
        name="big-episode",
        filename="big episode.mp3",
        content_type="audio/mpeg",
    ),
]


@pytest.mark.parametrize("job", EXAMPLES, ids=lambda job: job.kind)
def test_stored_parameters_read_back_as_the_same_job(job: JobParams) -> None:
    assert load_params(job.kind, job.to_stored()) == job
    assert type(load_params(job.kind, job.to_stored())) is type(job)


def test_every_kind_has_an_example_and_every_task_an_adapter() -> None:
    assert {job.kind for job in EXAMPLES} == set(JOB_KINDS)
    adapted = {expects.task for expects, _service in ADAPTERS}
    assert {model.task for model in JOB_KINDS.values()} == adapted


@pytest.mark.parametrize(
    ("kind", "stored", "says"),
    [
        ("export", {}, "no job kind 'export'"),
        ("build", {}, "production"),
        ("build", {"production": "x", "validate": True}, "validate"),
        ("import_asset", {"production": "x", "url": "u", "role": "video"}, "role"),
        ("ping", {"delay": -1}, "delay"),
    ],
)
def test_parameters_that_do_not_fit_their_kind_are_refused(
    kind: str, stored: dict[str, Any], says: str
) -> None:
    with pytest.raises(BadParamsError, match=says):
        load_params(kind, stored)


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    runtime = Runtime.build(settings)
    try:
        yield runtime
    finally:
        runtime.close()


def started(runtime: Runtime, kind: str, params: dict[str, Any]) -> str:
    """A Busy operation as `Jobs.start` records it, without sending its task."""
    with runtime.database.session() as session:
        operation = operations.create(
            session, kind=kind, params=params, production=None, queue_timeout=60
        )
        return operation.id


def outcome(runtime: Runtime, operation_id: str) -> Operation:
    with runtime.database.session() as session:
        operation = session.get(Operation, operation_id)
        assert operation is not None
        session.expunge(operation)
        return operation


def test_the_service_gets_the_typed_job_and_the_operation_id(runtime: Runtime) -> None:
    seen: list[tuple[PingJob, str]] = []

    def service(runtime: Runtime, job: PingJob, *, operation_id: str) -> dict[str, Any]:
        seen.append((job, operation_id))
        return {"echo": job.message}

    operation_id = started(runtime, "ping", {"message": "hello"})
    assert run_operation(runtime, operation_id, PingJob, service) == "success"
    assert seen == [(PingJob(message="hello"), operation_id)]
    finished = outcome(runtime, operation_id)
    assert (finished.status, finished.result) == (OperationStatus.SUCCESS, {"echo": "hello"})
    # A second delivery of the same message finds nothing to claim.
    assert run_operation(runtime, operation_id, PingJob, service) == "skipped"
    assert len(seen) == 1


def never_called(runtime: Runtime, job: JobParams, *, operation_id: str) -> dict[str, Any]:
    raise AssertionError("the service must not run")


@pytest.mark.parametrize(
    ("kind", "params", "expects"),
    [
        ("ping", {"message": 3}, PingJob),  # a value of the wrong type
        ("ping", {"surprise": 1}, PingJob),  # a key no version of podops wrote
        ("validate", {"production": "x"}, ImportAssetJob),  # sent to another kind's task
    ],
)
def test_an_operation_whose_parameters_do_not_fit_fails_without_running(
    runtime: Runtime, kind: str, params: dict[str, Any], expects: type[JobParams]
) -> None:
    operation_id = started(runtime, kind, params)
    assert run_operation(runtime, operation_id, expects, never_called) == "failed"
    finished = outcome(runtime, operation_id)
    assert finished.status == OperationStatus.FAILED
    assert finished.error is not None
    assert finished.error["code"] == "podops.operation.bad_params"


def test_a_failed_job_keeps_its_code_message_and_details(runtime: Runtime) -> None:
    def service(runtime: Runtime, job: BuildJob, *, operation_id: str) -> dict[str, Any]:
        raise JobFailedError("podops.build.invalid", "2 errors", details={"report": [1, 2]})

    operation_id = started(runtime, "validate", {"production": "x"})
    assert run_operation(runtime, operation_id, BuildJob, service) == "failed"
    error = outcome(runtime, operation_id).error
    assert error is not None
    assert (error["code"], error["message"]) == ("podops.build.invalid", "2 errors")
    assert error["report"] == [1, 2]  # details sit beside the code and the message


@pytest.mark.parametrize(
    "failure",
    [JobRetryError("store down"), OperationalError("SELECT 1", {}, Exception("db down"))],
    ids=["retry", "database"],
)
def test_a_passing_failure_releases_the_run_for_a_later_try(
    runtime: Runtime, failure: Exception
) -> None:
    def service(runtime: Runtime, job: PingJob, *, operation_id: str) -> dict[str, Any]:
        raise failure

    operation_id = started(runtime, "ping", {})
    assert run_operation(runtime, operation_id, PingJob, service) == "retry"
    released = outcome(runtime, operation_id)
    assert released.status == OperationStatus.BUSY
    assert released.run_token is None  # claimable again, once the retry time comes


def test_a_crash_fails_the_operation_without_its_internals(runtime: Runtime) -> None:
    def service(runtime: Runtime, job: PingJob, *, operation_id: str) -> dict[str, Any]:
        raise KeyError("secret-internal-name")

    operation_id = started(runtime, "ping", {})
    assert run_operation(runtime, operation_id, PingJob, service) == "failed"
    error = outcome(runtime, operation_id).error
    assert error is not None
    assert error["code"] == "podops.operation.crashed"
    assert "secret-internal-name" not in error["message"]
