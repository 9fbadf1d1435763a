"""Ranged reads against real local servers: a file's head, without its body."""

from __future__ import annotations

import pytest

from podops.fetch import BlockedAddressError, FetchPolicy, StatusError, TooLargeError, read_range
from podops.fetch.ranged import MAX_RANGE_BYTES, SKIP_LIMIT
from tests.fetch.servers import LocalServer, body, range_body, redirect, status

DATA = bytes(range(256)) * 8192  # 2 MiB, every offset telling


def test_a_range_is_read_from_where_it_starts(server: LocalServer, policy: FetchPolicy) -> None:
    server.routes["/a.mp3"] = range_body(DATA)

    assert read_range(server.url("/a.mp3"), 1000, 300, policy=policy) == DATA[1000:1300]
    assert server.requests[-1].headers["Range"] == "bytes=1000-1299"


def test_a_range_past_the_end_is_cut_or_empty(server: LocalServer, policy: FetchPolicy) -> None:
    server.routes["/a.mp3"] = range_body(DATA)

    assert read_range(server.url("/a.mp3"), len(DATA) - 10, 64, policy=policy) == DATA[-10:]
    assert read_range(server.url("/a.mp3"), len(DATA) + 5, 64, policy=policy) == b""


def test_redirects_are_followed(server: LocalServer, policy: FetchPolicy) -> None:
    server.routes["/a.mp3"] = range_body(DATA)
    server.routes["/moved"] = redirect(server.url("/a.mp3"))

    assert read_range(server.url("/moved"), 7, 9, policy=policy) == DATA[7:16]


def test_a_server_that_ignores_ranges_is_read_through_only_near_the_start(
    server: LocalServer, policy: FetchPolicy
) -> None:
    server.routes["/plain.mp3"] = body(DATA)

    assert read_range(server.url("/plain.mp3"), 0, 100, policy=policy) == DATA[:100]
    assert read_range(server.url("/plain.mp3"), 5000, 100, policy=policy) == DATA[5000:5100]
    with pytest.raises(StatusError, match="ignores byte ranges"):
        read_range(server.url("/plain.mp3"), SKIP_LIMIT + 1, 100, policy=policy)


def test_errors_are_the_fetch_family(server: LocalServer, policy: FetchPolicy) -> None:
    server.routes["/gone"] = status(404)

    with pytest.raises(StatusError, match="answered 404") as raised:
        read_range(server.url("/gone"), 0, 10, policy=policy)
    assert raised.value.url == server.url("/gone")
    with pytest.raises(TooLargeError):
        read_range(server.url("/gone"), 0, MAX_RANGE_BYTES + 1, policy=policy)


def test_a_private_address_is_refused_before_any_request(
    other_server: LocalServer, policy: FetchPolicy
) -> None:
    other_server.routes["/a.mp3"] = range_body(DATA)

    with pytest.raises(BlockedAddressError):
        read_range(other_server.url("/a.mp3"), 0, 10, policy=policy)
    assert other_server.requests == []
