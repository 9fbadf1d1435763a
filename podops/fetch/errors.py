"""Errors of `podops.fetch`: one family, each with a code and a retry class.

    FetchError                     every failure to fetch a URL: code, message, url, transient
    ├── TransientFetchError        worth retrying later, with backoff (`retry_delay`)
    │   ├── FetchTimeoutError      no connection or no bytes within the connect/read timeout
    │   ├── DeadlineExceededError  the whole fetch (every redirect included) ran out of time
    │   ├── NetworkError           refused, reset or broken connection; DNS temporarily down
    │   └── RetryableStatusError   408, 429 or 5xx; `retry_after` when the server said so
    └── PermanentFetchError        the same request will fail again: fail the operation now
        ├── InvalidURLError        not a fetchable URL: userinfo, bad host or port, …
        │   └── SchemeNotAllowedError  not http(s), first URL or a redirect's Location
        ├── BlockedAddressError    the host is, or resolves to, a non-public address
        ├── HostNotFoundError      the name does not exist
        ├── TLSError               the certificate does not verify for the host name
        ├── StatusError            any other non-success status (404 and 410: not_found)
        ├── TooManyRedirectsError  more redirects than the policy allows
        ├── TooLargeError          declared or received more than the policy's max bytes
        ├── LengthMismatchError    Content-Length and the bytes received disagree
        └── UnknownLengthError     a probe learnt no length (or a length of 0) of the media

Codes read `podops.fetch.<reason>`; callers branch on `transient` (retry or fail) and show
the message, which says what was wrong; `url` is the URL (the redirect hop) that failed.
"""

from __future__ import annotations

__all__ = [
    "BlockedAddressError",
    "DeadlineExceededError",
    "FetchError",
    "FetchTimeoutError",
    "HostNotFoundError",
    "InvalidURLError",
    "LengthMismatchError",
    "NetworkError",
    "PermanentFetchError",
    "RetryableStatusError",
    "SchemeNotAllowedError",
    "StatusError",
    "TLSError",
    "TooLargeError",
    "TooManyRedirectsError",
    "TransientFetchError",
    "UnknownLengthError",
]


class FetchError(Exception):
    """A URL could not be fetched; `transient` says whether a retry may succeed."""

    code = "podops.fetch.failed"
    transient = False

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.url = url


class TransientFetchError(FetchError):
    """A failure that may pass: retry with backoff."""

    code = "podops.fetch.transient"
    transient = True


class PermanentFetchError(FetchError):
    """A failure that will repeat: fail at once."""

    code = "podops.fetch.permanent"


class FetchTimeoutError(TransientFetchError):
    code = "podops.fetch.timeout"


class DeadlineExceededError(TransientFetchError):
    code = "podops.fetch.deadline_exceeded"


class NetworkError(TransientFetchError):
    code = "podops.fetch.network"


class RetryableStatusError(TransientFetchError):
    """408, 429 or a 5xx; `retry_after` is the server's Retry-After in seconds, if any."""

    code = "podops.fetch.upstream_unavailable"

    def __init__(
        self, message: str, *, status: int, retry_after: float | None = None, url: str | None = None
    ) -> None:
        super().__init__(message, url=url)
        self.status = status
        self.retry_after = retry_after


class InvalidURLError(PermanentFetchError):
    code = "podops.fetch.invalid_url"


class SchemeNotAllowedError(InvalidURLError):
    code = "podops.fetch.scheme_not_allowed"


class BlockedAddressError(PermanentFetchError):
    code = "podops.fetch.blocked_address"


class HostNotFoundError(PermanentFetchError):
    code = "podops.fetch.host_not_found"


class TLSError(PermanentFetchError):
    code = "podops.fetch.tls"


class StatusError(PermanentFetchError):
    """A status that is neither success, redirect nor retryable."""

    code = "podops.fetch.http_status"

    def __init__(self, message: str, *, status: int, url: str | None = None) -> None:
        super().__init__(message, url=url)
        self.status = status
        if status in (404, 410):
            self.code = "podops.fetch.not_found"


class TooManyRedirectsError(PermanentFetchError):
    code = "podops.fetch.too_many_redirects"


class TooLargeError(PermanentFetchError):
    code = "podops.fetch.too_large"


class LengthMismatchError(PermanentFetchError):
    code = "podops.fetch.length_mismatch"


class UnknownLengthError(PermanentFetchError):
    """Neither HEAD nor a ranged GET told the media's length, or it is empty."""

    code = "podops.fetch.unknown_length"
