"""What every route needs: the app's `Runtime` (settings, database, jobs, storage, auth)."""

from __future__ import annotations

from starlette.requests import Request

from podops.runtime import Runtime


def context_of(request: Request) -> Runtime:
    """The runtime the app was built with."""
    context: Runtime = request.app.state.context
    return context
