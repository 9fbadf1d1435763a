"""An asset's description: the media metadata that upload, import and probing fill in.

Every field belongs to the server. A client creating or replacing an asset leaves them out (or
sends back unchanged what it read); `podops.resources.documents.server_owned_values` lists what
a document sets, so a route can refuse a client's values.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from podops.resources._types import MAX_INT64, DocumentModel, Seconds, Sha256, Text
from podops.resources._web import MimeType, WebUrl

Count = Annotated[int, Field(ge=0, le=MAX_INT64)]
Pixels = Annotated[int, Field(ge=1, le=1_000_000)]


class AssetDescription(DocumentModel):
    """What podops knows about a stored media file; every field optional until probed."""

    size: Count | None = Field(default=None, description="bytes")
    type: MimeType | None = Field(default=None, description="MIME type")
    duration: Seconds | None = Field(default=None, description="seconds")
    bitrate: Count | None = Field(default=None, description="bits per second")
    sample_rate: Annotated[int, Field(ge=1, le=10_000_000)] | None = Field(
        default=None, description="samples per second (Hz)"
    )
    channels: Annotated[int, Field(ge=1, le=255)] | None = None
    width: Pixels | None = Field(default=None, description="pixels")
    height: Pixels | None = Field(default=None, description="pixels")
    sha256: Sha256 | None = None
    storage_key: Text | None = Field(default=None, description="where the storage keeps it")
    url: WebUrl | None = Field(default=None, description="where podcatchers fetch it")
