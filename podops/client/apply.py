"""Podcast as code: `po apply` and `po diff` of document files against a production.

The production's resources are read in pages of 500 (a few requests, whatever the number of
documents), compared with the files, and only what differs is sent: POST for a new resource
(with an Idempotency-Key, so a retry never makes two), PUT for a changed one. Rate limits are
waited out (the client retries 429 after Retry-After), so a back catalogue applies in one run.
A document the API refuses does not stop the others; every refusal is reported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from podops.client.api import ApiError, Client
from podops.client.documents import Document, Step, load_documents, plan
from podops.client.output import Output
from podops.client.state import State, error_message, fail, output_options, pass_state

PAGE_SIZE = 500
SYMBOLS = {"create": "+", "update": "~", "unchanged": "="}
DOCUMENT_TYPE = {"Content-Type": "application/yaml"}


def _paths_arguments(command: Any) -> Any:
    command = click.option(
        "-f",
        "--filename",
        "filenames",
        multiple=True,
        type=click.Path(exists=True, path_type=Path),
        help="A document file or directory (read recursively); may repeat.",
    )(command)
    return click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))(command)


@click.command()
@click.argument("production")
@_paths_arguments
@click.option(
    "--dry-run", is_flag=True, help="Show what would change, field by field; send nothing."
)
@click.option("--force", is_flag=True, help="Send every document, even those unchanged.")
@output_options
@pass_state
def apply(
    state: State,
    production: str,
    paths: tuple[Path, ...],
    filenames: tuple[Path, ...],
    dry_run: bool,
    force: bool,
) -> None:
    """Create or update a production's resources from YAML (or JSON) documents.

    PATHS (or -f) are files or directories. Prints what each document did: created, updated
    or unchanged; with --dry-run, what would change.
    """
    client = state.client()
    steps = _plan(client, production, [*paths, *filenames])
    if force:
        steps = [
            Step(s.document, "update", s.changes) if s.action == "unchanged" else s for s in steps
        ]
    if dry_run:
        _show_plan(state.output, steps, dry_run=True)
        return
    results, failures = [], 0
    for step in steps:
        try:
            done = _apply_step(client, production, step)
        except ApiError as error:
            failures += 1
            click.echo(error_message(error, step.document.source), err=True)
            results.append({**step.to_json(), "action": "failed", "error": str(error)})
            continue
        results.append({**step.to_json(), "action": done})
        if state.output.format == "table":
            state.output.say(f"{done} {step.document.kind} {step.document.name}")
    if state.output.quiet or state.output.format != "table":
        changed = [r["name"] for r in results if r["action"] in ("created", "updated")]
        state.output.show(results, ids=changed)
    if failures:
        raise click.ClickException(f"{failures} of {len(steps)} documents failed")


@click.command()
@click.argument("production")
@_paths_arguments
@output_options
@pass_state
def diff(
    state: State, production: str, paths: tuple[Path, ...], filenames: tuple[Path, ...]
) -> None:
    """Show what `po apply` would change, field by field; exit 1 when anything would."""
    steps = _plan(state.client(), production, [*paths, *filenames])
    _show_plan(state.output, steps, dry_run=False)
    if any(step.action != "unchanged" for step in steps):
        raise SystemExit(1)


def _plan(client: Client, production: str, paths: list[Path]) -> list[Step]:
    if not paths:
        raise click.UsageError("name document files or directories (PATHS or -f)")
    documents, problems = load_documents(paths)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} unusable file(s) or document(s); nothing sent")
    if not documents:
        raise click.ClickException("no documents found")
    try:
        current = _current(client, production)
    except ApiError as error:
        raise fail(error) from None
    return plan(documents, current)


def _current(client: Client, production: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Every resource of `production`, by kind and name."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    cursor: str | None = None
    while True:
        params = {"limit": str(PAGE_SIZE), **({"cursor": cursor} if cursor else {})}
        page = client.request("GET", f"/a/v1/resource/{production}/all", params=params)
        for resource in page["resources"]:
            found[(resource["kind"], resource["metadata"]["name"])] = resource
        cursor = page.get("next_cursor")
        if not cursor:
            return found


def _apply_step(client: Client, production: str, step: Step) -> str:
    document = step.document
    if step.action == "unchanged":
        return "unchanged"
    url = f"/a/v1/resource/{production}/{document.kind}/{document.name}"
    body = _yaml(document)
    if step.action == "update":
        _write(client, "PUT", url, body, document.source)
        return "updated"
    try:
        _write(client, "POST", url, body, document.source)
    except ApiError as error:
        # Made meanwhile by someone else: replace it (a second show is a real error).
        if error.status != 409 or error.code == "podops.resource.show_exists":
            raise
        _write(client, "PUT", url, body, document.source)
        return "updated"
    return "created"


def _write(client: Client, method: str, url: str, body: bytes, source: str) -> None:
    """Send the document; tell what a build would find in it, as the server warned."""
    _, warnings = client.write(method, url, content=body, headers=DOCUMENT_TYPE)
    for text in warnings:
        click.echo(f"{source}: {text}", err=True)


def _yaml(document: Document) -> bytes:
    import yaml

    class _Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True  # the API takes no aliases: write shared parts out in full

    text = yaml.dump(document.data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
    return text.encode()


def _show_plan(output: Output, steps: list[Step], *, dry_run: bool) -> None:
    if output.format != "table" or output.quiet:
        output.show(
            [step.to_json() for step in steps],
            ids=[s.document.name for s in steps if s.action != "unchanged"],
        )
        return
    for step in steps:
        document = step.document
        click.echo(
            f"{SYMBOLS[step.action]} {step.action} {document.kind} {document.name} "
            f"({document.source})"
        )
        for change in step.changes:
            click.echo(f"    {change.field}: {_short(change.before)} → {_short(change.after)}")
    counts = {action: sum(s.action == action for s in steps) for action in SYMBOLS}
    summary = (
        f"{counts['create']} to create, {counts['update']} to update, "
        f"{counts['unchanged']} unchanged"
    )
    click.echo(summary + (" (dry run: nothing sent)" if dry_run else ""))


def _short(value: Any) -> str:
    import json

    text = "(none)" if value is None else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "…"


COMMANDS = [apply, diff]
