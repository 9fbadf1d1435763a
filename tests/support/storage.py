"""What tests do to a store beyond the service's `Storage` protocol.

Every backend has these methods; the service never calls them, so they are not in the
protocol. Tests reach them through `ConcreteStorage`, or `concrete(storage)` for a store typed
as the protocol (such as the app context's).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, Protocol, runtime_checkable

import pytest

from podops.storage import ObjectStream, Storage, StorageError, StoredObject
from podops.storage import backends as storage_backends


@runtime_checkable
class ConcreteStorage(Storage, Protocol):
    def put_bytes(
        self, key: str, data: bytes, *, content_type: str, cache_control: str | None = None
    ) -> StoredObject:
        """Store `data` under `key`, replacing any object there."""
        ...

    def put_file(
        self, key: str, source: BinaryIO, *, content_type: str, cache_control: str | None = None
    ) -> StoredObject:
        """Store what `source` yields until EOF, read in chunks, never whole into memory.

        An exception raised by `source` itself propagates unchanged and stores nothing.
        """
        ...

    def read_bytes(self, key: str) -> bytes:
        """The whole object; `NotFoundError` when there is none."""
        ...

    def delete(self, key: str) -> None:
        """Remove the object; removing a missing one is not an error."""
        ...

    def list(self, prefix: str = "") -> list[str]:
        """Sorted keys that start with `prefix` (a plain string prefix, as in S3)."""
        ...


def concrete(storage: Storage) -> ConcreteStorage:
    """`storage` as the backend it is, with the methods tests use."""
    assert isinstance(storage, ConcreteStorage), storage
    return storage


@contextmanager
def backends_restored(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Backends registered inside the block are forgotten after it."""
    with monkeypatch.context() as patch:
        patch.setattr(storage_backends, "_BACKENDS", dict(storage_backends._BACKENDS))
        yield


class WatchedStorage:
    """A store (the app's), with every key opened for reading noted, and writes to the keys
    in `failing` refused as a store that is down would refuse them."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self.opened: list[str] = []
        self.failing: set[str] = set()

    def open(self, key: str, *, start: int = 0, end: int | None = None) -> ObjectStream:
        self.opened.append(key)
        return self._storage.open(key, start=start, end=end)

    def put_path(self, key: str, path: Path, **options: Any) -> StoredObject:
        if key in self.failing:
            raise StorageError(f"the store refused {key}")
        return self._storage.put_path(key, path, **options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._storage, name)
