"""Rules shared by the show's and the episodes' checks: URLs, text, artwork, people.

Every message reads `<subject>: the <field> <problem>.`, where the subject says which show or
episode it is about, so a producer can act on it without reading the path.
"""

from __future__ import annotations

from feeds._findings import Code, Findings
from feeds._taxonomy import DEFAULT_GROUP, DEFAULT_ROLE, roles_by_group
from feeds._text import has_unwritable_chars
from feeds._values import artwork_problems, url_problem
from feeds.model import Image, Person

__all__ = ["check_artwork", "check_length", "check_persons", "check_text", "check_url"]

# Podcast Index: "please do not exceed 128 characters" for names and labels.
PODCAST_INDEX_LABEL_MAX = 128


def check_url(findings: Findings, path: str, subject: str, label: str, url: str) -> None:
    """A URL in the feed must be absolute http(s) and ASCII: an error otherwise."""
    problem = url_problem(url)
    if problem is not None:
        code, what = problem
        findings.error(code, path, f"{subject}: the {label} {what}.")


def check_text(findings: Findings, path: str, subject: str, label: str, text: str) -> None:
    """Characters XML cannot carry are dropped from the feed: say so."""
    if has_unwritable_chars(text):
        findings.warning(
            Code.UNWRITABLE_TEXT,
            path,
            f"{subject}: the {label} contains control characters that a feed cannot carry; "
            "they are left out of the feed.",
        )


def check_length(
    findings: Findings, path: str, subject: str, label: str, text: str, limit: int
) -> None:
    """Text longer than `limit` characters is cut by podcast apps: a warning."""
    if len(text) > limit:
        findings.warning(
            Code.TOO_LONG,
            path,
            f"{subject}: the {label} is {len(text)} characters long; podcast apps may cut it "
            f"after {limit}.",
        )


def check_artwork(findings: Findings, path: str, subject: str, image: Image) -> None:
    """A bad artwork URL is an error; the wrong format or size, a warning."""
    check_url(findings, f"{path}.url", subject, "artwork URL", image.url)
    for code, what in artwork_problems(image):
        field = f"{path}.url" if code is Code.ARTWORK_FORMAT else path
        findings.warning(
            code, field, f"{subject}: the artwork {what} (Apple Podcasts' requirement)."
        )


def check_persons(findings: Findings, path: str, subject: str, persons: tuple[Person, ...]) -> None:
    """`podcast:person`: a name is required; its links must be good URLs."""
    for index, person in enumerate(persons):
        here = f"{path}[{index}]"
        if not person.name.strip():
            findings.error(Code.MISSING, f"{here}.name", f"{subject}: person {index} has no name.")
        check_length(
            findings, f"{here}.name", subject, "person's name", person.name, PODCAST_INDEX_LABEL_MAX
        )
        check_text(findings, f"{here}.name", subject, "person's name", person.name)
        if person.href:
            check_url(findings, f"{here}.href", subject, "person's link", person.href)
        if person.img:
            check_url(findings, f"{here}.img", subject, "person's picture URL", person.img)
        _check_taxonomy(findings, here, subject, person)


def _check_taxonomy(findings: Findings, path: str, subject: str, person: Person) -> None:
    """Role and group from the Podcast Taxonomy Project (any case): apps read any other
    role as "host" and any other group as "cast", silently."""
    groups = roles_by_group()
    group = (person.group or DEFAULT_GROUP).lower()
    roles = groups.get(group)
    if roles is None:
        findings.warning(
            Code.UNKNOWN_PERSON_ROLE,
            f"{path}.group",
            f"{subject}: {person.name}'s group {person.group!r} is not in the Podcast "
            f"Taxonomy ({', '.join(sorted(groups))}); apps will show the group as cast.",
        )
        return
    role = (person.role or DEFAULT_ROLE).lower()
    if role not in roles:
        findings.warning(
            Code.UNKNOWN_PERSON_ROLE,
            f"{path}.role",
            f"{subject}: {person.name}'s role {role!r} is not one of the {group} group's in "
            f"the Podcast Taxonomy ({', '.join(sorted(roles))}); apps will show it as host.",
        )
