"""Turn a URL into a vetted target: its parts, and the addresses it may connect to."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from podops.fetch._deadline import Deadline
from podops.fetch.addresses import (
    IPAddress,
    blocked_reason,
    is_hostname,
    is_metadata_address,
    parse_host_address,
)
from podops.fetch.errors import (
    BlockedAddressError,
    FetchTimeoutError,
    HostNotFoundError,
    InvalidURLError,
    SchemeNotAllowedError,
)
from podops.fetch.policy import FetchPolicy
from podops.fetch.resolver import resolve_within

_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Target:
    """One request's destination: connect only to `addresses`, every one of them vetted."""

    url: httpx.URL
    scheme: str
    host: str
    port: int
    addresses: tuple[IPAddress, ...]


def parse_url(text: str | httpx.URL, base: httpx.URL | None = None) -> httpx.URL:
    """`text` as an absolute URL (joined to `base` for a redirect's Location)."""
    try:
        url = httpx.URL(text) if base is None else base.join(text)
    except (httpx.InvalidURL, TypeError, ValueError) as error:
        raise InvalidURLError(f"not a valid URL: {error}") from error
    return url.copy_with(fragment=None)


def vet_url(url: httpx.URL, policy: FetchPolicy, deadline: Deadline) -> Target:
    """Check the URL and every address its host has; refuse before any connection is made.

    The name lookup counts as connecting: it gets the connect timeout, within the deadline.
    """
    scheme = url.scheme.lower()
    if scheme not in policy.allowed_schemes:
        allowed = ", ".join(sorted(policy.allowed_schemes))
        raise SchemeNotAllowedError(f"scheme {scheme or '(none)'!r} is not allowed ({allowed})")
    if url.userinfo:
        raise InvalidURLError("credentials in URLs are not accepted")
    host = url.host
    if not host:
        raise InvalidURLError("the URL has no host")
    port = url.port if url.port is not None else _DEFAULT_PORTS[scheme]
    if not 0 < port < 65536:
        raise InvalidURLError(f"port {port} is out of range")
    try:
        literal = parse_host_address(host)
    except ValueError as error:
        raise InvalidURLError(f"host {host!r} is not a valid address: {error}") from error
    if literal is not None:
        addresses: tuple[IPAddress, ...] = (literal,)
        trusted_name = False
    elif is_hostname(host):
        lookup_time = deadline.clamp(policy.connect_timeout)
        try:
            answer = resolve_within(policy.resolver, host, port, lookup_time)
        except FetchTimeoutError as error:
            if deadline.expired():
                raise deadline.error() from error
            raise
        addresses = tuple(dict.fromkeys(answer))
        if not addresses:
            raise HostNotFoundError(f"{host} has no addresses")
        trusted_name = policy.allows_name(host, port)
    else:
        raise InvalidURLError(f"host {host!r} is not a valid host name")
    for address in addresses:
        _check_address(host, port, address, policy, trusted_name=trusted_name)
    return Target(url=url, scheme=scheme, host=host, port=port, addresses=addresses)


def _check_address(
    host: str, port: int, address: IPAddress, policy: FetchPolicy, *, trusted_name: bool
) -> None:
    # One bad address refuses the whole host: otherwise a name answering with both a public
    # and a private address would be a coin toss away from reaching the private one.
    shown = host if str(address) == host else f"{host} ({address})"
    if is_metadata_address(address):
        raise BlockedAddressError(f"{shown} is a cloud metadata endpoint")
    reason = blocked_reason(address)
    if reason is None or trusted_name or policy.allows_address(address, port):
        return
    raise BlockedAddressError(f"{shown} is not a public address: {reason}")
