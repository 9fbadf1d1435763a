"""Creating with `Idempotency-Key`: the route supplies the create, this makes it replayable."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from podops.api.auth import principal_of
from podops.api.context import in_session
from podops.api.docs import QueryParameter
from podops.services import idempotency
from podops.services.idempotency import StoredResponse

IDEMPOTENCY_KEY = QueryParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
    "retrying with the same key returns the first response instead of creating again",
)


async def idempotent_create(
    request: Request, create: Callable[[Session], StoredResponse]
) -> Response:
    """Run `create` in one transaction with the record of its response, or replay that record.

    A failed create stores nothing, so it may be retried under the same key.
    """
    key = idempotency.parse_key(request.headers.get("idempotency-key"))
    principal = principal_of(request)
    print_ = idempotency.fingerprint(request.method, request.url.path, await request.body())

    def run(session: Session) -> tuple[StoredResponse, bool]:
        if key is not None:
            stored = idempotency.replay(session, principal.user_id, key, print_)
            if stored is not None:
                return stored, True
        response = create(session)
        if key is not None:
            idempotency.remember(session, principal.user_id, key, print_, response)
        return response, False

    try:
        response, replayed = await in_session(request, run)
    except IntegrityError:
        if key is None:
            raise
        # The same key arrived twice at once and the other request stored first: replay it.
        response, replayed = await in_session(request, run)
    headers = dict(response.headers)
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(response.body, status_code=response.status, headers=headers)
