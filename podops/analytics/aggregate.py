"""Counting downloads from the logged events: incremental, in the workers, in batches.

Each run reads the events after the `watermark` (the last event counted), in id order and in
batches of `batch`; per batch, in one transaction, it moves the watermark (only from where it
found it: a second run at the same time finds it moved and stops, on every backend), loads the
state of the listeners the batch touches (`download_listeners`: their ranges so far, or that
they were counted), applies the counting rule (`podops.analytics.counting`) and adds the new
downloads to `download_counts`. Every event is read once; nothing is ever recounted.

PostgreSQL hands out ids when rows are inserted but makes them visible when their transaction
commits, so a later id can be visible before an earlier one. A run therefore counts only up
to the `horizon`, the newest id an earlier run saw at least `SETTLE_SECONDS` ago: the logging
path's transactions last milliseconds, so every id below it has been committed by then.

Then it prunes: raw events of days more than `keep_raw_days` old (counted already), the
listeners' state of days that are over, and the salts of past days.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple, cast

from sqlalchemy import Row, Table, bindparam, delete, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from podops.analytics.catalog import MediaCatalog
from podops.analytics.counting import Span, covered, merge, minute_bytes, span
from podops.analytics.listeners import day_of, forget_salts
from podops.db import Database
from podops.jobs import AggregateDownloadsJob, JsonObject
from podops.models import AnalyticsProgress, DownloadCount, DownloadEvent, ListenerDay
from podops.runtime import Runtime

BATCH = 20_000
# A run stops after this many events (the next one goes on): it must end within the task's
# time limit even after a long outage left millions waiting.
MAX_EVENTS_PER_RUN = 2_000_000
SETTLE_SECONDS = 10
# A web process may still write yesterday's events for a moment after midnight, with
# yesterday's salt: it is forgotten this long after the day ends.
SALT_GRACE_SECONDS = 3600
_LOOKUP_CHUNK = 2000
# Runs `count_now` makes: a first sets the horizon, a second counts up to it; a third catches
# what an unsettled first run left.
NOW_RUNS = 3
WATERMARK, HORIZON, HORIZON_AT = "watermark", "horizon", "horizon_at"


@dataclass
class AggregationReport:
    """What one run did: events read, downloads counted, rows pruned."""

    events: int = 0
    downloads: int = 0
    pruned_events: int = 0
    pruned_listeners: int = 0
    forgotten_salts: int = 0

    def as_result(self) -> JsonObject:
        return asdict(self)


class _Key(NamedTuple):
    day: int
    listener: str
    production: str
    media: str


def aggregate_downloads(
    runtime: Runtime, job: AggregateDownloadsJob, *, operation_id: str
) -> JsonObject:
    """The `aggregate_downloads` job: count what was logged since the last run, prune."""
    del job, operation_id  # nothing to choose: the job counts whatever waits
    report = aggregate(
        runtime.database, now=time.time(), keep_raw_days=runtime.settings.analytics_raw_days
    )
    return report.as_result()


def aggregate(
    database: Database, *, now: float, keep_raw_days: int, batch: int = BATCH
) -> AggregationReport:
    """Count the events up to the settled horizon, move the horizon on, prune."""
    report = AggregationReport()
    with database.session() as session:
        progress = _progress(session)
    watermark, horizon = progress[WATERMARK], progress[HORIZON]
    settled = progress[HORIZON_AT] <= now - SETTLE_SECONDS
    if settled:
        catalog = MediaCatalog()
        while watermark < horizon and report.events < MAX_EVENTS_PER_RUN:
            with database.session() as session:
                counted = _count_batch(session, watermark, horizon, batch, catalog)
            if counted is None:
                break  # another run moved the watermark: it does the rest
            watermark, events, downloads = counted
            report.events += events
            report.downloads += downloads
    with database.session() as session:
        if settled and watermark >= horizon:
            newest = session.scalar(select(func.max(DownloadEvent.id))) or 0
            _set(session, HORIZON, max(newest, horizon))
            _set(session, HORIZON_AT, int(now))
        _prune(session, report, now=now, keep_raw_days=keep_raw_days, watermark=watermark)
    return report


def count_now(
    database: Database,
    *,
    keep_raw_days: int,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> AggregationReport:
    """Count everything logged until now (`podops analytics count`): runs as the beat would,
    waiting out the settling time between runs, until no event waits (at most `NOW_RUNS`)."""
    total = AggregationReport()
    for _ in range(NOW_RUNS):
        report = aggregate(database, now=clock(), keep_raw_days=keep_raw_days)
        for name, value in asdict(report).items():
            setattr(total, name, getattr(total, name) + value)
        with database.session() as session:
            newest = session.scalar(select(func.max(DownloadEvent.id))) or 0
            progress = _progress(session)
        if newest <= progress[WATERMARK]:
            break
        sleep(max(progress[HORIZON_AT] + SETTLE_SECONDS - clock(), 0) + 0.1)
    return total


def _progress(session: Session) -> dict[str, int]:
    found = {
        name: int(value)
        for name, value in session.execute(select(AnalyticsProgress.name, AnalyticsProgress.value))
    }
    for name in (WATERMARK, HORIZON, HORIZON_AT):
        if name not in found:
            try:
                with session.begin_nested():
                    session.add(AnalyticsProgress(name=name, value=0))
            except IntegrityError:
                pass  # another run made it at the same moment: it is 0 as well
            found[name] = 0
    return found


def _set(session: Session, name: str, value: int) -> None:
    session.execute(
        update(AnalyticsProgress).where(AnalyticsProgress.name == name).values(value=value)
    )


def _count_batch(
    session: Session, watermark: int, horizon: int, batch: int, catalog: MediaCatalog
) -> tuple[int, int, int] | None:
    """Count the next batch of events: (the new watermark, events read, downloads counted);
    None when there are none, or another run took them."""
    # Core statements on the tables: the ORM's row and bulk machinery cost more than the
    # counting itself here.
    events = (
        session.connection()
        .execute(
            select(
                _EVENTS.c.id,
                _EVENTS.c.day,
                _EVENTS.c.listener,
                _EVENTS.c.production,
                _EVENTS.c.media,
                _EVENTS.c.listening,
                _EVENTS.c.app,
                _EVENTS.c.platform,
                _EVENTS.c.first_byte,
                _EVENTS.c.last_byte,
            )
            .where(_EVENTS.c.id > watermark, _EVENTS.c.id <= horizon)
            .order_by(_EVENTS.c.id)
            .limit(batch)
        )
        .all()
    )
    if not events:
        return None
    last = events[-1].id
    moved = session.execute(
        update(AnalyticsProgress)
        .where(AnalyticsProgress.name == WATERMARK, AnalyticsProgress.value == watermark)
        .values(value=last)
    )
    if getattr(moved, "rowcount", 0) != 1:
        return None  # another run moved it first: these events are its (nothing written)
    requested: dict[_Key, list[tuple[int | None, int | None]]] = defaultdict(list)
    agents: dict[_Key, tuple[str, str]] = {}
    for event in events:
        if not event.listening:
            continue  # bots and other non-listening agents are never counted
        key = _Key(event.day, event.listener, event.production, event.media)
        requested[key].append((event.first_byte, event.last_byte))
        agents[key] = (event.app, event.platform)
    states = _states(session, requested.keys())
    added: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    downloads: Counter[tuple[str, int, str, str, str]] = Counter()
    for key, asked in requested.items():
        state = states.get(key)
        if state is not None and state.counted:
            continue  # counted already today: once a day per listener and episode
        facts = catalog.facts(session, key.production, key.media)
        if facts is None:
            continue  # the production is gone
        spans: list[Span] = [s for s in (span(a, b, facts.size) for a, b in asked) if s]
        if state is not None and state.ranges:
            spans.extend((start, stop) for start, stop in state.ranges)
        merged = merge(spans)
        total = covered(merged)
        counted = total > 0 and total >= minute_bytes(facts)
        row = {
            **key._asdict(),
            "counted": counted,
            "ranges": None if counted else [list(s) for s in merged],
        }
        (changed if state is not None else added).append(row)
        if counted:
            app, platform = agents[key]
            downloads[(key.production, key.day, facts.episode, app, platform)] += 1
    connection = session.connection()
    if added:
        connection.execute(insert(_LISTENERS), added)
    if changed:
        connection.execute(_UPDATE_LISTENER, [_update_keys(row) for row in changed])
    _add_downloads(session, downloads)
    return last, len(events), sum(downloads.values())


# The tables, typed as tables (the ORM declares `__table__` a FromClause).
_EVENTS = cast(Table, DownloadEvent.__table__)
_LISTENERS = cast(Table, ListenerDay.__table__)
_UPDATE_LISTENER = (
    update(_LISTENERS)
    .where(
        _LISTENERS.c.day == bindparam("key_day"),
        _LISTENERS.c.listener == bindparam("key_listener"),
        _LISTENERS.c.production == bindparam("key_production"),
        _LISTENERS.c.media == bindparam("key_media"),
    )
    .values(counted=bindparam("counted"), ranges=bindparam("ranges"))
)


def _update_keys(row: dict[str, Any]) -> dict[str, Any]:
    """`row` as `_UPDATE_LISTENER`'s parameters (a bound name may not be a column's)."""
    return {
        "key_day": row["day"],
        "key_listener": row["listener"],
        "key_production": row["production"],
        "key_media": row["media"],
        "counted": row["counted"],
        "ranges": row["ranges"],
    }


def _states(session: Session, keys: Iterable[_Key]) -> dict[_Key, Row[Any]]:
    """The stored state of each of `keys` that has one, looked up by (day, listener), the
    prefix of the table's key: an index probe per pair, however large the table grows."""
    wanted = set(keys)
    pairs = sorted({(key.day, key.listener) for key in wanted})
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    found: dict[_Key, Row[Any]] = {}
    for start in range(0, len(pairs), _LOOKUP_CHUNK):
        chunk = pairs[start : start + _LOOKUP_CHUNK]
        if postgres:
            # Joined with the pairs as arrays: the planner probes the key for each pair
            # rather than scanning a day's rows (an IN list per column may do that).
            rows = connection.execute(
                _STATES_BY_PAIRS,
                {"days": [day for day, _ in chunk], "listeners": [who for _, who in chunk]},
            )
        else:
            rows = connection.execute(
                select(_LISTENERS).where(
                    _LISTENERS.c.day.in_({day for day, _ in chunk}),
                    _LISTENERS.c.listener.in_([who for _, who in chunk]),
                )
            )
        for row in rows:
            key = _Key(row.day, row.listener, row.production, row.media)
            if key in wanted:
                found[key] = row
    return found


_STATES_BY_PAIRS = text(
    "SELECT l.day, l.listener, l.production, l.media, l.counted, l.ranges "
    "FROM unnest(CAST(:days AS integer[]), CAST(:listeners AS varchar[])) AS k(day, listener) "
    "JOIN download_listeners AS l ON l.day = k.day AND l.listener = k.listener"
)


def _add_downloads(session: Session, downloads: Counter[tuple[str, int, str, str, str]]) -> None:
    """Add to the daily counts (an upsert: PostgreSQL and SQLite say it alike)."""
    if not downloads:
        return
    table = DownloadCount.__table__
    dialect = session.get_bind().dialect.name
    upsert = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    statement = upsert.on_conflict_do_update(
        index_elements=["production_guid", "day", "episode", "app", "platform"],
        set_={"downloads": table.c.downloads + upsert.excluded.downloads},
    )
    session.execute(
        statement,
        [
            {
                "production_guid": production,
                "day": day,
                "episode": episode,
                "app": app,
                "platform": platform,
                "downloads": count,
            }
            for (production, day, episode, app, platform), count in downloads.items()
        ],
    )


def _prune(
    session: Session, report: AggregationReport, *, now: float, keep_raw_days: int, watermark: int
) -> None:
    today = day_of(now)
    events = session.execute(
        delete(DownloadEvent).where(
            DownloadEvent.day < today - keep_raw_days, DownloadEvent.id <= watermark
        )
    )
    report.pruned_events = int(getattr(events, "rowcount", 0) or 0)
    # Yesterday's state stays a day: its last events may still be on their way.
    listeners = session.execute(delete(ListenerDay).where(ListenerDay.day < today - 1))
    report.pruned_listeners = int(getattr(listeners, "rowcount", 0) or 0)
    report.forgotten_salts = forget_salts(session, before_day=day_of(now - SALT_GRACE_SECONDS))
