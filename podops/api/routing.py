"""Routes under a path prefix (`Prefix`), the walk that lists them with their full paths, and
`path_for`, which turns a route's name back into its path.

Each prefix (`/a/v1`, `/_a`, `/_t`) is written once, where the app is assembled; the modules
declare their routes relative to it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from starlette.requests import Request
from starlette.routing import BaseRoute, Match, Mount, Route, Router
from starlette.types import Scope


class Prefix(Mount):
    """`routes` under the path `prefix`, answering exactly as if they were listed flat.

    A plain `Mount` claims every path under its prefix, so the bare prefix (`/a/v1`) would
    redirect to `/a/v1/` instead of answering 404. This one claims a request only as far as
    one of its routes does: in full, or in part (the path but not the method, for a 405).
    """

    def __init__(self, prefix: str, routes: Sequence[BaseRoute]) -> None:
        super().__init__(prefix, routes=routes)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match is Match.NONE:
            return match, child_scope
        inner = {**scope, **child_scope}
        best = Match.NONE
        for route in self.routes:
            found = route.matches(inner)[0]
            if found is Match.FULL:  # nothing matches better: stop looking
                return found, child_scope
            if found.value > best.value:
                best = found
        return (best, child_scope) if best is not Match.NONE else (Match.NONE, {})


def walk(routes: Sequence[BaseRoute], prefix: str = "") -> Iterator[tuple[str, Route]]:
    """Every `Route` in `routes`, through mounts, with its full path."""
    for route in routes:
        if isinstance(route, Mount):
            yield from walk(route.routes, prefix + route.path)
        elif isinstance(route, Route):
            yield prefix + route.path, route


def path_for(request: Request, name: str, /, **params: str) -> str:
    """The path of the app's route `name` (its endpoint's name unless the route names itself)
    with `params` filled in: `path_for(request, "get_production", prod="my-show")`."""
    router: Router = request.scope["router"]
    return str(router.url_path_for(name, **params))
