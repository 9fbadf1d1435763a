"""The echo job: proves the path API → broker → worker → database end to end."""

from __future__ import annotations

import time
from typing import Any

from podops.jobs import PingJob
from podops.runtime import Runtime


def echo(runtime: Runtime, job: PingJob, *, operation_id: str) -> dict[str, Any]:
    """Wait `job.delay` seconds (so tests can interrupt a running operation), return the
    message."""
    del runtime, operation_id  # the echo needs neither
    time.sleep(job.delay)
    return {"message": job.message}
