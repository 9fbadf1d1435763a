"""Every ratio of issue 17 in one run: the API's read path, its per-request overhead and its
bulk writes, each beside a minimal reference, on SQLite and PostgreSQL.

    python benchmarks/api_speed.py [--episodes 10000] [--seconds 5] [--rounds 3]
                                   [--bulk-episodes 1000] [--backends sqlite postgresql]

On each backend (by default SQLite in a temporary directory, then a new PostgreSQL database on
the tests' server, `PODOPS_TEST_POSTGRES_URL`, dropped afterwards), seeds one production with a
show and N episodes, then serves, each in its own uvicorn process with the same
settings (uvloop, httptools, one process, no access log), all at once, and measures them
with wrk in rounds: in each, every request on podops and on its references back to back, in
an order reversed every other round, then the bulk write of `benchmarks/bulk_writes.py`
(1,000 new episodes in one request to the same podops, beside one SQLAlchemy transaction of
the same inserts, in the order of the round; `--bulk-episodes 0` leaves it out). A ratio is
the median of its rounds' ratios.

  podops    the real app, request logs on (JSON lines to a file), request ids, error
            handlers, bearer auth and the in-process rate limit counted
  bare      a bare Starlette route answering the same `GET /` document
  orm       Starlette + PyJWT + SQLAlchemy: the token decoded, the same JSON document read by
            key (production name, kind, name) and a page of 100 by date, on the threadpool
  sqlite3   the same with plain `sqlite3` on the event loop (SQLite only): the floor

and prints, for each backend, each ratio with its target (issue 17: 0.8 of the SQLAlchemy
reference and of the bare route, 0.3 for bulk writes; the sqlite3 reference is a floor, with
no target), whether it is met, and every round's ratio beside it (the machine is shared, and
the spread shows its noise), under the machine's core count and the date.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any, NamedTuple

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks import bulk_writes  # noqa: E402 — needs the path above
from benchmarks._databases import benchmark_database  # noqa: E402
from benchmarks._load import free_port, run_app  # noqa: E402
from benchmarks._ratios import Comparison, machine, print_table  # noqa: E402

PRODUCTION = "benchmark-show"
VERSION_DOCUMENT = {"name": "podops", "version": "", "api": "v1"}
TARGET = 0.8


def _run(app: Any, port: int) -> None:

    run_app(app, port)


def serve_podops(port: int) -> None:
    from podops.api import create_app
    from podops.logs import configure_logging
    from podops.settings import Settings

    settings = Settings.from_env().with_secret()
    # As `podops serve` has it: one JSON line a request (stderr goes to a file here).
    configure_logging("INFO", "json")
    _run(create_app(settings), port)


def serve_bare(port: int) -> None:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    from podops import __version__

    document = {**VERSION_DOCUMENT, "version": __version__}

    async def version(_request: Request) -> Response:
        return JSONResponse(document)

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    _run(Starlette(routes=[Route("/", version), Route("/healthz", healthz)]), port)


def _decoder() -> Any:
    """PyJWT's decode of a podops token, as a minimal app would do it on every request."""
    import jwt

    from podops.settings import Settings

    settings = Settings.from_env().with_secret()

    def claims(authorization: str | None) -> dict[str, Any]:
        token = (authorization or "").removeprefix("Bearer ")
        decoded: dict[str, Any] = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=["HS256"],
            audience="podops",
            issuer=settings.token_issuer,
            options={"require": ["iss", "aud", "sub", "iat", "exp", "jti"]},
        )
        return decoded

    return claims


def _reference_routes(one: Any, page: Any) -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    decode = _decoder()

    async def get_one(request: Request) -> Response:
        decode(request.headers.get("authorization"))
        p = request.path_params
        document = await one(p["prod"], p["kind"], p["id"])
        if document is None:
            return JSONResponse({"message": "not found"}, status_code=404)
        return document if isinstance(document, Response) else JSONResponse(document)

    async def get_page(request: Request) -> Response:
        decode(request.headers.get("authorization"))
        limit = int(request.query_params.get("limit", "50"))
        p = request.path_params
        result = await page(p["prod"], p["kind"], limit)
        return result if isinstance(result, Response) else JSONResponse(result)

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/a/v1/resource/{prod}/{kind}", get_page),
            Route("/a/v1/resource/{prod}/{kind}/{id}", get_one),
        ]
    )


def serve_orm(port: int) -> None:
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session, sessionmaker
    from starlette.concurrency import run_in_threadpool

    from podops.models import Production, Resource
    from podops.settings import Settings

    engine = create_engine(Settings.from_env().database_url)
    sessions = sessionmaker(engine)
    keyed = select(Resource.document).join(Production, Production.guid == Resource.production_guid)

    def load_one(prod: str, kind: str, name: str) -> Any:
        session: Session
        with sessions() as session:
            query = keyed.where(Production.name == prod, Resource.kind == kind)
            return session.scalars(query.where(Resource.name == name)).first()

    def load_page(prod: str, kind: str, limit: int) -> dict[str, Any]:
        with sessions() as session:
            query = (
                select(Resource.document, Resource.date, Resource.guid)
                .join(Production, Production.guid == Resource.production_guid)
                .where(Production.name == prod, Resource.kind == kind)
                .order_by(Resource.date.desc(), Resource.guid.desc())
                .limit(limit + 1)
            )
            rows = session.execute(query).all()
        following = rows[limit] if len(rows) > limit else None
        return {
            "resources": [row.document for row in rows[:limit]],
            "next_cursor": f"{following.date}:{following.guid}" if following else None,
        }

    async def one(prod: str, kind: str, name: str) -> Any:
        return await run_in_threadpool(load_one, prod, kind, name)

    async def page(prod: str, kind: str, limit: int) -> Any:
        return await run_in_threadpool(load_page, prod, kind, limit)

    _run(_reference_routes(one, page), port)


def serve_sqlite3(port: int) -> None:
    import json
    import sqlite3

    from starlette.responses import Response

    from podops.settings import Settings

    path = Settings.from_env().database_url.removeprefix("sqlite:///")
    connection = sqlite3.connect(path, check_same_thread=False)
    one_sql = (
        "SELECT r.document FROM resources r JOIN productions p ON p.guid = r.production_guid "
        "WHERE p.name = ? AND r.kind = ? AND r.name = ?"
    )
    page_sql = (
        "SELECT r.document, r.date, r.guid FROM resources r "
        "JOIN productions p ON p.guid = r.production_guid WHERE p.name = ? AND r.kind = ? "
        "ORDER BY r.date DESC, r.guid DESC LIMIT ?"
    )

    async def one(prod: str, kind: str, name: str) -> Any:
        row = connection.execute(one_sql, (prod, kind, name)).fetchone()
        return None if row is None else Response(row[0], media_type="application/json")

    async def page(prod: str, kind: str, limit: int) -> Any:
        rows = connection.execute(page_sql, (prod, kind, limit + 1)).fetchall()
        following = rows[limit] if len(rows) > limit else None
        cursor = json.dumps(f"{following[1]}:{following[2]}" if following else None)
        body = '{"resources":[' + ",".join(row[0] for row in rows[:limit]) + "]"
        return Response(body + ',"next_cursor":' + cursor + "}", media_type="application/json")

    _run(_reference_routes(one, page), port)


SERVERS = {"podops": serve_podops, "bare": serve_bare, "orm": serve_orm, "sqlite3": serve_sqlite3}


class Row(NamedTuple):
    """A ratio printed: podops over `reference` answering `request`."""

    label: str
    request: str
    reference: str  # the server
    reference_name: str
    target: float | None  # None: a floor


ROWS = [
    Row("GET /", "version", "bare", "bare Starlette route", TARGET),
    Row("GET one episode (auth)", "one", "orm", "Starlette+PyJWT+SQLAlchemy", TARGET),
    Row("GET one episode (auth)", "one", "sqlite3", "Starlette+PyJWT+sqlite3", None),
    Row("GET page of 100 (auth)", "page", "orm", "Starlette+PyJWT+SQLAlchemy", TARGET),
    Row("GET page of 100 (auth)", "page", "sqlite3", "Starlette+PyJWT+sqlite3", None),
]


def _prepare(episodes: int, database_url: str, data_dir: Path) -> tuple[dict[str, str], str]:
    """Seed the database; the servers' environment and a token."""
    from benchmarks.resources_read import seed

    env = dict(
        os.environ,
        PODOPS_DATA_DIR=str(data_dir),
        PODOPS_DATABASE_URL=database_url,
        PODOPS_LOG_LEVEL="INFO",
        # On, and counted on every request, but never reached.
        PODOPS_RATE_LIMIT="1000000000",
    )
    os.environ.update(env)
    return env, seed(episodes)


Results = dict[tuple[str, str], list[float]]


def measure(args: argparse.Namespace, backend: str) -> tuple[str, list[Comparison]]:
    """Every ratio on `backend`, round by round: all servers run at once, and each request is
    measured on podops and on its references back to back, in an order reversed every other
    round, so that a machine growing busier or quieter weighs on both sides of a ratio alike;
    then, in the same round, the bulk write (in the round's order too)."""
    from benchmarks._load import requests_per_second
    from benchmarks._load import serve as serving

    data_dir = Path(tempfile.mkdtemp(prefix="podops-bench-"))
    with benchmark_database(backend, data_dir) as database_url, ExitStack() as servers:
        env, token = _prepare(args.episodes, database_url, data_dir)
        dialect = database_url.split(":")[0].split("+")[0]
        headers = {"Authorization": f"Bearer {token}"}
        one = f"/a/v1/resource/{PRODUCTION}/episode/episode-{args.episodes // 2:05d}"
        page = f"/a/v1/resource/{PRODUCTION}/episode?limit=100"
        references = ["orm", "sqlite3"] if dialect == "sqlite" else ["orm"]
        # Each request with the servers that answer it, podops first.
        requests = [
            ("version", "/", ["podops", "bare"]),
            ("one", one, ["podops", *references]),
            ("page", page, ["podops", *references]),
        ]
        script = Path(__file__).resolve()
        log = servers.enter_context((data_dir / "requests.log").open("ab"))
        bases = {
            server: servers.enter_context(serving(script, server, free_port(), env, log))
            for server in ["podops", "bare", *references]
        }
        bulk = None
        if args.bulk_episodes:
            bulk = servers.enter_context(
                bulk_writes.BulkWrites(database_url, bases["podops"], args.bulk_episodes)
            )
        print(f"{args.episodes} episodes on {dialect}")
        results: Results = {}
        bulk_rounds: list[tuple[float, float]] = []
        for round_number in range(1, args.rounds + 1):
            for name, path, answering in requests:
                for server in answering if round_number % 2 else reversed(answering):
                    url = bases[server] + path
                    requests_per_second(url, headers, 1, args.connections, args.threads)
                    rps = requests_per_second(
                        url, headers, args.seconds, args.connections, args.threads
                    )
                    results.setdefault((server, name), []).append(rps)
                    print(f"  round {round_number}  {server:<8}{name:<9}{rps:>9.0f} req/s")
            if bulk is not None:
                api, reference = bulk.round(round_number)
                bulk_rounds.append((api, reference))
                print(
                    f"  round {round_number}  bulk     podops {api:.0f}, reference "
                    f"{reference:.0f} episodes/s"
                )
    # The request log is on in every podops round: show that it was written.
    lines = (data_dir / "requests.log").read_text(errors="replace").count('"podops.request"')
    print(f"  ({lines} request log lines written by podops)")
    comparisons = [
        Comparison(
            label=row.label,
            reference=row.reference_name,
            unit="req/s",
            ours=results[("podops", row.request)],
            theirs=results[(row.reference, row.request)],
            target=row.target,
        )
        for row in ROWS
        if (row.reference, row.request) in results
    ]
    if bulk is not None:
        comparisons.append(bulk.comparison(bulk_rounds))
    return dialect, comparisons


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--bulk-episodes",
        type=int,
        default=bulk_writes.EPISODES,
        help="episodes a bulk write sends; 0 leaves bulk writes out",
    )
    parser.add_argument(
        "--backends",
        nargs="+",
        default=["sqlite", "postgresql"],
        help="sqlite, postgresql (a new database on PODOPS_TEST_POSTGRES_URL's server), or "
        "a database URL (its tables are dropped)",
    )
    parser.add_argument("--serve", choices=sorted(SERVERS))
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    if args.serve:
        SERVERS[args.serve](args.port)
        return

    from benchmarks._load import load_generator

    settings = (
        f"{args.rounds} alternated rounds of {args.seconds}s, load by {load_generator()} "
        f"({args.threads} threads, {args.connections} connections)"
    )
    print(f"{settings} on {', '.join(args.backends)}")
    measured = [measure(args, backend) for backend in args.backends]
    print()
    print(f"issue 17 ratios, {settings}; {machine()}")
    for dialect, comparisons in measured:
        print()
        print_table(dialect, comparisons)


if __name__ == "__main__":
    main()
