"""Requests per second reading resources from a 10,000-episode show, beside `GET /`.

    python benchmarks/resources_read.py [--episodes 10000] [--seconds 10] [--database URL]

Seeds a production with one show and N episodes (SQLite in a temporary directory unless
`--database` names another, e.g. a PostgreSQL URL), serves the real app on uvicorn (uvloop,
httptools, one process) and measures with wrk:
  GET /                                       no database, no auth: the ceiling
  GET /a/v1/resource/{prod}/episode/{name}    one episode
  GET /a/v1/resource/{prod}/episode?limit=100 a page of 100 episodes
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks._load import free_port, run_app  # noqa: E402 — needs the path above

PRODUCTION = "benchmark-show"


def serve(port: int) -> None:

    from podops.api import create_app
    from podops.settings import Settings

    app = create_app(Settings.from_env().with_secret())
    run_app(app, port)


def seed(episodes: int) -> str:
    """Create the production, show and episodes; return an admin token."""
    from podops.auth import ALL_SCOPES, Principal
    from podops.auth.users import create_user
    from podops.resources import ProductionCreate, parse_resource
    from podops.runtime import Runtime
    from podops.services import productions, resources
    from podops.settings import Settings
    from tests.support.documents import episode, show

    context = Runtime.build(Settings.from_env().with_secret())
    with context.database.session() as session:
        user = create_user(session, "bench@example.com", admin=True)
        token, claims = context.authenticator.issue(session, user, scopes=frozenset(ALL_SCOPES))
        principal = Principal(claims)
        production = productions.create_production(
            session, principal, ProductionCreate(name=PRODUCTION, title="Benchmark")
        )
        resources.create_resource(
            session, production, parse_resource(show(PRODUCTION)), path_name=PRODUCTION
        )
    started = time.perf_counter()
    for first in range(0, episodes, 1000):
        with context.database.session() as session:
            production = productions.get_production(session, principal, PRODUCTION)
            for number in range(first, min(first + 1000, episodes)):
                name = f"episode-{number:05d}"
                document = parse_resource(episode(name, date=1_600_000_000 + number * 3600))
                resources.create_resource(session, production, document, path_name=name)
    print(f"seeded {episodes} episodes in {time.perf_counter() - started:.1f}s")
    return token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database", default="")
    parser.add_argument("--serve", choices=["app"])
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    if args.serve:
        serve(args.port)
        return

    from benchmarks._load import load_generator, requests_per_second
    from benchmarks._load import serve as serving
    from podops import migrate
    from podops.db import Database

    data_dir = Path(tempfile.mkdtemp(prefix="podops-bench-"))
    os.environ.update(
        PODOPS_DATA_DIR=str(data_dir), PODOPS_LOG_LEVEL="WARNING", PODOPS_RATE_LIMIT="0"
    )
    if args.database:
        os.environ["PODOPS_DATABASE_URL"] = args.database
    database_url = args.database or f"sqlite:///{data_dir / 'podops.sqlite3'}"
    database = Database(database_url)
    migrate.upgrade(database)
    database.dispose()
    token = seed(args.episodes)
    headers = {"Authorization": f"Bearer {token}"}
    middle = f"episode-{args.episodes // 2:05d}"
    targets = [
        ("GET / (version)", "/"),
        ("GET one episode", f"/a/v1/resource/{PRODUCTION}/episode/{middle}"),
        ("GET a page of 100 episodes", f"/a/v1/resource/{PRODUCTION}/episode?limit=100"),
    ]
    print(
        f"{args.episodes} episodes on {database_url.split(':')[0]}, {args.seconds}s each, "
        f"{args.connections} connections, load by {load_generator()}"
    )
    results = []
    with serving(Path(__file__).resolve(), "app", free_port(), dict(os.environ)) as base:
        for label, path in targets:
            requests_per_second(base + path, headers, 2, args.connections)  # warm up
            results.append(
                (label, requests_per_second(base + path, headers, args.seconds, args.connections))
            )
    reference = results[0][1]
    print()
    print(f"{'request':<32}{'req/s':>10}{'vs GET /':>10}")
    for label, rps in results:
        print(f"{label:<32}{rps:>10.0f}{rps / reference:>10.1%}")


if __name__ == "__main__":
    main()
