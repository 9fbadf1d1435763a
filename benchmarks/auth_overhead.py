"""Requests per second of an authenticated GET beside the same route without auth.

    python benchmarks/auth_overhead.py [--seconds 10] [--rounds 3]

The route is `GET /a/v1/operations/{id}` (one database read). "With auth" is the app as it
ships: bearer token verified (cached after the first time), revocation list checked, rate
limit counted, scope and ownership checked. "Without auth" serves the same endpoint function
with the `requires` wrapper taken off and a fixed principal put in its place. Each runs on
uvicorn (uvloop, httptools), one process, measured by wrk in alternating rounds.
Issue 3's target: the authenticated route at >= 80% of the other.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks._load import free_port, run_app  # noqa: E402 — needs the path above

OPERATION_PATH = "/a/v1/operations/{operation_id}"


def serve(mode: str, port: int) -> None:
    """The server side: the real app, or the same app with auth taken off the route."""
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from podops.api import create_app
    from podops.api import operations as operation_routes
    from podops.auth import Principal, Scope
    from podops.auth.tokens import Claims
    from podops.settings import Settings

    app = create_app(Settings.from_env().with_secret())
    if mode == "noauth":
        unwrapped: Any = operation_routes.get_operation.__wrapped__  # type: ignore[attr-defined]
        principal = Principal(
            Claims(
                iss="",
                aud="",
                sub="bench",
                iat=0,
                exp=2**40,
                jti="bench",
                scope=frozenset({Scope.ADMIN}),
                prod=None,
            )
        )

        async def without_auth(request: Request) -> Response:
            request.state.principal = principal
            response: Response = await unwrapped(request)
            return response

        # Ahead of the mounted routes, so it answers in place of the protected one.
        app.router.routes.insert(
            0, Route(OPERATION_PATH, without_auth, methods=["GET"], name="operation")
        )
    run_app(app, port)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--serve", choices=["auth", "noauth"])
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return

    from benchmarks._load import load_generator, requests_per_second
    from benchmarks._load import serve as serving
    from podops import migrate
    from podops.auth import ALL_SCOPES
    from podops.auth.users import create_user
    from podops.db import Database
    from podops.runtime import Runtime
    from podops.settings import Settings

    data_dir = Path(tempfile.mkdtemp(prefix="podops-bench-"))
    env = dict(
        os.environ,
        PODOPS_DATA_DIR=str(data_dir),
        PODOPS_LOG_LEVEL="WARNING",
        PODOPS_RATE_LIMIT="1000000000",
    )
    settings = Settings.from_env(env).with_secret()
    database = Database(settings.database_url)
    migrate.upgrade(database)
    context = Runtime.build(settings)
    with database.session() as session:
        user = create_user(session, "bench@example.com", admin=True)
        token, _ = context.authenticator.issue(session, user, scopes=frozenset(ALL_SCOPES))
        from podops import operations

        operation = operations.create(
            session, kind="ping", params={}, production=None, queue_timeout=60, owner=user.id
        )
    path = OPERATION_PATH.format(operation_id=operation.id)
    headers = {"Authorization": f"Bearer {token}"}

    script = Path(__file__).resolve()
    results: dict[str, list[float]] = {"auth": [], "noauth": []}
    print(
        f"GET {path}, {args.rounds} rounds of {args.seconds}s, {args.connections} "
        f"connections, load by {load_generator()}"
    )
    for round_number in range(1, args.rounds + 1):
        for mode in ("noauth", "auth"):
            with serving(script, mode, free_port(), env) as base:
                requests_per_second(base + path, headers, 2, args.connections)  # warm up
                rps = requests_per_second(base + path, headers, args.seconds, args.connections)
            results[mode].append(rps)
            print(f"  round {round_number}  {mode:<7} {rps:10.0f} req/s")
    with_auth, without = statistics.median(results["auth"]), statistics.median(results["noauth"])
    print()
    print(f"{'route':<36}{'req/s (median)':>16}")
    print(f"{'GET operation, without auth':<36}{without:>16.0f}")
    print(f"{'GET operation, with bearer auth':<36}{with_auth:>16.0f}")
    print(f"authenticated / unauthenticated: {with_auth / without:.1%}  (target >= 80%)")


if __name__ == "__main__":
    main()
