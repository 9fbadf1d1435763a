"""`GET /a/v1/productions`, `POST /a/v1/production`, and one production's read, delete and
rename (`podops.services.production_changes` says what those keep and what they remove)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from podops.api.auth import principal_of, requires
from podops.api.bodies import read_json
from podops.api.context import context_of, in_session
from podops.api.docs import DOCUMENT_TYPES, QueryParameter, documented
from podops.api.idempotent import IDEMPOTENCY_KEY, idempotent_create
from podops.api.pagination import CURSOR, LIMIT, query_limit
from podops.api.routing import path_for
from podops.auth import Scope
from podops.errors import BadRequestError
from podops.names import NAME_PATTERN, is_guid, is_name
from podops.resources import Production, ProductionCreate
from podops.services import production_changes, productions
from podops.services.idempotency import StoredResponse


class RenameRequest(BaseModel):
    """A production's new name; its GUID and feed URL stay."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=f"^{NAME_PATTERN}$", description="8 to 44 of a-z 0-9 - _")


class ProductionRenamed(BaseModel):
    production: Production
    previous_name: str
    tokens_revoked: int


class ProductionDeleted(BaseModel):
    guid: str
    name: str
    resources: int
    objects_removed: int
    tokens_revoked: int


CONFIRM = QueryParameter(
    "confirm",
    {"type": "string", "maxLength": 44},
    "the production's name, repeated: a delete is never implied",
    required=True,
)
FORCE = QueryParameter(
    "force",
    {"type": "string", "enum": ["true", "false"], "default": "false"},
    "delete even though a feed is published (its subscribers get 404)",
)


class ProductionList(BaseModel):
    productions: list[Production]
    next_cursor: str | None


@documented(
    "The caller's productions (an admin's: all), by name",
    responses={200: ProductionList},
    query=(LIMIT, QueryParameter("cursor", CURSOR.schema, "the name to continue after")),
)
@requires(Scope.PRODUCTION_READ)
async def list_productions(request: Request) -> Response:
    limit = query_limit(request)
    after = request.query_params.get("cursor")
    if after is not None and not is_name(after):
        raise BadRequestError(
            "cursor is not one this service handed out",
            code="podops.request.invalid_cursor",
            field="cursor",
        )
    rows = await in_session(
        request, productions.list_productions, principal_of(request), limit=limit + 1, after=after
    )
    page = rows[:limit]
    return JSONResponse(
        {
            "productions": [productions.to_model(row).model_dump(mode="json") for row in page],
            "next_cursor": page[-1].name if len(rows) > limit else None,
        }
    )


@documented(
    "Create a production (names are unique across the service)",
    body=ProductionCreate,
    media_types=DOCUMENT_TYPES,
    responses={201: Production, 409: None},
    headers=(IDEMPOTENCY_KEY,),
)
@requires(Scope.PRODUCTION_WRITE)
async def create_production(request: Request) -> Response:
    body = await read_json(request, ProductionCreate, yaml_allowed=True)
    principal = principal_of(request)

    def create(session: Session) -> StoredResponse:
        production = productions.create_production(session, principal, body)
        return StoredResponse(
            201,
            productions.to_model(production).model_dump(mode="json"),
            {"Location": path_for(request, "get_production", prod=production.name)},
        )

    return await idempotent_create(request, create)


@documented("One production, by name or GUID", responses={200: Production, 404: None})
@requires(Scope.PRODUCTION_READ)
async def get_production(request: Request) -> Response:
    key = request.path_params["prod"]
    production = await in_session(request, productions.get_production, principal_of(request), key)
    return JSONResponse(productions.to_model(production).model_dump(mode="json"))


def _production_key(request: Request) -> str:
    key: str = request.path_params["prod"]
    if not (is_name(key) or is_guid(key)):
        raise BadRequestError(
            "prod must be a production's name or GUID",
            code="podops.request.invalid_name",
            field="prod",
        )
    return key


@documented(
    "Delete a production, its resources and its stored feeds and media (confirm=its name); "
    "refused while its work is Busy, or while a feed is published unless force=true",
    responses={200: ProductionDeleted, 404: None, 409: None},
    query=(CONFIRM, FORCE),
)
@requires(Scope.PRODUCTION_WRITE)
async def delete_production(request: Request) -> Response:
    key = _production_key(request)
    force = request.query_params.get("force", "false")
    if force not in ("true", "false"):
        raise BadRequestError("force must be true or false", field="force")
    context = context_of(request)
    deleted = await in_session(
        request,
        production_changes.delete_production,
        principal_of(request),
        key,
        confirm=request.query_params.get("confirm"),
        force=force == "true",
        revocations=context.authenticator.revocations,
    )
    # After the commit: a failure here leaves objects no row refers to, never rows without
    # their objects.
    removed = await run_in_threadpool(
        production_changes.remove_objects, context.storage, deleted.guid
    )
    return JSONResponse(
        ProductionDeleted(
            guid=deleted.guid,
            name=deleted.name,
            resources=deleted.resources,
            objects_removed=removed,
            tokens_revoked=deleted.tokens_revoked,
        ).model_dump(mode="json")
    )


@documented(
    "Rename a production: its GUID and feed URL stay, /s/{old name}/ stops answering, tokens "
    "restricted to the old name are revoked",
    body=RenameRequest,
    responses={200: ProductionRenamed, 403: None, 404: None, 409: None},
)
@requires(Scope.PRODUCTION_WRITE)
async def rename_production(request: Request) -> Response:
    key = _production_key(request)
    body = await read_json(request, RenameRequest)
    context = context_of(request)

    def rename(session: Session) -> tuple[Production, str, int]:
        previous = productions.get_production(session, principal_of(request), key).name
        production, revoked = production_changes.rename_production(
            session,
            principal_of(request),
            key,
            body.name,
            revocations=context.authenticator.revocations,
        )
        return productions.to_model(production), previous, revoked

    production, previous, revoked = await in_session(request, rename)
    return JSONResponse(
        ProductionRenamed(
            production=production, previous_name=previous, tokens_revoked=revoked
        ).model_dump(mode="json"),
        headers={"Location": path_for(request, "get_production", prod=production.name)},
    )


# Under /a/v1.
routes = [
    Route("/productions", list_productions, methods=["GET"]),
    Route("/production", create_production, methods=["POST"]),
    Route("/production/{prod}", get_production, methods=["GET"]),
    Route("/production/{prod}", delete_production, methods=["DELETE"]),
    Route("/production/{prod}/rename", rename_production, methods=["POST"]),
]
