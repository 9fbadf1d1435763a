"""Where an image or an enclosure comes from: `{"rel": "asset" | "external" | "import", …}`.

- `asset`: an asset already uploaded to the production, by its name.
- `external`: an absolute http(s) URL that the feed carries as it is; the producer may state
  its MIME type, length and (for enclosures) duration. An enclosure's missing length or type
  is asked of its server (a HEAD, or a one-byte ranged GET) by the first build, and kept; a
  missing duration with them, read from the file's head where its format states it there.
- `import`: an absolute http(s) URL that podops downloads into an asset of its own.

Each is a discriminated union on `rel`, so the JSON Schema is a `oneOf` with a discriminator.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from podops.resources._types import MAX_INT64, DocumentModel, Name, Seconds
from podops.resources._web import ImageMimeType, MediaMimeType, WebUrl


class AssetReference(DocumentModel):
    """An asset uploaded to the same production, by name."""

    rel: Literal["asset"]
    name: Name


class ImportReference(DocumentModel):
    """A URL podops downloads into an asset; the feed then points at podops' copy."""

    rel: Literal["import"]
    url: WebUrl


class ExternalImage(DocumentModel):
    """Artwork hosted elsewhere, published as it is."""

    rel: Literal["external"]
    url: WebUrl
    type: ImageMimeType | None = None
    length: Annotated[int, Field(gt=0, le=MAX_INT64, description="size in bytes")] | None = None


class ExternalEnclosure(DocumentModel):
    """Media hosted elsewhere, published as it is.

    RSS requires an enclosure's type and length; the feed build fills what is missing here by
    probing the URL, or reports the episode if it cannot. With them it fills a missing
    duration where the file's head or tail states it (MP3 frame count or constant bitrate,
    MP4 movie header, Ogg, FLAC, WAV).
    """

    rel: Literal["external"]
    url: WebUrl
    type: MediaMimeType | None = None
    length: Annotated[int, Field(gt=0, le=MAX_INT64, description="size in bytes")] | None = None
    duration: Annotated[Seconds, Field(gt=0)] | None = None


ImageReference = Annotated[
    AssetReference | ExternalImage | ImportReference, Field(discriminator="rel")
]
"""A show's or episode's artwork: an uploaded asset, an external URL, or a URL to import."""

EnclosureReference = Annotated[
    AssetReference | ExternalEnclosure | ImportReference, Field(discriminator="rel")
]
"""An episode's media: an uploaded asset, an external URL, or a URL to import."""

REFERENCE_RELS = ("asset", "external", "import")
