"""`POST /a/v1/upload/{prod}`: media in, probed, stored once, described by an asset.

Multipart (the file in the field `asset`, as PodOps had it; an optional field `name`) or the
raw bytes as the body (`?name=` for the asset's name). Probing runs before the answer, so the
answer is final: 201 with the new asset, or 200 with the asset the same bytes made before.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from podops.api.auth import principal_of, requires
from podops.api.context import context_of, in_session
from podops.api.docs import QueryParameter, documented
from podops.api.routing import path_for
from podops.auth import Scope
from podops.errors import (
    ApiError,
    BadRequestError,
    BodyTooLargeError,
    UnsupportedMediaTypeError,
)
from podops.media import ProbeError, ProbeResult, Role, probe
from podops.models import Production
from podops.resources import AssetDocument
from podops.services import assets, productions
from podops.upload_slots import UploadSlots
from podops.uploads import receive
from podops.webhooks.events import asset_created

UNSUPPORTED = frozenset(
    {
        "podops.media.unsupported_type",
        "podops.media.not_an_image",
        "podops.media.type_mismatch",
        "podops.media.markup",
    }
)


class UploadResult(BaseModel):
    asset: AssetDocument
    warnings: list[str]


def _probe_failed(error: ProbeError) -> ApiError:
    """415 when the bytes are of a type we do not take (or not the type the name says),
    413 when too large to probe, 400 when they are broken."""
    if error.code in UNSUPPORTED:
        return UnsupportedMediaTypeError(error.message, code=error.code, field="asset")
    if error.code == "podops.media.too_large":
        return BodyTooLargeError(error.message, code=error.code, field="asset")
    return BadRequestError(error.message, code=error.code, field="asset")


# The two shapes `receive` takes; an empty file is refused (400), so the schema says so.
_FILE = {"type": "string", "format": "binary", "minLength": 1}
UPLOAD_BODY: dict[str, dict[str, Any]] = {
    "multipart/form-data": {
        "type": "object",
        "required": ["asset"],
        "properties": {
            "asset": _FILE,
            "name": {"type": "string", "pattern": "^[a-z0-9_-]{8,44}$"},
        },
    },
    # or the raw bytes under their own type (audio/mpeg, image/png…); the content decides
    "application/octet-stream": _FILE,
}


@documented(
    "Upload media (multipart field 'asset', or the raw body); probed and stored once",
    responses={200: UploadResult, 201: UploadResult, 408: None, 413: None, 415: None, 429: None},
    query=(
        QueryParameter(
            "name",
            {"type": "string", "pattern": "^[a-z0-9_-]{8,44}$"},
            "the asset's name; default: from the file name, else the content",
        ),
        QueryParameter(
            "role",
            {"type": "string", "enum": ["media", "artwork"]},
            "artwork adds Apple's artwork checks as warnings",
        ),
    ),
    tag="media",
    raw_body=UPLOAD_BODY,
)
@requires(Scope.RESOURCE_WRITE)
async def upload(request: Request) -> Response:
    principal = principal_of(request)
    raw_role = request.query_params.get("role", "media")
    if raw_role not in ("media", "artwork"):
        raise BadRequestError("role must be media or artwork", field="role")
    role: Role = "artwork" if raw_role == "artwork" else "media"
    key = request.path_params["prod"]

    # 404 before a single byte is read
    production = await in_session(request, productions.get_production, principal, key)
    slots: UploadSlots = request.app.state.upload_slots
    async with slots.hold(principal.user_id):
        return await _receive_and_store(request, production, role)


async def _receive_and_store(request: Request, production: Production, role: Role) -> Response:
    context, principal = context_of(request), principal_of(request)
    received = await receive(
        request, context.settings.upload_dir, context.settings.max_upload_bytes
    )
    try:
        probed: ProbeResult = await run_in_threadpool(
            probe, received.path, declared_name=received.filename, role=role
        )
    except ProbeError as error:
        received.discard()
        raise _probe_failed(error) from None
    except BaseException:
        received.discard()
        raise

    def store(session: Session) -> tuple[dict[str, Any], str, bool]:
        asset, created = assets.store_asset(
            session,
            context.storage,
            productions.get_production(session, principal, production.guid),
            received,
            probed,
            base_url=context.settings.base_url,
            public_base_url=context.settings.public_base_url,
        )
        return asset.document, asset.etag, created

    try:
        document, etag, created = await in_session(request, store)
    finally:
        received.discard()  # only releases the lock once storage took the file over
    if created:
        await run_in_threadpool(asset_created, context, production.guid, production.name, document)
    location = path_for(
        request, "get_resource", prod=production.name, kind="asset", id=document["metadata"]["name"]
    )
    return JSONResponse(
        {"asset": document, "warnings": list(probed.warnings)},
        status_code=201 if created else 200,
        headers={"Location": location, "ETag": etag},
    )


# Under /a/v1.
routes = [Route("/upload/{prod}", upload, methods=["POST"])]
