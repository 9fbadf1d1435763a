"""Signing in: `po login`, `po logout`, `po context list|use|show`, `po whoami`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from podops.client.api import ApiError, Client
from podops.client.config import Context, context_name_for, save
from podops.client.output import when
from podops.client.state import DEFAULT_API, State, fail, output_options, pass_state


@click.command()
@click.option("--api", "api_option", help="The API to sign in to [default: --api, PO_API].")
@click.option(
    "--token", "token_option", help="The token; `-` reads it from standard input; else asked."
)
@click.option(
    "--credentials",
    "credentials_option",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A service account's credential file (its content is kept, not its path).",
)
@click.option("--name", help="The context's name [default: the API's host:port].")
@output_options
@pass_state
def login(
    state: State,
    api_option: str | None,
    token_option: str | None,
    credentials_option: Path | None,
    name: str | None,
) -> None:
    """Check a token (or service account) and keep it in a context, made the current one."""
    from podops.client.credentials import read_credentials

    api = (api_option or state.api or DEFAULT_API).rstrip("/")
    credentials: dict[str, str] | None = None
    token = token_option
    if credentials_option is not None:
        try:
            credentials = read_credentials(credentials_option)
        except (OSError, ValueError) as error:
            raise click.ClickException(f"cannot use {credentials_option}: {error}") from None
    elif token == "-":  # noqa: S105 — "-" means standard input, not a password
        token = sys.stdin.readline().strip()
    elif token is None:
        token = state.token or click.prompt(f"Token for {api}", hide_input=True, err=True)
    if credentials is None and not token:
        raise click.ClickException("no token given")
    client = Client(api, token=token if credentials is None else None, credentials=credentials)
    try:
        claims = client.request("GET", "/_a/token")
    except ApiError as error:
        raise fail(error) from None
    finally:
        client.close()
    config = state.config()
    context = Context(
        name or context_name_for(api),
        api,
        token=token if credentials is None else None,
        credentials=credentials,
    )
    config.contexts[context.name] = context
    config.current = context.name
    save(config)
    _show_identity(state, context.name, api, claims, ids=[context.name])
    state.output.say(f"logged in; context {context.name!r} kept in {config.path} (mode 0600)")


@click.command()
@click.argument("name", required=False)
@pass_state
def logout(state: State, name: str | None) -> None:
    """Forget a context and its secrets (default: the current one)."""
    config = state.config()
    context = state.context() if name is None else config.contexts.get(name)
    if context is None:
        raise click.ClickException(f"no context {name or '(current)'} in {config.path}")
    del config.contexts[context.name]
    if config.current == context.name:
        config.current = None
    save(config)
    state.output.say(f"forgot context {context.name!r}")


@click.group("context")
def context_group() -> None:
    """Named contexts: an API and how to sign in to it (see `po login`)."""


@context_group.command("list")
@output_options
@pass_state
def context_list(state: State) -> None:
    """List the contexts; * marks the current one."""
    config = state.config()
    rows = [
        {**_public(context), "current": "*" if context.name == config.current else ""}
        for context in config.contexts.values()
    ]
    state.output.show(
        [{**row, "current": row["current"] == "*"} for row in rows],
        rows=rows,
        columns=[("CURRENT", "current"), ("NAME", "name"), ("API", "api"), ("AUTH", "auth")],
        ids=[row["name"] for row in rows],
    )


@context_group.command("use")
@click.argument("name")
@pass_state
def context_use(state: State, name: str) -> None:
    """Make context NAME the current one."""
    state.context_name = name
    context = state.context()
    assert context is not None
    config = state.config()
    config.current = name
    save(config)
    state.output.say(f"using context {name!r} ({context.api})")


@context_group.command("show")
@click.argument("name", required=False)
@output_options
@pass_state
def context_show(state: State, name: str | None) -> None:
    """Show a context (default: the one in effect), its secrets left out."""
    if name is not None:
        state.context_name = name
    context = state.context()
    if context is None:
        raise click.ClickException("no current context: run `po login` or `po context use NAME`")
    shown = {**_public(context), "config": str(state.config().path)}
    state.output.show(shown, ids=[context.name])


@click.command()
@output_options
@pass_state
def whoami(state: State) -> None:
    """Show who the token in use is: its context, subject and scopes."""
    client = state.client()
    try:
        claims = client.request("GET", "/_a/token")
    except ApiError as error:
        raise fail(error) from None
    context = state.context()
    from_context = state.token is None and state.credentials is None and context is not None
    source = context.name if from_context and context is not None else "(PO_TOKEN or options)"
    _show_identity(state, source, client.api, claims, ids=[str(claims.get("sub", ""))])


def _show_identity(
    state: State, context: str, api: str, claims: dict[str, Any], *, ids: list[str]
) -> None:
    """For people: the context, subject, scopes and expiry; for scripts the claims whole."""
    fields = {
        "context": context,
        "api": api,
        "subject": claims.get("sub"),
        "scopes": str(claims.get("scope", "")).split(),
        "production": claims.get("prod"),
        "expires": when(claims.get("exp")),
        "token id": claims.get("jti"),
    }
    state.output.show({"context": context, "api": api, **claims}, fields=fields, ids=ids)


def _public(context: Context) -> dict[str, Any]:
    return {"name": context.name, "api": context.api, "auth": context.auth}


COMMANDS = [login, logout, context_group, whoami]
