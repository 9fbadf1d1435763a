"""The one error the prober raises: `ProbeError`, with a code from `ProbeErrorCode`.

The codes and what each means are listed once, in the `podops.media` package docstring.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["ProbeError", "ProbeErrorCode"]

ProbeErrorCode = Literal[
    "podops.media.empty",
    "podops.media.unsupported_type",
    "podops.media.not_an_image",
    "podops.media.type_mismatch",
    "podops.media.markup",
    "podops.media.corrupt",
    "podops.media.truncated",
    "podops.media.too_large",
]


class ProbeError(Exception):
    """The bytes were refused: `code` is for programs, `message` for people."""

    def __init__(self, code: ProbeErrorCode, message: str) -> None:
        super().__init__(message)
        self.code: ProbeErrorCode = code
        self.message = message

    def __repr__(self) -> str:
        return f"ProbeError({self.code!r}, {self.message!r})"
