"""The Starlette application, assembled in one place by `create_app(settings)`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from podops.api import (
    auth,
    builds,
    bulk,
    delivery,
    direct_uploads,
    health,
    imports,
    metrics,
    operations,
    private_feeds,
    productions,
    resources,
    show_page,
    stats,
    subscribers,
    uploads,
    webhooks,
)
from podops.api.errors import EXCEPTION_HANDLERS
from podops.api.middleware import BodyLimits, BodyRate, RequestMiddleware
from podops.api.openapi import build_openapi
from podops.api.reference import reference_endpoint
from podops.api.request_ledger import RequestLedger
from podops.api.routing import Prefix
from podops.api.tracing import TracingMiddleware
from podops.metrics import enable_metrics
from podops.runtime import Runtime
from podops.settings import Settings
from podops.upload_slots import make_upload_slots
from podops.uploads import remove_abandoned_parts

API = "/a/v1"  # producers' API
TOKENS = "/_a"  # tokens and keys
INTERNAL = "/_t"  # admin-only internals
# Uploads stream large bodies and enforce their own limit.
UPLOAD_PREFIXES = (f"{API}/upload/",)

ROUTES = [
    *health.routes,
    *metrics.routes,
    Prefix(TOKENS, auth.routes),
    Prefix(
        API,
        [
            *operations.routes,
            *productions.routes,
            *resources.routes,
            *bulk.routes,
            *uploads.routes,
            *direct_uploads.routes,
            *builds.routes,
            *imports.routes,
            *webhooks.routes,
            *subscribers.routes,
            *stats.routes,
        ],
    ),
    Prefix(INTERNAL, [*operations.internal_routes, *imports.internal_routes]),
    *delivery.routes,  # public, for podcatchers: /m/…, /f/…, /s/…
    *show_page.routes,  # public, for people: /s/{name}/ and the feeds' stylesheet
    *private_feeds.routes,  # for subscribers, by secret or signed URL: /p/…
]
OPENAPI = build_openapi(ROUTES)
api_reference = reference_endpoint(OPENAPI)


async def openapi_document(_request: Request) -> Response:
    return JSONResponse(OPENAPI)


def create_app(settings: Settings) -> Starlette:
    """A podops API for `settings`. The database schema must be current (`podops db upgrade`)."""
    enable_metrics(settings)
    context = Runtime.build(settings)
    upload_slots = make_upload_slots(settings.max_uploads_per_user, settings.broker_url)
    # How slowly any request body may arrive (408 below it).
    body_rate = BodyRate(settings.body_grace_seconds, settings.body_min_rate)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # What a process killed mid-upload left: no live process holds it.
        await run_in_threadpool(
            remove_abandoned_parts, settings.upload_dir, idle_for=0, pattern="upload-*.part"
        )
        try:
            yield
        finally:
            ledger.flush()
            await upload_slots.close()
            await context.aclose()

    routes = [
        *ROUTES,
        Route("/api-spec/v1", openapi_document, methods=["GET"]),
        Route("/docs", api_reference, methods=["GET"]),
    ]
    ledger = RequestLedger(routes)
    # Outermost, and only when traces are exported: otherwise no request pays for it.
    tracing = (
        [Middleware(TracingMiddleware, routes=routes, tracing=context.tracing)]
        if context.tracing is not None
        else []
    )
    app = Starlette(
        routes=routes,
        middleware=[
            *tracing,
            # Refusals, body limits, request ids, rate-limit headers, metrics and the log
            # line, in one layer: a layer a concern would cost every request a call each.
            Middleware(
                RequestMiddleware,
                ledger=ledger,
                limits=BodyLimits(
                    max_bytes=settings.max_body_bytes,
                    exempt_prefixes=UPLOAD_PREFIXES,
                    rate=body_rate,
                ),
            ),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.context = context
    app.state.upload_slots = upload_slots
    app.state.request_ledger = ledger
    return app
