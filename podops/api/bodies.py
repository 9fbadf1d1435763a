"""Reading request bodies: JSON only for now, validated by a pydantic model."""

from __future__ import annotations

import json
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from podops.errors import BadRequestError, UnsupportedMediaTypeError

Model = TypeVar("Model", bound=BaseModel)

# Deeper JSON than this is refused before validation: no document of ours needs it.
MAX_JSON_DEPTH = 32


async def read_json(request: Request, model: type[Model]) -> Model:
    """The body parsed as `model`; 415 for another media type, 400 naming the field at fault."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise UnsupportedMediaTypeError(
            f"send the body as application/json (got {media_type or 'no Content-Type'})"
        )
    raw = await request.body()
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BadRequestError(
            f"the body is not valid JSON: {error}", code="podops.request.malformed_json"
        ) from None
    except RecursionError:
        raise BadRequestError(
            f"the body is nested deeper than {MAX_JSON_DEPTH} levels",
            code="podops.request.too_deep",
        ) from None
    if _depth(data) > MAX_JSON_DEPTH:
        raise BadRequestError(
            f"the body is nested deeper than {MAX_JSON_DEPTH} levels",
            code="podops.request.too_deep",
        )
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(body)"
        raise BadRequestError(f"{field}: {first['msg']}", field=field) from None


def _depth(value: object) -> int:
    # Iterative, so a hostile document cannot exhaust the stack.
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_JSON_DEPTH:
            break
        if isinstance(node, dict):
            stack.extend((child, level + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, level + 1) for child in node)
    return deepest
