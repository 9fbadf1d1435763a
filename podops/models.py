"""Database tables. The schema changes only through the migrations in `podops/migrations`.

Timestamps are integer Unix seconds, as in the API: the same value on SQLite and PostgreSQL,
comparable in SQL without time-zone handling.
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
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
    # The user who started it; None for work the system started itself.
    owner: Mapped[str | None] = mapped_column(String(12), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default=OperationStatus.BUSY)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # How far a long run has come ({"stage", "done", "total", "unit"}), as its worker last said;
    # cleared when a run claims the operation.
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_token: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    started_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # Indexed for the sweeper's purge of operations finished before the retention cutoff.
    finished_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    deadline_at: Mapped[int] = mapped_column(BigInteger)
    # When the event saying its whole work ended was sent (a feed import's `import.finished`,
    # once its media imports have ended too): set once, by whichever ending came last.
    announced_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    __table_args__ = (
        Index("ix_operations_status_deadline", "status", "deadline_at"),
        Index("ix_operations_production_kind_status", "production", "kind", "status"),
    )


class User(Base):
    """Someone who owns productions and is given tokens. Deactivation ends every token at once."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    deactivated_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class IssuedToken(Base):
    """Every access token podops issued: who for, until when, and whether it was revoked.

    The token itself is never stored. A revoked row is kept until the token would have expired
    anyway, then purged by the sweeper.
    """

    __tablename__ = "issued_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(12), ForeignKey("users.id"), index=True)
    scope: Mapped[str] = mapped_column(String(255))
    production: Mapped[str | None] = mapped_column(String(44), nullable=True)
    client_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    issued_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class SpentAssertion(Base):
    """The id of a service-account assertion already exchanged: none is accepted twice."""

    __tablename__ = "spent_assertions"

    jti: Mapped[str] = mapped_column(String(128), primary_key=True)
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)


class ServiceAccount(Base):
    """A machine credential: it signs assertions with its private key, which podops never keeps.

    The access tokens it gets act for `user_id`, with at most `scopes` and `production`.
    """

    __tablename__ = "service_accounts"

    client_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(12), ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    public_key: Mapped[str] = mapped_column(Text)
    scopes: Mapped[str] = mapped_column(String(255))
    production: Mapped[str | None] = mapped_column(String(44), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[int] = mapped_column(BigInteger)


class Production(Base):
    """A podcast production: one show, its episodes and assets. Names are unique service-wide
    because they appear in public feed URLs."""

    __tablename__ = "productions"

    guid: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(44), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    owner_id: Mapped[str] = mapped_column(String(12), ForeignKey("users.id"), index=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class Resource(Base):
    """A show, episode or asset document of a production, stored whole as JSON.

    `date` (the document's `metadata.date`, else its creation time) orders lists; labels are
    copied to `resource_labels` so lists can filter on them in SQL on every backend.
    """

    __tablename__ = "resources"

    guid: Mapped[str] = mapped_column(String(12), primary_key=True)
    production_guid: Mapped[str] = mapped_column(
        String(12), ForeignKey("productions.guid", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(44))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    # An asset's content hash: the same bytes uploaded again find the asset they made.
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # A show's summary or an episode's notes as safe HTML, rendered once when the document is
    # written, so a feed build never converts Markdown (it would cost 16 times the build).
    html: Mapped[str | None] = mapped_column(Text, nullable=True)
    etag: Mapped[str] = mapped_column(String(66))
    date: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        UniqueConstraint(
            "production_guid", "kind", "name", name="uq_resources_production_kind_name"
        ),
        Index("ix_resources_listing", "production_guid", "kind", "date", "guid"),
        Index("ix_resources_production_date", "production_guid", "date", "guid"),
        Index("ix_resources_production_sha256", "production_guid", "sha256"),
    )


class ResourceLabel(Base):
    __tablename__ = "resource_labels"

    resource_guid: Mapped[str] = mapped_column(
        String(12), ForeignKey("resources.guid", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(63), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))

    __table_args__ = (Index("ix_resource_labels_key_value", "key", "value"),)


class IdempotentRequest(Base):
    """The first response to a POST with an `Idempotency-Key`, replayed when it is retried."""

    __tablename__ = "idempotent_requests"

    user_id: Mapped[str] = mapped_column(String(12), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    headers: Mapped[dict[str, str]] = mapped_column(JSON)
    created_at: Mapped[int] = mapped_column(BigInteger, index=True)


class FeedState(Base):
    """What was last published for a production: the feed's hash and each item's GUID and
    enclosure URL (the GUID guard compares a new build with them), when the next
    scheduled episode falls due (the sweeper starts a build then), and where the show is
    moving, while its old URLs redirect there."""

    __tablename__ = "feed_states"

    production_guid: Mapped[str] = mapped_column(
        String(12), ForeignKey("productions.guid", ondelete="CASCADE"), primary_key=True
    )
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    items: Mapped[dict[str, str]] = mapped_column(JSON)
    published_at: Mapped[int] = mapped_column(BigInteger)
    next_build_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    # Where the feed's URLs redirect (301) to until `moved_until`: a show moving away.
    moved_to: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    moved_until: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # The hex SHA-256 of each archive page of a paged feed as published, page 1 first ([]:
    # none), so a build knows which pages it must write again without reading them back;
    # None when not known (published before it was recorded, or a build that wrote pages
    # failed before recording them): the next build reads the stored pages once.
    archive_sha256: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True), nullable=True)


class Subscriber(Base):
    """Someone given a private feed of a production: a secret feed URL of their own.

    Only the secret's SHA-256 is kept. `key_version` is part of every media URL signed for
    the subscriber; rotating the secret raises it and revoking ends it, so the old URLs stop
    working at once (the delivery path reads the version from a small cache, not from here).
    """

    __tablename__ = "subscribers"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    production_guid: Mapped[str] = mapped_column(
        String(12), ForeignKey("productions.guid", ondelete="CASCADE"), index=True
    )
    name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    label: Mapped[str | None] = mapped_column(String(63), nullable=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    key_version: Mapped[int] = mapped_column(Integer, default=1)
    expires_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class WebhookSubscription(Base):
    """A producer's webhook endpoint: the events of one production it is sent, signed with
    its secret (Standard Webhooks' `whsec_` base64, kept to sign and shown once)."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    production_guid: Mapped[str] = mapped_column(
        String(12), ForeignKey("productions.guid", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2048))
    secret: Mapped[str] = mapped_column(String(128))
    events: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[int] = mapped_column(BigInteger)


class WebhookDelivery(Base):
    """One event sent (or being sent) to one subscription: its message, as signed, and the
    log of every attempt (`{at, status_code, error}`)."""

    __tablename__ = "webhook_deliveries"

    # The message id (`webhook-id`): the same on every retry, so receivers can deduplicate.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subscription_id: Mapped[str] = mapped_column(
        String(12), ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    event: Mapped[str] = mapped_column(String(64))
    # The body sent: {type, timestamp, data}.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        Index("ix_webhook_deliveries_subscription_created", "subscription_id", "created_at"),
    )


# Download analytics (`podops.analytics`): raw media events, the counting's state per listener
# and day, the daily counts the API answers, the day's salts and the aggregation's progress.
# SQLite only gives a table an auto-incremented key when it is an INTEGER PRIMARY KEY.
_EVENT_ID = BigInteger().with_variant(Integer(), "sqlite")


class DownloadEvent(Base):
    """One media request podops answered (served or redirected), without the address: the
    listener is a daily-salted hash of network and User-Agent (`podops.analytics.listeners`).

    `first_byte`/`last_byte` are the range asked for: `last_byte` None means to the end, a
    negative `first_byte` the last that many bytes; both None, no bytes (HEAD, 304, 416).
    """

    __tablename__ = "download_events"

    id: Mapped[int] = mapped_column(_EVENT_ID, primary_key=True, autoincrement=True)
    at: Mapped[int] = mapped_column(BigInteger)
    day: Mapped[int] = mapped_column(Integer, index=True)
    production: Mapped[str] = mapped_column(String(12))
    # The media file's name: its SHA-256 and extension.
    media: Mapped[str] = mapped_column(String(80))
    listener: Mapped[str] = mapped_column(String(32))
    listening: Mapped[bool] = mapped_column(Boolean)
    app: Mapped[str] = mapped_column(String(128))
    platform: Mapped[str] = mapped_column(String(128))
    first_byte: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_byte: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class ListenerDay(Base):
    """How much of one media file one listener asked for on one day: the byte ranges so far,
    merged, until they reach a minute of audio (`counted`; the ranges are then dropped)."""

    __tablename__ = "download_listeners"

    # Key order: the aggregation looks rows up by day and listener; pruning goes by day.
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    listener: Mapped[str] = mapped_column(String(32), primary_key=True)
    production: Mapped[str] = mapped_column(String(12), primary_key=True)
    media: Mapped[str] = mapped_column(String(80), primary_key=True)
    counted: Mapped[bool] = mapped_column(Boolean, default=False)
    # SQL NULL once counted (not JSON null): nothing to encode for most rows.
    ranges: Mapped[list[list[int]] | None] = mapped_column(JSON(none_as_null=True), nullable=True)


class DownloadCount(Base):
    """Downloads of one episode on one day by one app on one platform."""

    __tablename__ = "download_counts"

    production_guid: Mapped[str] = mapped_column(
        String(12), ForeignKey("productions.guid", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    episode: Mapped[str] = mapped_column(String(80), primary_key=True)
    app: Mapped[str] = mapped_column(String(128), primary_key=True)
    platform: Mapped[str] = mapped_column(String(128), primary_key=True)
    downloads: Mapped[int] = mapped_column(BigInteger, default=0)


class AnalyticsSalt(Base):
    """The salt of one UTC day's listener hashes; deleted once the day is over."""

    __tablename__ = "analytics_salts"

    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    salt: Mapped[bytes] = mapped_column(LargeBinary(32))


class AnalyticsProgress(Base):
    """Where the aggregation is: named positions in `download_events` (`watermark`: every
    event up to it is counted; `horizon`: the last event seen, and `horizon_at` when)."""

    __tablename__ = "analytics_progress"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
