"""Everything the API does around each request, in one pure-ASGI layer (`RequestMiddleware`):
refusals (a NUL in the path or query, a body declared too large), the body size limit and the
body rate while reading, the request id, the rate-limit headers, and the request handed to the
ledger that writes its metrics and log line (`request_ledger`).

One layer, because each layer of middleware costs a coroutine, a `send` closure and a pass over
the headers on every request, which is most of what a small request costs (issue 17); for the
same reason a request without a body is not given the guarded `receive` it could not use.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from podops.api.request_ledger import RequestLedger
from podops.api.responses import error_response
from podops.errors import BodyTimeoutError, BodyTooLargeError
from podops.untrusted import NUL, ascii_int, nul_refused

# A client's own request id is kept only if it cannot break a log line or a header.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

# Where a route's rate-limit check leaves its headers for `RequestMiddleware`.
RATE_LIMIT_STATE = "ratelimit_headers"


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


@dataclass(frozen=True)
class BodyLimits:
    """`max_bytes` for any request body but those under `exempt_prefixes` (uploads, which
    enforce their own, larger limit), and the `rate` every body must arrive at."""

    max_bytes: int
    rate: BodyRate
    exempt_prefixes: tuple[str, ...] = ()

    def too_large(self) -> str:
        return f"request body is larger than {self.max_bytes} bytes"


class RequestMiddleware:
    """Per request, in this order:

    - refuses (400) a path or query string holding a NUL character, percent-encoded or not: no
      path parameter or query value may carry one to a database (`untrusted`);
    - refuses a body over the size limit at once by Content-Length (413), else while reading;
    - closes (408, `Connection: close`) a request whose body arrives slower than the rate
      allows, uploads included: its next bytes are awaited only until its deadline;
    - gives it an id (`X-Request-ID`, the client's own if harmless) and adds the
      `X-RateLimit-*` headers a route's rate-limit check left in the request state, errors
      included;
    - hands it, with its status and time taken, to the `ledger`, which counts it by method,
      route template and status, and logs one line.
    """

    def __init__(self, app: ASGIApp, *, ledger: RequestLedger, limits: BodyLimits) -> None:
        self.app = app
        self.ledger = ledger
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        offered_id, declared_length, chunked = _request_headers(scope["headers"])
        request_id = (
            offered_id if offered_id and _REQUEST_ID.fullmatch(offered_id) else _new_request_id()
        )
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        id_header = (b"x-request-id", request_id.encode())
        status = 500  # unless a response starts: what the server answers for an exception

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = _with_headers(
                    message.get("headers", ()), id_header, state.get(RATE_LIMIT_STATE)
                )
            await send(message)

        try:
            # Most requests have no body and nothing to refuse: not even a call for them.
            refusal = (
                self._refusal(scope, declared_length)
                if declared_length is not None
                or NUL in scope["path"]
                or b"%00" in scope["query_string"]
                or b"\0" in scope["query_string"]
                else None
            )
            if refusal is not None:
                await refusal(scope, receive, send_with_headers)
            else:
                # A request with neither length nor chunks has no body (RFC 9112 §6.3): its
                # `receive` has nothing to limit.
                has_body = chunked or declared_length not in (None, "0")
                guarded = self._guarded(scope, receive) if has_body else receive
                await self.app(scope, guarded, send_with_headers)
        finally:
            self.ledger.add(scope, status, time.perf_counter() - started, request_id)

    def _refusal(self, scope: Scope, declared_length: str | None) -> ASGIApp | None:
        """The error response for a request refused before its route runs, or None."""
        where = None
        if NUL in scope["path"]:
            where = "path"
        else:
            query = scope.get("query_string", b"")
            if b"%00" in query or b"\0" in query:
                where = "query"
        if where is not None:
            error = nul_refused(where)
            return error_response(400, error.code, error.message, field=where)
        if declared_length is None or scope["path"].startswith(self.limits.exempt_prefixes):
            return None
        length = ascii_int(declared_length, max_digits=18)
        if length is None:
            return error_response(
                400, "podops.request.bad_content_length", "Content-Length is not a number"
            )
        if length > self.limits.max_bytes:
            return error_response(
                413,
                BodyTooLargeError.code,
                self.limits.too_large(),
                headers={"Connection": "close"},
            )
        return None

    def _guarded(self, scope: Scope, receive: Receive) -> Receive:
        """`receive`, refusing a body that grows over the size limit or arrives too slowly."""
        limits, rate = self.limits, self.limits.rate
        max_bytes = None if scope["path"].startswith(limits.exempt_prefixes) else limits.max_bytes
        started, received, finished = time.monotonic(), 0, False

        async def guarded_receive() -> Message:
            nonlocal received, finished
            if finished:  # the body is in: what follows is a wait for the client to go
                return await receive()
            remaining = rate.deadline(started, received) - time.monotonic()
            try:
                message = await asyncio.wait_for(receive(), timeout=max(remaining, 0.0))
            except TimeoutError:
                raise BodyTimeoutError(
                    f"the request body arrived slower than {rate.min_bytes_per_second} "
                    "bytes a second",
                    headers={"Connection": "close"},
                ) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                finished = not message.get("more_body", False)
                if max_bytes is not None and received > max_bytes:
                    raise BodyTooLargeError(limits.too_large())
            else:
                finished = True
            return message

        return guarded_receive


def _request_headers(headers: Sequence[tuple[bytes, bytes]]) -> tuple[str, str | None, bool]:
    """The request's first `X-Request-ID` ('' if none), its first `Content-Length` (None if
    none), and whether it declares a `Transfer-Encoding` (a chunked body), in one pass over its
    headers (names arrive lower-cased)."""
    request_id, length, chunked = "", None, False
    for name, value in headers:
        if name == b"x-request-id":
            if not request_id:
                request_id = value.decode("latin-1")
        elif name == b"content-length":
            if length is None:
                length = value.decode("latin-1")
        elif name == b"transfer-encoding":
            chunked = True
    return request_id, length, chunked


def _with_headers(
    headers: Sequence[tuple[bytes, bytes]],
    id_header: tuple[bytes, bytes],
    limits: dict[str, str] | None,
) -> list[tuple[bytes, bytes]]:
    """A response's headers with the request id and the rate-limit headers, each replacing
    any of the same name. A new list: a response object may be sent more than once."""
    if not limits:  # most answers; and nothing but this layer sets the id
        return [*headers, id_header]
    added = [id_header]
    for name, value in limits.items():
        added.append((name.lower().encode("latin-1"), value.encode("latin-1")))
    names = {name for name, _ in added}
    return [header for header in headers if header[0] not in names] + added


def _new_request_id() -> str:
    # An id, not a secret: the process's PRNG (reseeded in each forked worker) spares the
    # system call `secrets` makes for every request.
    return _random_bytes(8).hex()


_random_bytes = random.randbytes
