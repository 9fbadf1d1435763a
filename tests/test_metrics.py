"""`/metrics`: Prometheus figures of every podops process on the host, added up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from podops import metrics, migrate
from podops.api import create_app
from podops.api.request_ledger import FLUSH_SECONDS
from podops.db import Database
from podops.runtime import Runtime
from podops.settings import Settings
from tests.conftest import make_settings
from tests.fetch import servers
from tests.fetch.servers import LocalServer, running
from tests.support.auth import bearer, token_for
from tests.support.processes import (
    PODOPS,
    REPO,
    ServiceProcess,
    WorkerProcess,
    free_port,
    http_answers,
    process_env,
    wait_until,
)
from tests.support.producer import IMPORTED_MP3, MP3, SCOPES, artwork, poll, produce, started

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(text: str) -> Samples:
    """Every sample of a scrape by (name, labels)."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(scraped: Samples, name: str, **labels: str) -> float:
    return scraped.get((name, frozenset(labels.items())), 0.0)


def scrape(client: TestClient | httpx.Client, **headers: str) -> Samples:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return samples(response.text)


def scrape_when(
    client: httpx.Client, name: str, labels: dict[str, str], expected: float
) -> Samples:
    """A scrape in which `name` with `labels` has reached `expected`. Each web process writes
    its requests' figures within `FLUSH_SECONDS` of answering them (`request_ledger`), so
    the other process's last requests may not be in the first scrape; fail after 5 s."""
    scraped: Samples = {}

    def reached() -> bool:
        nonlocal scraped
        scraped = scrape(client)
        return value(scraped, name, **labels) >= expected

    wait_until(reached, 5, f"{name} {labels} to reach {expected}", FLUSH_SECONDS)
    return scraped


@pytest.fixture
def app_client(tmp_path: Path) -> Iterator[TestClient]:
    settings = make_settings(tmp_path)
    database = Database(settings.database_url)
    migrate.upgrade(database)
    database.dispose()
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def test_requests_are_counted_by_route_template_and_status(app_client: TestClient) -> None:
    # This process may have counted other tests' requests: compare before and after.
    before = scrape(app_client)
    app_client.get("/healthz")
    app_client.get("/a/v1/resource/some-show-01/episode/episode-0001")  # no token: 401
    app_client.get("/a/v1/resource/another-show/episode/episode-0002")
    app_client.get("/no/such/path/1")
    app_client.get("/no/such/path/2")
    after = scrape(app_client)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    requests = "podops_http_requests_total"
    assert moved(requests, method="GET", route="/healthz", status="200") == 1
    # One series for every production and episode: the route's template, never the path.
    template = "/a/v1/resource/{prod}/{kind}/{id}"
    assert moved(requests, method="GET", route=template, status="401") == 2
    assert moved(requests, method="GET", route="unmatched", status="404") == 2
    assert not [key for key in after if "some-show-01" in str(key) or "/no/such" in str(key)]
    latency = "podops_http_request_duration_seconds_count"
    assert moved(latency, method="GET", route=template, status="401") == 2
    assert value(after, "podops_operation_oldest_waiting_seconds") == 0


def test_a_batch_of_requests_is_counted_as_each_would_be(app_client: TestClient) -> None:
    route = {"method": "GET", "route": "/batch/{n}", "status": "200"}
    before = scrape(app_client)
    metrics.record_requests(("GET", "/batch/{n}", 200, s) for s in (0.003, 0.004, 0.03, 400.0))
    after = scrape(app_client)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **route, **labels) - value(before, name, **route, **labels)

    assert moved("podops_http_requests_total") == 4
    assert moved("podops_http_request_duration_seconds_count") == 4
    assert moved("podops_http_request_duration_seconds_sum") == pytest.approx(400.037)
    # Buckets count every sample at or below their bound.
    assert moved("podops_http_request_duration_seconds_bucket", le="0.005") == 2
    assert moved("podops_http_request_duration_seconds_bucket", le="0.025") == 2
    assert moved("podops_http_request_duration_seconds_bucket", le="0.05") == 3
    assert moved("podops_http_request_duration_seconds_bucket", le="300.0") == 3
    assert moved("podops_http_request_duration_seconds_bucket", le="+Inf") == 4


def test_with_a_metrics_token_only_its_bearer_reads_metrics(tmp_path: Path) -> None:
    token = "scrape-" + "t" * 40
    settings = make_settings(tmp_path, PODOPS_METRICS_TOKEN=token)
    database = Database(settings.database_url)
    migrate.upgrade(database)
    database.dispose()
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": token}):
            refused = client.get("/metrics", headers=headers)
            assert refused.status_code == 401
            assert refused.json()["code"] == "podops.metrics.unauthorized"
            assert refused.headers["www-authenticate"].startswith("Bearer")
        assert scrape(client, Authorization=f"Bearer {token}")


@pytest.mark.slow
def test_a_live_server_and_worker_move_the_counters(tmp_path: Path, redis_url: str) -> None:
    with running(LocalServer()) as media_host:
        media_host.routes["/audio.mp3"] = servers.body(IMPORTED_MP3, "audio/mpeg")
        port = free_port()
        settings = make_settings(
            tmp_path,
            PODOPS_BROKER_URL=redis_url,
            PODOPS_PORT=str(port),
            PODOPS_FETCH_ALLOW=media_host.allow,
        )
        run_live(settings, tmp_path, media_host.url("/audio.mp3"))


def run_live(settings: Settings, tmp_path: Path, import_url: str) -> None:
    database = Database(settings.database_url)
    migrate.upgrade(database)
    database.dispose()
    # Two API processes on one port: the figures of both must add up in every scrape.
    env = {**process_env(settings), "WEB_CONCURRENCY": "2"}
    web = ServiceProcess([*PODOPS, "web"], env, tmp_path / "web.log")
    worker = WorkerProcess(settings, tmp_path / "worker.log")
    runtime = Runtime.build(settings)
    try:
        web.start()
        worker.start()
        wait_until(
            lambda: web.running() and http_answers(f"{settings.base_url}/healthz"),
            60,
            "podops web to answer",
            0.2,
        )
        token = token_for(runtime, "metrics@example.com", SCOPES)
        with httpx.Client(base_url=settings.base_url, headers=bearer(token)) as client:
            before = scrape(client)
            assert value(before, "podops_operations_total", kind="build", outcome="success") == 0
            produce(client, "metrics-show", import_url, base_url=settings.base_url)
            upload = {"method": "POST", "route": "/a/v1/upload/{prod}", "status": "201"}
            scraped = scrape_when(client, "podops_http_requests_total", upload, 2)

            def count(name: str, **labels: str) -> float:
                return value(scraped, name, **labels)

            assert count("podops_http_requests_total", **upload) == 2
            assert count("podops_http_request_duration_seconds_count", **upload) == 2
            assert count("podops_operations_total", kind="build", outcome="success") == 1
            assert count("podops_operations_total", kind="import_asset", outcome="success") == 1
            assert count("podops_operation_duration_seconds_count", kind="build", outcome="success")
            assert count("podops_build_feed_bytes_count", result="published") == 1
            assert count("podops_build_feed_bytes_sum", result="published") > 1000
            assert count("podops_build_items_sum", result="published") == 2
            assert count("podops_import_fetched_bytes_total", kind="asset") == len(IMPORTED_MP3)
            assert count("podops_upload_bytes_total") == len(artwork()) + len(MP3)
            assert count("podops_uploads_total") == 2
            assert count("podops_operation_oldest_waiting_seconds") == 0

            # A second build of the same production: nothing changed, the counters move.
            again = poll(client, started(client.post("/a/v1/build", json={"guid": "metrics-show"})))
            assert again["status"] == "Success"
            build = {"method": "POST", "route": "/a/v1/build", "status": "202"}
            later = scrape_when(client, "podops_http_requests_total", build, 2)
            assert value(later, "podops_http_requests_total", **build) == 2
            assert value(later, "podops_operations_total", kind="build", outcome="success") == 2
            assert value(later, "podops_build_feed_bytes_count", result="unchanged") == 1
    finally:
        runtime.close()
        web.stop()
        worker.stop()


def test_the_grafana_dashboard_charts_only_what_podops_exports() -> None:
    import json
    import re

    from podops.metrics import QueueCollector, _Instruments

    instruments = [*vars(_Instruments()).values(), QueueCollector(Database("sqlite://"))]
    exported = {family.name for collector in instruments for family in collector.describe()}
    dashboard = json.loads((REPO / "deploy" / "grafana-dashboard.json").read_text())
    expressions = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    charted = {
        re.sub(r"_(bucket|sum|count|total)$", "", name)
        for expression in expressions
        for name in re.findall(r"podops_[a-z_]+", expression)
    }
    assert charted <= exported
    assert len(charted) >= 8


@pytest.mark.slow
def test_a_worker_answers_metrics_on_its_own_port(tmp_path: Path, redis_url: str) -> None:
    from podops import operations
    from podops.jobs import PingJob
    from podops.models import Operation, OperationStatus

    token = "scrape-" + "w" * 40
    port = free_port()
    settings = make_settings(
        tmp_path,
        PODOPS_BROKER_URL=redis_url,
        PODOPS_WORKER_METRICS_PORT=str(port),
        PODOPS_METRICS_TOKEN=token,
    )
    database = Database(settings.database_url)
    migrate.upgrade(database)
    database.dispose()
    # A pool of two: the figures of both pool processes must add up in the scrape.
    worker = WorkerProcess(settings, tmp_path / "worker.log", concurrency=2)
    runtime = Runtime.build(settings)
    scraper = httpx.Client(base_url=f"http://127.0.0.1:{port}")
    try:
        worker.start()
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            refused = scraper.get("/metrics", headers=headers)
            assert refused.status_code == 401
            assert refused.json()["code"] == "podops.metrics.unauthorized"
        elsewhere = scraper.get("/healthz", headers=bearer(token))
        assert (elsewhere.status_code, elsewhere.json()["code"]) == (404, "podops.route.not_found")
        posted = scraper.post("/metrics", headers=bearer(token))
        assert (posted.status_code, posted.headers["allow"]) == (405, "GET, HEAD")

        started_ids = [runtime.jobs.start(PingJob(message=str(n))).id for n in range(3)]
        with runtime.database.session() as session:
            # Parameters no ping takes: the run fails (podops.operation.bad_params).
            broken = operations.create(
                session, kind="ping", params={"delay": -1}, production=None, queue_timeout=60
            )
        runtime.jobs.send(broken)

        def finished() -> bool:
            with runtime.database.session() as session:
                return all(
                    session.get(Operation, id_).status != OperationStatus.BUSY  # type: ignore[union-attr]
                    for id_ in [*started_ids, broken.id]
                )

        wait_until(finished, 60, "the worker to run four pings")
        scraped = scrape(scraper, Authorization=f"Bearer {token}")
        assert value(scraped, "podops_operations_total", kind="ping", outcome="success") == 3
        assert value(scraped, "podops_operations_total", kind="ping", outcome="failed") == 1
        seconds = "podops_operation_duration_seconds_count"
        assert value(scraped, seconds, kind="ping", outcome="success") == 3
        assert value(scraped, seconds, kind="ping", outcome="failed") == 1
        # The queue depth is the API's to report, once for the installation.
        assert not [key for key in scraped if key[0].startswith("podops_operations_busy")]
    finally:
        scraper.close()
        runtime.close()
        worker.stop()
