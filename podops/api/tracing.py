"""A server span per API request, when tracing is on (`podops.tracing`).

A layer of its own, outside `RequestMiddleware`, that `create_app` adds only when a `Tracing`
is configured: a process that does not trace pays nothing for it, not even a test per
request, and never imports OpenTelemetry. The span is named by the route template
(`POST /a/v1/resource/{prod}/{kind}/{id}`), never the raw path, so a trace backend groups
requests as the metrics do; a client's W3C `traceparent` is continued, an invalid one ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from podops.api.routing import walk
from podops.tracing import TRACE_HEADERS

if TYPE_CHECKING:
    from podops.tracing import Tracing

_TRACE_HEADER_NAMES = frozenset(name.encode() for name in TRACE_HEADERS)


class TracingMiddleware:
    """Wraps each HTTP request in a server span with the HTTP semantic conventions' names:
    `http.request.method`, `http.route`, `http.response.status_code`, `url.path`; and
    `podops.request_id`, the `X-Request-ID` the answer carries."""

    def __init__(self, app: ASGIApp, *, routes: Sequence[BaseRoute], tracing: Tracing) -> None:
        self.app = app
        self.tracing = tracing
        # As the metrics find it: the router leaves the route it matched in the scope.
        self._templates = {id(route): path for path, route in walk(routes)}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from podops.tracing._sdk import fail

        method = scope["method"]
        parent = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope["headers"]
            if name in _TRACE_HEADER_NAMES
        }
        attributes = {"http.request.method": method, "url.path": scope["path"]}
        status = 500  # unless a response starts: what the server answers for an exception

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        with self.tracing.span(method, role="server", attributes=attributes, parent=parent) as span:
            try:
                await self.app(scope, receive, send_status)
            finally:
                route = self._templates.get(id(scope.get("route")))
                if route is not None:
                    span.update_name(f"{method} {route}")
                    span.set_attribute("http.route", route)
                span.set_attribute("http.response.status_code", status)
                request_id = scope.get("state", {}).get("request_id")
                if request_id:
                    span.set_attribute("podops.request_id", request_id)
                if status >= 500:
                    fail(span, str(status))
