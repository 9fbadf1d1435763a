"""The delivery routes' one hook into download counting: note the answered media request.

Called with the response a media route is about to send (served or redirected); it notes the
request in the process's `DownloadLog` — in memory, no I/O — and hands the response back.
"""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import Response

from podops.analytics.events import MediaRequest, requested_bytes
from podops.api.context import context_of


def noted(request: Request, production: str, media: str, response: Response) -> Response:
    """`response`, after noting the request for media file `media` of `production`."""
    first, last = requested_bytes(
        request.method,
        response.status_code,
        range_header=request.headers.get("range"),
        content_range=response.headers.get("content-range"),
    )
    context_of(request).download_log.note(
        MediaRequest(
            at=time.time(),
            production=production,
            media=media,
            address=request.client.host if request.client else "",
            user_agent=request.headers.get("user-agent", ""),
            first_byte=first,
            last_byte=last,
        )
    )
    return response
