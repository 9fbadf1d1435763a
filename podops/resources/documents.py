"""Resource documents in PodOps' envelope, and what the route layer needs to handle them.

    {"apiVersion": "v1", "kind": "show" | "episode" | "asset",
     "metadata": {"name", "guid", "parent", "date", "labels"},
     "description": {…per kind…}, "image": {…}, "enclosure": {…}}

`image` and `enclosure` sit beside `description` in the envelope: a show may have an image, an
episode an image and an enclosure, an asset neither. `ResourceDocument` is a discriminated
union on `kind`, so one endpoint parses any kind with `parse_resource`, whose errors name the
field as the client wrote it (`description.categories.0.category`, `enclosure.url`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from podops.names import Kind
from podops.resources._types import DocumentModel
from podops.resources.asset import AssetDescription
from podops.resources.episode import EpisodeDescription
from podops.resources.metadata import Metadata
from podops.resources.references import REFERENCE_RELS, EnclosureReference, ImageReference
from podops.resources.show import ShowDescription

API_VERSION = "v1"


class ShowDocument(DocumentModel):
    """A show: the podcast itself, one per production."""

    api_version: Literal["v1"] = Field(alias="apiVersion")
    kind: Literal["show"]
    metadata: Metadata
    description: ShowDescription
    # Apple refuses a show without artwork, so a build needs it; so does the schema.
    image: ImageReference


class EpisodeDocument(DocumentModel):
    """An episode of the production's show (`metadata.parent` is the show's GUID)."""

    api_version: Literal["v1"] = Field(alias="apiVersion")
    kind: Literal["episode"]
    metadata: Metadata
    description: EpisodeDescription
    image: ImageReference | None = None
    enclosure: EnclosureReference | None = None


class AssetDocument(DocumentModel):
    """A media file of the production; its description is filled by the server."""

    api_version: Literal["v1"] = Field(alias="apiVersion")
    kind: Literal["asset"]
    metadata: Metadata
    description: AssetDescription | None = None


AnyDocument = ShowDocument | EpisodeDocument | AssetDocument

ResourceDocument = Annotated[AnyDocument, Field(discriminator="kind")]
"""Any resource document, told apart by `kind`."""

DOCUMENT_MODELS: Mapping[Kind, type[AnyDocument]] = {
    Kind.SHOW: ShowDocument,
    Kind.EPISODE: EpisodeDocument,
    Kind.ASSET: AssetDocument,
}

_RESOURCE_ADAPTER: TypeAdapter[AnyDocument] = TypeAdapter(ResourceDocument)

# Where a discriminated union sits in a document (`*`: any list index), the field that tells
# its members apart, and the values that field takes. Pydantic puts the chosen member's tag
# into an error's `loc` ("show", "image", "external", "url"); `parse_resource` takes it out
# again, because the client wrote no such field.
_UNIONS: Mapping[tuple[str, ...], tuple[str, tuple[str, ...]]] = {
    (): ("kind", tuple(kind.value for kind in Kind)),
    ("image",): ("rel", REFERENCE_RELS),
    ("enclosure",): ("rel", REFERENCE_RELS),
    ("description", "trailers", "*", "media"): ("rel", ("asset", "external")),
    ("description", "image_srcset", "*"): ("rel", ("asset", "external")),
    ("description", "alternate_enclosures", "*", "sources", "*"): ("rel", ("asset", "external")),
    ("description", "live_items", "*", "enclosure"): ("rel", ("asset", "external")),
    ("description", "live_items", "*", "image_srcset", "*"): ("rel", ("asset", "external")),
    ("description", "live_items", "*", "alternate_enclosures", "*", "sources", "*"): (
        "rel",
        ("asset", "external"),
    ),
}
_TAG_ERRORS = frozenset({"union_tag_invalid", "union_tag_not_found"})


def parse_resource(data: object) -> ResourceDocument:
    """`data` (parsed JSON or YAML) as the document of its kind.

    Raises pydantic's `ValidationError`; each error's `loc` is the path of the field as the
    client wrote it, e.g. `("description", "categories", 0, "category")`.
    """
    try:
        return _RESOURCE_ADAPTER.validate_python(data)
    except ValidationError as error:
        raise _with_field_paths(error) from None


def dump_resource(document: AnyDocument) -> dict[str, Any]:
    """The document as JSON-ready data, in the shape a client sends (`apiVersion`, no nulls)."""
    return document.model_dump(mode="json", by_alias=True, exclude_none=True)


def check_kind_matches(path_kind: str, document: AnyDocument) -> None:
    """Raise `ValidationError` at `kind` unless the document is of the kind in the path."""
    if document.kind == path_kind:
        return
    raise _validation_error(
        "kind_mismatch",
        ("kind",),
        # str(): a `Kind` member's repr would show the enum, not the word in the path.
        f"the document is {document.kind!r} but the path says {str(path_kind)!r}",
        document.kind,
    )


def server_owned_values(document: AnyDocument) -> dict[str, object]:
    """The read-only values a document sets, by field path: only the server may set them.

    A create must set none of them; an update may only repeat the stored values.
    """
    owned: dict[str, object] = {}
    if document.metadata.guid is not None:
        owned["metadata.guid"] = document.metadata.guid
    if isinstance(document, EpisodeDocument) and document.description.feed_guid is not None:
        owned["description.feed_guid"] = document.description.feed_guid
    if isinstance(document, ShowDocument) and document.description.podcast_guid is not None:
        owned["description.podcast_guid"] = document.description.podcast_guid
    if isinstance(document, AssetDocument) and document.description is not None:
        for field, value in document.description.model_dump(exclude_none=True).items():
            owned[f"description.{field}"] = value
    return owned


def asset_references(document: AnyDocument) -> list[tuple[str, str]]:
    """Every uploaded asset the document names, as (field path of the name, asset name): its
    image and enclosure, its transcripts and chapters, and the media of its Podcast Index
    tags."""
    data = dump_resource(document)
    description = data.get("description") or {}
    references: list[tuple[str, dict[str, Any]]] = [
        (field, data[field]) for field in ("image", "enclosure") if data.get(field)
    ]
    for index, trailer in enumerate(description.get("trailers") or []):
        references.append((f"description.trailers.{index}.media", trailer["media"]))
    references.extend(_item_media("description", description))
    for index, live in enumerate(description.get("live_items") or []):
        here = f"description.live_items.{index}"
        references.append((f"{here}.enclosure", live["enclosure"]))
        references.extend(_item_media(here, live))
    found = [
        (f"{path}.name", reference["name"])
        for path, reference in references
        if reference.get("rel") == "asset"
    ]
    # Transcripts and chapters name theirs in an `asset` field (their `rel` is another one).
    for index, transcript in enumerate(description.get("transcripts") or []):
        if transcript.get("asset"):
            found.append((f"description.transcripts.{index}.asset", transcript["asset"]))
    chapters = description.get("chapters") or {}
    if chapters.get("asset"):
        found.append(("description.chapters.asset", chapters["asset"]))
    return found


def _item_media(path: str, item: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The media references an episode's or a live item's srcset and alternate enclosures
    hold, with their paths under `path`."""
    references = [
        (f"{path}.image_srcset.{index}", image)
        for index, image in enumerate(item.get("image_srcset") or [])
    ]
    for index, alternate in enumerate(item.get("alternate_enclosures") or []):
        for number, source in enumerate(alternate["sources"]):
            references.append((f"{path}.alternate_enclosures.{index}.sources.{number}", source))
    return references


def resource_json_schema() -> dict[str, Any]:
    """JSON Schema of `ResourceDocument` (a `oneOf` with a discriminator on `kind`)."""
    return _RESOURCE_ADAPTER.json_schema(by_alias=True)


def _with_field_paths(error: ValidationError) -> ValidationError:
    details: list[InitErrorDetails] = []
    for item in error.errors(include_url=False):
        path = _without_union_tags(item["loc"])
        message = item["msg"]
        union = _UNIONS.get(_pattern(path))
        if item["type"] in _TAG_ERRORS and union is not None:
            field, tags = union
            message = _tag_message(item, field, tags)
            path = (*path, field)
        details.append(
            {
                "type": PydanticCustomError(item["type"], "{message}", {"message": message}),
                "loc": path,
                "input": item["input"],
            }
        )
    return ValidationError.from_exception_data(error.title, details)


def _pattern(path: tuple[str | int, ...]) -> tuple[str, ...]:
    return tuple("*" if isinstance(part, int) else part for part in path)


def _without_union_tags(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    # Right after a union's position, pydantic always inserts the member's tag; drop it once.
    path: list[str | int] = []
    passed: set[tuple[str | int, ...]] = set()
    for part in loc:
        here = tuple(path)
        if _pattern(here) in _UNIONS and here not in passed:
            passed.add(here)
            continue
        path.append(part)
    return tuple(path)


def _tag_message(item: Any, field: str, tags: tuple[str, ...]) -> str:
    expected = ", ".join(tags)
    if item["type"] == "union_tag_not_found":
        return f"{field} is required: one of {expected}"
    tag = str(item.get("ctx", {}).get("tag", ""))[:60]
    return f"{tag!r} is not a valid {field}; use one of {expected}"


def _validation_error(
    error_type: str, loc: tuple[str | int, ...], message: str, value: object
) -> ValidationError:
    details: list[InitErrorDetails] = [
        {
            "type": PydanticCustomError(error_type, "{message}", {"message": message}),
            "loc": loc,
            "input": value,
        }
    ]
    return ValidationError.from_exception_data("ResourceDocument", details)
