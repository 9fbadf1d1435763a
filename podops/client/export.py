"""`po export PRODUCTION -d DIR`: a production's documents as files `po apply` takes back.

The layout is `DIR/show.yaml`, `DIR/episodes/NAME.yaml` and `DIR/assets/NAME.yaml`, one
document a file, so a catalogue diffs and merges like code. What only the server may set is
left out — GUIDs, an episode's parent, an imported episode's `feed_guid`, the show's
`podcast_guid`, an asset's whole description (what upload and probing found) — so `po apply
-f DIR` sends nothing to the production it came from (the server keeps those values when a
document leaves them out), and the files read as a producer would have written them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from podops.client.api import ApiError
from podops.client.apply import current_resources
from podops.client.state import State, fail, output_options, pass_state

# Folder of each kind under the export directory (the show is `show.yaml` at its top).
FOLDERS = {"episode": "episodes", "asset": "assets"}
# Fields the server owns, by kind, as paths into the document.
SERVER_OWNED: dict[str, tuple[tuple[str, ...], ...]] = {
    "show": (("metadata", "guid"), ("metadata", "parent"), ("description", "podcast_guid")),
    "episode": (("metadata", "guid"), ("metadata", "parent"), ("description", "feed_guid")),
    "asset": (("metadata", "guid"), ("metadata", "parent"), ("description",)),
}


def portable(document: dict[str, Any]) -> dict[str, Any]:
    """`document` as a producer's file: without the fields the server owns."""
    import copy

    kept = copy.deepcopy(document)
    for path in SERVER_OWNED.get(str(document.get("kind")), ()):
        parent: Any = kept
        for part in path[:-1]:
            parent = parent.get(part) if isinstance(parent, dict) else None
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
    return kept


def file_for(directory: Path, document: dict[str, Any]) -> Path:
    kind, name = str(document["kind"]), str(document["metadata"]["name"])
    if kind == "show":
        return directory / "show.yaml"
    return directory / FOLDERS.get(kind, kind) / f"{name}.yaml"


@click.command()
@click.argument("production")
@click.option(
    "-d",
    "--directory",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the files (made if missing; files of the same names are replaced).",
)
@output_options
@pass_state
def export(state: State, production: str, directory: Path) -> None:
    """Write every document of PRODUCTION to DIR as YAML, for `po apply -f DIR`."""
    import yaml

    try:
        documents = list(current_resources(state.client(), production).values())
    except ApiError as error:
        raise fail(error) from None
    written: list[dict[str, str]] = []
    for document in documents:
        path = file_for(directory, document)
        text = yaml.safe_dump(portable(document), sort_keys=False, allow_unicode=True)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            raise click.ClickException(f"{path}: cannot write: {error}") from None
        written.append(
            {"kind": document["kind"], "name": document["metadata"]["name"], "file": str(path)}
        )
    state.output.show(
        written,
        rows=written,
        columns=[("KIND", "kind"), ("NAME", "name"), ("FILE", "file")],
        ids=[row["file"] for row in written],
    )
    state.output.say(f"wrote {len(written)} documents of {production} to {directory}")


COMMANDS = [export]
