"""download analytics: media events, listeners' days, daily counts, salts, progress

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# SQLite auto-increments only an INTEGER PRIMARY KEY.
EVENT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "download_events",
        sa.Column("id", EVENT_ID, autoincrement=True, nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("production", sa.String(12), nullable=False),
        sa.Column("media", sa.String(80), nullable=False),
        sa.Column("listener", sa.String(32), nullable=False),
        sa.Column("listening", sa.Boolean(), nullable=False),
        sa.Column("app", sa.String(128), nullable=False),
        sa.Column("platform", sa.String(128), nullable=False),
        sa.Column("first_byte", sa.BigInteger(), nullable=True),
        sa.Column("last_byte", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_download_events")),
    )
    op.create_index(op.f("ix_download_events_day"), "download_events", ["day"], unique=False)
    op.create_table(
        "download_listeners",
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("listener", sa.String(32), nullable=False),
        sa.Column("production", sa.String(12), nullable=False),
        sa.Column("media", sa.String(80), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.Column("ranges", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint(
            "day", "listener", "production", "media", name=op.f("pk_download_listeners")
        ),
    )
    op.create_table(
        "download_counts",
        sa.Column("production_guid", sa.String(12), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("episode", sa.String(80), nullable=False),
        sa.Column("app", sa.String(128), nullable=False),
        sa.Column("platform", sa.String(128), nullable=False),
        sa.Column("downloads", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["production_guid"],
            ["productions.guid"],
            name=op.f("fk_download_counts_production_guid_productions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "production_guid", "day", "episode", "app", "platform", name=op.f("pk_download_counts")
        ),
    )
    op.create_table(
        "analytics_salts",
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("salt", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_analytics_salts")),
    )
    op.create_table(
        "analytics_progress",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_analytics_progress")),
    )


def downgrade() -> None:
    op.drop_table("analytics_progress")
    op.drop_table("analytics_salts")
    op.drop_table("download_counts")
    op.drop_table("download_listeners")
    op.drop_index(op.f("ix_download_events_day"), table_name="download_events")
    op.drop_table("download_events")
