"""`/`, `/healthz`, `/readyz`; request ids and request logs."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from podops import __version__
from podops.api import create_app
from podops.settings import Settings
from tests.conftest import make_settings
from tests.support.processes import free_port


def test_root_returns_the_version(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.json() == {"name": "podops", "version": __version__, "api": "v1"}


def test_healthz_answers_while_the_process_is_up(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_is_200_when_everything_answers(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "broker": "ok", "storage": "ok"},
    }


@pytest.mark.parametrize(
    ("variable", "value", "failed"),
    [
        ("PODOPS_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:{port}/none", "database"),
        ("PODOPS_BROKER_URL", "redis://127.0.0.1:{port}/0", "broker"),
        ("PODOPS_STORAGE_URL", "s3://podops-missing", "storage"),
    ],
)
def test_readyz_is_503_naming_what_failed(
    tmp_path: Path,
    variable: str,
    value: str,
    failed: str,
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Credentials are present, so what fails is reaching the store, not finding keys.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    env = {
        "PODOPS_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PODOPS_BROKER_URL": redis_url,
        variable: value.format(port=free_port()),
    }
    if failed == "storage":  # an S3 endpoint where nothing listens
        env["PODOPS_S3_ENDPOINT_URL"] = f"http://127.0.0.1:{free_port()}"
    settings = make_settings(tmp_path, **env)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["success"] is False
    assert body["code"] == f"podops.{failed}.unavailable"
    assert f"{failed} is unavailable" in body["message"]
    assert body["checks"][failed].startswith("unavailable")
    others = {name for name in ("database", "broker", "storage") if name != failed}
    assert {name for name, result in body["checks"].items() if result == "ok"} == others


def test_every_response_carries_a_request_id(client: TestClient) -> None:
    generated = client.get("/healthz").headers["x-request-id"]
    assert len(generated) == 16
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"]
        == "abc-123"
    )
    # An id that could break a log line or a header is replaced, not echoed.
    assert (
        client.get("/healthz", headers={"X-Request-ID": "a b\tc"}).headers["x-request-id"]
        != "a b\tc"
    )


def test_each_request_is_logged_with_method_path_status_duration_and_id(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    # The line is written when the ledger flushes (here, as the app stops): capture until then.
    with (
        caplog.at_level(logging.INFO, "podops.request"),
        TestClient(create_app(settings)) as client,
    ):
        client.get("/no-such-page", headers={"X-Request-ID": "req-42"})
    [record] = [r for r in caplog.records if r.name == "podops.request"]
    assert (record.method, record.path, record.status, record.request_id) == (  # type: ignore[attr-defined]
        "GET",
        "/no-such-page",
        404,
        "req-42",
    )
    assert record.duration_ms >= 0  # type: ignore[attr-defined]


def test_json_log_lines_carry_the_extra_fields() -> None:
    from podops.logs import JsonFormatter

    record = logging.makeLogRecord({"msg": "request", "levelname": "INFO", "status": 201})
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "request"
    assert line["status"] == 201
