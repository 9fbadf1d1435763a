"""Keyset pagination: the cursor a page hands out, and the condition that continues after it.

Lists are ordered by (time, key): a resource's date and GUID, a token's issue time and id, an
operation's creation time and id. A page ends at one (time, key) and the next starts strictly
after it, so pages stay stable while rows are added. The cursor is that pair as base64url JSON,
opaque to clients; decoding checks the time's range and the key's pattern, so a forged cursor
is a 400 and never a database overflow (2**63 overflows either database's integers).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, or_

from podops.errors import BadRequestError
from podops.resources._types import MAX_UNIX_TIME

# An encoded cursor is about 40 characters; the OpenAPI document says 200 at most.
MAX_CURSOR_LENGTH = 200


@dataclass(frozen=True)
class TimeKeyCursor:
    """Where a page ordered by (time, key) ended."""

    at: int
    key: str

    def encode(self) -> str:
        raw = json.dumps([self.at, self.key], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    @classmethod
    def decode(cls, text: str, key: re.Pattern[str]) -> TimeKeyCursor:
        """The cursor `encode` made for a list whose keys match `key`; 400 for anything else."""
        try:
            if len(text) <= MAX_CURSOR_LENGTH:
                padded = text + "=" * (-len(text) % 4)
                at, found = json.loads(base64.urlsafe_b64decode(padded.encode()))
                if (
                    type(at) is int
                    and 0 <= at <= MAX_UNIX_TIME
                    and isinstance(found, str)
                    and key.fullmatch(found)
                ):
                    return cls(at, found)
        except (ValueError, TypeError, RecursionError):
            pass
        raise BadRequestError(
            "cursor is not one this service handed out",
            code="podops.request.invalid_cursor",
            field="cursor",
        )


def after(time: Any, key: Any, cursor: TimeKeyCursor, *, newest_first: bool) -> ColumnElement[bool]:
    """Rows that come after `cursor` in the (time, key) order, descending with `newest_first`."""
    if newest_first:
        return or_(time < cursor.at, and_(time == cursor.at, key < cursor.key))
    return or_(time > cursor.at, and_(time == cursor.at, key > cursor.key))
