"""Which addresses a fetch may connect to, and how a URL's host names an address.

`blocked_reason` is deny-by-default for anything special: private, loopback, link-local,
CGNAT, multicast, reserved, unspecified, broadcast, documentation and benchmark ranges, cloud
metadata endpoints, and the IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4,
Teredo) when the embedded address is one of those. Python's own `is_global` is consulted last,
but not relied on: its tables differ between Python versions (3.11 calls 224.0.0.1, fec0::1
and 2002:7f00:1:: global).
"""

from __future__ import annotations

import string
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_network
from typing import TypeAlias

__all__ = [
    "METADATA_ADDRESSES",
    "IPAddress",
    "blocked_reason",
    "is_hostname",
    "is_metadata_address",
    "parse_host_address",
]

IPAddress: TypeAlias = IPv4Address | IPv6Address

# Cloud instance-metadata and platform endpoints: refused even when an allow-list entry covers
# them, since reaching one hands out the worker's cloud credentials.
METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    {
        IPv4Address("169.254.169.254"),  # AWS, GCP, Azure, OCI, DigitalOcean, OpenStack
        IPv4Address("169.254.170.2"),  # AWS ECS task metadata
        IPv4Address("169.254.170.23"),  # AWS EKS pod identity
        IPv4Address("100.100.100.200"),  # Alibaba Cloud
        IPv4Address("192.0.0.192"),  # Oracle Cloud (legacy)
        IPv4Address("168.63.129.16"),  # Azure WireServer: a public address, so named here
        IPv6Address("fd00:ec2::254"),  # AWS IMDS over IPv6
        IPv6Address("fd00:ec2::23"),  # AWS EKS pod identity over IPv6
    }
)


def _table(*rows: tuple[str, str]) -> tuple[tuple[IPv4Network | IPv6Network, str], ...]:
    return tuple((ip_network(cidr), reason) for cidr, reason in rows)


# IANA's IPv4 special-purpose registry, plus multicast and the reserved class E.
_IPV4_BLOCKED = _table(
    ("0.0.0.0/8", "unspecified ('this network')"),
    ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "shared address space (CGNAT)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "IETF protocol assignments"),
    ("192.0.2.0/24", "documentation (TEST-NET-1)"),
    ("192.88.99.0/24", "6to4 relay anycast"),
    ("192.168.0.0/16", "private"),
    ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation (TEST-NET-2)"),
    ("203.0.113.0/24", "documentation (TEST-NET-3)"),
    ("224.0.0.0/4", "multicast"),
    ("255.255.255.255/32", "broadcast"),
    ("240.0.0.0/4", "reserved"),
)

_IPV6_BLOCKED = _table(
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("::/96", "IPv4-compatible (deprecated)"),
    ("64:ff9b:1::/48", "local-use NAT64"),
    ("100::/64", "discard-only"),
    ("2001::/32", "Teredo tunnel"),
    ("2001:db8::/32", "documentation"),
    ("2001::/23", "IETF protocol assignments"),
    ("2002::/16", "6to4 tunnel (deprecated)"),
    ("3fff::/20", "documentation"),
    ("fc00::/7", "unique-local"),
    ("fe80::/10", "link-local"),
    ("fec0::/10", "site-local (deprecated)"),
    ("ff00::/8", "multicast"),
)
_NAT64 = IPv6Network("64:ff9b::/96")
_GLOBAL_UNICAST = IPv6Network("2000::/3")


def is_metadata_address(address: IPAddress) -> bool:
    """Whether the address is a cloud metadata endpoint, directly or embedded in IPv6."""
    if address in METADATA_ADDRESSES:
        return True
    return isinstance(address, IPv6Address) and any(
        v4 in METADATA_ADDRESSES for _, v4 in _embedded_ipv4(address)
    )


def blocked_reason(address: IPAddress) -> str | None:
    """Why no fetch may connect to `address`, or None for a public unicast address."""
    if address in METADATA_ADDRESSES:
        return "cloud metadata endpoint"
    if isinstance(address, IPv4Address):
        return _ipv4_reason(address)
    for form, v4 in _embedded_ipv4(address):
        reason = "cloud metadata endpoint" if v4 in METADATA_ADDRESSES else _ipv4_reason(v4)
        if reason is not None:
            return f"{form} form of {v4}, {reason}"
    if address.ipv4_mapped is not None or address in _NAT64:
        # The embedded IPv4 address is what the packets reach, and it passed above.
        return None
    for network, reason in _IPV6_BLOCKED:
        if address in network:
            return reason
    if address not in _GLOBAL_UNICAST:
        return "reserved (outside global unicast 2000::/3)"
    if not address.is_global:
        return "not globally routable"
    return None


def _ipv4_reason(address: IPv4Address) -> str | None:
    for network, reason in _IPV4_BLOCKED:
        if address in network:
            return reason
    if not address.is_global:
        return "not globally routable"
    return None


def _embedded_ipv4(address: IPv6Address) -> list[tuple[str, IPv4Address]]:
    """The IPv4 addresses an IPv6 address carries, each with the name of its form."""
    found: list[tuple[str, IPv4Address]] = []
    if address.ipv4_mapped is not None:
        found.append(("IPv4-mapped", address.ipv4_mapped))
    if address in _NAT64:
        found.append(("NAT64", IPv4Address(int(address) & 0xFFFFFFFF)))
    if address.sixtofour is not None:
        found.append(("6to4", address.sixtofour))
    if address.teredo is not None:
        server, client = address.teredo
        found.extend([("Teredo", server), ("Teredo", client)])
    return found


def parse_host_address(host: str) -> IPAddress | None:
    """The address a URL host denotes literally, or None when the host is a name.

    IPv4 hosts are read the way browsers (WHATWG URL) and `inet_aton` read them, so every
    spelling of an address is caught: `2130706433`, `0x7f.1`, `017700000001` and `127.1` are
    all 127.0.0.1. A host whose last label is numeric but is no valid address (`1.2.3.4.5`,
    `08.1`) raises ValueError rather than being looked up as a name.
    """
    if ":" in host:
        if "%" in host:
            raise ValueError("IPv6 zone identifiers are not allowed")
        return IPv6Address(host.strip("[]"))
    labels = host.split(".")
    if len(labels) > 1 and labels[-1] == "":
        labels.pop()  # one trailing dot, as in a fully qualified name
    if not _is_ipv4_number(labels[-1]):
        return None
    if len(labels) > 4:
        raise ValueError(f"{host!r} has more than four numeric parts")
    numbers = [_parse_ipv4_number(label) for label in labels]
    *leading, last = numbers
    if any(number > 255 for number in leading) or last >= 256 ** (5 - len(numbers)):
        raise ValueError(f"{host!r} is out of range for an IPv4 address")
    value = last
    for index, number in enumerate(leading):
        value += number * 256 ** (3 - index)
    return IPv4Address(value)


def _is_ipv4_number(label: str) -> bool:
    if label[:2].lower() == "0x":
        return all(c in string.hexdigits for c in label[2:])
    return label != "" and all(c in string.digits for c in label)


def _parse_ipv4_number(label: str) -> int:
    # int() alone would accept '1_0', ' 1' and '+1'; check the digits first.
    if label[:2].lower() == "0x":
        digits, base, allowed = label[2:], 16, string.hexdigits
    elif len(label) > 1 and label.startswith("0"):
        digits, base, allowed = label[1:], 8, string.octdigits
    else:
        digits, base, allowed = label, 10, string.digits
    if label == "" or not all(c in allowed for c in digits):
        raise ValueError(f"{label!r} is not an IPv4 number")
    return int(digits, base) if digits else 0


def is_hostname(host: str) -> bool:
    """Whether `host` is a DNS name in the form URLs carry it (ASCII, IDNA-encoded).

    Underscores are allowed because real media hosts use them; percent signs, spaces and
    the rest are not, so nothing odd reaches the resolver.
    """
    name = host[:-1] if host.endswith(".") else host
    if not name or len(name) > 253:
        return False
    return all(
        0 < len(label) <= 63
        and not label.startswith("-")
        and not label.endswith("-")
        and all(c in _HOSTNAME_CHARACTERS for c in label)
        for label in name.split(".")
    )


_HOSTNAME_CHARACTERS = frozenset(string.ascii_lowercase + string.digits + "-_")
