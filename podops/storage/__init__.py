"""Where media and feeds are kept: one `Storage` protocol, backends chosen by URL scheme.

    file:///abs/path          local directory (the embedded default)
    s3://bucket[/prefix]      S3 or an S3-compatible store, through boto3

`podops.storage.backends` maps each scheme to the backend that opens it; a new backend is one
module and one `register_backend` line there. `MemoryStorage` (`_memory.py`) is the in-memory
double for tests, built directly rather than by URL.

Exceptions — every backend turns its own errors into these two:

    StorageError              the store failed or refused: unreachable, denied, full,
     │                        a bad key, a bad storage URL, an unsatisfiable range
     ├── NotFoundError        no object has this key
     └── IncompleteUploadError  a direct upload's parts do not make an object

Keys are relative POSIX paths composed by the service (`validate_key` says exactly which are
accepted; every backend applies the same rule). An object may carry a little metadata of its
own, given to `put_path` and returned by `head` (`validate_metadata` says how little). All
methods are synchronous: the web process calls them from a threadpool.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Protocol, runtime_checkable

__all__ = [
    "DirectUploads",
    "IncompleteUploadError",
    "NotFoundError",
    "ObjectStream",
    "Presigning",
    "Storage",
    "StorageError",
    "StoredObject",
    "is_valid_key",
    "validate_key",
    "validate_metadata",
    "validate_prefix",
]

# S3's own limit on a key; the local backend also keeps each segment within NAME_MAX.
MAX_KEY_BYTES = 1024
MAX_SEGMENT_BYTES = 255
# S3's limit on an object's user metadata: its keys and values together.
MAX_METADATA_BYTES = 2048
DEFAULT_CONTENT_TYPE = "application/octet-stream"
_METADATA_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
_METADATA_VALUE = re.compile(r"[\x20-\x7e]*")


class StorageError(Exception):
    """The store failed or refused an operation; the message names the store and the key."""


class NotFoundError(StorageError):
    """No object is stored under the key."""


class IncompleteUploadError(StorageError):
    """The parts a client uploaded do not make an object (none, one missing, one too small)."""


@dataclass(frozen=True)
class StoredObject:
    """What the store knows about one object.

    `etag` is a quoted strong entity tag, ready for an `ETag` header; `last_modified` is in
    integer Unix seconds; `metadata` is what the object was stored with (`put_path`).
    """

    key: str
    size: int
    etag: str
    last_modified: int
    content_type: str
    metadata: Mapping[str, str] = field(default_factory=dict)


class ObjectStream(Protocol):
    """A readable binary stream returned by `Storage.open`; close it (or use `with`).

    Not seekable in general: ask `open` for the range you want instead.
    """

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
    """A flat store of objects keyed by relative POSIX paths: what the service calls, no more.

    Writes are atomic: a reader sees the whole old object or the whole new one, never a part.
    Every method raises `StorageError` for a key `validate_key` refuses. Backends have more
    (`put_bytes`, `put_file`, `read_bytes`), for tests and tools that hold the concrete type.
    """

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
        """Store the finished file at `path`, which the store may take over (move) or copy.

        The caller must not use `path` afterwards. Local storage renames the file into place
        when it is on the same filesystem, so a large upload is not copied a second time.
        `content_encoding` ("gzip") is kept where a store serves objects itself (S3 answers
        with it as `Content-Encoding`); podops' own delivery knows it from the key.
        `metadata` (see `validate_metadata`) goes with this object, in the same write: `head`
        never shows it beside another version of the object.
        """
        ...

    def head(self, key: str) -> StoredObject:
        """Describe the object under `key`, with its metadata; `NotFoundError` when there is
        none. Cheap enough for every request: no more I/O than the object's own head."""
        ...

    def exists(self, key: str) -> bool:
        """True when an object is stored under `key`."""
        ...

    def open(self, key: str, *, start: int = 0, end: int | None = None) -> ObjectStream:
        """Open the object for reading, from byte `start` to `end` inclusive (an HTTP Range).

        Without `start` and `end` the stream reads the whole object; without `end`, to its
        end; an `end` past the object is cut. `NotFoundError` when there is none; `ValueError`
        when `start < 0` or `end < start`; `StorageError` when a range is asked for and `start`
        is at or past the end of the object (HTTP 416). The stream reads the object as it was
        when opened, even if it is replaced meanwhile.
        """
        ...

    def delete(self, key: str) -> None:
        """Remove the object under `key`; nothing happens when there is none."""
        ...

    def list(self, prefix: str = "") -> list[str]:
        """Sorted keys that start with `prefix` (a plain string prefix, as in S3)."""
        ...

    def move(self, key: str, to: str) -> None:
        """Move the object under `key` to `to`, replacing any object there, keeping its
        content type, cache control and metadata; `NotFoundError` when there is none. A reader
        of `to` sees the old object or the moved one whole; `key` is gone once `to` is there."""
        ...

    def public_url(self, key: str) -> str | None:
        """A URL podcatchers can fetch the object from, or None when podops serves it."""
        ...

    def check(self) -> None:
        """Raise `StorageError` naming the problem when the store cannot be used (readiness)."""
        ...


@runtime_checkable
class Presigning(Protocol):
    """A store that can hand out a short-lived URL of one object (S3): private media are
    checked by podops, then fetched from there. A store without it is read through podops."""

    def presigned_url(self, key: str, *, expires_in: int) -> str:
        """A URL that reads the object under `key` for `expires_in` seconds, whatever the
        store's public URLs are."""
        ...


@runtime_checkable
class DirectUploads(Protocol):
    """A store clients can write to directly with presigned URLs (S3): large media need not
    pass through podops' processes. A store without it takes uploads through the API.

    `upload_url` is one presigned PUT of a whole object; large objects go as a multipart
    upload instead: `start_multipart`, one presigned URL a part (`part_url`), then
    `finish_multipart`, which joins the parts the store holds (or `abort_multipart`).
    """

    def upload_url(self, key: str, *, expires_in: int) -> str:
        """A URL that stores the request's body under `key` (one PUT) for `expires_in` s."""
        ...

    def start_multipart(self, key: str, *, content_type: str) -> str:
        """Begin a multipart upload to `key`; its upload id."""
        ...

    def part_url(self, key: str, upload_id: str, number: int, *, expires_in: int) -> str:
        """A URL that PUTs part `number` (1-based) of the multipart upload."""
        ...

    def finish_multipart(self, key: str, upload_id: str) -> StoredObject:
        """Join the parts uploaded so far, in order, into the object under `key`.

        `NotFoundError` when the store knows no such upload (finished, aborted or never
        begun); `IncompleteUploadError` when the parts do not make an object.
        """
        ...

    def abort_multipart(self, key: str, upload_id: str) -> None:
        """Drop the multipart upload and its parts (nothing happens if it is gone)."""
        ...

    def copy(self, source: StoredObject, key: str, *, content_type: str) -> StoredObject:
        """Copy the object `source` describes to `key` within the store (no bytes through
        us) — only while it is still that object (its ETag); `StorageError` if it changed."""
        ...

    def head(self, key: str) -> StoredObject:
        """Describe the object under `key`; `NotFoundError` when there is none."""
        ...

    def open(self, key: str, *, start: int = 0, end: int | None = None) -> ObjectStream:
        """Read the object under `key` (see `Storage.open`)."""
        ...

    def delete(self, key: str) -> None:
        """Remove the object under `key` (nothing happens if there is none)."""
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


def validate_metadata(metadata: Mapping[str, str] | None) -> dict[str, str]:
    """`metadata` as a dict (None: empty) if every store can keep it, else `StorageError`.

    Names are lower-case ASCII letters, digits and `-` (S3 sends them as `x-amz-meta-…`
    headers and lower-cases them); values printable ASCII; all of it together at most
    `MAX_METADATA_BYTES`.
    """
    checked = dict(metadata or {})
    for name, value in checked.items():
        if not _METADATA_NAME.fullmatch(name):
            raise StorageError(f"metadata name {name!r}: use a-z, 0-9 and -")
        if not _METADATA_VALUE.fullmatch(value):
            raise StorageError(f"metadata {name!r}: the value must be printable ASCII")
    size = sum(len(name) + len(value) for name, value in checked.items())
    if size > MAX_METADATA_BYTES:
        raise StorageError(f"metadata of {size} bytes: stores keep {MAX_METADATA_BYTES} at most")
    return checked


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
