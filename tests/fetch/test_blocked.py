"""Refusals: every one is decided before any socket connects anywhere."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Sequence
from ipaddress import ip_address
from typing import Any

import pytest

from podops.fetch import (
    BlockedAddressError,
    DeadlineExceededError,
    FetchError,
    FetchPolicy,
    FetchTimeoutError,
    HostNotFoundError,
    InvalidURLError,
    NetworkError,
    Resolver,
    SchemeNotAllowedError,
    fetch_bytes,
    resolve_with_system,
)
from podops.fetch.addresses import IPAddress
from tests.fetch.conftest import FAST
from tests.fetch.servers import LocalServer, body, redirect

# {port} is the test server's, so a refusal that slipped would reach a real listener.
BLOCKED_URLS = [
    "http://127.0.0.1:{port}/",
    "http://10.0.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]:{port}/",
    "http://[::ffff:127.0.0.1]:{port}/",
    "http://0.0.0.0:{port}/",
    "http://0:{port}/",
    "http://2130706433:{port}/",
    "http://0x7f.1:{port}/",
    "http://0x7f000001:{port}/",
    "http://017700000001:{port}/",
    "http://127.1:{port}/",
    "http://127.0.0.1.:{port}/",
    "http://100.64.0.1/",
    "http://100.100.100.200/latest/meta-data/",
    "http://224.0.0.1/",
    "http://255.255.255.255/",
    "http://192.168.1.1/",
    "http://172.16.0.1/",
    "http://198.18.0.1/",
    "http://192.0.2.1/",
    "http://[64:ff9b::7f00:1]:{port}/",  # NAT64 of 127.0.0.1
    "http://[2002:7f00:1::]:{port}/",  # 6to4 of 127.0.0.1
    "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",  # Teredo, client 127.0.0.1
    "http://[::127.0.0.1]:{port}/",  # IPv4-compatible
    "http://[fe80::1]/",
    "http://[fec0::1]/",
    "http://[fc00::1]/",
    "http://[fd00:ec2::254]/",
    "http://[ff02::1]/",
    "http://[::]:{port}/",
    "HTTP://LOCALHOST:{port}/",
]


@pytest.mark.parametrize("template", BLOCKED_URLS)
def test_private_and_special_addresses_are_refused_without_connecting(
    server: LocalServer, connects: list[Any], template: str
) -> None:
    server.routes["/"] = body(b"secret")
    url = template.format(port=server.port)

    with pytest.raises(BlockedAddressError) as caught:
        fetch_bytes(url, policy=FetchPolicy(**FAST))

    assert caught.value.code == "podops.fetch.blocked_address"
    assert not caught.value.transient
    assert caught.value.url is not None
    assert connects == []
    assert server.connections == 0


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/file.mp3",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_INFO",
        "javascript:alert(1)",
        "//example.com/relative.mp3",
    ],
)
def test_other_schemes_are_refused(connects: list[Any], url: str) -> None:
    with pytest.raises(SchemeNotAllowedError) as caught:
        fetch_bytes(url, policy=FetchPolicy(**FAST))
    assert caught.value.code == "podops.fetch.scheme_not_allowed"
    assert connects == []


@pytest.mark.parametrize(
    "url",
    [
        "http://user:secret@example.com/a.mp3",
        "http://user@example.com/a.mp3",
        "http://evil.example\\@127.0.0.1/",
        "http://1.2.3.4.5/",
        "http://08.1/",
        "http://256.0.0.1/",
        "http://0x1ffffffff/",
        "http://%31%32%37.0.0.1/",
        "http://exa mple.com/",
        "http://example.com:0/",
        "http://example.com:99999/",
        "http://[fe80::1%25eth0]/",
        "http:///path-only",
        "not a url at all",
    ],
)
def test_malformed_urls_are_refused(connects: list[Any], url: str) -> None:
    with pytest.raises(InvalidURLError) as caught:
        fetch_bytes(url, policy=FetchPolicy(**FAST))
    assert not caught.value.transient
    assert connects == []


def test_metadata_stays_blocked_even_when_its_range_is_allowed(connects: list[Any]) -> None:
    policy = FetchPolicy(allow=("169.254.0.0/16", "metadata.google.internal"), **FAST)

    with pytest.raises(BlockedAddressError, match="metadata"):
        fetch_bytes("http://169.254.169.254/computeMetadata/v1/", policy=policy)

    resolver = fixed({"metadata.google.internal": ["169.254.169.254"]})
    with pytest.raises(BlockedAddressError, match="metadata"):
        fetch_bytes(
            "http://metadata.google.internal/",
            policy=FetchPolicy(allow=policy.allow, resolver=resolver, **FAST),
        )
    assert connects == []


def test_localhost_resolves_to_loopback_and_is_refused(
    server: LocalServer, connects: list[Any]
) -> None:
    server.routes["/"] = body(b"secret")

    with pytest.raises(BlockedAddressError, match="localhost"):
        fetch_bytes(server.url("/", host="localhost"), policy=FetchPolicy(**FAST))
    assert connects == []
    assert server.connections == 0


@pytest.mark.parametrize(
    "answers",
    [
        ["10.1.2.3"],
        ["192.168.0.10"],
        ["fd12:3456::1"],
        # One public address is not enough: every address the name has must pass.
        ["93.184.215.14", "10.1.2.3"],
        ["2606:2800:21f:cb07:6820:80da:af6b:8b2c", "::1"],
    ],
)
def test_name_resolving_to_a_private_address_is_refused(
    connects: list[Any], answers: list[str]
) -> None:
    policy = FetchPolicy(resolver=fixed({"media.example": answers}), **FAST)

    with pytest.raises(BlockedAddressError, match=r"media\.example"):
        fetch_bytes("http://media.example/episode.mp3", policy=policy)
    assert connects == []


def test_name_without_addresses_is_not_found(connects: list[Any]) -> None:
    policy = FetchPolicy(resolver=fixed({}), **FAST)

    with pytest.raises(HostNotFoundError) as caught:
        fetch_bytes("http://nowhere.example/", policy=policy)
    assert not caught.value.transient
    assert connects == []


@pytest.mark.parametrize(
    ("errno", "error"),
    [(socket.EAI_NONAME, HostNotFoundError), (socket.EAI_AGAIN, NetworkError)],
)
def test_system_resolver_failures_are_classified(
    monkeypatch: pytest.MonkeyPatch, connects: list[Any], errno: int, error: type[FetchError]
) -> None:
    def failing(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(errno, "lookup failed")

    monkeypatch.setattr(socket, "getaddrinfo", failing)

    with pytest.raises(error):
        fetch_bytes("http://media.example/", policy=FetchPolicy(**FAST))
    assert connects == []


@pytest.fixture
def silent_dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """A system resolver whose name server never answers (until the test ends)."""
    answered = threading.Event()

    def hanging(*args: Any, **kwargs: Any) -> Any:
        answered.wait(60)
        raise socket.gaierror(socket.EAI_AGAIN, "timed out")

    monkeypatch.setattr(socket, "getaddrinfo", hanging)
    yield answered
    answered.set()


def test_a_name_server_that_never_answers_times_out_at_the_connect_timeout(
    silent_dns: threading.Event, connects: list[Any]
) -> None:
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError, match=r"DNS lookup of media\.example") as caught:
        fetch_bytes("http://media.example/", policy=FetchPolicy(**FAST))
    waited = time.monotonic() - started
    assert FAST["connect_timeout"] <= waited < FAST["connect_timeout"] + 2
    assert caught.value.transient  # worth a retry: the name server may answer later
    assert connects == []


def test_a_lookup_never_outlasts_the_total_deadline(
    silent_dns: threading.Event, connects: list[Any]
) -> None:
    policy = FetchPolicy(**{**FAST, "connect_timeout": 30.0, "total_timeout": 0.5})
    started = time.monotonic()
    with pytest.raises(DeadlineExceededError):
        fetch_bytes("http://media.example/", policy=policy)
    assert time.monotonic() - started < 2.5
    assert connects == []


def test_a_resolver_failure_comes_through_the_lookup_thread(connects: list[Any]) -> None:
    def refusing(host: str, port: int) -> Sequence[IPAddress]:
        raise HostNotFoundError(f"{host} is unknown here")

    with pytest.raises(HostNotFoundError, match="unknown here"):
        fetch_bytes("http://media.example/", policy=FetchPolicy(resolver=refusing, **FAST))
    assert connects == []


def test_system_resolver_returns_every_address_once_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = [
        (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("2001:db8::1", 80, 0, 0)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.0.2.1", 80)),
        (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("2001:db8::1", 80, 0, 0)),
    ]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answers)

    assert resolve_with_system("media.example", 80) == [
        ip_address("2001:db8::1"),
        ip_address("192.0.2.1"),
    ]


def test_redirect_to_a_private_address_is_refused(
    server: LocalServer, other_server: LocalServer, policy: FetchPolicy, connects: list[Any]
) -> None:
    other_server.routes["/"] = body(b"secret")
    server.routes["/to-other-port"] = redirect(other_server.url("/"))
    server.routes["/to-metadata"] = redirect("http://169.254.169.254/latest/meta-data/")
    server.routes["/to-localhost"] = redirect(other_server.url("/", host="localhost"))
    server.routes["/to-decimal"] = redirect(f"http://2130706433:{other_server.port}/")
    server.routes["/to-file"] = redirect("file:///etc/passwd")

    for path in ["/to-other-port", "/to-metadata", "/to-localhost", "/to-decimal"]:
        with pytest.raises(BlockedAddressError) as caught:
            fetch_bytes(server.url(path), policy=policy)
        assert caught.value.url is not None
        assert caught.value.url != server.url(path)  # names the hop that was refused
    with pytest.raises(SchemeNotAllowedError):
        fetch_bytes(server.url("/to-file"), policy=policy)

    assert other_server.connections == 0
    assert {address[1] for address in connects} == {server.port}


def test_allowed_name_may_resolve_to_a_private_address(server: LocalServer) -> None:
    server.routes["/a.mp3"] = body(b"audio")
    policy = FetchPolicy(
        allow=("media.internal",), resolver=fixed({"media.internal": ["127.0.0.1"]}), **FAST
    )

    content, result = fetch_bytes(server.url("/a.mp3", host="media.internal"), policy=policy)

    assert content == b"audio"
    assert server.requests[0].host == f"media.internal:{server.port}"
    assert result.remote_address == "127.0.0.1"


def test_allow_entry_with_a_port_admits_only_that_port(
    server: LocalServer, other_server: LocalServer
) -> None:
    server.routes["/"] = body(b"ok")
    other_server.routes["/"] = body(b"secret")
    policy = FetchPolicy(allow=(server.allow,), **FAST)

    assert fetch_bytes(server.url("/"), policy=policy)[0] == b"ok"
    with pytest.raises(BlockedAddressError):
        fetch_bytes(other_server.url("/"), policy=policy)
    assert other_server.connections == 0


def fixed(table: dict[str, list[str]]) -> Resolver:
    """A resolver answering from `table` (no answer: an empty list)."""

    def resolve(host: str, port: int) -> Sequence[IPAddress]:
        return [ip_address(text) for text in table.get(host, [])]

    return resolve
