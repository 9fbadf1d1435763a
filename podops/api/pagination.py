"""Query parameters shared by list routes: `limit`, `cursor`, `order`, `label`, and the
opaque (time, key) cursor of the lists ordered by time."""

from __future__ import annotations

import re

from starlette.requests import Request

from podops.api.docs import QueryParameter
from podops.errors import BadRequestError
from podops.services.paging import TimeKeyCursor
from podops.untrusted import ascii_int

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
# An encoded cursor is about 60 characters; the OpenAPI document says 200 at most.

LIMIT = QueryParameter(
    "limit",
    {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    "how many items a page holds",
)
CURSOR = QueryParameter(
    "cursor",
    {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[A-Za-z0-9_-]+$"},
    "opaque: the next_cursor of the previous page, sent back unchanged; any other value is 400",
)


def query_limit(request: Request) -> int:
    raw = request.query_params.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    limit = ascii_int(raw, max_digits=len(str(MAX_LIMIT)))
    if limit is None or not 1 <= limit <= MAX_LIMIT:
        raise BadRequestError(f"limit must be a whole number from 1 to {MAX_LIMIT}", field="limit")
    return limit


def query_choice(request: Request, name: str, allowed: tuple[str, ...], default: str) -> str:
    value = request.query_params.get(name, default)
    if value not in allowed:
        raise BadRequestError(f"{name} must be one of {', '.join(allowed)}", field=name)
    return value


def query_cursor(request: Request, key: re.Pattern[str]) -> TimeKeyCursor | None:
    raw = request.query_params.get("cursor")
    return None if raw is None else TimeKeyCursor.decode(raw, key)
