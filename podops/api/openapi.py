"""The OpenAPI 3.1 document, generated from the routes and the models that validate them.

Each route's `@documented(...)` names its body and response models, `@requires(...)` its
scope; this module turns those into paths and components. Nothing is written by hand but the
error shape, which `podops.api.responses` builds for every error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter
from starlette.routing import BaseRoute, Route

from podops import __version__
from podops.api.auth import requirement_of
from podops.api.docs import ApiDoc, QueryParameter, ResponseHeader, doc_of
from podops.api.routing import walk
from podops.auth import ALL_SCOPES
from podops.names import ALL_KINDS, GUID_PATTERN, NAME_PATTERN, Kind

REF = "#/components/schemas/{model}"
NAME_OR_GUID = {"type": "string", "pattern": f"^(?:{NAME_PATTERN}|{GUID_PATTERN})$"}
PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "prod": NAME_OR_GUID,
    "id": NAME_OR_GUID,
    "kind": {"type": "string", "enum": [kind.value for kind in Kind]},
    "jti": {"type": "string", "minLength": 1, "maxLength": 64},
    "operation_id": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
}
ERROR_DESCRIPTIONS = {
    400: "bad request: the message names the field",
    401: "no valid bearer token",
    403: "the token lacks the scope",
    404: "not found (or not the caller's)",
    409: "conflict",
    412: "If-Match does not match",
    413: "body too large",
    415: "unsupported media type",
    429: "rate limited: see Retry-After",
    500: "internal error",
    503: "a dependency (database, broker, storage) is unavailable",
}


class FieldError(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    """The one error shape: every 4xx and 5xx answer has it. A body that fails validation
    lists every problem in `errors`; `field` and `message` name the first."""

    model_config = ConfigDict(extra="allow")

    success: bool
    code: str
    message: str
    field: str | None = None
    errors: list[FieldError] | None = None


def build_openapi(routes: Sequence[BaseRoute]) -> dict[str, Any]:
    """The OpenAPI 3.1 document for `routes`."""
    documented = [
        (path, route, doc)
        for path, route in walk(routes)
        if (doc := doc_of(route.endpoint)) is not None
    ]
    schemas = _component_schemas([doc for _path, _route, doc in documented])
    paths: dict[str, dict[str, Any]] = {}
    for path, route, doc in documented:
        for method in sorted((route.methods or set()) - {"HEAD"}):
            paths.setdefault(path, {})[method.lower()] = _operation(route, doc, method)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "podops",
            "version": __version__,
            "description": "Podcast production and RSS build service (PodOps API).",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "scopes: " + " ".join(sorted(ALL_SCOPES)),
                }
            },
        },
    }


def _models(doc: ApiDoc) -> list[Any]:
    models = [model for model in doc.responses.values() if model is not None]
    return [doc.body, *models] if doc.body is not None else models


def _schema_name(model: Any) -> str:
    name = getattr(model, "__name__", None)
    if isinstance(name, str) and name != "Annotated":
        return name
    return "ResourceDocument"  # the one Annotated union we document


def _component_schemas(docs: list[ApiDoc]) -> dict[str, Any]:
    models: dict[str, Any] = {"ErrorBody": ErrorBody}
    for doc in docs:
        for model in _models(doc):
            models.setdefault(_schema_name(model), model)
    inputs = [(name, "validation", TypeAdapter(model)) for name, model in models.items()]
    top, definitions = TypeAdapter.json_schemas(inputs, ref_template=REF)  # type: ignore[arg-type]
    schemas: dict[str, Any] = dict(definitions.get("$defs", {}))
    for (name, _mode), schema in top.items():
        if "$ref" not in schema:
            schemas[str(name)] = schema
    return schemas


def _ref(model: Any) -> dict[str, str]:
    return {"$ref": REF.format(model=_schema_name(model))}


def _parameter(where: str, parameter: QueryParameter) -> dict[str, Any]:
    return {
        "name": parameter.name,
        "in": where,
        "required": parameter.required,
        "schema": parameter.schema,
        "description": parameter.description,
        **({"style": "form", "explode": True} if parameter.schema.get("type") == "array" else {}),
    }


def _path_schema(route: Route, name: str) -> dict[str, Any]:
    if name == "kind" and route.path.endswith("/{kind}"):  # a list: any kind, or all
        return {"type": "string", "enum": [*(kind.value for kind in Kind), ALL_KINDS]}
    return PATH_PARAMETERS.get(name, {"type": "string"})


def _operation(route: Route, doc: ApiDoc, method: str) -> dict[str, Any]:
    endpoint = route.endpoint
    operation: dict[str, Any] = {
        "summary": doc.summary,
        "operationId": f"{method.lower()}_{getattr(endpoint, '__name__', 'endpoint')}",
        "tags": [doc.tag],
    }
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": PATH_PARAMETERS.get(name, {"type": "string"}),
        }
        for name in route.param_convertors
    ]
    parameters += [_parameter("query", item) for item in doc.query]
    parameters += [_parameter("header", item) for item in doc.headers]
    if parameters:
        operation["parameters"] = parameters
    statuses: dict[int, Any] = dict(doc.responses)
    if doc.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {media_type: {"schema": _ref(doc.body)} for media_type in doc.media_types},
        }
        statuses |= {code: None for code in (400, 413, 415) if code not in statuses}
    elif doc.raw_body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {
                media_type: {"schema": schema} for media_type, schema in doc.raw_body.items()
            },
        }
        statuses |= {code: None for code in (400, 413, 415) if code not in statuses}
    if route.param_convertors or doc.query:
        statuses.setdefault(400, None)
    if route.param_convertors:  # names something that may not exist (or not be the caller's)
        statuses.setdefault(404, None)
    requirement = requirement_of(endpoint)
    if requirement is not None:
        scope = requirement.scope
        operation["security"] = [{"bearer": [scope] if scope else []}]
        statuses |= {code: None for code in (401, 403, 429) if code not in statuses}
    statuses |= {code: None for code in (500, 503) if code not in statuses}
    operation["responses"] = {
        str(code): _response(code, model, doc.response_headers.get(code, ()))
        for code, model in sorted(statuses.items())
    }
    return operation


def _response(code: int, model: Any, headers: tuple[ResponseHeader, ...]) -> dict[str, Any]:
    response = _response_body(code, model)
    if headers:
        response["headers"] = {
            header.name: {"description": header.description, "schema": header.schema}
            for header in headers
        }
    return response


def _response_body(code: int, model: Any) -> dict[str, Any]:
    if code >= 400:
        return {
            "description": ERROR_DESCRIPTIONS.get(code, "error"),
            "content": {"application/json": {"schema": {"$ref": REF.format(model="ErrorBody")}}},
        }
    if model is None:
        return {"description": {204: "done", 304: "not modified"}.get(code, "accepted")}
    return {"description": "OK", "content": {"application/json": {"schema": _ref(model)}}}
