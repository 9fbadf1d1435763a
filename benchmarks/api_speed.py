"""The API's read path and per-request overhead, each beside a minimal reference, in one run.

    python benchmarks/api_speed.py [--episodes 10000] [--seconds 5] [--rounds 3]
                                   [--backends sqlite postgresql]

On each backend (by default SQLite in a temporary directory, then a new PostgreSQL database on
the tests' server, `PODOPS_TEST_POSTGRES_URL`, dropped afterwards), seeds one production with a
show and N episodes, then serves, each in its own uvicorn process with the same
settings (uvloop, httptools, one process, no access log), all at once, and measures them
with wrk in rounds: in each, every request on podops and on its references back to back, in
an order reversed every other round. A ratio is the median of its rounds' ratios.

  podops    the real app, request logs on (JSON lines to a file), request ids, error
            handlers, bearer auth and the in-process rate limit counted
  bare      a bare Starlette route answering the same `GET /` document
  orm       Starlette + PyJWT + SQLAlchemy: the token decoded, the same JSON document read by
            key (production name, kind, name) and a page of 100 by date, on the threadpool
  sqlite3   the same with plain `sqlite3` on the event loop (SQLite only): the floor

and prints each ratio with its target (issue 17: 0.8 of the reference), for each backend,
with every round's ratio beside it: the machine is shared, and the spread shows its noise.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks._load import free_port, run_app  # noqa: E402 — needs the path above

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


# The PostgreSQL server a run creates its database on (and drops it from afterwards): the
# tests' server unless told otherwise.
POSTGRES_ADMIN_URL = os.environ.get(
    "PODOPS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)

# Each ratio printed: (request, ours, path, reference's name, reference, path).
ROWS = [
    ("GET /", "podops", "version", "bare Starlette route", "bare", "version"),
    ("GET one episode (auth)", "podops", "one", "Starlette+PyJWT+SQLAlchemy", "orm", "one"),
    ("GET one episode (auth)", "podops", "one", "Starlette+PyJWT+sqlite3", "sqlite3", "one"),
    ("GET page of 100 (auth)", "podops", "page", "Starlette+PyJWT+SQLAlchemy", "orm", "page"),
    ("GET page of 100 (auth)", "podops", "page", "Starlette+PyJWT+sqlite3", "sqlite3", "page"),
]


@contextmanager
def _database(backend: str, data_dir: Path) -> Iterator[str]:
    """A database URL for `backend`: a SQLite file in `data_dir`, a new PostgreSQL database
    (dropped afterwards), or a URL given as it is (its tables dropped first)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    if backend == "sqlite":
        yield f"sqlite:///{data_dir / 'podops.sqlite3'}"
        return
    if backend != "postgresql":
        _empty(backend)
        yield backend
        return
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"podops_bench_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        raise SystemExit(
            f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL} ({error}); set "
            "PODOPS_TEST_POSTGRES_URL, or pass --backends sqlite"
        ) from None
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _prepare(episodes: int, database_url: str, data_dir: Path) -> tuple[dict[str, str], str]:
    """Migrate and seed the database; the servers' environment and a token."""
    from benchmarks.resources_read import seed
    from podops import migrate
    from podops.db import Database

    env = dict(
        os.environ,
        PODOPS_DATA_DIR=str(data_dir),
        PODOPS_DATABASE_URL=database_url,
        PODOPS_LOG_LEVEL="INFO",
        # On, and counted on every request, but never reached.
        PODOPS_RATE_LIMIT="1000000000",
    )
    os.environ.update(env)
    database = Database(database_url)
    migrate.upgrade(database)
    database.dispose()
    return env, seed(episodes)


def _empty(database_url: str) -> None:
    """Drop every table of a named database: each run seeds its own data."""
    from sqlalchemy import MetaData, create_engine

    engine = create_engine(database_url)
    metadata = MetaData()
    metadata.reflect(engine)
    metadata.drop_all(engine)
    engine.dispose()


Results = dict[tuple[str, str], list[float]]


def measure(args: argparse.Namespace, backend: str) -> tuple[str, Results]:
    """Every server's requests per second on `backend`, round by round: all servers run at
    once, and each request is measured on podops and on its references back to back, in an
    order reversed every other round, so that a machine growing busier or quieter weighs on
    both sides of a ratio alike."""
    from benchmarks._load import requests_per_second
    from benchmarks._load import serve as serving

    data_dir = Path(tempfile.mkdtemp(prefix="podops-bench-"))
    with _database(backend, data_dir) as database_url, ExitStack() as servers:
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
        print(f"{args.episodes} episodes on {dialect}")
        results: Results = {}
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
    # The request log is on in every podops round: show that it was written.
    lines = (data_dir / "requests.log").read_text(errors="replace").count('"podops.request"')
    print(f"  ({lines} request log lines written by podops)")
    return dialect, results


def report(dialect: str, results: Results) -> None:
    """One line a ratio: the median of its rounds' ratios (each round's podops figure over
    the reference measured beside it), the median figures, and each round's ratio."""
    print()
    print(
        f"{dialect:<24}{'podops':>9}  {'reference':<28}{'req/s':>8}{'ratio':>8}  "
        f"{'target':<9}ratio by round"
    )
    for label, ours, our_path, reference, theirs, their_path in ROWS:
        if (theirs, their_path) not in results:
            continue
        mine, refs = results[(ours, our_path)], results[(theirs, their_path)]
        ratios = [a / b for a, b in zip(mine, refs, strict=True)]
        target = f">= {TARGET}x" if theirs != "sqlite3" else "(floor)"
        print(
            f"{label:<24}{statistics.median(mine):>9.0f}  {reference:<28}"
            f"{statistics.median(refs):>8.0f}{statistics.median(ratios):>7.2f}x  "
            f"{target:<9}{' '.join(f'{ratio:.2f}' for ratio in ratios)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
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

    print(
        f"{args.rounds} alternated rounds of {args.seconds}s on {', '.join(args.backends)}; "
        f"load by {load_generator()}, {args.threads} threads, {args.connections} connections"
    )
    measured = [measure(args, backend) for backend in args.backends]
    for dialect, results in measured:
        report(dialect, results)


if __name__ == "__main__":
    main()
