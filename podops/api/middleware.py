"""Pure ASGI middleware: request ids and logs, rate-limit headers, the body size limit and
rate, NUL characters refused in paths and query strings."""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time
from dataclasses import dataclass

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from podops.api.responses import error_response
from podops.errors import BodyTimeoutError, BodyTooLargeError
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


@dataclass(frozen=True)
class BodyRate:
    """How slowly a request body may arrive: after `grace_seconds`, at least
    `min_bytes_per_second` on average since the request began.

    The defaults let a phone on a poor link (8 kbit/s) finish; a client that sends ten bytes a
    second to hold a connection and an upload file is closed within the grace period.
    """

    grace_seconds: float = 30.0
    min_bytes_per_second: int = 1024

    def deadline(self, started: float, received: int) -> float:
        return started + self.grace_seconds + received / self.min_bytes_per_second


class BodyRateMiddleware:
    """Closes (408, `Connection: close`) a request whose body arrives slower than `rate`
    allows, uploads included: the body's next bytes are awaited only until its deadline."""

    def __init__(self, app: ASGIApp, *, rate: BodyRate) -> None:
        self.app = app
        self.rate = rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, received, finished = time.monotonic(), 0, False

        async def timed_receive() -> Message:
            nonlocal received, finished
            if finished:  # the body is in: what follows is a wait for the client to go
                return await receive()
            remaining = self.rate.deadline(started, received) - time.monotonic()
            try:
                message = await asyncio.wait_for(receive(), timeout=max(remaining, 0.0))
            except TimeoutError:
                raise BodyTimeoutError(
                    f"the request body arrived slower than {self.rate.min_bytes_per_second} "
                    "bytes a second",
                    headers={"Connection": "close"},
                ) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                finished = not message.get("more_body", False)
            else:
                finished = True
            return message

        await self.app(scope, timed_receive, send)


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
