"""`po`: the producer's command line client for the podops API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from podops.client.api import ApiError, Client

DEFAULT_API = "http://127.0.0.1:8000"


@click.group()
@click.option(
    "--api",
    envvar="PO_API",
    default=DEFAULT_API,
    show_default=True,
    help="Base URL of the podops API [PO_API].",
)
@click.option("--token", envvar="PO_TOKEN", help="Bearer token [PO_TOKEN].")
@click.option(
    "--credentials",
    envvar="PO_CREDENTIALS",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Service-account credential file, exchanged for a token [PO_CREDENTIALS].",
)
@click.pass_context
def main(ctx: click.Context, api: str, token: str | None, credentials: Path | None) -> None:
    """po: drive a podops service from the command line."""
    client = Client(api, token=token, credentials=credentials)
    ctx.call_on_close(client.close)
    ctx.obj = client


def _show(client: Client, method: str, path: str, **kwargs: Any) -> None:
    try:
        body = client.request(method, path, **kwargs)
    except ApiError as error:
        raise click.ClickException(str(error)) from None
    if body is not None:
        click.echo(json.dumps(body, indent=2))


@main.command()
@click.pass_obj
def version(client: Client) -> None:
    """Print the server's name and version."""
    _show(client, "GET", "/")


@main.command()
@click.pass_obj
def whoami(client: Client) -> None:
    """Show the claims of the token in use."""
    _show(client, "GET", "/_a/token")


@main.group()
def token() -> None:
    """Access tokens."""


@token.command("revoke")
@click.argument("jti")
@click.pass_obj
def token_revoke(client: Client, jti: str) -> None:
    """Revoke a token of yours by its id (jti)."""
    _show(client, "DELETE", f"/_a/token/{jti}")
    click.echo(f"revoked {jti}")


@main.command()
@click.argument("operation_id")
@click.pass_obj
def operation(client: Client, operation_id: str) -> None:
    """Show a background operation."""
    _show(client, "GET", f"/a/v1/operations/{operation_id}")
