"""Which routes are public is a decision written down here, each with its reason.

Every other route must state the scope it requires with `@requires` (`requires(None)`: any
valid token), or this test fails: a new route is protected unless someone says otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from podops.api import create_app
from podops.api.auth import Requirement, requirement_of, requires
from podops.api.routing import Prefix, walk
from podops.auth import Scope
from tests.conftest import make_settings

PUBLIC = {
    "GET /": "the service's name and version: what answers here",
    "GET /healthz": "liveness, for the supervisor or load balancer, which holds no token",
    "GET /readyz": "readiness, for the supervisor or load balancer, which holds no token",
    "GET /metrics": "for Prometheus, which holds no podops token (they expire): guarded by "
    "PODOPS_METRICS_TOKEN when that is set, else kept off the public ingress",
    "GET /api-spec/v1": "the OpenAPI document: how to use the API, before one has a token",
    "GET /docs": "the same document as a page for people, before one has a token",
    "GET /_a/jwks": "the public keys that verify tokens: public by nature",
    "POST /_a/token/exchange": "the signed assertion in the body is the credential (RFC 7523)",
    "GET /m/{production}/{file}": "media for podcatchers, which send no token",
    "GET /f/{production}/feed.xml": "feeds for podcatchers, which send no token",
    "GET /f/{production}/archive/{page}.xml": "a paged feed's archive pages, which the "
    "public feed links to, for the same podcatchers",
    "GET /s/{name}/feed.xml": "a feed by production name: a redirect to the public feed",
    "GET /s/{name}/": "a show's page for listeners, who hold no token: what its public feed "
    "already says",
    "GET /f/feed.xsl": "the stylesheet a browser applies to a public feed: no data in it",
    "GET /p/{token}/feed.xml": "a subscriber's private feed: the secret in the URL is the "
    "credential, as podcatchers send no token",
    "GET /p/m/{grant}/{production}/{file}": "a private feed's media: the signed grant in the "
    "URL is the credential",
}


def endpoints(routes: Sequence[BaseRoute]) -> dict[str, Route]:
    """Every route through the mounts, once a method, as `GET /full/path` (HEAD goes with GET)."""
    return {
        f"{method} {path}": route
        for path, route in walk(routes)
        for method in sorted((route.methods or set()) - {"HEAD"})
    }


def unlisted_public(routes: Sequence[BaseRoute], public: Mapping[str, str]) -> list[str]:
    """The routes that require no scope and are not listed as public."""
    return sorted(
        name
        for name, route in endpoints(routes).items()
        if requirement_of(route.endpoint) is None and name not in public
    )


@pytest.fixture
def app_routes(tmp_path: Path) -> Iterator[list[BaseRoute]]:
    """The routes of the app as `create_app` assembles it."""
    app = create_app(make_settings(tmp_path))
    try:
        yield app.routes
    finally:
        app.state.context.close()


def test_every_route_requires_a_scope_or_is_listed_as_public(app_routes: list[BaseRoute]) -> None:
    assert unlisted_public(app_routes, PUBLIC) == []


def test_every_route_listed_as_public_exists_and_is_public(app_routes: list[BaseRoute]) -> None:
    routes = endpoints(app_routes)
    assert set(PUBLIC) <= set(routes)
    assert [name for name in PUBLIC if requirement_of(routes[name].endpoint) is not None] == []


def test_the_walk_reaches_the_mounted_routes_and_their_scopes(
    app_routes: list[BaseRoute],
) -> None:
    # The checks above would pass vacuously if the walk stopped at the mounts.
    routes = endpoints(app_routes)
    put_resource = routes["PUT /a/v1/resource/{prod}/{kind}/{id}"].endpoint
    assert requirement_of(put_resource) == Requirement(Scope.RESOURCE_WRITE)
    assert requirement_of(routes["GET /_a/token"].endpoint) == Requirement(None)  # any token
    assert len(routes) >= 25


def test_every_internal_route_refuses_production_tokens(app_routes: list[BaseRoute]) -> None:
    # /_t acts on the whole service: a token restricted to a production reaches none of it.
    internal = {name: route for name, route in endpoints(app_routes).items() if " /_t/" in name}
    assert internal
    assert [
        name
        for name, route in internal.items()
        if not (requirement := requirement_of(route.endpoint)) or not requirement.whole_service
    ] == []


async def _open(_request: Request) -> Response:
    return Response()


@requires(Scope.RESOURCE_READ)
async def _guarded(_request: Request) -> Response:
    return Response()


def test_a_route_without_a_scope_is_flagged_unless_listed() -> None:
    routes: list[BaseRoute] = [
        Route("/open", _open),
        Prefix("/a/v1", [Route("/guarded", _guarded), Route("/leak", _open, methods=["POST"])]),
    ]
    assert unlisted_public(routes, {}) == ["GET /open", "POST /a/v1/leak"]
    assert unlisted_public(routes, {"GET /open": "made up"}) == ["POST /a/v1/leak"]
