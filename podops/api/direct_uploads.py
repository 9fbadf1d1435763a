"""`POST /a/v1/direct-upload/{prod}` and `…/complete`: media put in the store by the client.

The plan (presigned URLs) and the completion that starts the worker's operation; how it works
and why no table keeps the session is in `podops.direct_uploads`. A store that hands out no
presigned URLs (local storage) answers 409 `podops.upload.direct_unavailable`: the client
uploads through `POST /a/v1/upload/{prod}` instead, which is just as direct there — the API
process writes the file where it is kept.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from podops.api.auth import principal_of, requires
from podops.api.bodies import read_json
from podops.api.context import context_of, in_session
from podops.api.docs import documented
from podops.api.operations import OperationOut, accepted
from podops.api.routing import path_for
from podops.auth import Scope
from podops.direct_uploads import (
    DirectUploadRequest,
    UploadCompletion,
    UploadPlan,
    finish_upload,
    plan_upload,
)
from podops.errors import ConflictError
from podops.jobs import DirectUploadJob
from podops.services import productions
from podops.storage import DirectUploads, Storage


def _direct(storage: Storage, production: str) -> DirectUploads:
    if not isinstance(storage, DirectUploads):
        raise ConflictError(
            "this server keeps media where it runs and takes uploads through "
            f"POST /a/v1/upload/{production}; direct uploads need S3 storage",
            code="podops.upload.direct_unavailable",
        )
    return storage


@documented(
    "Start a direct upload: presigned URLs to PUT the file to the store itself",
    body=DirectUploadRequest,
    responses={201: UploadPlan, 404: None, 409: None, 413: None},
    tag="media",
)
@requires(Scope.RESOURCE_WRITE)
async def start_direct_upload(request: Request) -> Response:
    context, principal = context_of(request), principal_of(request)
    key = request.path_params["prod"]
    production = await in_session(request, productions.get_production, principal, key)
    storage = _direct(context.storage, key)
    body = await read_json(request, DirectUploadRequest)
    plan = await run_in_threadpool(
        plan_upload,
        storage,
        production.guid,
        body,
        max_bytes=context.settings.max_upload_bytes,
    )
    plan.complete_path = path_for(request, "complete_direct_upload", prod=key)
    return JSONResponse(plan.model_dump(mode="json", exclude_none=True), status_code=201)


@documented(
    "Complete a direct upload (the plan's `complete` body): a worker checks, probes and "
    "stores it as an asset (202 with the operation)",
    body=UploadCompletion,
    responses={202: OperationOut, 404: None, 409: None},
    tag="media",
)
@requires(Scope.RESOURCE_WRITE)
async def complete_direct_upload(request: Request) -> Response:
    context, principal = context_of(request), principal_of(request)
    key = request.path_params["prod"]
    production = await in_session(request, productions.get_production, principal, key)
    storage = _direct(context.storage, key)
    body = await read_json(request, UploadCompletion)
    await run_in_threadpool(finish_upload, storage, production.guid, body)
    job = DirectUploadJob(
        production=production.guid,
        **body.model_dump(exclude={"multipart"}),
    )
    operation = await run_in_threadpool(
        context.jobs.start, job, production=production.guid, owner=principal.user_id
    )
    return accepted(request, operation)


# Under /a/v1.
routes = [
    Route("/direct-upload/{prod}", start_direct_upload, methods=["POST"]),
    Route("/direct-upload/{prod}/complete", complete_direct_upload, methods=["POST"]),
]
