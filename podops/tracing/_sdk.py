"""The OpenTelemetry SDK behind `podops.tracing`: imported only when tracing is on."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Literal

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import AttributeValue

from podops import __version__

SpanRole = Literal["server", "consumer", "internal"]
_KINDS = {"server": SpanKind.SERVER, "consumer": SpanKind.CONSUMER, "internal": SpanKind.INTERNAL}
_PROPAGATOR = TraceContextTextMapPropagator()


class Tracing:
    """A tracer provider of this process's own (not OpenTelemetry's global one, so each
    `Runtime`, a test's included, exports where its settings say) and the W3C propagator."""

    def __init__(self, processor: SpanProcessor) -> None:
        # Resource.create adds OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES over ours.
        resource = Resource.create({SERVICE_NAME: "podops", "service.version": __version__})
        self._provider = TracerProvider(resource=resource, shutdown_on_exit=False)
        self._provider.add_span_processor(processor)
        self._tracer = self._provider.get_tracer("podops", __version__)

    @classmethod
    def to_endpoint(cls, endpoint: str) -> Tracing:
        """Spans sent to an OTLP/HTTP `endpoint` in batches (OTEL_BSP_* tune the batching,
        OTEL_EXPORTER_OTLP_* the headers, timeout and compression)."""
        return cls(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))

    @contextmanager
    def span(
        self,
        name: str,
        *,
        role: SpanRole,
        attributes: Mapping[str, AttributeValue],
        parent: Mapping[str, str] | None = None,
    ) -> Iterator[Span]:
        """A span, current while the block runs; the child of the trace context in `parent`
        (headers: `traceparent`, `tracestate`) when it holds a valid one, else of the current
        span. An invalid `traceparent` starts a new trace, as W3C Trace Context says."""
        context = _PROPAGATOR.extract(parent) if parent else None
        with self._tracer.start_as_current_span(
            name, context=context, kind=_KINDS[role], attributes=attributes
        ) as span:
            yield span

    def headers(self) -> dict[str, str]:
        """The current trace context as headers for a message that continues it elsewhere."""
        carrier: dict[str, str] = {}
        _PROPAGATOR.inject(carrier)
        return carrier

    def flush(self, timeout_millis: int = 5000) -> bool:
        """Export every finished span now; whether all went out in time."""
        return self._provider.force_flush(timeout_millis)

    def shutdown(self) -> None:
        """Export what is left and stop the batch thread."""
        self._provider.shutdown()


def fail(span: Span, description: str) -> None:
    """Mark `span` as an error (a 5xx answer, a failed job)."""
    span.set_status(Status(StatusCode.ERROR, description))


__all__ = ["SpanRole", "Tracing", "fail"]
