"""`po upload` straight to the server's store, when the server offers it (S3 storage).

The server plans the upload (`POST /a/v1/direct-upload/{prod}`): one presigned PUT, or one
presigned URL a part of a multipart upload. The parts go up a few at a time, each read from
the file only when it is sent (memory: `PARALLEL_PARTS` parts at most) and tried again on a
network error or a 5xx. Completing it starts the operation a worker ends with the asset.
A server that keeps media itself answers `podops.upload.direct_unavailable` (and an older one
has no such route): then `plan` says None and the upload goes through the API as it always did.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from podops.client.api import ApiError, Client

PARALLEL_PARTS = 4
PART_ATTEMPTS = 3
_CHUNK = 1024 * 1024
# The API's answers meaning "no direct uploads here": use the upload route.
_NOT_OFFERED = frozenset({"podops.upload.direct_unavailable", "podops.route.not_found"})


def plan(
    client: Client, production: str, file: Path, *, name: str | None, role: str
) -> dict[str, Any] | None:
    """The server's plan for uploading `file` directly, or None when it offers none."""
    body: dict[str, Any] = {
        "size": file.stat().st_size,
        "sha256": _sha256(file),
        "filename": file.name,
        "role": role,
        **({"name": name} if name else {}),
    }
    try:
        planned: dict[str, Any] = client.request(
            "POST", f"/a/v1/direct-upload/{production}", json=body
        )
    except ApiError as error:
        if error.code in _NOT_OFFERED:
            return None
        raise
    return planned


def send(
    client: Client, planned: dict[str, Any], file: Path, advance: Callable[[int], None]
) -> dict[str, Any]:
    """PUT the file as `planned`, then complete it; the operation that makes the asset."""
    import httpx

    if planned["method"] == "put":
        pieces = [(planned["url"], 0, file.stat().st_size)]
    else:
        pieces = [(part["url"], part["offset"], part["size"]) for part in planned["parts"]]
    with (
        httpx.Client(timeout=httpx.Timeout(60, connect=10)) as store,
        ThreadPoolExecutor(PARALLEL_PARTS) as pool,
    ):
        sent = pool.map(
            lambda piece: _put(store, file, piece[0], piece[1], piece[2], advance), pieces
        )
        for _done in sent:
            pass  # re-raises the first part that failed for good
    operation: dict[str, Any] = client.request(
        "POST", planned["complete_path"], json=planned["complete"]
    )
    return operation


def _put(
    store: Any, file: Path, url: str, offset: int, size: int, advance: Callable[[int], None]
) -> None:
    """PUT `size` bytes of `file` from `offset` to the presigned `url`, trying again."""
    import httpx

    for attempt in range(1, PART_ATTEMPTS + 1):
        sent = [0]
        try:
            response = store.put(
                url,
                content=_read(file, offset, size, advance, sent),
                headers={"Content-Length": str(size)},
            )
        except httpx.HTTPError as error:
            problem, retryable = f"{type(error).__name__}: {error}", True
        else:
            if response.status_code < 300:
                return
            # A refusal (4xx) would be refused again; the store failing (5xx) may pass.
            problem = f"{response.status_code} {response.text[:300]}"
            retryable = response.status_code >= 500
        advance(-sent[0])  # the bar goes back by what this try sent
        if attempt >= PART_ATTEMPTS or not retryable:
            raise ApiError(
                0, "podops.client.store_refused", f"the store refused the upload: {problem}"
            )
        time.sleep(attempt)


def _read(
    file: Path, offset: int, size: int, advance: Callable[[int], None], sent: list[int]
) -> Iterator[bytes]:
    with file.open("rb") as stream:
        stream.seek(offset)
        left = size
        while left > 0:
            chunk = stream.read(min(_CHUNK, left))
            if not chunk:
                raise ApiError(0, "podops.client.file_changed", f"{file} shrank while uploading")
            left -= len(chunk)
            sent[0] += len(chunk)
            advance(len(chunk))
            yield chunk


def _sha256(file: Path) -> str:
    """The file's SHA-256: the server checks the stored bytes against it."""
    digest = hashlib.sha256()
    with file.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
