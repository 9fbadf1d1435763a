"""What a build would say of a show or episode document just written, told at write time.

A write that the schema accepts may still leave a show that does not build (an episode whose
asset has no media yet, a show without its artwork) or builds with lint warnings (no
duration, a type Apple does not play). The producer hears of it in the write's answer, not
at the next build: `findings` maps and lints the written document and only what it depends
on — the show (an episode's findings depend on its type), and the assets they name — never
the production's other episodes, so a write to a show of 10,000 episodes costs a write.

What it cannot tell without the other episodes — two episodes sharing a GUID or a media URL
— the build still tells. An external enclosure the build will probe for its length or type
is not a finding. `warning_header` puts the findings in an HTTP `Warning` header (code 199,
"miscellaneous"), since the answer's body is the document as stored, which clients send
back as it is.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

import feeds
from podops.models import Production, Resource
from podops.names import Kind
from podops.publish.mapping import Mapped, Problem, map_production

__all__ = [
    "MAX_WARNINGS",
    "WriteFinding",
    "findings",
    "findings_of_many",
    "warning_header",
    "warning_headers",
    "warning_texts",
]

# A header is no report: past these, one more says how many were left out.
MAX_WARNINGS = 20
# What the build's probe fills in: not a finding of an enclosure it will probe.
_PROBED_CODE_NAMES = frozenset(
    str(code) for code in (feeds.Code.ENCLOSURE_LENGTH, feeds.Code.ENCLOSURE_TYPE)
)
# A mapped episode's path: its index, then the rest (`episodes[12].enclosure.url`).
_EPISODE_PATH = re.compile(r"episodes\[(?P<index>\d+)\](?P<rest>.*)", re.DOTALL)


@dataclass(frozen=True)
class WriteFinding:
    """One thing the build would say: `error` stops it, `warning` goes with its result."""

    severity: str
    code: str
    path: str
    message: str


def findings(
    session: Session, production: Production, resource: Resource, *, base_url: str, now: int
) -> list[WriteFinding]:
    """What a build of `production` would find in the show or episode `resource`, as it
    stands; nothing for an asset."""
    if resource.kind == Kind.SHOW.value:
        return _show_findings(session, production, resource, base_url=base_url, now=now)
    if resource.kind == Kind.EPISODE.value:
        show = _show(session, production)
        documents = [resource.document] + ([show.document] if show is not None else [])
        assets = _assets(session, production, documents)
        [found] = _episode_findings(
            production, [resource], show, assets, base_url=base_url, now=now
        )
        return found
    return []


def findings_of_many(
    session: Session, production: Production, resources: list[Resource], *, base_url: str
) -> list[list[WriteFinding]]:
    """`findings` of each of `resources` (a bulk write's), in order: the show and the assets
    they name read once for all of them, not once each."""
    now = _now()
    show = _show(session, production)
    episodes = [resource for resource in resources if resource.kind == Kind.EPISODE.value]
    documents = [episode.document for episode in episodes]
    assets = _assets(session, production, documents + ([show.document] if show else []))
    of_episodes = iter(
        _episode_findings(production, episodes, show, assets, base_url=base_url, now=now)
    )
    return [
        next(of_episodes)
        if resource.kind == Kind.EPISODE.value
        else findings(session, production, resource, base_url=base_url, now=now)
        for resource in resources
    ]


def warning_headers(
    session: Session, production: Production, resource: Resource, *, base_url: str
) -> dict[str, str]:
    """The headers a write of `resource` answers with: `Warning` when a build would find
    anything in it now, else none."""
    value = warning_header(findings(session, production, resource, base_url=base_url, now=_now()))
    return {"Warning": value} if value is not None else {}


def _now() -> int:
    return int(time.time())


def warning_header(found: list[WriteFinding]) -> str | None:
    """`found` as the value of a `Warning` header (RFC 7234: `199 podops "text"`, comma
    separated); None when there is nothing to say. ASCII only, as headers must be."""
    if not found:
        return None
    return ", ".join(f'199 podops "{_quoted(text)}"' for text in warning_texts(found))


def warning_texts(found: list[WriteFinding]) -> list[str]:
    """`found` as the texts a write warns with (the `Warning` header's, a bulk result's), at
    most MAX_WARNINGS of them."""
    texts = [f"{item.severity} {item.code} at {item.path}: {item.message}" for item in found]
    if len(texts) > MAX_WARNINGS:
        left_out = len(texts) - MAX_WARNINGS + 1
        texts = [*texts[: MAX_WARNINGS - 1], f"and {left_out} more: build with ?validate=true"]
    return texts


def _quoted(text: str) -> str:
    ascii_text = text.encode("ascii", "backslashreplace").decode("ascii")
    printable = "".join(char if char.isprintable() else " " for char in ascii_text)
    return printable.replace("\\", "\\\\").replace('"', '\\"')


def _show_findings(
    session: Session, production: Production, show: Resource, *, base_url: str, now: int
) -> list[WriteFinding]:
    assets = _assets(session, production, [show.document])
    mapped = map_production(production, show, [], assets, base_url=base_url)
    found = _problems(mapped)
    if mapped.show is None:
        return found
    report = feeds.lint(mapped.show, [], now=now)
    # With no episodes given, lint says the feed would have none: true only if so.
    has_episodes = session.scalar(
        select(
            exists().where(
                Resource.production_guid == production.guid,
                Resource.kind == Kind.EPISODE.value,
            )
        )
    )
    return found + [
        finding
        for finding in _lint(report)
        if not (has_episodes and finding.code == str(feeds.Code.NO_EPISODES))
    ]


def _show(session: Session, production: Production) -> Resource | None:
    return session.scalars(
        select(Resource).where(
            Resource.production_guid == production.guid, Resource.kind == Kind.SHOW.value
        )
    ).first()


def _episode_findings(
    production: Production,
    episodes: list[Resource],
    show: Resource | None,
    assets: dict[str, dict[str, Any]],
    *,
    base_url: str,
    now: int,
) -> list[list[WriteFinding]]:
    """What a build would find in each of `episodes`, each as if it alone were written: its
    own findings only (the show's are told when the show is written). The show is mapped and
    checked once for all of them."""
    mapped = map_production(production, show, episodes, assets, base_url=base_url)
    if mapped.show is None:
        return [_problems(mapped) for _ in episodes]
    own: list[list[WriteFinding]] = [[] for _ in episodes]
    for index, finding in _episodes_own(_as_errors(mapped.problems)):
        own[index].append(finding)
    probed = {item.path for item in mapped.unprobed}
    reports = feeds.lint_each(mapped.show, mapped.episodes, now=now)
    for index, report in enumerate(reports):
        # Each report's paths are its episode's as the only one (`episodes[0]…`).
        where = f"episodes[{index}]"
        own[index].extend(
            _episode_path(finding)
            for finding in _lint(report)
            if finding.path.startswith("episodes[0]")
            and not (
                finding.code in _PROBED_CODE_NAMES
                and where + finding.path.removeprefix("episodes[0]").rsplit(".", 1)[0] in probed
            )
        )
    return own


def _episodes_own(found: list[WriteFinding]) -> Iterator[tuple[int, WriteFinding]]:
    """The findings at an episode's paths (`episodes[3].enclosure`), each with the episode's
    index and its path as the written episode's own (`episode.enclosure`)."""
    for finding in found:
        match = _EPISODE_PATH.match(finding.path)
        if match is not None:
            path = "episode" + match["rest"]
            yield (
                int(match["index"]),
                WriteFinding(finding.severity, finding.code, path, finding.message),
            )


def _episode_path(finding: WriteFinding) -> WriteFinding:
    """Paths as the written episode's own: `episode.enclosure`, not `episodes[0].enclosure`."""
    path = "episode" + finding.path.removeprefix("episodes[0]")
    return WriteFinding(finding.severity, finding.code, path, finding.message)


def _problems(mapped: Mapped) -> list[WriteFinding]:
    return _as_errors(mapped.problems)


def _as_errors(problems: list[Problem]) -> list[WriteFinding]:
    return [WriteFinding("error", item.code, item.path, item.message) for item in problems]


def _lint(report: feeds.LintReport) -> list[WriteFinding]:
    return [
        WriteFinding(severity, str(item.code), item.path, item.message)
        for severity, items in (("error", report.errors), ("warning", report.warnings))
        for item in items
    ]


def _assets(
    session: Session, production: Production, documents: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The assets `documents` name (by `{"rel": "asset", "name": …}` anywhere in them)."""
    names = {name for document in documents for name in _asset_names(document)}
    if not names:
        return {}
    rows = session.execute(
        select(Resource.name, Resource.document).where(
            Resource.production_guid == production.guid,
            Resource.kind == Kind.ASSET.value,
            Resource.name.in_(names),
        )
    )
    return {name: document for name, document in rows}


def _asset_names(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if value.get("rel") == "asset" and isinstance(value.get("name"), str):
            yield value["name"]
        for item in value.values():
            yield from _asset_names(item)
    elif isinstance(value, list):
        for item in value:
            yield from _asset_names(item)
