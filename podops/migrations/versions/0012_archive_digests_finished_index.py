"""feed_states.archive_sha256: each published archive page's hash; an index on
operations.finished_at for the purge of finished operations

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Null on every existing row: their next build reads their stored pages back once.
    with op.batch_alter_table("feed_states") as batch:
        batch.add_column(sa.Column("archive_sha256", sa.JSON(none_as_null=True), nullable=True))
    op.create_index(op.f("ix_operations_finished_at"), "operations", ["finished_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_operations_finished_at"), table_name="operations")
    with op.batch_alter_table("feed_states") as batch:
        batch.drop_column("archive_sha256")
