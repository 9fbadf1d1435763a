"""Receiving an upload: the request body streamed to a file, hashed and counted on the way.

Two shapes, as in PodOps: `multipart/form-data` with the file in the field `asset` (and an
optional field `name`), or the raw bytes as the body with their own Content-Type. Either way
the bytes go to a file in the upload directory — never whole into memory — the SHA-256 is
computed as they pass, and the size limit is enforced while streaming (413 the moment it is
passed). A file that is not finished — too large, a client gone half-way, a bad part — is
removed: nothing partial is left behind.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from podops.errors import BadRequestError, BodyTooLargeError
from podops.metrics import record_upload
from podops.names import NAME_MAX_LENGTH, NAME_MIN_LENGTH, is_name
from podops.storage.write_behind import open_write_behind

ASSET_FIELD = "asset"
NAME_FIELD = "name"
_MAX_FIELD_BYTES = 1024


@dataclass
class ReceivedFile:
    """An upload on disk, complete. The caller stores it (taking the file over) or removes it."""

    path: Path
    size: int
    sha256: str
    filename: str | None  # the client's, only ever used to suggest a resource name
    declared_type: str | None
    name: str | None = None  # the resource name the client asked for

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


@dataclass
class _Sink:
    """The open upload file: writes, hashes and counts, refusing bytes past the limit."""

    path: Path
    limit: int
    handle: BinaryIO = field(init=False)
    digest: hashlib._Hash = field(default_factory=hashlib.sha256)
    size: int = 0

    def __post_init__(self) -> None:
        # Written back while it arrives, so the fsync when it is stored has little to wait for.
        self.handle = open_write_behind(self.path, "xb")

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
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit + 64 * 1024:
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
        record_upload(sink.size)
        return received
    except BaseException:
        sink.close()
        path.unlink(missing_ok=True)
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
