"""The JSON log line written straight from an event's fields is the line the logging machinery
writes for the same record, and the shortcut steps aside whenever anything else listens."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import math
import secrets
import time
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from podops import metrics
from podops.api import create_app, request_ledger
from podops.api.request_ledger import RequestLedger
from podops.logs import EventLogger, JsonFormatter, JsonLineHandler
from podops.settings import Settings
from tests.support.processes import wait_until

FIELDS: dict[str, Any] = {
    "method": "GET",
    # What a path may hold once percent-decoded: quotes, a backslash, a NUL, non-ASCII.
    "path": '/a/"q"\\b\x00/é/🎙',
    "status": 200,
    "duration_ms": 0.12,
    "request_id": "0123456789abcdef",
    "nothing": None,
    "flag": True,
    "large": 10**30,
    "not_a_number": math.nan,
    "listed": ["a", 1],
    "other": object,  # not JSON: written as str() would
}


@pytest.fixture
def own_logger() -> Iterator[tuple[logging.Logger, io.StringIO, JsonLineHandler]]:
    """A logger of its own whose only handler is a `JsonLineHandler` on a string: it does not
    propagate to the root, where pytest's own capture handlers sit."""
    logger = logging.getLogger(f"podops-test.{secrets.token_hex(4)}")
    stream = io.StringIO()
    handler = JsonLineHandler(stream)
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        yield logger, stream, handler
    finally:
        logger.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_an_event_is_written_as_the_formatter_writes_its_record(
    own_logger: tuple[logging.Logger, io.StringIO, JsonLineHandler],
) -> None:
    logger, stream, _ = own_logger
    EventLogger(logger.name).info("request", **FIELDS)
    record = logger.makeRecord(logger.name, logging.INFO, "", 0, "request", (), None, extra=FIELDS)
    expected = JsonFormatter().format(record)
    [written] = stream.getvalue().splitlines()
    # The same text, keys in the same order, but for the moment each was made.
    assert written.split(", ", 1)[1] == expected.split(", ", 1)[1]
    assert abs(json.loads(written)["time"] - record.created) < 5
    assert list(json.loads(written)) == list(json.loads(expected))


def test_the_request_ledger_writes_the_lines_the_formatter_would(
    own_logger: tuple[logging.Logger, io.StringIO, JsonLineHandler],
) -> None:
    """The ledger's own line format (`json_lines`) against the record of the same request."""
    logger, stream, _ = own_logger
    ledger = RequestLedger([], EventLogger(logger.name))
    scope = {"method": "GET", "path": FIELDS["path"]}

    async def answer_two() -> None:
        ledger.add(scope, 404, 0.000123, "0123456789abcdef")
        ledger.add({**scope, "method": "DELETE"}, 500, 12.3456789, "client-id.1")

    asyncio.run(answer_two())
    ledger.flush()
    written = stream.getvalue().splitlines()
    formatter = JsonFormatter()
    for line, (method, status, ms, request_id) in zip(
        written,
        [("GET", 404, 0.12, "0123456789abcdef"), ("DELETE", 500, 12345.68, "client-id.1")],
        strict=True,
    ):
        fields = {"method": method, "path": FIELDS["path"], "status": status}
        fields |= {"duration_ms": ms, "request_id": request_id}
        record = logger.makeRecord(
            logger.name, logging.INFO, "", 0, "request", (), None, extra=fields
        )
        record.created = json.loads(line)["time"]
        assert line == formatter.format(record)


def test_a_failing_metrics_write_does_not_take_the_log_lines_with_it(
    own_logger: tuple[logging.Logger, io.StringIO, JsonLineHandler],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    logger, stream, _ = own_logger
    ledger = RequestLedger([], EventLogger(logger.name))

    async def answer() -> None:
        ledger.add({"method": "GET", "path": "/x"}, 200, 0.001, "id-1")

    asyncio.run(answer())

    def broken(_answered: object) -> None:
        raise OSError("the metrics directory is gone")

    monkeypatch.setattr(metrics, "record_requests", broken)
    with pytest.raises(OSError, match="metrics directory"):
        ledger.flush()
    assert [line["request_id"] for line in lines(stream)] == ["id-1"]


def test_other_listeners_get_the_record_itself(
    own_logger: tuple[logging.Logger, io.StringIO, JsonLineHandler],
) -> None:
    logger, stream, _ = own_logger
    captured: list[logging.LogRecord] = []
    listener = logging.Handler()
    listener.emit = captured.append  # type: ignore[method-assign]
    logger.addHandler(listener)
    try:
        EventLogger(logger.name).info("request", status=201, request_id="r-1")
    finally:
        logger.removeHandler(listener)
    [record] = captured
    assert (record.getMessage(), record.status, record.request_id) == ("request", 201, "r-1")  # type: ignore[attr-defined]
    # The JSON handler still writes its line, through the machinery this time.
    assert [(line["status"], line["request_id"]) for line in lines(stream)] == [(201, "r-1")]


def test_filters_and_levels_are_obeyed(
    own_logger: tuple[logging.Logger, io.StringIO, JsonLineHandler],
) -> None:
    logger, stream, handler = own_logger
    events = EventLogger(logger.name)
    handler.addFilter(lambda record: record.status != 500)  # type: ignore[attr-defined]
    events.info("request", status=500)
    events.info("request", status=200)
    handler.filters.clear()
    handler.setLevel(logging.WARNING)
    events.info("request", status=201)
    handler.setLevel(logging.NOTSET)
    logger.setLevel(logging.WARNING)
    events.info("request", status=202)
    assert [line["status"] for line in lines(stream)] == [200]


def test_a_failing_stream_is_reported_by_logging_not_raised(
    own_logger: tuple[logging.Logger, io.StringIO, JsonLineHandler],
    capsys: pytest.CaptureFixture[str],
) -> None:
    logger, stream, _ = own_logger
    stream.close()
    EventLogger(logger.name).info("request", status=200)  # no exception reaches the caller
    assert "Logging error" in capsys.readouterr().err


def test_each_request_writes_one_json_line(settings: Settings) -> None:
    stream = io.StringIO()
    handler = JsonLineHandler(stream)
    request_log = request_ledger.request_log.logger
    request_log.addHandler(handler)
    request_log.propagate = False
    request_log.setLevel(logging.INFO)
    try:
        with TestClient(create_app(settings)) as client:
            asked = time.time()
            client.get("/", headers={"X-Request-ID": "req-7"})
            client.get("/no-such-page")
            answered = time.time()
            # Written in a batch, within the ledger's flush delay, while the app runs on.
            wait_until(lambda: len(lines(stream)) == 2, 5, "the two request lines")
    finally:
        request_log.removeHandler(handler)
        request_log.propagate = True
        request_log.setLevel(logging.NOTSET)
    first, second = lines(stream)
    assert {key: first[key] for key in ("logger", "message", "method", "path", "status")} == {
        "logger": "podops.request",
        "message": "request",
        "method": "GET",
        "path": "/",
        "status": 200,
    }
    assert first["request_id"] == "req-7"
    assert first["duration_ms"] >= 0
    # Each line is dated when its request ended, not when the batch was written.
    assert asked - 0.001 <= first["time"] <= second["time"] <= answered + 0.001
    assert (second["path"], second["status"], len(second["request_id"])) == (
        "/no-such-page",
        404,
        16,
    )
