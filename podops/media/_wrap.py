"""Turning a third-party parser's failure into a `ProbeError`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from podops.media.errors import ProbeError


@contextmanager
def third_party(what: str) -> Iterator[None]:
    """Refuse the file as corrupt when the parser inside this block fails on it.

    mutagen and Pillow raise their own errors for bad bytes, and on hostile bytes also
    struct.error, IndexError, ValueError, RecursionError and the like: each of those means the
    same thing here, the bytes are not a valid file of that type.
    """
    try:
        yield
    except ProbeError:
        raise
    except Exception as error:  # see the docstring: any parser failure is a refusal
        raise ProbeError(
            "podops.media.corrupt", f"not a valid {what} file: {_describe(error)}"
        ) from error


def _describe(error: Exception) -> str:
    text = str(error).strip()
    return text[:200] if text else type(error).__name__
