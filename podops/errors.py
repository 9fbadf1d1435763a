"""Errors the API turns into responses.

    ApiError                      every error a client may see: status, code, message
    ├── BadRequestError           400, optionally naming the field at fault
    ├── ForbiddenError            403, a valid token that may not do this
    ├── NotFoundError             404
    ├── ConflictError             409, e.g. a name that exists already
    ├── PreconditionFailedError   412, an If-Match that does not match
    ├── UnsupportedMediaTypeError 415
    ├── BodyTimeoutError          408, a request body that arrives too slowly
    ├── TooManyRequestsError      429
    ├── BodyTooLargeError         413
    └── UnavailableError          503, a dependency (database, broker, storage) is down

Codes read `podops.<area>.<reason>`; clients branch on the code, people read the message.
A body that fails validation lists every problem in `errors` (`[{"field", "message"}]`).
"""

from __future__ import annotations

from typing import TypedDict


class FieldProblem(TypedDict):
    """One problem of a request, at a field path (`description.categories.0.category`)."""

    field: str
    message: str


class ApiError(Exception):
    status = 500
    code = "podops.internal"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        errors: list[FieldProblem] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field
        self.headers = headers or {}
        # Every problem found, when there can be several (a body's validation): the first is
        # also `field` and `message`, so a client that reads only those still has one.
        self.errors = errors


class BadRequestError(ApiError):
    status = 400
    code = "podops.request.invalid"


class ForbiddenError(ApiError):
    status = 403
    code = "podops.auth.forbidden"


class NotFoundError(ApiError):
    status = 404
    code = "podops.not_found"


class BodyTooLargeError(ApiError):
    status = 413
    code = "podops.request.too_large"


class UnsupportedMediaTypeError(ApiError):
    status = 415
    code = "podops.request.unsupported_media_type"


class UnavailableError(ApiError):
    status = 503
    code = "podops.unavailable"


class ConflictError(ApiError):
    status = 409
    code = "podops.conflict"


class PreconditionFailedError(ApiError):
    status = 412
    code = "podops.precondition_failed"


class BodyTimeoutError(ApiError):
    status = 408
    code = "podops.request.timeout"


class TooManyRequestsError(ApiError):
    status = 429
    code = "podops.request.too_many"
