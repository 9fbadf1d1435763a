"""`po`: the producer's command line client for the podops API.

Exit codes: 0 done; 1 an error (the API refused, a file is unusable, an operation failed, or
`po diff` found differences); 2 a usage error.
"""

from __future__ import annotations

from pathlib import Path

import click

from podops.client import apply as apply_commands
from podops.client import export as export_commands
from podops.client import login as login_commands
from podops.client import operations as operation_commands
from podops.client import ops as ops_commands
from podops.client import productions as production_commands
from podops.client import stats as stats_commands
from podops.client import subscribers as subscriber_commands
from podops.client import tokens as token_commands
from podops.client import webhooks as webhook_commands
from podops.client.api import ApiError
from podops.client.output import FORMATS, when
from podops.client.state import DEFAULT_API, State, call, fail, output_options, pass_state

# Kept importable from here: the tests use it.
busy_line = operation_commands.busy_line


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    import podops

    click.echo(f"po {podops.__version__}")
    ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--api",
    envvar="PO_API",
    help=f"Base URL of the podops API [PO_API; else the context's; else {DEFAULT_API}].",
)
@click.option("--token", envvar="PO_TOKEN", help="Bearer token [PO_TOKEN].")
@click.option(
    "--credentials",
    envvar="PO_CREDENTIALS",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Service-account credential file, exchanged for a token [PO_CREDENTIALS].",
)
@click.option("--context", "context_name", envvar="PO_CONTEXT", help="Context [PO_CONTEXT].")
@click.option("-o", "--output", type=click.Choice(FORMATS), help="table (default), json, yaml.")
@click.option("-q", "--quiet", is_flag=True, help="Print only names or ids.")
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Print po's version and exit.",
)
@click.pass_context
def main(
    ctx: click.Context,
    api: str | None,
    token: str | None,
    credentials: Path | None,
    context_name: str | None,
    output: str | None,
    quiet: bool,
) -> None:
    """po: drive a podops service from the command line.

    Sign in once with `po login`; PO_API, PO_TOKEN and PO_CREDENTIALS override the context.
    Exit codes: 0 done, 1 failed (or `po diff` found differences), 2 bad usage.
    """
    state = ctx.ensure_object(State)
    state.api, state.token, state.credentials = api, token, credentials
    state.context_name = context_name
    if output is not None:
        state.output.format = output
    state.output.quiet = state.output.quiet or quiet


_call = call


@main.command()
@output_options
@pass_state
def version(state: State) -> None:
    """Print the server's name and version."""
    try:
        body = state.client(authenticated=False).request("GET", "/")
    except ApiError as error:
        raise fail(error) from None
    state.output.show(body, ids=[str(body.get("version", ""))])


@main.command()
@output_options
@pass_state
def productions(state: State) -> None:
    """List your productions."""
    body = _call(state, "GET", "/a/v1/productions")
    rows = body["productions"]
    state.output.show(
        body,
        rows=[{**row, "created": when(row.get("created"))} for row in rows],
        columns=[("NAME", "name"), ("GUID", "guid"), ("TITLE", "title"), ("CREATED", "created")],
        ids=[row["name"] for row in rows],
    )


@main.command("create")
@click.argument("name")
@click.option("--title", required=True)
@click.option("--summary")
@output_options
@pass_state
def create_production(state: State, name: str, title: str, summary: str | None) -> None:
    """Create a production NAME."""
    body = {"name": name, "title": title, **({"summary": summary} if summary else {})}
    created = _call(state, "POST", "/a/v1/production", json=body)
    state.output.show(created, ids=[created["name"]])


RESOURCE_COLUMNS = [
    ("KIND", "kind"),
    ("NAME", "metadata.name"),
    ("GUID", "metadata.guid"),
    ("TITLE", "description.title"),
    ("DATE", "metadata.date"),
]


@main.command()
@click.argument("production")
@click.argument("kind", default="all")
@click.argument("name", required=False)
@output_options
@pass_state
def get(state: State, production: str, kind: str, name: str | None) -> None:
    """Show a resource, or list a production's resources of KIND (default: all)."""
    path = f"/a/v1/resource/{production}/{kind}" + (f"/{name}" if name else "")
    body = _call(state, "GET", path)
    rows = body["resources"] if name is None else [body]
    shown = [
        {**row, "metadata": {**row["metadata"], "date": when(row["metadata"].get("date"))}}
        for row in rows
    ]
    state.output.show(
        body, rows=shown, columns=RESOURCE_COLUMNS, ids=[r["metadata"]["name"] for r in rows]
    )


@main.command()
@click.argument("production")
@click.argument("kind")
@click.argument("name")
@output_options
@pass_state
def delete(state: State, production: str, kind: str, name: str) -> None:
    """Delete a resource."""
    _call(state, "DELETE", f"/a/v1/resource/{production}/{kind}/{name}")
    state.output.say(f"deleted {kind} {name}")


for command in (
    *login_commands.COMMANDS,
    *apply_commands.COMMANDS,
    *operation_commands.COMMANDS,
    *ops_commands.COMMANDS,
    *token_commands.COMMANDS,
    *production_commands.COMMANDS,
    *export_commands.COMMANDS,
    *subscriber_commands.COMMANDS,
    *webhook_commands.COMMANDS,
    *stats_commands.COMMANDS,
):
    main.add_command(command)


if __name__ == "__main__":  # `python -m podops.client.cli`, as benchmarks/po_startup.py runs it
    main()
