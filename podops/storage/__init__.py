"""Where media and feeds are kept: one `Storage` protocol, backends chosen by URL.

    file:///abs/path          local directory (the embedded default)
    s3://bucket[/prefix]      S3 or an S3-compatible store, through boto3
    memory://                 in-memory double, for unit tests only

Exceptions — every backend turns its own errors into these two:

    StorageError              the store failed or refused: unreachable, denied, full,
     │                        a bad key, a bad storage URL, an unsatisfiable range
     └── NotFoundError        no object has this key

Keys are relative POSIX paths composed by the service (`validate_key` says exactly which are
accepted; every backend applies the same rule). All methods are synchronous: the web process
calls them from a threadpool.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Protocol
from urllib.parse import unquote, urlsplit

__all__ = [
    "NotFoundError",
    "ObjectStream",
    "Storage",
    "StorageError",
    "StoredObject",
    "is_valid_key",
    "open_storage",
    "validate_key",
    "validate_prefix",
]

# S3's own limit on a key; the local backend also keeps each segment within NAME_MAX.
MAX_KEY_BYTES = 1024
MAX_SEGMENT_BYTES = 255
DEFAULT_CONTENT_TYPE = "application/octet-stream"


class StorageError(Exception):
    """The store failed or refused an operation; the message names the store and the key."""


class NotFoundError(StorageError):
    """No object is stored under the key."""


@dataclass(frozen=True)
class StoredObject:
    """What the store knows about one object.

    `etag` is a quoted strong entity tag, ready for an `ETag` header; `last_modified` is in
    integer Unix seconds.
    """

    key: str
    size: int
    etag: str
    last_modified: int
    content_type: str


class ObjectStream(Protocol):
    """A readable binary stream returned by `Storage.open`; close it (or use `with`)."""

    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...

    def __enter__(self) -> ObjectStream: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


class Storage(Protocol):
    """A flat store of objects keyed by relative POSIX paths.

    Writes are atomic: a reader sees the whole old object or the whole new one, never a part.
    Every method raises `StorageError` for a key `validate_key` refuses.
    """

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

    def put_path(
        self, key: str, path: Path, *, content_type: str, cache_control: str | None = None
    ) -> StoredObject:
        """Store the finished file at `path`, which the store may take over (move) or copy.

        The caller must not use `path` afterwards. Local storage renames the file into place
        when it is on the same filesystem, so a large upload is not copied a second time.
        """
        ...

    def head(self, key: str) -> StoredObject:
        """Describe the object under `key`; `NotFoundError` when there is none."""
        ...

    def open(self, key: str) -> ObjectStream:
        """Open the object for reading; `NotFoundError` when there is none.

        The stream reads the object as it was when opened, even if it is replaced meanwhile.
        Local and memory streams are seekable; S3 streams are not.
        """
        ...

    def read_bytes(self, key: str) -> bytes:
        """The whole object; `NotFoundError` when there is none."""
        ...

    def open_range(self, key: str, start: int, end: int) -> bytes:
        """Bytes `start` to `end` inclusive, as in an HTTP Range; `end` past the object is cut.

        `ValueError` when `start < 0` or `end < start`; `StorageError` when `start` is at or
        past the end of the object (HTTP 416).
        """
        ...

    def exists(self, key: str) -> bool:
        """True when an object is stored under `key`."""
        ...

    def delete(self, key: str) -> None:
        """Remove the object; removing a missing one is not an error."""
        ...

    def list(self, prefix: str = "") -> list[str]:
        """Sorted keys that start with `prefix` (a plain string prefix, as in S3)."""
        ...

    def public_url(self, key: str) -> str | None:
        """A URL podcatchers can fetch the object from, or None when podops serves it."""
        ...

    def check(self) -> None:
        """Raise `StorageError` naming the problem when the store cannot be used (readiness)."""
        ...


def validate_key(key: str) -> str:
    """Return `key` if it is an acceptable storage key, else raise `StorageError`.

    Keys are composed by the service, so this is defence in depth: a key is non-empty UTF-8 of
    at most 1024 bytes, made of `/`-separated segments that are non-empty, at most 255 bytes,
    and do not start with `.` (which rules out `.`, `..`, hidden files and the local backend's
    temporary files); no backslash and no control character anywhere.
    """
    problem = _key_problem(key)
    if problem:
        raise StorageError(f"invalid storage key {key!r}: {problem}")
    return key


def is_valid_key(key: str) -> bool:
    """True when `validate_key` accepts `key`; for filtering keys found in a store."""
    return not _key_problem(key)


def validate_prefix(prefix: str) -> str:
    """Return `prefix` if keys could start with it (`""` lists everything), else raise."""
    # A prefix is a key cut anywhere, so it is valid when it plus one more character is.
    if prefix and _key_problem(prefix + "x"):
        raise StorageError(f"invalid storage prefix {prefix!r}: no key can start with it")
    return prefix


def _key_problem(key: str) -> str:
    if not key:
        return "empty"
    try:
        size = len(key.encode("utf-8"))
    except UnicodeEncodeError:
        return "not valid UTF-8"
    if size > MAX_KEY_BYTES:
        return f"longer than {MAX_KEY_BYTES} bytes"
    if "\\" in key:
        return "contains a backslash"
    if any(unicodedata.category(char) == "Cc" for char in key):
        return "contains a control character"
    if key.startswith("/"):
        return "absolute"
    for segment in key.split("/"):
        if not segment:
            return "has an empty segment"
        if segment.startswith("."):
            return f"segment {segment!r} starts with a dot"
        if len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES:
            return f"a segment is longer than {MAX_SEGMENT_BYTES} bytes"
    return ""


def open_storage(
    url: str,
    *,
    s3_region: str = "",
    s3_endpoint_url: str = "",
    s3_path_style: bool = False,
    public_base_url: str = "",
) -> Storage:
    """Build the backend `url` names; no I/O happens until the first call.

    `file:///abs/path` → local directory, `s3://bucket[/prefix]` → S3 (credentials from
    boto3's standard chain), `memory://` → in-memory double. The `s3_*` options apply to S3
    only; `public_base_url` (the bucket's or CDN's public URL) to every backend.
    """
    parts = urlsplit(url)
    shown = _redacted(url)
    if parts.query or parts.fragment:
        raise StorageError(f"storage URL {shown!r}: remove the ?query or #fragment")
    public_base_url = public_base_url.rstrip("/")
    # Backends are imported here so the web process never loads boto3 for local storage.
    if parts.scheme == "file":
        from podops.storage._local import LocalStorage

        if parts.netloc not in ("", "localhost"):
            raise StorageError(f"storage URL {shown!r}: use file:///absolute/path (no host)")
        path = unquote(parts.path)
        if not path.startswith("/"):
            raise StorageError(f"storage URL {shown!r}: the path must be absolute")
        return LocalStorage(path, public_base_url=public_base_url)
    if parts.scheme == "s3":
        from podops.storage._s3 import S3Storage

        return S3Storage(
            parts.netloc,
            parts.path.strip("/"),
            region=s3_region,
            endpoint_url=s3_endpoint_url,
            path_style=s3_path_style,
            public_base_url=public_base_url,
        )
    if parts.scheme == "memory":
        from podops.storage._memory import MemoryStorage

        return MemoryStorage(public_base_url=public_base_url)
    raise StorageError(
        f"storage URL {shown!r}: use file:///absolute/path, s3://bucket[/prefix] or memory://"
    )


def _redacted(url: str) -> str:
    """`url` without user info, query or fragment: error messages end up in logs."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=host, query="", fragment="").geturl()
