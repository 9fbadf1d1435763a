"""In-memory storage double for tests: a dict behind a lock, same contract as the rest.

Not registered under a URL scheme: a process that kept its media in memory would lose it, and
its workers would never see it. Tests build it directly.
"""

from __future__ import annotations

import hashlib
import io
import threading
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from podops.storage import (
    NotFoundError,
    ObjectStream,
    StoredObject,
    validate_key,
    validate_metadata,
    validate_prefix,
)
from podops.storage._ranges import is_range, unsatisfiable

_CHUNK_BYTES = 1024 * 1024


class MemoryStorage:
    """Objects kept in a dict; each instance starts empty."""

    def __init__(self, *, public_base_url: str = "") -> None:
        self._public_base_url = public_base_url.rstrip("/")
        self._objects: dict[str, tuple[StoredObject, bytes]] = {}
        # The web process calls storage from a threadpool; `list` iterates the dict.
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return "MemoryStorage()"

    def put_bytes(
        self, key: str, data: bytes, *, content_type: str, cache_control: str | None = None
    ) -> StoredObject:
        validate_key(key)
        return self._store(key, bytes(data), content_type)

    def put_file(
        self, key: str, source: BinaryIO, *, content_type: str, cache_control: str | None = None
    ) -> StoredObject:
        validate_key(key)
        chunks = []
        while chunk := source.read(_CHUNK_BYTES):
            chunks.append(chunk)
        # Stored only once the source is exhausted, so a failing source leaves the old object.
        return self._store(key, b"".join(chunks), content_type)

    def put_path(
        self,
        key: str,
        path: Path,
        *,
        content_type: str,
        cache_control: str | None = None,
        content_encoding: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> StoredObject:
        validate_key(key)
        checked = validate_metadata(metadata)
        stored = self._store(key, path.read_bytes(), content_type, checked)
        path.unlink()
        return stored

    def head(self, key: str) -> StoredObject:
        return self._get(key)[0]

    def open(self, key: str, *, start: int = 0, end: int | None = None) -> ObjectStream:
        ranged = is_range(start, end)
        data = self._get(key)[1]
        if ranged and start >= len(data):
            raise unsatisfiable(key, start, end, len(data))
        return io.BytesIO(data[start:] if end is None else data[start : end + 1])

    def read_bytes(self, key: str) -> bytes:
        return self._get(key)[1]

    def exists(self, key: str) -> bool:
        validate_key(key)
        with self._lock:
            return key in self._objects

    def delete(self, key: str) -> None:
        validate_key(key)
        with self._lock:
            self._objects.pop(key, None)

    def move(self, key: str, to: str) -> None:
        validate_key(to)
        stored, data = self._get(key)
        with self._lock:
            self._objects[to] = (replace(stored, key=to), data)
            self._objects.pop(key, None)

    def list(self, prefix: str = "") -> list[str]:
        validate_prefix(prefix)
        with self._lock:
            return sorted(key for key in self._objects if key.startswith(prefix))

    def public_url(self, key: str) -> str | None:
        validate_key(key)
        if not self._public_base_url:
            return None
        return f"{self._public_base_url}/{quote(key)}"

    def check(self) -> None:
        """Always ready."""

    def _store(
        self, key: str, data: bytes, content_type: str, metadata: Mapping[str, str] | None = None
    ) -> StoredObject:
        # MD5 of the content, quoted: what S3 gives for a single-part upload.
        digest = hashlib.md5(data, usedforsecurity=False).hexdigest()
        stored = StoredObject(
            key=key,
            size=len(data),
            etag=f'"{digest}"',
            last_modified=int(time.time()),
            content_type=content_type,
            metadata=dict(metadata or {}),
        )
        with self._lock:
            self._objects[key] = (stored, data)
        return stored

    def _get(self, key: str) -> tuple[StoredObject, bytes]:
        validate_key(key)
        with self._lock:
            found = self._objects.get(key)
        if found is None:
            raise NotFoundError(f"no object {key!r} in memory storage")
        return found
