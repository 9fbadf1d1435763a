"""`po token create|list|revoke`: your own access tokens.

A token you create holds at most your token's scopes (and its production, if it has one);
it is printed once, on standard output, and never again (`po token list` shows ids only).
"""

from __future__ import annotations

import re
from typing import Any

import click

from podops.client.api import ApiError
from podops.client.output import when
from podops.client.state import State, call, fail, output_options, pass_state

# `--expires-in` as a number and a unit: 90s, 30m, 8h, 30d (a bare number is seconds).
_DURATION = re.compile(r"(\d+)([smhd]?)")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
COLUMNS = [
    ("JTI", "jti"),
    ("SCOPE", "scope"),
    ("PRODUCTION", "production"),
    ("ISSUED", "issued"),
    ("EXPIRES", "expires"),
    ("REVOKED", "revoked"),
]


@click.group("token")
def token_group() -> None:
    """Your access tokens: create, list, revoke."""


def _seconds(_ctx: click.Context, _param: click.Parameter, value: str | None) -> int | None:
    if value is None:
        return None
    match = _DURATION.fullmatch(value.strip())
    if match is None:
        raise click.BadParameter("a duration such as 3600, 90m, 8h or 30d")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


@token_group.command("create")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    help="A scope the token holds (resource:read, production:build, …); may repeat.",
)
@click.option("--production", help="Restrict the token to this production.")
@click.option(
    "--expires-in",
    callback=_seconds,
    help="Its lifetime: seconds, or 90m, 8h, 30d [default: the server's, 8 hours].",
)
@click.option("--user", help="For another user (admins only).")
@output_options
@pass_state
def token_create(
    state: State,
    scopes: tuple[str, ...],
    production: str | None,
    expires_in: int | None,
    user: str | None,
) -> None:
    """Create a token with at most your own scopes; it is shown this once."""
    body: dict[str, Any] = {"scope": " ".join(part for s in scopes for part in s.split())}
    for key, value in (("production", production), ("expires_in", expires_in), ("user", user)):
        if value is not None:
            body[key] = value
    created = call(state, "POST", "/_a/token", json=body)
    claims = created.get("claims", {})
    state.output.show(
        created,
        fields={
            "token": created["token"],
            "jti": claims.get("jti"),
            "scope": claims.get("scope"),
            "production": claims.get("prod"),
            "expires": when(claims.get("exp")),
        },
        ids=[created["token"]],
    )
    state.output.say("keep the token now: it is not shown again")


@token_group.command("list")
@click.option("--user", help="Another user's tokens (admins only).")
@click.option("--all", "include_inactive", is_flag=True, help="Expired and revoked ones too.")
@output_options
@pass_state
def token_list(state: State, user: str | None, include_inactive: bool) -> None:
    """List your tokens (ids and scopes, never the tokens), newest first."""
    import time

    client = state.client()
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    try:
        while True:
            params = {
                "limit": "100",
                **({"user": user} if user else {}),
                **({"cursor": cursor} if cursor else {}),
            }
            page = client.request("GET", "/_a/tokens", params=params)
            found.extend(page["tokens"])
            cursor = page.get("next_cursor")
            if not cursor:
                break
    except ApiError as error:
        raise fail(error) from None
    now = time.time()
    if not include_inactive:
        found = [row for row in found if row["revoked"] is None and row["expires"] > now]
    state.output.show(
        {"tokens": found},
        rows=[
            {
                **row,
                "issued": when(row["issued"]),
                "expires": when(row["expires"]),
                "revoked": when(row["revoked"]),
            }
            for row in found
        ],
        columns=COLUMNS,
        ids=[row["jti"] for row in found],
    )


@token_group.command("revoke")
@click.argument("jti")
@output_options
@pass_state
def token_revoke(state: State, jti: str) -> None:
    """Revoke a token of yours by its id (jti)."""
    call(state, "DELETE", f"/_a/token/{jti}")
    state.output.say(f"revoked {jti}")


COMMANDS = [token_group]
