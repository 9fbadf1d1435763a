"""auth: users, issued tokens, spent assertions, service accounts; operations get an owner

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=12), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("deactivated_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "issued_tokens",
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=12), nullable=False),
        sa.Column("scope", sa.String(length=255), nullable=False),
        sa.Column("production", sa.String(length=44), nullable=True),
        sa.Column("client_id", sa.String(length=40), nullable=True),
        sa.Column("issued_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_issued_tokens_user_id_users")
        ),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_issued_tokens")),
    )
    op.create_index(op.f("ix_issued_tokens_user_id"), "issued_tokens", ["user_id"])
    op.create_index(op.f("ix_issued_tokens_expires_at"), "issued_tokens", ["expires_at"])
    op.create_table(
        "spent_assertions",
        sa.Column("jti", sa.String(length=128), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_spent_assertions")),
    )
    op.create_index(op.f("ix_spent_assertions_expires_at"), "spent_assertions", ["expires_at"])
    op.create_table(
        "service_accounts",
        sa.Column("client_id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("scopes", sa.String(length=255), nullable=False),
        sa.Column("production", sa.String(length=44), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_service_accounts_user_id_users")
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_service_accounts")),
    )
    op.create_index(
        op.f("ix_service_accounts_user_id"), "service_accounts", ["user_id"], unique=False
    )
    with op.batch_alter_table("operations") as batch:
        batch.add_column(sa.Column("owner", sa.String(length=12), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("operations") as batch:
        batch.drop_column("owner")
    op.drop_index(op.f("ix_service_accounts_user_id"), table_name="service_accounts")
    op.drop_table("service_accounts")
    op.drop_index(op.f("ix_spent_assertions_expires_at"), table_name="spent_assertions")
    op.drop_table("spent_assertions")
    op.drop_index(op.f("ix_issued_tokens_expires_at"), table_name="issued_tokens")
    op.drop_index(op.f("ix_issued_tokens_user_id"), table_name="issued_tokens")
    op.drop_table("issued_tokens")
    op.drop_table("users")
