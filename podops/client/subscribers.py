"""`po subscribers`: the people given a production's private feed.

A subscriber's feed URL holds a secret the server keeps only a hash of, so it is printed
once, by `create` and `rotate`; `list` shows who has access and until when.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import click

from podops.client.output import when
from podops.client.state import State, call, output_options, pass_state

COLUMNS = [
    ("ID", "id"),
    ("NAME", "name"),
    ("EMAIL", "email"),
    ("LABEL", "label"),
    ("EXPIRES", "expires"),
    ("REVOKED", "revoked"),
    ("CREATED", "created"),
]
_TIMES = ("expires", "revoked", "created", "updated")
ONCE = "keep the feed URL: podops does not show it again (`po subscribers rotate` makes a new one)"


class Moment(click.ParamType[int]):
    """A point in time: Unix seconds, a date (`2027-01-31`, midnight UTC) or an ISO 8601
    date and time (UTC unless it names its offset)."""

    name = "time"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if text.isdigit():
            return int(text)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            self.fail(
                f"{value!r} is not a time: give Unix seconds, a date (2027-01-31) or a date "
                "and time (2027-01-31T18:00:00+01:00)",
                param,
                ctx,
            )
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return int(moment.timestamp())


def _path(production: str, *rest: str) -> str:
    parts = "".join(f"/{quote(part, safe='')}" for part in rest)
    return f"/a/v1/production/{quote(production, safe='')}/subscribers{parts}"


def _readable(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, **{key: when(row.get(key)) for key in _TIMES}}


def _show_one(state: State, row: dict[str, Any], *, note: str | None = None) -> None:
    fields = {key: value for key, value in _readable(row).items() if key != "activity"}
    state.output.show(row, fields=fields, ids=[row["id"]])
    if note:
        state.output.say(note)


@click.group()
def subscribers() -> None:
    """Subscribers of a production's private feed."""


@subscribers.command("list")
@click.argument("production")
@output_options
@pass_state
def list_subscribers(state: State, production: str) -> None:
    """List the subscribers of PRODUCTION, revoked ones included."""
    rows: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:  # every page: a producer asks for all of them
        query = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = call(state, "GET", _path(production), params=query)
        rows.extend(page["subscribers"])
        cursor = page.get("next_cursor")
        if not cursor:
            break
    state.output.show(
        {"subscribers": rows},
        rows=[_readable(row) for row in rows],
        columns=COLUMNS,
        ids=[row["id"] for row in rows],
    )


@subscribers.command("create")
@click.argument("production")
@click.option("--name", help="The subscriber's name.")
@click.option("--email", help="The subscriber's email.")
@click.option("--label", help="A label to group subscribers by (a plan, a campaign).")
@click.option("--expires", type=Moment(), help="When their access ends (default: never).")
@output_options
@pass_state
def create_subscriber(
    state: State,
    production: str,
    name: str | None,
    email: str | None,
    label: str | None,
    expires: int | None,
) -> None:
    """Give someone the private feed of PRODUCTION; prints their feed URL, this once."""
    if name is None and email is None:
        raise click.UsageError("give the subscriber a --name, an --email, or both")
    given = {"name": name, "email": email, "label": label, "expires": expires}
    body = {key: value for key, value in given.items() if value is not None}
    _show_one(state, call(state, "POST", _path(production), json=body), note=ONCE)


@subscribers.command("revoke")
@click.argument("production")
@click.argument("subscriber")
@output_options
@pass_state
def revoke_subscriber(state: State, production: str, subscriber: str) -> None:
    """End SUBSCRIBER's access: their feed and media URLs stop at once."""
    call(state, "DELETE", _path(production, subscriber))
    state.output.say(f"revoked {subscriber}")


@subscribers.command("rotate")
@click.argument("production")
@click.argument("subscriber")
@output_options
@pass_state
def rotate_subscriber(state: State, production: str, subscriber: str) -> None:
    """Give SUBSCRIBER a new feed URL; the old one stops at once."""
    _show_one(state, call(state, "POST", _path(production, subscriber, "rotate")), note=ONCE)


COMMANDS = [subscribers]
