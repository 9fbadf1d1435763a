"""The Celery app the workers run, made from `Settings` by `create_celery_app`.

`podops worker` and `podops beat` build it and run Celery in-process; nothing is read from
the environment, and no logging is configured, at import time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from celery import Celery
from celery.signals import worker_process_init, worker_ready

from podops.celery_config import make_celery
from podops.metrics import enable_metrics
from podops.runtime import Runtime
from podops.settings import Settings
from workers.tasks import register_tasks


class ProcessRuntime:
    """The runtime of the current worker process, made on first use.

    A forked pool process must not share its parent's database connections or broker
    producer, so each process builds its own: after a fork the inherited one is dropped.
    """

    def __init__(self, settings: Settings, app: Celery) -> None:
        self._settings = settings
        self._app = app
        self._runtime: Runtime | None = None
        self._pid = 0

    def __call__(self) -> Runtime:
        if self._runtime is None or self._pid != os.getpid():
            # Jobs started by a job (a feed import's media) go out through the worker's app.
            self._runtime = Runtime.build(self._settings, celery=self._app)
            self._pid = os.getpid()
        return self._runtime

    def forget_after_fork(self, **_signal: Any) -> None:
        if self._runtime is not None:
            # The parent's connections belong to the parent: drop them without closing.
            self._runtime.database.engine.dispose(close=False)
        self._runtime = None


def create_celery_app(settings: Settings, *, ready_file: Path | None = None) -> Celery:
    """The worker's Celery app for `settings`, with every task registered.

    With `ready_file`, the worker writes that file once it consumes tasks (a readiness signal
    for supervisors and tests).
    """
    # Before the pool forks: each pool process then writes samples of its own.
    enable_metrics(settings)
    app = make_celery(settings, name="podops-worker")
    runtime = ProcessRuntime(settings, app)
    register_tasks(app, runtime)
    worker_process_init.connect(runtime.forget_after_fork, weak=False)
    if ready_file is not None:

        def mark_ready(**_signal: Any) -> None:
            ready_file.write_text(f"{os.getpid()}\n")

        worker_ready.connect(mark_ready, weak=False)
    return app
