"""Productions: the unit a producer owns, holding one show and its episodes and assets."""

from __future__ import annotations

from pydantic import Field

from podops.resources._types import DocumentModel, Guid, LongText, Name, Text, UnixTime


class ProductionCreate(DocumentModel):
    """The body of `POST /a/v1/production`. The name is unique across the service: it is
    part of the public feed URL (`/s/{name}/feed.xml`)."""

    name: Name
    title: Text
    summary: LongText | None = None


class Production(DocumentModel):
    """A production as the API returns it; the server adds the GUID, owner and times."""

    guid: Guid
    name: Name
    title: Text
    summary: LongText | None = None
    owner: Text = Field(description="the user that owns the production")
    created: UnixTime
    updated: UnixTime
