"""Importing media from a URL: `POST /a/v1/import/asset` (owners), `POST /_t/import` (admin).

Both answer 202 with the operation a worker carries out (download safely, probe, store once).
Documents with `rel: import` references start the same operations themselves
(`podops.imports.start`).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from podops.api.auth import principal_of, requires
from podops.api.bodies import read_json
from podops.api.context import context_of, in_session
from podops.api.docs import documented
from podops.api.operations import OperationOut, accepted
from podops.auth import Scope
from podops.errors import BadRequestError, NotFoundError
from podops.imports.start import feed_import_job, start_asset_import
from podops.services import productions


class AssetImportRequest(BaseModel):
    """A media file to fetch into a production."""

    model_config = ConfigDict(extra="forbid")

    production: str = Field(min_length=8, max_length=44, description="GUID or name")
    url: str = Field(min_length=8, max_length=2048, pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://\S+$")
    name: str | None = Field(default=None, pattern=r"^[a-z0-9_-]{8,44}$")


async def _start(request: Request) -> Response:
    body = await read_json(request, AssetImportRequest)
    context, principal = context_of(request), principal_of(request)

    production = await in_session(request, productions.get_production, principal, body.production)
    operation = await run_in_threadpool(
        start_asset_import,
        context,
        production.guid,
        body.url,
        owner=principal.user_id,
        name=body.name,
    )
    return accepted(request, operation)


@documented(
    "Import a media file from a URL into a production (202 with the operation)",
    body=AssetImportRequest,
    responses={202: OperationOut, 404: None},
    tag="import",
)
@requires(Scope.RESOURCE_WRITE)
async def import_asset(request: Request) -> Response:
    return await _start(request)


@documented(
    "Internal: background asset import (admin)",
    body=AssetImportRequest,
    responses={202: OperationOut, 404: None},
    tag="import",
)
@requires(Scope.ADMIN, whole_service=True)
async def internal_import(request: Request) -> Response:
    return await _start(request)


class FeedImportRequest(BaseModel):
    """A podcast to move into podops, from its feed's URL or the feed itself."""

    # Exactly one of url and xml, said in the schema too, so that a client generated from it
    # (or schemathesis) does not send a body the handler refuses.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {"required": ["url"], "properties": {"url": {"type": "string"}}},
                {"required": ["xml"], "properties": {"xml": {"type": "string"}}},
            ]
        },
    )

    name: str = Field(pattern=r"^[a-z0-9_-]{8,44}$", description="the production to import into")
    url: str | None = Field(default=None, max_length=2048, pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://\S+$")
    xml: str | None = Field(
        default=None, min_length=1, description="the feed itself, instead of its URL"
    )
    import_media: bool = Field(default=False, description="copy media instead of linking it")


@documented(
    "Import a podcast from its existing feed into a production (created if new)",
    body=FeedImportRequest,
    responses={202: OperationOut, 409: None},
    tag="import",
)
@requires(Scope.PRODUCTION_WRITE)
async def import_feed(request: Request) -> Response:
    body = await read_json(request, FeedImportRequest)
    if (body.url is None) == (body.xml is None):
        raise BadRequestError("send either url or xml", code="podops.import.source", field="url")
    context, principal = context_of(request), principal_of(request)
    if principal.production is not None and principal.production != body.name:
        raise NotFoundError(f"no production {body.name}", code="podops.production.not_found")

    job = await in_session(
        request,
        feed_import_job,
        body.name,
        owner=principal.user_id,
        url=body.url,
        xml=body.xml,
        import_media=body.import_media,
    )
    operation = await run_in_threadpool(context.jobs.start, job, owner=principal.user_id)
    return accepted(request, operation)


# Under /a/v1.
routes = [
    Route("/import/asset", import_asset, methods=["POST"]),
    Route("/import/feed", import_feed, methods=["POST"]),
]
# Under /_t.
internal_routes = [Route("/import", internal_import, methods=["POST"])]
