"""Subscribers of a private feed, as the API takes and returns them."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from podops.resources._types import DocumentModel, Guid, Text, UnixTime, fail
from podops.resources._web import Email

Label = Annotated[
    str,
    Field(min_length=1, max_length=63, pattern=r"^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$"),
]


class SubscriberCreate(DocumentModel):
    """The body of `POST …/subscribers`: a name or an email (or both), and optionally when
    their access ends and a label to group them by (a plan, a campaign)."""

    name: Text | None = None
    email: Email | None = None
    label: Label | None = None
    expires: UnixTime | None = Field(
        default=None, description="when the feed and its media stop working (Unix seconds)"
    )

    @model_validator(mode="after")
    def _named(self) -> SubscriberCreate:
        if self.name is None and self.email is None:
            fail("subscriber_unnamed", "give the subscriber a name, an email, or both")
        return self


class DayActivity(DocumentModel):
    day: str = Field(description="UTC day, YYYY-MM-DD")
    requests: int = Field(description="feed and media requests answered")
    addresses: int = Field(description="distinct client addresses: a shared URL shows here")
    refused: int = Field(description="requests refused by the rate limit or address cap")


class Subscriber(DocumentModel):
    """A subscriber. `feed_url` is shown only when it is made (on creation and rotation):
    podops keeps a hash of its secret, never the secret."""

    id: Guid
    name: Text | None = None
    email: Email | None = None
    label: Label | None = None
    expires: UnixTime | None = None
    revoked: UnixTime | None = None
    created: UnixTime
    updated: UnixTime
    feed_url: str | None = None
    activity: list[DayActivity] = []
