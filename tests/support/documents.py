"""Documents as a producer writes them, for the API tests."""

from __future__ import annotations

from typing import Any


def show(name: str = "the-daily-show", **description: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "show",
        "metadata": {"name": name, "labels": {"team": "audio"}},
        "description": {
            "title": "The Daily Show",
            "summary": "A *daily* show about podcasts.",
            "categories": [{"category": "Technology"}],
            "language": "en-us",
            "owner": {"name": "Jane", "email": "jane@example.com"},
            **description,
        },
        "image": {"rel": "external", "url": "https://cdn.example.com/the-daily-show.jpg"},
    }


def episode(
    name: str, *, date: int | None = None, labels: dict[str, str] | None = None, **description: Any
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "labels": labels or {}}
    if date is not None:
        metadata["date"] = date
    return {
        "apiVersion": "v1",
        "kind": "episode",
        "metadata": metadata,
        "description": {"title": f"Episode {name}", "summary": "Notes.", **description},
        "enclosure": {
            "rel": "external",
            "url": f"https://cdn.example.com/{name}.mp3",
            "type": "audio/mpeg",
            "length": 1000,
        },
    }
