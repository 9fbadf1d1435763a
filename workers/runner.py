"""Running one operation: claim it, run its pipeline, record the outcome.

Tasks stay thin: they pass an operation id to `run_operation` with the pipeline to call. The
pipeline is a plain function of the operation's parameters, testable without Celery.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded

from podops import operations
from podops.models import Operation
from workers.runtime import Runtime

logger = logging.getLogger(__name__)

Pipeline = Callable[[dict[str, Any]], dict[str, Any]]


class PermanentError(Exception):
    """The work cannot succeed as asked (bad input, missing data): fail it, do not retry."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def run_operation(runtime: Runtime, operation_id: str, pipeline: Pipeline) -> str:
    """Run `pipeline` for the operation if this worker can claim it; the outcome, for logs."""
    with runtime.database.session() as session:
        token = operations.claim(session, operation_id, time_limit=runtime.settings.task_time_limit)
        operation = session.get(Operation, operation_id) if token else None
        params = dict(operation.params) if operation else {}
    if token is None:
        # Finished already, or another worker holds a live claim: a duplicate delivery.
        logger.info("operation not claimed", extra={"operation": operation_id})
        return "skipped"
    try:
        result = pipeline(params)
    except PermanentError as error:
        return _fail(runtime, operation_id, token, error.code, error.message)
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


def _fail(runtime: Runtime, operation_id: str, token: str, code: str, message: str) -> str:
    with runtime.database.session() as session:
        recorded = operations.fail(session, operation_id, token, code=code, message=message)
    logger.warning("operation failed", extra={"operation": operation_id, "code": code})
    return "failed" if recorded else "claim lost"
