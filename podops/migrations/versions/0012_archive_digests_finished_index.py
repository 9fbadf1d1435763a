"""an index on operations.finished_at, for the purge of finished operations

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_operations_finished_at"), "operations", ["finished_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_operations_finished_at"), table_name="operations")
