"""Fetch a URL safely: no private addresses, no surprises, bounded in size and time.

    fetch_to_file(url, destination, policy=...)  -> FetchResult   media, into a file
    fetch_bytes(url, policy=..., max_bytes=...)  -> (bytes, FetchResult)   a feed, in memory
    probe_url(url, policy=...)                   -> RemoteMedia   length and type, no body
    read_range(url, start, count, policy=...)    -> bytes   a few bytes of a file (its head)
    FetchPolicy     sizes, timeouts, redirects, schemes, the allow-list, the resolver hook
    FetchError      the one exception family (`podops.fetch.errors` draws the tree);
                    `.transient` says retry (with `retry_delay`) or fail at once

Against server-side request forgery: http and https only, no credentials in URLs, every
spelling of an IP address read as the OS would read it, every address of a host checked
(private, loopback, link-local, CGNAT, multicast, reserved, cloud metadata, and the IPv6 forms
embedding those), the connection made to the very address checked (never a second lookup),
and every redirect checked the same way. Pure of the database and Celery.
"""

from __future__ import annotations

from podops.fetch.addresses import blocked_reason, parse_host_address
from podops.fetch.download import FEED_MAX_BYTES, FetchResult, fetch_bytes, fetch_to_file
from podops.fetch.errors import (
    BlockedAddressError,
    DeadlineExceededError,
    FetchError,
    FetchTimeoutError,
    HostNotFoundError,
    InvalidURLError,
    LengthMismatchError,
    NetworkError,
    PermanentFetchError,
    RetryableStatusError,
    SchemeNotAllowedError,
    StatusError,
    TLSError,
    TooLargeError,
    TooManyRedirectsError,
    TransientFetchError,
    UnknownLengthError,
)
from podops.fetch.policy import AllowRule, FetchPolicy
from podops.fetch.probe import RemoteMedia, probe_url
from podops.fetch.ranged import read_range
from podops.fetch.resolver import Resolver, resolve_with_system
from podops.fetch.retry import retry_delay

__all__ = [
    "FEED_MAX_BYTES",
    "AllowRule",
    "BlockedAddressError",
    "DeadlineExceededError",
    "FetchError",
    "FetchPolicy",
    "FetchResult",
    "FetchTimeoutError",
    "HostNotFoundError",
    "InvalidURLError",
    "LengthMismatchError",
    "NetworkError",
    "PermanentFetchError",
    "RemoteMedia",
    "Resolver",
    "RetryableStatusError",
    "SchemeNotAllowedError",
    "StatusError",
    "TLSError",
    "TooLargeError",
    "TooManyRedirectsError",
    "TransientFetchError",
    "UnknownLengthError",
    "blocked_reason",
    "fetch_bytes",
    "fetch_to_file",
    "parse_host_address",
    "probe_url",
    "read_range",
    "resolve_with_system",
    "retry_delay",
]
