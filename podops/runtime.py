"""The composition root: everything a podops process works with, built from `Settings`.

The web app, the worker, the CLI, the benchmarks and the tests all build their `Runtime` the
same way, `Runtime.build(settings)`, so the web and the worker sides cannot drift apart. The
parts are made when the runtime is built, never at import time; the authenticator (web only)
on first use.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from celery import Celery

from podops.analytics.events import DownloadLog
from podops.auth.authenticator import Authenticator
from podops.db import Database
from podops.jobs import Jobs
from podops.private.grants import MediaSigner
from podops.private.state import Limits, SubscriberState, make_state
from podops.settings import Settings
from podops.storage import Storage
from podops.storage.configured import configured_storage
from podops.tracing import start_tracing

if TYPE_CHECKING:
    from podops.tracing import Tracing


@dataclass
class Runtime:
    """The settings and the services made from them: database, storage, job sender."""

    settings: Settings
    database: Database
    storage: Storage
    jobs: Jobs
    # None unless traces are exported (PODOPS_TRACES_ENDPOINT or OpenTelemetry's variables).
    tracing: Tracing | None = None
    _closed: bool = field(default=False, repr=False)

    @classmethod
    def build(cls, settings: Settings, *, celery: Celery | None = None) -> Runtime:
        """A runtime for `settings`; jobs are sent through `celery` (the worker's own app)
        or, by default, a producer of its own."""
        database = Database(settings.database_url)
        tracing = start_tracing(settings)
        return cls(
            settings=settings,
            database=database,
            storage=configured_storage(settings),
            jobs=Jobs(settings, database, celery, tracing=tracing),
            tracing=tracing,
        )

    @functools.cached_property
    def authenticator(self) -> Authenticator:
        """Verifies and issues tokens (the web process's; the worker never asks for it)."""
        return Authenticator(self.settings, self.database)

    @functools.cached_property
    def media_signer(self) -> MediaSigner:
        """Signs and checks private feeds' media grants (web process)."""
        return MediaSigner.from_settings(self.settings)

    @functools.cached_property
    def subscribers(self) -> SubscriberState:
        """Subscribers' key versions, request counts and limits (web process)."""
        limits = Limits(self.settings.subscriber_rate_limit, self.settings.subscriber_max_ips)
        return make_state(limits, self.settings.broker_url)

    @functools.cached_property
    def download_log(self) -> DownloadLog:
        """Media requests, noted for download counting and written in batches (web)."""
        return DownloadLog(self.database)

    def close(self) -> None:
        """Write the last noted downloads; release the database pool and the broker."""
        if self._closed:
            return
        self._closed = True
        if "download_log" in self.__dict__:
            self.download_log.close()
        self.jobs.close()
        self.database.dispose()
        if self.tracing is not None:
            self.tracing.shutdown()

    async def aclose(self) -> None:
        """`close`, after the authenticator's own connections (the web app's lifespan)."""
        if "authenticator" in self.__dict__:
            await self.authenticator.close()
        if "subscribers" in self.__dict__:
            await self.subscribers.close()
        self.close()
