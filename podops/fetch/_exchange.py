"""One request to a vetted target, and the redirect loop around it: what a download and a
probe share.

Each hop is vetted (`vet_url`), then sent on a connection of its own (`PinnedBackend`) to the
vetted address, under the fetch's deadline; redirects are followed here, not by the HTTP
client, so every hop passes the same checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

import httpcore
import httpx

from podops.fetch._deadline import Deadline
from podops.fetch._pinned import PinnedBackend
from podops.fetch._vet import Target, parse_url, vet_url
from podops.fetch.errors import (
    FetchError,
    FetchTimeoutError,
    InvalidURLError,
    NetworkError,
    RetryableStatusError,
    StatusError,
    TooManyRedirectsError,
)
from podops.fetch.policy import FetchPolicy
from podops.untrusted import ascii_int

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

Outcome = TypeVar("Outcome")


@dataclass(frozen=True)
class Redirect:
    """A hop's answer that sends the fetch on: where to."""

    location: httpx.URL


@dataclass(frozen=True)
class Exchange:
    """An open response: its status line and head, and the backend that connected."""

    response: httpcore.Response
    headers: httpx.Headers
    backend: PinnedBackend

    @property
    def status(self) -> int:
        return self.response.status


def follow_redirects(
    url: str,
    policy: FetchPolicy,
    deadline: Deadline,
    hop: Callable[[Target, tuple[str, ...]], Outcome | Redirect],
) -> Outcome:
    """Vet `url`, send `hop` to it, and to every redirect it answers with, up to the policy's
    limit. `hop(target, redirects so far)` sends one request and answers with the outcome or
    a `Redirect`; a `FetchError` names the URL of the hop that failed."""
    redirects: list[str] = []
    shown = url
    try:
        current = parse_url(url)
        while True:
            shown = str(current)
            deadline.check()
            target = vet_url(current, policy, deadline)
            outcome = hop(target, tuple(redirects))
            if not isinstance(outcome, Redirect):
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


@contextmanager
def exchange(
    method: str,
    target: Target,
    policy: FetchPolicy,
    deadline: Deadline,
    headers: Sequence[tuple[bytes, bytes]] = (),
    content: bytes | None = None,
) -> Iterator[Exchange]:
    """Send one request (with `content`, a body) to the target's vetted addresses; the
    response, its body unread.

    httpcore's errors, raised here or in the `with` block, come out as the fetch family.
    """
    backend = PinnedBackend(target, deadline)
    request_url = httpcore.URL(
        scheme=target.scheme.encode("ascii"),
        host=target.host.encode("ascii"),
        port=target.port,
        target=target.url.raw_path,
    )
    request_headers = [
        (b"Host", target.url.netloc),
        (b"User-Agent", policy.user_agent.encode("ascii")),
        (b"Accept", b"*/*"),
        # The bytes stored must be the bytes served: no transparent decompression, and the
        # Content-Length check compares like with like.
        (b"Accept-Encoding", b"identity"),
        # One request per connection: a hop never reuses a connection vetted for another.
        (b"Connection", b"close"),
        *headers,
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
        pool.stream(
            method,
            request_url,
            headers=request_headers,
            content=content,
            extensions={"timeout": timeouts},
        ) as raw,
    ):
        yield Exchange(raw, httpx.Headers(raw.headers), backend)


def redirect_of(answer: Exchange, target: Target) -> Redirect | None:
    """Where a redirect points (joined to the hop's URL); None for any other status."""
    if answer.status not in _REDIRECT_STATUSES:
        return None
    location = answer.headers.get("location")
    if not location:
        raise StatusError(f"{answer.status} redirect without a Location", status=answer.status)
    return Redirect(parse_url(location, base=target.url))


def declared_length(headers: httpx.Headers) -> int | None:
    """The Content-Length, if it frames the body."""
    # With Transfer-Encoding the body is framed by chunks and Content-Length means nothing.
    if "transfer-encoding" in headers:
        return None
    value = headers.get("content-length")
    # A remote server's header: `isdigit()` takes "²", and a 5,000-digit length is no length.
    return ascii_int(value.strip(), max_digits=19) if value is not None else None


def status_error(status: int, headers: httpx.Headers) -> FetchError:
    """The error of a status that is neither success nor redirect: retryable or not."""
    if status in (408, 429) or 500 <= status <= 599:
        return RetryableStatusError(
            f"answered {status}", status=status, retry_after=_retry_after(headers)
        )
    return StatusError(f"answered {status}", status=status)


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after", "").strip()
    seconds = ascii_int(value, max_digits=9)
    if seconds is not None:
        return float(seconds)
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
