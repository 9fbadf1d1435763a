"""A producer's resource documents as files, and what applying them would change.

Files are YAML (or JSON, which is YAML too), one or more documents each (`---` between);
directories are read recursively for `*.yaml`, `*.yml` and `*.json`. Every unreadable file and
document is reported, each naming its file, not only the first.

What changes is judged on the fields the file sets: the server fills in defaults (`type:
full`, `explicit: false`, a GUID, a date) that the file need not repeat. A field deleted from
a file is therefore not seen as a change; `po apply --force` sends every document anyway.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SUFFIXES = (".yaml", ".yml", ".json")
_MISSING = object()


@dataclass
class Document:
    """One resource document and where it came from (`show.yaml`, `all.yaml#2`)."""

    source: str
    kind: str
    name: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Change:
    """One field that differs: `before` is None for a field the server does not have."""

    field: str
    before: Any
    after: Any


@dataclass
class Step:
    """What applying `document` does: create, update (with `changes`) or nothing."""

    document: Document
    action: str  # "create" | "update" | "unchanged"
    changes: list[Change] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.document.kind,
            "name": self.document.name,
            "file": self.document.source,
            "action": self.action,
            "changes": [{"field": c.field, "from": c.before, "to": c.after} for c in self.changes],
        }


def document_files(paths: Iterable[Path]) -> list[Path]:
    """The files `paths` name, directories searched recursively, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file()))
        else:
            found.append(path)
    return found


def load_documents(paths: Iterable[Path]) -> tuple[list[Document], list[str]]:
    """Every document in `paths` (the show first), and a message for each that is unusable."""
    import yaml

    documents: list[Document] = []
    problems: list[str] = []
    for path in document_files(paths):
        try:
            with path.open(encoding="utf-8") as stream:  # a stream, so marks name the file
                loaded = [item for item in yaml.safe_load_all(stream) if item is not None]
        except yaml.MarkedYAMLError as error:
            problems.append(f"{path}: not valid YAML: {_yaml_problem(error)}")
            continue
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            problems.append(f"{path}: cannot read: {error}")
            continue
        if not loaded:
            problems.append(f"{path}: no document in it")
        for number, item in enumerate(loaded, start=1):
            source = str(path) if len(loaded) == 1 else f"{path}#{number}"
            try:
                documents.append(_document(source, item))
            except ValueError as error:
                problems.append(f"{source}: {error}")
    documents.sort(key=lambda document: document.kind != "show")
    return documents, problems


def _yaml_problem(error: Any) -> str:
    mark = error.problem_mark or error.context_mark
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"{error.problem or error.context or 'malformed'}{where}"


def _document(source: str, item: object) -> Document:
    if not isinstance(item, dict):
        raise ValueError("not a resource document (a mapping with kind and metadata.name)")
    kind, metadata = item.get("kind"), item.get("metadata")
    missing = [
        name
        for name, ok in (
            ("kind", isinstance(kind, str) and kind),
            ("metadata.name", isinstance(metadata, dict) and isinstance(metadata.get("name"), str)),
        )
        if not ok
    ]
    if missing:
        raise ValueError(f"not a resource document: no {' and no '.join(missing)}")
    assert isinstance(kind, str)
    assert isinstance(metadata, dict)
    return Document(source, kind, metadata["name"], item)


def plan(
    documents: Iterable[Document], current: dict[tuple[str, str], dict[str, Any]]
) -> list[Step]:
    """What applying `documents` over `current` (by kind and name) would do."""
    steps = []
    for document in documents:
        existing = current.get((document.kind, document.name))
        if existing is None:
            steps.append(Step(document, "create"))
            continue
        found = changes(document.data, existing)
        steps.append(Step(document, "update" if found else "unchanged", found))
    return steps


def changes(desired: Any, current: Any, prefix: str = "") -> list[Change]:
    """The fields `desired` sets to something other than `current` has, by dotted path."""
    if isinstance(desired, dict) and isinstance(current, dict):
        found = []
        for key, value in desired.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if key not in current:
                if value not in (None, [], {}):
                    found.append(Change(path, None, value))
                continue
            found.extend(changes(value, current[key], path))
        return found
    if (
        isinstance(desired, list)
        and isinstance(current, list)
        and len(desired) == len(current)
        and all(isinstance(item, dict) for item in desired)
    ):
        found = []
        for index, (want, have) in enumerate(zip(desired, current, strict=True)):
            found.extend(changes(want, have, f"{prefix}[{index}]"))
        return found
    if desired != current:
        return [Change(prefix or "(document)", current, desired)]
    return []
