"""The XML namespaces a podcast feed uses, and the Clark-notation tag names built from them."""

from __future__ import annotations

__all__ = ["ATOM", "CONTENT", "ITUNES", "PODCAST", "itunes", "podcast"]

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"


def itunes(name: str) -> str:
    """`{ITUNES}name`, as lxml spells a namespaced tag."""
    return f"{{{ITUNES}}}{name}"


def podcast(name: str) -> str:
    """`{PODCAST}name`."""
    return f"{{{PODCAST}}}{name}"
