"""`po webhooks`: the endpoints a production's events are sent to, and what was sent.

An endpoint's signing secret is printed once, by `create`; `deliveries` is its log, each
message with its attempts; `test` sends it a `webhook.test` event and waits for the answer.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import click

from podops.client.operations import finish, start_and_wait
from podops.client.output import when
from podops.client.state import State, call, output_options, pass_state

COLUMNS = [
    ("ID", "id"),
    ("URL", "url"),
    ("EVENTS", "events"),
    ("ACTIVE", "active"),
    ("CREATED", "created"),
]
DELIVERY_COLUMNS = [
    ("ID", "id"),
    ("EVENT", "event"),
    ("STATUS", "status"),
    ("ATTEMPTS", "attempts"),
    ("LAST ANSWER", "last"),
    ("CREATED", "created"),
]
ONCE = "keep the secret: it verifies the signatures, and podops does not show it again"


def _path(production: str, *rest: str) -> str:
    parts = "".join(f"/{quote(part, safe='')}" for part in rest)
    return f"/a/v1/production/{quote(production, safe='')}/webhooks{parts}"


def _last_answer(attempts: list[dict[str, Any]]) -> str:
    if not attempts:
        return ""
    last = attempts[-1]
    return str(last.get("status_code") or last.get("error") or "")


@click.group()
def webhooks() -> None:
    """Webhooks: a production's events, signed, sent to your endpoints."""


@webhooks.command("list")
@click.argument("production")
@output_options
@pass_state
def list_webhooks(state: State, production: str) -> None:
    """List the webhooks of PRODUCTION."""
    body = call(state, "GET", _path(production))
    rows = body["webhooks"]
    state.output.show(
        body,
        rows=[{**row, "created": when(row["created"])} for row in rows],
        columns=COLUMNS,
        ids=[row["id"] for row in rows],
    )


@webhooks.command("create")
@click.argument("production")
@click.argument("url")
@click.option(
    "--event",
    "events",
    multiple=True,
    required=True,
    help="An event to send: build.succeeded, build.failed, episode.published, "
    "import.finished or asset.created (repeat for several).",
)
@click.option("--inactive", is_flag=True, help="Create it switched off.")
@output_options
@pass_state
def create_webhook(
    state: State, production: str, url: str, events: tuple[str, ...], inactive: bool
) -> None:
    """Send PRODUCTION's events to URL; prints its signing secret, this once."""
    body = {"url": url, "events": list(events), "active": not inactive}
    created = call(state, "POST", _path(production), json=body)
    state.output.show(
        created, fields={**created, "created": when(created["created"])}, ids=[created["id"]]
    )
    state.output.say(ONCE)


@webhooks.command("delete")
@click.argument("production")
@click.argument("webhook")
@output_options
@pass_state
def delete_webhook(state: State, production: str, webhook: str) -> None:
    """Delete WEBHOOK and its delivery log."""
    call(state, "DELETE", _path(production, webhook))
    state.output.say(f"deleted {webhook}")


@webhooks.command("deliveries")
@click.argument("production")
@click.argument("webhook")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@output_options
@pass_state
def list_deliveries(state: State, production: str, webhook: str, limit: int) -> None:
    """What was sent to WEBHOOK, newest first, and how each attempt was answered."""
    body = call(state, "GET", _path(production, webhook, "deliveries"), params={"limit": limit})
    rows = body["deliveries"]
    shown = [
        {
            **row,
            "attempts": len(row["attempts"]),
            "last": _last_answer(row["attempts"]),
            "created": when(row["created"]),
        }
        for row in rows
    ]
    state.output.show(body, rows=shown, columns=DELIVERY_COLUMNS, ids=[row["id"] for row in rows])


@webhooks.command("test")
@click.argument("production")
@click.argument("webhook")
@click.option("--wait/--no-wait", default=True, show_default=True, help="Wait for the answer.")
@click.option("--timeout", default=120.0, show_default=True)
@output_options
@pass_state
def test_webhook(state: State, production: str, webhook: str, wait: bool, timeout: float) -> None:
    """Send WEBHOOK a `webhook.test` event; fails when the endpoint does not take it."""
    path = _path(production, webhook, "test")
    finish(state, start_and_wait(state, path, {}, wait=wait, timeout=timeout))


COMMANDS = [webhooks]
