"""Deleting and renaming a production (issue 16): what goes, what stays, and what is refused."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from podops import operations
from podops.models import Operation, Production, Resource, ServiceAccount
from podops.publish.record import record_published
from podops.storage.keys import feed_key, staged_upload_key
from tests.media.mpeg_frames import cbr_44100
from tests.support.auth import bearer, context_of, token_for
from tests.support.documents import episode, show
from tests.support.storage import concrete

SCOPES = "production:read production:write resource:read resource:write"
PROD = "doomed-show-01"
MP3 = cbr_44100(frames=200)


@pytest.fixture
def host(client: TestClient) -> dict[str, str]:
    headers = bearer(token_for(context_of(client), "host@example.com", SCOPES))
    response = client.post("/a/v1/production", json={"name": PROD, "title": "T"}, headers=headers)
    assert response.status_code == 201, response.text
    for document in (show(), episode("episode-0001"), episode("episode-0002")):
        kind, name = document["kind"], document["metadata"]["name"]
        response = client.post(
            f"/a/v1/resource/{PROD}/{kind}/{name}", json=document, headers=headers
        )
        assert response.status_code == 201, response.text
    upload = client.post(
        f"/a/v1/upload/{PROD}", files={"asset": ("a.mp3", MP3, "audio/mpeg")}, headers=headers
    )
    assert upload.status_code == 201, upload.text
    return headers


def guid_of(client: TestClient, headers: dict[str, str], name: str = PROD) -> str:
    return str(client.get(f"/a/v1/production/{name}", headers=headers).json()["guid"])


def publish(client: TestClient, guid: str) -> None:
    """A published feed, as a build leaves it: the object, and the state recorded."""
    context = context_of(client)
    concrete(context.storage).put_bytes(
        feed_key(guid), b"<rss/>", content_type="application/rss+xml"
    )
    with context.database.session() as session:
        record_published(
            session, guid, sha256="0" * 64, size=6, items={}, now=1, next_build_at=None
        )


def busy_operation(client: TestClient, guid: str) -> str:
    with context_of(client).database.session() as session:
        return operations.create(
            session, kind="build", params={}, production=guid, queue_timeout=60
        ).id


def count(client: TestClient, model: Any, *where: Any) -> int:
    with context_of(client).database.session() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_delete_removes_rows_and_stored_objects_and_keeps_operations(
    client: TestClient, host: dict[str, str]
) -> None:
    guid = guid_of(client, host)
    storage = concrete(context_of(client).storage)
    publish(client, guid)
    finished = busy_operation(client, guid)
    with context_of(client).database.session() as session:
        operation = session.get(Operation, finished)
        assert operation is not None
        operation.status = "Success"
    assert storage.list(f"media/{guid}/")
    staged = staged_upload_key(guid, "0" * 24)  # a direct upload never completed
    storage.put_bytes(staged, b"partial", content_type="audio/mpeg")

    response = client.delete(
        f"/a/v1/production/{PROD}", params={"confirm": PROD, "force": "true"}, headers=host
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "guid": guid,
        "name": PROD,
        "resources": 4,  # show, two episodes, the asset
        "objects_removed": 3,  # the media, the feed and the staged upload
        "tokens_revoked": 0,
    }
    assert client.get(f"/a/v1/production/{PROD}", headers=host).status_code == 404
    assert count(client, Resource, Resource.production_guid == guid) == 0
    assert storage.list(f"media/{guid}/") == []
    assert not storage.exists(feed_key(guid))
    assert not storage.exists(staged)
    assert client.get(f"/f/{guid}/feed.xml").status_code == 404
    assert count(client, Operation, Operation.id == finished) == 1  # the record stays
    # The name is free again.
    again = client.post("/a/v1/production", json={"name": PROD, "title": "T"}, headers=host)
    assert again.status_code == 201


def test_delete_needs_the_name_repeated(client: TestClient, host: dict[str, str]) -> None:
    for params in ({}, {"confirm": "another-name"}, {"confirm": guid_of(client, host)}):
        response = client.delete(f"/a/v1/production/{PROD}", params=params, headers=host)
        assert response.status_code == 400, response.text
        assert response.json()["code"] == "podops.production.unconfirmed"
    assert client.get(f"/a/v1/production/{PROD}", headers=host).status_code == 200


def test_delete_is_refused_while_a_feed_is_published_unless_forced(
    client: TestClient, host: dict[str, str]
) -> None:
    guid = guid_of(client, host)
    publish(client, guid)
    response = client.delete(f"/a/v1/production/{PROD}", params={"confirm": PROD}, headers=host)
    assert response.status_code == 409
    assert response.json()["code"] == "podops.production.published"
    assert client.get(f"/f/{guid}/feed.xml").status_code == 200  # nothing changed


def test_delete_and_rename_are_refused_while_work_is_busy(
    client: TestClient, host: dict[str, str]
) -> None:
    busy_operation(client, guid_of(client, host))
    response = client.delete(
        f"/a/v1/production/{PROD}", params={"confirm": PROD, "force": "true"}, headers=host
    )
    assert response.status_code == 409
    assert response.json()["code"] == "podops.production.busy"
    response = client.post(
        f"/a/v1/production/{PROD}/rename", json={"name": "new-name-01"}, headers=host
    )
    assert response.status_code == 409
    assert response.json()["code"] == "podops.production.busy"
    assert client.get(f"/a/v1/production/{PROD}", headers=host).status_code == 200


def test_someone_elses_production_is_not_found(client: TestClient, host: dict[str, str]) -> None:
    other = bearer(token_for(context_of(client), "other@example.com", SCOPES))
    response = client.delete(f"/a/v1/production/{PROD}", params={"confirm": PROD}, headers=other)
    assert response.status_code == 404
    response = client.post(
        f"/a/v1/production/{PROD}/rename", json={"name": "stolen-name"}, headers=other
    )
    assert response.status_code == 404
    assert client.get(f"/a/v1/production/{PROD}", headers=host).status_code == 200


def test_rename_keeps_the_guid_and_feed_url_and_frees_the_old_alias(
    client: TestClient, host: dict[str, str]
) -> None:
    guid = guid_of(client, host)
    publish(client, guid)
    assert client.get(f"/s/{PROD}/feed.xml", follow_redirects=False).status_code in (301, 307)
    response = client.post(
        f"/a/v1/production/{PROD}/rename", json={"name": "renamed-show-01"}, headers=host
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["production"]["name"] == "renamed-show-01"
    assert body["production"]["guid"] == guid
    assert body["previous_name"] == PROD
    assert response.headers["location"] == "/a/v1/production/renamed-show-01"
    # Subscribers of the feed URL see no change; the resources came along.
    assert client.get(f"/f/{guid}/feed.xml").status_code == 200
    episodes = client.get("/a/v1/resource/renamed-show-01/episode", headers=host).json()
    assert len(episodes["resources"]) == 2
    assert client.get(f"/s/{PROD}/feed.xml", follow_redirects=False).status_code == 404
    redirect = client.get("/s/renamed-show-01/feed.xml", follow_redirects=False)
    assert redirect.headers["location"].endswith(f"/f/{guid}/feed.xml")


def test_rename_revokes_tokens_bound_to_the_old_name_and_moves_service_accounts(
    client: TestClient, host: dict[str, str]
) -> None:
    context = context_of(client)
    deploy = bearer(token_for(context, "host@example.com", "resource:read", production=PROD))
    user_id = client.get("/_a/token", headers=host).json()["sub"]
    with context.database.session() as session:
        session.add(
            ServiceAccount(
                client_id="sa-" + "1" * 20,
                user_id=user_id,
                name="CI",
                public_key="-",
                scopes="resource:read",
                production=PROD,
                created_at=1,
            )
        )
    # A token bound to the production may not rename it.
    response = client.post(
        f"/a/v1/production/{PROD}/rename", json={"name": "renamed-show-01"}, headers=deploy
    )
    assert response.status_code == 403
    response = client.post(
        f"/a/v1/production/{PROD}/rename", json={"name": "renamed-show-01"}, headers=host
    )
    assert response.json()["tokens_revoked"] == 1
    assert client.get("/_a/token", headers=deploy).status_code == 401
    assert count(client, ServiceAccount, ServiceAccount.production == "renamed-show-01") == 1
    # The old name is free; the revoked token bound to it reaches nothing made under it.
    made = client.post("/a/v1/production", json={"name": PROD, "title": "N"}, headers=host)
    assert made.status_code == 201
    assert client.get(f"/a/v1/resource/{PROD}/all", headers=deploy).status_code == 401


def test_rename_to_a_taken_name_is_409(client: TestClient, host: dict[str, str]) -> None:
    other = bearer(token_for(context_of(client), "other@example.com", SCOPES))
    client.post("/a/v1/production", json={"name": "taken-name-01", "title": "O"}, headers=other)
    response = client.post(
        f"/a/v1/production/{PROD}/rename", json={"name": "taken-name-01"}, headers=host
    )
    assert response.status_code == 409
    assert response.json()["code"] == "podops.production.exists"
    assert count(client, Production, Production.name == PROD) == 1


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": "Bad.Name"},
        {"name": "short"},
        {"name": "x" * 45},
        {"name": 12345678},
        {"name": "good-name-01", "extra": 1},
        ["good-name-01"],
    ],
)
def test_bad_rename_bodies_are_400_and_change_nothing(
    client: TestClient, host: dict[str, str], body: object
) -> None:
    response = client.post(f"/a/v1/production/{PROD}/rename", json=body, headers=host)
    assert response.status_code == 400, response.text
    assert response.json()["success"] is False
    assert client.get(f"/a/v1/production/{PROD}", headers=host).status_code == 200


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/a/v1/production/Bad.Name", {"confirm": "Bad.Name"}),
        (f"/a/v1/production/{PROD}", {"confirm": PROD, "force": "yes"}),
    ],
)
def test_bad_delete_requests_are_400(
    client: TestClient, host: dict[str, str], path: str, params: dict[str, str]
) -> None:
    response = client.delete(path, params=params, headers=host)
    assert response.status_code == 400, response.text
    assert client.get(f"/a/v1/production/{PROD}", headers=host).status_code == 200


def test_delete_and_rename_need_production_write(client: TestClient, host: dict[str, str]) -> None:
    reader = bearer(token_for(context_of(client), "host@example.com", "production:read"))
    response = client.delete(f"/a/v1/production/{PROD}", params={"confirm": PROD}, headers=reader)
    assert response.status_code == 403
    response = client.post(
        f"/a/v1/production/{PROD}/rename", json={"name": "renamed-show-01"}, headers=reader
    )
    assert response.status_code == 403
