"""`po ops list|show|wait`: the background operations of your productions.

`po ops list` pages through `GET /a/v1/operations` by its cursor (up to `--limit` rows, all
with `--limit 0`); `po operation ID [--wait]` stays the same as `po ops show|wait`.
"""

from __future__ import annotations

from typing import Any

import click

from podops.client.api import ApiError
from podops.client.operations import finish, wait_for
from podops.client.output import when
from podops.client.state import State, fail, output_options, pass_state

# The server's largest page.
PAGE_SIZE = 100
STATES = ("Busy", "Success", "Failed")
COLUMNS = [
    ("ID", "id"),
    ("KIND", "kind"),
    ("PRODUCTION", "production"),
    ("STATE", "status"),
    ("CREATED", "created"),
    ("FINISHED", "finished"),
]


@click.group("ops")
def ops_group() -> None:
    """Background operations: builds, imports, uploads (yours and your productions')."""


@ops_group.command("list")
@click.option("--production", help="Only this production's (name or GUID).")
@click.option("--kind", help="Only this kind (build, import_asset, import_feed, …).")
@click.option("--state", "status", type=click.Choice(STATES), help="Only those in this state.")
@click.option(
    "--limit", default=50, show_default=True, type=click.IntRange(min=0), help="0: all of them."
)
@output_options
@pass_state
def ops_list(
    state: State, production: str | None, kind: str | None, status: str | None, limit: int
) -> None:
    """List operations, newest first."""
    wanted = {
        key: value
        for key, value in (("production", production), ("kind", kind), ("state", status))
        if value is not None
    }
    found = _operations(state, wanted, limit)
    state.output.show(
        {"operations": found},
        rows=[
            {**row, "created": when(row.get("created")), "finished": when(row.get("finished"))}
            for row in found
        ],
        columns=COLUMNS,
        ids=[row["id"] for row in found],
    )


def _operations(state: State, wanted: dict[str, str], limit: int) -> list[dict[str, Any]]:
    """Up to `limit` operations (0: all), following the cursor page by page."""
    client = state.client()
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        size = PAGE_SIZE if limit == 0 else min(PAGE_SIZE, limit - len(found))
        params = {**wanted, "limit": str(size), **({"cursor": cursor} if cursor else {})}
        try:
            page = client.request("GET", "/a/v1/operations", params=params)
        except ApiError as error:
            raise fail(error) from None
        found.extend(page["operations"])
        cursor = page.get("next_cursor")
        if not cursor or (limit and len(found) >= limit):
            return found


@ops_group.command("show")
@click.argument("operation_id")
@output_options
@pass_state
def ops_show(state: State, operation_id: str) -> None:
    """Show an operation; exit 1 if it failed."""
    _show(state, operation_id, wait=False, timeout=0)


@ops_group.command("wait")
@click.argument("operation_id")
@click.option("--timeout", default=3600.0, show_default=True, help="Seconds to wait at most.")
@output_options
@pass_state
def ops_wait(state: State, operation_id: str, timeout: float) -> None:
    """Wait until an operation ends, telling its progress; exit 1 if it failed (or is still
    busy when the timeout passes)."""
    found = _show(state, operation_id, wait=True, timeout=timeout)
    if found["status"] == "Busy":
        raise click.ClickException(f"{found['kind']} {operation_id} is still busy")


@click.command("operation")
@click.argument("operation_id")
@click.option("--wait", is_flag=True, help="Wait until it ends.")
@click.option("--timeout", default=3600.0, show_default=True)
@output_options
@pass_state
def operation(state: State, operation_id: str, wait: bool, timeout: float) -> None:
    """Show a background operation (the same as `po ops show`, or `po ops wait` with --wait)."""
    _show(state, operation_id, wait=wait, timeout=timeout)


def _show(state: State, operation_id: str, *, wait: bool, timeout: float) -> dict[str, Any]:
    client = state.client()
    try:
        found: dict[str, Any] = client.request("GET", f"/a/v1/operations/{operation_id}")
        if wait:
            found = wait_for(client, found, timeout)
    except ApiError as error:
        raise fail(error) from None
    finish(state, found)
    return found


COMMANDS = [ops_group, operation]
