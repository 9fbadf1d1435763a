"""Name resolution for fetches: the system resolver, behind a hook tests can replace."""

from __future__ import annotations

import socket
from collections.abc import Callable, Sequence
from ipaddress import ip_address
from typing import TypeAlias

from podops.fetch.addresses import IPAddress
from podops.fetch.errors import HostNotFoundError, NetworkError

__all__ = ["Resolver", "resolve_with_system"]

# host (IDNA ASCII) and port in, every address the name has out, in connect-preference order.
# A resolver raises HostNotFoundError or NetworkError; an empty answer counts as not found.
Resolver: TypeAlias = Callable[[str, int], Sequence[IPAddress]]


def resolve_with_system(host: str, port: int) -> list[IPAddress]:
    """All addresses `getaddrinfo` gives for `host`, deduplicated, in its order."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        if error.errno == socket.EAI_AGAIN:
            raise NetworkError(f"DNS lookup of {host} failed for now: {error}") from error
        raise HostNotFoundError(f"{host} does not resolve: {error}") from error
    except UnicodeError as error:
        raise HostNotFoundError(f"{host} is not a name that can be looked up") from error
    addresses: list[IPAddress] = []
    for family, _, _, _, sockaddr in answers:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        address = ip_address(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    return addresses
