"""What each endpoint accepts and answers, for the OpenAPI document.

Routes declare it next to their code with `@documented(...)`; `podops.api.openapi` reads it
back from the app's routes, with the scope `requires` recorded, so the document is generated
from the same models that validate requests and cannot drift from them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

Endpoint = Callable[[Request], Awaitable[Response]]
# Documents (productions, resources) may be sent as YAML too, as the `po` client keeps them.
DOCUMENT_TYPES = ("application/json", "application/yaml")


@dataclass(frozen=True)
class QueryParameter:
    name: str
    schema: dict[str, Any]
    description: str
    required: bool = False


@dataclass(frozen=True)
class ResponseHeader:
    """A header some answers carry, as OpenAPI's `responses.<status>.headers` describes it."""

    name: str
    description: str
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})


@dataclass(frozen=True)
class ApiDoc:
    summary: str
    # A pydantic model (or a TypeAdapter-able type) for the body; None: no body.
    body: Any = None
    media_types: tuple[str, ...] = ("application/json",)
    # Status → model of the body (None: no body, or the error shape for 4xx/5xx).
    responses: dict[int, Any] = field(default_factory=dict)
    query: tuple[QueryParameter, ...] = ()
    headers: tuple[QueryParameter, ...] = ()
    tag: str = "podops"
    # A body that is no model (an upload's bytes): media type → its schema, as OpenAPI says it.
    raw_body: dict[str, dict[str, Any]] | None = None
    # Status → the headers its answer may carry (each status also in `responses`).
    response_headers: dict[int, tuple[ResponseHeader, ...]] = field(default_factory=dict)


def documented(
    summary: str,
    *,
    body: Any = None,
    media_types: tuple[str, ...] = ("application/json",),
    responses: dict[int, Any] | None = None,
    query: tuple[QueryParameter, ...] = (),
    headers: tuple[QueryParameter, ...] = (),
    tag: str = "podops",
    raw_body: dict[str, dict[str, Any]] | None = None,
    response_headers: dict[int, tuple[ResponseHeader, ...]] | None = None,
) -> Callable[[Endpoint], Endpoint]:
    responses = responses or {}
    response_headers = response_headers or {}
    # A header on an answer the route does not document would vanish from the document.
    undocumented = sorted(set(response_headers) - set(responses))
    if undocumented:
        raise ValueError(f"response headers for undocumented statuses {undocumented}: {summary}")
    doc = ApiDoc(
        summary, body, media_types, responses, query, headers, tag, raw_body, response_headers
    )

    def attach(endpoint: Endpoint) -> Endpoint:
        endpoint.api_doc = doc  # type: ignore[attr-defined]
        return endpoint

    return attach


def doc_of(endpoint: object) -> ApiDoc | None:
    doc = getattr(endpoint, "api_doc", None)
    return doc if isinstance(doc, ApiDoc) else None
