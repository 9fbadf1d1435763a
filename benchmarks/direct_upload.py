"""A large upload through the API beside the same file put directly in the store (S3).

    python benchmarks/direct_upload.py [--megabytes 1024] [--part-megabytes 16]

Starts moto's S3 server and `podops serve` (the API and a worker, embedded broker, SQLite) on
a bucket there, makes an MP3 of the given size and uploads it twice with `po`'s own code:

- through the API (the reference): `POST /a/v1/upload/{prod}`, streamed by the API process to
  a file, probed, then stored in the bucket — the answer is the asset;
- direct: the plan, the parts PUT to moto in parallel (`podops.client.direct_upload`), the
  completion, then waiting for the worker to read it back, probe it and store the asset.

Printed: end-to-end seconds and MiB/s of each until the asset exists, the direct path's time
until its bytes are in the store, and what the API process read meanwhile (/proc/PID/io
rchar: the request body, and the file again as it is sent on to the store). Both end in the
same asset (same SHA-256, size, duration), checked here.
moto keeps every object in memory: 1 GiB needs about 4 GiB of free memory.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks._load import free_port  # noqa: E402 — needs the path above
from benchmarks.upload import make_mp3  # noqa: E402

MB = 1024 * 1024
BUCKET = "podops-bench"


def wait_for(url: str, process: subprocess.Popen[bytes], what: str) -> None:
    import httpx

    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"{what} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"{what} did not answer at {url}")


def bytes_read(pid: int) -> int:
    """Bytes the process has read so far, from sockets and files alike (/proc/PID/io)."""
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise RuntimeError(f"no rchar for {pid}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=1024, help="file size in MiB")
    parser.add_argument("--part-megabytes", type=int, default=16, help="multipart part size")
    args = parser.parse_args()

    import boto3
    import httpx

    from podops import migrate
    from podops.auth import ALL_SCOPES, Principal
    from podops.auth.users import create_user
    from podops.client import direct_upload
    from podops.client.api import Client
    from podops.client.operations import wait_for as wait_for_operation
    from podops.db import Database
    from podops.resources import ProductionCreate
    from podops.runtime import Runtime
    from podops.services import productions
    from podops.settings import Settings

    work = Path(tempfile.mkdtemp(prefix="podops-bench-direct-"))
    moto_port, port = free_port(), free_port()
    moto = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-p", str(moto_port), "-H", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{moto_port}"
    serve: subprocess.Popen[bytes] | None = None
    try:
        wait_for(endpoint, moto, "moto")
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PODOPS_", "AWS_"))},
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_EC2_METADATA_DISABLED": "true",
            "PODOPS_DATA_DIR": str(work / "data"),
            "PODOPS_PORT": str(port),
            "PODOPS_LOG_LEVEL": "WARNING",
            "PODOPS_RATE_LIMIT": "0",
            "PODOPS_MAX_UPLOAD_BYTES": str(8 * 1024 * MB),
            "PODOPS_STORAGE_URL": f"s3://{BUCKET}/media",
            "PODOPS_S3_ENDPOINT_URL": endpoint,
            "PODOPS_S3_PATH_STYLE": "true",
            "PODOPS_S3_REGION": "us-east-1",
            "PODOPS_TASK_TIME_LIMIT": "3600",
        }
        boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",  # noqa: S106 (moto takes any)
        ).create_bucket(Bucket=BUCKET)
        settings = Settings.from_env(env).with_secret()
        database = Database(settings.database_url)
        migrate.upgrade(database)
        database.dispose()
        runtime = Runtime.build(settings)
        with runtime.database.session() as session:
            user = create_user(session, "bench@example.com", admin=True)
            token, claims = runtime.authenticator.issue(session, user, scopes=frozenset(ALL_SCOPES))
            for name in ("bench-through-api", "bench-direct-up"):
                productions.create_production(
                    session, Principal(claims), ProductionCreate(name=name, title=name)
                )
        runtime.close()

        serve = subprocess.Popen([sys.executable, "-m", "podops.cli", "serve"], env=env, cwd=work)
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/healthz", serve, "podops serve")

        media = work / "bench.mp3"
        make_mp3(media, args.megabytes * MB)
        size = media.stat().st_size
        sha256 = hashlib.sha256(media.read_bytes()).hexdigest()
        client = Client(base, token=token, timeout=3600)

        # Through the API: the answer is the asset.
        api_read = bytes_read(serve.pid)
        started = time.perf_counter()
        with media.open("rb") as stream:
            through_api: dict[str, Any] = client.request(
                "POST",
                "/a/v1/upload/bench-through-api",
                params={"filename": media.name},
                content=stream,
                headers={"Content-Type": "audio/mpeg"},
            )
        api_seconds = time.perf_counter() - started
        api_bytes = bytes_read(serve.pid) - api_read

        # Direct: plan, parts to the store, complete, the worker's asset.
        direct_read = bytes_read(serve.pid)
        started = time.perf_counter()
        planned = direct_upload.plan(client, "bench-direct-up", media, name=None, role="media")
        assert planned is not None, "the server offered no direct upload"
        if args.part_megabytes * MB != (planned.get("part_size") or args.part_megabytes * MB):
            print(f"(parts of {planned['part_size'] / MB:.0f} MiB)")
        operation = direct_upload.send(client, planned, media, lambda _count: None)
        stored_seconds = time.perf_counter() - started
        with open(os.devnull, "w") as quiet, _redirect_stderr(quiet):
            operation = wait_for_operation(client, operation, 3600)
        direct_seconds = time.perf_counter() - started
        direct_api_bytes = bytes_read(serve.pid) - direct_read
        if operation["status"] != "Success":
            raise SystemExit(f"the direct upload failed: {operation['error']}")
        direct = operation["result"]["asset"]["description"]
        reference = through_api["asset"]["description"]
        for fact in ("sha256", "size", "duration", "type"):
            assert direct[fact] == reference[fact], (fact, direct[fact], reference[fact])
        assert direct["sha256"] == sha256
        client.close()
        httpx.get(base + "/healthz")
    finally:
        if serve is not None:
            serve.terminate()
            serve.wait(60)
        moto.terminate()
        moto.wait(10)
        shutil.rmtree(work, ignore_errors=True)

    def rate(seconds: float) -> float:
        return size / MB / seconds

    print(f"{size / MB:.0f} MiB file, parts of {planned.get('part_size', size) / MB:.0f} MiB")
    print(f"{'what':<40}{'seconds':>9}{'MiB/s':>8}{'vs API':>8}{'API read':>11}")
    print(
        f"{'through the API (reference)':<40}{api_seconds:>9.1f}{rate(api_seconds):>8.0f}"
        f"{1:>7.2f}x{api_bytes / MB:>6.0f} MiB"
    )
    print(
        f"{'direct: bytes in the store':<40}{stored_seconds:>9.1f}{rate(stored_seconds):>8.0f}"
        f"{api_seconds / stored_seconds:>7.2f}x"
    )
    print(
        f"{'direct: the asset made by the worker':<40}{direct_seconds:>9.1f}"
        f"{rate(direct_seconds):>8.0f}{api_seconds / direct_seconds:>7.2f}x"
        f"{direct_api_bytes / MB:>6.0f} MiB"
    )
    print(
        "same asset both ways (sha256, size, duration, type). Target: the direct path's media "
        "never pass through the API process (it reads only the small JSON requests)."
    )


def _redirect_stderr(stream: Any) -> Any:
    import contextlib

    return contextlib.redirect_stderr(stream)


if __name__ == "__main__":
    main()
