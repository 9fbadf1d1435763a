"""subscribers: the people given a private feed of a production

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-12
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
# "0007" is taken by another branch (webhooks); the chain is joined when both are merged.
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subscribers",
        sa.Column("id", sa.String(12), nullable=False),
        sa.Column("production_guid", sa.String(12), nullable=False),
        sa.Column("name", sa.String(255), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("label", sa.String(63), nullable=True),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("key_version", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=True),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["production_guid"],
            ["productions.guid"],
            name=op.f("fk_subscribers_production_guid_productions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscribers")),
    )
    op.create_index(
        op.f("ix_subscribers_production_guid"), "subscribers", ["production_guid"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_subscribers_production_guid"), table_name="subscribers")
    op.drop_table("subscribers")
