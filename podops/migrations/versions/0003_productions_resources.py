"""productions, resources and their labels, idempotent requests

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "productions",
        sa.Column("guid", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=44), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("owner_id", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_productions_owner_id_users")
        ),
        sa.PrimaryKeyConstraint("guid", name=op.f("pk_productions")),
        sa.UniqueConstraint("name", name=op.f("uq_productions_name")),
    )
    op.create_index(op.f("ix_productions_owner_id"), "productions", ["owner_id"])
    op.create_table(
        "resources",
        sa.Column("guid", sa.String(length=12), nullable=False),
        sa.Column("production_guid", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=44), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("html", sa.Text(), nullable=True),
        sa.Column("etag", sa.String(length=66), nullable=False),
        sa.Column("date", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["production_guid"],
            ["productions.guid"],
            name=op.f("fk_resources_production_guid_productions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("guid", name=op.f("pk_resources")),
        sa.UniqueConstraint(
            "production_guid", "kind", "name", name="uq_resources_production_kind_name"
        ),
    )
    op.create_index(
        "ix_resources_listing", "resources", ["production_guid", "kind", "date", "guid"]
    )
    op.create_index(
        "ix_resources_production_date", "resources", ["production_guid", "date", "guid"]
    )
    op.create_index("ix_resources_production_sha256", "resources", ["production_guid", "sha256"])
    op.create_table(
        "resource_labels",
        sa.Column("resource_guid", sa.String(length=12), nullable=False),
        sa.Column("key", sa.String(length=63), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_guid"],
            ["resources.guid"],
            name=op.f("fk_resource_labels_resource_guid_resources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("resource_guid", "key", name=op.f("pk_resource_labels")),
    )
    op.create_index("ix_resource_labels_key_value", "resource_labels", ["key", "value"])
    op.create_table(
        "idempotent_requests",
        sa.Column("user_id", sa.String(length=12), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "key", name=op.f("pk_idempotent_requests")),
    )
    op.create_index(
        op.f("ix_idempotent_requests_created_at"), "idempotent_requests", ["created_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_idempotent_requests_created_at"), table_name="idempotent_requests")
    op.drop_table("idempotent_requests")
    op.drop_index("ix_resource_labels_key_value", table_name="resource_labels")
    op.drop_table("resource_labels")
    op.drop_index("ix_resources_production_sha256", table_name="resources")
    op.drop_index("ix_resources_production_date", table_name="resources")
    op.drop_index("ix_resources_listing", table_name="resources")
    op.drop_table("resources")
    op.drop_index(op.f("ix_productions_owner_id"), table_name="productions")
    op.drop_table("productions")
