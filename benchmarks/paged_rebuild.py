"""A rebuild of a paged 10,000-episode show: reading its archive pages back, or knowing them.

    python benchmarks/paged_rebuild.py [--episodes 10000] [--page 100] [--rounds 5] [--s3]
                                       [--access public|both]

The show (100 episodes a page: a main feed and 99 archive pages) is seeded through the service
layer as `worker_build.py` seeds it (SQLite), and published once. Then rebuilds that change
nothing, as a worker runs them (`build_feed`, its item cache warm), alternate between
- read back: the recorded page hashes cleared before each build, so that it reads every
  stored page back and hashes it, as every build did before the hashes were recorded (and as
  the first build of each production after migration 0012 still does, once);
- recorded: the hashes the build before recorded, no page read.
Both render every page (to hash it) and write none. Printed: the median of `--rounds` of each,
in wall and CPU seconds, and each build's storage calls and bytes read.

`--access both` gives the show a private feed too (all 10,000 episodes, unpaged), which
each build renders and publishes beside the public one when it differs.

Local storage by default; `--s3` starts moto's S3 server and keeps the store there, so that
each read is an HTTP GET over loopback, as each is a GET to S3 in production (where a round
trip costs more than on loopback).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks._load import free_port  # noqa: E402 — after the path is set
from benchmarks.direct_upload import wait_for  # noqa: E402
from benchmarks.worker_build import seed  # noqa: E402

if TYPE_CHECKING:
    from podops.runtime import Runtime
    from podops.storage import ObjectStream, Storage

BUCKET = "podops-bench"


class CountingStorage:
    """The runtime's storage, counting each call by method and the bytes read."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self.calls: Counter[str] = Counter()
        self.bytes_read = 0

    def open(self, key: str, *, start: int = 0, end: int | None = None) -> ObjectStream:
        self.calls["open"] += 1
        stream = self._storage.open(key, start=start, end=end)
        counter = self

        class Counted:
            def read(self, size: int = -1, /) -> bytes:
                data = stream.read(size)
                counter.bytes_read += len(data)
                return data

            def close(self) -> None:
                stream.close()

            def __enter__(self) -> Counted:
                return self

            def __exit__(self, *_: object) -> None:
                stream.close()

        return cast("ObjectStream", Counted())

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._storage, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return method(*args, **kwargs)

        return counted


def rebuild(runtime: Runtime, guid: str, *, read_back: bool) -> dict[str, Any]:
    """One build that changes nothing; its times and storage calls."""
    from podops.jobs import BuildJob
    from podops.models import FeedState
    from podops.publish.pipeline import build_feed
    from podops.storage import Storage

    if read_back:
        with runtime.database.session() as session:
            state = session.get(FeedState, guid)
            assert state is not None
            state.archive_sha256 = None
    counting = CountingStorage(runtime.storage)
    watched = replace(runtime, storage=cast(Storage, counting))
    started, cpu = time.perf_counter(), time.process_time()
    result = build_feed(watched, BuildJob(production=guid), operation_id="bench")
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    if result["changed"] or result.get("pages_written") or result.get("private_changed"):
        raise SystemExit(f"a rebuild that changes nothing wrote something: {result}")
    return {
        "seconds": seconds,
        "cpu": cpu_seconds,
        "calls": dict(counting.calls),
        "bytes_read": counting.bytes_read,
        "pages": result["pages"],
    }


def start_moto(work: Path) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    """moto's S3 server with the bucket made; the settings' variables of a store there."""
    import boto3

    port = free_port()
    moto = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-p", str(port), "-H", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    wait_for(endpoint, moto, "moto")
    credentials = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}
    boto3.session.Session().client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", **credentials
    ).create_bucket(Bucket=BUCKET)
    return moto, {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_EC2_METADATA_DISABLED": "true",
        "PODOPS_STORAGE_URL": f"s3://{BUCKET}/media",
        "PODOPS_S3_ENDPOINT_URL": endpoint,
        "PODOPS_S3_PATH_STYLE": "true",
        "PODOPS_S3_REGION": "us-east-1",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=10_000)
    parser.add_argument("--page", type=int, default=100, help="episodes a page (feed_episodes)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--s3", action="store_true", help="keep the store in moto's S3 server")
    parser.add_argument("--access", choices=["public", "both"], default="public")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="podops-bench-paged-"))
    moto: subprocess.Popen[bytes] | None = None
    try:
        os.environ.update(PODOPS_DATA_DIR=str(work / "data"), PODOPS_LOG_LEVEL="WARNING")
        if args.s3:
            moto, variables = start_moto(work)
            os.environ.update(variables)
        started = time.perf_counter()
        guid = seed(work, args.episodes, page_size=args.page, access=args.access)
        seeded = time.perf_counter() - started
        figures = measure(guid, args.rounds)
    finally:
        if moto is not None:
            moto.terminate()
            moto.wait(10)
        shutil.rmtree(work, ignore_errors=True)

    store = "moto's S3 server" if args.s3 else "local storage"
    pages = figures["recorded"][0]["pages"]
    print(f"{args.episodes} episodes, {args.page} a page: the main feed and {pages - 1} pages")
    print(
        f"(seeded in {seeded:.0f} s; SQLite, {store}, access {args.access};"
        f" median of {args.rounds} rebuilds each)"
    )
    print(f"{'rebuild, nothing changed':<26}{'wall s':>8}{'CPU s':>8}{'reads':>7}{'MB read':>9}")
    median: dict[str, float] = {}
    for name, runs in figures.items():
        median[name] = statistics.median(run["seconds"] for run in runs)
        cpu = statistics.median(run["cpu"] for run in runs)
        reads = runs[-1]["calls"].get("open", 0)
        megabytes = runs[-1]["bytes_read"] / 1e6
        print(f"{name:<26}{median[name]:>8.2f}{cpu:>8.2f}{reads:>7}{megabytes:>9.1f}")
        calls = ", ".join(
            f"{method} {count}" for method, count in sorted(runs[-1]["calls"].items())
        )
        print(f"{'':<26}storage calls: {calls}")
    print(f"recorded / read back: {median['recorded'] / median['read back']:.2f}x wall time")


def measure(guid: str, rounds: int) -> dict[str, list[dict[str, Any]]]:
    from benchmarks._seed import worker_runtime
    from podops.db import Database
    from podops.jobs import BuildJob
    from podops.publish.pipeline import build_feed
    from podops.settings import Settings

    settings = Settings.from_env().with_secret()
    runtime = worker_runtime(settings, Database(settings.database_url))
    first = build_feed(runtime, BuildJob(production=guid), operation_id="bench")
    if first["pages_written"] != first["pages"] - 1:
        raise SystemExit(f"the first build did not write every page: {first}")
    rebuild(runtime, guid, read_back=False)  # a warm-up: the item cache is filled
    figures: dict[str, list[dict[str, Any]]] = {"read back": [], "recorded": []}
    for _ in range(rounds):
        figures["read back"].append(rebuild(runtime, guid, read_back=True))
        figures["recorded"].append(rebuild(runtime, guid, read_back=False))
    return figures


if __name__ == "__main__":
    main()
