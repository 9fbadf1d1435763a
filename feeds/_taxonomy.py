"""The Podcast Taxonomy Project's roles and groups, as `podcast:person` names them.

Read from the namespace's own `taxonomy.json`, vendored unchanged in `feeds/data` (CC0; see
its README). Names compare without regard to case, as the namespace says.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

__all__ = ["DEFAULT_GROUP", "DEFAULT_ROLE", "roles_by_group"]

# What the namespace assumes when a person names no role or no group.
DEFAULT_ROLE = "host"
DEFAULT_GROUP = "cast"


@cache
def roles_by_group() -> dict[str, frozenset[str]]:
    """Each group's name in lower case → the lower-case names of its roles."""
    text = resources.files("feeds").joinpath("data/podcast-taxonomy.json").read_text("utf-8")
    groups: dict[str, set[str]] = {}
    for entry in json.loads(text):
        groups.setdefault(entry["group"].lower(), set()).add(entry["role"].lower())
    return {group: frozenset(roles) for group, roles in groups.items()}
