"""What a fetch may do: sizes, timeouts, redirects, schemes, and the allow-list."""

from __future__ import annotations

import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_network

from podops.fetch.addresses import IPAddress, is_hostname
from podops.fetch.resolver import Resolver, resolve_with_system

__all__ = ["AllowRule", "FetchPolicy"]

SUPPORTED_SCHEMES = frozenset({"http", "https"})


@dataclass(frozen=True)
class AllowRule:
    """One allow-list entry: a host name or an address range, optionally limited to one port.

    Accepted spellings: `media.internal`, `media.internal:8443`, `127.0.0.1`, `10.0.0.0/8`,
    `127.0.0.1:8080`, `::1`, `fd00::/8`, `[::1]:8080`, `[fd00::/8]:443`.
    """

    name: str | None = None
    network: IPv4Network | IPv6Network | None = None
    port: int | None = None

    @classmethod
    def parse(cls, entry: str) -> AllowRule:
        """Read one entry; ValueError names what is wrong with it."""
        text = entry.strip().lower()
        host, port = _split_port(text)
        if "/" in host or ":" in host or _looks_numeric(host):
            # strict: '10.0.0.1/8' is a typo for something, not a range to guess at.
            return cls(network=ip_network(host, strict=True), port=port)
        if not is_hostname(host):
            raise ValueError(f"allow-list entry {entry!r} is neither a host name nor an address")
        return cls(name=host.removesuffix("."), port=port)

    def allows_name(self, host: str, port: int) -> bool:
        """Whether the rule names this URL host (a name, compared without a trailing dot)."""
        return self.name is not None and self.name == host.removesuffix(".") and self._port(port)

    def allows_address(self, address: IPAddress, port: int) -> bool:
        """Whether the rule's range holds this address (an IPv4-mapped one as its IPv4)."""
        if self.network is None or not self._port(port):
            return False
        if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return address.version == self.network.version and address in self.network

    def _port(self, port: int) -> bool:
        return self.port is None or self.port == port


def _split_port(text: str) -> tuple[str, int | None]:
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise ValueError(f"allow-list entry {text!r} has unbalanced brackets")
        return host, _port_number(rest[1:]) if rest else None
    if text.count(":") == 1:
        host, _, port = text.partition(":")
        return host, _port_number(port)
    return text, None


def _port_number(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"{text!r} is not a port number")
    return int(text)


def _looks_numeric(host: str) -> bool:
    return host.replace(".", "").isdigit()


@dataclass(frozen=True)
class FetchPolicy:
    """Limits and permissions of one kind of fetch (media import, feed import, …).

    `allow` lists hosts or ranges that may be private — for tests and private deployments
    (`"127.0.0.1:8080"`, `"media.internal"`, `"10.20.0.0/16"`). A named host is trusted
    whatever it resolves to; a range lets through the addresses it holds. Cloud metadata
    addresses stay refused whatever the allow-list says.

    `resolver` is the name lookup (the system's by default; tests pass their own);
    `ssl_context` overrides certificate verification settings (e.g. a private CA), never
    turning it off.
    """

    max_bytes: int = 2 * 1024**3
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 3600.0
    max_redirects: int = 5
    allowed_schemes: frozenset[str] = SUPPORTED_SCHEMES
    allow: Sequence[str] = ()
    resolver: Resolver = field(default=resolve_with_system)
    ssl_context: ssl.SSLContext | None = field(default=None, compare=False)
    user_agent: str = "podops-fetch/0.1"
    rules: tuple[AllowRule, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.max_bytes < 0:
            raise ValueError("max_bytes must not be negative")
        if min(self.connect_timeout, self.read_timeout, self.total_timeout) <= 0:
            raise ValueError("timeouts must be positive")
        if self.max_redirects < 0:
            raise ValueError("max_redirects must not be negative")
        if not self.allowed_schemes <= SUPPORTED_SCHEMES:
            unknown = ", ".join(sorted(self.allowed_schemes - SUPPORTED_SCHEMES))
            raise ValueError(f"only http and https can be fetched, not {unknown}")
        # Frozen: parse once here, so a bad entry fails at configuration time, not mid-import.
        object.__setattr__(self, "allow", tuple(self.allow))
        object.__setattr__(self, "rules", tuple(AllowRule.parse(entry) for entry in self.allow))

    def allows_name(self, host: str, port: int) -> bool:
        """Whether an allow-list entry names this host (and port)."""
        return any(rule.allows_name(host, port) for rule in self.rules)

    def allows_address(self, address: IPv4Address | IPv6Address, port: int) -> bool:
        """Whether an allow-list range holds this address (and port)."""
        return any(rule.allows_address(address, port) for rule in self.rules)
