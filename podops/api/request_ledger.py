"""What the API keeps of each request it answered — its log line and its metrics — written
out in batches: at most `FLUSH_SECONDS` after the request ended, before `/metrics` is read,
and when the app stops.

Written one request at a time, the log line's write to stderr and the metric samples' writes
to their memory-mapped files cost more than the rest of a small request did (issue 17). In a
batch, the lines go out in one write and each series' samples in one update, as nginx's
`access_log … buffer= flush=` does. Each line keeps the time its request ended; what a
process killed outright (SIGKILL) had not yet written — its last 50 ms — is lost.
"""

from __future__ import annotations

import asyncio
import atexit
import time
import weakref
from collections.abc import Sequence
from typing import Any

from starlette.routing import BaseRoute
from starlette.types import Scope

from podops import metrics
from podops.api.routing import walk
from podops.logs import EventLogger

FLUSH_SECONDS = 0.05

request_log = EventLogger("podops.request")

# The request log's fields, in the order each line has them.
LOG_FIELDS = ("method", "path", "status", "duration_ms", "request_id")

# What is kept of a request until it is written: the time it ended, its method, path, matched
# route (None when no route answered), status, seconds taken and request id. A tuple: this is
# made on every request, and a tuple is the cheapest thing that holds it.
_Answered = tuple[float, str, str, Any, int, float, str]


class RequestLedger:
    """The requests answered since the last flush, for one app (`RequestMiddleware` adds to
    it; the app's lifespan and `/metrics` flush it)."""

    def __init__(self, routes: Sequence[BaseRoute], log: EventLogger = request_log) -> None:
        # The router leaves the route it matched in the scope; its template is found by
        # identity, which also tells two routes with the same path apart.
        self._templates = {id(route): path for path, route in walk(routes)}
        self._log = log
        self._answered: list[_Answered] = []
        # The event loop a flush is scheduled on (None: none is). A loop, not a flag: a test
        # client's loop may close with its timer pending, and the next loop needs its own.
        self._timer_loop: asyncio.AbstractEventLoop | None = None
        # An interpreter that exits without stopping the app (no lifespan) still writes.
        atexit.register(_flush_if_alive, weakref.ref(self))

    def add(self, scope: Scope, status: int, seconds: float, request_id: str) -> None:
        """Keep a request that just ended; called on the event loop."""
        self._answered.append(
            (
                time.time(),
                scope["method"],
                scope["path"],
                scope.get("route"),
                status,
                seconds,
                request_id,
            )
        )
        loop = asyncio.get_running_loop()
        if self._timer_loop is not loop:
            self._timer_loop = loop
            loop.call_later(FLUSH_SECONDS, self.flush)

    def flush(self) -> None:
        """Write every request kept so far: the metrics, then the log lines."""
        answered, self._answered = self._answered, []
        self._timer_loop = None
        if not answered:
            return
        templates, unmatched = self._templates, metrics.UNMATCHED_ROUTE
        metrics.record_requests(
            (method, templates.get(id(route), unmatched), status, seconds)
            for _, method, _, route, status, seconds, _ in answered
        )
        self._log.info_many(
            "request",
            LOG_FIELDS,
            [
                (ended, (method, path, status, round(seconds * 1000, 2), request_id))
                for ended, method, path, _, status, seconds, request_id in answered
            ],
        )


def _flush_if_alive(ledger: weakref.ref[RequestLedger]) -> None:
    alive = ledger()
    if alive is not None:
        alive.flush()
