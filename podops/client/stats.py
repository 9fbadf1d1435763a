"""`po stats`: a production's downloads per episode, day, app or platform.

A table for people (with the total under it), the API's JSON or YAML for scripts, or its CSV
as it came (`-o csv`) for a spreadsheet.
"""

from __future__ import annotations

from typing import Any

import click

from podops.client.api import ApiError, error_of
from podops.client.output import FORMATS
from podops.client.state import State, fail, pass_state, set_format, set_quiet

GROUPINGS = ("episode", "day", "app", "platform")


@click.command()
@click.argument("production")
@click.option(
    "--from", "start", metavar="YYYY-MM-DD", help="First day (UTC) [29 days before --to]."
)
@click.option("--to", "end", metavar="YYYY-MM-DD", help="Last day (UTC) [today].")
@click.option("--by", type=click.Choice(GROUPINGS), default="episode", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Choice((*FORMATS, "csv")),
    expose_value=False,
    callback=set_format,
    help="table (default), json, yaml or csv.",
)
@click.option(
    "-q", "--quiet", is_flag=True, expose_value=False, callback=set_quiet, help="Print only keys."
)
@pass_state
def stats(state: State, production: str, start: str | None, end: str | None, by: str) -> None:
    """Downloads of PRODUCTION's episodes (IAB 2.1 counting), per episode, day, app or
    platform."""
    query: dict[str, str] = {"by": by}
    if start is not None:
        query["from"] = start
    if end is not None:
        query["to"] = end
    path = f"/a/v1/production/{production}/stats"
    try:
        if state.output.format == "csv":
            response = state.client().send("GET", path, params={**query, "format": "csv"})
            if response.is_error:
                raise error_of(response.status_code, _json_or_text(response))
            click.echo(response.text, nl=False)
            return
        body = state.client().request("GET", path, params=query)
    except ApiError as error:
        raise fail(error) from None
    rows = body["rows"]
    state.output.show(
        body,
        rows=[*rows, {"key": "total", "downloads": body["total"]}],
        columns=[(by.upper(), "key"), ("DOWNLOADS", "downloads")],
        ids=[row["key"] for row in rows],
    )
    state.output.say(f"{body['from']} to {body['to']} (UTC)")


def _json_or_text(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return {"message": response.text}


COMMANDS = [stats]
