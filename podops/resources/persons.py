"""People credited on a show or an episode: the podcast namespace's `<podcast:person>`."""

from __future__ import annotations

from podops.resources._types import DocumentModel, ShortText
from podops.resources._web import WebUrl

MAX_PERSONS = 50


class Person(DocumentModel):
    """Someone credited, with the podcast namespace's role and group (its taxonomy's terms,
    such as role "host" or "guest" in group "cast"; feeds treat them case-insensitively, so
    podops keeps them as written)."""

    name: ShortText
    role: ShortText | None = None
    group: ShortText | None = None
    href: WebUrl | None = None
    img: WebUrl | None = None
