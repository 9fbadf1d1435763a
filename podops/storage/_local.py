"""Local filesystem backend: one file per key under a root directory.

Writes go to a temporary file in the target's own directory, are fsynced, then renamed over
the target with `os.replace`, which is atomic on POSIX: a reader opens either the old file or
the new one. Temporary names start with a dot, which no key segment may, so `list` never shows
them.

The ETag is derived from size and modification time in nanoseconds. Every write stamps its
file with `time.time_ns()` itself rather than trusting the filesystem clock, whose resolution
can be a whole jiffy, so two writes in quick succession still get different ETags.

An object's metadata is a small JSON file under `.podops-metadata/` (the key's path mirrored
there; no key can reach it, a segment never starts with a dot). It names the ETag of the
version it describes and is written before that version is renamed into place: `head` takes
it only while the object still has that ETag, so it never shows one version's metadata with
another. What `head` found is kept by key and ETag, so a head of an object read before costs
one `stat`, as it did before objects had metadata.
"""

from __future__ import annotations

import contextlib
import errno
import json
import mimetypes
import os
import secrets
import stat
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import SplitResult, quote, unquote

from podops.storage import (
    DEFAULT_CONTENT_TYPE,
    NotFoundError,
    ObjectStream,
    StorageError,
    StoredObject,
    is_valid_key,
    validate_key,
    validate_metadata,
    validate_prefix,
)
from podops.storage._ranges import LimitedStream, is_range, unsatisfiable
from podops.storage.backends import shown_url

if TYPE_CHECKING:
    from podops.settings import Settings

_CHUNK_BYTES = 1024 * 1024
_TEMP_PREFIX = ".podops-tmp-"
_METADATA_DIRECTORY = ".podops-metadata"
# Objects whose metadata `head` remembers: the feeds and media read often, bounded in memory.
_REMEMBERED_METADATA = 4096
_OPEN_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)

# A private table, not the process-wide one, so the guess is the same on every machine
# (the global one also reads /etc/mime.types). Added: podcast media missing from Python's.
_MIME_TYPES = mimetypes.MimeTypes()
for _extension, _type in {
    ".m4a": "audio/mp4",
    ".m4b": "audio/mp4",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".flac": "audio/flac",
    ".webp": "image/webp",
    ".srt": "application/x-subrip",
    ".rss": "application/rss+xml",
}.items():
    _MIME_TYPES.add_type(_type, _extension)

# Errors that mean "no object here": the path is missing, or a segment is a file, or the key
# names a directory (which holds other keys but is not an object itself).
_ABSENT = (FileNotFoundError, NotADirectoryError, IsADirectoryError)


def open_local_storage(url: SplitResult, settings: Settings) -> LocalStorage:
    """`file:///absolute/path`: a directory on this machine, created by `check` if needed."""
    if url.netloc not in ("", "localhost"):
        raise StorageError(f"storage URL {shown_url(url)!r}: use file:///absolute/path (no host)")
    path = unquote(url.path)
    if not path.startswith("/"):
        raise StorageError(f"storage URL {shown_url(url)!r}: the path must be absolute")
    return LocalStorage(path, public_base_url=settings.public_base_url)


class LocalStorage:
    """Objects as files under `root`; `put_*` ignore `content_type`, `head` guesses it."""

    def __init__(self, root: str | os.PathLike[str], *, public_base_url: str = "") -> None:
        self._root = Path(root)
        self._public_base_url = public_base_url.rstrip("/")
        # {key: (the ETag of the version described, its metadata)}, oldest first.
        self._metadata: dict[str, tuple[str, Mapping[str, str]]] = {}
        self._metadata_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"LocalStorage({str(self._root)!r})"

    def put_bytes(
        self, key: str, data: bytes, *, content_type: str, cache_control: str | None = None
    ) -> StoredObject:
        return self._write(key, (data,))

    def put_file(
        self, key: str, source: BinaryIO, *, content_type: str, cache_control: str | None = None
    ) -> StoredObject:
        return self._write(key, iter(lambda: source.read(_CHUNK_BYTES), b""))

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
        target = self._path(key)
        checked = validate_metadata(metadata)
        with self._errors("write", key):
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with open(path, "rb+") as handle:
                    now = time.time_ns()
                    os.utime(handle.fileno(), ns=(now, now))
                    os.fsync(handle.fileno())
                    status = os.fstat(handle.fileno())
                self._write_metadata(key, _etag(status), checked)
                os.replace(path, target)
            except OSError as error:
                if error.errno != errno.EXDEV:
                    raise
                # Another filesystem: copy (atomically, through a temporary file), then drop.
                with open(path, "rb") as source:
                    stored = self._write(key, iter(lambda: source.read(_CHUNK_BYTES), b""), checked)
                path.unlink()
                return stored
            _fsync_directory(target.parent)
            return self._stored(key, status, checked)

    def head(self, key: str) -> StoredObject:
        path = self._path(key)
        with self._errors("read", key):
            try:
                status = path.stat()
            except _ABSENT:
                raise self._not_found(key) from None
        if not stat.S_ISREG(status.st_mode):
            raise self._not_found(key)
        return self._stored(key, status, self._read_metadata(key, _etag(status)))

    def open(self, key: str, *, start: int = 0, end: int | None = None) -> ObjectStream:
        ranged = is_range(start, end)
        stream = self._open_file(key)
        if not ranged:
            return stream
        try:
            with self._errors("read", key):
                size = os.fstat(stream.fileno()).st_size
                if start >= size:
                    raise unsatisfiable(key, start, end, size)
                stream.seek(start)
        except BaseException:
            stream.close()
            raise
        if end is None or end >= size - 1:
            return stream
        return LimitedStream(stream, end - start + 1)

    def read_bytes(self, key: str) -> bytes:
        with self._open_file(key) as stream, self._errors("read", key):
            return stream.read()

    def exists(self, key: str) -> bool:
        path = self._path(key)
        with self._errors("read", key):
            try:
                return stat.S_ISREG(path.stat().st_mode)
            except _ABSENT:
                return False

    def delete(self, key: str) -> None:
        path = self._path(key)
        # Empty parent directories are left: removing them would race a concurrent write
        # that has just created them.
        with self._errors("delete", key):
            with contextlib.suppress(*_ABSENT):
                path.unlink()
            with contextlib.suppress(*_ABSENT):
                self._metadata_path(key).unlink()

    def move(self, key: str, to: str) -> None:
        source, target = self._path(key), self._path(to)
        with self._errors("move", key):
            target.parent.mkdir(parents=True, exist_ok=True)
            # The metadata first: whoever sees the object at `to` finds its metadata there.
            # (A rename keeps the modification time, so the ETag it names still holds.)
            metadata = self._metadata_path(key)
            if metadata.is_file():
                moved_metadata = self._metadata_path(to)
                moved_metadata.parent.mkdir(parents=True, exist_ok=True)
                os.replace(metadata, moved_metadata)
            try:
                os.replace(source, target)  # one rename: atomic, and no bytes copied
            except _ABSENT:
                raise self._not_found(key) from None
            _fsync_directory(target.parent)
        # What this process remembers of `key` went with the object; the rest is told apart
        # by ETag.
        with self._metadata_lock:
            self._metadata.pop(key, None)
            self._metadata.pop(to, None)

    def list(self, prefix: str = "") -> list[str]:
        validate_prefix(prefix)
        # Only walk the directory the prefix ends in: "ep/2024" walks ep/ for 2024*.
        directory = self._root.joinpath(*prefix.split("/")[:-1])
        keys = []
        with self._errors("list", prefix):
            for dirpath, dirnames, filenames in os.walk(directory, onerror=_raise_unless_absent):
                # Skip temporary files and anything else no key can name.
                dirnames[:] = [name for name in dirnames if not name.startswith(".")]
                relative = Path(dirpath).relative_to(self._root)
                for name in filenames:
                    key = (relative / name).as_posix()
                    if key.startswith(prefix) and is_valid_key(key):
                        keys.append(key)
        return sorted(keys)

    def public_url(self, key: str) -> str | None:
        validate_key(key)
        if not self._public_base_url:
            return None
        return f"{self._public_base_url}/{quote(key)}"

    def check(self) -> None:
        """Create the root if needed and prove it is writable with a probe file."""
        try:
            self._root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"storage directory {self._root} cannot be created: {exc.strerror or exc}"
            ) from exc
        probe = self._root / f"{_TEMP_PREFIX}check-{secrets.token_hex(8)}"
        try:
            os.close(os.open(probe, _OPEN_FLAGS, 0o600))
            probe.unlink()
        except OSError as exc:
            raise StorageError(
                f"storage directory {self._root} is not writable: {exc.strerror or exc}"
            ) from exc

    def _write(
        self, key: str, chunks: Iterable[bytes], metadata: Mapping[str, str] | None = None
    ) -> StoredObject:
        path = self._path(key)
        temp = path.parent / f"{_TEMP_PREFIX}{secrets.token_hex(8)}"
        with self._errors("write", key):
            path.parent.mkdir(parents=True, exist_ok=True)
            # 0o666 and O_EXCL rather than mkstemp: the file gets the umask's usual mode, not
            # 0600, in case a web server reads the directory directly.
            descriptor = os.open(temp, _OPEN_FLAGS, 0o666)
        try:
            with open(descriptor, "wb") as out:
                # Errors from the source propagate as they are: they are the caller's, not ours.
                for chunk in chunks:
                    with self._errors("write", key):
                        out.write(chunk)
                with self._errors("write", key):
                    out.flush()
                    now = time.time_ns()
                    os.utime(out.fileno(), ns=(now, now))
                    os.fsync(out.fileno())
                    status = os.fstat(out.fileno())
            with self._errors("write", key):
                self._write_metadata(key, _etag(status), metadata or {})
                os.replace(temp, path)
                _fsync_directory(path.parent)
        except BaseException:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise
        return self._stored(key, status, metadata or {})

    def _write_metadata(self, key: str, etag: str, metadata: Mapping[str, str]) -> None:
        """Keep `metadata` for the version of `key` whose ETag is `etag`, before that version
        is renamed into place. Without metadata nothing is written: what an older version
        left names another ETag, and `head` passes it over."""
        if not metadata:
            return
        path = self._metadata_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.parent / f"{_TEMP_PREFIX}{secrets.token_hex(8)}"
        try:
            with temp.open("w", encoding="ascii") as out:
                json.dump({"etag": etag, "metadata": dict(metadata)}, out)
                out.flush()
                os.fsync(out.fileno())  # whole before the version it describes is in place
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise

    def _read_metadata(self, key: str, etag: str) -> Mapping[str, str]:
        """The metadata of the version of `key` with ETag `etag`: remembered, or read once."""
        with self._metadata_lock:
            remembered = self._metadata.get(key)
        if remembered is not None and remembered[0] == etag:
            return remembered[1]
        metadata: Mapping[str, str] = {}
        with self._errors("read", key), contextlib.suppress(*_ABSENT):
            text = self._metadata_path(key).read_bytes()
            kept = _parse_metadata(text)
            if kept is None:
                raise StorageError(f"the metadata of {key!r} in {self._root} is unreadable")
            if kept[0] == etag:
                metadata = kept[1]
        with self._metadata_lock:
            self._metadata.pop(key, None)  # re-inserted last: the oldest go first
            self._metadata[key] = (etag, metadata)
            if len(self._metadata) > _REMEMBERED_METADATA:
                del self._metadata[next(iter(self._metadata))]
        return metadata

    def _path(self, key: str) -> Path:
        return self._root.joinpath(*validate_key(key).split("/"))

    def _metadata_path(self, key: str) -> Path:
        return self._root.joinpath(_METADATA_DIRECTORY, *validate_key(key).split("/"))

    def _open_file(self, key: str) -> BinaryIO:
        path = self._path(key)
        with self._errors("read", key):
            try:
                return path.open("rb")
            except _ABSENT:
                raise self._not_found(key) from None

    def _stored(
        self, key: str, status: os.stat_result, metadata: Mapping[str, str]
    ) -> StoredObject:
        content_type, _encoding = _MIME_TYPES.guess_type(key, strict=False)
        return StoredObject(
            key=key,
            size=status.st_size,
            etag=_etag(status),
            last_modified=status.st_mtime_ns // 1_000_000_000,
            content_type=content_type or DEFAULT_CONTENT_TYPE,
            metadata=metadata,
        )

    def _not_found(self, key: str) -> NotFoundError:
        return NotFoundError(f"no object {key!r} in {self._root}")

    @contextlib.contextmanager
    def _errors(self, action: str, key: str) -> Iterator[None]:
        """Turn filesystem errors into `StorageError` naming the action, key and root."""
        try:
            yield
        except OSError as exc:
            raise StorageError(
                f"cannot {action} {key!r} in {self._root}: {exc.strerror or exc}"
            ) from exc


def _parse_metadata(text: bytes) -> tuple[str, dict[str, str]] | None:
    """(ETag, metadata) from a metadata file as `_write_metadata` writes it; None if it is
    not one."""
    try:
        kept = json.loads(text)
    except ValueError:
        return None
    if not isinstance(kept, dict):
        return None
    etag, metadata = kept.get("etag"), kept.get("metadata")
    if not isinstance(etag, str) or not isinstance(metadata, dict):
        return None
    if not all(isinstance(item, str) for pair in metadata.items() for item in pair):
        return None
    return etag, metadata


def _etag(status: os.stat_result) -> str:
    return f'"{status.st_mtime_ns:x}-{status.st_size:x}"'


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable: without it a crash can bring back the old file.
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _raise_unless_absent(error: OSError) -> None:
    # os.walk ignores errors by default; a missing directory is an empty listing, any other
    # error (permissions, I/O) must not pass for one.
    if not isinstance(error, FileNotFoundError | NotADirectoryError):
        raise error
