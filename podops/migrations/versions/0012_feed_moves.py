"""feed_states.moved_to / moved_until: a show moving away redirects its old feed URLs

Revision ID: 0012
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
# Numbered for this branch (private feeds' leftovers); the lead re-chains it at merge.
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feed_states") as batch:
        batch.add_column(sa.Column("moved_to", sa.String(2048), nullable=True))
        batch.add_column(sa.Column("moved_until", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feed_states") as batch:
        batch.drop_column("moved_until")
        batch.drop_column("moved_to")
