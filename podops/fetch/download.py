"""Download a URL into a file or into memory, under a `FetchPolicy`.

Each request of a fetch (the first and every redirect) is vetted, then sent on a connection
of its own to the vetted address: redirects are followed by `_exchange`, not by the HTTP
client, so every hop passes the same checks.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

import httpcore

from podops.fetch._deadline import Deadline
from podops.fetch._exchange import (
    Redirect,
    declared_length,
    exchange,
    follow_redirects,
    redirect_of,
    status_error,
)
from podops.fetch._pinned import MeteredStream
from podops.fetch._vet import Target
from podops.fetch.errors import LengthMismatchError, TooLargeError
from podops.fetch.policy import FetchPolicy

__all__ = ["FEED_MAX_BYTES", "FetchResult", "fetch_bytes", "fetch_to_file"]

FEED_MAX_BYTES = 16 * 1024 * 1024
_SUCCESS_STATUSES = frozenset({200, 203})
# How long to wait, after the declared length, for bytes a server should not send. The
# request asks the server to close, so an honest one is heard from (EOF) at once.
_TRAILING_GRACE = 0.25
# Batches waiting for the writer thread, and their size: a few MB in flight at most.
_WRITE_QUEUE = 4
_BATCH_BYTES = 1024 * 1024


@dataclass(frozen=True)
class FetchResult:
    """What was downloaded: the final URL, and what the bytes were."""

    url: str
    status: int
    content_type: str | None
    bytes_received: int
    sha256: str
    redirects: tuple[str, ...]
    remote_address: str


# Told, after every batch is handed on, the bytes received so far and the declared length.
OnProgress = Callable[[int, int | None], None]


def fetch_to_file(
    url: str,
    destination: BinaryIO | Path,
    *,
    policy: FetchPolicy,
    on_progress: OnProgress | None = None,
) -> FetchResult:
    """Download `url` into `destination`, safely; raise a `FetchError` on any failure.

    A Path is created or replaced, and removed again if the fetch fails. An open binary file
    is written from its current position; after a failure it holds a partial body the caller
    must discard. `on_progress(received, declared)` is called as the body arrives, about once
    a megabyte, on the calling thread.
    """
    if isinstance(destination, Path):
        try:
            with destination.open("wb") as sink:
                return _fetch(url, sink, policy, on_progress)
        except BaseException:
            destination.unlink(missing_ok=True)
            raise
    return _fetch(url, destination, policy, on_progress)


def fetch_bytes(
    url: str, *, policy: FetchPolicy, max_bytes: int = FEED_MAX_BYTES
) -> tuple[bytes, FetchResult]:
    """Download a small document (a feed) into memory: at most `max_bytes`, and at most the
    policy's own limit."""
    buffer = io.BytesIO()
    limited = replace(policy, max_bytes=min(max_bytes, policy.max_bytes))
    result = _fetch(url, buffer, limited)
    return buffer.getvalue(), result


def _fetch(
    url: str, sink: BinaryIO, policy: FetchPolicy, on_progress: OnProgress | None = None
) -> FetchResult:
    deadline = Deadline(policy.total_timeout)

    def hop(target: Target, redirects: tuple[str, ...]) -> FetchResult | Redirect:
        return _request(target, sink, policy, deadline, redirects, on_progress)

    return follow_redirects(url, policy, deadline, hop)


def _request(
    target: Target,
    sink: BinaryIO,
    policy: FetchPolicy,
    deadline: Deadline,
    redirects: tuple[str, ...],
    on_progress: OnProgress | None,
) -> FetchResult | Redirect:
    with exchange("GET", target, policy, deadline) as answer:
        raw, response_headers, backend = answer.response, answer.headers, answer.backend
        redirect = redirect_of(answer, target)
        if redirect is not None:
            return redirect
        if raw.status not in _SUCCESS_STATUSES:
            raise status_error(raw.status, response_headers)
        declared = declared_length(response_headers)
        if declared is not None and declared > policy.max_bytes:
            raise TooLargeError(f"declares {declared} bytes, more than {policy.max_bytes}")
        size, sha256 = _copy_body(raw, sink, declared, policy.max_bytes, on_progress)
        if declared is not None and backend.stream is not None:
            _check_nothing_beyond(backend.stream, declared, policy, deadline)
        return FetchResult(
            url=str(target.url),
            status=raw.status,
            content_type=response_headers.get("content-type"),
            bytes_received=size,
            sha256=sha256,
            redirects=redirects,
            remote_address=str(backend.connected_to),
        )


class _Lane:
    """One thread applying `work` to each batch in turn; an error is kept for the caller."""

    def __init__(self, name: str, work: Callable[[bytes], object]) -> None:
        self._work = work
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=_WRITE_QUEUE)
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (batch := self._queue.get()) is not None:
            if self.error is None:
                try:
                    self._work(batch)
                except BaseException as error:  # handed to the receiving thread
                    self.error = error

    def put(self, batch: bytes | None) -> None:
        self._queue.put(batch)

    def join(self) -> None:
        self._queue.put(None)
        self._thread.join()


class _Writer:
    """Hashes and writes the body, each on a thread of its own, while the next bytes arrive.

    Receiving, hashing and writing all release the GIL, so the download is slowed by neither
    the SHA-256 nor the disk, only by the slowest of the three. The queues are bounded: a few
    MB in flight at most.
    """

    def __init__(self, sink: BinaryIO) -> None:
        self._digest = hashlib.sha256()
        self._lanes = (_Lane("fetch-hash", self._digest.update), _Lane("fetch-write", sink.write))

    def write(self, batch: bytes) -> None:
        self._raise_any()
        for lane in self._lanes:
            lane.put(batch)

    def close(self) -> str:
        """Wait for every batch to be hashed and written; the body's SHA-256 (hex)."""
        for lane in self._lanes:
            lane.join()
        self._raise_any()
        return self._digest.hexdigest()

    def _raise_any(self) -> None:
        for lane in self._lanes:
            if lane.error is not None:
                raise lane.error


def _copy_body(
    response: httpcore.Response,
    sink: BinaryIO,
    declared: int | None,
    max_bytes: int,
    on_progress: OnProgress | None,
) -> tuple[int, str]:
    writer = _Writer(sink)
    size = 0
    batch: list[bytes] = []
    batched = 0
    try:
        for chunk in response.iter_stream():
            size += len(chunk)
            if size > max_bytes:
                # Checked before writing: nothing past the limit reaches the destination.
                raise TooLargeError(f"sent more than {max_bytes} bytes")
            # Handed over in batches: one queue hand-off per megabyte, not per network read.
            batch.append(chunk)
            batched += len(chunk)
            if batched >= _BATCH_BYTES:
                writer.write(b"".join(batch))
                batch, batched = [], 0
                if on_progress is not None:
                    on_progress(size, declared)
        if batch:
            writer.write(b"".join(batch))
    except httpcore.RemoteProtocolError as error:
        writer.close()
        if declared is not None and size < declared:
            raise LengthMismatchError(
                f"declared {declared} bytes but closed after {size}"
            ) from error
        raise
    except BaseException:
        with contextlib.suppress(BaseException):
            writer.close()
        raise
    sha256 = writer.close()
    if declared is not None and size != declared:
        raise LengthMismatchError(f"declared {declared} bytes but sent {size}")
    return size, sha256


def _check_nothing_beyond(
    stream: MeteredStream, declared: int, policy: FetchPolicy, deadline: Deadline
) -> None:
    """Refuse a body longer than its Content-Length (h11 would silently drop the rest)."""
    on_wire = stream.body_bytes_read()
    if on_wire is not None and on_wire > declared:
        raise LengthMismatchError(f"declared {declared} bytes but sent at least {on_wire}")
    grace = min(_TRAILING_GRACE, policy.read_timeout, deadline.remaining())
    if grace > 0 and stream.bytes_after_response(grace):
        raise LengthMismatchError(f"declared {declared} bytes but sent more")
