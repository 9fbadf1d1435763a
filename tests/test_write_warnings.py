"""Writes answer with what a build would find in the written document: a `Warning` header."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from starlette.testclient import TestClient

from podops.publish.preflight import MAX_WARNINGS, WriteFinding, warning_header
from tests.media.mpeg_frames import cbr_44100
from tests.support.auth import bearer, context_of, token_for
from tests.support.documents import episode, show

SCOPES = "production:read production:write resource:read resource:write"
PROD = "warned-podcast"
BASE = f"/a/v1/resource/{PROD}"
# One warning-value of RFC 7234: 199, the agent, a quoted string.
WARNING_VALUE = re.compile(r'199 podops "((?:[^"\\]|\\.)*)"')


@pytest.fixture
def producer(client: TestClient) -> TestClient:
    client.headers.update(bearer(token_for(context_of(client), "host@example.com", SCOPES)))
    assert client.post("/a/v1/production", json={"name": PROD, "title": "T"}).status_code == 201
    return client


def warnings_of(response: Any) -> list[str]:
    """The texts of the response's `Warning` header, unquoted."""
    value = response.headers.get("warning", "")
    texts = [match.group(1) for match in WARNING_VALUE.finditer(value)]
    assert ", ".join(f'199 podops "{text}"' for text in texts) == value  # nothing else in it
    return [re.sub(r"\\(.)", r"\1", text) for text in texts]


def clean_episode(name: str) -> dict[str, Any]:
    document = episode(name, date=int(time.time()) - 3600)
    document["enclosure"]["duration"] = 600.0
    return document


def test_a_show_without_episodes_is_told_it_would_not_build_until_one_is_out(
    producer: TestClient,
) -> None:
    created = producer.post(f"{BASE}/show/{PROD}", json=show(PROD))

    assert created.status_code == 201, created.text
    texts = warnings_of(created)
    assert [t for t in texts if t.startswith("error ")] == texts[:1], texts
    assert texts[0].startswith("error no-episodes at episodes: ")
    episode_written = producer.post(
        f"{BASE}/episode/episode-0001", json=clean_episode("episode-0001")
    )
    assert episode_written.status_code == 201
    assert "warning" not in episode_written.headers  # a clean episode: nothing to say
    again = producer.put(f"{BASE}/show/{PROD}", json=show(PROD))
    assert again.status_code == 200
    assert not [t for t in warnings_of(again) if "no-episodes" in t], warnings_of(again)
    assert again.json() == producer.get(f"{BASE}/show/{PROD}").json()  # the body is the document


def test_an_episode_is_told_what_the_build_would_find_in_it(producer: TestClient) -> None:
    assert producer.post(f"{BASE}/show/{PROD}", json=show(PROD)).status_code == 201
    document = episode("episode-0001", date=int(time.time()) - 3600)
    document["enclosure"]["type"] = "audio/flac"  # podcast audio Apple does not play

    written = producer.post(f"{BASE}/episode/episode-0001", json=document)

    assert written.status_code == 201, written.text
    texts = warnings_of(written)
    assert any(t.startswith("warning not-for-apple at episode.enclosure.type: ") for t in texts)
    assert any(t.startswith("warning duration at episode.duration: ") for t in texts)
    document["enclosure"] |= {"type": "audio/mpeg", "duration": 61.0}
    fixed = producer.put(f"{BASE}/episode/episode-0001", json=document)
    assert fixed.status_code == 200
    assert "warning" not in fixed.headers


def test_an_episode_on_an_uploaded_asset_is_linted_with_the_assets_facts(
    producer: TestClient,
) -> None:
    assert producer.post(f"{BASE}/show/{PROD}", json=show(PROD)).status_code == 201
    uploaded = producer.post(
        f"/a/v1/upload/{PROD}?name=episode-one-audio",
        content=cbr_44100(frames=400),
        headers={"Content-Type": "audio/mpeg"},
    )
    assert uploaded.status_code == 201, uploaded.text
    document = clean_episode("episode-0001")
    document["enclosure"] = {"rel": "asset", "name": "episode-one-audio"}

    written = producer.post(f"{BASE}/episode/episode-0001", json=document)

    # Length, type and duration come from the probed upload: nothing to say.
    assert written.status_code == 201, written.text
    assert "warning" not in written.headers


def test_an_external_enclosure_the_build_will_probe_is_no_finding(producer: TestClient) -> None:
    assert producer.post(f"{BASE}/show/{PROD}", json=show(PROD)).status_code == 201
    document = clean_episode("episode-0001")
    document["enclosure"] = {"rel": "external", "url": "https://cdn.example.com/a.mp3"}

    written = producer.post(f"{BASE}/episode/episode-0001", json=document)

    assert written.status_code == 201, written.text
    codes = {text.split(" ")[1] for text in warnings_of(written)}
    assert not codes & {"enclosure-length", "enclosure-type"}


def test_a_warning_header_is_ascii_quoted_and_bounded() -> None:
    tricky = WriteFinding("warning", "long-title", "episode.title", 'Épisode "Ça va" \\ ok\n')
    value = warning_header([tricky] * (MAX_WARNINGS + 5))

    assert value is not None
    value.encode("ascii")  # headers are Latin-1 at best; the header is ASCII
    texts = WARNING_VALUE.findall(value)
    assert len(texts) == MAX_WARNINGS
    assert (
        texts[0] == 'warning long-title at episode.title: \\\\xc9pisode \\"\\\\xc7a va\\" \\\\ ok '
    )
    assert texts[-1] == "and 6 more: build with ?validate=true"
    assert warning_header([]) is None


def test_a_bulk_write_tells_each_document_what_a_single_write_would(
    producer: TestClient,
) -> None:
    flac = episode("episode-0001", date=int(time.time()) - 3600)
    flac["enclosure"]["type"] = "audio/flac"
    documents = [show(PROD), flac, clean_episode("episode-0002")]
    bulk = f"/a/v1/production/{PROD}/bulk"

    checked = producer.post(f"{bulk}?dry_run=true", json={"documents": documents})
    applied = producer.post(bulk, json={"documents": documents})

    assert applied.status_code == 200, applied.text
    results = applied.json()["results"]
    # The dry run made other GUIDs (it kept nothing); it said the same otherwise.
    assert [without_guids(result["warnings"]) for result in checked.json()["results"]] == [
        without_guids(result["warnings"]) for result in results
    ]
    # Written alone, the same episode is warned of the same things, in the same words.
    flac["metadata"]["name"] = "episode-0003"
    alone = producer.post(f"{BASE}/episode/episode-0003", json=flac)
    assert without_guids(results[1]["warnings"]) == without_guids(warnings_of(alone))
    assert any(
        t.startswith("warning not-for-apple at episode.enclosure.type: ")
        for t in results[1]["warnings"]
    )
    assert results[2]["warnings"] == []  # a clean episode: nothing to say
    # The show has episodes in the same request: no "no-episodes" error.
    assert not [t for t in results[0]["warnings"] if "no-episodes" in t]
    again = producer.post(bulk, json={"documents": documents}).json()["results"]
    assert [result["warnings"] for result in again] == [[], [], []]  # nothing written


def without_guids(texts: list[str]) -> list[str]:
    return [re.sub(r"\([0-9a-f]{12}\)", "(guid)", text) for text in texts]


def test_each_episode_of_a_bulk_write_is_told_what_writing_it_alone_would(
    producer: TestClient,
) -> None:
    """Episodes of one bulk write are mapped and linted together: each one's findings, at
    whatever index, are still those of writing it alone."""
    assert producer.post(f"{BASE}/show/{PROD}", json=show(PROD)).status_code == 201
    now = int(time.time())
    flac = episode("episode-0001", date=now - 3600)
    flac["enclosure"]["type"] = "audio/flac"
    probed = clean_episode("episode-0002")
    probed["enclosure"] = {"rel": "external", "url": "https://cdn.example.com/b.mp3"}
    scheduled = episode("episode-0003", date=now + 86_400)  # its errors are warnings
    scheduled["enclosure"]["type"] = "audio/flac"
    no_duration = episode("episode-0004", date=now - 60)
    documents = [clean_episode("episode-0000"), flac, probed, scheduled, no_duration]

    applied = producer.post(f"/a/v1/production/{PROD}/bulk", json={"documents": documents})

    assert applied.status_code == 200, applied.text
    results = applied.json()["results"]

    for number, (document, result) in enumerate(zip(documents, results, strict=True)):
        document["metadata"]["name"] = f"alone-{number:04d}"
        alone = producer.post(f"{BASE}/episode/alone-{number:04d}", json=document)
        assert alone.status_code == 201, alone.text
        assert without_guids(result["warnings"]) == without_guids(warnings_of(alone)), number
    assert results[0]["warnings"] == []
    assert [t for t in results[2]["warnings"] if "enclosure-length" in t] == []
    assert results[3]["warnings"], results
    assert results[4]["warnings"], results
