"""`GET /metrics` of a process that has no API: `podops worker --metrics-port`.

A worker on a host (or Kubernetes pod) of its own writes its samples where no web process
reads them, so it answers the scrape itself: the samples of its metrics directory — its
own and its pool processes' — in the Prometheus text format, behind PODOPS_METRICS_TOKEN as
the API's `/metrics` is. The queue depth is left to the API's `/metrics`: it is one figure for
the whole installation, and every worker reporting it would count it once per worker.

A small threaded WSGI server from the standard library, in a daemon thread: it must not keep
the worker alive, and Celery owns the main thread.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from podops import metrics

logger = logging.getLogger(__name__)

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a slow scraper never holds the worker's exit


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        # A scrape every 15 s would fill the worker's log; nothing here is news.
        pass


class MetricsEndpoint:
    """`/metrics` on `host:port` (port 0: any free one, see `port`) until `stop`."""

    def __init__(self, host: str, port: int, *, token: str) -> None:
        self._token = token
        self._server = make_server(
            host, port, self._app, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="metrics-endpoint", daemon=True
        )

    @property
    def port(self) -> int:
        port: int = self._server.server_address[1]
        return port

    def start(self) -> None:
        self._thread.start()
        logger.info("metrics endpoint listening", extra={"port": self.port})

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _app(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/metrics":
            return _error(
                start_response,
                "404 Not Found",
                "podops.route.not_found",
                "no such route: try /metrics",
            )
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _error(
                start_response,
                "405 Method Not Allowed",
                "podops.route.method_not_allowed",
                "/metrics answers GET",
                [("Allow", "GET, HEAD")],
            )
        sent = environ.get("HTTP_AUTHORIZATION", "").encode("latin-1", "replace")
        if self._token and not hmac.compare_digest(sent, f"Bearer {self._token}".encode()):
            return _error(
                start_response,
                "401 Unauthorized",
                "podops.metrics.unauthorized",
                "send the metrics token (PODOPS_METRICS_TOKEN) as a bearer token",
                [("WWW-Authenticate", 'Bearer realm="metrics"')],
            )
        body = metrics.exposition()
        start_response(
            "200 OK", [("Content-Type", metrics.CONTENT_TYPE), ("Content-Length", str(len(body)))]
        )
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]


def _error(
    start_response: StartResponse,
    status: str,
    code: str,
    message: str,
    headers: list[tuple[str, str]] | None = None,
) -> Iterable[bytes]:
    """The project's error shape, as the API answers it."""
    body = json.dumps({"success": False, "code": code, "message": message}).encode()
    start_response(
        status,
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            *(headers or []),
        ],
    )
    return [body]
