"""Running one operation: claim it, run its pipeline, record the outcome.

Tasks stay thin: they pass an operation id to `run_operation` with the pipeline to call. The
pipeline is a plain function of the operation's parameters, testable without Celery.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy.exc import OperationalError

from podops import operations
from podops.fetch import retry_delay
from podops.models import Operation
from podops.storage import StorageError
from workers import progress
from workers.runtime import Runtime

logger = logging.getLogger(__name__)

Pipeline = Callable[[dict[str, Any]], dict[str, Any]]


class TransientError(Exception):
    """The work failed for a reason that may pass (a store or server briefly unreachable)."""


# Failures of the parts around the work, not of the work itself: try again later.
TRANSIENT = (TransientError, StorageError, OperationalError)


class PermanentError(Exception):
    """The work cannot succeed as asked (bad input, missing data): fail it, do not retry."""

    def __init__(self, code: str, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}


def run_operation(runtime: Runtime, operation_id: str, pipeline: Pipeline) -> str:
    """Run `pipeline` for the operation if this worker can claim it; the outcome, for logs."""
    with runtime.database.session() as session:
        token = operations.claim(session, operation_id, time_limit=runtime.settings.task_time_limit)
        operation = session.get(Operation, operation_id) if token else None
        # The pipeline learns its operation's id, e.g. to name a download it can resume.
        params = {**operation.params, "operation_id": operation_id} if operation else {}
    if token is None:
        # Finished already, or another worker holds a live claim: a duplicate delivery.
        logger.info("operation not claimed", extra={"operation": operation_id})
        return "skipped"
    try:
        with progress.reporting(runtime, operation_id, token):
            result = pipeline(params)
    except PermanentError as error:
        return _fail(runtime, operation_id, token, error.code, error.message, error.details)
    except TRANSIENT as error:
        return _retry_later(runtime, operation_id, token, error)
    except SoftTimeLimitExceeded:
        limit = runtime.settings.task_time_limit
        return _fail(
            runtime,
            operation_id,
            token,
            "podops.operation.timed_out",
            f"the work did not finish within {limit} seconds",
        )
    except Exception as error:
        logger.exception("operation crashed", extra={"operation": operation_id})
        return _fail(
            runtime,
            operation_id,
            token,
            "podops.operation.crashed",
            f"internal error ({type(error).__name__}); see the worker log",
        )
    with runtime.database.session() as session:
        recorded = operations.succeed(session, operation_id, token, result)
    return "success" if recorded else "claim lost"


def _retry_later(runtime: Runtime, operation_id: str, token: str, error: Exception) -> str:
    with runtime.database.session() as session:
        operation = session.get(Operation, operation_id)
        attempt = operation.attempts if operation else 1
    delay = retry_delay(attempt)
    logger.warning(
        "operation will be retried",
        extra={"operation": operation_id, "error": str(error), "in_seconds": round(delay, 1)},
    )
    with runtime.database.session() as session:
        operations.release(session, operation_id, token, retry_at=int(time.time() + delay))
    return "retry"


def _fail(
    runtime: Runtime,
    operation_id: str,
    token: str,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
) -> str:
    with runtime.database.session() as session:
        recorded = operations.fail(
            session, operation_id, token, code=code, message=message, details=details
        )
    logger.warning("operation failed", extra={"operation": operation_id, "code": code})
    return "failed" if recorded else "claim lost"
