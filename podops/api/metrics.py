"""`GET /metrics` for Prometheus. Every request is measured by the request ledger
(`podops.api.request_ledger`).

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

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from podops import metrics
from podops.api.context import context_of
from podops.api.docs import documented
from podops.api.responses import error_response


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
    # This process's requests not yet written go in first: a scrape sees at least its own.
    request.app.state.request_ledger.flush()
    # Reading every process's files and asking the database for the queue depth both block.
    body = await run_in_threadpool(metrics.exposition, context.database)
    return Response(body, media_type=metrics.CONTENT_TYPE)


routes = [Route("/metrics", prometheus_metrics, methods=["GET"])]
