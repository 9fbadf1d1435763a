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


@main.command()
@click.pass_obj
def productions(client: Client) -> None:
    """List your productions."""
    _show(client, "GET", "/a/v1/productions")


@main.command("create")
@click.argument("name")
@click.option("--title", required=True)
@click.option("--summary")
@click.pass_obj
def create_production(client: Client, name: str, title: str, summary: str | None) -> None:
    """Create a production NAME."""
    body = {"name": name, "title": title, **({"summary": summary} if summary else {})}
    _show(client, "POST", "/a/v1/production", json=body)


@main.command()
@click.argument("production")
@click.argument("kind", default="all")
@click.argument("name", required=False)
@click.pass_obj
def get(client: Client, production: str, kind: str, name: str | None) -> None:
    """Show a resource, or list a production's resources of KIND (default: all)."""
    path = f"/a/v1/resource/{production}/{kind}" + (f"/{name}" if name else "")
    _show(client, "GET", path)


@main.command()
@click.argument("production")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.pass_obj
def apply(client: Client, production: str, files: tuple[Path, ...]) -> None:
    """Create or replace resources from YAML (or JSON) documents."""
    import yaml

    for path in files:
        try:
            document = yaml.safe_load(path.read_text())
            kind, name = document["kind"], document["metadata"]["name"]
        except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
            raise click.ClickException(f"{path}: not a resource document ({error})") from None
        url = f"/a/v1/resource/{production}/{kind}/{name}"
        headers = {"Content-Type": "application/yaml"}
        try:
            client.request("POST", url, content=path.read_bytes(), headers=headers)
            click.echo(f"created {kind} {name}")
        except ApiError as error:
            if error.status != 409 or error.code == "podops.resource.show_exists":
                raise click.ClickException(f"{path}: {error}") from None
            try:
                client.request("PUT", url, content=path.read_bytes(), headers=headers)
            except ApiError as again:
                raise click.ClickException(f"{path}: {again}") from None
            click.echo(f"updated {kind} {name}")


@main.command()
@click.argument("production")
@click.argument("kind")
@click.argument("name")
@click.pass_obj
def delete(client: Client, production: str, kind: str, name: str) -> None:
    """Delete a resource."""
    _show(client, "DELETE", f"/a/v1/resource/{production}/{kind}/{name}")
    click.echo(f"deleted {kind} {name}")


def _wait(client: Client, operation: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Poll an operation until it ends (or `timeout` passes), showing progress on stderr."""
    import time

    deadline = time.monotonic() + timeout
    while operation["status"] == "Busy" and time.monotonic() < deadline:
        click.echo(busy_line(operation), err=True)
        time.sleep(1)
        operation = client.request("GET", f"/a/v1/operations/{operation['id']}")
    return operation


def busy_line(operation: dict[str, Any]) -> str:
    """What a Busy operation is doing, with its progress when its worker has told any."""
    line = f"… {operation['kind']} {operation['id']} is busy"
    progress = operation.get("progress")
    if not progress:
        return line
    done, total = progress["done"], progress["total"]
    line += f": {progress['stage']} {_megabytes(done)}"
    if total:
        line += f" of {_megabytes(total)} ({100 * done // total}%)"
    return line


def _megabytes(count: int) -> str:
    return f"{count / 1_000_000:,.1f} MB"


@main.command()
@click.argument("production")
@click.option("--validate", is_flag=True, help="Check everything, publish nothing.")
@click.option("--force", is_flag=True, help="Allow dropping or changing published episodes.")
@click.option("--wait/--no-wait", default=True, show_default=True, help="Wait for the result.")
@click.option("--timeout", default=600.0, show_default=True)
@click.pass_obj
def build(
    client: Client, production: str, validate: bool, force: bool, wait: bool, timeout: float
) -> None:
    """Build (and publish) a production's feed."""
    query = "?validate=true" if validate else ""
    try:
        operation = client.request(
            "POST", f"/a/v1/build{query}", json={"guid": production, "force": force}
        )
        if wait:
            operation = _wait(client, operation, timeout)
    except ApiError as error:
        raise click.ClickException(str(error)) from None
    click.echo(json.dumps(operation, indent=2))
    if operation["status"] == "Failed":
        raise SystemExit(1)


@main.command()
@click.argument("production")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", help="The asset's name (default: from the file name).")
@click.option("--artwork", is_flag=True, help="Check it as show or episode artwork.")
@click.pass_obj
def upload(client: Client, production: str, file: Path, name: str | None, artwork: bool) -> None:
    """Upload a media file (streamed, never read whole into memory)."""
    params = {"filename": file.name, **({"name": name} if name else {})}
    if artwork:
        params["role"] = "artwork"
    with file.open("rb") as body:
        _show(
            client,
            "POST",
            f"/a/v1/upload/{production}",
            params=params,
            content=body,
            headers={"Content-Type": "application/octet-stream"},
        )


@main.command("import")
@click.argument("production")
@click.argument("url")
@click.option("--name", help="The asset's name.")
@click.option("--wait/--no-wait", default=True, show_default=True)
@click.pass_obj
def import_asset(client: Client, production: str, url: str, name: str | None, wait: bool) -> None:
    """Import a media file from a URL into a production."""
    try:
        operation = client.request(
            "POST",
            "/a/v1/import/asset",
            json={"production": production, "url": url, **({"name": name} if name else {})},
        )
        if wait:
            operation = _wait(client, operation, 3600)
    except ApiError as error:
        raise click.ClickException(str(error)) from None
    click.echo(json.dumps(operation, indent=2))
    if operation["status"] == "Failed":
        raise SystemExit(1)


if __name__ == "__main__":  # `python -m podops.client.cli`, as benchmarks/po_startup.py runs it
    main()
