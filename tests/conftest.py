"""Fixtures that give tests real parts: Redis, PostgreSQL, a Celery worker, the app.

- Redis: the one on 127.0.0.1:6379 if it answers, else a `redis-server` this run starts.
- PostgreSQL: `PODOPS_TEST_POSTGRES_URL` (default: the server on 127.0.0.1:5432, user
  postgres); each run creates its own databases and drops them afterwards.
- Every test gets its own Celery queue name, so messages of one test never reach another.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient

from podops import migrate
from podops.api import create_app
from podops.auth import ALL_SCOPES
from podops.db import Database
from podops.settings import Settings
from tests.support.auth import bearer, context_of, token_for
from tests.support.processes import LiveServer, RedisServer, WorkerProcess, free_port, redis_answers

# Session fixtures shared by several modules: moto's S3 server and a bucket on it.
from tests.support.s3 import moto_endpoint, s3_bucket, s3_client  # noqa: F401

POSTGRES_ADMIN_URL = os.environ.get(
    "PODOPS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
TEST_SECRET = "test-secret-" + "k" * 8 + secrets.token_hex(16)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis for the whole run: the local one, else one started here."""
    if redis_answers("127.0.0.1", 6379):
        yield "redis://127.0.0.1:6379/0"
        return
    server = RedisServer(tmp_path_factory.mktemp("redis"), free_port())
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis server that this test alone starts, stops and restarts."""
    server = RedisServer(tmp_path / "redis", free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[Callable[..., str]]:
    """A factory of empty PostgreSQL databases, all dropped when the run ends.

    `options` are CREATE DATABASE's (a locale, say)."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        admin.dispose()
        pytest.fail(
            f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL} ({error}). Start it (the "
            "README says how) or point PODOPS_TEST_POSTGRES_URL at a server where this user "
            "may create databases.",
            pytrace=False,
        )
    created: list[str] = []

    def create(options: str = "") -> str:
        name = f"podops_test_{secrets.token_hex(6)}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" {options}'))
        created.append(name)
        return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    try:
        yield create
    finally:
        with admin.connect() as connection:
            for name in created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_databases: Callable[..., str]
) -> str:
    """An empty database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'podops.sqlite3'}"
    return postgres_databases()


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A migrated database."""
    db = Database(database_url)
    migrate.upgrade(db)
    try:
        yield db
    finally:
        db.dispose()


def make_settings(tmp_path: Path, **env: str) -> Settings:
    base = {
        "PODOPS_DATA_DIR": str(tmp_path / "data"),
        "PODOPS_JWT_SECRET": TEST_SECRET,
        "PODOPS_TASK_QUEUE": f"podops-test-{secrets.token_hex(4)}",
        "PODOPS_LOG_FORMAT": "json",
        # Tests poll operations quickly; the rate limit has tests of its own.
        "PODOPS_RATE_LIMIT": "100000",
    }
    return Settings.from_env({**base, **env}).with_secret()


@pytest.fixture
def settings(tmp_path: Path, database: Database, redis_url: str) -> Settings:
    """Settings on the migrated test database and the real Redis, one queue per test."""
    return make_settings(tmp_path, PODOPS_DATABASE_URL=database.url, PODOPS_BROKER_URL=redis_url)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def live_server(settings: Settings) -> Iterator[LiveServer]:
    """The app served by uvicorn on a real port."""
    server = LiveServer(create_app(settings), free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def admin(client: TestClient) -> dict[str, str]:
    """Headers with a token of an admin user, all scopes."""
    token = token_for(
        context_of(client), "admin@example.com", " ".join(sorted(ALL_SCOPES)), admin=True
    )
    return bearer(token)


@pytest.fixture
def worker(settings: Settings, tmp_path: Path) -> Iterator[WorkerProcess]:
    """A real Celery worker process on the test's database and queue."""
    process = WorkerProcess(settings, tmp_path / "worker.log")
    process.start()
    try:
        yield process
    finally:
        process.stop()
