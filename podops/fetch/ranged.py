"""Read a few bytes of a remote file, from where they start, under a `FetchPolicy`.

A ranged GET (`Range: bytes=start-end`) whose body is read up to `count` bytes and no
further: enough to read a media file's head (an MP3's Xing header, an MP4's `mvhd`) without
downloading it. Every hop is vetted like a download's (`_exchange`). A server that ignores
the Range and answers 200 is read from its start, skipping what precedes `start`, but only
within `SKIP_LIMIT` bytes: past that, the whole file would have to come through.
"""

from __future__ import annotations

import re

from podops.fetch._deadline import Deadline
from podops.fetch._exchange import (
    Exchange,
    Redirect,
    exchange,
    follow_redirects,
    redirect_of,
    status_error,
)
from podops.fetch._vet import Target
from podops.fetch.errors import StatusError, TooLargeError
from podops.fetch.policy import FetchPolicy
from podops.fetch.probe import PROBE_TIMEOUT

__all__ = ["MAX_RANGE_BYTES", "SKIP_LIMIT", "read_range"]

# A head is read, not a file: no range asked is longer than this.
MAX_RANGE_BYTES = 1024 * 1024
# How much of a body that ignored the Range is read through to reach `start`.
SKIP_LIMIT = 1024 * 1024
_SUCCESS_STATUSES = frozenset({200, 203})
_RANGE_START = re.compile(r"bytes\s+(\d{1,19})-", re.IGNORECASE)


def read_range(url: str, start: int, count: int, *, policy: FetchPolicy) -> bytes:
    """Up to `count` bytes of the file at `url` from byte `start` (fewer at its end).

    Raises a `FetchError` as a download of the URL would (blocked address, 404, timeout, …);
    `TooLargeError` when `count` is over `MAX_RANGE_BYTES`; `StatusError` when the server
    ignores the Range and `start` is beyond `SKIP_LIMIT`.
    """
    if count > MAX_RANGE_BYTES:
        raise TooLargeError(f"a ranged read is at most {MAX_RANGE_BYTES} bytes, not {count}")
    if count <= 0:
        return b""
    deadline = Deadline(min(policy.total_timeout, PROBE_TIMEOUT))
    wanted = f"bytes={start}-{start + count - 1}".encode("ascii")

    def hop(target: Target, _: tuple[str, ...]) -> bytes | Redirect:
        with exchange("GET", target, policy, deadline, [(b"Range", wanted)]) as answer:
            return _read(answer, target, start, count)

    return follow_redirects(url, policy, deadline, hop)


def _read(answer: Exchange, target: Target, start: int, count: int) -> bytes | Redirect:
    redirect = redirect_of(answer, target)
    if redirect is not None:
        return redirect
    if answer.status == 416:
        return b""  # the file ends before `start`
    if answer.status == 206:
        # The range asked for (a server that sends more is cut at `count`), or it is not.
        sent = _RANGE_START.match(answer.headers.get("content-range", ""))
        if sent is None or int(sent.group(1)) != start:
            raise StatusError(
                f"answered 206 with Content-Range {answer.headers.get('content-range')!r} "
                f"to a request for bytes from {start}",
                status=206,
            )
        skip = 0
    elif answer.status in _SUCCESS_STATUSES:
        if start > SKIP_LIMIT:
            raise StatusError(
                "the server ignores byte ranges (answered 200 to a ranged GET)", status=200
            )
        skip = start
    else:
        raise status_error(answer.status, answer.headers)
    return _body(answer, skip, count)


def _body(answer: Exchange, skip: int, count: int) -> bytes:
    """`count` bytes of the body after its first `skip`; the rest is never read (the
    connection closes with the exchange)."""
    received = bytearray()
    for chunk in answer.response.iter_stream():
        received += chunk
        if len(received) >= skip + count:
            break
    return bytes(received[skip : skip + count])
