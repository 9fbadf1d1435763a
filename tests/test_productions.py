"""Productions over HTTP: create, list, read; names unique; someone else's is 404."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.support.auth import bearer, context_of, token_for

WRITER = "production:read production:write resource:read resource:write"


@pytest.fixture
def host(client: TestClient) -> dict[str, str]:
    return bearer(token_for(context_of(client), "host@example.com", WRITER))


@pytest.fixture
def other(client: TestClient) -> dict[str, str]:
    return bearer(token_for(context_of(client), "other@example.com", WRITER))


def create(
    client: TestClient, headers: dict[str, str], name: str, **extra: object
) -> dict[str, object]:
    response = client.post(
        "/a/v1/production", json={"name": name, "title": "My Show", **extra}, headers=headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_production_is_created_with_a_server_made_guid(
    client: TestClient, host: dict[str, str]
) -> None:
    response = client.post(
        "/a/v1/production",
        json={"name": "my-first-podcast", "title": "My First Podcast", "summary": "Hello"},
        headers=host,
    )
    assert response.status_code == 201
    body = response.json()
    assert len(body["guid"]) == 12
    assert int(body["guid"], 16) >= 0
    assert body["name"] == "my-first-podcast"
    assert body["created"] == body["updated"]
    assert response.headers["location"] == "/a/v1/production/my-first-podcast"
    assert client.get(response.headers["location"], headers=host).json() == body
    assert client.get(f"/a/v1/production/{body['guid']}", headers=host).json() == body


def test_yaml_bodies_are_accepted(client: TestClient, host: dict[str, str]) -> None:
    response = client.post(
        "/a/v1/production",
        content=b"name: yaml-podcast\ntitle: From YAML\n",
        headers={**host, "Content-Type": "application/yaml"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["title"] == "From YAML"


def test_production_names_are_unique_across_users(
    client: TestClient, host: dict[str, str], other: dict[str, str]
) -> None:
    create(client, host, "shared-name-show")
    response = client.post(
        "/a/v1/production", json={"name": "shared-name-show", "title": "x"}, headers=other
    )
    assert response.status_code == 409
    assert response.json()["code"] == "podops.production.exists"


def test_lists_show_only_the_callers_productions_and_page(
    client: TestClient, host: dict[str, str], other: dict[str, str], admin: dict[str, str]
) -> None:
    for index in range(5):
        create(client, host, f"host-show-{index:02d}")
    create(client, other, "other-show-00")
    first = client.get("/a/v1/productions?limit=2", headers=host).json()
    assert [p["name"] for p in first["productions"]] == ["host-show-00", "host-show-01"]
    names = [p["name"] for p in first["productions"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(f"/a/v1/productions?limit=2&cursor={cursor}", headers=host).json()
        names += [p["name"] for p in page["productions"]]
        cursor = page["next_cursor"]
    assert names == [f"host-show-{index:02d}" for index in range(5)]
    everything = client.get("/a/v1/productions?limit=500", headers=admin).json()
    assert {p["name"] for p in everything["productions"]} >= {"other-show-00", "host-show-00"}


def test_someone_elses_production_is_404(
    client: TestClient, host: dict[str, str], other: dict[str, str]
) -> None:
    body = create(client, host, "private-show-1")
    for key in ("private-show-1", body["guid"]):
        response = client.get(f"/a/v1/production/{key}", headers=other)
        assert response.status_code == 404
        assert response.json()["code"] == "podops.production.not_found"


def test_a_production_token_sees_only_its_production(
    client: TestClient, host: dict[str, str]
) -> None:
    create(client, host, "deploy-target")
    create(client, host, "another-show")
    deploy = bearer(
        token_for(context_of(client), "host@example.com", WRITER, production="deploy-target")
    )
    listed = client.get("/a/v1/productions", headers=deploy).json()["productions"]
    assert [p["name"] for p in listed] == ["deploy-target"]
    assert client.get("/a/v1/production/another-show", headers=deploy).status_code == 404
    refused = client.post(
        "/a/v1/production", json={"name": "new-show-x", "title": "x"}, headers=deploy
    )
    assert refused.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "short77", "title": "x"}, "name"),
        ({"name": "a" * 45, "title": "x"}, "name"),
        ({"name": "has.dots-in", "title": "x"}, "name"),
        ({"name": "has space in", "title": "x"}, "name"),
        ({"name": "UpperCase-name", "title": "x"}, "name"),
        ({"name": "cyrillic-\u0430-name", "title": "x"}, "name"),
        ({"name": "dot-dot..name", "title": "x"}, "name"),
        ({"name": "slash/in-name", "title": "x"}, "name"),
        ({"name": "trailing-newline\n", "title": "x"}, "name"),
        ({"name": 12345678, "title": "x"}, "name"),
        ({"name": "good-name-1", "title": "x" * 256}, "title"),
        ({"name": "good-name-1", "title": "x", "summary": "\u00e9" * 2001}, "summary"),
        ({"name": "good-name-1", "title": "x", "guid": "abcdefabcdef"}, "guid"),
        ({"name": "good-name-1"}, "title"),
    ],
)
def test_bad_production_bodies_are_400_naming_the_field_and_change_nothing(
    client: TestClient, host: dict[str, str], body: dict[str, object], field: str
) -> None:
    response = client.post("/a/v1/production", json=body, headers=host)
    assert response.status_code == 400, response.text
    assert response.json()["field"] == field
    assert client.get("/a/v1/productions", headers=host).json()["productions"] == []


def test_a_retried_create_with_the_same_idempotency_key_returns_the_first_result(
    client: TestClient, host: dict[str, str]
) -> None:
    headers = {**host, "Idempotency-Key": "create-my-show-1"}
    body = {"name": "idempotent-show", "title": "Once"}
    first = client.post("/a/v1/production", json=body, headers=headers)
    again = client.post("/a/v1/production", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    changed = client.post("/a/v1/production", json={**body, "title": "Twice"}, headers=headers)
    assert changed.status_code == 409
    assert changed.json()["code"] == "podops.request.idempotency_key_reused"
    bad = client.post("/a/v1/production", json=body, headers={**host, "Idempotency-Key": "a b"})
    assert bad.status_code == 400
