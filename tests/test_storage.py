"""One contract for every storage backend: memory, local directory, and S3 on moto's server.

Each contract test runs three times (`backend` is parametrized). The S3 case runs against a
real HTTP server — `python -m moto.server`, started once per session — in a bucket of its own,
under the prefix `some/prefix`, emptied before every test. A few tests at the end check what
only one backend can show (temp files on disk, multipart uploads, URL parsing).
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import re
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, cast
from urllib.parse import SplitResult

import httpx
import pytest

from podops.settings import Settings, SettingsError
from podops.storage import NotFoundError, Storage, StorageError
from podops.storage._memory import MemoryStorage
from podops.storage.backends import open_storage, register_backend
from podops.storage.configured import configured_storage
from tests.support.s3 import S3_REGION, empty_bucket, free_port, use_dummy_aws_credentials
from tests.support.storage import ConcreteStorage, backends_restored

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer
    from mypy_boto3_s3 import S3Client

MIB = 1024 * 1024
S3_PREFIX = "some/prefix"
QUOTED_ETAG = re.compile(r'"[^"\s]+"')


class SourceError(Exception):
    """Raised by a test source midway, as a client that hangs up would."""


class GeneratedSource(io.RawIOBase):
    """A non-seekable source that makes `size` pseudo-random bytes as it is read.

    It records the largest single read and hashes what it handed out, so a test can prove the
    backend streamed it and stored exactly it; with `fail_at` it raises `SourceError` instead
    of handing out byte number `fail_at`.
    """

    def __init__(self, size: int, *, fail_at: int | None = None) -> None:
        super().__init__()
        self.size = size
        self.sha256 = hashlib.sha256()
        self.largest_read = 0
        self._given = 0
        self._fail_at = fail_at
        self._random = random.Random(size)

    def readable(self) -> bool:
        return True

    def readall(self) -> bytes:
        self.largest_read = self.size  # reading it all at once is what streaming must avoid
        return super().readall()

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        self.largest_read = max(self.largest_read, len(view))
        count = min(len(view), self.size - self._given)
        if self._fail_at is not None and self._given + count > self._fail_at:
            raise SourceError(f"source failed after {self._given} bytes")
        chunk = self._random.randbytes(count)
        view[:count] = chunk
        self.sha256.update(chunk)
        self._given += count
        return count

    def as_binary_io(self) -> BinaryIO:
        return cast(BinaryIO, self)


# --- moto's standalone server, once per session ----------------------------------------------


# --- the storage under test ---------------------------------------------------------------


MakeStorage = Callable[..., ConcreteStorage]


def storage_settings(url: str = "file:///unused", **env: str) -> Settings:
    """Settings naming the store `url`, with `PODOPS_*` variables in `env` (S3_REGION=...)."""
    variables = {f"PODOPS_{name}": value for name, value in env.items()}
    return Settings.from_env({"PODOPS_DATA_DIR": "/unused", "PODOPS_STORAGE_URL": url, **variables})


@pytest.fixture(params=["memory", "local", "s3"])
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def make_storage(
    backend: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[MakeStorage]:
    """Builds the backend under test from settings, as the service does (memory: directly)."""
    made: list[ConcreteStorage] = []
    endpoint = bucket = ""
    if backend == "s3":
        # Looked up only here, so memory and local runs never start moto.
        endpoint = request.getfixturevalue("moto_endpoint")
        bucket = request.getfixturevalue("s3_bucket")
        empty_bucket(request.getfixturevalue("s3_client"), bucket)
        use_dummy_aws_credentials(monkeypatch)

    def make(*, public_base_url: str = "") -> ConcreteStorage:
        storage: Storage
        if backend == "memory":
            storage = MemoryStorage(public_base_url=public_base_url)
        elif backend == "local":
            storage = configured_storage(
                storage_settings((tmp_path / "storage").as_uri(), PUBLIC_BASE_URL=public_base_url)
            )
        else:
            storage = configured_storage(
                storage_settings(
                    f"s3://{bucket}/{S3_PREFIX}",
                    S3_REGION=S3_REGION,
                    S3_ENDPOINT_URL=endpoint,
                    S3_PATH_STYLE="true",
                    PUBLIC_BASE_URL=public_base_url,
                )
            )
        assert isinstance(storage, ConcreteStorage)
        made.append(storage)
        return storage

    yield make
    for storage in made:
        close = getattr(storage, "close", None)
        if close is not None:
            close()


@pytest.fixture
def storage(make_storage: MakeStorage) -> ConcreteStorage:
    return make_storage()


# --- the contract ----------------------------------------------------------------------------


def test_round_trip(storage: ConcreteStorage) -> None:
    data = b"ID3" + bytes(range(256)) * 40
    before = int(time.time())

    stored = storage.put_bytes("shows/abc/episode.mp3", data, content_type="audio/mpeg")

    assert stored.key == "shows/abc/episode.mp3"
    assert stored.size == len(data)
    assert QUOTED_ETAG.fullmatch(stored.etag)
    assert before - 60 <= stored.last_modified <= time.time() + 60
    assert stored.content_type == "audio/mpeg"
    assert storage.head("shows/abc/episode.mp3") == stored
    assert storage.exists("shows/abc/episode.mp3")
    assert storage.read_bytes("shows/abc/episode.mp3") == data
    with storage.open("shows/abc/episode.mp3") as stream:
        assert stream.read(3) == b"ID3"
        assert stream.read() == data[3:]


def test_empty_object(storage: ConcreteStorage) -> None:
    stored = storage.put_bytes("empty.txt", b"", content_type="text/plain")

    assert stored.size == 0
    assert storage.head("empty.txt").size == 0
    assert storage.read_bytes("empty.txt") == b""


def test_unusual_but_valid_keys(storage: ConcreteStorage) -> None:
    keys = ["with space/épisode 1.mp3", "a-b_c.d/e+f=g@h.mp3", "x" * 255]

    for key in keys:
        storage.put_bytes(key, key.encode(), content_type="audio/mpeg")

    assert storage.list() == sorted(keys)
    assert [storage.read_bytes(key) for key in keys] == [key.encode() for key in keys]


def test_overwrite_replaces_content_and_etag(storage: ConcreteStorage) -> None:
    first = storage.put_bytes("feed.xml", b"a" * 1000, content_type="text/xml")
    second = storage.put_bytes("feed.xml", b"b" * 1000, content_type="text/xml")

    assert second.etag != first.etag
    assert storage.head("feed.xml").etag == second.etag
    assert storage.read_bytes("feed.xml") == b"b" * 1000
    assert storage.list() == ["feed.xml"]


def test_stream_opened_before_an_overwrite_reads_the_old_object(storage: ConcreteStorage) -> None:
    storage.put_bytes("feed.xml", b"old " * 1000, content_type="text/xml")

    with storage.open("feed.xml") as stream:
        storage.put_bytes("feed.xml", b"new " * 2000, content_type="text/xml")
        assert stream.read() == b"old " * 1000


def test_readers_never_see_a_partial_object(storage: ConcreteStorage) -> None:
    versions = (b"a" * 256 * 1024, b"b" * 300 * 1024)
    storage.put_bytes("feed.xml", versions[0], content_type="text/xml")
    done = threading.Event()
    errors: list[BaseException] = []

    def overwrite() -> None:
        try:
            for round_number in range(20):
                storage.put_bytes("feed.xml", versions[round_number % 2], content_type="text/xml")
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            done.set()

    writer = threading.Thread(target=overwrite)
    writer.start()
    seen: set[bytes] = set()
    while not done.is_set():
        seen.add(storage.read_bytes("feed.xml"))
    writer.join()

    assert errors == []
    assert seen <= set(versions)


def test_put_file_streams_a_large_file(storage: ConcreteStorage, tmp_path: Path) -> None:
    path = tmp_path / "big.mp3"
    expected = hashlib.sha256()
    with path.open("wb") as out:
        for block in range(9):  # 9 MiB and a bit: above S3's multipart threshold
            chunk = random.Random(block).randbytes(MIB + block)
            expected.update(chunk)
            out.write(chunk)
    size = path.stat().st_size

    with path.open("rb") as source:
        stored = storage.put_file("big.mp3", source, content_type="audio/mpeg")

    assert stored.size == size
    assert QUOTED_ETAG.fullmatch(stored.etag)
    assert storage.head("big.mp3") == stored
    assert _sha256_of(storage, "big.mp3") == expected.hexdigest()


def test_put_path_takes_over_a_finished_file(storage: ConcreteStorage, tmp_path: Path) -> None:
    storage.put_bytes("media/take-over.mp3", b"old", content_type="audio/mpeg")
    finished = tmp_path / "upload.part"
    data = os.urandom(3 * 1024 * 1024 + 17)
    finished.write_bytes(data)

    stored = storage.put_path("media/take-over.mp3", finished, content_type="audio/mpeg")

    assert stored.size == len(data)
    assert storage.read_bytes("media/take-over.mp3") == data
    assert storage.head("media/take-over.mp3") == stored
    assert not finished.exists()  # taken over: moved or copied, then removed


def test_put_file_reads_an_unseekable_source_in_chunks(storage: ConcreteStorage) -> None:
    source = GeneratedSource(12 * MIB + 5)

    stored = storage.put_file("big.m4a", source.as_binary_io(), content_type="audio/mp4")

    assert stored.size == source.size
    assert 0 < source.largest_read <= 8 * MIB
    assert _sha256_of(storage, "big.m4a") == source.sha256.hexdigest()


def test_put_file_whose_source_fails_leaves_the_old_object(storage: ConcreteStorage) -> None:
    old = storage.put_bytes("episode.mp3", b"old episode", content_type="audio/mpeg")
    # Fails past 8 MiB, so S3 has already started a multipart upload.
    source = GeneratedSource(12 * MIB, fail_at=9 * MIB)

    with pytest.raises(SourceError):
        storage.put_file("episode.mp3", source.as_binary_io(), content_type="audio/mpeg")

    assert storage.read_bytes("episode.mp3") == b"old episode"
    assert storage.head("episode.mp3") == old
    assert storage.list() == ["episode.mp3"]


def test_open_a_range(storage: ConcreteStorage) -> None:
    data = bytes(range(256)) * 4
    storage.put_bytes("media.mp3", data, content_type="audio/mpeg")

    assert _read(storage, "media.mp3", start=0, end=0) == data[:1]
    assert _read(storage, "media.mp3", start=10, end=19) == data[10:20]
    assert _read(storage, "media.mp3", start=1000, end=1023) == data[1000:]
    assert _read(storage, "media.mp3", start=1000, end=5000) == data[1000:]  # end is cut
    assert _read(storage, "media.mp3", start=1000) == data[1000:]
    assert _read(storage, "media.mp3", start=1023) == data[1023:]
    assert _read(storage, "media.mp3", end=9) == data[:10]


def test_open_a_range_reads_in_chunks(storage: ConcreteStorage) -> None:
    data = bytes(range(256)) * 4
    storage.put_bytes("media.mp3", data, content_type="audio/mpeg")

    with storage.open("media.mp3", start=100, end=199) as stream:
        assert stream.read(60) == data[100:160]
        assert stream.read(60) == data[160:200]
        assert stream.read(60) == b""


@pytest.mark.parametrize(("start", "end"), [(-1, 5), (5, 4), (-1, None)])
def test_open_refuses_an_invalid_range(
    storage: ConcreteStorage, start: int, end: int | None
) -> None:
    storage.put_bytes("media.mp3", b"0123456789", content_type="audio/mpeg")

    with pytest.raises(ValueError, match="not a valid range"):
        storage.open("media.mp3", start=start, end=end)


@pytest.mark.parametrize(("start", "end"), [(10, 20), (10, None)])
def test_open_a_range_past_the_end_is_unsatisfiable(
    storage: ConcreteStorage, start: int, end: int | None
) -> None:
    storage.put_bytes("media.mp3", b"0123456789", content_type="audio/mpeg")

    with pytest.raises(StorageError, match="not satisfiable") as raised:
        storage.open("media.mp3", start=start, end=end)
    assert not isinstance(raised.value, NotFoundError)


def test_open_a_range_of_an_empty_object_is_unsatisfiable(storage: ConcreteStorage) -> None:
    storage.put_bytes("empty.txt", b"", content_type="text/plain")

    with storage.open("empty.txt") as stream:  # the whole of it is fine
        assert stream.read() == b""
    with pytest.raises(StorageError, match="not satisfiable"):
        storage.open("empty.txt", start=0, end=0)


def test_list_with_prefix(storage: ConcreteStorage) -> None:
    assert storage.list() == []
    keys = ["a/1.mp3", "a/2.mp3", "a/sub/5.mp3", "ab/3.mp3", "b/4.mp3", "top.xml"]
    for key in reversed(keys):
        storage.put_bytes(key, b"x", content_type="audio/mpeg")

    assert storage.list() == keys
    assert storage.list("a/") == ["a/1.mp3", "a/2.mp3", "a/sub/5.mp3"]
    assert storage.list("a") == ["a/1.mp3", "a/2.mp3", "a/sub/5.mp3", "ab/3.mp3"]
    assert storage.list("a/s") == ["a/sub/5.mp3"]
    assert storage.list("a/1") == ["a/1.mp3"]
    assert storage.list("top.xml") == ["top.xml"]
    assert storage.list("zzz/") == []
    assert storage.list("top.xml/") == []


def test_delete_is_idempotent(storage: ConcreteStorage) -> None:
    storage.put_bytes("a/episode.mp3", b"x", content_type="audio/mpeg")

    storage.delete("a/episode.mp3")
    storage.delete("a/episode.mp3")
    storage.delete("never/there.mp3")

    assert not storage.exists("a/episode.mp3")
    assert storage.list() == []


def test_move_keeps_content_and_type_and_leaves_nothing_behind(storage: ConcreteStorage) -> None:
    storage.put_bytes(
        "media/a/episode.mp3", b"audio", content_type="audio/mpeg", cache_control="no-store"
    )
    storage.put_bytes("private/a/media/episode.mp3", b"stale", content_type="audio/mpeg")

    storage.move("media/a/episode.mp3", "private/a/media/episode.mp3")

    assert storage.list() == ["private/a/media/episode.mp3"]
    assert storage.read_bytes("private/a/media/episode.mp3") == b"audio"
    assert storage.head("private/a/media/episode.mp3").content_type == "audio/mpeg"
    with pytest.raises(NotFoundError):
        storage.move("media/a/episode.mp3", "elsewhere.mp3")
    assert storage.list() == ["private/a/media/episode.mp3"]
    with pytest.raises(StorageError):
        storage.move("private/a/media/episode.mp3", "../escape.mp3")
    assert storage.read_bytes("private/a/media/episode.mp3") == b"audio"


def put_with(storage: ConcreteStorage, key: str, data: bytes, **metadata: str) -> None:
    """`put_path` of `data` with `metadata` (names with `_` for `-`), as a build stores a feed."""
    descriptor, name = tempfile.mkstemp(prefix="podops-metadata-")
    path = Path(name)
    with open(descriptor, "wb") as scratch:
        scratch.write(data)
    try:
        storage.put_path(
            key,
            path,
            content_type="application/rss+xml",
            metadata={name.replace("_", "-"): value for name, value in metadata.items()},
        )
    finally:
        path.unlink(missing_ok=True)


def test_metadata_goes_with_the_version_stored_with_it(storage: ConcreteStorage) -> None:
    put_with(storage, "feeds/a/feed.xml", b"<rss>1</rss>", podops_move="none", other="x y")
    assert storage.head("feeds/a/feed.xml").metadata == {"podops-move": "none", "other": "x y"}

    put_with(storage, "feeds/a/feed.xml", b"<rss>1</rss>", podops_move="1 https://e.com/f")
    assert storage.head("feeds/a/feed.xml").metadata == {"podops-move": "1 https://e.com/f"}
    assert storage.read_bytes("feeds/a/feed.xml") == b"<rss>1</rss>"

    # A version stored without metadata has none, whatever the one before it had.
    storage.put_bytes("feeds/a/feed.xml", b"<rss>2</rss>", content_type="application/rss+xml")
    assert storage.head("feeds/a/feed.xml").metadata == {}
    assert storage.list() == ["feeds/a/feed.xml"]


def test_move_and_delete_take_the_metadata_along(storage: ConcreteStorage) -> None:
    put_with(storage, "media/a/episode.mp3", b"audio", podops_note="kept")
    storage.put_bytes("private/a/media/episode.mp3", b"stale", content_type="audio/mpeg")

    storage.move("media/a/episode.mp3", "private/a/media/episode.mp3")
    assert storage.head("private/a/media/episode.mp3").metadata == {"podops-note": "kept"}

    storage.delete("private/a/media/episode.mp3")
    storage.put_bytes("private/a/media/episode.mp3", b"audio", content_type="audio/mpeg")
    assert storage.head("private/a/media/episode.mp3").metadata == {}
    assert storage.list() == ["private/a/media/episode.mp3"]


@pytest.mark.parametrize(
    "metadata",
    [
        {"Upper": "x"},
        {"under_score": "x"},
        {"-leading": "x"},
        {"": "x"},
        {"name": "caf\u00e9"},
        {"name": "line\nbreak"},
        {"name": "x" * 2045},
    ],
)
def test_metadata_no_store_can_keep_is_refused_and_stores_nothing(
    storage: ConcreteStorage, tmp_path: Path, metadata: dict[str, str]
) -> None:
    storage.put_bytes("feeds/a/feed.xml", b"old", content_type="application/rss+xml")
    path = tmp_path / "feed.xml"
    path.write_bytes(b"new")

    with pytest.raises(StorageError, match="metadata"):
        storage.put_path(
            "feeds/a/feed.xml", path, content_type="application/rss+xml", metadata=metadata
        )

    assert storage.read_bytes("feeds/a/feed.xml") == b"old"
    assert storage.head("feeds/a/feed.xml").metadata == {}


def test_metadata_of_2_kb_is_kept(storage: ConcreteStorage) -> None:
    value = "x" * (2048 - len("name"))
    put_with(storage, "feeds/a/feed.xml", b"<rss/>", name=value)
    assert storage.head("feeds/a/feed.xml").metadata == {"name": value}


def test_a_directory_like_prefix_is_not_an_object(storage: ConcreteStorage) -> None:
    storage.put_bytes("a/b/episode.mp3", b"x", content_type="audio/mpeg")

    assert not storage.exists("a/b")
    with pytest.raises(NotFoundError):
        storage.head("a")
    storage.delete("a/b")
    assert storage.list() == ["a/b/episode.mp3"]


MISSING_KEY_OPERATIONS: dict[str, Callable[[ConcreteStorage, str], object]] = {
    "head": lambda storage, key: storage.head(key),
    "open": lambda storage, key: storage.open(key),
    "read_bytes": lambda storage, key: storage.read_bytes(key),
    "open a range": lambda storage, key: storage.open(key, start=0, end=10),
}


@pytest.mark.parametrize("operation", MISSING_KEY_OPERATIONS)
@pytest.mark.parametrize("key", ["missing.mp3", "missing/dir/episode.mp3", "other.mp3/inside"])
def test_missing_key_is_not_found(storage: ConcreteStorage, operation: str, key: str) -> None:
    storage.put_bytes("other.mp3", b"x", content_type="audio/mpeg")

    with pytest.raises(NotFoundError, match=re.escape(key)):
        MISSING_KEY_OPERATIONS[operation](storage, key)
    assert not storage.exists(key)


BAD_KEYS = [
    pytest.param("", id="empty"),
    pytest.param("/etc/passwd", id="absolute"),
    pytest.param("../escape", id="parent"),
    pytest.param("a/../../escape", id="parent-inside"),
    pytest.param("..", id="dot-dot"),
    pytest.param("a/./b", id="dot"),
    pytest.param("a//b", id="empty-segment"),
    pytest.param("a/", id="trailing-slash"),
    pytest.param("a\\b", id="backslash"),
    pytest.param("..\\escape", id="backslash-parent"),
    pytest.param("nul\x00byte", id="nul"),
    pytest.param("line\nbreak", id="newline"),
    pytest.param("tab\tkey", id="tab"),
    pytest.param("del\x7f", id="del"),
    pytest.param("c1\x85control", id="c1-control"),
    pytest.param(".hidden", id="hidden"),
    pytest.param("a/.podops-tmp-0123456789abcdef", id="temp-name"),
    pytest.param("lone\udc80surrogate", id="surrogate"),
    pytest.param("a" * 256, id="long-segment"),
    pytest.param("a/" * 512 + "b", id="longer-than-1024-bytes"),
]

KEY_OPERATIONS: dict[str, Callable[[ConcreteStorage, str], object]] = {
    **MISSING_KEY_OPERATIONS,
    "put_bytes": lambda storage, key: storage.put_bytes(key, b"x", content_type="text/plain"),
    "put_file": lambda storage, key: storage.put_file(
        key, io.BytesIO(b"x"), content_type="text/plain"
    ),
    "exists": lambda storage, key: storage.exists(key),
    "delete": lambda storage, key: storage.delete(key),
    "public_url": lambda storage, key: storage.public_url(key),
}


@pytest.mark.parametrize("key", BAD_KEYS)
def test_bad_keys_are_refused_by_every_operation(storage: ConcreteStorage, key: str) -> None:
    for operation, call in KEY_OPERATIONS.items():
        with pytest.raises(StorageError, match="invalid storage key") as raised:
            call(storage, key)
        assert type(raised.value) is StorageError, operation

    assert storage.list() == []


@pytest.mark.parametrize("prefix", ["/abs", "../", "a/../", "a\\", "a//", ".hidden", "a\x00"])
def test_bad_prefixes_are_refused(storage: ConcreteStorage, prefix: str) -> None:
    with pytest.raises(StorageError, match="invalid storage prefix"):
        storage.list(prefix)


def test_public_url_with_a_public_base_url(make_storage: MakeStorage, backend: str) -> None:
    storage = make_storage(public_base_url="https://cdn.example.com/podcasts/")
    storage_prefix = f"{S3_PREFIX}/" if backend == "s3" else ""

    assert storage.public_url("show/ep 1.mp3") == (
        f"https://cdn.example.com/podcasts/{storage_prefix}show/ep%201.mp3"
    )


def test_public_url_without_a_public_base_url(storage: ConcreteStorage, backend: str) -> None:
    storage.put_bytes("show/episode.mp3", b"episode bytes", content_type="audio/mpeg")

    url = storage.public_url("show/episode.mp3")

    if backend == "s3":  # a presigned GET that works without credentials
        assert url is not None
        assert f"/{S3_PREFIX}/show/episode.mp3?" in url
        response = httpx.get(url)
        assert response.status_code == 200
        assert response.content == b"episode bytes"
    else:  # podops serves these itself
        assert url is None


def test_check_succeeds(storage: ConcreteStorage) -> None:
    storage.check()


# --- failures of the store itself ----------------------------------------------------------


def test_check_fails_fast_for_an_unreachable_s3_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    use_dummy_aws_credentials(monkeypatch)
    endpoint = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    storage = open_storage(
        "s3://podops-media",
        storage_settings(S3_REGION=S3_REGION, S3_ENDPOINT_URL=endpoint, S3_PATH_STYLE="true"),
    )

    with pytest.raises(StorageError, match="connect") as raised:
        storage.check()
    assert endpoint in str(raised.value)
    assert not isinstance(raised.value, NotFoundError)


def test_check_fails_for_a_missing_bucket(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_dummy_aws_credentials(monkeypatch)
    storage = open_storage(
        f"s3://podops-missing-{uuid.uuid4().hex[:8]}",
        storage_settings(S3_REGION=S3_REGION, S3_ENDPOINT_URL=moto_endpoint, S3_PATH_STYLE="true"),
    )

    with pytest.raises(StorageError, match="does not exist") as raised:
        storage.check()
    assert not isinstance(raised.value, NotFoundError)


def test_check_fails_for_a_directory_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"")
    storage = open_local(blocker / "storage")

    with pytest.raises(StorageError, match="cannot be created"):
        storage.check()


def test_local_write_under_a_file_is_a_storage_error(tmp_path: Path) -> None:
    storage = open_local(tmp_path / "storage")
    storage.put_bytes("show", b"a file", content_type="text/plain")

    with pytest.raises(StorageError, match="cannot write") as raised:
        storage.put_bytes("show/episode.mp3", b"x", content_type="audio/mpeg")
    assert not isinstance(raised.value, NotFoundError)


# --- what only one backend can show --------------------------------------------------------


def test_local_check_creates_the_directory(tmp_path: Path) -> None:
    root = tmp_path / "not" / "yet"
    open_local(root).check()

    assert root.is_dir()
    assert list(root.iterdir()) == []  # the probe file is gone


def test_local_failed_write_leaves_no_temp_file(tmp_path: Path) -> None:
    root = tmp_path / "storage"
    storage = open_local(root)
    storage.put_bytes("show/episode.mp3", b"old", content_type="audio/mpeg")

    with pytest.raises(SourceError):
        storage.put_file(
            "show/episode.mp3",
            GeneratedSource(4 * MIB, fail_at=3 * MIB).as_binary_io(),
            content_type="audio/mpeg",
        )

    assert [path.name for path in (root / "show").iterdir()] == ["episode.mp3"]
    assert (root / "show" / "episode.mp3").read_bytes() == b"old"


def test_local_bad_key_touches_nothing_outside_the_root(tmp_path: Path) -> None:
    storage = open_local(tmp_path / "storage")

    for key in ("../escape", "/tmp/escape", "..\\escape"):
        with pytest.raises(StorageError):
            storage.put_bytes(key, b"x", content_type="text/plain")

    assert list(tmp_path.iterdir()) == []


def test_local_content_type_is_guessed_from_the_key(tmp_path: Path) -> None:
    storage = open_local(tmp_path / "storage")
    expected = {
        "episode.mp3": "audio/mpeg",
        "episode.m4a": "audio/mp4",
        "feed.xml": "text/xml",
        "cover.jpg": "image/jpeg",
        "chapters.json": "application/json",
        "transcript.vtt": "text/vtt",
        "no-extension": "application/octet-stream",
        "unknown.zzz": "application/octet-stream",
    }

    for key in expected:
        storage.put_bytes(key, b"x", content_type="text/plain")  # the argument is not kept

    assert {key: storage.head(key).content_type for key in expected} == expected


def test_local_overwrite_keeps_an_open_reader_whole(tmp_path: Path) -> None:
    storage = open_local(tmp_path / "storage")
    storage.put_bytes("feed.xml", b"old", content_type="text/xml")

    with storage.open("feed.xml") as stream:
        storage.delete("feed.xml")
        assert stream.read() == b"old"


def test_local_metadata_is_kept_apart_and_remembered_by_etag(tmp_path: Path) -> None:
    root = tmp_path / "storage"
    storage = open_local(root)
    put_with(storage, "feeds/a/feed.xml", b"<rss/>", podops_move="none")
    kept = root / ".podops-metadata" / "feeds" / "a" / "feed.xml"
    assert kept.is_file()
    assert storage.list() == ["feeds/a/feed.xml"]
    assert storage.head("feeds/a/feed.xml").metadata == {"podops-move": "none"}

    # Read once per version: heads after the first read nothing but the object's own stat.
    kept.unlink()
    assert storage.head("feeds/a/feed.xml").metadata == {"podops-move": "none"}
    # Another process reads what is on disk.
    assert open_local(root).head("feeds/a/feed.xml").metadata == {}


def test_local_metadata_of_another_version_is_passed_over(tmp_path: Path) -> None:
    root = tmp_path / "storage"
    storage = open_local(root)
    put_with(storage, "feeds/a/feed.xml", b"<rss>1</rss>", podops_move="none")
    kept = root / ".podops-metadata" / "feeds" / "a" / "feed.xml"
    written_for_version_one = kept.read_bytes()
    # As a write that failed after its metadata went down would leave it: metadata naming a
    # version that is not (or no longer) the stored one.
    put_with(storage, "feeds/a/feed.xml", b"<rss>2</rss>", podops_move="1 https://e.com/f")
    kept.write_bytes(written_for_version_one)

    assert open_local(root).head("feeds/a/feed.xml").metadata == {}


def test_local_unreadable_metadata_is_a_storage_error(tmp_path: Path) -> None:
    root = tmp_path / "storage"
    put_with(open_local(root), "feeds/a/feed.xml", b"<rss/>", podops_move="none")
    (root / ".podops-metadata" / "feeds" / "a" / "feed.xml").write_bytes(b"{not json")

    with pytest.raises(StorageError, match="metadata"):
        open_local(root).head("feeds/a/feed.xml")


@pytest.mark.parametrize("backend", ["s3"])
def test_s3_metadata_is_the_objects_own(
    storage: ConcreteStorage, s3_client: S3Client, s3_bucket: str
) -> None:
    put_with(storage, "feeds/a/feed.xml", b"<rss/>", podops_move="none")

    raw = s3_client.head_object(Bucket=s3_bucket, Key=f"{S3_PREFIX}/feeds/a/feed.xml")

    assert raw["Metadata"] == {"podops-move": "none"}
    assert storage.list() == ["feeds/a/feed.xml"]


@pytest.mark.parametrize("backend", ["s3"])
def test_s3_objects_live_under_the_prefix_with_their_headers(
    storage: Storage, s3_client: S3Client, s3_bucket: str
) -> None:
    storage.put_bytes(
        "show/feed.xml", b"<rss/>", content_type="application/rss+xml", cache_control="max-age=60"
    )
    s3_client.put_object(Bucket=s3_bucket, Key="outside.mp3", Body=b"x")
    s3_client.put_object(Bucket=s3_bucket, Key=f"{S3_PREFIX}ed/sibling.mp3", Body=b"x")
    s3_client.put_object(Bucket=s3_bucket, Key=f"{S3_PREFIX}/folder/", Body=b"")

    raw = s3_client.head_object(Bucket=s3_bucket, Key=f"{S3_PREFIX}/show/feed.xml")

    assert raw["ContentType"] == "application/rss+xml"
    assert raw["CacheControl"] == "max-age=60"
    assert storage.list() == ["show/feed.xml"]


@pytest.mark.parametrize("backend", ["s3"])
def test_s3_failed_upload_leaves_no_multipart_upload(
    storage: Storage, s3_client: S3Client, s3_bucket: str
) -> None:
    source = GeneratedSource(20 * MIB, fail_at=17 * MIB)

    with pytest.raises(SourceError):
        storage.put_file("episode.mp3", source.as_binary_io(), content_type="audio/mpeg")

    assert s3_client.list_multipart_uploads(Bucket=s3_bucket).get("Uploads", []) == []
    assert not storage.exists("episode.mp3")


@pytest.mark.parametrize(
    "url",
    [
        "",
        "ftp://example.com/media",
        "/var/podops/storage",
        "file://relative/path",
        "file:relative",
        "file:///var/storage?mode=1",
        "s3://",
        "s3:///prefix-without-bucket",
        "s3://key:secret@bucket",
        "s3://bucket/../escape",
        "s3://bucket/a//b",
        "s3://bucket#fragment",
        "S3://bucket",
        "s3:bucket",
        "memory://",  # the double is built directly: a process must not store media in memory
    ],
)
def test_open_storage_refuses_bad_urls(url: str) -> None:
    with pytest.raises(StorageError, match=r"storage URL|bucket|prefix"):
        open_storage(url, storage_settings())


def test_open_storage_accepts_an_encoded_file_url(tmp_path: Path) -> None:
    root = tmp_path / "with space"
    storage = open_local(root)
    storage.put_bytes("a.txt", b"x", content_type="text/plain")

    assert (root / "a.txt").read_bytes() == b"x"


def _sha256_of(storage: ConcreteStorage, key: str) -> str:
    digest = hashlib.sha256()
    with storage.open(key) as stream:
        while chunk := stream.read(MIB):
            digest.update(chunk)
    return digest.hexdigest()


# --- backends by scheme ----------------------------------------------------------------------


def test_a_backend_registered_under_a_new_scheme_is_picked_by_configured_storage(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[tuple[str, str]] = []

    def open_shelf(url: SplitResult, settings: Settings) -> Storage:
        opened.append((url.netloc, url.path))
        return MemoryStorage(public_base_url=settings.public_base_url)

    with backends_restored(monkeypatch):
        register_backend("shelf", open_shelf, form="shelf://name")
        # The settings accept the scheme because the registry knows it.
        settings = storage_settings("shelf://top/media", PUBLIC_BASE_URL="https://cdn.example.com")

        storage = configured_storage(settings)

    assert isinstance(storage, MemoryStorage)
    assert opened == [("top", "/media")]
    assert storage.public_url("a.mp3") == "https://cdn.example.com/a.mp3"
    with pytest.raises(SettingsError, match="unknown storage scheme 'shelf'"):
        storage_settings("shelf://top/media")  # forgotten outside the block


def test_an_unknown_scheme_is_refused_naming_the_known_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    known = "use s3://bucket[/prefix] or file:///absolute/path"
    settings = replace(storage_settings(), storage_url="gcs://bucket/media")

    with pytest.raises(StorageError, match=re.escape(f"unknown storage scheme 'gcs': {known}")):
        configured_storage(settings)
    with pytest.raises(SettingsError, match=re.escape(f"unknown storage scheme 'gcs': {known}")):
        storage_settings("gcs://bucket/media")
    with backends_restored(monkeypatch):
        register_backend("azure", lambda url, settings: MemoryStorage(), form="azure://container")
        with pytest.raises(StorageError, match=re.escape(f"{known} or azure://container")):
            configured_storage(settings)


@pytest.mark.parametrize(
    ("scheme", "message"), [("s3", "already registered"), ("GCS", "lower-case"), ("", "lower")]
)
def test_register_backend_refuses_a_taken_or_malformed_scheme(
    monkeypatch: pytest.MonkeyPatch, scheme: str, message: str
) -> None:
    with backends_restored(monkeypatch), pytest.raises(ValueError, match=message):
        register_backend(scheme, lambda url, settings: MemoryStorage(), form=f"{scheme}://")


def open_local(root: Path) -> ConcreteStorage:
    storage = open_storage(root.as_uri(), storage_settings())
    assert isinstance(storage, ConcreteStorage)
    return storage


def _read(storage: Storage, key: str, *, start: int = 0, end: int | None = None) -> bytes:
    with storage.open(key, start=start, end=end) as stream:
        return stream.read()
