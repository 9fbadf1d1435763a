"""Direct-to-storage uploads: the client puts the media in the store, a worker makes the asset.

For deployments where large media should not pass through the API processes, on stores that
hand out presigned URLs (`podops.storage.DirectUploads`: S3 and its kin):

1. `plan_upload` (`POST /a/v1/direct-upload/{prod}`, with the file's size): one presigned PUT
   for a file of at most one part, else a multipart upload with one presigned URL a part. The
   object goes to a staging key of the production (`uploads/{production}/{id}`), never to
   where media are published.
2. The client PUTs the bytes to those URLs.
3. `finish_upload` (`POST /a/v1/direct-upload/{prod}/complete`, with the `complete` body the
   plan gave): joins the parts and checks the object holds the declared size; the route then
   starts a `direct_upload` operation (202).
4. `store_direct_upload`, in a worker: reads the staged object back, checks its SHA-256 (when
   the client gave one) and probes it as `POST /a/v1/upload` does, then stores the asset with
   the same `store_asset` — the same asset, the same refusals (as the operation's error) — which
   copies the staged object within the store instead of sending the file again. The staged
   object is removed once the outcome is final.

No table keeps upload sessions: the `complete` body carries the whole session and nothing in
it is trusted. The id is random and bound to the production in the key (a caller completes
only uploads to productions they may write to), the size is checked against the object, the
SHA-256 against its bytes, the name and role as the upload route checks them. An upload never
completed stays under `uploads/` until the bucket's lifecycle rule removes it (see README).
"""

from __future__ import annotations

import functools
import hashlib
import math
import secrets
import time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from podops.errors import ApiError, BadRequestError, BodyTooLargeError
from podops.jobs import DirectUploadJob, JobFailedError, progress
from podops.media import ProbeError, probe
from podops.models import Production
from podops.names import NAME_PATTERN
from podops.runtime import Runtime
from podops.services import assets
from podops.storage import (
    DEFAULT_CONTENT_TYPE,
    DirectUploads,
    IncompleteUploadError,
    NotFoundError,
    Storage,
    StoredObject,
)
from podops.storage.keys import staged_upload_key
from podops.storage.write_behind import open_write_behind
from podops.uploads import ReceivedFile
from podops.webhooks.events import asset_created

_MIB = 1024 * 1024
PART_SIZE = 16 * _MIB
MIN_PART_SIZE = 5 * _MIB  # S3's smallest part (all but the last)
MAX_PART_SIZE = 5 * 1024 * _MIB  # S3's largest part
MAX_PARTS = 10_000  # S3's most parts in one upload
MAX_OBJECT_SIZE = 5 * 1024 * 1024 * _MIB  # S3's largest object (5 TiB)
# Long enough for a gigabyte over a slow home uplink; SigV4 allows up to seven days.
URL_SECONDS = 6 * 3600
READ_STAGE = "read back"
_READ_CHUNK = _MIB


class UploadFacts(BaseModel):
    """What the client says about the file: checked, never trusted."""

    model_config = ConfigDict(extra="forbid")

    # S3's largest object; the settings' PODOPS_MAX_UPLOAD_BYTES is checked by the handler.
    size: int = Field(gt=0, le=MAX_OBJECT_SIZE, description="the file's size in bytes")
    sha256: str | None = Field(
        default=None, pattern=r"^[0-9a-f]{64}$", description="checked against the bytes stored"
    )
    role: Literal["media", "artwork"] = "media"
    name: str | None = Field(default=None, pattern=f"^{NAME_PATTERN}$")
    filename: str | None = Field(
        default=None, max_length=255, description="only ever used to suggest the asset's name"
    )
    content_type: str | None = Field(
        default=None, max_length=127, pattern=r"^[\x21-\x7e]+/[\x21-\x7e]+$"
    )


class DirectUploadRequest(UploadFacts):
    """`POST /a/v1/direct-upload/{prod}`: the file to be put in the store."""

    part_size: int | None = Field(
        default=None,
        ge=MIN_PART_SIZE,
        le=MAX_PART_SIZE,
        description=f"bytes a part of a multipart upload (default {PART_SIZE})",
    )


class UploadCompletion(UploadFacts):
    """`POST /a/v1/direct-upload/{prod}/complete`: the `complete` body of the plan, as given."""

    upload: str = Field(pattern=r"^[0-9a-f]{24}$", description="the upload's id")
    multipart: str | None = Field(
        default=None, min_length=1, max_length=1024, description="the store's multipart id"
    )


class PartUrl(BaseModel):
    """PUT the file's bytes `offset` to `offset + size - 1` to `url`."""

    number: int
    offset: int
    size: int
    url: str


class UploadPlan(BaseModel):
    """Where to put the file: one `url` (method `put`), or `parts` (method `multipart`); then
    POST `complete` to `complete_path`."""

    upload: str
    method: Literal["put", "multipart"]
    expires: int = Field(description="Unix seconds: the URLs work until then")
    url: str | None = None
    part_size: int | None = None
    parts: list[PartUrl] = Field(default_factory=list)
    complete_path: str = ""
    complete: UploadCompletion


def plan_upload(
    storage: DirectUploads, production_guid: str, request: DirectUploadRequest, *, max_bytes: int
) -> UploadPlan:
    """Presigned URLs for a new staged upload of the file `request` describes."""
    if request.size > max_bytes:
        raise BodyTooLargeError(f"the upload is larger than {max_bytes} bytes", field="size")
    upload = secrets.token_hex(12)
    key = staged_upload_key(production_guid, upload)
    expires = int(time.time()) + URL_SECONDS
    facts = request.model_dump(exclude={"part_size"})
    part_size = _part_size(request.size, request.part_size or PART_SIZE)
    if request.size <= part_size:
        return UploadPlan(
            upload=upload,
            method="put",
            expires=expires,
            url=storage.upload_url(key, expires_in=URL_SECONDS),
            complete=UploadCompletion(upload=upload, **facts),
        )
    multipart = storage.start_multipart(
        key, content_type=request.content_type or DEFAULT_CONTENT_TYPE
    )
    parts = [
        PartUrl(
            number=number,
            offset=offset,
            size=min(part_size, request.size - offset),
            url=storage.part_url(key, multipart, number, expires_in=URL_SECONDS),
        )
        for number, offset in enumerate(range(0, request.size, part_size), start=1)
    ]
    return UploadPlan(
        upload=upload,
        method="multipart",
        expires=expires,
        part_size=part_size,
        parts=parts,
        complete=UploadCompletion(upload=upload, multipart=multipart, **facts),
    )


def _part_size(size: int, wanted: int) -> int:
    """`wanted`, or more when that many parts would pass the store's limit (whole MiB)."""
    smallest = math.ceil(size / MAX_PARTS / _MIB) * _MIB
    return max(wanted, smallest)


def finish_upload(
    storage: DirectUploads, production_guid: str, completion: UploadCompletion
) -> None:
    """Join the parts of a multipart upload; check the staged object holds the size declared.

    400 `podops.upload.not_uploaded` when there is no object (nothing was put, or the upload
    was completed before), `podops.upload.size_mismatch` when its size differs (and then the
    object is removed: it can never become the asset).
    """
    key = staged_upload_key(production_guid, completion.upload)
    if completion.multipart is not None:
        try:
            storage.finish_multipart(key, completion.multipart)
        except NotFoundError:
            pass  # joined by an earlier call, or never begun: the object says which
        except IncompleteUploadError as error:
            storage.abort_multipart(key, completion.multipart)
            raise BadRequestError(
                f"the parts uploaded do not make the file ({error}); start a new upload",
                code="podops.upload.not_uploaded",
                field="upload",
            ) from None
    stored = _staged(storage, key)
    if stored.size != completion.size:
        storage.delete(key)
        raise BadRequestError(
            f"the store holds {stored.size} bytes for this upload, not the {completion.size} "
            "declared; start a new upload",
            code="podops.upload.size_mismatch",
            field="size",
        )


def _staged(storage: DirectUploads, key: str) -> StoredObject:
    try:
        return storage.head(key)
    except NotFoundError:
        raise BadRequestError(
            "nothing is stored for this upload: PUT the file to its URLs first (or it was "
            "completed already)",
            code="podops.upload.not_uploaded",
            field="upload",
        ) from None


def store_direct_upload(
    runtime: Runtime, job: DirectUploadJob, *, operation_id: str
) -> dict[str, Any]:
    """The worker's part: the staged object read back, checked, probed and stored as an
    asset (or found as the asset the same bytes made); `{asset, warnings, created}`.

    A storage outage on the way is raised as it is (the runner tries again later, and the
    staged object is still there then); any final outcome removes the staged object.
    """
    storage = direct_storage(runtime.storage)
    key = staged_upload_key(job.production, job.upload)
    try:
        received = _read_back(runtime, job, storage, key, operation_id)
    except NotFoundError:
        raise JobFailedError(
            "podops.upload.not_uploaded", "the uploaded object is gone from the store"
        ) from None
    try:
        result = _make_asset(runtime, job, received)
    except JobFailedError:
        storage.delete(key)  # refused: it can never become the asset
        raise
    finally:
        received.discard()  # a no-op once storage took the file over
    storage.delete(key)
    return result


def direct_storage(storage: Storage) -> DirectUploads:
    """`storage` as a store clients upload to directly; a failed job if it is not one."""
    if not isinstance(storage, DirectUploads):
        raise JobFailedError(
            "podops.upload.direct_unavailable", "this server's storage takes no direct uploads"
        )
    return storage


def _read_back(
    runtime: Runtime, job: DirectUploadJob, storage: DirectUploads, key: str, operation_id: str
) -> ReceivedFile:
    """The staged object in a local file, hashed and counted on the way."""
    directory = runtime.settings.upload_dir
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"direct-{operation_id}.part"
    digest, size = hashlib.sha256(), 0
    report = functools.partial(progress.report, READ_STAGE)
    # The object as it is now: storing the asset copies it only if it is still this one, so
    # a client PUTting to the upload URL again cannot swap the bytes after they are checked.
    staged = storage.head(key)
    try:
        with storage.open(key) as source, open_write_behind(path) as destination:
            while chunk := source.read(_READ_CHUNK):
                size += len(chunk)
                if size > job.size:
                    break  # replaced since it was completed: refused below
                destination.write(chunk)
                digest.update(chunk)
                report(size, job.size)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    report(size, job.size, final=True)
    received = ReceivedFile(
        path=path,
        size=size,
        sha256=digest.hexdigest(),
        filename=job.filename,
        declared_type=job.content_type,
        name=job.name,
        in_store=staged,
    )
    if size != job.size:
        received.discard()
        storage.delete(key)
        raise JobFailedError(
            "podops.upload.size_mismatch",
            f"the stored object no longer has the {job.size} bytes it had when completed",
        )
    return received


def _make_asset(runtime: Runtime, job: DirectUploadJob, received: ReceivedFile) -> dict[str, Any]:
    if job.sha256 is not None and job.sha256 != received.sha256:
        raise JobFailedError(
            "podops.upload.sha256_mismatch",
            f"the bytes stored have SHA-256 {received.sha256}, not the {job.sha256} declared",
        )
    try:
        probed = probe(received.path, declared_name=job.filename, role=job.role)
    except ProbeError as error:
        raise JobFailedError(error.code, error.message) from None
    settings = runtime.settings
    with runtime.database.session() as session:
        production = session.get(Production, job.production)
        if production is None:
            raise JobFailedError("podops.production.not_found", "the production is gone")
        try:
            asset, created = assets.store_asset(
                session,
                runtime.storage,
                production,
                received,
                probed,
                base_url=settings.base_url,
                public_base_url=settings.public_base_url,
            )
        except ApiError as error:  # a name taken by other content, as the API answers it
            raise JobFailedError(error.code, error.message) from None
        document, named = asset.document, (production.guid, production.name)
    if created:
        asset_created(runtime, *named, document)
    return {"asset": document, "warnings": list(probed.warnings), "created": created}
