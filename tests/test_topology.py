"""The production topology: the Procfile's processes on PostgreSQL, Redis and S3.

The release step migrates; then two `podops web` (two ports, as honcho gives them), two
`podops worker` and one `podops beat` run as real processes, each started with its Procfile
command, on a PostgreSQL database, a Redis queue and a bucket on moto's S3 server (feeds and
media reached through the web's public routes, which redirect to presigned bucket URLs). The
producer's scenario runs through them; then, while both workers are busy with an import, one
web process and one worker are SIGKILLed, and the scenario runs again through what is left.
Nothing may be lost: every operation finishes (the killed worker's import is taken up again
once its claim runs out and the beat's sweeper sends it again), every feed is served.

Not under honcho itself: honcho stops every process once one exits, so a kill would end it all.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from podops.models import Operation
from podops.runtime import Runtime
from podops.settings import Settings
from tests.conftest import TEST_SECRET, make_settings
from tests.fetch.servers import Handler, LocalServer, Route, body, running
from tests.media.mpeg_frames import cbr_44100
from tests.support.auth import bearer, token_for
from tests.support.processes import (
    ServiceProcess,
    free_port,
    http_answers,
    process_env,
    procfile_commands,
    wait_until,
)
from tests.support.producer import IMPORTED_MP3, SCOPES, assert_feed_served, produce
from tests.support.s3 import s3_environment, use_dummy_aws_credentials

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

# The killed worker's claim runs out after the time limit and a fixed 30 s of grace; then the
# sweeper (every 2 s) sends its operation again.
TIME_LIMIT = 20
SLOW_SECONDS = 3.0


def slow_body(data: bytes, seconds: float) -> Route:
    """The whole of `data`, dribbled over `seconds`: an import a worker is busy with."""

    def route(handler: Handler) -> None:
        handler.send_head(200, {"Content-Type": "audio/mpeg", "Content-Length": str(len(data))})
        pieces = 10
        step = -(-len(data) // pieces)
        for start in range(0, len(data), step):
            if not handler.write_raw(data[start : start + step]):
                return
            if handler.stopping.wait(seconds / pieces):
                return

    return route


@pytest.fixture
def media_host() -> Iterator[LocalServer]:
    with running(LocalServer()) as server:
        server.routes["/audio.mp3"] = body(IMPORTED_MP3)
        for number in (1, 2):
            server.routes[f"/slow-{number}.mp3"] = slow_body(
                cbr_44100(frames=700 + number), SLOW_SECONDS
            )
        yield server


@pytest.fixture
def topology_settings(
    tmp_path: Path,
    postgres_databases: Callable[..., str],
    redis_url: str,
    moto_endpoint: str,
    s3_bucket: str,
    media_host: LocalServer,
    monkeypatch: pytest.MonkeyPatch,
) -> Settings:
    use_dummy_aws_credentials(monkeypatch)
    prefix = f"topology-{secrets.token_hex(4)}"
    return make_settings(
        tmp_path,
        PODOPS_ENV="production",
        PODOPS_JWT_SECRET=TEST_SECRET,
        PODOPS_BASE_URL="http://podops.test",  # the load balancer's URL, in links and tokens
        PODOPS_DATABASE_URL=postgres_databases(),
        PODOPS_BROKER_URL=redis_url,
        **s3_environment(moto_endpoint, s3_bucket, f"{prefix}"),
        PODOPS_FETCH_ALLOW=media_host.allow,
        PODOPS_TASK_TIME_LIMIT=str(TIME_LIMIT),
        PODOPS_SWEEP_INTERVAL="2",
        PODOPS_QUEUE_TIMEOUT="30",
        PODOPS_WORKER_CONCURRENCY="1",
    )


class Topology:
    """The Procfile's processes, by name and number (`web.1`, `worker.2`, as honcho names)."""

    def __init__(self, settings: Settings, logs: Path) -> None:
        self.settings = settings
        self.logs = logs
        self.commands = procfile_commands()
        self.env = process_env(settings)
        self.processes: dict[str, ServiceProcess] = {}
        self.web_urls: dict[str, str] = {}

    def release(self) -> None:
        step = ServiceProcess(self.commands["release"], self.env, self.logs / "release.log")
        step.start()
        assert step.process is not None
        assert step.process.wait(60) == 0, step.log()

    def start(self, *, webs: int, workers: int) -> None:
        for number in range(1, webs + 1):
            port = free_port()
            self._start(f"web.{number}", self.commands["web"], PORT=str(port))
            self.web_urls[f"web.{number}"] = f"http://127.0.0.1:{port}"
        for number in range(1, workers + 1):
            ready = self.logs / f"worker.{number}.ready"
            self._start(f"worker.{number}", [*self.commands["worker"], "--ready-file", str(ready)])
        self._start("beat.1", self.commands["beat"])
        for name, url in self.web_urls.items():
            wait_until(
                lambda name=name, url=url: (
                    self.processes[name].running() and http_answers(url + "/readyz")
                ),
                60,
                f"{name} to be ready",
                0.2,
            )
        for number in range(1, workers + 1):
            wait_until(
                lambda number=number: (
                    self.processes[f"worker.{number}"].running()
                    and (self.logs / f"worker.{number}.ready").exists()
                ),
                60,
                f"worker.{number} to take tasks",
                0.1,
            )

    def _start(self, name: str, argv: list[str], **env: str) -> None:
        process = ServiceProcess(argv, {**self.env, **env}, self.logs / f"{name}.log")
        process.start()
        self.processes[name] = process

    def client(self, name: str, token: str) -> httpx.Client:
        return httpx.Client(base_url=self.web_urls[name], headers=bearer(token), timeout=30)

    def stop(self) -> None:
        for process in self.processes.values():
            process.stop()


def busy_operations(runtime: Runtime) -> list[Operation]:
    with runtime.database.session() as session:
        return list(session.scalars(select(Operation).where(Operation.status == "Busy")))


def test_the_procfile_processes_lose_nothing_when_a_web_and_a_worker_are_killed(
    topology_settings: Settings, tmp_path: Path, media_host: LocalServer
) -> None:
    topology = Topology(topology_settings, tmp_path / "logs")
    runtime = Runtime.build(topology_settings)
    try:
        topology.release()  # `podops db upgrade`, before anything starts
        topology.start(webs=2, workers=2)
        token = token_for(runtime, "producer@example.com", SCOPES)
        audio, base_url = media_host.url("/audio.mp3"), topology_settings.base_url
        first_web, second_web = topology.client("web.1", token), topology.client("web.2", token)
        with first_web, second_web:
            first = produce(first_web, "first-production", audio, base_url=base_url)
            # The other web process sees the same installation.
            assert second_web.get("/a/v1/production/first-production").status_code == 200

            # Both workers busy with an import each (one task at a time each)...
            slow = [
                second_web.post(
                    "/a/v1/import/asset",
                    json={
                        "production": "first-production",
                        "url": media_host.url(f"/slow-{number}.mp3"),
                        "name": f"slow-import-{number}",
                    },
                ).headers["location"]
                for number in (1, 2)
            ]
            wait_until(
                lambda: all(second_web.get(url).json()["started"] for url in slow),
                30,
                "both workers to start an import",
                0.1,
            )
            # ...when one of each kind dies, with no chance to finish or to clean up.
            topology.processes["web.1"].kill()
            topology.processes["worker.1"].kill()
            with pytest.raises(httpx.TransportError):
                first_web.get("/healthz")

            second = produce(second_web, "second-production", audio, base_url=base_url)
            # The killed worker's import is sent again once its claim has run out.
            wait_until(
                lambda: busy_operations(runtime) == [],
                TIME_LIMIT + 30 + 30,
                "every operation to finish",
                0.5,
            )
            for location in [*first.operations, *second.operations, *slow]:
                operation = second_web.get(location).json()
                assert operation["status"] == "Success", operation
            attempts = sorted(second_web.get(url).json()["attempts"] for url in slow)
            assert attempts == [1, 2]  # the survivor's at once; the killed one's again
            for produced in (first, second):
                assert_feed_served(second_web, produced.feed_url, base_url=base_url, episodes=2)
            alias = second_web.get("/s/first-production/feed.xml", follow_redirects=False)
            assert alias.status_code in (301, 302, 307, 308)
            assert second_web.get("/readyz").status_code == 200
            # Every process's counts add up in one scrape, the killed ones' included.
            scraped = second_web.get("/metrics").text
            assert 'podops_operations_total{kind="build",outcome="success"} 2.0' in scraped
            assert 'podops_operations_total{kind="import_asset",outcome="success"} 4.0' in scraped
    finally:
        runtime.close()
        topology.stop()
    failures = {name: p.log() for name, p in topology.processes.items() if "Traceback" in p.log()}
    assert failures == {}, failures
