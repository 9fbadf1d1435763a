"""Migrations are the only way the schema changes: they must build exactly the models' schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from podops import migrate
from podops.db import Database
from podops.models import Base


def test_upgrade_builds_the_schema_the_models_describe(database_url: str) -> None:
    database = Database(database_url)
    try:
        assert migrate.current_revision(database) is None
        migrate.upgrade(database)
        assert migrate.current_revision(database) == migrate.head_revision(database_url)
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        database.dispose()


def test_downgrade_to_base_and_up_again(database_url: str) -> None:
    database = Database(database_url)
    try:
        migrate.upgrade(database)
        migrate.downgrade(database, "base")
        assert "operations" not in inspect(database.engine).get_table_names()
        migrate.upgrade(database)
        assert "operations" in inspect(database.engine).get_table_names()
    finally:
        database.dispose()
