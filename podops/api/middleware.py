"""Pure ASGI middleware: request ids and logs, rate-limit headers, the body size limit, NUL
characters refused in paths and query strings."""

from __future__ import annotations

import logging
import re
import secrets
import time

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from podops.api.responses import error_response
from podops.errors import BodyTooLargeError
from podops.untrusted import NUL, ascii_int, nul_refused

logger = logging.getLogger("podops.request")

# A client's own request id is kept only if it cannot break a log line or a header.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestLogMiddleware:
    """Gives every request an id (`X-Request-ID`) and logs one line when it ends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = Headers(scope=scope).get("x-request-id", "")
        request_id = offered if _REQUEST_ID.fullmatch(offered) else secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            logger.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "request_id": request_id,
                },
            )


class BodyLimitMiddleware:
    """Refuses request bodies over `max_bytes`: at once by Content-Length, else while reading.

    Paths under `exempt_prefixes` (uploads) enforce their own, larger limit.
    """

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, exempt_prefixes: tuple[str, ...] = ()
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exempt_prefixes = exempt_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt_prefixes):
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            length = ascii_int(declared, max_digits=18)
            if length is None:
                response = error_response(
                    400, "podops.request.bad_content_length", "Content-Length is not a number"
                )
                await response(scope, receive, send)
                return
            if length > self.max_bytes:
                response = error_response(
                    413, BodyTooLargeError.code, self._message(), headers={"Connection": "close"}
                )
                await response(scope, receive, send)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLargeError(self._message())
            return message

        await self.app(scope, limited_receive, send)

    def _message(self) -> str:
        return f"request body is larger than {self.max_bytes} bytes"


# Where a route's rate-limit check leaves its headers for `RateLimitHeadersMiddleware`.
RATE_LIMIT_STATE = "ratelimit_headers"


class RateLimitHeadersMiddleware:
    """Adds the `X-RateLimit-*` headers a route's rate limit check left in the request state.

    They belong on every response to an authenticated caller, errors included, so they are
    added here on the way out rather than by each route.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_limits(message: Message) -> None:
            if message["type"] == "http.response.start":
                limits = scope.get("state", {}).get(RATE_LIMIT_STATE)
                if limits:
                    headers = MutableHeaders(scope=message)
                    for name, value in limits.items():
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_limits)


class NulRefusalMiddleware:
    """Refuses (400) a request whose path or query string holds a NUL character, percent-encoded
    or not: no path parameter or query value may carry one to a database (`untrusted`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            where = None
            if NUL in scope["path"]:
                where = "path"
            elif b"%00" in scope.get("query_string", b"") or b"\0" in scope.get(
                "query_string", b""
            ):
                where = "query"
            if where is not None:
                error = nul_refused(where)
                response = error_response(400, error.code, error.message, field=where)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
