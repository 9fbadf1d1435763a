"""`po`: the producer's command line client for the podops API."""

from __future__ import annotations

import json
import os

import click
import httpx

DEFAULT_API = "http://127.0.0.1:8000"


@click.group()
@click.option(
    "--api",
    envvar="PO_API",
    default=DEFAULT_API,
    show_default=True,
    help="Base URL of the podops API [PO_API].",
)
@click.pass_context
def main(ctx: click.Context, api: str) -> None:
    """po: drive a podops service from the command line."""
    ctx.obj = api.rstrip("/")


@main.command()
@click.pass_obj
def version(api: str) -> None:
    """Print the server's name and version."""
    click.echo(json.dumps(_get(api, "/"), indent=2))


@main.command()
@click.argument("operation_id")
@click.pass_obj
def operation(api: str, operation_id: str) -> None:
    """Show a background operation."""
    click.echo(json.dumps(_get(api, f"/a/v1/operations/{operation_id}"), indent=2))


def _get(api: str, path: str) -> object:
    token = os.environ.get("PO_TOKEN", "")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = httpx.get(api + path, headers=headers, timeout=10)
    except httpx.HTTPError as error:
        raise click.ClickException(f"cannot reach {api}: {error}") from None
    body = (
        response.json()
        if response.headers.get("content-type", "").startswith("application/json")
        else {"message": response.text}
    )
    if response.is_error:
        raise click.ClickException(
            f"{response.status_code} {body.get('code', '')}: {body.get('message', '')}"
        )
    return body
