"""Tracing with OpenTelemetry: optional, and off unless an OTLP endpoint is configured.

`start_tracing(settings)` gives a `Tracing` (`podops.tracing._sdk`) when
`Settings.traces_endpoint` is set, else None; only then is OpenTelemetry imported, so a
process that does not trace never loads it (a request costs what it cost before, and `po`
starts as fast). OpenTelemetry is the optional `podops[tracing]`: redis-py imports its
metrics API whenever it is installed, which a process that does not trace need not pay.
Callers hold the `Tracing | None` of their `Runtime` and ask nothing else.

What is traced: a server span per API request, named by its route template
(`podops.api.tracing`); a consumer span per job run in a worker (`workers.tasks`), the child
of the request that started the job: `Jobs.send` puts the W3C trace context (`traceparent`,
`tracestate`) in the Celery message's headers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from podops.settings import Settings, SettingsError

if TYPE_CHECKING:
    from podops.tracing._sdk import Tracing as Tracing

__all__ = ["TRACE_HEADERS", "start_tracing"]

# The W3C Trace Context headers, as HTTP requests and Celery messages carry them.
TRACE_HEADERS = ("traceparent", "tracestate")


def start_tracing(settings: Settings) -> Tracing | None:
    """Spans exported to `settings.traces_endpoint` in batches, or None: tracing is off."""
    if not settings.traces_endpoint:
        return None
    try:
        from podops.tracing._sdk import Tracing
    except ImportError as error:
        raise SettingsError(
            f"traces are to go to {settings.traces_endpoint}, but OpenTelemetry is not "
            f"installed ({error.name or error}): pip install 'podops[tracing]'"
        ) from error
    return Tracing.to_endpoint(settings.traces_endpoint)
