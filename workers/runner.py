"""Running one operation: claim it, call its job's service, record the outcome.

The service gets the typed parameters (validated once, here) and the operation id; what it
raises decides the outcome:

    returns a result                 Success, with that result
    JobFailedError                   Failed, with its code, message and details
    JobRetryError, a storage or      released for another try later (the sweeper re-sends it,
    database outage                  until the operation is out of attempts)
    the task's soft time limit       Failed: podops.operation.timed_out
    anything else                    Failed: podops.operation.crashed (logged with its trace)
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy.exc import OperationalError

from podops import operations
from podops.fetch import retry_delay
from podops.jobs import JobFailedError, JobParams, JobRetryError, JsonObject, progress
from podops.jobs.kinds import BadParamsError, load_params
from podops.metrics import record_operation
from podops.runtime import Runtime
from podops.storage import StorageError

logger = logging.getLogger(__name__)

Params = TypeVar("Params", bound=JobParams, contravariant=True)


class Service(Protocol[Params]):
    """The work of one job kind: `service(runtime, params, operation_id=...)` → its result."""

    def __call__(self, runtime: Runtime, job: Params, /, *, operation_id: str) -> JsonObject: ...


# Failures of the parts around the work, not of the work itself: try again later.
RETRYABLE = (JobRetryError, StorageError, OperationalError)


def run_operation(
    runtime: Runtime, operation_id: str, expects: type[JobParams], service: Service[Any]
) -> str:
    """Run `service` for the operation if this worker can claim it; the outcome, for logs."""
    with runtime.database.session() as session:
        run = operations.claim_run(
            session, operation_id, time_limit=runtime.settings.task_time_limit
        )
    if run is None:
        # Finished already, or another worker holds a live claim: a duplicate delivery.
        logger.info("operation not claimed", extra={"operation": operation_id})
        return "skipped"
    finish = _Finisher(runtime, run)
    try:
        job = load_params(run.kind, run.params)
        if not isinstance(job, expects):
            raise BadParamsError(f"a {run.kind} operation sent to the {expects.task} task")
    except BadParamsError as error:
        return finish.failed("podops.operation.bad_params", str(error))
    try:
        with progress.reporting(runtime.database, operation_id, run.token):
            result = service(runtime, job, operation_id=operation_id)
    except JobFailedError as error:
        return finish.failed(error.code, error.message, error.details)
    except RETRYABLE as error:
        return finish.retry_later(error)
    except SoftTimeLimitExceeded:
        limit = runtime.settings.task_time_limit
        return finish.failed(
            "podops.operation.timed_out", f"the work did not finish within {limit} seconds"
        )
    except Exception as error:
        logger.exception("operation crashed", extra={"operation": operation_id})
        return finish.failed(
            "podops.operation.crashed",
            f"internal error ({type(error).__name__}); see the worker log",
        )
    return finish.succeeded(result)


class _Finisher:
    """Records the outcome of one claimed run (each only while the claim is still ours), and
    measures it: runs by kind and outcome, and the time from the claim to the outcome."""

    def __init__(self, runtime: Runtime, run: operations.Run) -> None:
        self._database = runtime.database
        self._run = run
        self._started = time.perf_counter()

    def _record(self, write: Callable[..., bool], **values: Any) -> bool:
        with self._database.session() as session:
            return write(session, self._run.operation_id, self._run.token, **values)

    def _measured(self, outcome: str) -> str:
        label = outcome.replace(" ", "_")  # "claim lost" → claim_lost
        record_operation(self._run.kind, label, time.perf_counter() - self._started)
        return outcome

    def succeeded(self, result: JsonObject) -> str:
        recorded = self._record(operations.succeed, result=result)
        return self._measured("success" if recorded else "claim lost")

    def failed(self, code: str, message: str, details: JsonObject | None = None) -> str:
        recorded = self._record(operations.fail, code=code, message=message, details=details)
        logger.warning(
            "operation failed", extra={"operation": self._run.operation_id, "code": code}
        )
        return self._measured("failed" if recorded else "claim lost")

    def retry_later(self, error: Exception) -> str:
        delay = retry_delay(self._run.attempt)
        logger.warning(
            "operation will be retried",
            extra={
                "operation": self._run.operation_id,
                "error": str(error),
                "in_seconds": round(delay, 1),
            },
        )
        self._record(operations.release, retry_at=int(time.time() + delay))
        return self._measured("retry")
