"""A dependency going down gives 503 naming it; the process recovers when it returns."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from podops.api import create_app
from podops.auth import ALL_SCOPES
from podops.db import Database
from podops.models import Operation
from tests.conftest import make_settings
from tests.support.auth import bearer, context_of, token_for
from tests.support.processes import RedisServer

pytestmark = pytest.mark.slow


def count_operations(database: Database) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(Operation)) or 0)


def test_the_api_recovers_when_redis_comes_back(
    tmp_path: Path, database: Database, own_redis: RedisServer
) -> None:
    settings = make_settings(
        tmp_path, PODOPS_DATABASE_URL=database.url, PODOPS_BROKER_URL=own_redis.url
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        client.headers.update(
            bearer(token_for(context_of(client), "a@example.com", "api:admin", admin=True))
        )
        assert client.get("/readyz").status_code == 200
        assert client.post("/_t/ping", json={}).status_code == 202
        assert count_operations(database) == 1

        own_redis.stop()
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["code"] == "podops.broker.unavailable"
        refused = client.post("/_t/ping", json={"message": "while down"})
        assert refused.status_code == 503
        assert refused.json()["code"] == "podops.broker.unavailable"
        assert refused.headers["retry-after"] == "5"
        assert count_operations(database) == 1  # nothing was left behind
        assert client.get("/healthz").status_code == 200  # the process itself is fine

        own_redis.start()
        assert client.get("/readyz").status_code == 200
        assert client.post("/_t/ping", json={"message": "back"}).status_code == 202
        assert count_operations(database) == 2


def test_routes_that_need_the_database_answer_503_when_it_is_down(tmp_path: Path) -> None:
    # A PostgreSQL URL where nothing listens: the database is "down" from the start.
    from tests.support.processes import free_port

    settings = make_settings(
        tmp_path,
        PODOPS_DATABASE_URL=f"postgresql+psycopg://podops@127.0.0.1:{free_port()}/podops",
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        # A genuine token, made without the database (which is down).
        token, _ = context_of(client).authenticator.tokens.issue(
            subject="0123456789ab", scopes=frozenset(ALL_SCOPES), ttl=600
        )
        client.headers.update(bearer(token))
        response = client.get("/a/v1/operations/" + "0" * 32)
        assert response.status_code == 503
        assert response.json()["code"] == "podops.database.unavailable"
        assert client.post("/_t/ping", json={}).json()["code"] == "podops.database.unavailable"
        assert client.get("/healthz").status_code == 200
