"""Producers' webhooks: each changed build, failed build and new asset reaches a local
receiver as one message it can verify with its secret (Standard Webhooks), an unchanged build
reaches it not at all, a 503 is retried and logged, and bad or private endpoints are refused."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks import Webhook
from starlette.testclient import TestClient

from podops.api import create_app
from podops.db import Database
from tests.conftest import make_settings
from tests.media.mpeg_frames import cbr_44100
from tests.support.auth import bearer, context_of, token_for
from tests.support.documents import episode, show
from tests.support.operations import poll
from tests.support.processes import WorkerProcess, wait_until
from tests.support.receiver import Receiver, receiving

pytestmark = pytest.mark.slow

PROD = "hooked-show"
BASE = f"/a/v1/resource/{PROD}"
HOOKS = f"/a/v1/production/{PROD}/webhooks"
SCOPES = "production:read production:write production:build resource:read resource:write"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as listening:
        yield listening


@pytest.fixture
def hooked(
    tmp_path: Path, database: Database, redis_url: str, receiver: Receiver
) -> Iterator[TestClient]:
    settings = make_settings(
        tmp_path,
        PODOPS_DATABASE_URL=database.url,
        PODOPS_BROKER_URL=redis_url,
        # The receiver is on loopback, which the fetch rules refuse unless allowed.
        PODOPS_FETCH_ALLOW="127.0.0.1",
    )
    worker = WorkerProcess(settings, tmp_path / "worker.log")
    worker.start()
    try:
        with TestClient(create_app(settings)) as client:
            client.headers.update(bearer(token_for(context_of(client), "w@example.com", SCOPES)))
            assert (
                client.post("/a/v1/production", json={"name": PROD, "title": "T"}).status_code
                == 201
            )
            assert client.post(f"{BASE}/show/{PROD}", json=show(PROD)).status_code == 201
            yield client
    finally:
        worker.stop()


def subscribe(client: TestClient, receiver: Receiver, *events: str) -> dict[str, Any]:
    response = client.post(HOOKS, json={"url": receiver.url("/hook"), "events": list(events)})
    assert response.status_code == 201, response.text
    created = dict(response.json())
    assert created["secret"].startswith("whsec_")
    assert response.headers["location"] == f"{HOOKS}/{created['id']}"
    return created


def deliveries(client: TestClient, hook: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.get(f"{HOOKS}/{hook['id']}/deliveries")
    assert response.status_code == 200, response.text
    return list(response.json()["deliveries"])


def settled(client: TestClient, hook: dict[str, Any]) -> list[dict[str, Any]]:
    """The hook's deliveries once none is pending any more."""
    wait_until(
        lambda: all(item["status"] != "pending" for item in deliveries(client, hook)),
        60,
        "the webhooks to be delivered",
        0.1,
    )
    return deliveries(client, hook)


def build(client: TestClient, *, succeeds: bool = True) -> dict[str, Any]:
    response = client.post("/a/v1/build", json={"guid": PROD})
    assert response.status_code == 202, response.text
    done = poll(client, response.headers["location"])
    assert done["status"] == ("Success" if succeeds else "Failed"), done
    return done


def verified(receiver: Receiver, secret: str) -> list[dict[str, Any]]:
    """Every message the receiver got, each verified with the subscription's secret."""
    return [Webhook(secret).verify(item.body, item.headers) for item in receiver.heard]


def test_each_changed_build_is_sent_once_signed_and_an_unchanged_one_not_at_all(
    hooked: TestClient, receiver: Receiver
) -> None:
    client = hooked
    hook = subscribe(client, receiver, "build.succeeded", "episode.published")
    body = episode("episode-one", date=1_700_000_000)
    assert client.post(f"{BASE}/episode/episode-one", json=body).status_code == 201

    first = build(client)
    assert [item["status"] for item in settled(client, hook)] == ["delivered", "delivered"]
    messages = verified(receiver, hook["secret"])
    by_type = {message["type"]: message for message in messages}
    assert sorted(by_type) == ["build.succeeded", "episode.published"]
    succeeded = by_type["build.succeeded"]
    assert succeeded["data"]["production"]["name"] == PROD
    assert succeeded["data"]["operation"] == first["id"]
    assert succeeded["data"]["feed_url"] == first["result"]["feed_url"]
    assert succeeded["timestamp"].endswith("Z")
    published = by_type["episode.published"]["data"]["episode"]
    assert published["title"] == "Episode episode-one"
    assert published["enclosure_url"] == "https://cdn.example.com/episode-one.mp3"
    # The webhook-id is the delivery's id, as the log shows it.
    assert {item.headers["webhook-id"] for item in receiver.heard} == {
        item["id"] for item in deliveries(client, hook)
    }
    # A secret other than the subscription's does not verify.
    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + "A" * 43 + "=").verify(receiver.heard[0].body, receiver.heard[0].headers)

    assert build(client)["result"]["changed"] is False
    assert len(deliveries(client, hook)) == 2  # recorded before the build ended: none

    changed = episode("episode-one", date=1_700_000_000)
    changed["description"]["title"] = "A new title"
    put = client.put(f"{BASE}/episode/episode-one", json=changed, headers={"If-Match": "*"})
    assert put.status_code == 200
    build(client)
    assert len(settled(client, hook)) == 3  # the same episode: no second episode.published
    second = episode("episode-two", date=1_700_000_100)
    assert client.post(f"{BASE}/episode/episode-two", json=second).status_code == 201
    build(client)
    settled(client, hook)
    types = [message["type"] for message in verified(receiver, hook["secret"])]
    assert sorted(types) == ["build.succeeded"] * 3 + ["episode.published"] * 2
    newest = verified(receiver, hook["secret"])[-2:]
    assert {m["data"]["episode"]["title"] for m in newest if "episode" in m["data"]} == {
        "Episode episode-two"
    }


def published_titles(receiver: Receiver, hook: dict[str, Any]) -> list[str]:
    """The titles of every `episode.published` the receiver verified, in order."""
    return [
        message["data"]["episode"]["title"]
        for message in verified(receiver, hook["secret"])
        if message["type"] == "episode.published"
    ]


def put_show(client: TestClient, **description: Any) -> None:
    response = client.put(f"{BASE}/show/{PROD}", json=show(PROD, **description))
    assert response.status_code == 200, response.text


def test_a_scheduled_episode_is_announced_once_when_it_goes_out(
    hooked: TestClient, receiver: Receiver
) -> None:
    client = hooked
    hook = subscribe(client, receiver, "episode.published")
    now = int(time.time())
    assert (
        client.post(
            f"{BASE}/episode/episode-one", json=episode("episode-one", date=now - 60)
        ).status_code
        == 201
    )
    due = now + 3
    body = episode("scheduled-one", date=due)
    assert client.post(f"{BASE}/episode/scheduled-one", json=body).status_code == 201

    build(client)
    settled(client, hook)
    assert published_titles(receiver, hook) == ["Episode episode-one"]

    time.sleep(max(0.0, due - time.time()) + 0.5)
    # What the sweeper starts when the time comes: a build like any other.
    with context_of(client).database.session() as session:
        from podops.publish.schedule import take_due

        assert take_due(session) != []
    build(client)
    build(client)
    settled(client, hook)
    assert published_titles(receiver, hook) == ["Episode episode-one", "Episode scheduled-one"]


def test_a_premium_episode_is_announced_once_in_whichever_feed_carries_it_first(
    hooked: TestClient, receiver: Receiver
) -> None:
    client = hooked
    put_show(client, access="both")
    hook = subscribe(client, receiver, "episode.published", "build.succeeded")
    assert (
        client.post(
            f"{BASE}/episode/episode-one", json=episode("episode-one", date=1_700_000_000)
        ).status_code
        == 201
    )
    build(client)
    premium = episode("premium-one", date=1_700_000_100, premium=True)
    assert client.post(f"{BASE}/episode/premium-one", json=premium).status_code == 201

    second = build(client)["result"]
    assert second["changed"] is False
    assert second["private_changed"] is True
    settled(client, hook)
    assert published_titles(receiver, hook) == ["Episode episode-one", "Episode premium-one"]
    announced = {
        message["data"]["episode"]["title"]: message["data"]["episode"]["subscribers_only"]
        for message in verified(receiver, hook["secret"])
        if message["type"] == "episode.published"
    }
    assert announced == {"Episode episode-one": False, "Episode premium-one": True}

    premium["description"]["premium"] = False  # free now: in the public feed too
    put = client.put(f"{BASE}/episode/premium-one", json=premium, headers={"If-Match": "*"})
    assert put.status_code == 200, put.text
    assert build(client)["result"]["changed"] is True
    types = [item["event"] for item in settled(client, hook)]
    assert types.count("build.succeeded") == 3
    assert published_titles(receiver, hook) == ["Episode episode-one", "Episode premium-one"]


def test_a_private_show_announces_its_episodes_too(hooked: TestClient, receiver: Receiver) -> None:
    client = hooked
    put_show(client, access="private")
    hook = subscribe(client, receiver, "episode.published", "build.succeeded")
    assert (
        client.post(
            f"{BASE}/episode/episode-one", json=episode("episode-one", date=1_700_000_000)
        ).status_code
        == 201
    )
    done = build(client)
    assert done["result"]["feed_url"] is None
    build(client)  # unchanged: nothing
    assert sorted(item["event"] for item in settled(client, hook)) == [
        "build.succeeded",
        "episode.published",
    ]
    [announced] = [
        message
        for message in verified(receiver, hook["secret"])
        if message["type"] == "episode.published"
    ]
    assert announced["data"]["episode"]["title"] == "Episode episode-one"
    assert announced["data"]["episode"]["subscribers_only"] is True
    assert announced["data"]["feed_url"] is None


def test_a_failing_build_sends_build_failed(hooked: TestClient, receiver: Receiver) -> None:
    hook = subscribe(hooked, receiver, "build.failed", "build.succeeded")
    done = build(hooked, succeeds=False)  # a show without episodes: Apple refuses it
    [delivery] = settled(hooked, hook)
    assert delivery["status"] == "delivered"
    [message] = verified(receiver, hook["secret"])
    assert message["type"] == "build.failed"
    assert message["data"]["operation"] == done["id"]
    assert message["data"]["code"] == done["error"]["code"] == "podops.build.invalid"
    assert message["data"]["errors"]


def test_an_upload_sends_asset_created_once(hooked: TestClient, receiver: Receiver) -> None:
    hook = subscribe(hooked, receiver, "asset.created")
    mp3 = cbr_44100(frames=200)
    files = {"asset": ("Episode One.mp3", mp3, "audio/mpeg")}
    assert hooked.post(f"/a/v1/upload/{PROD}", files=files).status_code == 201
    assert hooked.post(f"/a/v1/upload/{PROD}", files=files).status_code == 200  # not new
    [delivery] = settled(hooked, hook)
    [message] = verified(receiver, hook["secret"])
    assert message["type"] == "asset.created" == delivery["event"]
    assert message["data"]["asset"]["name"] == "episode-one"
    assert message["data"]["asset"]["size"] == len(mp3)


def test_a_503_is_retried_and_both_attempts_are_logged(
    hooked: TestClient, receiver: Receiver
) -> None:
    client = hooked
    hook = subscribe(client, receiver, "build.succeeded")
    receiver.answers = [503]
    test = client.post(f"{HOOKS}/{hook['id']}/test")
    assert test.status_code == 202, test.text
    operation = test.headers["location"]
    wait_until(lambda: len(receiver.heard) == 1, 30, "the first attempt")
    # The runner releases it for a retry within retry_delay(1) <= 1 s: sweep past that, as the
    # periodic sweeper would, once the release is recorded.
    resent: list[str] = []

    def released() -> bool:
        report = context_of(client).jobs.sweep(at=int(time.time()) + 2)
        resent.extend(item.id for item in report.resend)
        return bool(resent)

    wait_until(released, 30, "the delivery to be released for a retry", 0.2)
    assert resent == [operation.rsplit("/", 1)[1]]
    assert poll(client, operation)["status"] == "Success"
    [delivery] = deliveries(client, hook)
    assert delivery["status"] == "delivered"
    assert [item["status_code"] for item in delivery["attempts"]] == [503, 204]
    assert "503" in delivery["attempts"][0]["error"]
    first, second = receiver.heard
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery["id"]
    message = Webhook(hook["secret"]).verify(second.body, second.headers)
    assert message["type"] == "webhook.test"
    assert message["data"]["webhook"] == hook["id"]


def assert_refused(response: Any, code: str, field: str | None = None) -> None:
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["success"] is False
    assert error["code"] == code
    assert error["message"]
    if field is not None:
        assert error["field"] == field


def test_private_and_bad_endpoints_are_refused_and_nothing_is_made(hooked: TestClient) -> None:
    client = hooked
    for url in ("http://10.0.0.7/hook", "http://[::1]:8080/hook", "http://169.254.169.254/x"):
        response = client.post(HOOKS, json={"url": url, "events": ["build.succeeded"]})
        assert_refused(response, "podops.webhook.blocked_address", "url")
    good = {"url": "https://hooks.example.com/podops", "events": ["build.succeeded"]}
    malformed = client.post(
        HOOKS, content=b'{"url": "https://x', headers={"Content-Type": "application/json"}
    )
    assert_refused(malformed, "podops.request.malformed_json")
    assert_refused(
        client.post(HOOKS, json={**good, "events": ["build.exploded"]}),
        "podops.request.invalid",
        "events.0",
    )
    assert_refused(client.post(HOOKS, json={**good, "events": []}), "podops.request.invalid")
    for url in ("ftp://hooks.example.com/x", "javascript:alert(1)", "hooks.example.com/x"):
        assert_refused(
            client.post(HOOKS, json={**good, "url": url}), "podops.request.invalid", "url"
        )
    assert_refused(client.post(HOOKS, json={**good, "secret": "mine"}), "podops.request.invalid")
    assert client.get(HOOKS).json() == {"webhooks": []}


def test_another_tenants_production_and_webhooks_are_not_found(
    hooked: TestClient, receiver: Receiver
) -> None:
    hook = subscribe(hooked, receiver, "build.succeeded")
    listed = hooked.get(HOOKS).json()["webhooks"]
    assert listed == [{key: value for key, value in hook.items() if key != "secret"}]
    other = bearer(token_for(context_of(hooked), "other@example.com", SCOPES))
    theirs = hooked.post(
        "/a/v1/production", json={"name": "other-show", "title": "O"}, headers=other
    )
    assert theirs.status_code == 201
    for method, path in (
        ("GET", HOOKS),
        ("POST", HOOKS),
        ("GET", f"{HOOKS}/{hook['id']}"),
        ("DELETE", f"{HOOKS}/{hook['id']}"),
        ("POST", f"{HOOKS}/{hook['id']}/test"),
        ("GET", f"{HOOKS}/{hook['id']}/deliveries"),
        ("GET", f"/a/v1/production/other-show/webhooks/{hook['id']}"),
        ("DELETE", f"/a/v1/production/other-show/webhooks/{hook['id']}"),
    ):
        body = {"url": receiver.url("/hook"), "events": ["build.succeeded"]}
        response = hooked.request(
            method, path, headers=other, json=body if method == "POST" else None
        )
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["success"] is False
    assert hooked.get(f"{HOOKS}/{hook['id']}").status_code == 200
    assert hooked.delete(f"{HOOKS}/{hook['id']}").status_code == 204
    assert hooked.get(f"{HOOKS}/{hook['id']}").status_code == 404
    assert hooked.get(HOOKS).json() == {"webhooks": []}
