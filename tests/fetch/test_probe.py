"""Probes against real local servers: a length and a type from heads alone, no body read."""

from __future__ import annotations

import time

import pytest

from podops.fetch import (
    BlockedAddressError,
    FetchPolicy,
    RetryableStatusError,
    StatusError,
    UnknownLengthError,
    probe_url,
)
from tests.fetch.servers import Handler, LocalServer, Route, body, redirect, status

AUDIO = b"\xff\xfb" * 5000


def head_refused(code: int, then: Route) -> Route:
    """Answers HEAD with `code`; a GET goes to `then`."""

    def route(handler: Handler) -> None:
        if handler.command == "HEAD":
            handler.send_head(code, {"Content-Length": "0"})
        else:
            then(handler)

    return route


def ranged(total: str, content_type: str = "audio/mpeg") -> Route:
    """Answers HEAD without a length, and a GET for a range with 206 and `bytes 0-0/{total}`."""

    def route(handler: Handler) -> None:
        if handler.command == "HEAD":
            handler.send_head(200, {"Content-Type": content_type})
            return
        assert handler.headers["Range"] == "bytes=0-0"
        handler.send_head(
            206,
            {
                "Content-Type": content_type,
                "Content-Range": f"bytes 0-0/{total}",
                "Content-Length": "1",
            },
        )
        handler.write_raw(b"\xff")

    return route


def huge_without_range(declared: int) -> Route:
    """Ignores Range: declares `declared` bytes, sends a few, then waits to be hung up on."""

    def route(handler: Handler) -> None:
        handler.send_head(200, {"Content-Type": "video/mp4", "Content-Length": str(declared)})
        if handler.command == "GET":
            handler.write_raw(b"\0" * 1000)
            handler.stopping.wait(5)

    return route


def no_length(handler: Handler) -> None:
    """Neither HEAD nor GET tells a length; the GET's body ends when the server closes."""
    handler.send_head(200, {"Content-Type": "audio/mpeg"})
    if handler.command == "GET":
        handler.write_raw(b"\0" * 1000)


def test_head_tells_length_and_type(server: LocalServer, policy: FetchPolicy) -> None:
    server.routes["/episode.mp3"] = body(AUDIO)

    found = probe_url(server.url("/episode.mp3"), policy=policy)

    assert found.length == len(AUDIO)
    assert found.content_type == "audio/mpeg"
    assert found.url == server.url("/episode.mp3")
    [seen] = server.requests
    assert seen.method == "HEAD"
    assert seen.headers["Connection"] == "close"
    assert seen.headers["User-Agent"] == policy.user_agent


@pytest.mark.parametrize("code", [405, 501, 403])
def test_a_refused_head_is_followed_by_a_ranged_get(
    server: LocalServer, policy: FetchPolicy, code: int
) -> None:
    server.routes["/episode.m4a"] = head_refused(code, ranged("123456789", "audio/x-m4a"))

    found = probe_url(server.url("/episode.m4a"), policy=policy)

    assert (found.length, found.content_type) == (123456789, "audio/x-m4a")
    assert [seen.method for seen in server.requests] == ["HEAD", "GET"]
    assert server.requests[1].headers["Range"] == "bytes=0-0"


def test_a_head_without_length_is_followed_by_a_ranged_get(
    server: LocalServer, policy: FetchPolicy
) -> None:
    server.routes["/episode.mp3"] = ranged("98765")

    found = probe_url(server.url("/episode.mp3"), policy=policy)

    assert found.length == 98765
    assert [seen.method for seen in server.requests] == ["HEAD", "GET"]


def test_a_server_ignoring_range_is_taken_at_its_length_without_reading_the_body(
    server: LocalServer, policy: FetchPolicy
) -> None:
    # Far beyond the policy's max_bytes, which bounds downloads: a probe receives no body,
    # so it reports the length as it is.
    declared = 50 * 1024**3
    server.routes["/film.mp4"] = head_refused(405, huge_without_range(declared))
    started = time.monotonic()

    found = probe_url(server.url("/film.mp4"), policy=policy)

    assert (found.length, found.content_type) == (declared, "video/mp4")
    assert declared > policy.max_bytes
    assert time.monotonic() - started < 2  # never waited for the rest of the body


def test_redirects_are_followed_to_the_final_url(server: LocalServer, policy: FetchPolicy) -> None:
    server.routes["/short"] = redirect("/media/episode.mp3", 302)
    server.routes["/media/episode.mp3"] = body(AUDIO)

    found = probe_url(server.url("/short"), policy=policy)

    assert found.url == server.url("/media/episode.mp3")
    assert found.length == len(AUDIO)


def test_a_redirect_to_a_blocked_address_is_refused(
    server: LocalServer, other_server: LocalServer, policy: FetchPolicy
) -> None:
    other_server.routes["/secret.mp3"] = body(AUDIO)
    server.routes["/to-other-port"] = redirect(other_server.url("/secret.mp3"))
    server.routes["/to-metadata"] = redirect("http://169.254.169.254/latest/meta-data/")

    for path in ("/to-other-port", "/to-metadata"):
        with pytest.raises(BlockedAddressError) as caught:
            probe_url(server.url(path), policy=policy)
        assert not caught.value.transient
    assert other_server.connections == 0


def test_no_length_anywhere_is_a_permanent_error(server: LocalServer, policy: FetchPolicy) -> None:
    server.routes["/live"] = no_length
    server.routes["/unknown-total"] = ranged("*")

    for path in ("/live", "/unknown-total"):
        with pytest.raises(UnknownLengthError) as caught:
            probe_url(server.url(path), policy=policy)
        assert caught.value.code == "podops.fetch.unknown_length"
        assert not caught.value.transient
        assert "no length" in caught.value.message
        assert caught.value.url == server.url(path)


def test_an_empty_file_is_a_permanent_error(server: LocalServer, policy: FetchPolicy) -> None:
    server.routes["/empty.mp3"] = body(b"")

    with pytest.raises(UnknownLengthError, match="empty"):
        probe_url(server.url("/empty.mp3"), policy=policy)


def test_not_found_is_permanent_and_asks_once(server: LocalServer, policy: FetchPolicy) -> None:
    with pytest.raises(StatusError) as caught:
        probe_url(server.url("/missing.mp3"), policy=policy)

    assert caught.value.code == "podops.fetch.not_found"
    assert not caught.value.transient
    assert [seen.method for seen in server.requests] == ["HEAD"]


def test_a_busy_server_is_transient(server: LocalServer, policy: FetchPolicy) -> None:
    server.routes["/busy.mp3"] = status(503, {"Retry-After": "3"})

    with pytest.raises(RetryableStatusError) as caught:
        probe_url(server.url("/busy.mp3"), policy=policy)

    assert caught.value.transient
    assert caught.value.retry_after == 3.0
