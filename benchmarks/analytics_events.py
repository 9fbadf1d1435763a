"""Media events per second: the download logging path and the counting, beside plain SQL.

    python benchmarks/analytics_events.py [--events 200000] [--database URL]

On SQLite in a temporary directory unless `--database` names another (an empty PostgreSQL
database, say: `createdb -h 127.0.0.1 -U postgres podops_bench` then
`--database postgresql+psycopg://postgres@127.0.0.1/podops_bench`). It seeds a production
with 20 episodes (50 MB, 50 minutes each) and makes `--events` requests from a third as many
addresses with a mix of podcatchers and bots, 60% whole files and 40% in 512 KiB ranges, over
three days. Then it measures, each next to its reference:

  noted()          the route's hook: range, note, in memory      vs one INSERT + COMMIT each
  flush()          the writer: salt, hash, class, batched INSERT   vs executemany of ready rows
  aggregate()      the workers' counting, incremental, in batches  vs a bare SQL GROUP BY
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

EPISODES = 20
SIZE = 50_000_000
DURATION = 3000.0
CHUNK = 512 * 1024
DAY = 86400
START = 20_400 * DAY  # 2025-11-08 (UTC)
AGENTS = [
    "Podcasts/1650.20 CFNetwork/1404.0.5 Darwin/22.3.0",
    "AppleCoreMedia/1.0.0.20E247 (iPhone; U; CPU OS 16_4 like Mac OS X; en_us)",
    "Overcast/3.0 (+http://overcast.fm/; iOS podcast app)",
    "Spotify/8.8.0 Android/33 (SM-G991B)",
    "AntennaPod/3.2.0",
    "Pocket Casts",
    "PodcastAddict/v5 (Linux; U; Android 13; en_US)",
    "Castro 2023.5/1234 Like iTunes",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Safari/537.36",
    "Googlebot/2.1 (+http://www.google.com/bot.html)",
    "curl/8.0.1",
    "python-httpx/0.27.0",
]


def seed(database: Any) -> tuple[str, list[str]]:
    """The production and its media files' names."""
    import hashlib

    from benchmarks._seed import bench_production
    from podops.models import Resource
    from podops.names import new_guid

    with database.session() as session:
        production = bench_production(session, "analytics-bench", "Analytics benchmark")
        files = []
        for number in range(EPISODES):
            sha = hashlib.sha256(str(number).encode()).hexdigest()
            files.append(f"{sha}.mp3")
            asset, episode = f"audio-{number:04d}", f"episode-{number:04d}"
            description = {"size": SIZE, "duration": DURATION, "sha256": sha}
            for kind, name, document, sha256 in (
                ("asset", asset, {"description": description}, sha),
                ("episode", episode, {"enclosure": {"rel": "asset", "name": asset}}, None),
            ):
                session.add(
                    Resource(
                        guid=new_guid(),
                        production_guid=production.guid,
                        kind=kind,
                        name=name,
                        document={"kind": kind, "metadata": {"name": name}, **document},
                        sha256=sha256,
                        etag='"bench"',
                        date=START,
                        created_at=START,
                        updated_at=START,
                    )
                )
        return production.guid, files


def requests(count: int, production: str, files: list[str]) -> list[Any]:
    from podops.analytics.events import MediaRequest

    rng = random.Random(15)
    addresses = [
        f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}"
        for _ in range(max(1, count // 3))
    ]
    made = []
    for number in range(count):
        at = START + number * (3 * DAY) // count
        if rng.random() < 0.6:
            first, last = 0, None
        else:
            first = rng.randrange(0, SIZE // CHUNK) * CHUNK
            last = first + CHUNK - 1
        made.append(
            MediaRequest(
                at,
                production,
                rng.choice(files),
                rng.choice(addresses),
                rng.choice(AGENTS),
                first,
                last,
            )
        )
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--database", default="")
    args = parser.parse_args()

    from sqlalchemy import delete, insert, text

    from podops import migrate
    from podops.analytics.aggregate import SETTLE_SECONDS, aggregate
    from podops.analytics.events import DownloadLog, MediaRequest, requested_bytes
    from podops.db import Database
    from podops.models import DownloadEvent

    data_dir = Path(tempfile.mkdtemp(prefix="podops-bench-"))
    os.environ.update(PODOPS_DATA_DIR=str(data_dir), PODOPS_LOG_LEVEL="WARNING")
    url = args.database or f"sqlite:///{data_dir / 'podops.sqlite3'}"
    database = Database(url)
    migrate.upgrade(database)
    production, files = seed(database)
    made = requests(args.events, production, files)
    print(f"{args.events:,} media events on {url.split(':')[0]}, {EPISODES} episodes")
    results: list[tuple[str, float, str, float]] = []

    # The request path: what a delivery route spends on counting, beside writing each event.
    # As `podops.api.download_log.noted` does it: the range asked for, the note, appended.
    log = DownloadLog(database, batch=len(made) + 1, interval=3600)
    started = time.perf_counter()
    for request in made:
        first, last = requested_bytes(
            "GET", 206, range_header="bytes=0-1023", content_range="bytes 0-1023/50000000"
        )
        log.note(
            MediaRequest(
                time.time(),
                request.production,
                request.media,
                request.address,
                request.user_agent,
                first,
                last,
            )
        )
    noted = time.perf_counter() - started
    sample = made[: min(2000, len(made))]
    row = {
        "at": 0,
        "day": 0,
        "production": production,
        "media": files[0],
        "listener": "0" * 32,
        "listening": True,
        "app": "x",
        "platform": "x",
        "first_byte": 0,
        "last_byte": None,
    }
    started = time.perf_counter()
    for _ in sample:
        with database.session() as session:
            session.execute(insert(DownloadEvent.__table__), [row])
    one_by_one = time.perf_counter() - started
    results.append(
        (
            "noted() (the route's hook)",
            len(made) / noted,
            "INSERT+COMMIT each",
            len(sample) / one_by_one,
        )
    )
    with database.session() as session:
        session.execute(delete(DownloadEvent))

    # The writer: batches as the writer thread takes them, beside the bare executemany.
    log = DownloadLog(database, batch=len(made) + 1, interval=3600)
    started = time.perf_counter()
    for first in range(0, len(made), 2000):
        for request in made[first : first + 2000]:
            log.note(request)
        log.flush()
    flushed = time.perf_counter() - started
    log.close()
    rows = [dict(row, at=number) for number in range(len(made))]
    started = time.perf_counter()
    for first in range(0, len(rows), 2000):
        with database.session() as session:
            session.execute(insert(DownloadEvent.__table__), rows[first : first + 2000])
    bare_insert = time.perf_counter() - started
    results.append(
        (
            "flush() in batches of 2,000",
            len(made) / flushed,
            "executemany, ready rows",
            len(rows) / bare_insert,
        )
    )
    with database.session() as session:
        session.execute(delete(DownloadEvent).where(DownloadEvent.app == "x"))

    # The counting: an earlier run set the horizon; this one counts everything.
    now = START + 3 * DAY + 600
    aggregate(database, now=now - SETTLE_SECONDS, keep_raw_days=30)
    started = time.perf_counter()
    report = aggregate(database, now=now, keep_raw_days=30)
    counted = time.perf_counter() - started
    assert report.events == len(made), report
    started = time.perf_counter()
    with database.reading() as connection:
        groups = connection.execute(
            text(
                "SELECT day, production, media, listener, COUNT(*), MIN(first_byte) "
                "FROM download_events WHERE listening GROUP BY day, production, media, listener"
            )
        ).all()
    grouped = time.perf_counter() - started
    results.append(
        (
            "aggregate() (IAB counting)",
            len(made) / counted,
            "bare SQL GROUP BY",
            len(made) / grouped,
        )
    )

    print(f"{report.downloads:,} downloads counted from {len(groups):,} listener-file-days")
    print()
    print(f"{'measured':<30}{'events/s':>13}   {'reference':<26}{'events/s':>13}{'ratio':>9}")
    for label, value, reference, reference_value in results:
        print(
            f"{label:<30}{value:>13,.0f}   {reference:<26}{reference_value:>13,.0f}"
            f"{value / reference_value:>9.1f}"
        )
    database.dispose()


if __name__ == "__main__":
    main()
