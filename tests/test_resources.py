"""Resources over HTTP: shows, episodes, assets; ETags, lists, bad input that changes nothing."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from starlette.testclient import TestClient

import feeds
from tests.support.auth import bearer, context_of, token_for
from tests.support.documents import episode, episode_tags, show, show_tags

SCOPES = "production:read production:write resource:read resource:write"
PROD = "my-test-podcast"
BASE = f"/a/v1/resource/{PROD}"


@pytest.fixture
def host(client: TestClient) -> dict[str, str]:
    headers = bearer(token_for(context_of(client), "host@example.com", SCOPES))
    response = client.post("/a/v1/production", json={"name": PROD, "title": "T"}, headers=headers)
    assert response.status_code == 201
    client.headers.update(headers)
    return headers


@pytest.fixture
def production_guid(client: TestClient, host: dict[str, str]) -> str:
    return str(client.get(f"/a/v1/production/{PROD}").json()["guid"])


def put_show(client: TestClient) -> dict[str, Any]:
    response = client.post(f"{BASE}/show/the-daily-show", json=show())
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_show_is_created_with_server_owned_guid_and_parent(
    client: TestClient, production_guid: str
) -> None:
    response = client.post(f"{BASE}/show/the-daily-show", json=show())
    assert response.status_code == 201, response.text
    document = response.json()
    assert len(document["metadata"]["guid"]) == 12
    assert document["metadata"]["parent"] == production_guid
    assert isinstance(document["metadata"]["date"], int)
    assert response.headers["etag"].startswith('"')
    assert response.headers["location"] == f"{BASE}/show/the-daily-show"
    fetched = client.get(f"{BASE}/show/the-daily-show")
    assert fetched.json() == document
    assert fetched.headers["etag"] == response.headers["etag"]
    by_guid = client.get(f"/a/v1/resource/{production_guid}/show/{document['metadata']['guid']}")
    assert by_guid.json() == document


def test_a_new_show_is_given_its_podcast_guid_once(
    client: TestClient, production_guid: str
) -> None:
    """The UUIDv5 of its first podops feed URL, kept when the server's URL changes later."""
    settings = context_of(client).settings
    document = put_show(client)
    feed_url = f"{settings.base_url}/f/{production_guid}/feed.xml"
    assert document["description"]["podcast_guid"] == feeds.podcast_guid(feed_url)
    # A client may repeat it, not send another, and never choose it at creation.
    path = f"{BASE}/show/the-daily-show"
    kept = client.put(path, json=document, headers={"If-Match": "*"})
    assert kept.status_code == 200, kept.text
    assert kept.json()["description"]["podcast_guid"] == feeds.podcast_guid(feed_url)
    other = copy.deepcopy(document)
    other["description"]["podcast_guid"] = feeds.podcast_guid("https://moved.example.com/f")
    refused = client.put(path, json=other, headers={"If-Match": "*"})
    assert refused.status_code == 400
    assert refused.json()["field"] == "description.podcast_guid"
    # The production moves to another server: the show's identity does not.
    from podops.db import Database
    from podops.models import Production
    from podops.publish.load import load_production

    database: Database = context_of(client).database
    with database.session() as session:
        production = session.get(Production, production_guid)
        assert production is not None
        mapped = load_production(session, production, base_url="https://new-home.example.com")
    assert mapped.show is not None
    assert mapped.show.feed_url.startswith("https://new-home.example.com/")
    assert mapped.show.podcast_guid == feeds.podcast_guid(feed_url)


def test_a_client_cannot_choose_a_new_shows_podcast_guid(
    client: TestClient, host: dict[str, str]
) -> None:
    document = show()
    document["description"]["podcast_guid"] = "5f3c6e8a-1b2d-5c4e-9f00-0a1b2c3d4e5f"
    refused = client.post(f"{BASE}/show/the-daily-show", json=document)
    assert refused.status_code == 400
    assert refused.json()["code"] == "podops.resource.server_owned"
    assert client.get(f"{BASE}/show/the-daily-show").status_code == 404


def test_one_show_per_production(client: TestClient, host: dict[str, str]) -> None:
    put_show(client)
    again = client.post(f"{BASE}/show/second-show-x", json=show("second-show-x"))
    assert again.status_code == 409
    assert again.json()["code"] == "podops.resource.show_exists"


def test_episodes_belong_to_the_show(client: TestClient, host: dict[str, str]) -> None:
    early = client.post(f"{BASE}/episode/episode-001", json=episode("episode-001"))
    assert early.status_code == 409
    assert early.json()["code"] == "podops.resource.no_show"
    the_show = put_show(client)
    created = client.post(f"{BASE}/episode/episode-001", json=episode("episode-001"))
    assert created.status_code == 201
    assert created.json()["metadata"]["parent"] == the_show["metadata"]["guid"]
    duplicate = client.post(f"{BASE}/episode/episode-001", json=episode("episode-001"))
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "podops.resource.exists"


def test_put_replaces_and_honours_if_match(client: TestClient, host: dict[str, str]) -> None:
    put_show(client)
    created = client.post(f"{BASE}/episode/episode-001", json=episode("episode-001"))
    etag = created.headers["etag"]
    changed = episode("episode-001", title="A better title")
    stale = client.put(f"{BASE}/episode/episode-001", json=changed, headers={"If-Match": '"x"'})
    assert stale.status_code == 412
    assert client.get(f"{BASE}/episode/episode-001").json() == created.json()
    replaced = client.put(f"{BASE}/episode/episode-001", json=changed, headers={"If-Match": etag})
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["description"]["title"] == "A better title"
    assert replaced.json()["metadata"]["guid"] == created.json()["metadata"]["guid"]
    assert replaced.headers["etag"] != etag
    # The stored GUID may be repeated, never changed.
    with_guid = copy.deepcopy(changed)
    with_guid["metadata"]["guid"] = created.json()["metadata"]["guid"]
    assert client.put(f"{BASE}/episode/episode-001", json=with_guid).status_code == 200
    with_guid["metadata"]["guid"] = "abcdefabcdef"
    refused = client.put(f"{BASE}/episode/episode-001", json=with_guid)
    assert refused.status_code == 400
    assert refused.json()["field"] == "metadata.guid"


def test_get_answers_304_for_a_matching_if_none_match(
    client: TestClient, host: dict[str, str]
) -> None:
    etag = client.post(f"{BASE}/show/the-daily-show", json=show()).headers["etag"]
    response = client.get(f"{BASE}/show/the-daily-show", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.headers["etag"] == etag


def test_put_and_delete_of_a_missing_resource_are_404(
    client: TestClient, host: dict[str, str]
) -> None:
    put_show(client)
    assert client.put(f"{BASE}/episode/episode-404", json=episode("episode-404")).status_code == 404
    assert client.delete(f"{BASE}/episode/episode-404").status_code == 404


def test_delete_honours_if_match_and_a_show_goes_last(
    client: TestClient, host: dict[str, str]
) -> None:
    the_show = client.post(f"{BASE}/show/the-daily-show", json=show())
    etag = client.post(f"{BASE}/episode/episode-001", json=episode("episode-001")).headers["etag"]
    assert client.delete(f"{BASE}/show/the-daily-show").status_code == 409
    assert (
        client.delete(f"{BASE}/episode/episode-001", headers={"If-Match": '"x"'}).status_code == 412
    )
    assert (
        client.delete(f"{BASE}/episode/episode-001", headers={"If-Match": etag}).status_code == 204
    )
    assert client.get(f"{BASE}/episode/episode-001").status_code == 404
    assert (
        client.delete(
            f"{BASE}/show/the-daily-show", headers={"If-Match": the_show.headers["etag"]}
        ).status_code
        == 204
    )


def test_lists_page_by_date_filter_by_label_and_take_all(
    client: TestClient, host: dict[str, str]
) -> None:
    put_show(client)
    for number in range(7):
        labels = {"season": "one" if number < 4 else "two"}
        body = episode(f"episode-{number:03d}", date=1_700_000_000 + number * 86400, labels=labels)
        assert client.post(f"{BASE}/episode/episode-{number:03d}", json=body).status_code == 201
    names: list[str] = []
    url = f"{BASE}/episode?limit=3"
    while url:
        page = client.get(url).json()
        names += [doc["metadata"]["name"] for doc in page["resources"]]
        url = f"{BASE}/episode?limit=3&cursor={page['next_cursor']}" if page["next_cursor"] else ""
    assert names == [f"episode-{number:03d}" for number in reversed(range(7))]
    ascending = client.get(f"{BASE}/episode?order=asc&limit=2").json()["resources"]
    assert [doc["metadata"]["name"] for doc in ascending] == ["episode-000", "episode-001"]
    season_two = client.get(f"{BASE}/episode?label=season:two&limit=50").json()["resources"]
    assert sorted(doc["metadata"]["name"] for doc in season_two) == [
        "episode-004",
        "episode-005",
        "episode-006",
    ]
    everything = client.get(f"{BASE}/all?limit=50").json()["resources"]
    assert {doc["kind"] for doc in everything} == {"show", "episode"}
    assert len(everything) == 8


def test_yaml_documents_are_accepted(client: TestClient, host: dict[str, str]) -> None:
    yaml_show = b"""
apiVersion: v1
kind: show
metadata:
  name: the-daily-show
description:
  title: From YAML
  summary: Written by the po client
  categories:
    - category: Technology
  language: en
  owner:
    name: Jane
    email: jane@example.com
image:
  rel: external
  url: https://cdn.example.com/yaml.jpg
"""
    response = client.post(
        f"{BASE}/show/the-daily-show",
        content=yaml_show,
        headers={"Content-Type": "application/yaml"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["description"]["title"] == "From YAML"


def test_someone_elses_production_is_404_for_every_method(
    client: TestClient, host: dict[str, str]
) -> None:
    put_show(client)
    stranger = bearer(token_for(context_of(client), "stranger@example.com", SCOPES))
    for method, url, body in [
        ("GET", f"{BASE}/show/the-daily-show", None),
        ("GET", f"{BASE}/all", None),
        ("PUT", f"{BASE}/show/the-daily-show", show()),
        ("DELETE", f"{BASE}/show/the-daily-show", None),
        ("POST", f"{BASE}/episode/episode-001", episode("episode-001")),
    ]:
        response = client.request(method, url, json=body, headers=stranger)
        assert response.status_code == 404, (method, url, response.text)
        assert response.json()["code"] == "podops.production.not_found"
    assert client.get(f"{BASE}/show/the-daily-show").status_code == 200


def test_scopes_are_checked_per_route(client: TestClient, host: dict[str, str]) -> None:
    put_show(client)
    reader = bearer(token_for(context_of(client), "host@example.com", "resource:read"))
    assert client.get(f"{BASE}/show/the-daily-show", headers=reader).status_code == 200
    refused = client.put(f"{BASE}/show/the-daily-show", json=show(), headers=reader)
    assert refused.status_code == 403
    assert refused.json()["code"] == "podops.auth.insufficient_scope"


def deep(levels: int) -> dict[str, Any]:
    body = show()
    node: dict[str, Any] = {}
    body["description"]["deep"] = node
    for _ in range(levels):
        node["x"] = {}
        node = node["x"]
    return body


BAD_DOCUMENTS: list[tuple[str, str, Any, int, str]] = [
    # (case, path kind/name, body, status, field or code)
    ("name of 7", "show/short77", show("short77"), 400, "id"),
    ("name of 45", "show/" + "a" * 45, show("a" * 45), 400, "id"),
    ("dots in the path", "show/the.daily-show", show(), 400, "id"),
    ("upper case in the path", "show/The-Daily-Show", show(), 400, "id"),
    ("look-alike in the path", "show/the-d\u0430ily-show", show(), 400, "id"),
    ("dot dot", "show/%2E%2E", show(), 400, "id"),
    ("dots inside", "show/the..daily-show", show(), 400, "id"),
    (
        "name in body differs from path",
        "show/the-daily-show",
        show("another-show"),
        400,
        "metadata.name",
    ),
    ("bad name in body", "show/the-daily-show", show("The Daily Show"), 400, "metadata.name"),
    ("unknown kind", "podcast/the-daily-show", show(), 400, "kind"),
    ("kind differs from path", "episode/the-daily-show", show(), 400, "kind"),
    (
        "another production as parent",
        "show/the-daily-show",
        {**show(), "metadata": {"name": "the-daily-show", "parent": "abcdefabcdef"}},
        400,
        "metadata.parent",
    ),
    (
        "malformed parent",
        "show/the-daily-show",
        {**show(), "metadata": {"name": "the-daily-show", "parent": "XYZ"}},
        400,
        "metadata.parent",
    ),
    (
        "client-chosen guid",
        "show/the-daily-show",
        {**show(), "metadata": {"name": "the-daily-show", "guid": "abcdefabcdef"}},
        400,
        "metadata.guid",
    ),
    (
        "malformed guid",
        "show/the-daily-show",
        {**show(), "metadata": {"name": "the-daily-show", "guid": "123"}},
        400,
        "metadata.guid",
    ),
    ("wrong type", "show/the-daily-show", show(explicit="yes"), 400, "description.explicit"),
    ("unknown field", "show/the-daily-show", show(colour="blue"), 400, "description.colour"),
    ("title over 255", "show/the-daily-show", show(title="t" * 256), 400, "description.title"),
    (
        "summary over 4000 bytes",
        "show/the-daily-show",
        show(summary="\u00e9" * 2001),
        400,
        "description.summary",
    ),
    (
        "category not Apple's",
        "show/the-daily-show",
        show(categories=[{"category": "Cooking"}]),
        400,
        "description.categories.0.category",
    ),
    ("bad language", "show/the-daily-show", show(language="english"), 400, "description.language"),
    (
        "bad email",
        "show/the-daily-show",
        show(owner={"name": "J", "email": "jane@"}),
        400,
        "description.owner.email",
    ),
    ("deeply nested", "show/the-daily-show", deep(40), 400, "podops.request.too_deep"),
]


@pytest.mark.parametrize(
    ("case", "path", "body", "status", "expected"),
    BAD_DOCUMENTS,
    ids=[case[0] for case in BAD_DOCUMENTS],
)
def test_bad_documents_are_refused_naming_the_field_and_change_nothing(
    client: TestClient,
    host: dict[str, str],
    case: str,
    path: str,
    body: Any,
    status: int,
    expected: str,
) -> None:
    response = client.post(f"{BASE}/{path}", json=body)
    assert response.status_code == status, response.text
    error = response.json()
    assert expected in (error.get("field"), error["code"]), error
    assert client.get(f"{BASE}/all").json()["resources"] == []


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b"{", {"Content-Type": "application/json"}, 400),
        (b"a: &x [1]\nb: *x\n", {"Content-Type": "application/yaml"}, 400),
        (b"kind: [unclosed", {"Content-Type": "application/yaml"}, 400),
        (b"<show/>", {"Content-Type": "application/xml"}, 415),
        (b"x" * 2_000_000, {"Content-Type": "application/json"}, 413),
    ],
)
def test_bodies_that_cannot_be_read(
    client: TestClient, host: dict[str, str], body: bytes, headers: dict[str, str], status: int
) -> None:
    response = client.post(f"{BASE}/show/the-daily-show", content=body, headers=headers)
    assert response.status_code == status
    assert response.json()["success"] is False
    assert client.get(f"{BASE}/all").json()["resources"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=x", "limit"),
        ("cursor=garbage", "cursor"),
        ("order=sideways", "order"),
        ("label=nocolon", "label"),
    ],
)
def test_bad_list_queries(client: TestClient, host: dict[str, str], query: str, field: str) -> None:
    response = client.get(f"{BASE}/all?{query}")
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_a_retried_resource_create_is_not_doubled(client: TestClient, host: dict[str, str]) -> None:
    put_show(client)
    headers = {"Idempotency-Key": "episode-1-upload"}
    first = client.post(f"{BASE}/episode/episode-001", json=episode("episode-001"), headers=headers)
    again = client.post(f"{BASE}/episode/episode-001", json=episode("episode-001"), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["etag"] == first.headers["etag"]


@pytest.mark.parametrize("field", ["image", "enclosure"])
def test_a_document_naming_an_asset_the_production_lacks_is_refused(
    client: TestClient, host: dict[str, str], field: str
) -> None:
    """The build would refuse it; the write says so first, and stores nothing."""
    put_show(client)
    document = episode("episode-001")
    document[field] = {"rel": "asset", "name": "never-uploaded"}
    refused = client.post(f"{BASE}/episode/episode-001", json=document)
    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == "podops.resource.no_such_asset"
    assert refused.json()["field"] == f"{field}.name"
    assert "never-uploaded" in refused.json()["message"]
    assert client.get(f"{BASE}/episode/episode-001").status_code == 404


@pytest.mark.parametrize(
    ("tags", "field"),
    [
        ({"source_asset": "never-uploaded"}, "description.alternate_enclosures.1.sources.0.name"),
        ({"image_asset": "never-uploaded"}, "description.image_srcset.0.name"),
    ],
)
def test_a_podcast_index_tag_naming_an_asset_the_production_lacks_is_refused(
    client: TestClient, host: dict[str, str], tags: dict[str, str], field: str
) -> None:
    put_show(client)
    document = episode("episode-001", **episode_tags(**tags))
    refused = client.post(f"{BASE}/episode/episode-001", json=document)
    assert refused.status_code == 400, refused.text
    assert (refused.json()["code"], refused.json()["field"]) == (
        "podops.resource.no_such_asset",
        field,
    )


@pytest.mark.parametrize(
    ("files", "field"),
    [
        (
            {"transcripts": [{"asset": "never-uploaded", "type": "text/vtt"}]},
            "description.transcripts.0.asset",
        ),
        ({"chapters": {"asset": "never-uploaded"}}, "description.chapters.asset"),
    ],
)
def test_a_transcript_or_chapters_naming_an_asset_the_production_lacks_is_refused(
    client: TestClient, host: dict[str, str], files: dict[str, Any], field: str
) -> None:
    put_show(client)
    refused = client.post(f"{BASE}/episode/episode-001", json=episode("episode-001", **files))
    assert refused.status_code == 400, refused.text
    assert (refused.json()["code"], refused.json()["field"]) == (
        "podops.resource.no_such_asset",
        field,
    )
    assert client.get(f"{BASE}/episode/episode-001").status_code == 404


def test_a_live_item_streaming_an_asset_the_production_lacks_is_refused(
    client: TestClient, host: dict[str, str]
) -> None:
    document = show(**show_tags(stream_asset="never-uploaded"))
    refused = client.post(f"{BASE}/show/the-daily-show", json=document)
    assert refused.status_code == 400, refused.text
    assert (refused.json()["code"], refused.json()["field"]) == (
        "podops.resource.no_such_asset",
        "description.live_items.0.enclosure.name",
    )
    assert client.get(f"{BASE}/show/the-daily-show").status_code == 404


@pytest.mark.parametrize(
    ("kind", "field"), [("show", "summary"), ("episode", "summary"), ("episode", "notes")]
)
def test_a_text_within_4000_bytes_that_publishes_over_them_is_refused_at_write(
    client: TestClient, host: dict[str, str], kind: str, field: str
) -> None:
    """3,990 bytes of Markdown are accepted by the schema; as published HTML they are more
    (each `&` becomes `&amp;`), which the build would refuse, so the write does."""
    text = "Fish & chips " * 306  # 3,978 bytes as written
    assert len(text.encode()) < 4000
    if kind == "episode":
        put_show(client)
        document = episode("episode-001", **{field: text})
        path = f"{BASE}/episode/episode-001"
    else:
        document = show(summary=text)
        path = f"{BASE}/show/the-daily-show"
    refused = client.post(path, json=document)
    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == "podops.resource.too_long_published"
    assert refused.json()["field"] == f"description.{field}"
    assert "Apple" in refused.json()["message"]
    assert client.get(path).status_code == 404
