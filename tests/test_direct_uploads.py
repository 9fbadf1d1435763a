"""Direct-to-storage uploads against moto's S3 server, a real worker and PostgreSQL.

The client PUTs the media to presigned URLs (one PUT, or a multipart upload's parts), then
completes the upload; a worker reads it back, checks and probes it, and makes the asset: the
same asset, and the same refusals, as an upload through the API.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from click.testing import CliRunner
from PIL import Image
from sqlalchemy import func, select
from starlette.testclient import TestClient

from podops.api import create_app
from podops.client.cli import main as po
from podops.db import Database
from podops.models import Operation
from podops.settings import Settings
from podops.storage._s3 import S3Storage
from tests.conftest import make_settings
from tests.media.mpeg_frames import cbr_44100
from tests.support.auth import bearer, context_of, token_for
from tests.support.operations import poll
from tests.support.processes import LiveServer, WorkerProcess, free_port
from tests.support.producer import MP3
from tests.support.s3 import s3_environment, use_dummy_aws_credentials

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

pytestmark = pytest.mark.slow

SCOPES = "production:read production:write resource:read resource:write"
MIB = 1024 * 1024
# Facts of the asset that depend only on the bytes (not on the production it is in).
SAME_FACTS = ("size", "type", "duration", "bitrate", "sample_rate", "channels", "sha256")


@pytest.fixture
def s3_settings(
    tmp_path: Path,
    database: Database,
    redis_url: str,
    moto_endpoint: str,
    s3_bucket: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Settings:
    use_dummy_aws_credentials(monkeypatch)  # the worker process inherits them
    return make_settings(
        tmp_path,
        PODOPS_DATABASE_URL=database.url,
        PODOPS_BROKER_URL=redis_url,
        **s3_environment(moto_endpoint, s3_bucket, f"direct-{uuid.uuid4().hex[:8]}"),
        PODOPS_MAX_UPLOAD_BYTES=str(40 * MIB),
    )


@pytest.fixture
def s3_worker(s3_settings: Settings, tmp_path: Path) -> Iterator[WorkerProcess]:
    process = WorkerProcess(s3_settings, tmp_path / "worker.log")
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def api(s3_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(s3_settings), raise_server_exceptions=False) as client:
        token = token_for(context_of(client), "direct@example.com", SCOPES)
        client.headers.update(bearer(token))
        for name in ("direct-show", "through-api-show"):
            made = client.post("/a/v1/production", json={"name": name, "title": name})
            assert made.status_code == 201, made.text
        yield client


def staged_keys(settings: Settings, s3_client: S3Client) -> list[str]:
    """Objects and multipart uploads left under the staging prefix."""
    bucket, _, prefix = settings.storage_url.removeprefix("s3://").partition("/")
    staging = f"{prefix}/uploads/"
    objects = s3_client.list_objects_v2(Bucket=bucket, Prefix=staging).get("Contents", [])
    pending = s3_client.list_multipart_uploads(Bucket=bucket, Prefix=staging).get("Uploads", [])
    return [item["Key"] for item in objects] + [item["Key"] for item in pending]


def plan(client: TestClient, body: dict[str, Any], production: str = "direct-show") -> Any:
    response = client.post(f"/a/v1/direct-upload/{production}", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def put_all(planned: dict[str, Any], data: bytes) -> None:
    """PUT the bytes as the plan says, as any HTTP client can."""
    if planned["method"] == "put":
        assert httpx.put(planned["url"], content=data).status_code == 200
        return
    for part in planned["parts"]:
        piece = data[part["offset"] : part["offset"] + part["size"]]
        assert httpx.put(part["url"], content=piece).status_code == 200


def complete(client: TestClient, planned: dict[str, Any]) -> dict[str, Any]:
    response = client.post(planned["complete_path"], json=planned["complete"])
    assert response.status_code == 202, response.text
    return poll(client, response.headers["location"])


def test_a_direct_upload_makes_the_same_asset_as_an_upload_through_the_api(
    api: TestClient, s3_worker: WorkerProcess, s3_settings: Settings, s3_client: S3Client
) -> None:
    through_api = api.post(
        "/a/v1/upload/through-api-show?name=episode-audio",
        content=MP3,
        headers={"Content-Type": "audio/mpeg"},
    )
    assert through_api.status_code == 201, through_api.text
    expected = through_api.json()

    planned = plan(
        api,
        {
            "size": len(MP3),
            "sha256": hashlib.sha256(MP3).hexdigest(),
            "name": "episode-audio",
            "filename": "episode.mp3",
        },
    )
    assert planned["method"] == "put"
    assert planned["complete_path"] == "/a/v1/direct-upload/direct-show/complete"
    put_all(planned, MP3)
    done = complete(api, planned)
    assert done["status"] == "Success", done["error"]
    made = done["result"]
    assert made["created"] is True
    assert made["warnings"] == expected["warnings"]
    asset, reference = made["asset"], expected["asset"]
    assert asset["metadata"]["name"] == reference["metadata"]["name"]
    for fact in SAME_FACTS:
        assert asset["description"][fact] == reference["description"][fact], fact
    # The asset is a resource like any other, and its media is in the store.
    got = api.get("/a/v1/resource/direct-show/asset/episode-audio")
    assert got.status_code == 200
    assert got.json()["description"] == asset["description"]
    storage = context_of(api).storage
    with storage.open(asset["description"]["storage_key"]) as stored:
        assert stored.read() == MP3
    assert staged_keys(s3_settings, s3_client) == []

    # The same bytes again: the asset they made, as the API answers a repeated upload.
    again = plan(api, {"size": len(MP3), "name": "episode-audio"})
    put_all(again, MP3)
    repeated = complete(api, again)
    assert repeated["result"]["created"] is False
    assert repeated["result"]["asset"]["metadata"]["guid"] == asset["metadata"]["guid"]


def test_a_large_file_goes_up_in_parts(
    api: TestClient, s3_worker: WorkerProcess, s3_settings: Settings, s3_client: S3Client
) -> None:
    audio = cbr_44100(frames=30_000)  # ~12.5 MB: three parts of 5 MiB
    planned = plan(api, {"size": len(audio), "part_size": 5 * MIB, "filename": "long-episode.mp3"})
    assert planned["method"] == "multipart"
    assert [part["number"] for part in planned["parts"]] == [1, 2, 3]
    assert sum(part["size"] for part in planned["parts"]) == len(audio)
    put_all(planned, audio)
    done = complete(api, planned)
    assert done["status"] == "Success", done["error"]
    description = done["result"]["asset"]["description"]
    assert description["size"] == len(audio)
    assert description["sha256"] == hashlib.sha256(audio).hexdigest()
    assert done["result"]["asset"]["metadata"]["name"] == "long-episode"
    assert staged_keys(s3_settings, s3_client) == []


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "body", "code"),
    [
        # The bytes do not match the SHA-256 the client declared.
        (MP3, {"sha256": "0" * 64}, "podops.upload.sha256_mismatch"),
        # A PNG named .mp3: the type the name says is not the type of the bytes.
        (png(), {"filename": "episode.mp3"}, "podops.media.type_mismatch"),
        # Audio as artwork.
        (MP3, {"role": "artwork"}, "podops.media.not_an_image"),
        # Bytes of no media type at all.
        (b"just some text, no media" * 40, {}, "podops.media.unsupported_type"),
    ],
    ids=["sha256", "type_mismatch", "not_an_image", "unsupported"],
)
def test_the_worker_refuses_what_the_upload_route_refuses_and_keeps_nothing(
    api: TestClient,
    s3_worker: WorkerProcess,
    s3_settings: Settings,
    s3_client: S3Client,
    data: bytes,
    body: dict[str, Any],
    code: str,
) -> None:
    if code != "podops.upload.sha256_mismatch":
        # The route's own answer to the same bytes, for comparison.
        query = "&".join(f"{key}={value}" for key, value in body.items() if key != "filename")
        through_api = api.post(
            f"/a/v1/upload/through-api-show?{query}&filename={body.get('filename', 'x')}",
            content=data,
        )
        assert through_api.json()["code"] == code, through_api.text
    planned = plan(api, {"size": len(data), **body})
    put_all(planned, data)
    done = complete(api, planned)
    assert done["status"] == "Failed"
    assert done["error"]["code"] == code
    assert api.get("/a/v1/resource/direct-show/asset").json()["resources"] == []
    assert staged_keys(s3_settings, s3_client) == []


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 400, "size"),
        ({"size": 0}, 400, "size"),
        ({"size": "big"}, 400, "size"),
        ({"size": 41 * MIB}, 413, "size"),
        ({"size": 10, "sha256": "XYZ"}, 400, "sha256"),
        ({"size": 10, "name": "Bad Name!"}, 400, "name"),
        ({"size": 10, "role": "video"}, 400, "role"),
        ({"size": 10, "part_size": 1024}, 400, "part_size"),
        ({"size": 10, "content_type": "not a type"}, 400, "content_type"),
        ({"size": 10, "bucket": "elsewhere"}, 400, "bucket"),
    ],
)
def test_a_bad_plan_request_is_refused_and_stages_nothing(
    api: TestClient,
    s3_settings: Settings,
    s3_client: S3Client,
    body: dict[str, Any],
    status: int,
    field: str,
) -> None:
    response = api.post("/a/v1/direct-upload/direct-show", json=body)
    assert response.status_code == status, response.text
    answer = response.json()
    assert answer["success"] is False
    assert field in json.dumps(answer)
    assert staged_keys(s3_settings, s3_client) == []


def test_completing_what_was_not_uploaded_as_declared_is_refused(
    api: TestClient, s3_settings: Settings, s3_client: S3Client
) -> None:
    planned = plan(api, {"size": len(MP3)})
    complete_path, body = planned["complete_path"], planned["complete"]

    nothing = api.post(complete_path, json=body)
    assert (nothing.status_code, nothing.json()["code"]) == (400, "podops.upload.not_uploaded")

    put_all(planned, MP3[:-10])  # ten bytes short of what was declared
    short = api.post(complete_path, json=body)
    assert (short.status_code, short.json()["code"]) == (400, "podops.upload.size_mismatch")
    assert staged_keys(s3_settings, s3_client) == []  # it can never become the asset

    for bad in (
        {**body, "upload": "../../media/x"},
        {**body, "upload": "A" * 24},
        {key: value for key, value in body.items() if key != "upload"},
        {**body, "multipart": ""},
    ):
        refused = api.post(complete_path, json=bad)
        assert refused.status_code == 400, refused.text

    # Someone else's production, or none: not found, whatever the body.
    for path in ("/a/v1/direct-upload/no-such-show/complete", "/a/v1/direct-upload/no-such-show"):
        assert api.post(path, json=body).status_code == 404
    with api.app.state.context.database.session() as session:  # type: ignore[attr-defined]
        assert session.scalar(select(func.count()).select_from(Operation)) == 0


def test_a_multipart_upload_missing_a_part_is_refused(
    api: TestClient, s3_settings: Settings, s3_client: S3Client
) -> None:
    audio = cbr_44100(frames=30_000)
    planned = plan(api, {"size": len(audio), "part_size": 5 * MIB})
    for part in planned["parts"][:-1]:  # the last part never sent
        piece = audio[part["offset"] : part["offset"] + part["size"]]
        assert httpx.put(part["url"], content=piece).status_code == 200
    response = api.post(planned["complete_path"], json=planned["complete"])
    assert (response.status_code, response.json()["code"]) == (400, "podops.upload.size_mismatch")
    assert staged_keys(s3_settings, s3_client) == []

    # No part at all: nothing to join; the multipart upload is dropped.
    nothing = plan(api, {"size": len(audio), "part_size": 5 * MIB})
    response = api.post(nothing["complete_path"], json=nothing["complete"])
    assert (response.status_code, response.json()["code"]) == (400, "podops.upload.not_uploaded")
    assert staged_keys(s3_settings, s3_client) == []


def test_local_storage_says_to_use_the_upload_route(tmp_path: Path, database: Database) -> None:
    settings = make_settings(tmp_path, PODOPS_DATABASE_URL=database.url)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        client.headers.update(bearer(token_for(context_of(client), "local@example.com", SCOPES)))
        made = client.post("/a/v1/production", json={"name": "local-show", "title": "Local"})
        assert made.status_code == 201, made.text
        response = client.post("/a/v1/direct-upload/local-show", json={"size": 10})
        assert response.status_code == 409
        answer = response.json()
        assert answer["code"] == "podops.upload.direct_unavailable"
        assert "POST /a/v1/upload/local-show" in answer["message"]


def test_po_upload_goes_direct_when_the_server_offers_it(
    s3_settings: Settings, s3_worker: WorkerProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PO_CONFIG", str(tmp_path / "po" / "config.yaml"))
    for name in ("PO_API", "PO_TOKEN", "PO_CREDENTIALS", "PO_CONTEXT"):
        monkeypatch.delenv(name, raising=False)
    server = LiveServer(create_app(s3_settings), free_port())
    server.start()
    try:
        context = server.server.config.app.state.context  # type: ignore[attr-defined]
        token = token_for(context, "po-direct@example.com", SCOPES)
        cli = ["--api", server.url, "--token", token, "-o", "json"]
        runner = CliRunner()
        made = runner.invoke(po, [*cli, "create", "po-direct-show", "--title", "Direct"])
        assert made.exit_code == 0, made.output
        audio = tmp_path / "Long Episode.mp3"
        audio.write_bytes(cbr_44100(frames=30_000))
        result = runner.invoke(po, [*cli, "upload", "po-direct-show", str(audio)])
        assert result.exit_code == 0, result.output
        uploaded = json.loads(result.stdout)
        assert uploaded["asset"]["metadata"]["name"] == "long-episode"
        assert uploaded["asset"]["description"]["size"] == audio.stat().st_size
        with context.database.session() as session:
            kinds = session.scalars(select(Operation.kind)).all()
        assert kinds == ["direct_upload"]

        # --through-api: the same bytes through the API find the same asset.
        result = runner.invoke(po, [*cli, "upload", "po-direct-show", str(audio), "--through-api"])
        assert result.exit_code == 0, result.output
        again = json.loads(result.stdout)["asset"]
        assert again["metadata"]["guid"] == uploaded["asset"]["metadata"]["guid"]
    finally:
        server.stop()


def test_the_staged_object_is_copied_only_while_it_is_the_one_checked(
    s3_settings: Settings,
) -> None:
    from podops.storage import StorageError
    from podops.storage.configured import configured_storage

    storage = configured_storage(s3_settings)
    assert isinstance(storage, S3Storage)
    storage.put_bytes("uploads/swap-test", b"checked bytes", content_type="audio/mpeg")
    checked = storage.head("uploads/swap-test")
    # The client PUTs to its upload URL again after the worker read the object back.
    storage.put_bytes("uploads/swap-test", b"other bytes!!", content_type="audio/mpeg")
    with pytest.raises(StorageError):
        storage.copy(checked, "media/swap-test.mp3", content_type="audio/mpeg")
    assert not storage.exists("media/swap-test.mp3")
    current = storage.head("uploads/swap-test")
    copied = storage.copy(current, "media/swap-test.mp3", content_type="audio/mpeg")
    assert copied.size == len(b"other bytes!!")
    assert copied.content_type == "audio/mpeg"
