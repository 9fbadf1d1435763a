"""Peak memory and time of a whole worker build of a 50,000-episode show, database to feed.

    python benchmarks/worker_build.py [--episodes 50000]
    PODOPS_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/an_empty_database \
        python benchmarks/worker_build.py

`feed_build.py` measures the `feeds` package on episodes already in memory. This measures
what a worker process does for a build task: load the production's rows through SQLAlchemy
(SQLite by default), map the documents to the `feeds` model, lint, guard, render to a file and
publish it into local storage. The show and its episodes are created through the service
layer first (notes in Markdown, as producers write them), in this process; the build runs in
a fresh process, so its peak (VmHWM) is the interpreter, the libraries, the rows and the
build, and nothing left over from seeding. SQLite unless PODOPS_DATABASE_URL names an empty
database (seeding 50,000 episodes there, a row at a time, takes about 20 minutes here).

Issue 6's target: peak memory for 50,000 episodes <= 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.feed_build import _notes  # noqa: E402 — after the path is set

PRODUCTION = "bench-worker-build"
TARGET_MB = 300
_BATCH = 5000


def _environment(work: Path) -> None:
    os.environ.update(PODOPS_DATA_DIR=str(work / "data"), PODOPS_LOG_LEVEL="WARNING")


def seed(work: Path, episodes: int, *, page_size: int | None = None, access: str = "public") -> str:
    """The production, its show (its `access`: public, both or private) and `episodes`
    episodes (`page_size` of them in its main feed, the rest on archive pages, when given);
    the production's GUID."""
    from benchmarks._seed import bench_production
    from podops import migrate
    from podops.db import Database
    from podops.models import Production
    from podops.resources import parse_resource
    from podops.services import resources
    from podops.settings import Settings

    settings = Settings.from_env().with_secret()
    database = Database(settings.database_url)
    migrate.upgrade(database)
    rng = random.Random(6)
    with database.session() as session:
        production = bench_production(session, PRODUCTION, "Bench")
        show: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "show",
            "metadata": {"name": PRODUCTION},
            "description": {
                "title": "A show with a long history",
                "summary": "Every *weekday* since 2017.",
                "categories": [{"category": "Technology"}],
                "language": "en-us",
                "owner": {"name": "Jane", "email": "jane@example.com"},
                "access": access,
            },
            "image": {"rel": "external", "url": "https://cdn.example.com/cover.jpg"},
        }
        if page_size is not None:
            show["description"]["feed_episodes"] = page_size
        resources.create_resource(session, production, parse_resource(show), path_name=PRODUCTION)
        guid = production.guid
    for batch in range(0, episodes, _BATCH):
        # A session (one transaction) a batch: the seeding process stays small.
        with database.session() as session:
            production = session.get(Production, guid)
            assert production is not None
            for number in range(batch, min(batch + _BATCH, episodes)):
                name = f"episode-{number:06d}"
                resources.create_resource(
                    session, production, parse_resource(_episode(rng, number, name)), path_name=name
                )
    return guid


def _episode(rng: random.Random, number: int, name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "episode",
        "metadata": {"name": name, "date": 1_500_000_000 + number * 3600},
        "description": {
            "title": f"Episode {number}: {rng.choice(['On', 'About', 'After'])} it",
            "summary": "Notes.",
            "notes": _notes(rng, number),
            "season": 1 + number // 1000,
            "episode": 1 + number % 1000,
        },
        "enclosure": {
            "rel": "external",
            "url": f"https://cdn.example.com/{name}.mp3",
            "type": "audio/mpeg",
            "length": 20_000_000 + number,
            "duration": 1800.0 + number % 600,
        },
    }


def build_in_this_process(production_guid: str) -> dict[str, Any]:
    """One build as a worker runs it; what it took."""
    from benchmarks._seed import worker_runtime
    from podops.db import Database
    from podops.jobs import BuildJob
    from podops.publish.pipeline import build_feed
    from podops.settings import Settings

    settings = Settings.from_env().with_secret()
    database = Database(settings.database_url)
    runtime = worker_runtime(settings, database)
    before = _status("VmRSS")
    started = time.perf_counter()
    result = build_feed(runtime, BuildJob(production=production_guid), operation_id="bench")
    elapsed = time.perf_counter() - started
    return {
        "database": database.engine.dialect.name,
        "seconds": elapsed,
        "rss_before_mb": before,
        "peak_mb": _status("VmHWM"),
        "items": result["items"],
        "bytes": result["bytes"],
        "published": result["published"],
    }


def _status(field: str) -> float:
    """A `/proc/self/status` figure, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status (this benchmark needs Linux)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=50_000)
    parser.add_argument("--child", help=argparse.SUPPRESS)  # the build process: a GUID
    args = parser.parse_args()
    if args.child:
        print(json.dumps(build_in_this_process(args.child)))
        return

    work = Path(tempfile.mkdtemp(prefix="podops-bench-"))
    try:
        _environment(work)
        started = time.perf_counter()
        guid = seed(work, args.episodes)
        seeded = time.perf_counter() - started
        child = subprocess.run(
            [sys.executable, __file__, "--child", guid],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(child.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(work)
    if not figures["published"] or figures["items"] != args.episodes:
        raise SystemExit(f"the build did not publish every episode: {figures}")
    print(f"{args.episodes} episodes seeded through the service layer in {seeded:.0f} s")
    print(f"one worker build ({figures['database']}, local storage), in a fresh process:")
    print(f"  feed        {figures['bytes'] / 1e6:.0f} MB, {figures['items']} items")
    print(f"  time        {figures['seconds']:.1f} s")
    print(f"  RSS before  {figures['rss_before_mb']:.0f} MB (interpreter and libraries)")
    verdict = "met" if figures["peak_mb"] <= TARGET_MB else "NOT met"
    print(f"  peak        {figures['peak_mb']:.0f} MB   (target: <= {TARGET_MB} MB, {verdict})")


if __name__ == "__main__":
    main()
