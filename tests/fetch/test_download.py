"""Downloads against real local servers: the good case, and every way a server can misbehave."""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import socket
import sys
import time
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

import pytest

from podops.fetch import (
    DeadlineExceededError,
    FetchPolicy,
    FetchTimeoutError,
    LengthMismatchError,
    NetworkError,
    RetryableStatusError,
    StatusError,
    TooLargeError,
    TooManyRedirectsError,
    fetch_bytes,
    fetch_to_file,
)
from tests.fetch.servers import (
    LocalServer,
    body,
    chunked,
    endless,
    hang_up,
    lying_length,
    redirect,
    silent,
    status,
)
from tests.support.processes import free_port

AUDIO = os.urandom(300_000)


def test_download_into_a_file(server: LocalServer, policy: FetchPolicy, tmp_path: Path) -> None:
    server.routes["/episode.mp3"] = body(AUDIO)
    destination = tmp_path / "episode.mp3"

    result = fetch_to_file(server.url("/episode.mp3"), destination, policy=policy)

    assert destination.read_bytes() == AUDIO
    assert result.sha256 == hashlib.sha256(AUDIO).hexdigest()
    assert result.bytes_received == len(AUDIO)
    assert result.status == 200
    assert result.content_type == "audio/mpeg"
    assert result.url == server.url("/episode.mp3")
    assert result.redirects == ()
    assert result.remote_address == "127.0.0.1"
    [seen] = server.requests
    assert seen.host == f"127.0.0.1:{server.port}"
    assert seen.headers["Accept-Encoding"] == "identity"


def test_download_into_an_open_file(server: LocalServer, policy: FetchPolicy) -> None:
    server.routes["/a.mp3"] = body(AUDIO)
    sink = io.BytesIO()

    result = fetch_to_file(server.url("/a.mp3"), sink, policy=policy)

    assert sink.getvalue() == AUDIO
    assert result.bytes_received == len(AUDIO)


def test_progress_is_told_as_the_body_arrives(server: LocalServer, policy: FetchPolicy) -> None:
    mib = 1024 * 1024
    large = os.urandom(8 * mib + 123)
    server.routes["/large.mp3"] = body(large)
    sink = io.BytesIO()
    told: list[tuple[int, int | None]] = []

    fetch_to_file(
        server.url("/large.mp3"), sink, policy=policy, on_progress=lambda *at: told.append(at)
    )

    assert sink.getvalue() == large
    # Told after each batch of 1 to 2 MiB (network reads gathered to at least 1 MiB).
    received = [0, *(done for done, _ in told)]
    gaps = [later - earlier for earlier, later in itertools.pairwise(received)]
    assert all(0 < gap < 2 * mib for gap in gaps), gaps
    assert len(large) - received[-1] < 2 * mib
    assert {declared for _, declared in told} == {len(large)}


def test_fetch_bytes_for_a_feed(server: LocalServer, policy: FetchPolicy) -> None:
    feed = b"<?xml version='1.0'?><rss version='2.0'><channel/></rss>"
    server.routes["/feed.xml"] = body(feed, "application/rss+xml")

    content, result = fetch_bytes(server.url("/feed.xml"), policy=policy)

    assert content == feed
    assert result.content_type == "application/rss+xml"


def test_fetch_bytes_keeps_to_its_own_limit(server: LocalServer, policy: FetchPolicy) -> None:
    server.routes["/feed.xml"] = body(b"x" * 2000)

    with pytest.raises(TooLargeError):
        fetch_bytes(server.url("/feed.xml"), policy=policy, max_bytes=1000)


def test_chunked_body_is_received_whole(server: LocalServer, policy: FetchPolicy) -> None:
    parts = [os.urandom(1000) for _ in range(5)]
    server.routes["/chunked"] = chunked(parts)

    content, result = fetch_bytes(server.url("/chunked"), policy=policy)

    assert content == b"".join(parts)
    assert result.sha256 == hashlib.sha256(content).hexdigest()


def test_redirects_are_followed_and_reported(server: LocalServer, policy: FetchPolicy) -> None:
    server.routes["/old"] = redirect("/moved", 301)
    server.routes["/moved"] = redirect(server.url("/final"), 307)
    server.routes["/final"] = body(AUDIO)

    content, result = fetch_bytes(server.url("/old"), policy=policy, max_bytes=len(AUDIO))

    assert content == AUDIO
    assert result.url == server.url("/final")
    assert result.redirects == (server.url("/moved"), server.url("/final"))


def test_five_redirects_are_allowed_six_are_not(server: LocalServer, policy: FetchPolicy) -> None:
    for hop in range(6):
        server.routes[f"/r{hop}"] = redirect(f"/r{hop + 1}")
    server.routes["/r6"] = body(b"end")

    _, result = fetch_bytes(server.url("/r1"), policy=policy)
    assert len(result.redirects) == 5

    with pytest.raises(TooManyRedirectsError) as caught:
        fetch_bytes(server.url("/r0"), policy=policy)
    assert not caught.value.transient
    assert caught.value.code == "podops.fetch.too_many_redirects"


def test_redirect_without_location_is_permanent(server: LocalServer, policy: FetchPolicy) -> None:
    server.routes["/nowhere"] = status(302)

    with pytest.raises(StatusError) as caught:
        fetch_bytes(server.url("/nowhere"), policy=policy)
    assert not caught.value.transient


@pytest.mark.parametrize("code", [404, 410])
def test_not_found_is_permanent(server: LocalServer, policy: FetchPolicy, code: int) -> None:
    server.routes["/gone"] = status(code)

    with pytest.raises(StatusError) as caught:
        fetch_bytes(server.url("/gone"), policy=policy)
    assert caught.value.status == code
    assert caught.value.code == "podops.fetch.not_found"
    assert not caught.value.transient
    assert caught.value.url == server.url("/gone")


@pytest.mark.parametrize("code", [400, 401, 403, 204, 206])
def test_other_statuses_are_permanent(server: LocalServer, policy: FetchPolicy, code: int) -> None:
    server.routes["/no"] = status(code)

    with pytest.raises(StatusError) as caught:
        fetch_bytes(server.url("/no"), policy=policy)
    assert caught.value.code == "podops.fetch.http_status"
    assert not caught.value.transient


@pytest.mark.parametrize("code", [408, 429, 500, 502, 503, 504])
def test_busy_statuses_are_transient(server: LocalServer, policy: FetchPolicy, code: int) -> None:
    server.routes["/busy"] = status(code, {"Retry-After": "7"})

    with pytest.raises(RetryableStatusError) as caught:
        fetch_bytes(server.url("/busy"), policy=policy)
    assert caught.value.transient
    assert caught.value.status == code
    assert caught.value.retry_after == 7.0


def test_retry_after_as_a_date(server: LocalServer, policy: FetchPolicy) -> None:
    server.routes["/busy"] = status(503, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})

    with pytest.raises(RetryableStatusError) as caught:
        fetch_bytes(server.url("/busy"), policy=policy)
    assert caught.value.retry_after == 0.0  # a date in the past: retry when you like


def test_server_that_never_answers_times_out(server: LocalServer, policy: FetchPolicy) -> None:
    server.routes["/silent"] = silent
    started = time.monotonic()

    with pytest.raises(FetchTimeoutError) as caught:
        fetch_bytes(server.url("/silent"), policy=policy)
    assert caught.value.transient
    assert time.monotonic() - started < 2 * policy.read_timeout + 0.5


def test_server_that_never_stops_sending_hits_the_size_cap(
    server: LocalServer, policy: FetchPolicy, tmp_path: Path
) -> None:
    server.routes["/endless"] = endless(b"\0" * 65536)
    destination = tmp_path / "endless.mp3"

    with pytest.raises(TooLargeError) as caught:
        fetch_to_file(
            server.url("/endless"), destination, policy=replace(policy, max_bytes=1_000_000)
        )
    assert not caught.value.transient
    assert not destination.exists()  # a failed fetch leaves nothing behind


def test_server_that_trickles_forever_hits_the_deadline(
    server: LocalServer, policy: FetchPolicy
) -> None:
    # Each byte comes well within the read timeout; only the total deadline can stop this.
    server.routes["/trickle"] = endless(b"x", pause=0.02)
    started = time.monotonic()

    with pytest.raises(DeadlineExceededError) as caught:
        fetch_bytes(server.url("/trickle"), policy=replace(policy, total_timeout=0.6))
    assert caught.value.transient
    assert time.monotonic() - started < 1.5


def test_declared_size_over_the_cap_is_refused_before_the_body(
    server: LocalServer, policy: FetchPolicy
) -> None:
    server.routes["/huge"] = lying_length(10_000_000_000, b"")

    with pytest.raises(TooLargeError, match="declares 10000000000 bytes"):
        fetch_bytes(server.url("/huge"), policy=policy)


def test_body_shorter_than_declared(server: LocalServer, policy: FetchPolicy) -> None:
    server.routes["/short"] = lying_length(1000, b"x" * 500)

    with pytest.raises(LengthMismatchError) as caught:
        fetch_bytes(server.url("/short"), policy=policy)
    assert not caught.value.transient
    assert "closed after 500" in caught.value.message


def test_body_longer_than_declared(server: LocalServer, policy: FetchPolicy) -> None:
    server.routes["/long"] = lying_length(100, b"x" * 200)

    with pytest.raises(LengthMismatchError):
        fetch_bytes(server.url("/long"), policy=policy)


def test_body_longer_than_declared_arriving_late(server: LocalServer, policy: FetchPolicy) -> None:
    server.routes["/late"] = lying_length(100, b"x" * 100, later=b"surprise")

    with pytest.raises(LengthMismatchError):
        fetch_bytes(server.url("/late"), policy=policy)


def test_failed_file_download_leaves_no_file(
    server: LocalServer, policy: FetchPolicy, tmp_path: Path
) -> None:
    server.routes["/short"] = lying_length(1000, b"x" * 500)
    destination = tmp_path / "partial.mp3"

    with pytest.raises(LengthMismatchError):
        fetch_to_file(server.url("/short"), destination, policy=policy)
    assert not destination.exists()


def test_connection_refused_is_transient(policy: FetchPolicy) -> None:
    port = free_port()  # nothing listens here

    with pytest.raises(NetworkError) as caught:
        fetch_bytes(
            f"http://127.0.0.1:{port}/", policy=replace(policy, allow=(f"127.0.0.1:{port}",))
        )
    assert caught.value.transient


@pytest.mark.skipif(sys.platform != "linux", reason="relies on Linux dropping SYNs")
def test_server_that_never_accepts_times_out_on_connect(policy: FetchPolicy) -> None:
    # Linux drops new SYNs once a listener's accept queue is full: connecting then hangs.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        with ExitStack() as fillers:
            for _ in range(8):
                filler = fillers.enter_context(socket.socket())
                filler.settimeout(0.2)
                try:
                    filler.connect(("127.0.0.1", port))
                except TimeoutError:
                    break
            else:
                pytest.skip("the accept queue never filled up")
            started = time.monotonic()

            with pytest.raises(FetchTimeoutError, match="connect timeout") as caught:
                fetch_bytes(
                    f"http://127.0.0.1:{port}/",
                    policy=replace(policy, allow=(f"127.0.0.1:{port}",), connect_timeout=0.3),
                )
    assert caught.value.transient
    assert time.monotonic() - started < 1.5


def test_hang_up_without_response_is_transient(server: LocalServer, policy: FetchPolicy) -> None:
    server.routes["/hangup"] = hang_up

    with pytest.raises(NetworkError) as caught:
        fetch_bytes(server.url("/hangup"), policy=policy)
    assert caught.value.transient


@pytest.mark.parametrize("value", ["²", "1" * 5000, "-5", "7.5"])
def test_a_retry_after_that_is_not_whole_ascii_seconds_is_ignored(
    server: LocalServer, policy: FetchPolicy, value: str
) -> None:
    """A hostile server's header is untrusted input: `isdigit()` took "²" (and `float` then
    raised), and 5,000 digits are no delay."""
    server.routes["/busy"] = status(503, {"Retry-After": value})
    with pytest.raises(RetryableStatusError) as caught:
        fetch_bytes(server.url("/busy"), policy=policy)
    assert caught.value.retry_after is None
