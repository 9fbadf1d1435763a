"""Bulk writes: 1,000 episodes through the API's bulk endpoint beside one SQLAlchemy
transaction inserting the same documents, on SQLite and PostgreSQL, in one run.

    python benchmarks/bulk_writes.py [--episodes 1000] [--rounds 3] [--postgres URL]

For each database (SQLite in a temporary directory; PostgreSQL in a fresh database made on the
server `--postgres` names, default the local one, dropped afterwards; `--postgres ''` skips
it), in alternated rounds, each into a fresh production that has its show:

  api        `POST /a/v1/production/{prod}/bulk` with the episodes in one JSON body, to the
             real app served by uvicorn (uvloop, httptools, one process), timed from the
             request sent to the answer read: validation, the checks a write does, Markdown
             rendered to HTML, ETags, labels, one transaction
  reference  the same documents as rows (`Resource` and `ResourceLabel`) added with the ORM and
             committed in one transaction: no validation, no checks

and prints episodes a second of each (median of the rounds) and their ratio beside its target
(issue 17: the API at least 0.3 as fast as the reference).
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks._load import free_port, run_app  # noqa: E402 — needs the path above

TARGET = 0.3
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def serve(port: int) -> None:

    from podops.api import create_app
    from podops.settings import Settings

    app = create_app(Settings.from_env().with_secret())
    run_app(app, port)


def episodes(count: int) -> list[dict[str, Any]]:
    """Episodes as a producer writes them: notes in Markdown, a label, an external enclosure."""
    return [
        {
            "apiVersion": "v1",
            "kind": "episode",
            "metadata": {
                "name": f"episode-{number:05d}",
                "date": 1_600_000_000 + number * 3600,
                "labels": {"season": str(1 + number // 100)},
            },
            "description": {
                "title": f"Episode {number}: a conversation",
                "summary": "Two hosts talk about how podcasts are made.",
                "notes": f"In episode {number} we talk about *feeds*, [RSS](https://example.com)"
                " and why GUIDs never change.\n\n- one\n- two",
                "season": 1 + number // 100,
                "episode": 1 + number,
            },
            "enclosure": {
                "rel": "external",
                "url": f"https://cdn.example.com/episodes/{number:05d}.mp3",
                "type": "audio/mpeg",
                "length": 48_000_000 + number,
                "duration": 3000 + number,
            },
        }
        for number in range(count)
    ]


def make_production(database_url: str, name: str) -> tuple[str, str]:
    """A production with its show, owned by an admin; its GUID and the show's GUID, and the
    admin's token (the first call makes the user)."""
    from podops.auth import ALL_SCOPES, Principal
    from podops.auth.users import create_user, find_user
    from podops.resources import ProductionCreate, parse_resource
    from podops.runtime import Runtime
    from podops.services import productions, resources
    from podops.settings import Settings
    from tests.support.documents import show

    context = Runtime.build(Settings.from_env().with_secret())
    try:
        with context.database.session() as session:
            user = find_user(session, "bench@example.com") or create_user(
                session, "bench@example.com", admin=True
            )
            token, claims = context.authenticator.issue(session, user, scopes=frozenset(ALL_SCOPES))
            production = productions.create_production(
                session, Principal(claims), ProductionCreate(name=name, title="Bulk")
            )
            resources.create_resource(
                session,
                production,
                parse_resource(show(f"show-of-{name}")),
                path_name=f"show-of-{name}",
            )
            return production.guid, token
    finally:
        context.close()


def reference_insert(
    database_url: str, production_guid: str, documents: list[dict[str, Any]]
) -> float:
    """Seconds to insert `documents` as rows with the ORM in one transaction."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from podops.models import Resource, ResourceLabel
    from podops.names import new_guid

    engine = create_engine(database_url)
    try:
        now = int(time.time())
        started = time.perf_counter()
        with Session(engine) as session, session.begin():
            for document in documents:
                guid = new_guid()
                session.add(
                    Resource(
                        guid=guid,
                        production_guid=production_guid,
                        kind="episode",
                        name=document["metadata"]["name"],
                        document=document,
                        etag='"0"',
                        date=document["metadata"]["date"],
                        created_at=now,
                        updated_at=now,
                    )
                )
                for key, value in document["metadata"]["labels"].items():
                    session.add(ResourceLabel(resource_guid=guid, key=key, value=value))
        return time.perf_counter() - started
    finally:
        engine.dispose()


def api_insert(base: str, token: str, name: str, documents: list[dict[str, Any]]) -> float:
    """Seconds for the bulk request that creates `documents`, answer read."""
    import httpx

    body = {"documents": documents}
    with httpx.Client(base_url=base, timeout=120) as client:
        started = time.perf_counter()
        response = client.post(
            f"/a/v1/production/{name}/bulk", json=body, headers={"Authorization": f"Bearer {token}"}
        )
        elapsed = time.perf_counter() - started
    if response.status_code != 200 or response.json()["created"] != len(documents):
        raise SystemExit(f"the bulk request failed: {response.status_code} {response.text[:500]}")
    return elapsed


def measure(database_url: str, label: str, count: int, rounds: int) -> tuple[float, float]:
    """Median episodes a second through the API and by the reference, on `database_url`."""
    from benchmarks._load import serve as serving
    from podops import migrate
    from podops.db import Database

    data_dir = Path(tempfile.mkdtemp(prefix="podops-bulk-"))
    env = {
        **os.environ,
        "PODOPS_DATA_DIR": str(data_dir),
        "PODOPS_DATABASE_URL": database_url,
        "PODOPS_LOG_LEVEL": "WARNING",
        "PODOPS_RATE_LIMIT": "0",
    }
    os.environ.update(env)
    database = Database(database_url)
    migrate.upgrade(database)
    database.dispose()
    documents = episodes(count)
    api_times: list[float] = []
    reference_times: list[float] = []
    with serving(Path(__file__).resolve(), "app", free_port(), env) as base:
        # Warm up both paths (imports, connections, caches) on a production of their own.
        _guid, token = make_production(database_url, "warm-up-prod")
        api_insert(base, token, "warm-up-prod", documents[:50])
        reference_insert(
            database_url, make_production(database_url, "warm-up-ref")[0], documents[:50]
        )
        for number in range(rounds):
            name = f"bulk-api-{number:02d}"
            _guid, token = make_production(database_url, name)
            api_times.append(api_insert(base, token, name, documents))
            ref_guid, _token = make_production(database_url, f"bulk-ref-{number:02d}")
            reference_times.append(reference_insert(database_url, ref_guid, documents))
    api_rate = count / statistics.median(api_times)
    reference_rate = count / statistics.median(reference_times)
    print(
        f"{label:<12}{api_rate:>14.0f}{reference_rate:>14.0f}"
        f"{api_rate / reference_rate:>10.2f}{TARGET:>10.2f}"
        f"   {'ok' if api_rate / reference_rate >= TARGET else 'BELOW TARGET'}"
    )
    return api_rate, reference_rate


def fresh_postgres(server: str) -> tuple[str, Any]:
    """A new database on `server`, and a function that drops it."""
    from sqlalchemy import create_engine, make_url, text

    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"podops_bench_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(server).set(database=name).render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", default=POSTGRES, help="a server URL; '' skips PostgreSQL")
    parser.add_argument("--serve", choices=["app"])
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    if args.serve:
        serve(args.port)
        return
    print(
        f"{args.episodes} episodes in one request (API) or one transaction (reference), "
        f"median of {args.rounds} alternated rounds; episodes a second:"
    )
    print(f"{'database':<12}{'api':>14}{'reference':>14}{'ratio':>10}{'target':>10}")
    data_dir = Path(tempfile.mkdtemp(prefix="podops-bulk-sqlite-"))
    measure(f"sqlite:///{data_dir / 'podops.sqlite3'}", "sqlite", args.episodes, args.rounds)
    if args.postgres:
        url, drop = fresh_postgres(args.postgres)
        try:
            measure(url, "postgresql", args.episodes, args.rounds)
        finally:
            drop()


if __name__ == "__main__":
    main()
