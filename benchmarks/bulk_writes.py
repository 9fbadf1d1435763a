"""Bulk writes: 1,000 episodes through the API's bulk endpoint beside one SQLAlchemy
transaction inserting the same documents, on SQLite and PostgreSQL, in one run.

    python benchmarks/bulk_writes.py [--episodes 1000] [--rounds 3] [--postgres URL]

For each database (SQLite in a temporary directory; PostgreSQL in a fresh database made on the
server `--postgres` names, by default `PODOPS_TEST_POSTGRES_URL`'s or the local one, dropped
afterwards; `--postgres ''` skips it), in alternated rounds (the API first in odd rounds, the
reference first in even ones), each into a fresh production that has its show:

  api        `POST /a/v1/production/{prod}/bulk` with the episodes in one JSON body, to the
             real app served by uvicorn (uvloop, httptools, one process), timed from the
             request sent to the answer read: validation, the checks a write does, Markdown
             rendered to HTML, ETags, labels, one transaction
  reference  the same documents as rows (`Resource` and `ResourceLabel`) added with the ORM and
             committed in one transaction on a connected engine: no validation, no checks

and prints episodes a second of each (median of the rounds), the median of the rounds' ratios
beside its target (issue 17: the API at least 0.3 as fast as the reference) and each round's
ratio. `BulkWrites` is the measurement; `benchmarks/api_speed.py` prints the same row in its
table, measured in its own rounds beside the reads.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks._databases import POSTGRES_SERVER, benchmark_database  # noqa: E402
from benchmarks._load import free_port, run_app  # noqa: E402 — needs the path above
from benchmarks._ratios import Comparison, machine, print_table  # noqa: E402

TARGET = 0.3
EPISODES = 1000
REFERENCE = "one SQLAlchemy transaction"


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


def reference_insert(engine: Any, production_guid: str, documents: list[dict[str, Any]]) -> float:
    """Seconds to insert `documents` as rows with the ORM in one transaction."""
    from sqlalchemy.orm import Session

    from podops.models import Resource, ResourceLabel
    from podops.names import new_guid

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


class BulkWrites:
    """`count` episodes written round by round through the bulk endpoint of the podops serving
    `base` and by the reference, each into a new production of `database_url` (migrated, and
    the one the server and `PODOPS_*` in this process's environment use)."""

    def __init__(self, database_url: str, base: str, count: int) -> None:
        from sqlalchemy import create_engine

        self.database_url, self.base = database_url, base
        self.documents = episodes(count)
        self.engine = create_engine(database_url)
        # Warm up both paths (imports, connections, caches) on productions of their own.
        self._through_api("warm-up-api", self.documents[:50])
        self._by_reference("warm-up-ref", self.documents[:50])

    def round(self, number: int) -> tuple[float, float]:
        """Episodes a second through the API and by the reference in round `number`: the API
        writes first in odd rounds, the reference in even ones, so that a machine growing
        busier or quieter weighs on both sides of the ratio alike."""
        count = len(self.documents)
        if number % 2:
            api = self._through_api(f"bulk-api-{number:02d}", self.documents)
            reference = self._by_reference(f"bulk-ref-{number:02d}", self.documents)
        else:
            reference = self._by_reference(f"bulk-ref-{number:02d}", self.documents)
            api = self._through_api(f"bulk-api-{number:02d}", self.documents)
        return count / api, count / reference

    def comparison(self, rounds: list[tuple[float, float]]) -> Comparison:
        return Comparison(
            label=f"POST bulk, {len(self.documents)} episodes",
            reference=REFERENCE,
            unit="ep/s",
            ours=[api for api, _reference in rounds],
            theirs=[reference for _api, reference in rounds],
            target=TARGET,
        )

    def _through_api(self, production: str, documents: list[dict[str, Any]]) -> float:
        _guid, token = make_production(self.database_url, production)
        return api_insert(self.base, token, production, documents)

    def _by_reference(self, production: str, documents: list[dict[str, Any]]) -> float:
        guid, _token = make_production(self.database_url, production)
        return reference_insert(self.engine, guid, documents)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> BulkWrites:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.close()


def measure(backend: str, postgres: str, count: int, rounds: int) -> Comparison:
    """The API beside the reference on `backend` (sqlite or postgresql), round by round."""
    from benchmarks._load import serve as serving

    data_dir = Path(tempfile.mkdtemp(prefix="podops-bulk-"))
    with benchmark_database(backend, data_dir, postgres) as database_url:
        env = {
            **os.environ,
            "PODOPS_DATA_DIR": str(data_dir),
            "PODOPS_DATABASE_URL": database_url,
            "PODOPS_LOG_LEVEL": "WARNING",
            "PODOPS_RATE_LIMIT": "0",
        }
        os.environ.update(env)
        script = Path(__file__).resolve()
        with (
            serving(script, "app", free_port(), env) as base,
            BulkWrites(database_url, base, count) as bulk,
        ):
            return bulk.comparison([bulk.round(number) for number in range(1, rounds + 1)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=EPISODES)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--postgres", default=POSTGRES_SERVER, help="a server URL; '' skips PostgreSQL"
    )
    parser.add_argument("--serve", choices=["app"])
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    if args.serve:
        serve(args.port)
        return
    print(
        f"{args.episodes} episodes in one request (API) or one transaction (reference), "
        f"{args.rounds} alternated rounds; {machine()}"
    )
    backends = ["sqlite", "postgresql"] if args.postgres else ["sqlite"]
    for backend in backends:
        comparison = measure(backend, args.postgres, args.episodes, args.rounds)
        print()
        print_table(backend, [comparison])


if __name__ == "__main__":
    main()
