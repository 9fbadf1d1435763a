"""Fixtures for the media prober's tests: files written from bytes built in the tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

WriteMedia = Callable[..., Path]


@pytest.fixture
def media_file(tmp_path: Path) -> WriteMedia:
    """Write bytes to a fresh file and return its path (the name never decides the type)."""
    counter = iter(range(1_000_000))

    def write(data: bytes, name: str = "upload.bin") -> Path:
        path = tmp_path / f"{next(counter)}-{name}"
        path.write_bytes(data)
        return path

    return write
