"""feed_states: what was last published per production, and its next scheduled build

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_states",
        sa.Column("production_guid", sa.String(length=12), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("published_at", sa.BigInteger(), nullable=False),
        sa.Column("next_build_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["production_guid"],
            ["productions.guid"],
            name=op.f("fk_feed_states_production_guid_productions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("production_guid", name=op.f("pk_feed_states")),
    )
    op.create_index(op.f("ix_feed_states_next_build_at"), "feed_states", ["next_build_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_feed_states_next_build_at"), table_name="feed_states")
    op.drop_table("feed_states")
