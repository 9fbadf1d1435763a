"""Routes mounted per prefix answer exactly as the same routes listed flat."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.testclient import TestClient

from podops.api.errors import EXCEPTION_HANDLERS
from podops.api.routing import Prefix, path_for, walk


async def _answer(request: Request) -> Response:
    return PlainTextResponse(request.url.path)


async def _locate(request: Request) -> Response:
    return PlainTextResponse(path_for(request, "item", key="abc"))


def _routes() -> list[Route]:
    return [
        Route("/items", _answer, methods=["GET"]),
        Route("/item", _answer, methods=["POST"]),
        Route("/item/{key}", _answer, methods=["GET", "PUT"], name="item"),
        Route("/where", _locate, methods=["GET"]),
    ]


FLAT = [
    Route("/", _answer),
    *(
        Route("/a/v1" + route.path, route.endpoint, methods=route.methods, name=route.name)
        for route in _routes()
    ),
]
MOUNTED: list[BaseRoute] = [Route("/", _answer), Prefix("/a/v1", _routes())]


def _client(routes: Sequence[BaseRoute]) -> TestClient:
    app = Starlette(routes=list(routes), exception_handlers=EXCEPTION_HANDLERS)
    return TestClient(app, follow_redirects=False)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/a/v1/items"),
        ("GET", "/a/v1/item/abc"),
        ("PUT", "/a/v1/item/abc"),
        ("DELETE", "/a/v1/item/abc"),  # 405, naming GET and PUT
        ("GET", "/a/v1/item"),  # 405, naming POST
        ("GET", "/a/v1/items/"),  # redirect to the path without the slash
        ("GET", "/a/v1/item/abc/"),
        ("GET", "/a/v1"),  # a plain Mount would redirect to /a/v1/
        ("GET", "/a/v1/"),
        ("GET", "/a/v1/nothing"),
        ("POST", "/a/v1/nothing/"),
        ("GET", "/a/v2/items"),
        ("GET", "/a/v1/where"),
    ],
)
def test_a_prefix_answers_as_the_flat_routes(method: str, path: str) -> None:
    flat = _client(FLAT).request(method, path)
    mounted = _client(MOUNTED).request(method, path)
    assert (mounted.status_code, mounted.text) == (flat.status_code, flat.text)
    for header in ("allow", "location"):
        assert mounted.headers.get(header) == flat.headers.get(header)


def test_walk_lists_routes_with_their_full_paths() -> None:
    assert [path for path, _route in walk(MOUNTED)] == [
        "/",
        "/a/v1/items",
        "/a/v1/item",
        "/a/v1/item/{key}",
        "/a/v1/where",
    ]


def test_path_for_names_a_mounted_route() -> None:
    assert _client(MOUNTED).get("/a/v1/where").text == "/a/v1/item/abc"
