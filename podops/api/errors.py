"""The one place exceptions become HTTP responses, all in the error shape."""

from __future__ import annotations

import logging
from http import HTTPStatus

from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match

from podops.api.responses import error_response
from podops.auth import InsufficientScopeError, TokenError
from podops.db import DatabaseUnavailableError
from podops.errors import ApiError
from podops.jobs import BrokerUnavailableError
from podops.storage import NotFoundError as StorageNotFoundError
from podops.storage import StorageError

logger = logging.getLogger(__name__)

_HTTP_CODES = {
    404: ("podops.route.not_found", "no such route"),
    405: ("podops.route.method_not_allowed", "method not allowed on this route"),
}


async def api_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    details = {"errors": exc.errors} if exc.errors is not None else {}
    return error_response(
        exc.status, exc.code, exc.message, field=exc.field, headers=exc.headers, **details
    )


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code, message = _HTTP_CODES.get(
        exc.status_code,
        (f"podops.http.{exc.status_code}", HTTPStatus(exc.status_code).phrase.lower()),
    )
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Starlette's Allow names the methods of the first route matching the path only; a
        # path served by several routes (GET and POST /_a/token) has them all.
        allowed = _allowed_methods(request) or headers.get("Allow", "")
        headers["Allow"] = allowed
        message = f"{message}; allowed: {allowed}".rstrip("; ")
    return error_response(exc.status_code, code, message, headers=headers)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request) -> str:
    """Every method some route of the app answers on the request's path."""
    routes = request.app.router.routes
    # Matched afresh from the app's root, not with the scope of the mount that raised the 405.
    root = {
        "type": "http",
        "path": request.scope["path"],
        "root_path": request.scope.get("app_root_path", ""),
        "headers": request.scope.get("headers", []),
    }
    allowed = [
        method
        for method in _METHODS
        if any(route.matches({**root, "method": method})[0] is Match.FULL for route in routes)
    ]
    return ", ".join(allowed)


async def database_unavailable(_request: Request, exc: Exception) -> Response:
    logger.error("database unavailable", extra={"error": str(exc)})
    return error_response(
        503,
        "podops.database.unavailable",
        "the database is not reachable; try again shortly",
        headers={"Retry-After": "5"},
    )


async def broker_unavailable(_request: Request, exc: Exception) -> Response:
    logger.error("broker unavailable", extra={"error": str(exc)})
    return error_response(
        503,
        "podops.broker.unavailable",
        "the task broker is not reachable; nothing was started, try again shortly",
        headers={"Retry-After": "5"},
    )


async def storage_unavailable(_request: Request, exc: Exception) -> Response:
    logger.error("storage unavailable", extra={"error": str(exc)})
    return error_response(
        503,
        "podops.storage.unavailable",
        "the storage is not reachable; try again shortly",
        headers={"Retry-After": "5"},
    )


async def invalid_token(_request: Request, exc: Exception) -> Response:
    message = str(exc)
    challenge = f'Bearer realm="podops", error="invalid_token", error_description="{message}"'
    return error_response(
        401, "podops.auth.invalid_token", message, headers={"WWW-Authenticate": challenge}
    )


async def insufficient_scope(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InsufficientScopeError)
    challenge = f'Bearer realm="podops", error="insufficient_scope", scope="{exc.scope}"'
    return error_response(
        403, "podops.auth.insufficient_scope", str(exc), headers={"WWW-Authenticate": challenge}
    )


async def stored_object_missing(_request: Request, exc: Exception) -> Response:
    return error_response(404, "podops.storage.not_found", "no such object")


async def internal_error(_request: Request, exc: Exception) -> Response:
    # The trace goes to the log, never to the client.
    logger.error("unhandled error", exc_info=exc)
    return error_response(500, "podops.internal", "internal server error")


EXCEPTION_HANDLERS = {
    ApiError: api_error,
    HTTPException: http_error,
    DatabaseUnavailableError: database_unavailable,
    # A connection lost mid-request (database restarting, SQLite locked too long).
    OperationalError: database_unavailable,
    BrokerUnavailableError: broker_unavailable,
    StorageNotFoundError: stored_object_missing,
    StorageError: storage_unavailable,
    TokenError: invalid_token,
    InsufficientScopeError: insufficient_scope,
    Exception: internal_error,
}
