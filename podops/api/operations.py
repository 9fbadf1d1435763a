"""`GET /a/v1/operations` (a filtered list), `GET /a/v1/operations/{id}`, and the internal
echo operation `POST /_t/ping`."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from podops import operations
from podops.api.auth import principal_of, requires
from podops.api.bodies import read_json
from podops.api.context import context_of, in_session
from podops.api.docs import QueryParameter, documented
from podops.api.pagination import CURSOR, LIMIT, query_cursor, query_limit
from podops.auth import Scope
from podops.errors import BadRequestError
from podops.jobs import PingJob
from podops.jobs.kinds import JOB_KINDS
from podops.models import Operation, OperationStatus
from podops.names import is_guid, is_name
from podops.services import operations as operation_service
from podops.services.paging import TimeKeyCursor

_OPERATION_ID = re.compile(r"[0-9a-f]{32}")


class ProgressOut(BaseModel):
    """How far a long run has come, as its worker last said (about once a second)."""

    stage: str  # "download" for an import; "media" for a feed import awaiting its media
    done: int
    total: int | None  # None: not known in advance (no Content-Length, say)
    unit: Literal["bytes", "operations"]


class OperationOut(BaseModel):
    """Background work: Busy until it ends Success (with a result) or Failed (with an error)."""

    id: str
    kind: str
    production: str | None
    status: Literal["Busy", "Success", "Failed"]
    result: dict[str, Any] | None
    error: dict[str, Any] | None
    progress: ProgressOut | None
    attempts: int
    created: int
    updated: int
    started: int | None
    finished: int | None


class OperationList(BaseModel):
    operations: list[OperationOut]
    next_cursor: str | None


STATES = tuple(status.value for status in OperationStatus)
KINDS = tuple(sorted(JOB_KINDS))


class PingRequest(BaseModel):
    """An echo through the whole background path: API → broker → worker → database."""

    model_config = ConfigDict(extra="forbid")

    message: str = Field(default="ping", max_length=1000)
    delay: float = Field(
        default=0, ge=0, le=60, strict=True, description="seconds the worker waits"
    )


def accepted(request: Request, operation: Operation) -> Response:
    """202 with `Location` pointing at the operation to poll."""
    location = str(request.url_for("operation", operation_id=operation.id).path)
    return JSONResponse(
        operations.to_json(operation), status_code=202, headers={"Location": location}
    )


@documented(
    "A background operation, to poll", responses={200: OperationOut, 404: None}, tag="operations"
)
@requires(Scope.PRODUCTION_READ)
async def get_operation(request: Request) -> Response:
    operation_id = request.path_params["operation_id"]
    if not _OPERATION_ID.fullmatch(operation_id):
        raise BadRequestError(
            "an operation id is 32 lower-case hex characters",
            code="podops.operation.invalid_id",
            field="id",
        )
    view = await in_session(
        request, operation_service.operation_view, principal_of(request), operation_id
    )
    return JSONResponse(view)


@documented(
    "Your operations (of your productions, and those you started), newest first",
    responses={200: OperationList, 404: None},
    query=(
        LIMIT,
        CURSOR,
        QueryParameter("production", {"type": "string", "maxLength": 44}, "name or GUID"),
        QueryParameter("kind", {"type": "string", "enum": list(KINDS)}, "the job kind"),
        QueryParameter("state", {"type": "string", "enum": list(STATES)}, "Busy, Success…"),
    ),
    tag="operations",
)
@requires(Scope.PRODUCTION_READ)
async def list_operations(request: Request) -> Response:
    limit = query_limit(request)
    cursor = query_cursor(request, _OPERATION_ID)
    wanted = operation_service.OperationFilter(
        production=_production_filter(request),
        kind=_choice(request, "kind", KINDS),
        status=_choice(request, "state", STATES),
    )
    rows = await in_session(
        request,
        operation_service.list_operations,
        principal_of(request),
        wanted,
        limit=limit + 1,
        after=cursor,
    )
    page = rows[:limit]
    next_cursor = (
        TimeKeyCursor(page[-1].created_at, page[-1].id).encode() if len(rows) > limit else None
    )
    return JSONResponse(
        {"operations": [operations.to_json(row) for row in page], "next_cursor": next_cursor}
    )


def _production_filter(request: Request) -> str | None:
    key = request.query_params.get("production")
    if key is not None and not (is_name(key) or is_guid(key)):
        raise BadRequestError(
            "production must be a production's name or GUID",
            code="podops.request.invalid_name",
            field="production",
        )
    return key


def _choice(request: Request, name: str, allowed: tuple[str, ...]) -> str | None:
    value = request.query_params.get(name)
    if value is not None and value not in allowed:
        raise BadRequestError(f"{name} must be one of {', '.join(allowed)}", field=name)
    return value


@documented(
    "Internal: an echo operation through broker and worker",
    body=PingRequest,
    responses={202: OperationOut},
    tag="operations",
)
@requires(Scope.ADMIN, whole_service=True)
async def start_ping(request: Request) -> Response:
    body = await read_json(request, PingRequest)
    context = context_of(request)
    operation = await run_in_threadpool(
        context.jobs.start,
        PingJob(message=body.message, delay=body.delay),
        owner=principal_of(request).user_id,
    )
    return accepted(request, operation)


# Under /a/v1.
routes = [
    Route("/operations", list_operations, methods=["GET"]),
    Route("/operations/{operation_id}", get_operation, methods=["GET"], name="operation"),
]
# Under /_t.
internal_routes = [Route("/ping", start_ping, methods=["POST"])]
