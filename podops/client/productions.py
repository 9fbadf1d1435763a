"""`po production delete|rename`: a production as a whole.

A delete is never implied: `po production delete NAME` asks for the name to be typed again
(`--yes` skips the question, for scripts), and the server refuses it while a feed is
published unless `--force`, and while the production's work is busy.
"""

from __future__ import annotations

import click

from podops.client.api import ApiError
from podops.client.state import State, fail, output_options, pass_state

# What to do about the server's refusals, in `po`'s words.
HINTS = {
    "podops.production.published": (
        "its feed is published, and its subscribers will get 404: add --force to delete it anyway"
    ),
    "podops.production.busy": "wait for it: `po ops list --production {name} --state Busy`",
}


@click.group("production")
def production_group() -> None:
    """A production as a whole: delete, rename (`po productions` lists them)."""


@production_group.command("delete")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask to type the name again.")
@click.option("--force", is_flag=True, help="Delete it even though its feed is published.")
@output_options
@pass_state
def production_delete(state: State, name: str, yes: bool, force: bool) -> None:
    """Delete production NAME with its resources, feeds and media: it cannot be undone."""
    if not yes:
        typed = click.prompt(
            f"This deletes production {name}, its resources, feeds and media for good.\n"
            "Type its name to confirm",
            default="",
            show_default=False,
            err=True,
        )
        if typed != name:
            raise click.ClickException(f"{typed!r} is not {name!r}: nothing was deleted")
    params = {"confirm": name, **({"force": "true"} if force else {})}
    try:
        deleted = state.client().request("DELETE", f"/a/v1/production/{name}", params=params)
    except ApiError as error:
        error.hint = error.hint or _hint(error, name)
        raise fail(error) from None
    state.output.show(deleted, ids=[deleted["name"]])
    state.output.say(
        f"deleted production {deleted['name']}: {deleted['resources']} resources, "
        f"{deleted['objects_removed']} stored objects, {deleted['tokens_revoked']} tokens revoked"
    )


@production_group.command("rename")
@click.argument("old")
@click.argument("new")
@output_options
@pass_state
def production_rename(state: State, old: str, new: str) -> None:
    """Rename production OLD to NEW: its GUID and feed URL stay; /s/OLD/ stops answering, and
    tokens restricted to OLD are revoked."""
    try:
        renamed = state.client().request(
            "POST", f"/a/v1/production/{old}/rename", json={"name": new}
        )
    except ApiError as error:
        error.hint = error.hint or _hint(error, old)
        raise fail(error) from None
    production = renamed["production"]
    state.output.show(renamed, fields=production, ids=[production["name"]])
    state.output.say(
        f"renamed {renamed['previous_name']} to {production['name']}; "
        f"{renamed['tokens_revoked']} tokens revoked"
    )


def _hint(error: ApiError, name: str) -> str | None:
    hint = HINTS.get(error.code)
    return hint.format(name=name) if hint else None


COMMANDS = [production_group]
