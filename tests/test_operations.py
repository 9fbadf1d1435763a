"""Operation rules on a real database (SQLite and PostgreSQL): claim, finish, sweep."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, select, text

from podops import operations
from podops.db import Database
from podops.jobs import Jobs
from podops.models import Operation, OperationStatus
from tests.conftest import make_settings

T0 = 1_800_000_000


def start(database: Database, *, queue_timeout: int = 60) -> str:
    with database.session() as session:
        operation = operations.create(
            session,
            kind="ping",
            params={"message": "hi"},
            production=None,
            queue_timeout=queue_timeout,
            at=T0,
        )
        return operation.id


def load(database: Database, operation_id: str) -> Operation:
    with database.session() as session:
        operation = session.get(Operation, operation_id)
        assert operation is not None
        return operation


def test_a_new_operation_is_busy_and_sent_once(database: Database) -> None:
    operation = load(database, start(database))
    assert operation.status == OperationStatus.BUSY
    assert operation.attempts == 1
    assert operation.deadline_at == T0 + 60
    assert operations.to_json(operation)["status"] == "Busy"


def test_only_one_run_can_claim_an_operation(database: Database) -> None:
    operation_id = start(database)
    with database.session() as session:
        first = operations.claim(session, operation_id, time_limit=100, at=T0 + 1)
    with database.session() as session:
        second = operations.claim(session, operation_id, time_limit=100, at=T0 + 2)
    assert first is not None
    assert second is None
    assert (
        load(database, operation_id).deadline_at == T0 + 1 + 100 + operations.FINISH_GRACE_SECONDS
    )


def test_only_the_claim_holder_can_finish(database: Database) -> None:
    operation_id = start(database)
    with database.session() as session:
        token = operations.claim(session, operation_id, time_limit=100)
    assert token is not None
    with database.session() as session:
        assert not operations.succeed(session, operation_id, "not-the-token", {"x": 1})
    with database.session() as session:
        assert operations.succeed(session, operation_id, token, {"message": "hi"})
    finished = load(database, operation_id)
    assert finished.status == OperationStatus.SUCCESS
    assert finished.result == {"message": "hi"}
    with database.session() as session:  # finished work stays finished
        assert not operations.fail(session, operation_id, token, code="x", message="y")
        assert operations.claim(session, operation_id, time_limit=100) is None


def test_failure_records_code_and_message(database: Database) -> None:
    operation_id = start(database)
    with database.session() as session:
        token = operations.claim(session, operation_id, time_limit=100)
    assert token is not None
    with database.session() as session:
        operations.fail(session, operation_id, token, code="podops.test.bad", message="nope")
    failed = load(database, operation_id)
    assert failed.status == OperationStatus.FAILED
    assert failed.error == {"code": "podops.test.bad", "message": "nope"}


def test_sweep_leaves_operations_within_their_deadline(database: Database) -> None:
    start(database, queue_timeout=60)
    with database.session() as session:
        report = operations.sweep(session, queue_timeout=60, max_attempts=3, at=T0 + 59)
    assert report.resend == []
    assert report.failed == []


def test_sweep_frees_a_dead_claim_and_resends(database: Database) -> None:
    operation_id = start(database)
    with database.session() as session:
        dead_token = operations.claim(session, operation_id, time_limit=10, at=T0)
    assert dead_token is not None
    late = T0 + 10 + operations.FINISH_GRACE_SECONDS + 1
    with database.session() as session:
        report = operations.sweep(session, queue_timeout=60, max_attempts=3, at=late)
    assert [operation.id for operation in report.resend] == [operation_id]
    swept = load(database, operation_id)
    assert swept.attempts == 2
    assert swept.run_token is None
    assert swept.deadline_at == late + 60
    with database.session() as session:  # the dead run can no longer record anything
        assert not operations.succeed(session, operation_id, dead_token, {})
    with database.session() as session:  # a new run can claim it
        assert operations.claim(session, operation_id, time_limit=10, at=late + 1) is not None


def test_sweep_fails_an_operation_out_of_attempts(database: Database) -> None:
    operation_id = start(database, queue_timeout=10)
    moment = T0
    for _ in range(2):
        moment += 11
        with database.session() as session:
            assert (
                len(operations.sweep(session, queue_timeout=10, max_attempts=3, at=moment).resend)
                == 1
            )
    moment += 11
    with database.session() as session:
        report = operations.sweep(session, queue_timeout=10, max_attempts=3, at=moment)
    assert report.failed == [operation_id]
    failed = load(database, operation_id)
    assert failed.status == OperationStatus.FAILED
    assert failed.attempts == 3
    assert failed.error is not None
    assert failed.error["code"] == "podops.operation.abandoned"


def test_find_busy_finds_the_running_operation_of_a_production(database: Database) -> None:
    with database.session() as session:
        busy = operations.create(
            session, kind="build", params={}, production="abc123def456", queue_timeout=60
        )
        operations.create(
            session, kind="build", params={}, production="000000000000", queue_timeout=60
        )
    with database.session() as session:
        found = operations.find_busy(session, kind="build", production="abc123def456")
        assert found is not None
        assert found.id == busy.id
        assert operations.find_busy(session, kind="import", production="abc123def456") is None


DOWNLOADING = {"stage": "download", "done": 1_000_000, "total": 4_000_000, "unit": "bytes"}


def test_only_the_claim_holder_reports_progress_and_a_new_run_starts_without_it(
    database: Database,
) -> None:
    operation_id = start(database)
    with database.session() as session:
        token = operations.claim(session, operation_id, time_limit=100)
    assert token is not None
    with database.session() as session:
        assert not operations.report_progress(session, operation_id, "stale", DOWNLOADING)
    assert load(database, operation_id).progress is None
    with database.session() as session:
        assert operations.report_progress(session, operation_id, token, DOWNLOADING)
    assert operations.to_json(load(database, operation_id))["progress"] == DOWNLOADING

    with database.session() as session:  # a transient failure: released, claimed again
        assert operations.release(session, operation_id, token, retry_at=T0)
        again = operations.claim(session, operation_id, time_limit=100)
    assert again is not None
    assert load(database, operation_id).progress is None


def test_finished_work_takes_no_more_progress(database: Database) -> None:
    operation_id = start(database)
    with database.session() as session:
        token = operations.claim(session, operation_id, time_limit=100)
    assert token is not None
    with database.session() as session:
        assert operations.succeed(session, operation_id, token, {"message": "hi"})
        assert not operations.report_progress(session, operation_id, token, DOWNLOADING)
    assert load(database, operation_id).progress is None


def finish(database: Database, operation_id: str, status: str, at: int) -> None:
    with database.session() as session:
        operation = session.get(Operation, operation_id)
        assert operation is not None
        operation.status, operation.finished_at = status, at


def test_purge_deletes_only_finished_operations_past_the_cutoff_in_batches(
    database: Database,
) -> None:
    day = 86_400
    old = [start(database) for _ in range(5)]
    for index, operation_id in enumerate(old):
        status = OperationStatus.SUCCESS if index % 2 else OperationStatus.FAILED
        finish(database, operation_id, status, T0 + day)
    recent = start(database)
    finish(database, recent, OperationStatus.SUCCESS, T0 + 40 * day)
    busy = start(database)  # created at T0, older than everything: still polled
    cutoff = T0 + 30 * day

    batches = []
    while True:
        with database.session() as session:
            deleted = operations.purge_finished(session, finished_before=cutoff, batch=2)
        batches.append(deleted)
        if deleted < 2:
            break

    assert batches == [2, 2, 1]
    with database.session() as session:
        left = set(session.scalars(select(Operation.id)))
    assert left == {recent, busy}
    assert load(database, busy).status == OperationStatus.BUSY


def test_the_purge_finds_old_operations_through_the_finished_at_index(
    database: Database,
) -> None:
    """A table of many operations finished within the retention period and a few older:
    the purge's own query is planned as a search of `ix_operations_finished_at`, not a scan
    of the table (PostgreSQL, with statistics, chooses it over a sequential scan)."""
    day = 86_400
    rows: list[dict[str, Any]] = [
        {
            "id": f"op{number:030d}",
            "kind": "ping",
            "status": OperationStatus.SUCCESS,
            "params": {},
            "attempts": 1,
            "created_at": T0,
            "updated_at": T0,
            "finished_at": T0 + (day if number < 5 else 40 * day + number),
            "deadline_at": T0,
        }
        for number in range(5000)
    ]
    with database.session() as session:
        session.execute(insert(Operation), rows)
    with database.engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", capture)
    try:
        with database.session() as session:
            assert operations.purge_finished(session, finished_before=T0 + 30 * day, batch=2) == 2
    finally:
        event.remove(database.engine, "before_cursor_execute", capture)

    (statement, parameters) = statements[0]
    explain = "EXPLAIN" if database.engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN"
    with database.engine.connect() as connection:
        plan = connection.exec_driver_sql(f"{explain} {statement}", parameters).all()
    described = " ".join(str(column) for row in plan for column in row)
    assert "ix_operations_finished_at" in described, described


def test_the_sweeper_keeps_finished_operations_for_the_retention_setting(
    tmp_path: Path, database: Database
) -> None:
    settings = make_settings(
        tmp_path, PODOPS_DATABASE_URL=database.url, PODOPS_OPERATION_RETENTION_DAYS="7"
    )
    day = 86_400
    kept, purged = start(database), start(database)
    finish(database, kept, OperationStatus.SUCCESS, T0 + 2 * day)
    finish(database, purged, OperationStatus.FAILED, T0 + day - 1)
    jobs = Jobs(settings, database)
    try:
        assert jobs.purge_finished(at=T0 + 8 * day) == 1
        assert jobs.purge_finished(at=T0 + 8 * day) == 0  # nothing twice
    finally:
        jobs.close()
    with database.session() as session:
        assert set(session.scalars(select(Operation.id))) == {kept}
