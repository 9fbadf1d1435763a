"""`POST /a/v1/production/{prod}/bulk` (issues 16 and 17): create-or-update, all or none,
per-document results, and a dry run that answers the diff and keeps nothing."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select
from starlette.testclient import TestClient

from podops.api import create_app
from podops.db import Database
from podops.models import Resource, ResourceLabel
from podops.services import bulk as bulk_service
from tests.conftest import make_settings
from tests.support.auth import bearer, context_of, token_for
from tests.support.documents import episode, show

PROD = "bulk-show-01"
URL = f"/a/v1/production/{PROD}/bulk"


@pytest.fixture
def host(client: TestClient) -> dict[str, str]:
    headers = bearer(
        token_for(
            context_of(client),
            "host@example.com",
            "production:write resource:read resource:write",
        )
    )
    response = client.post("/a/v1/production", json={"name": PROD, "title": "B"}, headers=headers)
    assert response.status_code == 201, response.text
    return headers


def catalogue(count: int) -> list[dict[str, Any]]:
    return [show(), *(episode(f"episode-{n:04d}", date=1_700_000_000 + n) for n in range(count))]


def stored(client: TestClient) -> dict[str, dict[str, Any]]:
    with context_of(client).database.session() as session:
        return {row.name: row.document for row in session.scalars(select(Resource))}


def label_rows(client: TestClient) -> int:
    with context_of(client).database.session() as session:
        return int(session.scalar(select(func.count()).select_from(ResourceLabel)) or 0)


def test_a_catalogue_is_created_then_unchanged_then_updated(
    client: TestClient, host: dict[str, str]
) -> None:
    documents = catalogue(20)
    response = client.post(URL, json={"documents": documents}, headers=host)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (21, 0, 0)
    assert [result["index"] for result in body["results"]] == list(range(21))
    assert body["results"][1]["name"] == "episode-0000"
    documents_now = stored(client)
    assert len(documents_now) == 21
    show_guid = documents_now["the-daily-show"]["metadata"]["guid"]
    assert documents_now["episode-0005"]["metadata"]["parent"] == show_guid
    assert label_rows(client) == 1  # the show's team label
    # What the single-resource path answers is the same document.
    one = client.get(f"/a/v1/resource/{PROD}/episode/episode-0005", headers=host)
    assert one.json() == documents_now["episode-0005"]
    assert one.headers["etag"] == body["results"][6]["etag"]

    again = client.post(URL, json={"documents": documents}, headers=host).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 21)

    changed = copy.deepcopy(documents)
    changed[3]["description"]["title"] = "A better title"
    changed[3]["metadata"]["labels"] = {"season": "two"}
    third = client.post(URL, json={"documents": changed}, headers=host).json()
    assert (third["created"], third["updated"], third["unchanged"]) == (0, 1, 20)
    result = third["results"][3]
    assert result["action"] == "update"
    assert {change["field"] for change in result["changes"]} == {
        "description.title",
        "metadata.labels.season",
    }
    assert stored(client)["episode-0002"]["description"]["title"] == "A better title"
    assert label_rows(client) == 2


def test_a_dry_run_answers_the_diff_and_keeps_nothing(
    client: TestClient, host: dict[str, str]
) -> None:
    documents = catalogue(3)
    dry = client.post(URL, params={"dry_run": "true"}, json={"documents": documents}, headers=host)
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] is True
    assert dry.json()["created"] == 4
    assert stored(client) == {}
    client.post(URL, json={"documents": documents}, headers=host)
    before = stored(client)
    documents[2]["description"]["summary"] = "New notes."
    dry = client.post(URL, params={"dry_run": "true"}, json={"documents": documents}, headers=host)
    result = dry.json()["results"][2]
    assert result["action"] == "update"
    assert result["changes"] == [
        {"field": "description.summary", "before": "Notes.", "after": "New notes."}
    ]
    assert stored(client) == before


def test_yaml_bodies_are_accepted(client: TestClient, host: dict[str, str]) -> None:
    body = yaml.safe_dump({"documents": catalogue(2)}).encode()
    response = client.post(URL, content=body, headers={**host, "Content-Type": "application/yaml"})
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 3


def test_one_bad_document_and_nothing_is_applied_every_problem_listed(
    client: TestClient, host: dict[str, str]
) -> None:
    documents = catalogue(5)
    documents[2]["description"]["title"] = 5
    documents[4]["enclosure"]["url"] = "ftp://x.example.com/a.mp3"
    response = client.post(URL, json={"documents": documents}, headers=host)
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False
    assert [item["field"] for item in body["errors"]] == [
        "documents.2.description.title",
        "documents.4.enclosure.url",
    ]
    assert body["field"] == "documents.2.description.title"
    assert stored(client) == {}


def test_refusals_found_while_applying_are_listed_and_roll_back_all(
    client: TestClient, host: dict[str, str]
) -> None:
    documents = catalogue(4)
    documents[2]["image"] = {"rel": "asset", "name": "no-such-asset"}
    documents[3]["metadata"]["guid"] = "0123456789ab"  # server-owned on create
    response = client.post(URL, json={"documents": documents}, headers=host)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == "podops.bulk.refused"
    assert [item["field"] for item in body["errors"]] == [
        "documents.2.image.name",
        "documents.3.metadata.guid",
    ]
    assert "episode episode-0001" in body["errors"][0]["message"]
    assert stored(client) == {}  # the show and the good episodes were not kept either


def test_episodes_without_a_show_and_a_second_show_are_refused(
    client: TestClient, host: dict[str, str]
) -> None:
    response = client.post(URL, json={"documents": [episode("episode-0001")]}, headers=host)
    assert response.status_code == 400
    assert "no show yet" in response.json()["errors"][0]["message"]
    client.post(URL, json={"documents": [show()]}, headers=host)
    response = client.post(URL, json={"documents": [show("another-show")]}, headers=host)
    assert response.status_code == 400
    assert "has a show already" in response.json()["errors"][0]["message"]


def test_the_same_document_twice_is_refused(client: TestClient, host: dict[str, str]) -> None:
    documents = [show(), episode("episode-0001"), episode("episode-0001")]
    response = client.post(URL, json={"documents": documents}, headers=host)
    assert response.status_code == 400
    assert response.json()["field"] == "documents.2.metadata.name"
    assert stored(client) == {}


@pytest.mark.parametrize(
    "body",
    [
        [],
        {},
        {"documents": []},
        {"documents": "x"},
        {"documents": [show()], "extra": 1},
        {"documents": [5]},
        {"documents": [show()] * 1001},
    ],
)
def test_malformed_bodies_are_400_and_change_nothing(
    client: TestClient, host: dict[str, str], body: object
) -> None:
    response = client.post(URL, json=body, headers=host)
    assert response.status_code in (400, 413), response.text
    assert response.json()["success"] is False
    assert stored(client) == {}


@pytest.mark.parametrize(
    ("path", "params"),
    [("/a/v1/production/Bad.Name/bulk", {}), (URL, {"dry_run": "maybe"})],
)
def test_bad_paths_and_queries_are_400(
    client: TestClient, host: dict[str, str], path: str, params: dict[str, str]
) -> None:
    response = client.post(path, params=params, json={"documents": [show()]}, headers=host)
    assert response.status_code == 400, response.text
    assert stored(client) == {}


def test_someone_elses_production_is_404_and_scope_is_required(
    client: TestClient, host: dict[str, str]
) -> None:
    context = context_of(client)
    other = bearer(token_for(context, "other@example.com", "resource:write"))
    response = client.post(URL, json={"documents": [show()]}, headers=other)
    assert response.status_code == 404
    reader = bearer(token_for(context, "host@example.com", "resource:read"))
    assert client.post(URL, json={"documents": [show()]}, headers=reader).status_code == 403
    assert stored(client) == {}


def test_a_thousand_episodes_apply_in_one_request(client: TestClient, host: dict[str, str]) -> None:
    documents = catalogue(999)
    response = client.post(URL, json={"documents": documents}, headers=host)
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 1000
    listed = client.get(f"/a/v1/resource/{PROD}/episode", params={"limit": "500"}, headers=host)
    assert len(listed.json()["resources"]) == 500
    assert listed.json()["next_cursor"] is not None


def test_names_taken_by_another_request_meanwhile_are_409_and_nothing_is_applied(
    client: TestClient, host: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The new rows' INSERT meets the unique names another request wrote after this one
    looked: a conflict, and the whole batch rolled back (labels and changed rows too)."""
    documents = catalogue(3)
    assert client.post(URL, json={"documents": documents}, headers=host).status_code == 200
    before, labels = stored(client), label_rows(client)
    changed = copy.deepcopy(documents)
    changed[1]["description"]["title"] = "Changed, then rolled back"
    # As if the episodes were not there yet when this request looked.
    real_existing = bulk_service._existing
    monkeypatch.setattr(
        bulk_service,
        "_existing",
        lambda session, production, docs: {
            key: row
            for key, row in real_existing(session, production, docs).items()
            if key[0] == "show"
        },
    )

    refused = client.post(URL, json={"documents": changed}, headers=host)

    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "podops.bulk.conflict"
    assert (stored(client), label_rows(client)) == (before, labels)


@pytest.mark.parametrize("counted_in", ["redis", "process"])
def test_a_bulk_request_costs_one_request_per_hundred_documents(
    tmp_path: Path, database: Database, redis_url: str, counted_in: str
) -> None:
    broker = {"PODOPS_BROKER_URL": redis_url} if counted_in == "redis" else {}
    settings = make_settings(
        tmp_path, PODOPS_DATABASE_URL=database.url, PODOPS_RATE_LIMIT="10", **broker
    )
    with TestClient(create_app(settings)) as client:
        headers = bearer(
            token_for(
                context_of(client),
                f"bulk-{counted_in}@example.com",
                "production:write resource:write",
            )
        )
        created = client.post(
            "/a/v1/production", json={"name": PROD, "title": "B"}, headers=headers
        )
        assert created.headers["x-ratelimit-remaining"] == "9"
        response = client.post(URL, json={"documents": catalogue(349)}, headers=headers)
        assert response.status_code == 200, response.text
        assert response.headers["x-ratelimit-remaining"] == "5"  # 350 documents cost 4
        documents = catalogue(549)
        documents[-1]["description"]["title"] = "Over the limit"
        response = client.post(URL, json={"documents": documents}, headers=headers)
        assert response.status_code == 429  # 550 documents cost 6, 5 are left
        assert response.json()["code"] == "podops.auth.rate_limited"
        assert stored(client).get("episode-0548") is None  # nothing was written
