"""Long work: `po build`, `po upload`, `po import asset|feed` (`po ops` waits on any later).

Long work answers with an operation that these commands wait on (unless `--no-wait`), telling
its progress on standard error; an operation that fails exits 1 with its error, and a hint
where the fix is a server setting. Upload progress is a bar on standard error, on a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import click

from podops.client.api import ApiError, Client
from podops.client.state import State, fail, operation_error, output_options, pass_state

POLL_SECONDS = 1.0


def wait_for(client: Client, operation: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Poll an operation until it ends (or `timeout` passes), telling progress on stderr."""
    import time

    deadline = time.monotonic() + timeout
    told = ""
    while operation["status"] == "Busy" and time.monotonic() < deadline:
        line = busy_line(operation)
        if line != told:
            click.echo(line, err=True)
            told = line
        time.sleep(POLL_SECONDS)
        operation = client.request("GET", f"/a/v1/operations/{operation['id']}")
    return operation


def busy_line(operation: dict[str, Any]) -> str:
    """What a Busy operation is doing, with its progress when its worker has told any."""
    line = f"… {operation['kind']} {operation['id']} is busy"
    progress = operation.get("progress")
    if not progress:
        return line
    done, total = progress["done"], progress["total"]
    if progress.get("unit") == "operations":
        return f"{line}: {progress['stage']} {done} of {total} done"
    line += f": {progress['stage']} {_megabytes(done)}"
    if total:
        line += f" of {_megabytes(total)} ({100 * done // total}%)"
    return line


def _megabytes(count: int) -> str:
    return f"{count / 1_000_000:,.1f} MB"


def finish(state: State, operation: dict[str, Any]) -> None:
    """Print the operation; a Failed one exits 1 with its error."""
    state.output.show(operation, ids=[operation["id"]])
    if operation["status"] == "Failed":
        raise click.ClickException(operation_error(operation))


def start_and_wait(
    state: State, path: str, body: dict[str, Any], *, wait: bool, timeout: float
) -> dict[str, Any]:
    client = state.client()
    try:
        operation: dict[str, Any] = client.request("POST", path, json=body)
        if wait:
            operation = wait_for(client, operation, timeout)
    except ApiError as error:
        raise fail(error) from None
    return operation


@click.command()
@click.argument("production")
@click.option("--validate", is_flag=True, help="Check everything, publish nothing.")
@click.option("--force", is_flag=True, help="Allow dropping or changing published episodes.")
@click.option("--wait/--no-wait", default=True, show_default=True, help="Wait for the result.")
@click.option("--timeout", default=600.0, show_default=True)
@output_options
@pass_state
def build(
    state: State, production: str, validate: bool, force: bool, wait: bool, timeout: float
) -> None:
    """Build (and publish) a production's feed."""
    query = "?validate=true" if validate else ""
    body = {"guid": production, "force": force}
    finish(state, start_and_wait(state, f"/a/v1/build{query}", body, wait=wait, timeout=timeout))


class _ImportGroup(click.Group):
    """`po import PRODUCTION URL` stays the asset import it always was (`po import asset`)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["asset", *args]
        return super().parse_args(ctx, args)


@click.group("import", cls=_ImportGroup)
def import_group() -> None:
    """Import media (`po import asset`) or a whole podcast from its feed (`po import feed`)."""


@import_group.command("asset")
@click.argument("production")
@click.argument("url")
@click.option("--name", help="The asset's name.")
@click.option("--wait/--no-wait", default=True, show_default=True)
@output_options
@pass_state
def import_asset(state: State, production: str, url: str, name: str | None, wait: bool) -> None:
    """Import a media file from a URL into a production."""
    body = {"production": production, "url": url, **({"name": name} if name else {})}
    finish(state, start_and_wait(state, "/a/v1/import/asset", body, wait=wait, timeout=3600))


@import_group.command("feed")
@click.argument("name")
@click.option("--url", help="The feed's URL.")
@click.option(
    "--file",
    "feed_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The feed as a file, instead of its URL.",
)
@click.option("--media", is_flag=True, help="Copy the media in, instead of linking to them.")
@click.option("--wait/--no-wait", default=True, show_default=True)
@click.option("--timeout", default=3600.0, show_default=True)
@output_options
@pass_state
def import_feed(
    state: State,
    name: str,
    url: str | None,
    feed_file: Path | None,
    media: bool,
    wait: bool,
    timeout: float,
) -> None:
    """Move a podcast into production NAME (made if new) from its feed: --url or --file.

    Episodes keep their GUIDs; importing again adds only new episodes. With --media, waits
    for the media imports too.
    """
    if (url is None) == (feed_file is None):
        raise click.UsageError("give the feed's --url or its --file (one of them)")
    body: dict[str, Any] = {"name": name, "import_media": media}
    if url is not None:
        body["url"] = url
    else:
        assert feed_file is not None
        try:
            body["xml"] = feed_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise click.ClickException(f"{feed_file}: cannot read: {error}") from None
    done = start_and_wait(state, "/a/v1/import/feed", body, wait=wait, timeout=timeout)
    result = done.get("result") or {}
    media_imports = result.get("media_imports") or []
    if wait and done["status"] == "Success" and media_imports:
        done = {**done, "media": _wait_all(state, media_imports, timeout)}
    finish(state, done)
    if done["status"] == "Success":
        state.output.say(
            f"{result.get('episodes_added', 0)} episodes added, "
            f"{result.get('episodes_already_there', 0)} already there, "
            f"{len(result.get('problems') or [])} problems"
        )
    failed = [m for m in done.get("media", []) if m["status"] != "Success"]
    if failed:
        raise click.ClickException("\n".join(operation_error(m) for m in failed))


def _wait_all(state: State, ids: list[str], timeout: float) -> list[dict[str, Any]]:
    client = state.client()
    ended = []
    for number, operation_id in enumerate(ids, start=1):
        click.echo(f"… media {number} of {len(ids)}", err=True)
        try:
            found = client.request("GET", f"/a/v1/operations/{operation_id}")
            ended.append(wait_for(client, found, timeout))
        except ApiError as error:
            raise fail(error) from None
    return ended


class ProgressReader:
    """A file read for upload that reports each chunk to `advance` (and its rewinds)."""

    def __init__(self, stream: IO[bytes], advance: Callable[[int], None]) -> None:
        self._stream = stream
        self._advance = advance
        self._sent = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
        self._sent += len(chunk)
        self._advance(len(chunk))
        return chunk

    def seek(self, offset: int) -> None:
        self._stream.seek(offset)
        self._advance(offset - self._sent)
        self._sent = offset

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.read(65536):
            yield chunk


@click.command()
@click.argument("production")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", help="The asset's name (default: from the file name).")
@click.option("--artwork", is_flag=True, help="Check it as show or episode artwork.")
@click.option(
    "--direct/--through-api",
    default=True,
    show_default=True,
    help="Put the file in the server's store directly when the server offers it (S3).",
)
@click.option("--timeout", default=3600.0, show_default=True, help="Wait for the asset this long.")
@output_options
@pass_state
def upload(
    state: State,
    production: str,
    file: Path,
    name: str | None,
    artwork: bool,
    direct: bool,
    timeout: float,
) -> None:
    """Upload a media file (streamed, never read whole into memory).

    Where the server keeps media in S3 the file goes straight there (in parts, several at
    once) and a worker makes the asset; elsewhere it goes through the API.
    """
    from podops.client import direct_upload

    client = state.client()
    role = "artwork" if artwork else "media"
    show_progress = sys.stderr.isatty() and not state.output.quiet
    try:
        planned = (
            direct_upload.plan(client, production, file, name=name, role=role) if direct else None
        )
        with _progress(file, enabled=show_progress) as advance:
            if planned is None:
                uploaded = _upload_through_api(client, production, file, name, role, advance)
            else:
                operation = direct_upload.send(client, planned, file, advance)
        if planned is not None:
            operation = wait_for(client, operation, timeout)
            if operation["status"] == "Busy":
                raise click.ClickException(
                    f"stored; the asset is still being made: po ops wait {operation['id']}"
                )
            if operation["status"] == "Failed":
                finish(state, operation)  # exits 1 with its error
            uploaded = operation["result"]
    except ApiError as error:
        raise fail(error, str(file)) from None
    asset = uploaded.get("asset", {})
    state.output.show(uploaded, ids=[str(asset.get("metadata", {}).get("name", ""))])


def _upload_through_api(
    client: Client,
    production: str,
    file: Path,
    name: str | None,
    role: str,
    advance: Callable[[int], None],
) -> dict[str, Any]:
    params = {"filename": file.name, **({"name": name} if name else {})}
    if role == "artwork":
        params["role"] = "artwork"
    with file.open("rb") as stream:
        uploaded: dict[str, Any] = client.request(
            "POST",
            f"/a/v1/upload/{production}",
            params=params,
            content=ProgressReader(stream, advance),
            headers={"Content-Type": "application/octet-stream"},
        )
    return uploaded


@contextmanager
def _progress(file: Path, *, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A progress bar on standard error, advanced by the bytes sent; nothing if not `enabled`."""
    if not enabled:
        yield lambda _count: None
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    from podops.client.output import console

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console(stderr=True)) as bar:
        task = bar.add_task(file.name, total=file.stat().st_size)
        yield lambda count: bar.advance(task, count)


COMMANDS = [build, import_group, upload]
