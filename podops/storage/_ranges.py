"""Byte ranges for `Storage.open`, the same rules in every backend."""

from __future__ import annotations

from types import TracebackType

from podops.storage import ObjectStream, StorageError


def is_range(start: int, end: int | None) -> bool:
    """True when `start`/`end` ask for part of an object, False for the whole of it.

    `ValueError` for a range that is not one: `start < 0` or `end < start`.
    """
    if start < 0 or (end is not None and end < start):
        raise ValueError(f"byte range {start}-{'' if end is None else end} is not a valid range")
    return start > 0 or end is not None


def unsatisfiable(key: str, start: int, end: int | None, size: int) -> StorageError:
    """The error for a range that starts at or past the end of the object (HTTP 416)."""
    wanted = f"{start}-{'' if end is None else end}"
    return StorageError(
        f"range {wanted} of {key!r} is not satisfiable: the object has {size} bytes"
    )


class LimitedStream:
    """At most `limit` bytes of `stream`, which it closes."""

    def __init__(self, stream: ObjectStream, limit: int) -> None:
        self._stream = stream
        self._remaining = limit

    def read(self, size: int = -1, /) -> bytes:
        wanted = self._remaining if size < 0 else min(size, self._remaining)
        if wanted <= 0:
            return b""
        data = self._stream.read(wanted)
        self._remaining -= len(data)
        return data

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> LimitedStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def skip(stream: ObjectStream, count: int) -> None:
    """Read and drop the first `count` bytes of a stream that cannot seek."""
    while count > 0:
        chunk = stream.read(min(count, 1024 * 1024))
        if not chunk:
            return
        count -= len(chunk)
