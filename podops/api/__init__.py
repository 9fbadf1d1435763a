"""The Starlette application, assembled in one place by `create_app(settings)`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from podops.api import (
    auth,
    builds,
    delivery,
    health,
    imports,
    operations,
    productions,
    resources,
    uploads,
)
from podops.api.errors import EXCEPTION_HANDLERS
from podops.api.middleware import BodyLimitMiddleware, RequestLogMiddleware
from podops.api.openapi import build_openapi
from podops.api.routing import Prefix
from podops.runtime import Runtime
from podops.settings import Settings

API = "/a/v1"  # producers' API
TOKENS = "/_a"  # tokens and keys
INTERNAL = "/_t"  # admin-only internals
# Uploads stream large bodies and enforce their own limit.
UPLOAD_PREFIXES = (f"{API}/upload/",)

ROUTES = [
    *health.routes,
    Prefix(TOKENS, auth.routes),
    Prefix(
        API,
        [
            *operations.routes,
            *productions.routes,
            *resources.routes,
            *uploads.routes,
            *builds.routes,
            *imports.routes,
        ],
    ),
    Prefix(INTERNAL, [*operations.internal_routes, *imports.internal_routes]),
    *delivery.routes,  # public, for podcatchers: /m/…, /f/…, /s/…
]
OPENAPI = build_openapi(ROUTES)


async def openapi_document(_request: Request) -> Response:
    return JSONResponse(OPENAPI)


def create_app(settings: Settings) -> Starlette:
    """A podops API for `settings`. The database schema must be current (`podops db upgrade`)."""
    context = Runtime.build(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await context.aclose()

    app = Starlette(
        routes=[*ROUTES, Route("/api-spec/v1", openapi_document, methods=["GET"])],
        middleware=[
            # Request ids, rate-limit headers and the log line, in one layer.
            Middleware(RequestLogMiddleware),
            Middleware(
                BodyLimitMiddleware,
                max_bytes=settings.max_body_bytes,
                exempt_prefixes=UPLOAD_PREFIXES,
            ),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.context = context
    return app
