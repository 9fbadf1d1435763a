"""Podcast as code: `po apply` and `po diff` of document files against a production.

The production's resources are read in pages of 500 (a few requests, whatever the number of
documents), compared with the files, and only what differs is sent — several documents at
once through the bulk endpoint (`POST /a/v1/production/{prod}/bulk`, up to 500 a request, each
request all or nothing), so a catalogue of 1,000 episodes is a handful of requests. A batch the
server refuses is sent again one document at a time (POST with an Idempotency-Key, or PUT), so
a refused document does not stop the others and every refusal is reported by its file.
`--dry-run` asks the server (`dry_run=true`): it checks every document as a write would, and
answers what would change, field by field, keeping nothing. What a build would find in a
written document (the bulk result's `warnings`, a single write's `Warning` header) is printed
with its file. `--prune` then deletes what no file names (see `pruned`), after asking.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from podops.client.api import ApiError, Client
from podops.client.documents import Change, Document, Step, load_documents, plan
from podops.client.output import Output
from podops.client.state import State, error_message, fail, output_options, pass_state

PAGE_SIZE = 500
# A bulk request: at most this many documents, and about this many bytes of JSON (the server
# takes 1,000 documents and 1 MiB bodies by default).
BULK_DOCUMENTS = 500
BULK_BYTES = 800_000
DONE = {"create": "created", "update": "updated", "unchanged": "unchanged"}
SYMBOLS = {"create": "+", "update": "~", "unchanged": "="}
# `--prune` deletes episodes first and the show last.
PRUNE_ORDER = {"episode": 0, "asset": 1, "show": 2}
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
    "--dry-run",
    is_flag=True,
    help="Have the server check every document and say what would change; keep nothing.",
)
@click.option("--force", is_flag=True, help="Send every document, even those unchanged.")
@click.option(
    "--prune",
    is_flag=True,
    help="Then delete the resources (of the kinds the files hold) that no file names.",
)
@click.option("--yes", is_flag=True, help="Prune without asking first.")
@output_options
@pass_state
def apply(
    state: State,
    production: str,
    paths: tuple[Path, ...],
    filenames: tuple[Path, ...],
    dry_run: bool,
    force: bool,
    prune: bool,
    yes: bool,
) -> None:
    """Create or update a production's resources from YAML (or JSON) documents.

    PATHS (or -f) are files or directories. Prints what each document did: created, updated
    or unchanged; with --dry-run, what would change. With --prune, then deletes what no file
    names, after listing it and asking (--yes: without asking).
    """
    client = state.client()
    steps, current = _plan(client, production, [*paths, *filenames])
    doomed = pruned(steps, current) if prune else []
    if force:
        steps = [
            Step(s.document, "update", s.changes) if s.action == "unchanged" else s for s in steps
        ]
    if dry_run:
        checked = _server_plan(client, production, steps)
        _show_plan(state.output, checked if checked is not None else steps, dry_run=True)
        for kind, name in doomed:
            click.echo(f"- delete {kind} {name}", err=True)
        return
    if doomed and not yes:
        _confirm_prune(doomed)
    done = _apply_steps(client, production, steps)
    results, failures = [], 0
    for step, (action, error) in zip(steps, done, strict=True):
        if error is not None:
            failures += 1
            click.echo(error_message(error, step.document.source), err=True)
            results.append({**step.to_json(), "action": "failed", "error": str(error)})
            continue
        results.append({**step.to_json(), "action": action})
        if state.output.format == "table":
            state.output.say(f"{action} {step.document.kind} {step.document.name}")
    if state.output.quiet or state.output.format != "table":
        changed = [r["name"] for r in results if r["action"] in ("created", "updated")]
        state.output.show(results, ids=changed)
    if failures:
        raise click.ClickException(f"{failures} of {len(steps)} documents failed")
    _prune(state, client, production, doomed)


def pruned(
    steps: list[Step], current: dict[tuple[str, str], dict[str, Any]]
) -> list[tuple[str, str]]:
    """What `--prune` deletes: the production's resources of the kinds the files hold that no
    file names (a directory of episodes alone never deletes uploaded assets), episodes
    first, the show last, so no show goes before its episodes."""
    kinds = {step.document.kind for step in steps}
    named = {(step.document.kind, step.document.name) for step in steps}
    doomed = [key for key in current if key[0] in kinds and key not in named]
    return sorted(doomed, key=lambda key: (PRUNE_ORDER.get(key[0], 1), key[1]))


def _confirm_prune(doomed: list[tuple[str, str]]) -> None:
    for kind, name in doomed:
        click.echo(f"- delete {kind} {name}", err=True)
    if not click.confirm(
        f"Delete these {len(doomed)} resources, which no file names?", default=False, err=True
    ):
        raise click.ClickException("nothing applied, nothing deleted (--yes skips this question)")


def _prune(state: State, client: Client, production: str, doomed: list[tuple[str, str]]) -> None:
    """Delete `doomed` in order; stop at the first refusal, which would leave the rest (say,
    the show of episodes not yet deleted) in place."""
    for kind, name in doomed:
        try:
            client.request("DELETE", f"/a/v1/resource/{production}/{kind}/{name}")
        except ApiError as error:
            raise fail(error, f"pruning {kind} {name}") from None
        if state.output.format == "table":
            state.output.say(f"deleted {kind} {name}")


def _apply_steps(
    client: Client, production: str, steps: list[Step]
) -> list[tuple[str, ApiError | None]]:
    """What each step did ("created", "updated", "unchanged") or the error that refused it."""
    outcome: dict[int, tuple[str, ApiError | None]] = {
        index: ("unchanged", None) for index, step in enumerate(steps) if step.action == "unchanged"
    }
    pending = [index for index, step in enumerate(steps) if step.action != "unchanged"]
    if len(pending) > 1:
        for batch in _batches(steps, pending):
            try:
                answer = _bulk(client, production, [steps[index] for index in batch])
            except ApiError as error:
                if error.status not in (400, 404, 405, 409, 413):
                    raise fail(error) from None
                continue  # sent one by one below: each refusal reported by its file
            for result in answer["results"]:
                index = batch[result["index"]]
                outcome[index] = (DONE[result["action"]], None)
                for text in result.get("warnings") or []:
                    click.echo(f"{steps[index].document.source}: {text}", err=True)
    for index in pending:
        if index in outcome:
            continue
        try:
            outcome[index] = (_apply_step(client, production, steps[index]), None)
        except ApiError as error:
            outcome[index] = ("failed", error)
    return [outcome[index] for index in range(len(steps))]


def _batches(steps: list[Step], indices: list[int]) -> list[list[int]]:
    """`indices` cut into bulk requests of at most BULK_DOCUMENTS and about BULK_BYTES."""
    import json

    batches: list[list[int]] = []
    current: list[int] = []
    size = 0
    for index in indices:
        weight = len(json.dumps(steps[index].document.data, ensure_ascii=False).encode()) + 2
        if current and (len(current) >= BULK_DOCUMENTS or size + weight > BULK_BYTES):
            batches.append(current)
            current, size = [], 0
        current.append(index)
        size += weight
    if current:
        batches.append(current)
    return batches


def _bulk(
    client: Client, production: str, steps: list[Step], *, dry_run: bool = False
) -> dict[str, Any]:
    answer: dict[str, Any] = client.request(
        "POST",
        f"/a/v1/production/{production}/bulk",
        params={"dry_run": "true"} if dry_run else None,
        json={"documents": [step.document.data for step in steps]},
    )
    return answer


def _server_plan(client: Client, production: str, steps: list[Step]) -> list[Step] | None:
    """What the server says applying `steps` would do, field by field; None when it has no
    bulk endpoint (the local plan stands). Every document it would refuse is reported."""
    show = [index for index, step in enumerate(steps) if step.document.kind == "show"]
    others = [index for index, step in enumerate(steps) if step.document.kind != "show"]
    checked: dict[int, Step] = {}
    refusals: list[str] = []
    for number, batch in enumerate(_batches(steps, others) or [[]]):
        # The show goes with every batch, so episodes find their parent even when it is new.
        sent = show + batch
        try:
            answer = _bulk(client, production, [steps[index] for index in sent], dry_run=True)
        except ApiError as error:
            if error.status in (404, 405) and error.code.startswith("podops.route."):
                return None
            if error.status != 400 or not error.errors:
                raise fail(error) from None
            refusals += [_refusal(item, steps, sent) for item in error.errors]
            continue
        for result in answer["results"]:
            index = sent[result["index"]]
            if number > 0 and index in show:
                continue
            changes = [
                Change(change["field"], change["before"], change["after"])
                for change in result["changes"]
            ]
            checked[index] = Step(steps[index].document, result["action"], changes)
    for refusal in dict.fromkeys(refusals):
        click.echo(refusal, err=True)
    if refusals:
        raise click.ClickException(
            f"the server would refuse {len(set(refusals))} problem(s); nothing was applied"
        )
    return [checked[index] for index in range(len(steps))]


def _refusal(item: dict[str, str], steps: list[Step], sent: list[int]) -> str:
    """A server's `documents.3.description.title` problem as the file that holds it says it."""
    parts = item["field"].split(".", 2)
    if len(parts) >= 2 and parts[0] == "documents" and parts[1].isdigit():
        position = int(parts[1])
        if position < len(sent):
            source = steps[sent[position]].document.source
            rest = parts[2] if len(parts) > 2 else "(document)"
            return f"{source}: {rest}: {item['message']}"
    return f"{item['field']}: {item['message']}"


@click.command()
@click.argument("production")
@_paths_arguments
@output_options
@pass_state
def diff(
    state: State, production: str, paths: tuple[Path, ...], filenames: tuple[Path, ...]
) -> None:
    """Show what `po apply` would change, field by field; exit 1 when anything would."""
    steps, _ = _plan(state.client(), production, [*paths, *filenames])
    _show_plan(state.output, steps, dry_run=False)
    if any(step.action != "unchanged" for step in steps):
        raise SystemExit(1)


def _plan(
    client: Client, production: str, paths: list[Path]
) -> tuple[list[Step], dict[tuple[str, str], dict[str, Any]]]:
    """What applying the documents in `paths` would do, and the production's resources."""
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
        current = current_resources(client, production)
    except ApiError as error:
        raise fail(error) from None
    return plan(documents, current), current


def current_resources(client: Client, production: str) -> dict[tuple[str, str], dict[str, Any]]:
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
    click.echo(summary + (" (dry run: nothing applied)" if dry_run else ""))


def _short(value: Any) -> str:
    import json

    text = "(none)" if value is None else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "…"


COMMANDS = [apply, diff]
