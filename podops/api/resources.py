"""`/a/v1/resource/{prod}/{kind}[/{id}]`: shows, episodes and assets of a production.

`prod` and `id` are names or GUIDs. GET answers with the document and its ETag (and 304 for a
matching `If-None-Match`); PUT and DELETE honour `If-Match`; POST honours `Idempotency-Key`.
Bodies are JSON or YAML documents in PodOps' envelope.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from podops.api.auth import principal_of, requires
from podops.api.bodies import read_data, validation_failed
from podops.api.context import context_of, in_connection, in_session
from podops.api.docs import DOCUMENT_TYPES, QueryParameter, ResponseHeader, documented
from podops.api.idempotent import IDEMPOTENCY_KEY, idempotent_create
from podops.api.pagination import CURSOR, LIMIT, query_choice, query_limit
from podops.api.routing import path_for
from podops.auth import Scope
from podops.errors import BadRequestError
from podops.imports.start import start_reference_imports
from podops.models import Production, Resource
from podops.names import (
    InvalidKindError,
    Kind,
    check_name,
    is_guid,
    is_name,
    parse_kind,
    parse_list_kind,
)
from podops.publish import preflight
from podops.resources import AnyDocument, ResourceDocument, check_kind_matches, parse_resource
from podops.services import productions, reading
from podops.services import resources as service
from podops.services.idempotency import StoredResponse

RESOURCE_PATH = "/resource/{prod}/{kind}/{id}"
IF_MATCH = QueryParameter("If-Match", {"type": "string"}, "the ETag the change is based on")
LABEL = QueryParameter(
    "label",
    {"type": "array", "items": {"type": "string", "maxLength": 320}, "maxItems": 8},
    "key:value; repeat to require several labels",
)


class ResourceList(BaseModel):
    resources: list[ResourceDocument]
    next_cursor: str | None


def _production_key(request: Request) -> str:
    key: str = request.path_params["prod"]
    if not (is_name(key) or is_guid(key)):
        raise BadRequestError(
            f"prod: {_why_not_name(key)}", code="podops.request.invalid_name", field="prod"
        )
    return key


def _resource_key(request: Request) -> str:
    key: str = request.path_params["id"]
    if not (is_name(key) or is_guid(key)):
        raise BadRequestError(
            f"id: {_why_not_name(key)}", code="podops.request.invalid_name", field="id"
        )
    return key


def _why_not_name(value: str) -> str:
    try:
        check_name(value)
    except ValueError as error:
        return str(error)
    return "not a name"  # pragma: no cover — only called for values that fail


def _kind(request: Request, *, listing: bool = False) -> Kind | None:
    raw: str = request.path_params["kind"]
    try:
        return parse_list_kind(raw) if listing else parse_kind(raw)
    except InvalidKindError as error:
        raise BadRequestError(
            str(error), code="podops.resource.invalid_kind", field="kind"
        ) from None


def _document(data: object, kind: Kind) -> AnyDocument:
    try:
        document = parse_resource(data)
        check_kind_matches(kind.value, document)
    except ValidationError as error:
        raise validation_failed(error) from None
    return document


def _labels(request: Request) -> dict[str, str]:
    labels: dict[str, str] = {}
    for raw in request.query_params.getlist("label")[:9]:
        key, sep, value = raw.partition(":")
        if not sep or not key or len(key) > 63 or len(value) > 255:
            raise BadRequestError("label must be key:value", field="label")
        labels[key] = value
    if len(labels) > 8:
        raise BadRequestError("at most 8 labels", field="label")
    return labels


# What a build would find in a show or episode just written (`podops.publish.preflight`).
BUILD_WARNING = ResponseHeader(
    "Warning",
    "Only when a build would find something in the written show or episode now: one "
    'RFC 7234 warning-value each, `199 podops "<severity> <code> at <path>: <message>"`, '
    "comma-separated (at most 20, then one saying how many more). Absent for an asset.",
)
ENTITY_TAG = ResponseHeader("ETag", "The stored document's strong entity tag, for If-Match.")
CREATED_AT = ResponseHeader("Location", "The path of the resource created.")


def _with_etag(resource: Resource, status: int = 200) -> JSONResponse:
    return JSONResponse(resource.document, status_code=status, headers={"ETag": resource.etag})


def _build_warnings(
    session: Session, production: Production, resource: Resource, request: Request
) -> dict[str, str]:
    """A `Warning` header naming what a build would find in the written document now."""
    return preflight.warning_headers(
        session, production, resource, base_url=context_of(request).settings.base_url
    )


def _owned_production(session: Session, request: Request) -> Production:
    return productions.get_production(session, principal_of(request), _production_key(request))


@documented(
    "Resources of a production (kind may be all), newest first unless order=asc",
    responses={200: ResourceList},
    query=(
        LIMIT,
        CURSOR,
        QueryParameter("order", {"type": "string", "enum": ["desc", "asc"]}, "by date"),
        LABEL,
    ),
)
@requires(Scope.RESOURCE_READ)
async def list_resources(request: Request) -> Response:
    kind = _kind(request, listing=True)
    limit = query_limit(request)
    order = query_choice(request, "order", ("desc", "asc"), "desc")
    raw_cursor = request.query_params.get("cursor")
    cursor = service.decode_cursor(raw_cursor) if raw_cursor is not None else None
    labels = _labels(request)

    page = await in_connection(
        request,
        reading.read_page,
        principal_of(request),
        _production_key(request),
        kind=kind,
        limit=limit,
        cursor=cursor,
        order="asc" if order == "asc" else "desc",
        labels=labels,
    )
    return Response(page, media_type="application/json")


@documented("One resource, by name or GUID", responses={200: ResourceDocument, 304: None})
@requires(Scope.RESOURCE_READ)
async def get_resource(request: Request) -> Response:
    kind, key = _kind(request), _resource_key(request)
    assert kind is not None

    stored = await in_connection(
        request, reading.read_resource, principal_of(request), _production_key(request), kind, key
    )
    if_none_match = request.headers.get("if-none-match", "")
    if stored.etag in [tag.strip() for tag in if_none_match.split(",")]:
        return Response(status_code=304, headers={"ETag": stored.etag})
    # The document as stored: it was validated when written.
    return Response(stored.json, media_type="application/json", headers={"ETag": stored.etag})


@documented(
    "Create a resource; its metadata.name must be the path's id (400 if not)",
    body=ResourceDocument,
    media_types=DOCUMENT_TYPES,
    responses={201: ResourceDocument, 409: None},
    headers=(IDEMPOTENCY_KEY,),
    response_headers={201: (ENTITY_TAG, CREATED_AT, BUILD_WARNING)},
)
@requires(Scope.RESOURCE_WRITE)
async def create_resource(request: Request) -> Response:
    kind, name = _kind(request), _resource_key(request)
    assert kind is not None
    document = _document(await read_data(request, yaml_allowed=True), kind)

    def create(session: Session) -> StoredResponse:
        production = _owned_production(session, request)
        resource = service.create_resource(
            session,
            production,
            document,
            path_name=name,
            base_url=context_of(request).settings.base_url,
        )
        location = path_for(
            request, "get_resource", prod=production.name, kind=kind.value, id=resource.name
        )
        headers = {"ETag": resource.etag, "Location": location}
        headers |= _build_warnings(session, production, resource, request)
        return StoredResponse(201, resource.document, headers)

    response = await idempotent_create(request, create)
    if response.status_code == 201 and "idempotent-replayed" not in response.headers:
        await _start_imports(request, json.loads(bytes(response.body)), response)
    return response


async def _start_imports(request: Request, document: dict[str, Any], response: Response) -> None:
    """Start the imports the document's `rel: import` references ask for, after the commit;
    each operation is linked from the response (`Link: <…>; rel="import"`)."""
    if not any(
        isinstance(document.get(field), dict) and document[field].get("rel") == "import"
        for field in ("image", "enclosure")
    ):
        return
    production = await in_session(request, _owned_production, request)
    started = await run_in_threadpool(
        start_reference_imports,
        context_of(request),
        production,
        document,
        document["metadata"]["guid"],
        owner=principal_of(request).user_id,
    )
    links = [
        f'<{path_for(request, "operation", operation_id=operation.id)}>; rel="import"'
        for operation in started
    ]
    response.headers["Link"] = ", ".join(links)


@documented(
    "Replace a resource's document (by name or GUID); metadata.name must not change (400)",
    body=ResourceDocument,
    media_types=DOCUMENT_TYPES,
    responses={200: ResourceDocument, 412: None},
    headers=(IF_MATCH,),
    response_headers={200: (ENTITY_TAG, BUILD_WARNING)},
)
@requires(Scope.RESOURCE_WRITE)
async def replace_resource(request: Request) -> Response:
    kind, key = _kind(request), _resource_key(request)
    assert kind is not None
    document = _document(await read_data(request, yaml_allowed=True), kind)

    def replace(session: Session) -> tuple[Resource, dict[str, str]]:
        production = _owned_production(session, request)
        resource = service.replace_resource(
            session,
            production,
            kind,
            key,
            document,
            if_match=request.headers.get("if-match"),
            base_url=context_of(request).settings.base_url,
        )
        return resource, _build_warnings(session, production, resource, request)

    resource, warnings = await in_session(request, replace)
    response = _with_etag(resource)
    response.headers.update(warnings)
    await _start_imports(request, json.loads(bytes(response.body)), response)
    return response


@documented(
    "Delete a resource (a show only once its episodes are gone)",
    responses={204: None, 409: None, 412: None},
    headers=(IF_MATCH,),
)
@requires(Scope.RESOURCE_WRITE)
async def delete_resource(request: Request) -> Response:
    kind, key = _kind(request), _resource_key(request)
    assert kind is not None

    def remove(session: Session) -> None:
        service.delete_resource(
            session,
            _owned_production(session, request),
            kind,
            key,
            if_match=request.headers.get("if-match"),
        )

    await in_session(request, remove)
    return Response(status_code=204)


# Under /a/v1.
routes = [
    Route("/resource/{prod}/{kind}", list_resources, methods=["GET"]),
    Route(RESOURCE_PATH, get_resource, methods=["GET"]),
    Route(RESOURCE_PATH, create_resource, methods=["POST"]),
    Route(RESOURCE_PATH, replace_resource, methods=["PUT"]),
    Route(RESOURCE_PATH, delete_resource, methods=["DELETE"]),
]
