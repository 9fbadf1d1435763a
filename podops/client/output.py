"""How `po` prints results: a table for people (rich), JSON or YAML for scripts, or ids only.

Results go to standard output, progress and errors to standard error. JSON and YAML print
Unicode as is. rich and PyYAML are imported when something is printed, not at start-up.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import click

FORMATS = ("table", "json", "yaml")

# A table column: its heading and a dotted path into each row (`description.title`).
Column = tuple[str, str]


@dataclass
class Output:
    format: str = "table"
    quiet: bool = False

    def show(
        self,
        data: Any,
        *,
        rows: Sequence[dict[str, Any]] | None = None,
        columns: Sequence[Column] = (),
        fields: dict[str, Any] | None = None,
        ids: Sequence[str] = (),
    ) -> None:
        """Print `data`: as JSON or YAML whole; as a table of `rows` by `columns`, else a
        two-column table of `fields` (default: `data`'s); with `--quiet`, only `ids`."""
        if self.quiet:
            for identifier in ids:
                click.echo(identifier)
        elif self.format == "json":
            click.echo(to_json(data))
        elif self.format == "yaml":
            click.echo(to_yaml(data), nl=False)
        elif rows is not None:
            print_table(columns, [[cell(pick(row, path)) for _, path in columns] for row in rows])
        else:
            print_fields(fields or (data if isinstance(data, dict) else {"result": data}))

    def say(self, message: str) -> None:
        """A line for people (not printed with `--quiet`, nor when a script asked for JSON
        or YAML): on standard error then, so standard output stays parseable."""
        if self.quiet:
            return
        click.echo(message, err=self.format != "table")


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def to_yaml(data: Any) -> str:
    import yaml

    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def pick(row: dict[str, Any], path: str) -> Any:
    value: Any = row
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list) and not any(isinstance(item, dict | list) for item in value):
        return ", ".join(cell(item) for item in value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def when(timestamp: int | None) -> str:
    """Unix seconds as people read them (UTC)."""
    if timestamp is None:
        return ""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def console(*, stderr: bool = False) -> Any:
    """A rich console on the current standard output (or error): wide when it is no terminal."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    return Console(
        file=stream,
        width=None if stream.isatty() else 200,
        highlight=False,
        markup=False,
        emoji=False,
    )


def print_table(columns: Sequence[Column], rows: list[list[str]]) -> None:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for heading, _ in columns:
        table.add_column(heading, overflow="fold")
    for row in rows:
        table.add_row(*row)
    console().print(table)


def print_fields(data: dict[str, Any]) -> None:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE, show_header=False, show_edge=False, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for key, value in data.items():
        table.add_row(str(key), cell(value))
    console().print(table)
