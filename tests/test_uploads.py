"""Uploads: streamed, probed, stored once; every bad upload leaves nothing behind."""

from __future__ import annotations

import hashlib
import io
import socket
import time
from pathlib import Path

import httpx
import pytest
from PIL import Image
from starlette.testclient import TestClient

from podops.api import create_app
from podops.db import Database
from tests.conftest import make_settings
from tests.media.containers import mp4
from tests.media.mpeg_frames import cbr_44100
from tests.support.auth import bearer, context_of, token_for
from tests.support.processes import LiveServer, wait_until
from tests.support.storage import concrete

SCOPES = "production:read production:write resource:read resource:write"
PROD = "upload-podcast"
MP3 = cbr_44100(frames=1723)  # 1723 frames of 1152 samples at 44.1 kHz: 45.01 s
MP3_SECONDS = 1723 * 1152 / 44100


def png(size: int = 1400, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (size, size)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def host(client: TestClient) -> dict[str, str]:
    headers = bearer(token_for(context_of(client), "host@example.com", SCOPES))
    assert (
        client.post(
            "/a/v1/production", json={"name": PROD, "title": "T"}, headers=headers
        ).status_code
        == 201
    )
    client.headers.update(headers)
    return headers


def stored_keys(client: TestClient) -> list[str]:
    return concrete(context_of(client).storage).list("media/")


def leftovers(client: TestClient) -> list[Path]:
    upload_dir = context_of(client).settings.upload_dir
    return list(upload_dir.iterdir()) if upload_dir.exists() else []


def assets(client: TestClient) -> list[dict[str, object]]:
    return list(client.get(f"/a/v1/resource/{PROD}/asset").json()["resources"])


def test_a_multipart_mp3_upload_is_probed_and_stored(
    client: TestClient, host: dict[str, str]
) -> None:
    response = client.post(
        f"/a/v1/upload/{PROD}", files={"asset": ("Episode One.mp3", MP3, "audio/mpeg")}
    )
    assert response.status_code == 201, response.text
    asset = response.json()["asset"]
    description = asset["description"]
    assert asset["metadata"]["name"] == "episode-one"
    assert description["size"] == len(MP3)
    assert description["type"] == "audio/mpeg"
    assert description["duration"] == pytest.approx(MP3_SECONDS, abs=0.05)
    assert description["sha256"] == hashlib.sha256(MP3).hexdigest()
    assert description["sample_rate"] == 44100
    assert description["url"].endswith(".mp3")
    assert description["storage_key"] == stored_keys(client)[0]
    assert response.headers["location"] == f"/a/v1/resource/{PROD}/asset/episode-one"
    fetched = client.get(description["url"].removeprefix(context_of(client).settings.base_url))
    assert fetched.content == MP3
    assert leftovers(client) == []


def test_a_raw_m4a_upload_with_a_name(client: TestClient, host: dict[str, str]) -> None:
    body = mp4(12.5)
    response = client.post(
        f"/a/v1/upload/{PROD}?name=interview-raw",
        content=body,
        headers={"Content-Type": "audio/mp4"},
    )
    assert response.status_code == 201, response.text
    description = response.json()["asset"]["description"]
    assert response.json()["asset"]["metadata"]["name"] == "interview-raw"
    assert description["type"] in ("audio/mp4", "audio/x-m4a")
    assert description["duration"] == pytest.approx(12.5, abs=0.01)
    assert description["url"].endswith(".m4a")


def test_a_raw_upload_is_known_by_its_content_not_its_declared_type(
    client: TestClient, host: dict[str, str]
) -> None:
    # The schema offers application/octet-stream for raw bytes: the probe decides the type.
    response = client.post(
        f"/a/v1/upload/{PROD}?name=octet-stream-raw",
        content=mp4(3.0),
        headers={"Content-Type": "application/octet-stream"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["asset"]["description"]["type"] in ("audio/mp4", "audio/x-m4a")


def test_the_same_bytes_are_stored_once(client: TestClient, host: dict[str, str]) -> None:
    first = client.post(f"/a/v1/upload/{PROD}", files={"asset": ("a.mp3", MP3, "audio/mpeg")})
    again = client.post(f"/a/v1/upload/{PROD}", files={"asset": ("b.mp3", MP3, "audio/mpeg")})
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["asset"] == first.json()["asset"]
    named = client.post(
        f"/a/v1/upload/{PROD}?name=same-bytes-other-name",
        content=MP3,
        headers={"Content-Type": "audio/mpeg"},
    )
    assert named.status_code == 201
    assert (
        named.json()["asset"]["description"]["storage_key"]
        == (first.json()["asset"]["description"]["storage_key"])
    )
    assert len(stored_keys(client)) == 1
    assert len(assets(client)) == 2


def test_artwork_gets_apples_checks_as_warnings(client: TestClient, host: dict[str, str]) -> None:
    good = client.post(
        f"/a/v1/upload/{PROD}?role=artwork&name=cover-art-good",
        content=png(1400),
        headers={"Content-Type": "image/png"},
    )
    assert good.status_code == 201, good.text
    assert good.json()["warnings"] == []
    assert good.json()["asset"]["description"]["width"] == 1400
    small = client.post(
        f"/a/v1/upload/{PROD}?role=artwork&name=cover-art-small",
        content=png(300),
        headers={"Content-Type": "image/png"},
    )
    assert small.status_code == 201
    assert small.json()["warnings"]


@pytest.mark.parametrize(
    ("filename", "body", "status", "code"),
    [
        ("empty.mp3", b"", 400, "podops.media.empty"),
        ("picture.mp3", png(64), 415, "podops.media.type_mismatch"),
        ("notes.mp3", b"just some text, not audio at all\n" * 20, 415, None),
        ("truncated.mp3", MP3[: len(MP3) // 2 + 7], 400, "podops.media.truncated"),
        ("a few bytes.mp3", MP3[:300], 415, "podops.media.unsupported_type"),
        ("program.exe", b"MZ\x90\x00" + bytes(2000), 415, "podops.media.unsupported_type"),
    ],
)
def test_bad_files_are_refused_and_leave_nothing(
    client: TestClient,
    host: dict[str, str],
    filename: str,
    body: bytes,
    status: int,
    code: str | None,
) -> None:
    response = client.post(f"/a/v1/upload/{PROD}", files={"asset": (filename, body, "audio/mpeg")})
    assert response.status_code == status, response.text
    assert response.json()["success"] is False
    if code:
        assert response.json()["code"] == code
    assert stored_keys(client) == []
    assert assets(client) == []
    assert leftovers(client) == []


@pytest.mark.parametrize(
    "filename",
    [
        "../../etc/passwd.mp3",
        "/etc/passwd.mp3",
        "C:\\Windows\\evil.mp3",
        "nul\x00byte.mp3",
        "....mp3",
        "\u0430\u0431\u0432.mp3",
    ],
)
def test_path_tricks_in_file_names_never_reach_storage(
    client: TestClient, host: dict[str, str], filename: str
) -> None:
    response = client.post(f"/a/v1/upload/{PROD}", files={"asset": (filename, MP3, "audio/mpeg")})
    assert response.status_code == 201, response.text
    name = response.json()["asset"]["metadata"]["name"]
    assert "/" not in name
    assert "." not in name
    assert stored_keys(client) == [
        f"media/{response.json()['asset']['metadata']['parent']}/"
        f"{hashlib.sha256(MP3).hexdigest()}.mp3"
    ]


def test_bad_names_and_requests(client: TestClient, host: dict[str, str]) -> None:
    cases = [
        client.post(
            f"/a/v1/upload/{PROD}?name=Bad.Name",
            content=MP3,
            headers={"Content-Type": "audio/mpeg"},
        ),
        client.post(f"/a/v1/upload/{PROD}", files={"other": ("a.mp3", MP3, "audio/mpeg")}),
        client.post(
            f"/a/v1/upload/{PROD}",
            content=b"--x\r\nbroken",
            headers={"Content-Type": "multipart/form-data; boundary=x"},
        ),
        client.post(
            f"/a/v1/upload/{PROD}?role=poster", content=MP3, headers={"Content-Type": "audio/mpeg"}
        ),
    ]
    assert [response.status_code for response in cases] == [400, 400, 400, 400]
    assert stored_keys(client) == []
    assert leftovers(client) == []


def test_someone_elses_production_is_404_before_reading(
    client: TestClient, host: dict[str, str]
) -> None:
    stranger = bearer(token_for(context_of(client), "x@example.com", SCOPES))
    response = client.post(
        f"/a/v1/upload/{PROD}", content=MP3, headers={**stranger, "Content-Type": "audio/mpeg"}
    )
    assert response.status_code == 404
    assert stored_keys(client) == []


def test_an_upload_over_the_limit_is_refused_while_streaming(
    tmp_path: Path, database: Database, redis_url: str
) -> None:
    settings = make_settings(
        tmp_path,
        PODOPS_DATABASE_URL=database.url,
        PODOPS_BROKER_URL=redis_url,
        PODOPS_MAX_UPLOAD_BYTES="100000",
    )
    with TestClient(create_app(settings)) as client:
        client.headers.update(bearer(token_for(context_of(client), "h@example.com", SCOPES)))
        client.post("/a/v1/production", json={"name": PROD, "title": "T"})

        def endless() -> object:
            for _ in range(1000):  # 64 MB if nobody stopped it
                yield bytes(65536)

        chunked = client.post(
            f"/a/v1/upload/{PROD}",
            content=endless(),  # type: ignore[arg-type]
            headers={"Content-Type": "audio/mpeg"},
        )
        assert chunked.status_code == 413
        declared = client.post(
            f"/a/v1/upload/{PROD}", content=bytes(200_000), headers={"Content-Type": "audio/mpeg"}
        )
        assert declared.status_code == 413
        assert declared.json()["code"] == "podops.request.too_large"
        assert stored_keys(client) == []
        assert leftovers(client) == []


def test_a_client_that_disconnects_half_way_leaves_nothing(
    client: TestClient, host: dict[str, str], live_server: LiveServer
) -> None:
    url = httpx.URL(live_server.url)
    with socket.create_connection((url.host, url.port or 80)) as connection:
        connection.sendall(
            f"POST /a/v1/upload/{PROD} HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: {host['Authorization']}\r\nContent-Type: audio/mpeg\r\n"
            f"Content-Length: {len(MP3) * 10}\r\n\r\n".encode()
            + MP3
        )
        upload_dir = live_server.server.config.app.state.context.settings.upload_dir  # type: ignore[attr-defined]
        wait_until(
            lambda: upload_dir.exists() and any(upload_dir.iterdir()), 10, "the upload to start"
        )
    # The connection is gone half-way: the partial file goes, nothing is stored.
    wait_until(lambda: not any(upload_dir.iterdir()), 10, "the partial upload to be removed")
    time.sleep(0.2)
    assert stored_keys(client) == []
    assert assets(client) == []
