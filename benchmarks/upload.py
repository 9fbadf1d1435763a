"""Upload throughput and server memory for a large file, beside `cp` and `sha256sum`.

    python benchmarks/upload.py [--megabytes 1024]

Makes an MP3 of the given size (CBR frames), serves the real app on uvicorn (one process,
embedded defaults in a temporary directory) and uploads the file with curl, once as the raw
body and once as multipart, each on a fresh server whose peak resident memory (VmHWM) is read
from /proc. The references read the same file from the page cache: `cp` to the same disk and
`sha256sum`. Issue 5's targets: raw-body upload at >= 0.5x the slower reference, and peak
memory growth <= 64 MB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks._load import free_port  # noqa: E402 — needs the path above

MB = 1024 * 1024


def make_mp3(path: Path, size: int) -> None:
    from tests.media.mpeg_frames import cbr_44100

    block = cbr_44100(frames=441 * 20)  # whole padding cycles, so blocks join seamlessly
    with path.open("wb") as out:
        written = 0
        while written + len(block) <= size:
            out.write(block)
            written += len(block)


def memory_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for {pid}")


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def upload(data_dir: Path, media: Path, mode: str, token_env: dict[str, str]) -> tuple[float, int]:
    """Seconds to upload `media` in `mode`, and the server's peak memory growth in KiB."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "podops.cli", "web", "--port", str(port)], env=token_env
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            if (
                subprocess.run(
                    ["curl", "-sf", base + "/healthz"], stdout=subprocess.DEVNULL
                ).returncode
                == 0
            ):
                break
            time.sleep(0.1)
        idle = memory_kib(server.pid, "VmRSS")
        auth = f"Authorization: Bearer {token_env['BENCH_TOKEN']}"
        url = f"{base}/a/v1/upload/bench-production?name=bench-{mode}"
        common = ["curl", "-sf", "-o", "/dev/null", "-H", auth]
        if mode == "raw":
            # -T streams the file; --data-binary would read it whole into curl's memory first.
            command = [*common, "-X", "POST", "-T", str(media), "-H", "Content-Type: audio/mpeg"]
        else:
            command = [*common, "-F", f"asset=@{media};type=audio/mpeg"]
        command.append(url)
        seconds = timed(command)
        peak = memory_kib(server.pid, "VmHWM")
        return seconds, peak - idle
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=1024)
    args = parser.parse_args()
    if shutil.which("curl") is None:
        raise SystemExit("this benchmark needs curl")

    from podops import migrate
    from podops.auth import ALL_SCOPES, Principal
    from podops.auth.users import create_user
    from podops.db import Database
    from podops.resources import ProductionCreate
    from podops.runtime import Runtime
    from podops.services import productions
    from podops.settings import Settings

    work = Path(tempfile.mkdtemp(prefix="podops-bench-"))
    data_dir = work / "data"
    env = dict(
        os.environ,
        PODOPS_DATA_DIR=str(data_dir),
        PODOPS_LOG_LEVEL="WARNING",
        PODOPS_RATE_LIMIT="0",
        PODOPS_MAX_UPLOAD_BYTES=str(4 * 1024 * MB),
    )
    settings = Settings.from_env(env).with_secret()
    database = Database(settings.database_url)
    migrate.upgrade(database)
    context = Runtime.build(settings)
    with database.session() as session:
        user = create_user(session, "bench@example.com", admin=True)
        token, claims = context.authenticator.issue(session, user, scopes=frozenset(ALL_SCOPES))
        productions.create_production(
            session, Principal(claims), ProductionCreate(name="bench-production", title="Bench")
        )
    env["BENCH_TOKEN"] = token

    media = work / "bench.mp3"
    make_mp3(media, args.megabytes * MB)
    size = media.stat().st_size
    subprocess.run(["cat", str(media)], check=True, stdout=subprocess.DEVNULL)  # warm the cache
    copy_seconds = timed(["cp", str(media), str(work / "copy.mp3")])
    (work / "copy.mp3").unlink()
    hash_seconds = timed(["sha256sum", str(media)])
    results = {mode: upload(data_dir, media, mode, env) for mode in ("raw", "multipart")}
    shutil.rmtree(work)

    def rate(seconds: float) -> float:
        return size / MB / seconds

    slower = min(rate(copy_seconds), rate(hash_seconds))
    print(f"{size / MB:.0f} MiB file")
    print(f"{'what':<26}{'MiB/s':>10}{'vs slower ref':>15}{'peak growth':>14}")
    print(f"{'cp (reference)':<26}{rate(copy_seconds):>10.0f}")
    print(f"{'sha256sum (reference)':<26}{rate(hash_seconds):>10.0f}")
    for mode, (seconds, growth_kib) in results.items():
        print(
            f"{'upload, ' + mode:<26}{rate(seconds):>10.0f}{rate(seconds) / slower:>14.2f}x"
            f"{growth_kib / 1024:>11.1f} MB"
        )
    print("targets: raw upload >= 0.50x the slower reference; peak memory growth <= 64 MB")


if __name__ == "__main__":
    main()
