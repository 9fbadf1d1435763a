"""S3 backend through boto3: AWS, MinIO, R2, GCS interoperability — and moto in the tests.

A single PUT and a completed multipart upload are both atomic in S3: the new object appears
whole or not at all, and a failed multipart upload is aborted by boto3's transfer manager.
Credentials come from boto3's standard chain (environment, shared files, instance role).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import SplitResult, quote

import boto3.session
from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from podops.storage import (
    DEFAULT_CONTENT_TYPE,
    IncompleteUploadError,
    NotFoundError,
    ObjectStream,
    StorageError,
    StoredObject,
    is_valid_key,
    validate_key,
    validate_metadata,
    validate_prefix,
)
from podops.storage._ranges import LimitedStream, is_range, skip, unsatisfiable

if TYPE_CHECKING:
    from botocore.response import StreamingBody
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import (
        CompletedPartTypeDef,
        GetObjectRequestTypeDef,
        PutObjectRequestTypeDef,
    )

    from podops.settings import Settings

PRESIGNED_URL_SECONDS = 3600
PATIENT_READ_SECONDS = 900
_MIB = 1024 * 1024
# Lenient on purpose (GCS allows underscores and long dotted names): this only catches URLs
# such as s3://user:secret@host or s3:///prefix; the store itself judges the rest.
_BUCKET = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,220}[A-Za-z0-9]")
_NOT_FOUND_CODES = frozenset({"NoSuchKey", "404", "NotFound", "NoSuchUpload"})
# A multipart upload's parts that cannot be joined: a part missing, or one too small.
_INCOMPLETE_CODES = frozenset({"InvalidPart", "InvalidPartOrder", "EntityTooSmall"})
# Above 8 MiB uploads go multipart in 8 MiB parts; 4 parts in flight bound the memory a
# non-seekable source costs to ~32 MiB.
_TRANSFER = TransferConfig(
    multipart_threshold=8 * _MIB, multipart_chunksize=8 * _MIB, max_concurrency=4
)
# Copies within the bucket: one CopyObject up to S3's limit for it (5 GiB), which is one
# request where a multipart copy would be hundreds; a multipart copy only beyond.
_COPY = TransferConfig(
    multipart_threshold=5 * 1024 * _MIB, multipart_chunksize=512 * _MIB, max_concurrency=4
)


def open_s3_storage(url: SplitResult, settings: Settings) -> S3Storage:
    """`s3://bucket[/prefix]`, with the `PODOPS_S3_*` settings; credentials from boto3's chain."""
    return S3Storage(
        url.netloc,
        url.path.strip("/"),
        region=settings.s3_region,
        endpoint_url=settings.s3_endpoint_url,
        path_style=settings.s3_path_style,
        public_base_url=settings.public_base_url,
    )


class S3Storage:
    """Objects under `prefix` in one bucket."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        region: str = "",
        endpoint_url: str = "",
        path_style: bool = False,
        public_base_url: str = "",
    ) -> None:
        if "@" in bucket:
            # Not echoed: it holds a secret. boto3 reads credentials from its own chain.
            raise StorageError("storage URL: credentials do not belong in s3://bucket[/prefix]")
        if not _BUCKET.fullmatch(bucket):
            raise StorageError(f"S3 bucket name {bucket!r} is not valid: use s3://bucket[/prefix]")
        if prefix:
            try:
                validate_key(prefix)
            except StorageError as exc:
                raise StorageError(f"S3 prefix of s3://{bucket}/{prefix}: {exc}") from None
        self._bucket = bucket
        self._prefix = f"{prefix}/" if prefix else ""
        self._endpoint_url = endpoint_url
        self._public_base_url = public_base_url.rstrip("/")
        try:
            # A session of its own: boto3's default session is not safe to share across
            # threads, and this client is used from the web process's threadpool.
            session = boto3.session.Session()
            config = _client_config(custom_endpoint=bool(endpoint_url), path_style=path_style)
            self._client: S3Client = session.client(
                "s3", region_name=region or None, endpoint_url=endpoint_url or None, config=config
            )
            # For the requests answered only once the store is done with a large object:
            # joining a multipart upload's parts, copying, a multipart upload's last step.
            # S3 keeps the connection alive meanwhile; other stores are silent for as long
            # (moto: 45 s to join 1 GiB), past the short read timeout of everything else.
            self._patient: S3Client = session.client(
                "s3",
                region_name=region or None,
                endpoint_url=endpoint_url or None,
                config=config.merge(Config(read_timeout=PATIENT_READ_SECONDS)),
            )
        except (BotoCoreError, ValueError) as exc:
            raise StorageError(f"S3 client for {self._describe(None)}: {exc}") from exc

    def __repr__(self) -> str:
        return f"S3Storage({self._describe(None)!r})"

    def close(self) -> None:
        """Close the clients' pooled connections (optional; for tests and shutdown)."""
        self._client.close()
        self._patient.close()

    def put_bytes(
        self, key: str, data: bytes, *, content_type: str, cache_control: str | None = None
    ) -> StoredObject:
        request: PutObjectRequestTypeDef = {
            "Bucket": self._bucket,
            "Key": self._full_key(key),
            "Body": data,
            "ContentType": content_type,
        }
        if cache_control:
            request["CacheControl"] = cache_control
        with self._errors("upload", key):
            self._client.put_object(**request)
        # PutObject answers with the ETag but not Last-Modified; HEAD gives the full picture.
        return self.head(key)

    def put_file(
        self, key: str, source: BinaryIO, *, content_type: str, cache_control: str | None = None
    ) -> StoredObject:
        full_key = self._full_key(key)
        # Exceptions raised by `source` itself are not caught here: they propagate unchanged.
        with self._errors("upload", key):
            self._patient.upload_fileobj(
                source,
                self._bucket,
                full_key,
                ExtraArgs=_upload_arguments(content_type, cache_control),
                Config=_TRANSFER,
            )
        return self.head(key)

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
        full_key = self._full_key(key)
        arguments = _upload_arguments(
            content_type, cache_control, content_encoding, validate_metadata(metadata)
        )
        with self._errors("upload", key):
            # upload_file sends large files as a parallel multipart upload.
            self._patient.upload_file(
                str(path), self._bucket, full_key, ExtraArgs=arguments, Config=_TRANSFER
            )
        path.unlink(missing_ok=True)
        return self.head(key)

    def head(self, key: str) -> StoredObject:
        full_key = self._full_key(key)
        with self._errors("head", key):
            response = self._client.head_object(Bucket=self._bucket, Key=full_key)
        etag = response["ETag"]
        return StoredObject(
            key=key,
            size=response["ContentLength"],
            # Some S3-compatible stores send the ETag unquoted; HTTP wants it quoted.
            etag=etag if etag.startswith('"') else f'"{etag}"',
            last_modified=int(response["LastModified"].timestamp()),
            content_type=response.get("ContentType") or DEFAULT_CONTENT_TYPE,
            metadata=response.get("Metadata", {}),
        )

    def open(self, key: str, *, start: int = 0, end: int | None = None) -> ObjectStream:
        ranged = is_range(start, end)  # S3 ignores a malformed Range, so check it here
        request: GetObjectRequestTypeDef = {"Bucket": self._bucket, "Key": self._full_key(key)}
        if ranged:
            request["Range"] = f"bytes={start}-{'' if end is None else end}"
        with self._errors("read", key):
            response = self._client.get_object(**request)
        stream: ObjectStream = _S3Stream(response["Body"], self._describe(key))
        if not ranged or "ContentRange" in response:
            return stream
        # A store that ignores ranges answered 200 with the whole object: cut it here.
        size = response["ContentLength"]
        try:
            if start >= size:
                raise unsatisfiable(key, start, end, size)
            skip(stream, start)
        except BaseException:
            stream.close()
            raise
        return stream if end is None else LimitedStream(stream, end - start + 1)

    def read_bytes(self, key: str) -> bytes:
        with self.open(key) as stream:
            return stream.read()

    def exists(self, key: str) -> bool:
        try:
            self.head(key)
        except NotFoundError:
            return False
        return True

    def delete(self, key: str) -> None:
        full_key = self._full_key(key)
        # S3 answers 204 for a missing key; some compatible stores answer 404.
        with contextlib.suppress(NotFoundError), self._errors("delete", key):
            self._client.delete_object(Bucket=self._bucket, Key=full_key)

    def move(self, key: str, to: str) -> None:
        source_key = self._full_key(key)
        with self._errors("move", key):
            head = self._client.head_object(Bucket=self._bucket, Key=source_key)
            # S3 has no rename: a server-side copy (multipart above the threshold, so objects
            # over 5 GB move too), then the delete. The headers and metadata are set again,
            # not trusted to follow a multipart copy.
            arguments = _upload_arguments(
                head.get("ContentType") or DEFAULT_CONTENT_TYPE,
                head.get("CacheControl"),
                metadata=head.get("Metadata"),
            )
            self._client.copy(
                {"Bucket": self._bucket, "Key": source_key},
                self._bucket,
                self._full_key(to),
                ExtraArgs={**arguments, "MetadataDirective": "REPLACE"},
                Config=_TRANSFER,
            )
            self._client.delete_object(Bucket=self._bucket, Key=source_key)

    def list(self, prefix: str = "") -> list[str]:
        validate_prefix(prefix)
        keys = []
        paginator = self._client.get_paginator("list_objects_v2")
        with self._errors("list", None):
            for page in paginator.paginate(Bucket=self._bucket, Prefix=self._prefix + prefix):
                for item in page.get("Contents", []):
                    key = item["Key"][len(self._prefix) :]
                    # Skip what no key can name, such as "folder/" markers made by consoles.
                    if is_valid_key(key):
                        keys.append(key)
        return sorted(keys)

    def public_url(self, key: str) -> str | None:
        full_key = self._full_key(key)
        if self._public_base_url:
            return f"{self._public_base_url}/{quote(full_key)}"
        with self._errors("presign", key):
            return self._client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self._bucket, "Key": full_key},
                ExpiresIn=PRESIGNED_URL_SECONDS,
            )

    def presigned_url(self, key: str, *, expires_in: int) -> str:
        """A presigned GET of the object, even when public URLs go through a CDN."""
        with self._errors("presign", key):
            return self._client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self._bucket, "Key": self._full_key(key)},
                ExpiresIn=expires_in,
            )

    def upload_url(self, key: str, *, expires_in: int) -> str:
        with self._errors("presign", key):
            return self._client.generate_presigned_url(
                "put_object",
                Params={"Bucket": self._bucket, "Key": self._full_key(key)},
                ExpiresIn=expires_in,
            )

    def start_multipart(self, key: str, *, content_type: str) -> str:
        with self._errors("multipart start", key):
            response = self._client.create_multipart_upload(
                Bucket=self._bucket, Key=self._full_key(key), ContentType=content_type
            )
        return response["UploadId"]

    def part_url(self, key: str, upload_id: str, number: int, *, expires_in: int) -> str:
        with self._errors("presign", key):
            return self._client.generate_presigned_url(
                "upload_part",
                Params={
                    "Bucket": self._bucket,
                    "Key": self._full_key(key),
                    "UploadId": upload_id,
                    "PartNumber": number,
                },
                ExpiresIn=expires_in,
            )

    def finish_multipart(self, key: str, upload_id: str) -> StoredObject:
        full_key = self._full_key(key)
        # The store's own list of the parts it holds: the client need not echo their ETags.
        parts: list[CompletedPartTypeDef] = []
        with self._errors("multipart list", key):
            pages = self._client.get_paginator("list_parts").paginate(
                Bucket=self._bucket, Key=full_key, UploadId=upload_id
            )
            for page in pages:
                parts += [
                    {"PartNumber": part["PartNumber"], "ETag": part["ETag"]}
                    for part in page.get("Parts", [])
                ]
        if not parts:
            raise IncompleteUploadError(f"no part of {self._describe(key)} was uploaded")
        with self._errors("multipart finish", key):
            self._patient.complete_multipart_upload(
                Bucket=self._bucket,
                Key=full_key,
                UploadId=upload_id,
                MultipartUpload={"Parts": sorted(parts, key=lambda part: part["PartNumber"])},
            )
        return self.head(key)

    def copy(self, source: StoredObject, key: str, *, content_type: str) -> StoredObject:
        with self._errors("copy", source.key):
            self._patient.copy(
                {"Bucket": self._bucket, "Key": self._full_key(source.key)},
                self._bucket,
                self._full_key(key),
                ExtraArgs={
                    "ContentType": content_type,
                    "MetadataDirective": "REPLACE",
                    "CopySourceIfMatch": source.etag,
                },
                Config=_COPY,
            )
        return self.head(key)

    def abort_multipart(self, key: str, upload_id: str) -> None:
        with contextlib.suppress(NotFoundError), self._errors("multipart abort", key):
            self._client.abort_multipart_upload(
                Bucket=self._bucket, Key=self._full_key(key), UploadId=upload_id
            )

    def check(self) -> None:
        """HEAD the bucket: proves the endpoint answers, the credentials work, the bucket exists."""
        with self._errors("check", None):
            self._client.head_bucket(Bucket=self._bucket)

    def _full_key(self, key: str) -> str:
        return self._prefix + validate_key(key)

    def _describe(self, key: str | None) -> str:
        where = f"s3://{self._bucket}/{self._prefix}{key or ''}"
        return f"{where} at {self._endpoint_url}" if self._endpoint_url else where

    @contextlib.contextmanager
    def _errors(self, action: str, key: str | None) -> Iterator[None]:
        """Turn boto errors into ours; a missing object becomes `NotFoundError` (keys only)."""
        try:
            yield
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = error.get("Code", "")
            if key is not None and code in _NOT_FOUND_CODES:
                raise NotFoundError(f"no object {self._describe(key)}") from exc
            if code in _INCOMPLETE_CODES:
                raise IncompleteUploadError(
                    f"the parts of {self._describe(key)} do not make an object: {code} "
                    f"{error.get('Message', '')}".rstrip()
                ) from exc
            detail = _CLIENT_ERROR_HINTS.get(code, error.get("Message", ""))
            raise StorageError(
                f"S3 {action} of {self._describe(key)} failed: {code} {detail}".rstrip()
            ) from exc
        except (BotoCoreError, Boto3Error) as exc:
            raise StorageError(f"S3 {action} of {self._describe(key)} failed: {exc}") from exc


_CLIENT_ERROR_HINTS = {
    "404": "the bucket does not exist",
    "NoSuchBucket": "the bucket does not exist",
    "403": "access denied: check the credentials and the bucket policy",
    "AccessDenied": "access denied: check the credentials and the bucket policy",
    "InvalidRange": "the range is not satisfiable",
}


class _S3Stream:
    """A GetObject body whose read errors (reset connection, timeout) become `StorageError`."""

    def __init__(self, body: StreamingBody, where: str) -> None:
        self._body = body
        self._where = where

    def read(self, size: int = -1, /) -> bytes:
        try:
            return self._body.read(None if size < 0 else size)
        except BotoCoreError as exc:
            raise StorageError(f"S3 read of {self._where} failed: {exc}") from exc

    def close(self) -> None:
        self._body.close()

    def __enter__(self) -> _S3Stream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _client_config(*, custom_endpoint: bool, path_style: bool) -> Config:
    # Short timeouts and one retry budget so a store that is down fails fast (and /readyz
    # says so) instead of hanging a request thread.
    config = Config(
        connect_timeout=3,
        read_timeout=30,
        retries={"max_attempts": 2, "mode": "standard"},
        # Shared by the web process's whole threadpool; the default of 10 would churn.
        max_pool_connections=32,
    )
    if path_style:
        config = config.merge(Config(s3={"addressing_style": "path"}))
    if custom_endpoint:
        # boto3 >= 1.36 adds CRC checksums to every upload by default, which MinIO, R2, GCS
        # and others reject or mishandle; send and check them only where S3 requires them.
        config = config.merge(
            Config(
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            )
        )
    return config


def _upload_arguments(
    content_type: str,
    cache_control: str | None,
    content_encoding: str | None = None,
    metadata: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    arguments: dict[str, Any] = {"ContentType": content_type}
    if cache_control:
        arguments["CacheControl"] = cache_control
    if content_encoding:
        arguments["ContentEncoding"] = content_encoding
    if metadata:
        arguments["Metadata"] = dict(metadata)
    return arguments
