"""Download a URL into a file or into memory, under a `FetchPolicy`.

Each request of a fetch (the first and every redirect) is vetted, then sent on a connection
of its own to the vetted address: redirects are followed here, not by the HTTP client, so
every hop passes the same checks.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import BinaryIO

import httpcore
import httpx

from podops.fetch._deadline import Deadline
from podops.fetch._pinned import MeteredStream, PinnedBackend
from podops.fetch._vet import Target, parse_url, vet_url
from podops.fetch.errors import (
    FetchError,
    FetchTimeoutError,
    InvalidURLError,
    LengthMismatchError,
    NetworkError,
    RetryableStatusError,
    StatusError,
    TooLargeError,
    TooManyRedirectsError,
)
from podops.fetch.policy import FetchPolicy

__all__ = ["FEED_MAX_BYTES", "FetchResult", "fetch_bytes", "fetch_to_file"]

FEED_MAX_BYTES = 16 * 1024 * 1024
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
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


@dataclass(frozen=True)
class _Redirect:
    location: httpx.URL


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
    redirects: list[str] = []
    shown = url
    try:
        current = parse_url(url)
        while True:
            shown = str(current)
            deadline.check()
            target = vet_url(current, policy, deadline)
            outcome = _request(target, sink, policy, deadline, redirects, on_progress)
            if isinstance(outcome, FetchResult):
                return outcome
            if len(redirects) >= policy.max_redirects:
                raise TooManyRedirectsError(
                    f"more than {policy.max_redirects} redirects (the last to {outcome.location})"
                )
            current = outcome.location
            redirects.append(str(current))
    except FetchError as error:
        if error.url is None:
            error.url = shown
        raise


def _request(
    target: Target,
    sink: BinaryIO,
    policy: FetchPolicy,
    deadline: Deadline,
    redirects: list[str],
    on_progress: OnProgress | None,
) -> FetchResult | _Redirect:
    backend = PinnedBackend(target, deadline)
    request_url = httpcore.URL(
        scheme=target.scheme.encode("ascii"),
        host=target.host.encode("ascii"),
        port=target.port,
        target=target.url.raw_path,
    )
    headers = [
        (b"Host", target.url.netloc),
        (b"User-Agent", policy.user_agent.encode("ascii")),
        (b"Accept", b"*/*"),
        # The bytes stored must be the bytes served: no transparent decompression, and the
        # Content-Length check compares like with like.
        (b"Accept-Encoding", b"identity"),
        # One request per connection: a hop never reuses a connection vetted for another.
        (b"Connection", b"close"),
    ]
    timeouts = {
        "connect": policy.connect_timeout,
        "read": policy.read_timeout,
        "write": policy.read_timeout,
        "pool": policy.connect_timeout,
    }
    with (
        _translate_errors(),
        httpcore.ConnectionPool(
            ssl_context=policy.ssl_context, max_connections=1, retries=0, network_backend=backend
        ) as pool,
        pool.stream("GET", request_url, headers=headers, extensions={"timeout": timeouts}) as raw,
    ):
        response_headers = httpx.Headers(raw.headers)
        if raw.status in _REDIRECT_STATUSES:
            location = response_headers.get("location")
            if not location:
                raise StatusError(f"{raw.status} redirect without a Location", status=raw.status)
            return _Redirect(parse_url(location, base=target.url))
        if raw.status not in _SUCCESS_STATUSES:
            raise _status_error(raw.status, response_headers)
        declared = _declared_length(response_headers)
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
            redirects=tuple(redirects),
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


def _declared_length(headers: httpx.Headers) -> int | None:
    # With Transfer-Encoding the body is framed by chunks and Content-Length means nothing.
    if "transfer-encoding" in headers:
        return None
    value = headers.get("content-length")
    return int(value) if value is not None and value.strip().isdigit() else None


def _status_error(status: int, headers: httpx.Headers) -> FetchError:
    if status in (408, 429) or 500 <= status <= 599:
        return RetryableStatusError(
            f"answered {status}", status=status, retry_after=_retry_after(headers)
        )
    return StatusError(f"answered {status}", status=status)


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after", "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


@contextmanager
def _translate_errors() -> Iterator[None]:
    """httpcore's exceptions, as the fetch family (ours pass through untouched)."""
    try:
        yield
    except httpcore.ConnectTimeout as error:
        raise FetchTimeoutError("no connection within the connect timeout") from error
    except httpcore.TimeoutException as error:
        raise FetchTimeoutError("the server stopped sending within the read timeout") from error
    except httpcore.UnsupportedProtocol as error:
        raise InvalidURLError(str(error)) from error
    except (httpcore.NetworkError, httpcore.ProtocolError) as error:
        raise NetworkError(f"{type(error).__name__}: {error}") from error
