"""Pure ASGI middleware: request ids, logs and rate-limit headers in one layer; the body
size limit and rate; NUL characters refused in paths and query strings."""

from __future__ import annotations

import asyncio
import logging
import random
import re
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
    """Gives every request an id (`X-Request-ID`), adds the `X-RateLimit-*` headers a route's
    rate-limit check left in the request state, and logs one line when the request ends.

    One layer with one `send` wrapper does all three: each layer of middleware costs a call
    and a closure on every request, which is most of what a small request costs.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = _header(scope, b"x-request-id")
        request_id = offered if _REQUEST_ID.fullmatch(offered) else _new_request_id()
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                # Rate limits belong on every response to an authenticated caller, errors
                # included, so they are added here on the way out rather than by each route.
                limits = state.get(RATE_LIMIT_STATE)
                if limits:
                    for name, value in limits.items():
                        headers[name] = value
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            if logger.isEnabledFor(logging.INFO):
                _log_request(scope, status, started, request_id)


def _header(scope: Scope, name: bytes) -> str:
    """The first value of the request header `name` (lower case), or ''."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def _new_request_id() -> str:
    # An id, not a secret: the process's PRNG (reseeded in each forked worker) spares the
    # system call `secrets` makes for every request.
    return f"{random.getrandbits(64):016x}"


def _log_request(scope: Scope, status: int, started: float, request_id: str) -> None:
    """The request's log line. The record is made directly: `logger.info` would walk the
    stack for the caller's file and line on every request, which no log line shows."""
    record = logger.makeRecord(
        logger.name,
        logging.INFO,
        __file__,
        0,
        "request",
        (),
        None,
        extra={
            "method": scope["method"],
            "path": scope["path"],
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "request_id": request_id,
        },
    )
    logger.handle(record)


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

    Set by PODOPS_BODY_GRACE_SECONDS and PODOPS_BODY_MIN_RATE. Their defaults let a phone on
    a poor link (8 kbit/s) finish; a client that sends ten bytes a second to hold a connection
    and an upload file is closed within the grace period.
    """

    grace_seconds: float
    min_bytes_per_second: int

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


# Where a route's rate-limit check leaves its headers for `RequestLogMiddleware`.
RATE_LIMIT_STATE = "ratelimit_headers"


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
