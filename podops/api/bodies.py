"""Reading request bodies: JSON (or YAML where documents are sent), validated by a model.

Every failure is a 400 in the error shape that names the field, or a 415 for a media type
we do not read: a value the parser cannot convert (a JSON integer past Python's 4,300 digits,
`NaN`, a YAML `date: 2024-13-45` or `!!float abc`) is malformed input like any other. A body
nested too deep, or holding a NUL character anywhere (PostgreSQL stores none), is refused
before validation. Bodies are already capped in size by `RequestMiddleware`.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from podops.errors import BadRequestError, FieldProblem, UnsupportedMediaTypeError
from podops.untrusted import NUL, nul_refused

Model = TypeVar("Model", bound=BaseModel)

# Deeper than this is refused before validation: no document of ours needs it.
MAX_DEPTH = 32
JSON_TYPES = ("application/json",)
# A body with more problems than this reports the first ones (the count says how many).
MAX_REPORTED = 100
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without anchors and aliases: no document needs them, and aliases let a few
    bytes expand into gigabytes of data to validate (the "billion laughs")."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise BadRequestError(
                "YAML anchors and aliases are not accepted", code="podops.request.malformed_yaml"
            )
        return super().compose_node(parent, index)


async def read_data(request: Request, *, yaml_allowed: bool = False) -> object:
    """The body parsed as JSON (or YAML when allowed and so labelled), depth-checked."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    accepted = JSON_TYPES + (YAML_TYPES if yaml_allowed else ())
    if media_type not in accepted:
        raise UnsupportedMediaTypeError(
            f"send the body as {' or '.join(accepted[:2])} (got {media_type or 'no Content-Type'})"
        )
    raw = await request.body()
    data = _parse_yaml(raw) if media_type in YAML_TYPES else _parse_json(raw)
    check_data(data)
    return data


async def read_json(request: Request, model: type[Model], *, yaml_allowed: bool = False) -> Model:
    """The body validated as `model`; 400 listing every field at fault."""
    data = await read_data(request, yaml_allowed=yaml_allowed)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise validation_failed(error) from None


def validation_failed(error: ValidationError) -> BadRequestError:
    """Every validation error (up to MAX_REPORTED) as one 400: `errors` lists each field path
    (`description.title`) with its message; `field` and `message` name the first."""
    problems: list[FieldProblem] = []
    for item in error.errors(include_url=False)[:MAX_REPORTED]:
        field = ".".join(str(part) for part in item["loc"]) or "(body)"
        problems.append({"field": field, "message": item["msg"]})
    first = problems[0]
    more = error.error_count() - 1
    message = f"{first['field']}: {first['message']}"
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''}: see errors)"
    return BadRequestError(message, field=first["field"], errors=problems)


def _parse_json(raw: bytes) -> object:
    try:
        return json.loads(raw, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError) as error:  # JSONDecodeError and int() limits too
        raise BadRequestError(
            f"the body is not valid JSON: {_first_line(error)}",
            code="podops.request.malformed_json",
        ) from None
    except RecursionError:
        raise _too_deep() from None


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def _parse_yaml(raw: bytes) -> object:
    try:
        return yaml.load(raw, Loader=_NoAliasLoader)  # noqa: S506 — a SafeLoader subclass
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as error:
        # PyYAML converts scalars with int(), float(), datetime(), base64: their own errors.
        raise BadRequestError(
            f"the body is not valid YAML: {_first_line(error)}",
            code="podops.request.malformed_yaml",
        ) from None
    except RecursionError:
        raise _too_deep() from None


def _first_line(error: Exception) -> str:
    lines = str(error).splitlines()
    return lines[0][:200] if lines else type(error).__name__


def _too_deep() -> BadRequestError:
    return BadRequestError(
        f"the body is nested deeper than {MAX_DEPTH} levels", code="podops.request.too_deep"
    )


def check_data(value: object) -> None:
    """Refuse a parsed body nested deeper than MAX_DEPTH, or with a NUL in any string (keys
    too). Iterative, so a hostile document cannot exhaust the stack."""
    stack = [(value, 1)]
    while stack:
        node, level = stack.pop()
        if level > MAX_DEPTH:
            raise _too_deep()
        if isinstance(node, str):
            if NUL in node:
                raise nul_refused("body")
        elif isinstance(node, dict):
            for key, child in node.items():
                stack.append((key, level))
                stack.append((child, level + 1))
        elif isinstance(node, list | tuple | set | frozenset):
            stack.extend((child, level + 1) for child in node)
