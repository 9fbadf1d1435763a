"""`GET /a/v1/productions` and `POST /a/v1/production`."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from podops.api.auth import principal_of, requires
from podops.api.bodies import read_json
from podops.api.context import in_session
from podops.api.docs import DOCUMENT_TYPES, QueryParameter, documented
from podops.api.idempotent import IDEMPOTENCY_KEY, idempotent_create
from podops.api.pagination import CURSOR, LIMIT, query_limit
from podops.api.routing import path_for
from podops.auth import Scope
from podops.errors import BadRequestError
from podops.names import is_name
from podops.resources import Production, ProductionCreate
from podops.services import productions
from podops.services.idempotency import StoredResponse


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


# Under /a/v1.
routes = [
    Route("/productions", list_productions, methods=["GET"]),
    Route("/production", create_production, methods=["POST"]),
    Route("/production/{prod}", get_production, methods=["GET"]),
]
