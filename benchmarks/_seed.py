"""What the worker-side benchmarks set up without the HTTP API: a production, a runtime."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: a measured build process loads only what it needs
    from sqlalchemy.orm import Session

    from podops.db import Database
    from podops.models import Production
    from podops.runtime import Runtime
    from podops.settings import Settings


def bench_production(session: Session, name: str, title: str) -> Production:
    """A new production, owned by a new admin user, made through the service layer."""
    from podops.auth import Principal
    from podops.auth.tokens import Claims
    from podops.auth.users import create_user
    from podops.resources import ProductionCreate
    from podops.services import productions

    user = create_user(session, "bench@example.com", admin=True)
    claims = Claims(
        iss="", aud="", sub=user.id, iat=0, exp=2**40, jti="x", scope=frozenset(), prod=None
    )
    return productions.create_production(
        session, Principal(claims), ProductionCreate(name=name, title=title)
    )


def worker_runtime(settings: Settings, database: Database) -> Runtime:
    """What a worker's services get, on `database`. These benchmarks start no other job, so
    the job sender never connects to a broker."""
    from podops.jobs import Jobs
    from podops.runtime import Runtime
    from podops.storage.configured import configured_storage

    return Runtime(
        settings=settings,
        database=database,
        storage=configured_storage(settings),
        jobs=Jobs(settings, database),
    )
