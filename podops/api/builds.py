"""`POST /a/v1/build`: start a feed build (or, with `?validate=true`, a dry run)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from podops.api.auth import principal_of, requires
from podops.api.bodies import read_json
from podops.api.context import context_of, in_session
from podops.api.docs import QueryParameter, documented
from podops.api.operations import OperationOut, accepted
from podops.auth import Scope
from podops.errors import BadRequestError
from podops.jobs import BuildJob, ValidateJob
from podops.services import productions


class BuildRequest(BaseModel):
    """Which production to build. `force` lets a build drop a published episode or change its
    enclosure URL, which the GUID guard otherwise refuses."""

    model_config = ConfigDict(extra="forbid")

    guid: str = Field(min_length=8, max_length=44, description="production GUID or name")
    force: bool = False


def _validate_only(request: Request) -> bool:
    values = [request.query_params.get(name) for name in ("validate", "v")]
    for value in values:
        if value not in (None, "true", "false", "1", "0"):
            raise BadRequestError("validate must be true or false", field="validate")
    return any(value in ("true", "1") for value in values)


@documented(
    "Build and publish a production's feed (202 with the operation to poll); "
    "?validate=true (or ?v=true) checks everything and publishes nothing",
    body=BuildRequest,
    responses={202: OperationOut, 404: None},
    query=(
        QueryParameter("validate", {"type": "boolean"}, "dry run: the lint report, no publish"),
        QueryParameter("v", {"type": "boolean"}, "PodOps' name for validate"),
    ),
    tag="build",
)
@requires(Scope.PRODUCTION_BUILD)
async def start_build(request: Request) -> Response:
    validate = _validate_only(request)
    body = await read_json(request, BuildRequest)
    context, principal = context_of(request), principal_of(request)

    production = await in_session(request, productions.get_production, principal, body.guid)
    job = (ValidateJob if validate else BuildJob)(production=production.guid, force=body.force)
    operation, _created = await run_in_threadpool(
        context.jobs.start_unless_busy, job, production=production.guid, owner=principal.user_id
    )
    return accepted(request, operation)


# Under /a/v1.
routes = [Route("/build", start_build, methods=["POST"])]
