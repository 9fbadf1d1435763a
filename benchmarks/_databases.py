"""The databases the HTTP benchmarks run on: made for one run, migrated, and dropped after it."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# The PostgreSQL server a run creates its database on (and drops it from afterwards): the
# tests' server unless told otherwise.
POSTGRES_SERVER = os.environ.get(
    "PODOPS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@contextmanager
def benchmark_database(
    backend: str, data_dir: Path, postgres_server: str = POSTGRES_SERVER
) -> Iterator[str]:
    """The URL of a migrated, empty database for `backend`: a SQLite file in `data_dir`, a new
    database on `postgres_server` (dropped afterwards), or a URL given as it is (its tables
    dropped first)."""
    if backend == "sqlite":
        url = f"sqlite:///{data_dir / 'podops.sqlite3'}"
        _migrate(url)
        yield url
    elif backend == "postgresql":
        with _new_postgres_database(postgres_server) as url:
            _migrate(url)
            yield url
    else:
        _empty(backend)
        _migrate(backend)
        yield backend


@contextmanager
def _new_postgres_database(server: str) -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"podops_bench_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        raise SystemExit(
            f"PostgreSQL is not reachable at {server} ({error}); set "
            "PODOPS_TEST_POSTGRES_URL, or leave PostgreSQL out"
        ) from None
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrate(database_url: str) -> None:
    from podops import migrate
    from podops.db import Database

    database = Database(database_url)
    migrate.upgrade(database)
    database.dispose()


def _empty(database_url: str) -> None:
    """Drop every table of a named database: each run seeds its own data."""
    from sqlalchemy import MetaData, create_engine

    engine = create_engine(database_url)
    metadata = MetaData()
    metadata.reflect(engine)
    metadata.drop_all(engine)
    engine.dispose()
