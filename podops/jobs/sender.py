"""Starting background work: record an operation, commit it, then send its task by name.

The task name comes from the job's parameters model (`podops.jobs.kinds`). The web process
never imports `workers`; it sends by name, and the worker registers its tasks under the same
names.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from celery import Celery
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError
from sqlalchemy import delete

from podops import operations
from podops.celery_config import make_celery
from podops.db import Database
from podops.jobs.kinds import JOB_KINDS, BuildJob, JobParams
from podops.models import Operation
from podops.publish.schedule import take_due
from podops.settings import Settings

if TYPE_CHECKING:
    from podops.tracing import Tracing

logger = logging.getLogger(__name__)


class BrokerUnavailableError(RuntimeError):
    """The broker did not take the message."""


# Finished operations deleted per transaction, and transactions per sweep: a sweep after a long
# pause (millions due) stays short and the next ones go on.
PURGE_BATCH = 1000
PURGE_MAX_BATCHES = 50

_SEND_ERRORS = (KombuOperationalError, RedisError, OSError, ConnectionError)


class Jobs:
    """Starts operations and (re-)sends their tasks through one Celery producer."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        celery: Celery | None = None,
        *,
        tracing: Tracing | None = None,
    ):
        self._settings = settings
        self._database = database
        self._celery = celery or make_celery(settings, name="podops-producer")
        # Puts the current trace in each message, so the job's span joins its request's trace.
        self._tracing = tracing

    @property
    def celery(self) -> Celery:
        return self._celery

    def start(
        self, params: JobParams, *, production: str | None = None, owner: str | None = None
    ) -> Operation:
        """Create a Busy operation of the job's kind, commit it, then send its task.

        If the broker refuses the message, the operation is removed again — nothing is left
        behind — and `BrokerUnavailableError` is raised.
        """
        with self._database.session() as session:
            operation = operations.create(
                session,
                kind=params.kind,
                params=params.to_stored(),
                production=production,
                owner=owner,
                queue_timeout=self._settings.queue_timeout,
            )
        try:
            self.send(operation)
        except BrokerUnavailableError:
            with self._database.session() as session:
                session.execute(delete(Operation).where(Operation.id == operation.id))
            raise
        return operation

    def start_unless_busy(
        self, params: JobParams, *, production: str | None, owner: str | None
    ) -> tuple[Operation, bool]:
        """The Busy operation of the job's kind for `production` (None: a job of no
        production, such as counting downloads) if there is one, else a new one; whether it
        is new."""
        with self._database.session() as session:
            busy = operations.find_busy(session, kind=params.kind, production=production)
        if busy is not None:
            return busy, False
        return self.start(params, production=production, owner=owner), True

    def send(self, operation: Operation) -> None:
        """Send the task of an operation whose row is already committed."""
        task = JOB_KINDS[operation.kind].task
        headers = self._tracing.headers() if self._tracing is not None else None
        try:
            self._celery.send_task(
                task, args=[operation.id], queue=self._settings.task_queue, headers=headers
            )
        except _SEND_ERRORS as error:
            raise BrokerUnavailableError(str(error) or type(error).__name__) from error

    def sweep(self, *, at: int | None = None) -> operations.SweepReport:
        """Re-send operations stuck in Busy past their deadline; fail those out of attempts."""
        with self._database.session() as session:
            report = operations.sweep(
                session,
                queue_timeout=self._settings.queue_timeout,
                max_attempts=self._settings.operation_max_attempts,
                at=at,
            )
        for operation in report.resend:
            try:
                self.send(operation)
            except BrokerUnavailableError as error:
                # Still Busy with a new deadline: the next sweep tries again.
                logger.warning(
                    "resend failed", extra={"operation": operation.id, "error": str(error)}
                )
        if report.resend or report.failed:
            logger.info(
                "swept operations",
                extra={"resent": [op.id for op in report.resend], "failed": report.failed},
            )
        return report

    def purge_finished(self, *, at: int | None = None) -> int:
        """Delete operations finished more than `operation_retention_days` ago, in batches of
        `PURGE_BATCH`, at most `PURGE_MAX_BATCHES` a call (the next sweep goes on); how many."""
        moment = operations.now() if at is None else at
        before = moment - self._settings.operation_retention_days * 86_400
        purged = 0
        for _ in range(PURGE_MAX_BATCHES):
            with self._database.session() as session:
                deleted = operations.purge_finished(
                    session, finished_before=before, batch=PURGE_BATCH
                )
            purged += deleted
            if deleted < PURGE_BATCH:
                break
        return purged

    def start_scheduled_builds(self, *, at: int | None = None) -> list[str]:
        """Start the builds scheduled episodes are waiting for (the sweeper calls this)."""
        with self._database.session() as session:
            due = take_due(session, now=at)
        for production in due:
            self.start_unless_busy(
                BuildJob(production=production), production=production, owner=None
            )
        return due

    def check_broker(self) -> None:
        """Raise `BrokerUnavailableError` unless the broker accepts a connection."""
        try:
            with self._celery.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        except _SEND_ERRORS as error:
            raise BrokerUnavailableError(str(error) or type(error).__name__) from error

    def close(self) -> None:
        self._celery.close()
