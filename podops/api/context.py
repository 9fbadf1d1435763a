"""What every route needs, built once per app: settings, database, jobs, storage."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from podops.auth.authenticator import Authenticator
from podops.db import Database
from podops.jobs import Jobs
from podops.settings import Settings
from podops.storage import Storage
from podops.storage.configured import configured_storage


@dataclass
class AppContext:
    settings: Settings
    database: Database
    jobs: Jobs
    storage: Storage
    authenticator: Authenticator

    @classmethod
    def build(cls, settings: Settings) -> AppContext:
        database = Database(settings.database_url)
        storage = configured_storage(settings)
        return cls(
            settings=settings,
            database=database,
            jobs=Jobs(settings, database),
            storage=storage,
            authenticator=Authenticator(settings, database),
        )

    async def close(self) -> None:
        await self.authenticator.close()
        self.jobs.close()
        self.database.dispose()


def context_of(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context
