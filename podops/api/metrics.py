"""`GET /metrics` for Prometheus, and the meter that measures every request.

Requests are counted by their route template (`/a/v1/resource/{prod}/{kind}/{id}`), never by
the raw path: one series a route, however many productions there are. A path no route answers
is counted as `unmatched`.

Who may read `/metrics`: anyone who reaches it while `PODOPS_METRICS_TOKEN` is empty (the
usual Prometheus exporter; keep it off the public ingress), else only a request that sends
that token as `Authorization: Bearer …`. Not a podops access token: those expire within
`PODOPS_TOKEN_MAX_TTL`, and a scraper's credential has to last.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Scope

from podops import metrics
from podops.api.context import context_of
from podops.api.docs import documented
from podops.api.responses import error_response
from podops.api.routing import walk


class RequestMeter:
    """Counts and times every HTTP request by method, route template and status; called by the
    request middleware (`podops.api.middleware`) as each request ends."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        # The router leaves the route it matched in the scope; its template is found by
        # identity, which also tells two routes with the same path apart.
        self._templates = {id(route): path for path, route in walk(routes)}

    def record(self, scope: Scope, status: int, seconds: float) -> None:
        route = self._templates.get(id(scope.get("route")), metrics.UNMATCHED_ROUTE)
        metrics.record_request(scope["method"], route, status, seconds)


@documented("Prometheus metrics of this host's podops processes", tag="service")
async def prometheus_metrics(request: Request) -> Response:
    context = context_of(request)
    expected = context.settings.metrics_token
    if expected and not hmac.compare_digest(
        request.headers.get("authorization", "").encode(), f"Bearer {expected}".encode()
    ):
        return error_response(
            401,
            "podops.metrics.unauthorized",
            "send the metrics token (PODOPS_METRICS_TOKEN) as a bearer token",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    # Reading every process's files and asking the database for the queue depth both block.
    body = await run_in_threadpool(metrics.exposition, context.database)
    return Response(body, media_type=metrics.CONTENT_TYPE)


routes = [Route("/metrics", prometheus_metrics, methods=["GET"])]
