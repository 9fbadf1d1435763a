"""Logging: one JSON object a line (or plain text for a terminal), with the `extra` fields.

`EventLogger` logs an event with fields for code that logs on every request: when podops' JSON
handler is the only place its line would go, it hands the fields to the handler directly,
without a `LogRecord` made only to be taken apart again; otherwise (text logs, other handlers,
a test capturing records) it logs through the logging machinery as usual.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TextIO

# Attributes every LogRecord has; anything else on a record came from `extra=`.
# uvicorn adds `color_message`, a copy of the message with terminal colours.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}


# One encoder for every line: `json.dumps(…, default=str)` would build a new one each time.
_ENCODER = json.JSONEncoder(default=str)
# The function `_ENCODER` escapes strings with (it keeps `ensure_ascii`).
json_string = json.encoder.encode_basestring_ascii


def _json_line(
    created: float, level: str, logger: str, message: str, fields: dict[str, Any]
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "time": round(created, 3),
        "level": level,
        "logger": logger,
        "message": message,
    }
    entry.update(fields)
    return entry


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = {k: v for k, v in vars(record).items() if k not in _STANDARD}
        entry = _json_line(
            record.created, record.levelname, record.name, record.getMessage(), fields
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return _ENCODER.encode(entry)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extra = " ".join(f"{k}={v}" for k, v in vars(record).items() if k not in _STANDARD)
        line = f"{record.levelname:<7} {record.name}: {record.getMessage()} {extra}".rstrip()
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonLineHandler(logging.StreamHandler[TextIO]):
    """podops' JSON handler: a record's line, as `JsonFormatter` writes it, to `stream`; and
    the same lines straight from events' fields (`write_events`)."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self.setFormatter(JsonFormatter())

    def write_events(
        self,
        logger: str,
        level: int,
        message: str,
        names: Sequence[str],
        events: Iterable[tuple[float, Iterable[Any]]],
    ) -> None:
        """A line for each event (the time it happened, and its values of the fields `names`),
        all written at once and flushed once."""
        head = json_head(logger, level, message)
        keys = [f", {json_string(name)}: " for name in names]
        parts: list[str] = []
        for created, values in events:
            parts.append(f'{{"time": {round(created, 3)!r}{head}')
            for key, value in zip(keys, values, strict=True):
                kind = type(value)
                if kind is str:
                    text = json_string(value)
                elif kind is int or (kind is float and math.isfinite(value)):
                    text = repr(value)
                else:
                    text = _ENCODER.encode(value)
                parts.append(key)
                parts.append(text)
            parts.append("}" + self.terminator)
        self.write_text("".join(parts))

    def write_text(self, text: str) -> None:
        """Lines already made, written at once and flushed."""
        with self.lock:  # type: ignore[union-attr]  # made by Handler.__init__
            self.stream.write(text)
            self.stream.flush()


@functools.cache
def json_head(logger: str, level: int, message: str) -> str:
    """What follows the time in a JSON line: the same for every event of a logger and
    message."""
    return (
        f', "level": {json_string(logging.getLevelName(level))}, '
        f'"logger": {json_string(logger)}, "message": {json_string(message)}'
    )


class EventLogger:
    """Logs events with fields on the logger `name`, as `logger.info(message, extra=fields)`
    would, at a fraction of the cost when `JsonLineHandler` is its only handler."""

    def __init__(self, name: str) -> None:
        self.logger = logging.getLogger(name)

    def info(self, message: str, **fields: Any) -> None:
        self.info_many(message, tuple(fields), [(time.time(), tuple(fields.values()))])

    def info_many(
        self,
        message: str,
        names: Sequence[str],
        events: Sequence[tuple[float, Sequence[Any]]],
        *,
        json_lines: Callable[[str], str] | None = None,
    ) -> None:
        """Log `message` once for each event: the time it happened, and its values of the
        fields `names`. To the JSON handler, in one write; else one record each, dated when
        its event happened.

        `json_lines`, for a caller that knows its fields' types: the events' JSON lines made
        faster than field by field, given what follows the time in each (`json_head`). They
        must be the lines `write_events` would make (tests/test_logs.py checks the request
        log's).
        """
        logger = self.logger
        if not events or not logger.isEnabledFor(logging.INFO):
            return
        handler = self._sole_json_handler(logging.INFO)
        if handler is not None:
            try:
                if json_lines is not None:
                    handler.write_text(json_lines(json_head(logger.name, logging.INFO, message)))
                else:
                    handler.write_events(logger.name, logging.INFO, message, names, events)
                return
            except Exception:  # noqa: S110 — the logging machinery reports it below
                pass
        for created, values in events:
            record = logger.makeRecord(
                logger.name,
                logging.INFO,
                __file__,
                0,
                message,
                (),
                None,
                extra=dict(zip(names, values, strict=True)),
            )
            # Dated when it happened, not when it was written.
            record.created, record.msecs = created, (created % 1) * 1000
            logger.handle(record)

    def _sole_json_handler(self, level: int) -> JsonLineHandler | None:
        """The one handler a record of `level` would reach, when it is a `JsonLineHandler`
        that takes it whole (no filters anywhere on the way); else None.

        Walked on each call, as `Logger.callHandlers` does: handlers come and go (a test's
        log capture, a reconfiguration), and the walk is a few attribute reads.
        """
        if self.logger.disabled or self.logger.filters:
            return None
        found: JsonLineHandler | None = None
        current: logging.Logger | None = self.logger
        while current is not None:
            for handler in current.handlers:
                if (
                    found is not None
                    or type(handler) is not JsonLineHandler
                    or handler.filters
                    or level < handler.level
                ):
                    return None
                found = handler
            if not current.propagate:
                break
            current = current.parent
        return found


def _text_handler() -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(TextFormatter())
    return handler


def configure_logging(level: str, fmt: str) -> None:
    """Send podops' logs to stderr in the chosen format; idempotent."""
    handler: logging.Handler = JsonLineHandler(sys.stderr) if fmt == "json" else _text_handler()
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "podops", False):
            root.removeHandler(existing)
    handler.podops = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # uvicorn's access log would repeat our request log in another shape.
    logging.getLogger("uvicorn.access").disabled = True
