"""Progress reports: where they go, how often, and that they never fail the work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from podops import operations
from podops.db import Database
from podops.jobs import progress
from podops.models import Operation


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(progress, "_clock", clock)
    return clock


def claimed(database: Database) -> tuple[str, str]:
    with database.session() as session:
        operation = operations.create(
            session, kind="import_asset", params={}, production=None, queue_timeout=60
        )
        token = operations.claim(session, operation.id, time_limit=100)
        assert token is not None
        return operation.id, token


def recorded(database: Database, operation_id: str) -> dict[str, Any] | None:
    with database.session() as session:
        operation = session.get(Operation, operation_id)
        assert operation is not None
        return operation.progress


def test_reports_reach_the_record_at_most_once_a_second_and_the_final_one_always(
    database: Database, clock: Clock
) -> None:
    operation_id, token = claimed(database)
    with progress.reporting(database, operation_id, token):
        progress.report("download", 1_000_000, 8_000_000)
        assert recorded(database, operation_id) is None  # within the first second: not written
        clock.now += 1.0
        progress.report("download", 2_000_000, 8_000_000)
        assert recorded(database, operation_id) == {
            "stage": "download",
            "done": 2_000_000,
            "total": 8_000_000,
            "unit": "bytes",
        }
        clock.now += 0.5
        progress.report("download", 3_000_000, 8_000_000)
        assert recorded(database, operation_id)["done"] == 2_000_000  # type: ignore[index]
        progress.report("download", 8_000_000, 8_000_000, final=True)
        assert recorded(database, operation_id)["done"] == 8_000_000  # type: ignore[index]


def test_outside_an_operation_a_report_goes_nowhere(database: Database, clock: Clock) -> None:
    operation_id, token = claimed(database)
    with progress.reporting(database, operation_id, token):
        pass
    clock.now += 5
    progress.report("download", 1, 2, final=True)
    assert recorded(database, operation_id) is None


class Unreachable:
    @contextmanager
    def session(self) -> Iterator[None]:
        raise OperationalError("UPDATE operations", {}, Exception("database is locked"))
        yield


def test_a_report_that_cannot_be_written_is_logged_not_raised(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    with progress.reporting(
        Unreachable(),  # type: ignore[arg-type]
        "op",
        "token",
    ):
        progress.report("download", 1, 2, final=True)
    assert "progress not recorded" in caplog.text
