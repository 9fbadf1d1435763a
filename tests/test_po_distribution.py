"""`po subscribers` and `po webhooks` against a real uvicorn port (and, for `po webhooks
test`, a real worker and a local receiver): tables by default, -o json|yaml, -q, and every
refusal named."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from standardwebhooks import Webhook

from podops.client.cli import main as po
from podops.db import Database
from podops.settings import Settings
from tests.conftest import make_settings
from tests.support.auth import token_for
from tests.support.processes import LiveServer, WorkerProcess
from tests.support.receiver import Receiver, receiving

PROD = "distributed-show"
SCOPES = "production:read production:write resource:read resource:write"
PO_VARIABLES = ("PO_API", "PO_TOKEN", "PO_CREDENTIALS", "PO_CONTEXT")


@pytest.fixture
def settings(tmp_path: Path, database: Database, redis_url: str) -> Settings:
    # The receiver is on loopback, which the fetch rules refuse unless allowed.
    return make_settings(
        tmp_path,
        PODOPS_DATABASE_URL=database.url,
        PODOPS_BROKER_URL=redis_url,
        PODOPS_FETCH_ALLOW="127.0.0.1",
    )


@pytest.fixture(autouse=True)
def po_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PO_CONFIG", str(tmp_path / "po-config" / "config.yaml"))
    for name in PO_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def api(live_server: LiveServer) -> list[str]:
    """`po`'s options for the live server, as a producer who owns PROD."""
    context = live_server.server.config.app.state.context  # type: ignore[attr-defined]
    options = ["--api", live_server.url, "--token", token_for(context, "pro@example.com", SCOPES)]
    run([*options, "create", PROD, "--title", "Distributed"])
    return options


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as listening:
        yield listening


def run(args: list[str], code: int = 0) -> str:
    result = CliRunner().invoke(po, args, catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.stdout if code == 0 else result.stderr


def test_subscribers_are_created_listed_rotated_and_revoked(api: list[str]) -> None:
    ada = ["--name", "Ada", "--email", "ada@example.com", "--label", "gold"]
    made = json.loads(
        run([*api, "subscribers", "create", PROD, *ada, "--expires", "2030-01-01", "-o", "json"])
    )
    assert made["expires"] == 1_893_456_000
    assert made["feed_url"].endswith("/feed.xml")
    assert "/p/" in made["feed_url"]
    table = CliRunner().invoke(po, [*api, "subscribers", "create", PROD, "--name", "Bob"])
    assert table.exit_code == 0, table.output
    assert "feed_url" in table.stdout
    assert "/p/" in table.stdout
    assert "does not show it again" in table.stdout

    listed = run([*api, "subscribers", "list", PROD])
    assert "Ada" in listed
    assert "ada@example.com" in listed
    assert "2030-01-01 00:00 UTC" in listed
    assert "Bob" in listed
    ids = run([*api, "subscribers", "list", PROD, "-q"]).split()
    assert made["id"] in ids
    assert len(ids) == 2
    as_yaml = yaml.safe_load(run([*api, "subscribers", "list", PROD, "-o", "yaml"]))
    assert all(row["feed_url"] is None for row in as_yaml["subscribers"])  # never again

    rotated = json.loads(run([*api, "subscribers", "rotate", PROD, made["id"], "-o", "json"]))
    assert rotated["id"] == made["id"]
    assert rotated["feed_url"] != made["feed_url"]

    assert run([*api, "subscribers", "revoke", PROD, made["id"]]).strip() == f"revoked {made['id']}"
    after = json.loads(run([*api, "subscribers", "list", PROD, "-o", "json"]))
    revoked = {row["id"]: row["revoked"] for row in after["subscribers"]}
    assert revoked[made["id"]] is not None
    assert list(revoked.values()).count(None) == 1


def test_bad_subscriber_input_is_refused_and_changes_nothing(api: list[str]) -> None:
    create = [*api, "subscribers", "create", PROD]
    assert "--name, an --email, or both" in run(create, 2)
    assert "'tomorrow' is not a time" in run([*create, "--name", "A", "--expires", "tomorrow"], 2)
    refused = run([*create, "--email", "not-an-email"], 1)
    assert "400" in refused
    assert "email" in refused
    assert "404" in run([*api, "subscribers", "create", "no-such-production", "--name", "A"], 1)
    assert "not a subscriber id" in run([*api, "subscribers", "revoke", PROD, "nothex"], 1)
    assert "404" in run([*api, "subscribers", "rotate", PROD, "0123456789ab"], 1)
    assert run([*api, "subscribers", "list", PROD, "-q"]) == ""


def test_webhooks_are_created_tested_logged_and_deleted(
    api: list[str], receiver: Receiver, worker: WorkerProcess
) -> None:
    url = receiver.url("/hook")
    made = json.loads(
        run([*api, "webhooks", "create", PROD, url, "--event", "build.succeeded", "-o", "json"])
    )
    assert made["secret"].startswith("whsec_")
    assert made["events"] == ["build.succeeded"]
    listed = run([*api, "webhooks", "list", PROD])
    assert made["id"] in listed
    assert url in listed
    assert "secret" not in listed

    tested = json.loads(run([*api, "webhooks", "test", PROD, made["id"], "-o", "json"]))
    assert tested["status"] == "Success"
    [heard] = receiver.heard
    message = Webhook(made["secret"]).verify(heard.body, heard.headers)
    assert message["type"] == "webhook.test"
    log = run([*api, "webhooks", "deliveries", PROD, made["id"]])
    assert "webhook.test" in log
    assert "delivered" in log
    assert "204" in log
    [delivery] = json.loads(run([*api, "webhooks", "deliveries", PROD, made["id"], "-o", "json"]))[
        "deliveries"
    ]
    assert delivery["id"] == heard.headers["webhook-id"]

    receiver.answer = 410  # refused: not retried, and po says so
    failed = run([*api, "webhooks", "test", PROD, made["id"]], 1)
    assert "failed" in failed

    assert run([*api, "webhooks", "delete", PROD, made["id"]]).strip() == f"deleted {made['id']}"
    assert run([*api, "webhooks", "list", PROD, "-q"]) == ""


def test_bad_webhook_input_is_refused_and_changes_nothing(api: list[str]) -> None:
    create = [*api, "webhooks", "create", PROD]
    assert "Missing option '--event'" in run([*create, "https://hooks.example.com/x"], 2)
    bogus = run([*create, "https://hooks.example.com/x", "--event", "bogus.event"], 1)
    assert "events" in bogus
    private = run([*create, "http://10.0.0.1/hook", "--event", "build.failed"], 1)
    assert "400" in private
    assert "404" in run([*api, "webhooks", "test", PROD, "0123456789ab"], 1)
    assert "404" in run([*api, "webhooks", "deliveries", PROD, "0123456789ab"], 1)
    assert "404" in run([*api, "webhooks", "delete", PROD, "0123456789ab"], 1)
    assert run([*api, "webhooks", "list", PROD, "-q"]) == ""
