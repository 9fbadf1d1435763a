"""Serving a large feed plain and gzip-compressed, and a paged feed's main document, in one run.

    python benchmarks/feed_delivery.py [--episodes 1000] [--seconds 5] [--rounds 3]

Renders a feed of N episodes (each with notes of its own, a transcript and chapters, as a
real show has), publishes it as a build does (`podops.publish.compressed.put_feed`: the
gzip copy made once) into local storage, and serves it with podops' own feed route in a
uvicorn process (uvloop, httptools, one process), measured by wrk:

  plain         Accept-Encoding: identity
  gzip          Accept-Encoding: gzip: the copy compressed at publish
  gzip/request  the same app behind Starlette's GZipMiddleware compressing each response
                (the reference: what compressing per request would cost)

It prints the bytes on the wire and req/s of each, with the ratios; then the size of the main
feed of a 10,000-episode show with paging off and on (100 episodes a page), with gzip.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks._load import free_port, run_app  # noqa: E402 — needs the path above

GUID = "0123456789ab"
NOW = 1_735_689_600
NOTES = (
    "In this episode we talk about **feeds**, how podcatchers poll them every hour, and why "
    "a catalogue of a thousand episodes makes every poll a download of megabytes. "
    "[Show notes](https://example.com/notes) and a list:\n\n- one\n- two\n- three\n"
)


# Words to make each episode's notes its own: identical notes would compress far better
# than any real show's do.
VOCABULARY = [
    "audio",
    "guest",
    "interview",
    "history",
    "science",
    "music",
    "season",
    "story",
    "listener",
    "question",
    "answer",
    "microphone",
    "studio",
    "archive",
    "city",
    "river",
    "election",
    "market",
    "research",
    "book",
    "author",
    "film",
    "game",
    "coffee",
    "morning",
    "evening",
    "weekend",
    "journey",
    "language",
    "theory",
    "data",
    "network",
    "privacy",
    "energy",
    "climate",
    "garden",
    "kitchen",
    "recipe",
    "football",
    "league",
    "championship",
    "trial",
    "court",
    "law",
    "policy",
    "startup",
    "founder",
    "product",
    "design",
    "engineer",
    "software",
    "hardware",
    "robot",
    "planet",
    "telescope",
]


def notes(n: int) -> str:
    words = random.Random(n).choices(VOCABULARY, k=60)
    return f"{NOTES}\n{' '.join(words).capitalize()} (episode {n})."


def episodes(count: int) -> list[Any]:
    import feeds

    made = []
    for n in range(1, count + 1):
        guid = f"{n:012x}"
        made.append(
            feeds.Episode(
                guid=guid,
                title=f"Episode {n}: a title of a usual length",
                published=NOW - (count - n + 1) * 86_400,
                enclosure=feeds.Enclosure(
                    f"https://cdn.example.com/media/{guid}.mp3", 40_000_000 + n, "audio/mpeg"
                ),
                notes_markdown=notes(n),
                duration=3600.0 + n,
                link=f"https://example.com/episodes/{n}",
                number=n,
                transcripts=(
                    feeds.Transcript(f"https://cdn.example.com/media/{guid}.vtt", "text/vtt"),
                ),
                chapters=feeds.Chapters(f"https://cdn.example.com/media/{guid}.json"),
            )
        )
    return made


def show() -> Any:
    import feeds

    return feeds.Show(
        title="The Benchmark Show",
        summary_markdown="A show to measure feeds with.",
        feed_url=f"https://podops.example.com/f/{GUID}/feed.xml",
        language="en-us",
        categories=(feeds.Category("Technology"),),
        explicit=False,
        owner=feeds.Owner("Bench", "bench@example.com"),
    )


def publish(storage_dir: Path, count: int) -> tuple[int, int]:
    """The feed of `count` episodes published in `storage_dir`; its plain and gzip sizes."""
    import feeds
    from podops.publish.compressed import put_feed
    from podops.services.feed_moves import feed_metadata
    from podops.storage._local import LocalStorage
    from podops.storage.keys import feed_key, gzip_key

    storage = LocalStorage(storage_dir)
    rendered = storage_dir / "rendered.xml"
    rendered.write_bytes(feeds.render(show(), episodes(count), now=NOW))
    # With the show's move (none) in its metadata, as a build stores it.
    put_feed(storage, feed_key(GUID), rendered, metadata=feed_metadata(None))
    return storage.head(feed_key(GUID)).size, storage.head(gzip_key(feed_key(GUID))).size


def serve(port: int, per_request: bool) -> None:
    from starlette.middleware.gzip import GZipMiddleware

    from podops.api import create_app
    from podops.settings import Settings

    app: Any = create_app(Settings.from_env().with_secret())
    if per_request:
        # The app sees no Accept-Encoding, so it sends the plain feed, which the middleware
        # (which did see it) compresses on the way out, as a server without a copy would.
        app = GZipMiddleware(_without_accept_encoding(app), minimum_size=500, compresslevel=6)
    run_app(app, port)


def _without_accept_encoding(app: Any) -> Any:
    async def stripped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = [(k, v) for k, v in scope["headers"] if k != b"accept-encoding"]
            scope = {**scope, "headers": headers}
        await app(scope, receive, send)

    return stripped


def paged_sizes(count: int, size: int) -> tuple[int, int, int, int]:
    """The main feed of `count` episodes unpaged and paged by `size`: bytes, and gzip bytes."""
    import feeds

    made = episodes(count)
    whole = feeds.render(show(), made, now=NOW)
    pages = feeds.paginate(
        made,
        now=NOW,
        size=size,
        feed_url=show().feed_url,
        page_url=lambda n: f"https://podops.example.com/f/{GUID}/archive/{n}.xml",
    )
    main = feeds.render(show(), pages[0].episodes, now=NOW, links=pages[0].links)
    return len(whole), len(gzip.compress(whole, 9)), len(main), len(gzip.compress(main, 9))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--serve", choices=["podops", "per-request"])
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    if args.serve:
        serve(args.port, per_request=args.serve == "per-request")
        return

    import httpx

    from benchmarks._load import load_generator, requests_per_second
    from benchmarks._load import serve as serving

    data_dir = Path(tempfile.mkdtemp(prefix="podops-bench-feed-"))
    storage_dir = data_dir / "storage"
    storage_dir.mkdir()
    plain_size, gzip_size = publish(storage_dir, args.episodes)
    env = dict(
        os.environ,
        PODOPS_DATA_DIR=str(data_dir),
        PODOPS_STORAGE_URL=f"file://{storage_dir}",
        PODOPS_LOG_LEVEL="WARNING",
    )
    os.environ.update(env)
    from podops import migrate
    from podops.db import Database

    database = Database(f"sqlite:///{data_dir / 'podops.sqlite3'}")
    migrate.upgrade(database)
    database.dispose()

    path = f"/f/{GUID}/feed.xml"
    cases = {
        "plain": ("podops", {"Accept-Encoding": "identity"}),
        "gzip": ("podops", {"Accept-Encoding": "gzip"}),
        "gzip/request": ("per-request", {"Accept-Encoding": "gzip"}),
    }
    print(
        f"a feed of {args.episodes} episodes; {args.rounds} alternated rounds of "
        f"{args.seconds}s; load by {load_generator()}, {args.threads} threads, "
        f"{args.connections} connections"
    )
    wire: dict[str, int] = {}
    results: dict[str, list[float]] = {}
    script = Path(__file__).resolve()
    for round_number in range(1, args.rounds + 1):
        for name, (server, headers) in cases.items():
            with serving(script, server, free_port(), env) as base:
                with httpx.stream("GET", base + path, headers=headers) as response:
                    response.raise_for_status()
                    wire[name] = len(b"".join(response.iter_raw()))
                requests_per_second(base + path, headers, 1, args.connections, args.threads)
                rps = requests_per_second(
                    base + path, headers, args.seconds, args.connections, args.threads
                )
                results.setdefault(name, []).append(rps)
                print(f"  round {round_number}  {name:<13}{rps:>9.0f} req/s")
    median = {name: statistics.median(values) for name, values in results.items()}
    print()
    print(f"stored: {plain_size:,} bytes plain, {gzip_size:,} bytes gzip (made once at publish)")
    print(f"{'served':<14}{'bytes/response':>16}{'req/s':>9}{'MB/s on wire':>14}  vs plain")
    for name in cases:
        megabytes = wire[name] * median[name] / 1e6
        print(
            f"{name:<14}{wire[name]:>16,}{median[name]:>9.0f}{megabytes:>14.1f}  "
            f"{wire[name] / wire['plain']:.2f}x bytes, {median[name] / median['plain']:.2f}x req/s"
        )
    ratio = median["gzip"] / median["gzip/request"]
    print(f"precompressed gzip vs gzip per request: {ratio:.1f}x req/s (reference: > 1x)")
    print()
    whole, whole_gz, main_feed, main_gz = paged_sizes(10_000, 100)
    print("main feed of a 10,000-episode show:")
    print(f"  paging off      {whole:>12,} bytes  {whole_gz:>10,} gzip")
    print(f"  paging on (100) {main_feed:>12,} bytes  {main_gz:>10,} gzip")
    print(f"  paged main feed is {whole / main_feed:.0f}x smaller ({whole_gz / main_gz:.0f}x gzip)")


if __name__ == "__main__":
    main()
