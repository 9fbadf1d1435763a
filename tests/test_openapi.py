"""The OpenAPI document: served, complete, and exercised by schemathesis against uvicorn."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from starlette.testclient import TestClient

from podops import migrate
from podops.api import OPENAPI, ROUTES, create_app
from podops.api.docs import ResponseHeader, documented
from podops.api.routing import walk
from podops.auth import ALL_SCOPES
from podops.db import Database
from tests.conftest import make_settings
from tests.support.auth import bearer, context_of, token_for
from tests.support.documents import episode, show
from tests.support.processes import LiveServer, free_port

schema = schemathesis.openapi.from_dict(OPENAPI)


def test_the_document_is_served_and_is_openapi_3_1(client: TestClient) -> None:
    response = client.get("/api-spec/v1")
    assert response.status_code == 200
    document = response.json()
    assert document == OPENAPI
    assert document["openapi"] == "3.1.0"
    from openapi_spec_validator import validate

    validate(document)


def test_every_route_and_method_is_documented() -> None:
    routes = {
        (path, method.lower())
        for path, route in walk(ROUTES)
        for method in (route.methods or set()) - {"HEAD"}
    }
    documented = {(path, method) for path, item in OPENAPI["paths"].items() for method in item}
    assert routes == documented
    assert len(routes) >= 14


def test_the_schema_states_what_the_handlers_check() -> None:
    # Issue 18, finding 10: bodies and parameters the handlers refuse are refused by the
    # schema too, so a client generated from it does not send them.
    from jsonschema import Draft202012Validator

    imports = Draft202012Validator(OPENAPI["components"]["schemas"]["FeedImportRequest"])
    name = "moved-show-01"
    assert imports.is_valid({"name": name, "url": "https://example.com/feed.xml"})
    assert imports.is_valid({"name": name, "xml": "<rss/>"})
    assert not imports.is_valid({"name": name})  # neither
    assert not imports.is_valid({"name": name, "url": "https://example.com/f", "xml": "<rss/>"})
    assert not imports.is_valid({"name": name, "xml": ""})

    upload = OPENAPI["paths"]["/a/v1/upload/{prod}"]["post"]["requestBody"]["content"]
    assert upload["multipart/form-data"]["schema"]["required"] == ["asset"]
    raw = Draft202012Validator(upload["application/octet-stream"]["schema"])
    assert not raw.is_valid("")  # an empty upload is 400
    assert raw.is_valid("ID3")

    listing = OPENAPI["paths"]["/a/v1/resource/{prod}/{kind}"]["get"]["parameters"]
    cursor = Draft202012Validator(next(p for p in listing if p["name"] == "cursor")["schema"])
    assert not cursor.is_valid("")
    assert not cursor.is_valid("not/base64url=")
    assert cursor.is_valid("WzE3MDAwMDAwMDAsImFiYyJd")


def test_protected_routes_document_their_scope_and_errors() -> None:
    operation = OPENAPI["paths"]["/a/v1/resource/{prod}/{kind}/{id}"]["put"]
    assert operation["security"] == [{"bearer": ["resource:write"]}]
    assert {"400", "401", "403", "404", "412", "413", "415", "429", "500"} <= set(
        operation["responses"]
    )
    body = operation["requestBody"]["content"]
    assert set(body) == {"application/json", "application/yaml"}
    assert "oneOf" in OPENAPI["components"]["schemas"]["ResourceDocument"]


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, redis_url: str
) -> Iterator[tuple[str, dict[str, str]]]:
    """One uvicorn server for every generated case, with a production, a show and an episode
    (so the generator's guesses sometimes meet real names)."""
    tmp_path: Path = tmp_path_factory.mktemp("openapi")
    database = Database(f"sqlite:///{tmp_path / 'podops.sqlite3'}")
    migrate.upgrade(database)
    app_settings = make_settings(
        tmp_path,
        PODOPS_DATABASE_URL=database.url,
        PODOPS_BROKER_URL=redis_url,
        PODOPS_TASK_QUEUE=f"podops-openapi-{secrets.token_hex(4)}",
    )
    app = create_app(app_settings)
    with TestClient(app) as client:
        headers = bearer(
            token_for(
                context_of(client), "admin@example.com", " ".join(sorted(ALL_SCOPES)), admin=True
            )
        )
        client.headers.update(headers)
        assert (
            client.post("/a/v1/production", json={"name": "aaaaaaaa", "title": "T"}).status_code
            == 201
        )
        assert (
            client.post("/a/v1/resource/aaaaaaaa/show/aaaaaaaa", json=show("aaaaaaaa")).status_code
            == 201
        )
        assert (
            client.post(
                "/a/v1/resource/aaaaaaaa/episode/bbbbbbbb", json=episode("bbbbbbbb")
            ).status_code
            == 201
        )
    live = LiveServer(create_app(app_settings), free_port())
    live.start()
    try:
        yield live.url, headers
    finally:
        live.stop()
        database.dispose()


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_gets_a_server_error(
    case: schemathesis.Case, server: tuple[str, dict[str, str]]
) -> None:
    base_url, headers = server
    if case.path == "/_t/ping" and case.body and isinstance(case.body, dict):
        case.body["delay"] = 0  # no worker here; nothing should wait
    response = case.call(base_url=base_url, headers={**headers, **(case.headers or {})})
    case.validate_response(response, checks=[not_a_server_error])


def test_resource_writes_document_the_headers_they_answer_with(client: TestClient) -> None:
    operations = OPENAPI["paths"]["/a/v1/resource/{prod}/{kind}/{id}"]
    created = operations["post"]["responses"]["201"]["headers"]
    replaced = operations["put"]["responses"]["200"]["headers"]
    assert set(created) == {"ETag", "Location", "Warning"}
    assert set(replaced) == {"ETag", "Warning"}
    assert "199 podops" in created["Warning"]["description"]
    assert created["Warning"]["schema"] == {"type": "string"}
    assert "headers" not in operations["post"]["responses"]["400"]

    # And the answers carry them: a show with no episode yet is written with a Warning.
    scopes = "production:read production:write resource:read resource:write"
    client.headers.update(bearer(token_for(context_of(client), "host@example.com", scopes)))
    assert client.post("/a/v1/production", json={"name": "header-show", "title": "T"}).is_success
    document = show("header-show")
    written = client.post("/a/v1/resource/header-show/show/header-show", json=document)
    assert written.status_code == 201, written.text
    assert {"etag", "location", "warning"} <= set(written.headers)
    document["description"]["summary"] = "Changed."
    replaced_now = client.put("/a/v1/resource/header-show/show/header-show", json=document)
    assert replaced_now.status_code == 200, replaced_now.text
    assert {"etag", "warning"} <= set(replaced_now.headers)


def test_a_header_of_an_undocumented_answer_is_refused() -> None:
    with pytest.raises(ValueError, match=r"undocumented statuses \[201\]"):
        documented(
            "a route", responses={200: None}, response_headers={201: (ResponseHeader("X", "x"),)}
        )
