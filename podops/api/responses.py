"""The response shapes every route shares: success JSON and the one error shape."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    field: str | None = None,
    headers: dict[str, str] | None = None,
    **details: Any,
) -> JSONResponse:
    """`{"success": false, "code": "podops.…", "message": "…"}`, plus the field at fault."""
    body: dict[str, Any] = {"success": False, "code": code, "message": message}
    if field is not None:
        body["field"] = field
    body.update(details)
    return JSONResponse(body, status_code=status, headers=headers)
