"""OpenTelemetry traces: off unless configured; when on, a request and the job it starts are
one trace, exported over OTLP/HTTP to a real receiver (a local server that decodes them)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from podops.api import create_app
from podops.db import Database
from podops.settings import Settings, SettingsError
from podops.tracing import start_tracing
from tests.conftest import make_settings
from tests.support.auth import context_of
from tests.support.operations import poll
from tests.support.otlp import OtlpReceiver, otlp_receiver
from tests.support.processes import WorkerProcess
from tests.test_po_imports import is_within, modules_after

SERVER, CONSUMER = 2, 5  # OTLP's SpanKind values
CLIENT_TRACE = "0af7651916cd43dd8448eb211c80319c"
CLIENT_PARENT = "b7ad6b7169203331"


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[OtlpReceiver]:
    # The SDK's own batching variable, read by this process and passed on to the worker's.
    monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "100")
    with otlp_receiver() as receiving:
        yield receiving


@pytest.fixture
def settings(
    tmp_path: Path, database: Database, redis_url: str, receiver: OtlpReceiver
) -> Settings:
    return make_settings(
        tmp_path,
        PODOPS_DATABASE_URL=database.url,
        PODOPS_BROKER_URL=redis_url,
        PODOPS_TRACES_ENDPOINT=receiver.url,
    )


@pytest.mark.slow
def test_a_request_and_the_job_it_starts_are_one_trace(
    client: TestClient, admin: dict[str, str], receiver: OtlpReceiver, worker: WorkerProcess
) -> None:
    client.headers.update(admin)
    started = client.post("/_t/ping", json={"message": "traced"})
    assert started.status_code == 202, started.text
    assert poll(client, started.headers["location"])["status"] == "Success"
    tracing = context_of(client).tracing
    assert tracing is not None
    assert tracing.flush()

    spans = receiver.wait_for("POST /_t/ping", "job ping")
    request, job = spans["POST /_t/ping"], spans["job ping"]
    assert request.kind == SERVER
    assert request.parent_span_id == ""  # the client sent no trace: the request starts one
    assert request.attributes["http.route"] == "/_t/ping"
    assert request.attributes["http.response.status_code"] == 202
    assert request.attributes["podops.request_id"] == started.headers["x-request-id"]
    assert job.kind == CONSUMER
    assert (job.trace_id, job.parent_span_id) == (request.trace_id, request.span_id)
    assert job.attributes["podops.operation.id"] == started.json()["id"]
    assert job.attributes["podops.job.kind"] == "ping"
    assert job.attributes["podops.job.outcome"] == "success"
    assert {request.service, job.service} == {"podops"}
    assert ("/v1/traces", "application/x-protobuf") in receiver.posts


def test_a_span_is_named_by_its_route_template_and_continues_the_clients_trace(
    client: TestClient, receiver: OtlpReceiver
) -> None:
    traceparent = f"00-{CLIENT_TRACE}-{CLIENT_PARENT}-01"
    answered = client.get(
        "/a/v1/resource/some-production/episode/an-episode-01",
        headers={"traceparent": traceparent},
    )
    assert answered.status_code == 401
    missing = client.get("/no/such/route/1234")
    assert missing.status_code == 404
    assert context_of(client).tracing.flush()  # type: ignore[union-attr]

    spans = receiver.wait_for("GET /a/v1/resource/{prod}/{kind}/{id}", "GET")
    read = spans["GET /a/v1/resource/{prod}/{kind}/{id}"]
    assert (read.trace_id, read.parent_span_id) == (CLIENT_TRACE, CLIENT_PARENT)
    assert read.attributes["url.path"] == "/a/v1/resource/some-production/episode/an-episode-01"
    assert read.attributes["http.response.status_code"] == 401
    unmatched = spans["GET"]  # no route: no template, and never the raw path as a name
    assert "http.route" not in unmatched.attributes
    assert unmatched.attributes["http.response.status_code"] == 404


@pytest.mark.parametrize(
    "traceparent",
    [
        "not-a-traceparent",
        f"00-{'0' * 32}-{CLIENT_PARENT}-01",  # an all-zero trace id is invalid
        f"00-{CLIENT_TRACE}-{CLIENT_PARENT}-01-extra\x7f",
        "00-" + "g" * 32 + "-" + "h" * 16 + "-01",
    ],
)
def test_a_malformed_traceparent_starts_a_new_trace_and_changes_nothing(
    client: TestClient, receiver: OtlpReceiver, traceparent: str
) -> None:
    answered = client.get("/", headers={"traceparent": traceparent, "tracestate": "=,=;;"})
    assert answered.status_code == 200
    assert answered.json()["name"] == "podops"
    assert context_of(client).tracing.flush()  # type: ignore[union-attr]
    root = receiver.wait_for("GET /")["GET /"]
    assert root.parent_span_id == ""
    assert root.trace_id not in (CLIENT_TRACE, "0" * 32)


# An app that does not trace, and serves a request.
SERVE_ONE = (
    "from starlette.testclient import TestClient; from podops.api import create_app; "
    "from podops.settings import Settings; from podops import migrate; "
    "from podops.db import Database; "
    "s = Settings.from_env({{'PODOPS_DATA_DIR': {data!r}}}).with_secret(); "
    "migrate.upgrade(Database(s.database_url)); "
    "c = TestClient(create_app(s)).__enter__(); assert c.get('/').status_code == 200"
)
# What podops would load to trace: none of it when tracing is off.
TRACING_MODULES = (
    "podops.tracing._sdk",
    "opentelemetry.sdk.trace",
    "opentelemetry.exporter",
    "opentelemetry.trace.propagation.tracecontext",
)


def test_tracing_is_off_unless_configured(tmp_path: Path) -> None:
    assert make_settings(tmp_path).traces_endpoint == ""
    modules = modules_after(SERVE_ONE.format(data=str(tmp_path / "one")))
    assert "podops.api" in modules
    assert [m for m in modules if any(is_within(m, name) for name in TRACING_MODULES)] == []
    # redis-py imports OpenTelemetry's metrics API itself when it is installed; podops needs
    # none of it: with OpenTelemetry unimportable the app serves as before.
    blocked = "import sys; sys.modules['opentelemetry'] = None; " + SERVE_ONE
    served = modules_after(blocked.format(data=str(tmp_path / "two")))  # fails if it fails
    assert [m for m in served if m.startswith("opentelemetry.")] == []
    assert [m for m in modules_after("import podops.client.cli") if "opentelemetry" in m] == []


def test_an_app_without_tracing_has_no_tracing_layer(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path))
    assert context_of_app(app).tracing is None
    assert all(layer.cls.__name__ != "TracingMiddleware" for layer in app.user_middleware)


def context_of_app(app: object) -> object:
    return app.state.context  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("env", "endpoint"),
    [
        ({}, ""),
        (
            {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/"},
            "http://collector:4318/v1/traces",
        ),
        (
            {
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://traces:4318/t",
            },
            "http://traces:4318/t",
        ),
        (
            {
                "PODOPS_TRACES_ENDPOINT": "https://mine.example/v1/traces",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://traces:4318/t",
            },
            "https://mine.example/v1/traces",
        ),
        (
            {"PODOPS_TRACES_ENDPOINT": "http://c:4318/v1/traces", "OTEL_SDK_DISABLED": "true"},
            "",
        ),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_EXPORTER": "none"}, ""),
    ],
)
def test_the_endpoint_follows_opentelemetrys_variables(
    tmp_path: Path, env: dict[str, str], endpoint: str
) -> None:
    settings = Settings.from_env({"PODOPS_DATA_DIR": str(tmp_path), **env})
    assert settings.traces_endpoint == endpoint


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"PODOPS_TRACES_ENDPOINT": "collector:4318"}, "PODOPS_TRACES_ENDPOINT='collector:4318'"),
        (
            {"OTEL_EXPORTER_OTLP_ENDPOINT": "grpc://collector:4317"},
            "OTEL_EXPORTER_OTLP_ENDPOINT='grpc://collector:4317/v1/traces'",
        ),
    ],
)
def test_an_endpoint_that_is_no_http_url_is_refused_by_name(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    with pytest.raises(SettingsError, match="must be an http") as info:
        Settings.from_env({"PODOPS_DATA_DIR": str(tmp_path), **env})
    assert named in str(info.value)


def test_an_endpoint_without_opentelemetry_installed_is_refused_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "podops.tracing._sdk", None)  # as if not installed
    settings = make_settings(tmp_path, PODOPS_TRACES_ENDPOINT="http://127.0.0.1:9/v1/traces")
    with pytest.raises(SettingsError, match=r"pip install 'podops\[tracing\]'"):
        start_tracing(settings)
