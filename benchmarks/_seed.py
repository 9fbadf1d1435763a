"""What the worker-side benchmarks set up without the HTTP API: a production, a runtime."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: a measured build process loads only what it needs
    from sqlalchemy.orm import Session

    from podops.db import Database
    from podops.models import Production
    from podops.settings import Settings
    from workers.runtime import Runtime


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
    """What a worker's pipelines get, without a broker: these benchmarks start no other task."""
    from podops.storage.configured import configured_storage
    from workers.runtime import Runtime

    return Runtime(
        settings=settings,
        database=database,
        jobs=None,  # type: ignore[arg-type]
        storage=configured_storage(settings),
        pid=os.getpid(),
    )
