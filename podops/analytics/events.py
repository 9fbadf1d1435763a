"""The logging path: media requests noted in memory, written to `download_events` in batches.

A delivery route calls `DownloadLog.note(...)` — an append to a deque, a microsecond, no I/O —
and answers. A thread of the web process writes what was noted every `interval` seconds (or
sooner, once `batch` requests wait) in one transaction: it hashes each address with the day's
salt, classes the User-Agent, and inserts the rows with one executemany. The address is held
in memory only until then; the table never sees it.

If the database is down, the notes wait and the next flush tries again; past `max_pending`
the oldest are dropped (and logged): counting must never take the delivery down with it.
The process's last notes are written when it stops (`close`).
"""

from __future__ import annotations

import collections
import logging
import re
import threading
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, insert

from podops.analytics.agents import classify
from podops.analytics.listeners import day_of, listener_hash, salt_for
from podops.db import Database
from podops.models import DownloadEvent

logger = logging.getLogger(__name__)

_RANGE = re.compile(r"bytes=([0-9]{0,18})-([0-9]{0,18})")
_CONTENT_RANGE = re.compile(r"bytes ([0-9]{1,18})-([0-9]{1,18})/")
_INSERT = insert(cast(Table, DownloadEvent.__table__))
# Answers that mean bytes are on their way: served whole, in part, or from where we redirect.
_DELIVERING = frozenset({200, 206, 307})


@dataclass(frozen=True, slots=True)
class MediaRequest:
    """One media request as the route saw it (the address is not stored, only hashed)."""

    at: float
    production: str
    media: str  # the file's name: SHA-256 and extension
    address: str
    user_agent: str
    first_byte: int | None
    last_byte: int | None


def requested_bytes(
    method: str, status: int, *, range_header: str | None, content_range: str | None
) -> tuple[int | None, int | None]:
    """The (first, last) bytes a request asked for, in `DownloadEvent`'s terms: (None, None)
    for none (HEAD, 304, 416…), last None for to the end, a negative first for a suffix.

    A 200 sent the whole file, a 206 the bytes its Content-Range says; a 307 sends the client
    to a store that answers its Range header itself, so the header is what was asked for (one
    the store would ignore, malformed or of several ranges, asks for the whole file)."""
    if method == "HEAD" or status not in _DELIVERING:
        return None, None
    if status == 206:
        sent = _CONTENT_RANGE.match(content_range or "")
        return (int(sent[1]), int(sent[2])) if sent else (0, None)
    match = _RANGE.fullmatch(range_header.strip()) if status == 307 and range_header else None
    if match is None:
        return 0, None
    first, last = match.groups()
    if not first and not last:
        return 0, None
    if not first:
        return -int(last), None
    if last and int(last) < int(first):
        return 0, None  # invalid, so ignored: the whole file is sent
    return int(first), int(last) if last else None


class DownloadLog:
    """Notes media requests and writes them to the database in batches, off the request."""

    def __init__(
        self,
        database: Database,
        *,
        batch: int = 2000,
        interval: float = 1.0,
        max_pending: int = 200_000,
    ) -> None:
        self._database = database
        self._batch = batch
        self._interval = interval
        self._max_pending = max_pending
        self._pending: collections.deque[MediaRequest] = collections.deque()
        self._salts: dict[int, bytes] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._flushing = threading.Lock()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()

    def note(self, request: MediaRequest) -> None:
        """Keep `request` for the next flush (cheap: called on the request path)."""
        self._pending.append(request)
        if self._thread is None:
            self._start()
        if len(self._pending) >= self._batch:
            self._wake.set()

    def _start(self) -> None:
        with self._starting:
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(
                    target=self._run, name="podops-download-log", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._interval)
            self._wake.clear()
            try:
                self.flush()
            except Exception:
                logger.exception("download events not written yet; will try again")

    def flush(self) -> int:
        """Write every noted request now; how many were written."""
        with self._flushing:
            taken: list[MediaRequest] = []
            while self._pending:
                taken.append(self._pending.popleft())
            if not taken:
                return 0
            try:
                self._write(taken)
            except Exception:
                self._pending.extendleft(reversed(taken))
                self._drop_overflow()
                raise
            return len(taken)

    def _write(self, requests: list[MediaRequest]) -> None:
        with self._database.session() as session:
            for day in {day_of(request.at) for request in requests} - self._salts.keys():
                self._salts[day] = salt_for(session, day)
            # Core, not the ORM's bulk insert: that splits the batch wherever a None moves.
            session.execute(_INSERT, [self._row(r) for r in requests])
        newest = max(self._salts)
        for day in [day for day in self._salts if day < newest - 1]:
            del self._salts[day]  # a day long gone: its salt is not kept here either

    def _row(self, request: MediaRequest) -> dict[str, Any]:
        day = day_of(request.at)
        agent = classify(request.user_agent)
        return {
            "at": int(request.at),
            "day": day,
            "production": request.production,
            "media": request.media,
            "listener": listener_hash(self._salts[day], request.address, request.user_agent),
            "listening": agent.listening,
            "app": agent.app,
            "platform": agent.platform,
            "first_byte": request.first_byte,
            "last_byte": request.last_byte,
        }

    def _drop_overflow(self) -> None:
        dropped = 0
        while len(self._pending) > self._max_pending:
            self._pending.popleft()
            dropped += 1
        if dropped:
            logger.warning("download events dropped", extra={"dropped": dropped})

    def close(self) -> None:
        """Stop the writer thread and write what is left."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        try:
            self.flush()
        except Exception:
            logger.exception("download events lost at shutdown")
