"""`GET /a/v1/operations`: filtered, paged, and only what the caller may see (issue 16)."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from podops import operations
from podops.models import Operation, OperationStatus
from tests.support.auth import bearer, context_of, token_for

SCOPES = "production:read production:write"


def make_production(client: TestClient, headers: dict[str, str], name: str) -> str:
    response = client.post("/a/v1/production", json={"name": name, "title": name}, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["guid"])


def record(
    client: TestClient, kind: str, production: str | None, owner: str | None, *, at: int
) -> str:
    """An operation row as `Jobs.start` records it (no task is sent: nothing runs it)."""
    with context_of(client).database.session() as session:
        operation = operations.create(
            session,
            kind=kind,
            params={},
            production=production,
            owner=owner,
            queue_timeout=60,
            at=at,
        )
        return operation.id


def listed(client: TestClient, headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
    response = client.get("/a/v1/operations", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["operations"])


@pytest.fixture
def world(client: TestClient) -> dict[str, Any]:
    context = context_of(client)
    alice = bearer(token_for(context, "alice@example.com", SCOPES))
    bob = bearer(token_for(context, "bob@example.com", SCOPES))
    alice_id = client.get("/_a/token", headers=alice).json()["sub"]
    bob_id = client.get("/_a/token", headers=bob).json()["sub"]
    first = make_production(client, alice, "alice-show-1")
    second = make_production(client, alice, "alice-show-2")
    bobs = make_production(client, bob, "bobs-show-01")
    ids = {
        "build-first": record(client, "build", first, alice_id, at=1000),
        "import-first": record(client, "import_asset", first, alice_id, at=1001),
        "build-second": record(client, "build", second, None, at=1002),  # the scheduler's
        "ping-alice": record(client, "ping", None, alice_id, at=1003),
        "build-bob": record(client, "build", bobs, bob_id, at=1004),
    }
    with context.database.session() as session:
        operation = session.get(Operation, ids["build-first"])
        assert operation is not None
        operation.status = OperationStatus.SUCCESS
    return {"alice": alice, "bob": bob, "ids": ids, "first": first}


def test_a_user_sees_their_productions_operations_and_their_own(
    client: TestClient, world: dict[str, Any]
) -> None:
    ids = world["ids"]
    seen = [operation["id"] for operation in listed(client, world["alice"])]
    # Newest first; Bob's is not among them.
    expected = ["ping-alice", "build-second", "import-first", "build-first"]
    assert seen == [ids[name] for name in expected]
    assert [op["id"] for op in listed(client, world["bob"])] == [ids["build-bob"]]


def test_admins_see_every_operation(
    client: TestClient, world: dict[str, Any], admin: dict[str, str]
) -> None:
    assert {op["id"] for op in listed(client, admin)} == set(world["ids"].values())


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"production": "alice-show-1"}, ["import-first", "build-first"]),
        ({"kind": "build"}, ["build-second", "build-first"]),
        ({"state": "Success"}, ["build-first"]),
        ({"state": "Busy", "kind": "build"}, ["build-second"]),
        ({"production": "alice-show-2", "state": "Failed"}, []),
    ],
)
def test_filters(
    client: TestClient, world: dict[str, Any], params: dict[str, str], expected: list[str]
) -> None:
    seen = [op["id"] for op in listed(client, world["alice"], **params)]
    assert seen == [world["ids"][name] for name in expected]


def test_the_production_filter_takes_a_guid(client: TestClient, world: dict[str, Any]) -> None:
    assert len(listed(client, world["alice"], production=world["first"])) == 2


def test_another_users_production_is_not_found(client: TestClient, world: dict[str, Any]) -> None:
    response = client.get(
        "/a/v1/operations", params={"production": "bobs-show-01"}, headers=world["alice"]
    )
    assert response.status_code == 404
    assert response.json()["code"] == "podops.production.not_found"


def test_a_production_token_sees_only_its_production(
    client: TestClient, world: dict[str, Any]
) -> None:
    restricted = bearer(
        token_for(context_of(client), "alice@example.com", SCOPES, production="alice-show-2")
    )
    assert [op["id"] for op in listed(client, restricted)] == [world["ids"]["build-second"]]
    response = client.get(
        "/a/v1/operations", params={"production": "alice-show-1"}, headers=restricted
    )
    assert response.status_code == 404


def test_pages_follow_the_cursor(client: TestClient, world: dict[str, Any]) -> None:
    everything = [op["id"] for op in listed(client, world["alice"])]
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params = {"limit": "1", **({"cursor": cursor} if cursor else {})}
        page = client.get("/a/v1/operations", params=params, headers=world["alice"]).json()
        seen += [op["id"] for op in page["operations"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == everything


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "nonsense"}, "kind"),
        ({"state": "busy!"}, "state"),
        ({"production": "Not.A.Name"}, "production"),
        ({"limit": "501"}, "limit"),
        ({"limit": "¹"}, "limit"),
        ({"cursor": "%%%"}, "cursor"),
        ({"cursor": "WzEsIiciXQ"}, "cursor"),  # [1,"'"]: not an operation id
        ({"cursor": "Wy0xLCIwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMCJd"}, "cursor"),  # time -1
    ],
)
def test_bad_queries_are_400_naming_the_field(
    client: TestClient, world: dict[str, Any], params: dict[str, str], field: str
) -> None:
    response = client.get("/a/v1/operations", params=params, headers=world["alice"])
    assert response.status_code == 400, response.text
    assert response.json()["field"] == field


def test_listing_needs_production_read(client: TestClient) -> None:
    token = bearer(token_for(context_of(client), "carol@example.com", "resource:read"))
    assert client.get("/a/v1/operations", headers=token).status_code == 403
    assert client.get("/a/v1/operations").status_code == 401
