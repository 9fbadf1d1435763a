"""A local HTTP endpoint that records what it is sent: a WebSub hub, a podping endpoint or a
webhook receiver, for the tests of podops' outgoing notices."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Heard:
    """One request the receiver got."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode())


@dataclass
class Receiver:
    """Records every GET and POST; answers the statuses queued in `answers`, then `answer`."""

    heard: list[Heard] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    answer: int = 204
    server: ThreadingHTTPServer | None = None

    def url(self, path: str) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def at(self, path: str) -> list[Heard]:
        return [item for item in self.heard if item.path == path]


@contextmanager
def receiving() -> Iterator[Receiver]:
    """A receiver listening on a free loopback port while the block runs."""
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def _hear(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            state.heard.append(
                Heard(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    dict(self.headers.items()),
                    self.rfile.read(length),
                )
            )
            self.send_response(state.answers.pop(0) if state.answers else state.answer)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = _hear  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:
            pass

    state.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=state.server.serve_forever, daemon=True).start()
    try:
        yield state
    finally:
        state.server.shutdown()
        state.server.server_close()
