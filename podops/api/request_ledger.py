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
from typing import Any, overload

from starlette.routing import BaseRoute
from starlette.types import Scope

from podops import metrics
from podops.api.routing import walk
from podops.logs import EventLogger, json_string

FLUSH_SECONDS = 0.05

request_log = EventLogger("podops.request")

# The request log's fields, in the order each line has them.
LOG_FIELDS = ("method", "path", "status", "duration_ms", "request_id")

# What is kept of a request until it is written: the time it ended, its method, path, the
# identity of its matched route (that of None when no route answered), status, seconds taken and
# request id. A tuple of numbers and strings: made on every request, it is the cheapest thing
# that holds them, and one the garbage collector stops tracking.
_Answered = tuple[float, str, str, int, int, float, str]


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
                id(scope.get("route")),
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
        """Write every request kept so far: the log lines, then the metrics (logging reports
        its own failures; a failing metrics directory must not take the lines with it)."""
        answered, self._answered = self._answered, []
        self._timer_loop = None
        if not answered:
            return

        def json_lines(head: str) -> str:
            # Each field's type is known: one format a line, no look at each value's type.
            return "".join(
                [
                    f'{{"time": {round(ended, 3)!r}{head}, "method": {json_string(method)}, '
                    f'"path": {json_string(path)}, "status": {status}, '
                    f'"duration_ms": {round(seconds * 1000, 2)!r}, '
                    f'"request_id": {json_string(request_id)}}}\n'
                    for ended, method, path, _, status, seconds, request_id in answered
                ]
            )

        self._log.info_many("request", LOG_FIELDS, _LogEvents(answered), json_lines=json_lines)
        templates, unmatched = self._templates, metrics.UNMATCHED_ROUTE
        metrics.record_requests(
            (method, templates.get(route, unmatched), status, seconds)
            for _, method, _, route, status, seconds, _ in answered
        )


class _LogEvents(Sequence[tuple[float, tuple[str, str, int, float, str]]]):
    """The requests as log events (their time, and their values of `LOG_FIELDS`), made only
    if a logger other than the JSON fast path asks for them."""

    def __init__(self, answered: list[_Answered]) -> None:
        self._answered = answered

    def __len__(self) -> int:
        return len(self._answered)

    @overload
    def __getitem__(self, index: int) -> tuple[float, tuple[str, str, int, float, str]]: ...
    @overload
    def __getitem__(
        self, index: slice
    ) -> Sequence[tuple[float, tuple[str, str, int, float, str]]]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        ended, method, path, _, status, seconds, request_id = self._answered[index]
        return ended, (method, path, status, round(seconds * 1000, 2), request_id)


def _flush_if_alive(ledger: weakref.ref[RequestLedger]) -> None:
    alive = ledger()
    if alive is not None:
        alive.flush()
