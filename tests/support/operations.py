"""Waiting for background operations, as an API client does."""

from __future__ import annotations

import time
from typing import Any

import pytest
from starlette.testclient import TestClient


def poll(client: TestClient, location: str, timeout: float = 60) -> dict[str, Any]:
    """GET the operation at `location` until it is no longer Busy; fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        operation = client.get(location).json()
        if operation["status"] != "Busy":
            return dict(operation)
        time.sleep(0.1)
    pytest.fail(f"operation {location} still Busy after {timeout}s")
