"""The checks every number and string a client sends goes through, in one place.

- Integers in queries and headers are ASCII digits, of a bounded length: `str.isdigit()` is
  true for "²", which `int()` refuses, and for Arabic-Indic digits, which it takes; `int()`
  raises past 4,300 digits.
- No text with a NUL character reaches a database: PostgreSQL refuses it in any string
  (a server error), SQLite stores it. Bodies are checked in `podops.api.bodies`, paths and
  query strings by `RequestMiddleware` (`podops.api.middleware`).
"""

from __future__ import annotations

import re

from podops.errors import BadRequestError

_ASCII_DIGITS = re.compile(r"[0-9]+")
NUL = "\x00"


def ascii_int(text: str, *, max_digits: int) -> int | None:
    """`text` as an integer when it is ASCII digits only, at most `max_digits` of them once
    leading zeros are dropped; None otherwise."""
    if not _ASCII_DIGITS.fullmatch(text):
        return None
    significant = text.lstrip("0") or "0"
    return int(significant) if len(significant) <= max_digits else None


def nul_refused(where: str) -> BadRequestError:
    return BadRequestError(
        f"{where} holds a NUL character", code="podops.request.nul_character", field=where
    )
