"""The envelope's `metadata`: name, GUID, parent, date and labels, shared by every kind."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from podops.resources._types import (
    LINE_SCHEMA_PATTERN,
    MAX_TEXT_CHARS,
    DocumentModel,
    Guid,
    Name,
    UnixTime,
    check_no_control_characters,
    fail,
)

MAX_LABELS = 32
MAX_LABEL_KEY_CHARS = 63
# Keys are matched in list filters (`label=key:value`), so they keep to a small ASCII alphabet;
# explicit classes and fullmatch, for the reasons given in podops.names.
_LABEL_KEY_PATTERN = "[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?"
_LABEL_KEY = re.compile(_LABEL_KEY_PATTERN)


def _check_label_key(value: str) -> str:
    if not _LABEL_KEY.fullmatch(value):
        fail(
            "label_key_invalid",
            f"{value[:70]!r} is not a label key: use 1 to {MAX_LABEL_KEY_CHARS} lower-case "
            "letters, digits, '.', '-' and '_', starting and ending with a letter or digit",
        )
    return value


LabelKey = Annotated[
    str,
    Field(
        json_schema_extra={
            "pattern": f"^{_LABEL_KEY_PATTERN}$",
            "minLength": 1,
            "maxLength": MAX_LABEL_KEY_CHARS,
        }
    ),
    AfterValidator(_check_label_key),
]

LabelValue = Annotated[
    str,
    Field(max_length=MAX_TEXT_CHARS, json_schema_extra={"pattern": LINE_SCHEMA_PATTERN}),
    AfterValidator(check_no_control_characters),
]


def _labels_schema(schema: dict[str, Any]) -> None:
    # Pydantic states a key pattern as `patternProperties`, which lets keys that miss the
    # pattern through; `propertyNames` says what the validator enforces: every key matches.
    value_schemas = list(schema.pop("patternProperties", {}).values())
    schema["propertyNames"] = {
        "type": "string",
        "pattern": f"^{_LABEL_KEY_PATTERN}$",
        "minLength": 1,
        "maxLength": MAX_LABEL_KEY_CHARS,
    }
    if value_schemas:
        schema["additionalProperties"] = value_schemas[0]


class Metadata(DocumentModel):
    """Who a resource is: its name (unique per production and kind) and server-made GUID.

    `guid` is read-only. A client leaves it out on create; on update it may send back the
    GUID it read, and the server checks that it matches. `parent` is the GUID of the resource
    this one belongs to (an episode's show). `date` is Unix seconds (an episode's publish date).
    """

    name: Name
    guid: Guid | None = Field(
        default=None, json_schema_extra={"readOnly": True}, description="made by the server"
    )
    parent: Guid | None = None
    date: UnixTime | None = None
    labels: Annotated[
        dict[LabelKey, LabelValue],
        Field(max_length=MAX_LABELS, json_schema_extra=_labels_schema),
    ] = {}
