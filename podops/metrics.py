"""Prometheus metrics of every podops process, in prometheus_client's multiprocess mode.

Each process — every API process of `podops web --workers N`, every worker and its pool —
writes its samples to files of its own in the metrics directory (`PODOPS_METRICS_DIR`, by
default `metrics` in the data directory); `/metrics` on any API process adds up all of them,
so one scrape sees the whole host. `enable_metrics` turns that on, once per process, before
the first sample: prometheus_client picks where a value lives when the value is made, and
finds the directory through the environment.

What is measured, and where it is recorded:

    podops_http_requests_total{method,route,status}          the API request ledger (route template)
    podops_http_request_duration_seconds{method,route,status}
    podops_operations_total{kind,outcome}                    the worker's runner, as it records
    podops_operation_duration_seconds{kind,outcome}          the outcome of a run
    podops_operations_busy{kind,state}                       read from the database at scrape
    podops_operation_oldest_waiting_seconds                  time (queue depth: waiting, running)
    podops_build_feed_bytes{result}, podops_build_items{result}, podops_build_duration_seconds
                                                             the build pipeline's result
    podops_import_fetched_bytes_total{kind}                  what imports downloaded
    podops_upload_bytes_total, podops_uploads_total          uploads received whole by the API
"""

from __future__ import annotations

import bisect
import functools
import math
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, values
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from podops.db import Database
from podops.models import Operation, OperationStatus
from podops.settings import Settings

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
UNMATCHED_ROUTE = "unmatched"  # a path no route answers: one label value, not one per path

_MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
_enabled: Path | None = None

# Seconds: requests are quick, work in the background may take the task time limit (30 min).
_REQUEST_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)
# The histogram's upper bounds, as it keeps them: +Inf last.
_REQUEST_BOUNDS = (*_REQUEST_SECONDS, math.inf)
_WORK_SECONDS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800)
# Bytes, 1 KB to 256 MB by fours (a 50,000-episode feed is 130 MB).
_FEED_BYTES = tuple(float(1024 * 4**power) for power in range(10))
_ITEMS = (0, 1, 10, 100, 1000, 10_000, 100_000)


class _Instruments:
    """The metric objects of this process, made after `enable_metrics` (see `_instruments`)."""

    def __init__(self) -> None:
        self.requests = Counter(
            "podops_http_requests",
            "API requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=None,
        )
        self.request_seconds = Histogram(
            "podops_http_request_duration_seconds",
            "Time from a request's arrival to the end of its response, by route and status.",
            ["method", "route", "status"],
            buckets=_REQUEST_SECONDS,
            registry=None,
        )
        self.operations = Counter(
            "podops_operations",
            "Runs of operations ended by a worker, by kind and outcome "
            "(success, failed, retry, claim_lost).",
            ["kind", "outcome"],
            registry=None,
        )
        self.operation_seconds = Histogram(
            "podops_operation_duration_seconds",
            "Time a worker spent on one run of an operation, by kind and outcome.",
            ["kind", "outcome"],
            buckets=_WORK_SECONDS,
            registry=None,
        )
        self.build_bytes = Histogram(
            "podops_build_feed_bytes",
            "Size of the feeds builds rendered, by result (published, unchanged, validated).",
            ["result"],
            buckets=_FEED_BYTES,
            registry=None,
        )
        self.build_items = Histogram(
            "podops_build_items",
            "Episodes in the feeds builds rendered, by result.",
            ["result"],
            buckets=_ITEMS,
            registry=None,
        )
        self.build_seconds = Histogram(
            "podops_build_duration_seconds",
            "Time a successful build took, from loading the production to recording the feed.",
            ["result"],
            buckets=_WORK_SECONDS,
            registry=None,
        )
        self.fetched_bytes = Counter(
            "podops_import_fetched_bytes",
            "Bytes imports downloaded, by what was imported (asset, feed).",
            ["kind"],
            registry=None,
        )
        self.upload_bytes = Counter(
            "podops_upload_bytes", "Bytes of the uploads the API received whole.", registry=None
        )
        self.uploads = Counter("podops_uploads", "Uploads the API received whole.", registry=None)


@functools.cache
def _instruments() -> _Instruments:
    """This process's metric objects, made on first use.

    Not at import: prometheus_client decides where a value is kept when the value is made, so
    they must be made after `enable_metrics`, which also drops any made before it.
    """
    return _Instruments()


def metrics_dir(settings: Settings) -> Path:
    """Where the processes of this installation's host write their samples."""
    return settings.metrics_dir or settings.data_dir / "metrics"


def enable_metrics(settings: Settings) -> Path:
    """Have this process write its samples in the metrics directory; the directory in use.

    The first call of a process wins: values already made keep writing where they were made,
    so a later directory would be read without them. Called where a process starts (the web
    app's and the worker's factories), before anything is measured.
    """
    global _enabled
    if _enabled is None:
        directory = metrics_dir(settings)
        directory.mkdir(parents=True, exist_ok=True)
        os.environ[_MULTIPROC_DIR] = str(directory)
        # prometheus_client chose its value class when imported, perhaps before the variable
        # was set (or inherited from another process's): choose again, for this directory.
        values.ValueClass = values.MultiProcessValue()  # type: ignore[no-untyped-call]
        _instruments.cache_clear()  # any measured before now were kept in memory only
        _request_measures.cache_clear()
        _enabled = directory
    return _enabled


def exposition(database: Database | None = None) -> bytes:
    """Every process's samples from the enabled directory in the Prometheus text format, and
    with `database`, the queue depth read from it now."""
    if _enabled is None:
        raise RuntimeError("enable_metrics() was not called in this process")
    registry = CollectorRegistry(auto_describe=False)
    MultiProcessCollector(registry, path=str(_enabled))  # type: ignore[no-untyped-call]
    if database is not None:
        registry.register(QueueCollector(database))
    return generate_latest(registry)


@functools.cache
def _request_measures(method: str, route: str, status: int) -> tuple[Counter, Histogram]:
    """The request counter and histogram of these labels, made on first use: `labels()`
    validates its values and takes a lock on every call, which a request need not pay for."""
    measure, labels = _instruments(), (method, route, str(status))
    return measure.requests.labels(*labels), measure.request_seconds.labels(*labels)


def record_requests(answered: Iterable[tuple[str, str, int, float]]) -> None:
    """Count and time requests answered (method, route template, status, seconds), each
    series written once for all of them: a write to a memory-mapped file takes a lock and
    costs more than adding up a batch in memory (`podops.api.request_ledger`)."""
    totals: dict[tuple[str, str, int], tuple[list[int], list[float]]] = {}
    for method, route, status, seconds in answered:
        key = (method, route, status)
        total = totals.get(key)
        if total is None:
            total = totals[key] = ([0] * len(_REQUEST_BOUNDS), [0.0])
        total[0][bisect.bisect_left(_REQUEST_BOUNDS, seconds)] += 1
        total[1][0] += seconds
    for key, (in_bucket, seconds_sum) in totals.items():
        count, duration = _request_measures(*key)
        count.inc(sum(in_bucket))
        # What `Histogram.observe` does for one sample, done for the batch: the sum, and each
        # bucket's own count (its first bound not below the sample; the exposition adds them
        # up). Pinned by tests/test_metrics.py, which reads both back through a scrape.
        duration._sum.inc(seconds_sum[0])
        for bucket, samples in zip(duration._buckets, in_bucket, strict=True):
            if samples:
                bucket.inc(samples)


def record_operation(kind: str, outcome: str, seconds: float) -> None:
    measure = _instruments()
    measure.operations.labels(kind, outcome).inc()
    measure.operation_seconds.labels(kind, outcome).observe(seconds)


def record_build(*, result: str, size: int, items: int, seconds: float) -> None:
    measure = _instruments()
    measure.build_bytes.labels(result).observe(size)
    measure.build_items.labels(result).observe(items)
    measure.build_seconds.labels(result).observe(seconds)


def record_fetched(kind: str, size: int) -> None:
    _instruments().fetched_bytes.labels(kind).inc(size)


def record_upload(size: int) -> None:
    measure = _instruments()
    measure.uploads.inc()
    measure.upload_bytes.inc(size)


class QueueCollector(Collector):
    """The queue depth, from the database: operations Busy, waiting for a worker or running.

    Read from the operations table rather than the broker's queue, because the table is the
    truth about work (a message may be lost, sent twice or re-sent by the sweeper), it is the
    same for every broker (the embedded one has no queue length to ask), and it counts the
    work a worker holds, which the broker no longer does.
    """

    def __init__(self, database: Database) -> None:
        self._database = database

    def describe(self) -> Iterator[Metric]:
        """The families `collect` yields, without their samples (and without the database)."""
        yield from self._families()

    def collect(self) -> Iterator[Metric]:
        busy, oldest = self._families()
        now = int(time.time())
        waiting_since = now
        for kind, running, count, created in self._busy():
            busy.add_metric([kind, "running" if running else "waiting"], count)
            if not running:
                waiting_since = min(waiting_since, created)
        oldest.add_metric([], now - waiting_since)
        yield busy
        yield oldest

    def _families(self) -> tuple[GaugeMetricFamily, GaugeMetricFamily]:
        busy = GaugeMetricFamily(
            "podops_operations_busy",
            "Operations not finished: waiting for a worker, or running on one.",
            labels=["kind", "state"],
        )
        oldest = GaugeMetricFamily(
            "podops_operation_oldest_waiting_seconds",
            "Age of the oldest operation waiting for a worker (0: none waits).",
        )
        return busy, oldest

    def _busy(self) -> Iterable[tuple[str, bool, int, int]]:
        running = Operation.run_token.is_not(None)
        query = (
            select(Operation.kind, running, func.count(), func.min(Operation.created_at))
            .where(Operation.status == OperationStatus.BUSY)
            .group_by(Operation.kind, running)
        )
        with self._database.session() as session:
            return [
                (kind, bool(is_running), int(count), int(created))
                for kind, is_running, count, created in session.execute(query)
            ]
