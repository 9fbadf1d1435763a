"""Per-process resources of a worker: database and job sender, made lazily after the fork.

A forked child must not share its parent's database connections, so each process builds its
own on first use and the pool is reset when a child starts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from celery.signals import worker_process_init

from podops.db import Database
from podops.jobs import Jobs
from podops.settings import Settings
from podops.storage import Storage
from podops.storage.configured import configured_storage


@dataclass
class Runtime:
    settings: Settings
    database: Database
    jobs: Jobs
    storage: Storage
    pid: int


_current: Runtime | None = None


def runtime() -> Runtime:
    """This process's runtime, built on first use."""
    global _current
    if _current is None or _current.pid != os.getpid():
        from workers.app import celery_app, settings

        database = Database(settings.database_url)
        _current = Runtime(
            settings=settings,
            database=database,
            jobs=Jobs(settings, database, celery_app),
            storage=configured_storage(settings),
            pid=os.getpid(),
        )
    return _current


@worker_process_init.connect
def _reset_after_fork(**_kwargs: Any) -> None:
    global _current
    if _current is not None:
        _current.database.engine.dispose(close=False)
    _current = None
