"""Name resolution for fetches: the system resolver, behind a hook tests can replace."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Sequence
from ipaddress import ip_address
from typing import TypeAlias

from podops.fetch.addresses import IPAddress
from podops.fetch.errors import FetchTimeoutError, HostNotFoundError, NetworkError

__all__ = ["Resolver", "resolve_with_system", "resolve_within"]

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


def resolve_within(resolver: Resolver, host: str, port: int, timeout: float) -> Sequence[IPAddress]:
    """`resolver(host, port)`, or `FetchTimeoutError` once `timeout` seconds have passed.

    `getaddrinfo` takes no timeout and cannot be interrupted: a name server that never
    answers would hold a fetch (and its worker) for as long as the system resolver retries,
    past every deadline of the fetch. The lookup runs on a daemon thread of its own instead;
    after a timeout it is left to finish (the system resolver gives up by itself) and its
    answer is dropped.
    """
    answer: list[Sequence[IPAddress]] = []
    failure: list[BaseException] = []

    def look_up() -> None:
        try:
            answer.append(resolver(host, port))
        except BaseException as error:  # handed to the waiting thread
            failure.append(error)

    lookup = threading.Thread(target=look_up, name=f"resolve {host}", daemon=True)
    lookup.start()
    lookup.join(max(timeout, 0.0))
    if failure:
        raise failure[0]
    if not answer:
        raise FetchTimeoutError(f"the DNS lookup of {host} took longer than {timeout:.3g} s")
    return answer[0]
