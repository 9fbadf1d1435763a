"""The schema says what the code checks, and the code checks what the schema says (issue 18,
findings 8 and 10): bounded numbers, strict types, 405s that name every method."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from podops.api import OPENAPI
from podops.resources._types import MAX_DURATION_SECONDS
from tests.support.auth import bearer, context_of, token_for
from tests.support.documents import episode, show

SCOPES = "production:read production:write resource:read resource:write"
PROD = "schema-contract-show"
BASE = f"/a/v1/resource/{PROD}"


@pytest.fixture
def host(client: TestClient) -> dict[str, str]:
    headers = bearer(token_for(context_of(client), "host@example.com", SCOPES))
    response = client.post("/a/v1/production", json={"name": PROD, "title": "T"}, headers=headers)
    assert response.status_code == 201, response.text
    client.headers.update(headers)
    assert client.post(f"{BASE}/show/the-daily-show", json=show()).status_code == 201
    return headers


@pytest.mark.parametrize("duration", [1e308, MAX_DURATION_SECONDS + 1, -1])
def test_an_enclosure_duration_is_bounded(
    client: TestClient, host: dict[str, str], duration: float
) -> None:
    document = episode("episode-001")
    document["enclosure"]["duration"] = duration
    response = client.post(f"{BASE}/episode/episode-001", json=document)
    assert response.status_code == 400, response.text
    assert response.json()["field"] == "enclosure.duration"


def test_every_number_a_client_sends_is_bounded_in_the_schema() -> None:
    """Request bodies (with the components they use, transitively) and query parameters."""
    schemas = OPENAPI["components"]["schemas"]
    unbounded: list[str] = []
    seen: set[str] = set()

    def visit(node: object, path: str) -> None:
        if isinstance(node, dict):
            reference = node.get("$ref")
            if isinstance(reference, str) and reference not in seen:
                seen.add(reference)
                visit(schemas[reference.rsplit("/", 1)[1]], reference)
            if node.get("type") in ("integer", "number"):
                has_low = "minimum" in node or "exclusiveMinimum" in node
                has_high = "maximum" in node or "exclusiveMaximum" in node
                if not (has_low and has_high):
                    unbounded.append(path)
            for key, child in node.items():
                visit(child, f"{path}/{key}")
        elif isinstance(node, list):
            for index, child in enumerate(node):
                visit(child, f"{path}/{index}")

    for path, item in OPENAPI["paths"].items():
        for method, operation in item.items():
            visit(operation.get("requestBody", {}), f"{method} {path} body")
            visit(operation.get("parameters", []), f"{method} {path} query")
    assert seen  # the walk reached the documents
    assert unbounded == []


@pytest.mark.parametrize("delay", [False, True, "1", None])
def test_a_number_is_not_a_boolean_or_a_string(
    client: TestClient, admin: dict[str, str], delay: object
) -> None:
    response = client.post("/_t/ping", json={"delay": delay}, headers=admin)
    assert response.status_code == 400, response.text
    assert response.json()["field"] == "delay"


def test_a_405_names_every_method_of_the_path(client: TestClient) -> None:
    response = client.put("/_a/token")
    assert response.status_code == 405
    allowed = {method.strip() for method in response.headers["allow"].split(",")}
    assert allowed == {"GET", "HEAD", "POST"}
    assert "POST" in response.json()["message"]
