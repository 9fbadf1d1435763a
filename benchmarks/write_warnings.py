"""What a write's build warnings cost on a 10,000-episode show, beside the write and a build's lint.

    python benchmarks/write_warnings.py [--episodes 10000] [--repeat 50]

A PUT of a show or episode answers with what a build would find in it
(`podops.publish.preflight`): it maps and lints the written document, the show and the assets
they name, never the other episodes. Measured on SQLite in a temporary directory, in this
process, each the median of `--repeat` runs after a warm-up:
  - the write itself (`services.resources.replace_resource` of one episode, committed);
  - the preflight of that episode, and of the show (one EXISTS query for its episodes);
  - the reference: a build's check of the whole production (`load_production` + `feeds.lint`),
    which is what a write would cost if it ran the build's lint.

Target (issue 12): the preflight of an episode write costs no more than the write itself, and a
small fraction of the whole-production lint, at any number of episodes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from podops.models import Production

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PRODUCTION = "warned-benchmark"


def median_ms(run: Callable[[], object], repeat: int) -> float:
    run()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--episodes", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="podops-bench-"))
    os.environ.update(PODOPS_DATA_DIR=str(work / "data"), PODOPS_LOG_LEVEL="WARNING")

    import feeds
    from benchmarks.worker_build import seed
    from podops.db import Database
    from podops.models import Resource
    from podops.names import Kind
    from podops.publish import preflight
    from podops.publish.load import load_production
    from podops.resources import parse_resource
    from podops.services import resources
    from podops.settings import Settings

    started = time.perf_counter()
    guid = seed(work, args.episodes)
    print(f"seeded {args.episodes} episodes in {time.perf_counter() - started:.1f} s")
    settings = Settings.from_env().with_secret()
    database = Database(settings.database_url)
    base_url = settings.base_url
    name = f"episode-{args.episodes // 2:06d}"
    with database.session() as session:
        stored = resources.get_resource(session, _production(session, guid), Kind.EPISODE, name)
        document = dict(stored.document)

    def write() -> None:
        with database.session() as session:
            resources.replace_resource(
                session,
                _production(session, guid),
                Kind.EPISODE,
                name,
                parse_resource(document),
                if_match=None,
                base_url=base_url,
            )

    def episode_preflight() -> None:
        with database.session() as session:
            production = _production(session, guid)
            episode = resources.get_resource(session, production, Kind.EPISODE, name)
            preflight.findings(session, production, episode, base_url=base_url, now=2**31)

    def show_preflight() -> None:
        with database.session() as session:
            production = _production(session, guid)
            show = (
                session.query(Resource).filter_by(production_guid=guid, kind=Kind.SHOW.value).one()
            )
            preflight.findings(session, production, show, base_url=base_url, now=2**31)

    def whole_lint() -> None:
        with database.session() as session:
            mapped = load_production(session, _production(session, guid), base_url=base_url)
        assert mapped.show is not None
        feeds.lint(mapped.show, mapped.episodes, now=2**31)

    written = median_ms(write, args.repeat)
    episode_ms = median_ms(episode_preflight, args.repeat)
    show_ms = median_ms(show_preflight, args.repeat)
    whole = median_ms(whole_lint, max(3, args.repeat // 10))
    print(f"show of {args.episodes} episodes, medians:")
    print(f"  episode write (replace, committed)   {written:8.2f} ms   reference")
    print(
        f"  episode preflight                    {episode_ms:8.2f} ms   "
        f"{episode_ms / written:.2f}x the write   (target <= 1x)"
    )
    print(f"  show preflight                       {show_ms:8.2f} ms   {show_ms / written:.2f}x")
    print(
        f"  whole-production lint (the build's)  {whole:8.2f} ms   "
        f"preflight is {episode_ms / whole:.4f} of it"
    )


def _production(session: Session, guid: str) -> Production:
    from podops.models import Production

    production = session.get(Production, guid)
    assert production is not None
    return production


if __name__ == "__main__":
    main()
