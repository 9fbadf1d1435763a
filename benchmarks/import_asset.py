"""Import throughput of a large file beside a plain download of it with the same HTTP client.

    python benchmarks/import_asset.py [--megabytes 200]

A local HTTP server (in a thread of its own process) serves an MP3 of the given size. The
reference downloads it with httpx/httpcore — the client podops' fetcher is built on — to a file.
The import runs the worker's pipeline in this process: the SSRF-checked, address-pinned
download with its SHA-256, the probe, and storing the asset (a rename into local storage).
Issue 7's target: import >= 0.7x the plain download.
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
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

MB = 1024 * 1024

SERVER = """
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from functools import partial

class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args): pass

server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=sys.argv[1]))
print(server.server_address[1], flush=True)
server.serve_forever()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    import httpx

    from benchmarks._seed import bench_production, worker_runtime
    from benchmarks.upload import make_mp3
    from podops import migrate
    from podops.db import Database
    from podops.settings import Settings

    work = Path(tempfile.mkdtemp(prefix="podops-bench-"))
    served = work / "served"
    served.mkdir()
    make_mp3(served / "big.mp3", args.megabytes * MB)
    size = (served / "big.mp3").stat().st_size
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(served)], stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None
    port = int(server.stdout.readline())
    url = f"http://127.0.0.1:{port}/big.mp3"
    os.environ.update(
        PODOPS_DATA_DIR=str(work / "data"),
        PODOPS_LOG_LEVEL="WARNING",
        PODOPS_FETCH_ALLOW=f"127.0.0.1:{port}",
    )
    settings = Settings.from_env().with_secret()
    database = Database(settings.database_url)
    migrate.upgrade(database)

    from podops.imports.asset import import_asset
    from podops.jobs import ImportAssetJob

    runtime = worker_runtime(settings, database)
    with database.session() as session:
        production_guid = bench_production(session, "bench-production", "B").guid

    def plain_download() -> float:
        target = work / "plain.mp3"
        started = time.perf_counter()
        with httpx.stream("GET", url) as response, target.open("wb") as out:
            for chunk in response.iter_raw(1024 * 1024):
                out.write(chunk)
        elapsed = time.perf_counter() - started
        target.unlink()
        return elapsed

    def imported(round_number: int) -> float:
        storage_dir = work / "data" / "storage"
        if storage_dir.exists():
            shutil.rmtree(storage_dir)  # a fresh store each round: the bytes are stored anew
        with database.session() as session:
            from sqlalchemy import delete

            from podops.models import Resource

            session.execute(delete(Resource))
        job = ImportAssetJob(production=production_guid, url=url)
        started = time.perf_counter()
        result = import_asset(runtime, job, operation_id=f"bench{round_number}")
        elapsed = time.perf_counter() - started
        assert result["size"] == size, result
        return elapsed

    try:
        plain_download()  # warm the page cache and the connection paths
        # Alternated, so a slow spell of the machine falls on both sides alike.
        plains: list[float] = []
        imports: list[float] = []
        for round_number in range(args.rounds):
            plains.append(plain_download())
            imports.append(imported(round_number))
    finally:
        server.terminate()
        shutil.rmtree(work)
    mib = size / MB
    print(f"{mib:.0f} MiB over HTTP on loopback, {args.rounds} alternated rounds")
    print(f"{'what':<42}{'best MiB/s':>12}{'median MiB/s':>14}")
    for label, times in (
        ("plain download (httpx, to a file)", plains),
        ("import (fetch + sha256 + probe + store)", imports),
    ):
        print(f"{label:<42}{mib / min(times):>12.0f}{mib / statistics.median(times):>14.0f}")
    print(
        f"import / plain: best {min(plains) / min(imports):.2f}x, "
        f"median {statistics.median(plains) / statistics.median(imports):.2f}x"
        "   (target: >= 0.70x)"
    )


if __name__ == "__main__":
    main()
