"""PodOps' own scopes. Every route declares the one it needs."""

from __future__ import annotations

import enum


class Scope(enum.StrEnum):
    PRODUCTION_READ = "production:read"
    PRODUCTION_WRITE = "production:write"
    PRODUCTION_BUILD = "production:build"
    RESOURCE_READ = "resource:read"
    RESOURCE_WRITE = "resource:write"
    ADMIN = "api:admin"


ALL_SCOPES = frozenset(Scope)


def parse_scopes(text: str) -> frozenset[Scope]:
    """Scopes from a space- or comma-separated string; ValueError naming an unknown one."""
    names = [part for part in text.replace(",", " ").split() if part]
    unknown = [name for name in names if name not in ALL_SCOPES]
    if unknown:
        raise ValueError(f"unknown scope {unknown[0]!r}; known: {' '.join(sorted(ALL_SCOPES))}")
    return frozenset(Scope(name) for name in names)


def format_scopes(scopes: frozenset[Scope]) -> str:
    return " ".join(sorted(scopes))
