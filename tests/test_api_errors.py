"""One error shape for every error; bad requests change nothing."""

from __future__ import annotations

import logging

import httpx2
import pytest
from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.testclient import TestClient

from podops.api import create_app
from podops.api.bodies import MAX_REPORTED, validation_failed
from podops.api.context import context_of
from podops.models import Operation
from podops.settings import Settings


def assert_error_shape(response: httpx2.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["success"] is False
    assert body["code"] == code
    assert isinstance(body["message"], str)
    assert body["message"]
    return dict(body)


def operation_count(client: TestClient) -> int:
    context = client.app.state.context  # type: ignore[attr-defined]
    with context.database.session() as session:
        return int(session.scalar(select(func.count()).select_from(Operation)) or 0)


def test_unknown_route_is_404_in_the_error_shape(client: TestClient) -> None:
    response = client.get("/no/such/route", headers={"Accept": "text/html"})
    assert_error_shape(response, 404, "podops.route.not_found")


def test_wrong_method_is_405_and_names_the_allowed_ones(client: TestClient) -> None:
    response = client.delete("/healthz")
    body = assert_error_shape(response, 405, "podops.route.method_not_allowed")
    assert "GET" in response.headers["allow"]
    assert "GET" in str(body["message"])


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "podops.request.malformed_json"),
        (b"\xff\xfe\x00", "podops.request.malformed_json"),
        (b"[" * 100 + b"]" * 100, "podops.request.too_deep"),
        (b"[" * 200_000 + b"]" * 200_000, "podops.request.too_deep"),
        (b'{"message": 12}', "podops.request.invalid"),
        (b'{"delay": -1}', "podops.request.invalid"),
        (b'{"unknown": true}', "podops.request.invalid"),
        (b'["a list"]', "podops.request.invalid"),
    ],
)
def test_bad_json_bodies_are_400_and_start_nothing(
    client: TestClient, admin: dict[str, str], body: bytes, code: str
) -> None:
    response = client.post(
        "/_t/ping", content=body, headers={**admin, "Content-Type": "application/json"}
    )
    assert_error_shape(response, 400, code)
    assert operation_count(client) == 0


def test_validation_errors_name_the_field(client: TestClient, admin: dict[str, str]) -> None:
    client.headers.update(admin)
    response = client.post("/_t/ping", json={"delay": 99})
    body = assert_error_shape(response, 400, "podops.request.invalid")
    assert body["field"] == "delay"
    assert "delay" in str(body["message"])


def test_every_validation_error_is_listed_in_one_400(
    client: TestClient, admin: dict[str, str]
) -> None:
    client.headers.update(admin)
    production = client.post("/a/v1/production", json={"name": "errors-show", "title": "E"})
    assert production.status_code == 201, production.text
    document = {
        "apiVersion": "v1",
        "kind": "episode",
        "metadata": {"name": "x"},
        "description": {"title": 5, "season": -1},
        "enclosure": {"rel": "external", "url": "ftp://cdn.example.com/a.mp3"},
    }
    response = client.post("/a/v1/resource/errors-show/episode/episode-0001", json=document)
    body = assert_error_shape(response, 400, "podops.request.invalid")
    fields = [item["field"] for item in body["errors"]]
    assert fields == ["metadata.name", "description.title", "description.season", "enclosure.url"]
    assert all(item["message"] for item in body["errors"])
    # The first is also the top-level field and message, as before.
    assert body["field"] == "metadata.name"
    assert body["message"].startswith("metadata.name: ")
    assert "and 3 more problems" in body["message"]
    listed = client.get("/a/v1/resource/errors-show/all").json()["resources"]
    assert listed == []


def test_a_single_validation_error_reads_as_before(
    client: TestClient, admin: dict[str, str]
) -> None:
    client.headers.update(admin)
    body = client.post("/_t/ping", json={"delay": 99}).json()
    assert body["errors"] == [{"field": "delay", "message": body["message"].split(": ", 1)[1]}]
    assert "more" not in body["message"]


def test_a_body_with_very_many_problems_reports_the_first_hundred() -> None:
    class Numbers(BaseModel):
        values: list[int]

    with pytest.raises(ValidationError) as raised:
        Numbers.model_validate({"values": ["x"] * 150})
    error = validation_failed(raised.value)
    assert error.errors is not None
    assert len(error.errors) == MAX_REPORTED == 100
    assert error.errors[99]["field"] == "values.99"
    assert "and 149 more problems" in error.message


def test_a_body_that_is_not_json_is_415(client: TestClient, admin: dict[str, str]) -> None:
    client.headers.update(admin)
    response = client.post(
        "/_t/ping",
        content=b"message=hi",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_error_shape(response, 415, "podops.request.unsupported_media_type")
    assert operation_count(client) == 0


def test_a_declared_body_over_the_limit_is_413(
    client: TestClient, admin: dict[str, str], settings: Settings
) -> None:
    client.headers.update(admin)
    big = b'{"message": "' + b"a" * settings.max_body_bytes + b'"}'
    response = client.post("/_t/ping", content=big, headers={"Content-Type": "application/json"})
    assert_error_shape(response, 413, "podops.request.too_large")
    assert operation_count(client) == 0


def test_a_streamed_body_over_the_limit_is_413(
    client: TestClient, admin: dict[str, str], settings: Settings
) -> None:
    client.headers.update(admin)

    def chunks() -> object:
        yield b'{"message": "'
        for _ in range(settings.max_body_bytes // 65536 + 2):
            yield b"a" * 65536
        yield b'"}'

    # A generator body goes out chunked, without Content-Length.
    response = client.post(
        "/_t/ping",
        content=chunks(),  # type: ignore[arg-type]
        headers={"Content-Type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert_error_shape(response, 413, "podops.request.too_large")
    assert operation_count(client) == 0


def test_a_malformed_content_length_is_400(client: TestClient, admin: dict[str, str]) -> None:
    client.headers.update(admin)
    response = client.post(
        "/_t/ping",
        content=b"{}",
        headers={"Content-Type": "application/json", "Content-Length": "x"},
    )
    # h11 in the test transport may reject it before us; either way it is a 400.
    assert response.status_code == 400


def test_an_unexpected_error_is_500_without_a_trace(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings)

    async def boom(request: Request) -> Response:
        context_of(request)
        raise RuntimeError("secret internals")

    app.add_route("/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as client, caplog.at_level(logging.ERROR):
        response = client.get("/boom")
    assert_error_shape(response, 500, "podops.internal")
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert any("secret internals" in (record.exc_text or "") for record in caplog.records)
