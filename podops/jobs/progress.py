"""How far the running operation has come, told to its record about once a second.

A job's service calls `report(stage, done, total)` (in bytes) as often as it likes (the
importer: after every megabyte); the worker's runner says where reports go for the operation
it runs, and a report reaches the database only when a second has passed since the last, or
when it is `final`. Outside an operation (a benchmark calling a service directly) it goes
nowhere.

A service reports only outside its own database transactions: on SQLite, the report's write
would wait for the service's own.

Progress is a courtesy to whoever is polling: a report that cannot be written is logged and
dropped, never allowed to fail the work it describes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy.exc import SQLAlchemyError

from podops import operations
from podops.db import Database

__all__ = ["INTERVAL_SECONDS", "report", "reporting"]

INTERVAL_SECONDS = 1.0
_clock = time.monotonic

logger = logging.getLogger(__name__)


class _Reporter:
    def __init__(self, database: Database, operation_id: str, token: str) -> None:
        self._database = database
        self._operation_id = operation_id
        self._token = token
        self._last = _clock()  # the first report waits a second: short work writes none

    def __call__(self, stage: str, done: int, total: int | None, final: bool) -> None:
        moment = _clock()
        if not final and moment - self._last < INTERVAL_SECONDS:
            return
        self._last = moment
        progress = {"stage": stage, "done": done, "total": total, "unit": "bytes"}
        try:
            with self._database.session() as session:
                operations.report_progress(session, self._operation_id, self._token, progress)
        except SQLAlchemyError:
            logger.warning(
                "progress not recorded", exc_info=True, extra={"operation": self._operation_id}
            )


_current: ContextVar[_Reporter | None] = ContextVar("operation_progress", default=None)


@contextmanager
def reporting(database: Database, operation_id: str, token: str) -> Iterator[None]:
    """Within this block, `report` writes to the operation's record (for the run `token`)."""
    previous = _current.set(_Reporter(database, operation_id, token))
    try:
        yield
    finally:
        _current.reset(previous)


def report(stage: str, done: int, total: int | None, *, final: bool = False) -> None:
    """Say how far the running operation has come: `done` of `total` bytes (None: unknown)."""
    reporter = _current.get()
    if reporter is not None:
        reporter(stage, done, total, final)
