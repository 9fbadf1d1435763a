"""Receiving an upload: the request body streamed to a file, hashed and counted on the way.

Two shapes, as in PodOps: `multipart/form-data` with the file in the field `asset` (and an
optional field `name`), or the raw bytes as the body with their own Content-Type. Either way
the bytes go to a file in the upload directory — never whole into memory — the SHA-256 is
computed as they pass, and the size limit is enforced while streaming (413 the moment it is
passed). A file that is not finished — too large, a client gone half-way, a bad part — is
removed: nothing partial is left behind.

A process killed mid-upload cannot remove its file, so each `.part` file is held under an
advisory lock (flock) by the process receiving it until it is stored or discarded; the lock
dies with the process. `remove_abandoned_parts` removes the files no live process holds: every
upload's at the web app's startup, and any not written to for `UPLOAD_PART_DEADLINE` in the
periodic sweep. `podops.upload_slots` bounds the uploads one user has in progress at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, MultipartState, parse_options_header
from starlette.requests import ClientDisconnect, Request

from podops.errors import BadRequestError, BodyTooLargeError
from podops.metrics import record_upload
from podops.names import NAME_MAX_LENGTH, NAME_MIN_LENGTH, is_name
from podops.storage import StoredObject
from podops.storage.write_behind import open_write_behind
from podops.untrusted import ascii_int

ASSET_FIELD = "asset"
NAME_FIELD = "name"
_MAX_FIELD_BYTES = 1024
# The periodic sweep removes a part file nobody holds once nobody has written to it for this
# long: a worker importing writes continuously (30 s at most between bytes), and one that was
# killed leaves its file unheld; an hour keeps well clear of any live writer on another host.
UPLOAD_PART_DEADLINE = 3600


@dataclass
class ReceivedFile:
    """An upload on disk, complete. The caller stores it (taking the file over) or removes it."""

    path: Path
    size: int
    sha256: str
    filename: str | None  # the client's, only ever used to suggest a resource name
    declared_type: str | None
    name: str | None = None  # the resource name the client asked for
    lock: int | None = None  # the descriptor holding the file's flock while it is received
    # The same bytes already in the store as this object (a direct upload): storing the asset
    # copies it there rather than sending the file again.
    in_store: StoredObject | None = None

    def discard(self) -> None:
        """Remove the file (if storage did not take it over) and release its lock."""
        self.path.unlink(missing_ok=True)
        if self.lock is not None:
            os.close(self.lock)
            self.lock = None


@dataclass
class _Sink:
    """The open upload file: writes, hashes and counts, refusing bytes past the limit."""

    path: Path
    limit: int
    handle: BinaryIO = field(init=False)
    digest: hashlib._Hash = field(default_factory=hashlib.sha256)
    size: int = 0

    lock: int = field(init=False)

    def __post_init__(self) -> None:
        # Written back while it arrives, so the fsync when it is stored has little to wait for.
        self.handle = open_write_behind(self.path, "xb")
        self.lock = _hold(self.path)

    def write(self, data: bytes | memoryview) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise BodyTooLargeError(f"the upload is larger than {self.limit} bytes")
        self.handle.write(data)
        self.digest.update(data)

    def close(self) -> None:
        self.handle.close()


async def receive(request: Request, directory: Path, limit: int) -> ReceivedFile:
    """Stream the upload in `request` to a new file in `directory`."""
    declared = ascii_int(request.headers.get("content-length", ""), max_digits=18)
    if declared is not None and declared > limit + 64 * 1024:
        raise BodyTooLargeError(f"the upload is larger than {limit} bytes")
    media_type, options = parse_options_header(request.headers.get("content-type", ""))
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"upload-{secrets.token_hex(12)}.part"
    sink = _Sink(path, limit)
    try:
        if media_type == b"multipart/form-data":
            received = await _receive_multipart(request, sink, options.get(b"boundary", b""))
        else:
            received = await _receive_raw(request, sink, media_type.decode("latin-1") or None)
        sink.close()
        if sink.size == 0:
            raise BadRequestError("the upload is empty", code="podops.media.empty", field="asset")
        received.lock = sink.lock
        record_upload(sink.size)
        return received
    except BaseException:
        sink.close()
        path.unlink(missing_ok=True)
        os.close(sink.lock)
        raise


async def _chunks(request: Request) -> AsyncIterator[bytes]:
    try:
        async for chunk in request.stream():
            yield chunk
    except ClientDisconnect:
        raise BadRequestError(
            "the client went away before the upload finished", code="podops.upload.incomplete"
        ) from None


async def _receive_raw(request: Request, sink: _Sink, media_type: str | None) -> ReceivedFile:
    async for chunk in _chunks(request):
        sink.write(chunk)
    return ReceivedFile(
        path=sink.path,
        size=sink.size,
        sha256=sink.digest.hexdigest(),
        filename=request.query_params.get("filename"),
        declared_type=media_type,
        name=request.query_params.get("name"),
    )


class _FormState:
    """What the multipart parser has seen so far: the current part, the fields collected."""

    def __init__(self, sink: _Sink) -> None:
        self.sink = sink
        self.header_field = b""
        self.header_value = b""
        self.headers: dict[bytes, bytes] = {}
        self.part: str | None = None
        self.field_value = b""
        self.fields: dict[str, str] = {}
        self.files = 0
        self.filename: str | None = None
        self.declared_type: str | None = None

    def on_part_begin(self) -> None:
        self.headers, self.part, self.field_value = {}, None, b""

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[self.header_field.lower()] = self.header_value
        self.header_field, self.header_value = b"", b""

    def on_headers_finished(self) -> None:
        _disposition, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        self.part = options.get(b"name", b"").decode("utf-8", "replace")
        if self.part == ASSET_FIELD:
            self.files += 1
            if self.files > 1:
                raise BadRequestError("send one file in the field 'asset'", field="asset")
            raw_name = options.get(b"filename")
            self.filename = raw_name.decode("utf-8", "replace") if raw_name else None
            content_type = self.headers.get(b"content-type")
            self.declared_type = content_type.decode("latin-1") if content_type else None

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.part == ASSET_FIELD:
            self.sink.write(memoryview(data)[start:end])
        else:
            self.field_value += data[start:end]
            if len(self.field_value) > _MAX_FIELD_BYTES:
                raise BadRequestError(f"field {self.part!r} is too long", field=self.part)

    def on_part_end(self) -> None:
        if self.part and self.part != ASSET_FIELD:
            self.fields[self.part] = self.field_value.decode("utf-8", "replace")


async def _receive_multipart(request: Request, sink: _Sink, boundary: bytes) -> ReceivedFile:
    if not boundary:
        raise BadRequestError("multipart body without a boundary", code="podops.upload.malformed")
    state = _FormState(sink)
    parser = MultipartParser(
        boundary,
        callbacks={
            "on_part_begin": state.on_part_begin,
            "on_header_field": state.on_header_field,
            "on_header_value": state.on_header_value,
            "on_header_end": state.on_header_end,
            "on_headers_finished": state.on_headers_finished,
            "on_part_data": state.on_part_data,
            "on_part_end": state.on_part_end,
        },
    )
    try:
        async for chunk in _chunks(request):
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError as error:
        raise BadRequestError(
            f"the multipart body is malformed: {error}", code="podops.upload.malformed"
        ) from None
    if parser.state != MultipartState.END:  # finalize() does not check: a cut-off body
        raise BadRequestError(
            "the multipart body ends before its closing boundary", code="podops.upload.malformed"
        )
    if state.files == 0:
        raise BadRequestError(
            "no file in the field 'asset'", code="podops.upload.no_file", field="asset"
        )
    return ReceivedFile(
        path=sink.path,
        size=sink.size,
        sha256=sink.digest.hexdigest(),
        filename=state.filename,
        declared_type=state.declared_type,
        name=state.fields.get(NAME_FIELD) or request.query_params.get("name"),
    )


def suggested_name(filename: str | None, sha256: str) -> str:
    """A resource name from the client's file name, made safe; else one from the content.

    Only the last path segment counts (`../../etc/passwd` suggests `passwd…`), on POSIX and
    Windows separators alike; what the name rule does not allow becomes '-'.
    """
    stem = ""
    if filename:
        base = PureWindowsPath(PurePosixPath(filename.replace("\x00", "")).name).name
        stem = os.path.splitext(base)[0].lower()
        stem = re.sub(r"[^a-z0-9_-]+", "-", stem.encode("ascii", "ignore").decode()).strip("-_")
    if len(stem) < NAME_MIN_LENGTH:
        stem = f"{stem}-{sha256[:8]}".strip("-") if stem else f"asset-{sha256[:12]}"
    name = stem[:NAME_MAX_LENGTH].rstrip("-_")
    return name if is_name(name) else f"asset-{sha256[:12]}"


def _hold(path: Path) -> int:
    """A descriptor holding an exclusive flock on `path`: the file is being received."""
    descriptor = os.open(path, os.O_RDONLY)
    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return descriptor


def remove_abandoned_parts(
    directory: Path, *, idle_for: float, pattern: str = "*.part", now: float | None = None
) -> int:
    """Remove the partial files in `directory` matching `pattern` that no live process holds
    and nobody has written to for `idle_for` seconds (with 0: every one not held, at startup).
    How many went."""
    moment = time.time() if now is None else now
    removed = 0
    for path in directory.glob(pattern) if directory.is_dir() else ():
        with contextlib.suppress(FileNotFoundError):
            idle = moment - path.stat().st_mtime
            if idle < idle_for:
                continue
            descriptor = os.open(path, os.O_RDONLY)
            try:
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # still being received
                path.unlink()
                removed += 1
            finally:
                os.close(descriptor)
    return removed
