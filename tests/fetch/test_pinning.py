"""The connection goes to the address that was checked — and TLS still checks the name."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import pytest

from podops.fetch import BlockedAddressError, FetchPolicy, TLSError, fetch_bytes
from podops.fetch.addresses import IPAddress
from tests.fetch.conftest import FAST
from tests.fetch.servers import (
    Certificates,
    LocalServer,
    body,
    make_certificates,
    redirect,
    running,
)


class RebindingResolver:
    """Answers the first lookup with `first`, every later one with `then` — DNS rebinding."""

    def __init__(self, first: str, then: str) -> None:
        self.answers = [first, then]
        self.calls: list[str] = []

    def __call__(self, host: str, port: int) -> Sequence[IPAddress]:
        self.calls.append(host)
        return [ip_address(self.answers[min(len(self.calls) - 1, 1)])]


def test_connects_to_the_vetted_address_not_a_second_lookup(
    server: LocalServer, connects: list[Any]
) -> None:
    server.routes["/a.mp3"] = body(b"audio")
    resolver = RebindingResolver("127.0.0.1", "169.254.169.254")
    policy = FetchPolicy(allow=(server.allow,), resolver=resolver, **FAST)

    content, result = fetch_bytes(server.url("/a.mp3", host="rebind.example"), policy=policy)

    assert content == b"audio"
    assert resolver.calls == ["rebind.example"]  # looked up once, for the check
    assert connects == [("127.0.0.1", server.port)]
    assert result.remote_address == "127.0.0.1"
    # The name stays the name: the server sees the original Host.
    assert server.requests[0].host == f"rebind.example:{server.port}"


def test_every_redirect_is_looked_up_and_checked_again(
    server: LocalServer, connects: list[Any]
) -> None:
    server.routes["/first"] = redirect(server.url("/second", host="rebind.example"))
    server.routes["/second"] = body(b"secret")
    resolver = RebindingResolver("127.0.0.1", "169.254.169.254")
    policy = FetchPolicy(allow=(server.allow,), resolver=resolver, **FAST)

    with pytest.raises(BlockedAddressError, match="metadata"):
        fetch_bytes(server.url("/first", host="rebind.example"), policy=policy)

    assert resolver.calls == ["rebind.example", "rebind.example"]
    assert [seen.path for seen in server.requests] == ["/first"]
    assert connects == [("127.0.0.1", server.port)]


def test_tries_the_next_vetted_address_when_one_refuses(
    server: LocalServer, connects: list[Any]
) -> None:
    server.routes["/a.mp3"] = body(b"audio")
    # The server listens on 127.0.0.1 only: 127.0.0.2 refuses, as an unreachable IPv6 would.
    policy = FetchPolicy(
        allow=("127.0.0.0/8",),
        resolver=lambda host, port: [ip_address("127.0.0.2"), ip_address("127.0.0.1")],
        **FAST,
    )

    _, result = fetch_bytes(server.url("/a.mp3", host="media.example"), policy=policy)

    assert result.remote_address == "127.0.0.1"
    assert connects == [("127.0.0.2", server.port), ("127.0.0.1", server.port)]


@pytest.fixture
def certificates(tmp_path: Path) -> Certificates:
    return make_certificates(tmp_path, "media.example")


@pytest.fixture
def tls_server(certificates: Certificates) -> Iterator[LocalServer]:
    with running(LocalServer(tls=certificates.server_context)) as started:
        yield started


def test_tls_verifies_the_host_name_while_connecting_to_the_pinned_address(
    tls_server: LocalServer, certificates: Certificates, connects: list[Any]
) -> None:
    tls_server.routes["/a.mp3"] = body(b"secure audio")
    policy = FetchPolicy(
        allow=(tls_server.allow,),
        resolver=lambda host, port: [ip_address("127.0.0.1")],
        ssl_context=certificates.client_context(),
        **FAST,
    )

    content, result = fetch_bytes(tls_server.url("/a.mp3", host="media.example"), policy=policy)

    assert content == b"secure audio"
    assert result.url == tls_server.url("/a.mp3", host="media.example")
    assert certificates.server_names == ["media.example"]  # SNI carried the name
    assert connects == [("127.0.0.1", tls_server.port)]
    assert tls_server.requests[0].host == f"media.example:{tls_server.port}"


def test_tls_refuses_a_certificate_for_another_name(
    tls_server: LocalServer, certificates: Certificates
) -> None:
    tls_server.routes["/a.mp3"] = body(b"audio")
    policy = FetchPolicy(
        allow=(tls_server.allow,),
        resolver=lambda host, port: [ip_address("127.0.0.1")],
        ssl_context=certificates.client_context(),
        **FAST,
    )

    with pytest.raises(TLSError) as caught:
        fetch_bytes(tls_server.url("/a.mp3", host="other.example"), policy=policy)
    assert not caught.value.transient
    assert tls_server.requests == []


def test_tls_refuses_an_untrusted_certificate(tls_server: LocalServer) -> None:
    tls_server.routes["/a.mp3"] = body(b"audio")
    policy = FetchPolicy(
        allow=(tls_server.allow,), resolver=lambda host, port: [ip_address("127.0.0.1")], **FAST
    )

    with pytest.raises(TLSError, match=r"media\.example"):
        fetch_bytes(tls_server.url("/a.mp3", host="media.example"), policy=policy)
    assert tls_server.requests == []
