"""Validated documents: productions and the show, episode and asset resources.

Pure models (pydantic, no database, no HTTP) that the routes validate bodies with and the
OpenAPI document is generated from. Entry points:

- `ProductionCreate`, `Production`: the production body and response.
- `parse_resource(data)`: any resource document, by its `kind`; `ValidationError` on bad
  input, each error's `loc` the client's field path.
- `check_kind_matches(path_kind, document)`, `server_owned_values(document)`: the checks a
  route makes against the path and the stored resource.
- `dump_resource(document)`: the document as JSON data, as a client sends it.
- `resource_json_schema()` and each model's `model_json_schema()`: for the OpenAPI document.
"""

from __future__ import annotations

from podops.resources.asset import AssetDescription
from podops.resources.documents import (
    API_VERSION,
    DOCUMENT_MODELS,
    AnyDocument,
    AssetDocument,
    EpisodeDocument,
    ResourceDocument,
    ShowDocument,
    asset_references,
    check_kind_matches,
    dump_resource,
    parse_resource,
    resource_json_schema,
    server_owned_values,
)
from podops.resources.episode import Chapters, EpisodeDescription, Transcript
from podops.resources.metadata import Metadata
from podops.resources.persons import Person
from podops.resources.productions import Production, ProductionCreate
from podops.resources.references import (
    AssetReference,
    EnclosureReference,
    ExternalEnclosure,
    ExternalImage,
    ImageReference,
    ImportReference,
)
from podops.resources.show import Category, Funding, Owner, ShowDescription

__all__ = [
    "API_VERSION",
    "DOCUMENT_MODELS",
    "AnyDocument",
    "AssetDescription",
    "AssetDocument",
    "AssetReference",
    "Category",
    "Chapters",
    "EnclosureReference",
    "EpisodeDescription",
    "EpisodeDocument",
    "ExternalEnclosure",
    "ExternalImage",
    "Funding",
    "ImageReference",
    "ImportReference",
    "Metadata",
    "Owner",
    "Person",
    "Production",
    "ProductionCreate",
    "ResourceDocument",
    "ShowDescription",
    "ShowDocument",
    "Transcript",
    "asset_references",
    "check_kind_matches",
    "dump_resource",
    "parse_resource",
    "resource_json_schema",
    "server_owned_values",
]
