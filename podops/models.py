"""Database tables. The schema changes only through the migrations in `podops/migrations`.

Timestamps are integer Unix seconds, as in the API: the same value on SQLite and PostgreSQL,
comparable in SQL without time-zone handling.
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints, so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class OperationStatus(enum.StrEnum):
    """The states of background work, as named in the Omny Studio seed."""

    BUSY = "Busy"
    SUCCESS = "Success"
    FAILED = "Failed"


class Operation(Base):
    """The durable record of one piece of background work.

    The database is the source of truth for job state; Celery only carries the id. A worker
    claims a Busy operation by setting `run_token` and a `deadline_at`; the sweeper re-sends an
    operation whose deadline has passed (its worker died, or its message was lost).
    """

    __tablename__ = "operations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    production: Mapped[str | None] = mapped_column(String(44), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default=OperationStatus.BUSY)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_token: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    started_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    finished_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    deadline_at: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        Index("ix_operations_status_deadline", "status", "deadline_at"),
        Index("ix_operations_production_kind_status", "production", "kind", "status"),
    )
