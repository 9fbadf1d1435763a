"""A real OTLP/HTTP trace receiver: a local HTTP server that decodes the protobuf exports
the OpenTelemetry SDK posts to `/v1/traces` and keeps their spans."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)


@dataclass(frozen=True)
class ReceivedSpan:
    trace_id: str
    span_id: str
    parent_span_id: str  # '' for a root span
    name: str
    kind: int  # OTLP's SpanKind: 2 server, 5 consumer
    attributes: dict[str, Any]
    service: str
    error: bool


class OtlpReceiver:
    """Spans received so far, in arrival order; `url` is the traces endpoint."""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/v1/traces"
        self.spans: list[ReceivedSpan] = []
        self.posts: list[tuple[str, str]] = []  # (path, content type) of every export
        self._lock = threading.Lock()

    def add(self, path: str, content_type: str, body: bytes) -> None:
        export = ExportTraceServiceRequest.FromString(body)
        spans = []
        for resource_spans in export.resource_spans:
            resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    spans.append(
                        ReceivedSpan(
                            trace_id=span.trace_id.hex(),
                            span_id=span.span_id.hex(),
                            parent_span_id=span.parent_span_id.hex(),
                            name=span.name,
                            kind=span.kind,
                            attributes={a.key: _value(a.value) for a in span.attributes},
                            service=str(resource.get("service.name", "")),
                            error=span.status.code == 2,
                        )
                    )
        with self._lock:
            self.posts.append((path, content_type))
            self.spans.extend(spans)

    def wait_for(self, *names: str, timeout: float = 30) -> dict[str, ReceivedSpan]:
        """The first span received of each name, once all have come."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = {span.name: span for span in reversed(self.spans) if span.name in names}
            if set(found) == set(names):
                return found
            time.sleep(0.05)
        raise AssertionError(f"spans {names} not all received: {[s.name for s in self.spans]}")


def _value(value: Any) -> Any:
    kind = value.WhichOneof("value")
    return getattr(value, kind) if kind else None


@contextmanager
def otlp_receiver() -> Iterator[OtlpReceiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    receiver = OtlpReceiver(server.server_address[1])
    server.receiver = receiver  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        receiver: OtlpReceiver = self.server.receiver  # type: ignore[attr-defined]
        receiver.add(self.path, self.headers.get("Content-Type", ""), body)
        answer = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        pass
