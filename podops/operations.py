"""Operations: the durable record of background work, and the rules for moving one along.

An operation is created Busy and committed before its task is sent (`podops.jobs`). A worker
*claims* it by writing a fresh `run_token` and a deadline; only the holder of the token may
finish it, so a message delivered twice runs the work once at a time. The *sweeper* looks for
Busy operations past their deadline — a worker that died, a message that was lost — clears the
claim and sends the task again, until `max_attempts` is spent and the operation is Failed.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from podops.models import Operation, OperationStatus

# Time a worker has, past its task's time limit, to write the outcome before it is presumed dead.
FINISH_GRACE_SECONDS = 30


def now() -> int:
    return int(time.time())


def new_operation_id() -> str:
    return secrets.token_hex(16)


def create(
    session: Session,
    *,
    kind: str,
    params: dict[str, Any],
    production: str | None,
    queue_timeout: int,
    owner: str | None = None,
    at: int | None = None,
) -> Operation:
    """Add a Busy operation, sent once, that the sweeper re-sends if unclaimed by the deadline."""
    moment = now() if at is None else at
    operation = Operation(
        id=new_operation_id(),
        kind=kind,
        production=production,
        owner=owner,
        status=OperationStatus.BUSY,
        params=params,
        attempts=1,
        created_at=moment,
        updated_at=moment,
        deadline_at=moment + queue_timeout,
    )
    session.add(operation)
    session.flush()
    return operation


def find_busy(session: Session, *, kind: str, production: str | None) -> Operation | None:
    """The Busy operation of `kind` for `production` (None: of no production), if one is
    under way."""
    of_production = (
        Operation.production.is_(None) if production is None else Operation.production == production
    )
    return session.scalars(
        select(Operation)
        .where(
            Operation.kind == kind,
            of_production,
            Operation.status == OperationStatus.BUSY,
        )
        .order_by(Operation.created_at)
        .limit(1)
    ).first()


def claim(
    session: Session, operation_id: str, *, time_limit: int, at: int | None = None
) -> str | None:
    """Claim a Busy, unclaimed operation for one run; the run token, or None if not ours to run.

    None means it is finished already, or another worker holds a live claim on it: either way
    the caller must not run the work.
    """
    moment = now() if at is None else at
    token = secrets.token_hex(16)
    claimed = session.execute(
        update(Operation)
        .where(
            Operation.id == operation_id,
            Operation.status == OperationStatus.BUSY,
            Operation.run_token.is_(None),
        )
        .values(
            run_token=token,
            started_at=moment,
            updated_at=moment,
            deadline_at=moment + time_limit + FINISH_GRACE_SECONDS,
            progress=None,  # a new run starts from the beginning
        )
        .execution_options(synchronize_session=False)
    )
    return token if claimed.rowcount == 1 else None  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Run:
    """One claimed run of an operation: what the worker needs to do the work."""

    operation_id: str
    token: str
    kind: str
    params: dict[str, Any]
    attempt: int


def claim_run(session: Session, operation_id: str, *, time_limit: int) -> Run | None:
    """`claim`, with the claimed operation's kind, stored parameters and attempt number."""
    token = claim(session, operation_id, time_limit=time_limit)
    if token is None:
        return None
    operation = session.get(Operation, operation_id)
    assert operation is not None  # claimed just now in this transaction
    return Run(operation_id, token, operation.kind, dict(operation.params), operation.attempts)


def report_progress(
    session: Session, operation_id: str, token: str, progress: dict[str, Any]
) -> bool:
    """Record how far the run holding `token` has come; False if the claim was lost."""
    return _update_claimed(session, operation_id, token, progress=progress, updated_at=now())


def succeed(session: Session, operation_id: str, token: str, result: dict[str, Any]) -> bool:
    """Record success for the run holding `token`; False if the claim was lost meanwhile."""
    return _finish(session, operation_id, token, status=OperationStatus.SUCCESS, result=result)


def fail(
    session: Session,
    operation_id: str,
    token: str,
    *,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
) -> bool:
    """Record failure for the run holding `token`; False if the claim was lost meanwhile.

    `details` (a build's lint report, say) are kept beside the code and the message.
    """
    error = {**(details or {}), "code": code, "message": message}
    return _finish(session, operation_id, token, status=OperationStatus.FAILED, error=error)


def release(session: Session, operation_id: str, token: str, *, retry_at: int) -> bool:
    """Give up a claim after a transient failure: the sweeper sends the task again once
    `retry_at` has passed, counting the attempt."""
    return _update_claimed(
        session, operation_id, token, run_token=None, deadline_at=retry_at, updated_at=now()
    )


def _finish(
    session: Session,
    operation_id: str,
    token: str,
    *,
    status: OperationStatus,
    result: dict[str, Any] | None = None,
    error: dict[str, Any] | None = None,
) -> bool:
    moment = now()
    return _update_claimed(
        session,
        operation_id,
        token,
        status=status,
        result=result,
        error=error,
        finished_at=moment,
        updated_at=moment,
    )


def _update_claimed(session: Session, operation_id: str, token: str, **values: Any) -> bool:
    """Set `values` on the operation if it is still Busy under the run `token`; whether it was."""
    updated = session.execute(
        update(Operation)
        .where(
            Operation.id == operation_id,
            Operation.status == OperationStatus.BUSY,
            Operation.run_token == token,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(updated.rowcount == 1)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class SweepReport:
    """What one sweep did: operations to send again, and operations given up on."""

    resend: list[Operation]
    failed: list[str]


def sweep(
    session: Session, *, queue_timeout: int, max_attempts: int, at: int | None = None
) -> SweepReport:
    """Mark Busy operations past their deadline for re-sending, or Failed when out of attempts.

    Rows are locked while swept (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so two sweepers at
    once do not take the same operation. The caller commits, then sends `resend` — never
    before the commit, or a worker could read the row as it was.
    """
    moment = now() if at is None else at
    overdue = session.scalars(
        select(Operation)
        .where(Operation.status == OperationStatus.BUSY, Operation.deadline_at < moment)
        .order_by(Operation.deadline_at)
        .limit(500)
        .with_for_update(skip_locked=True)
    ).all()
    report = SweepReport(resend=[], failed=[])
    for operation in overdue:
        operation.updated_at = moment
        operation.run_token = None
        if operation.attempts >= max_attempts:
            operation.status = OperationStatus.FAILED
            operation.finished_at = moment
            operation.error = {
                "code": "podops.operation.abandoned",
                "message": f"no worker finished it after {operation.attempts} attempts",
            }
            report.failed.append(operation.id)
        else:
            operation.attempts += 1
            operation.deadline_at = moment + queue_timeout
            report.resend.append(operation)
    return report


def purge_finished(session: Session, *, finished_before: int, batch: int) -> int:
    """Delete up to `batch` operations that ended (Success or Failed) before `finished_before`;
    how many. Busy ones stay whatever their age: someone may still poll them.

    One batch a call, so each transaction stays short on a table the API and workers write;
    `ix_operations_finished_at` takes the query to the old rows without scanning the table.
    """
    ids = session.scalars(
        select(Operation.id)
        .where(
            Operation.status.in_((OperationStatus.SUCCESS, OperationStatus.FAILED)),
            Operation.finished_at < finished_before,
        )
        .limit(batch)
    ).all()
    if ids:
        session.execute(
            delete(Operation)
            .where(Operation.id.in_(ids))
            .execution_options(synchronize_session=False)
        )
    return len(ids)


def to_json(operation: Operation) -> dict[str, Any]:
    """The operation as the API shows it."""
    return {
        "id": operation.id,
        "kind": operation.kind,
        "production": operation.production,
        "status": operation.status,
        "result": operation.result,
        "error": operation.error,
        "progress": operation.progress,
        "attempts": operation.attempts,
        "created": operation.created_at,
        "updated": operation.updated_at,
        "started": operation.started_at,
        "finished": operation.finished_at,
    }
