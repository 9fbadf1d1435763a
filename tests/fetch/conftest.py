"""Fixtures of the fetch tests: local servers, policies that admit exactly them, a connect spy."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from podops.fetch import FetchPolicy
from tests.fetch.servers import LocalServer, running

# Short limits keep the failure tests quick; each test that needs one longer says so.
FAST = {"connect_timeout": 1.0, "read_timeout": 0.5, "total_timeout": 5.0}


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with running(LocalServer()) as started:
        yield started


@pytest.fixture
def other_server() -> Iterator[LocalServer]:
    """A second server, on another port that no policy admits."""
    with running(LocalServer()) as started:
        yield started


@pytest.fixture
def policy(server: LocalServer) -> FetchPolicy:
    """Admits `server` (127.0.0.1 on its port) and nothing else private."""
    return FetchPolicy(allow=(server.allow,), **FAST)


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every address any socket in this process tries to connect to, in order."""
    seen: list[Any] = []
    original: Callable[[socket.socket, Any], None] = socket.socket.connect

    def spy(sock: socket.socket, address: Any) -> None:
        seen.append(address[:2])
        original(sock, address)

    monkeypatch.setattr(socket.socket, "connect", spy)
    return seen
