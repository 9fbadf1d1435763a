"""Download analytics: a replayed log of media requests with known answers, counted exactly.

The log goes through the real logging path (`DownloadLog`: salts, agent classes, batched
inserts) into the test's database (SQLite and PostgreSQL), and is counted by the workers'
aggregation in two runs, so ranges and duplicates that straddle runs are tested too.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from starlette.testclient import TestClient

from podops import migrate
from podops.analytics import stats
from podops.analytics.agents import Agent, classify
from podops.analytics.aggregate import aggregate
from podops.analytics.counting import (
    DEFAULT_MINUTE_BYTES,
    MediaFacts,
    covered,
    merge,
    minute_bytes,
    span,
)
from podops.analytics.events import DownloadLog, MediaRequest, requested_bytes
from podops.analytics.listeners import DAY, listener_hash, network_of
from podops.db import Database
from podops.models import AnalyticsSalt, DownloadEvent, ListenerDay
from tests.support.analytics import STATS_SCOPES, Studio, count, make_studio, note
from tests.support.auth import bearer, context_of, token_for

DAY_D = 20_422  # 2025-11-30 (UTC)
NOON = DAY_D * DAY + 12 * 3600
MIDNIGHT = (DAY_D + 1) * DAY

APPLE = "Podcasts/1650.20 CFNetwork/1404.0.5 Darwin/22.3.0"
OVERCAST = "Overcast/3.0 (+http://overcast.fm/; iOS podcast app)"
ANTENNAPOD = "AntennaPod/3.2.0"
SPOTIFY = "Spotify/8.8.0 Android/33 (SM-G991B)"
POCKET_CASTS = "Pocket Casts"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Safari/537.36"
)
GOOGLEBOT = "Googlebot/2.1 (+http://www.google.com/bot.html)"


@pytest.fixture
def studio(client: TestClient) -> Studio:
    client.headers.update(bearer(token_for(context_of(client), "host@example.com", STATS_SCOPES)))
    return make_studio(client, context_of(client))


def replay_first_half(studio: Studio) -> None:
    runtime, long, short = studio.runtime, studio.long, studio.short
    half = long.minute // 2
    # A: the same whole file three times, and the short file once → 1 + 1.
    for minutes in (0, 1, 60):
        note(runtime, long, NOON + 60 * minutes, "203.0.113.5", APPLE)
    note(runtime, short, NOON, "203.0.113.5", APPLE)
    # B: two ranges that make a minute only together (one now, one in the next run) → 1.
    note(runtime, long, NOON, "198.51.100.7", OVERCAST, 0, half - 1)
    # C: the same half minute twice → 0.
    note(runtime, long, NOON, "198.51.100.8", OVERCAST, 0, half - 1)
    note(runtime, long, NOON + 5, "198.51.100.8", OVERCAST, 0, half - 1)
    # D: one byte short of a minute → 0.
    note(runtime, long, NOON, "198.51.100.9", OVERCAST, 0, long.minute - 2)
    # Bots and non-listening agents, however much they fetch → 0.
    note(runtime, long, NOON, "192.0.2.1", GOOGLEBOT)
    note(runtime, long, NOON, "192.0.2.2", "curl/8.0.1")
    note(runtime, long, NOON, "192.0.2.3", "")
    # Two IPv6 neighbours in one /64 are one listener: their halves add up → 1.
    note(runtime, long, NOON, "2001:db8:1:2::10", ANTENNAPOD, 0, half - 1)
    # Neighbours in different /64s are two → 2.
    note(runtime, long, NOON, "2001:db8:1:3::10", ANTENNAPOD)
    note(runtime, long, NOON, "2001:db8:1:4::10", ANTENNAPOD)
    # HEAD asks for no bytes → 0.
    note(runtime, long, NOON, "203.0.113.40", APPLE, None, None)
    # The last minute of the file (a suffix range) → 1.
    note(runtime, long, NOON, "203.0.113.41", CHROME, -long.minute, None)


def replay_second_half(studio: Studio) -> None:
    runtime, long, short = studio.runtime, studio.long, studio.short
    half = long.minute // 2
    note(runtime, long, NOON + 7200, "198.51.100.7", OVERCAST, half, long.minute - 1)
    note(runtime, long, NOON + 7200, "2001:db8:1:2::99", ANTENNAPOD, half, long.minute - 1)
    # E: the whole file just before and just after midnight → 1 on each day.
    note(runtime, long, MIDNIGHT - 30, "203.0.113.20", SPOTIFY)
    note(runtime, long, MIDNIGHT + 30, "203.0.113.20", SPOTIFY)
    # F: half a minute on each side of midnight: two days, no minute on either → 0.
    note(runtime, long, MIDNIGHT - 10, "203.0.113.21", SPOTIFY, 0, half - 1)
    note(runtime, long, MIDNIGHT + 10, "203.0.113.21", SPOTIFY, half, long.minute - 1)
    # The short file needs all of it: G all → 1; H all but a byte → 0; I in two parts → 1.
    note(runtime, short, NOON, "203.0.113.30", POCKET_CASTS)
    note(runtime, short, NOON, "203.0.113.31", POCKET_CASTS, 0, short.size - 2)
    note(runtime, short, NOON, "203.0.113.32", POCKET_CASTS, 0, short.size // 2)
    note(runtime, short, NOON + 1, "203.0.113.32", POCKET_CASTS, short.size // 2 + 1, None)


def by(database: Database, guid: str, grouping: stats.Grouping) -> dict[str, int]:
    span = stats.DayRange(
        stats.parse_date("from", "2025-11-30"), stats.parse_date("to", "2025-12-01")
    )
    with database.reading() as connection:
        found = stats.downloads(connection, guid, span, grouping)
    return dict(found.rows)


@pytest.fixture
def replayed(studio: Studio) -> Studio:
    database = studio.runtime.database
    replay_first_half(studio)
    assert studio.runtime.download_log.flush() == 16
    first = count(database, MIDNIGHT + 600)
    assert (first.events, first.downloads) == (16, 5)
    replay_second_half(studio)
    assert studio.runtime.download_log.flush() == 10
    second = count(database, MIDNIGHT + 1200)
    assert (second.events, second.downloads) == (10, 6)
    return studio


def test_the_replayed_log_counts_exactly_per_episode_and_day(replayed: Studio) -> None:
    database, guid = replayed.runtime.database, replayed.long.guid
    assert by(database, guid, "episode") == {"long-episode-01": 8, "short-episode-1": 3}
    assert by(database, guid, "day") == {"2025-11-30": 10, "2025-12-01": 1}


def test_apps_and_platforms_are_named_from_the_opawg_patterns(replayed: Studio) -> None:
    database, guid = replayed.runtime.database, replayed.long.guid
    assert by(database, guid, "app") == {
        "Apple Podcasts": 2,
        "AntennaPod": 3,
        "Spotify": 2,
        "Pocket Casts": 2,
        "Overcast": 1,
        "Chrome": 1,
    }
    assert by(database, guid, "platform") == {
        "Android Phone": 5,
        "Apple iPhone": 3,
        "Other Mobile Device": 2,
        "Windows Computer": 1,
    }


def test_counting_again_adds_nothing(replayed: Studio) -> None:
    database, guid = replayed.runtime.database, replayed.long.guid
    again = count(database, MIDNIGHT + 1800)
    assert (again.events, again.downloads) == (0, 0)
    assert by(database, guid, "episode") == {"long-episode-01": 8, "short-episode-1": 3}


def test_no_address_is_stored_and_a_64_is_one_listener(replayed: Studio) -> None:
    database = replayed.runtime.database
    with database.reading() as connection:
        rows = [dict(row._mapping) for row in connection.execute(select(DownloadEvent))]
    stored = " ".join(str(value) for row in rows for value in row.values())
    for address in ("203.0.113", "198.51.100", "2001:db8", "192.0.2"):
        assert address not in stored
    by_address: dict[str, Any] = {}
    for row in rows:
        by_address.setdefault(row["listener"], set()).add((row["first_byte"], row["app"]))
    neighbours = [
        listener
        for listener, asked in by_address.items()
        if ("AntennaPod" in {app for _, app in asked}) and len(asked) == 2
    ]
    assert len(neighbours) == 1  # 2001:db8:1:2::10 and ::99: one listener, both halves
    assert len({row["listener"] for row in rows if row["app"] == "AntennaPod"}) == 3


def test_past_days_are_pruned_and_their_salts_forgotten(replayed: Studio) -> None:
    database, guid = replayed.runtime.database, replayed.long.guid
    later = (DAY_D + 9) * DAY
    report = aggregate(database, now=later, keep_raw_days=7)
    assert (report.pruned_events, report.pruned_listeners, report.forgotten_salts) == (26, 17, 2)
    with database.reading() as connection:
        for table in (DownloadEvent, ListenerDay, AnalyticsSalt):
            assert connection.scalar(select(func.count()).select_from(table)) == 0
    # The counts stay.
    assert by(database, guid, "episode") == {"long-episode-01": 8, "short-episode-1": 3}


# The parts, alone.


@pytest.mark.parametrize("source", ["bots", "apps", "libraries", "browsers"])
def test_every_opawg_example_is_classed_as_its_own_entry(source: str) -> None:
    entries = json.loads(
        resources.files("podops.analytics").joinpath(f"data/{source}.json").read_text("utf-8")
    )["entries"]
    examples = [(entry, example) for entry in entries for example in entry.get("examples", [])]
    assert len(examples) > 30
    for entry, example in examples:
        agent = classify(example)
        assert agent.app == entry["name"], example
        assert agent.listening is not (source == "bots" or entry.get("category") == "bot")


def test_an_agent_without_a_name_is_not_a_listener_and_an_unknown_one_is() -> None:
    assert classify("") == Agent(listening=False, app="Unknown", platform="Unknown")
    assert classify("NewPlayer/0.1") == Agent(listening=True, app="Unknown", platform="Unknown")
    assert classify(APPLE) == Agent(listening=True, app="Apple Podcasts", platform="Apple iPhone")


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.5", "203.0.113.5"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::99", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.5", "203.0.113.5"),
        ("testclient", "testclient"),
    ],
)
def test_ipv4_is_kept_and_ipv6_cut_to_its_64(address: str, network: str) -> None:
    assert network_of(address) == network


def test_a_listener_hash_changes_with_the_salt_and_the_agent() -> None:
    one, two = b"1" * 32, b"2" * 32
    same = listener_hash(one, "2001:db8::1", APPLE)
    assert same == listener_hash(one, "2001:db8::ffff", APPLE)  # one /64
    assert same != listener_hash(two, "2001:db8::1", APPLE)  # another day
    assert same != listener_hash(one, "2001:db8::1", OVERCAST)
    assert len(same) == 32


@pytest.mark.parametrize(
    ("method", "status", "range_header", "content_range", "asked"),
    [
        ("GET", 200, None, None, (0, None)),
        ("GET", 200, "bytes=0-99", None, (0, None)),  # If-Range was stale: all was sent
        ("GET", 206, "bytes=0-99", "bytes 0-99/5000", (0, 99)),
        ("GET", 206, "bytes=-100", "bytes 4900-4999/5000", (4900, 4999)),
        ("HEAD", 200, None, None, (None, None)),
        ("GET", 304, None, None, (None, None)),
        ("GET", 416, "bytes=9000-", "bytes */5000", (None, None)),
        ("GET", 307, None, None, (0, None)),
        ("GET", 307, "bytes=100-199", None, (100, 199)),
        ("GET", 307, "bytes=100-", None, (100, None)),
        ("GET", 307, "bytes=-100", None, (-100, None)),
        ("GET", 307, "bytes=0-1,5-9", None, (0, None)),  # several ranges: the store sends all
        ("GET", 307, "bytes=9-1", None, (0, None)),
        ("GET", 307, "items=0-1", None, (0, None)),
    ],
)
def test_the_bytes_a_request_asked_for(
    method: str,
    status: int,
    range_header: str | None,
    content_range: str | None,
    asked: tuple[int | None, int | None],
) -> None:
    found = requested_bytes(method, status, range_header=range_header, content_range=content_range)
    assert found == asked


def test_a_minute_in_bytes_and_ranges_combined() -> None:
    assert minute_bytes(MediaFacts("e", size=1_200_000, duration=120.0)) == 600_000
    assert minute_bytes(MediaFacts("e", size=100_000, duration=30.0)) == 100_000  # all of it
    assert minute_bytes(MediaFacts("e", size=None)) == DEFAULT_MINUTE_BYTES
    assert span(-100, None, 1000) == (900, 999)
    assert span(900, 5000, 1000) == (900, 999)
    assert span(1000, None, 1000) is None
    assert span(None, None, 1000) is None
    assert merge([(10, 19), (0, 9), (5, 14), (30, 39)]) == [(0, 19), (30, 39)]
    assert covered([(0, 9), (0, 9), (5, 14)]) == 15


def test_notes_wait_for_a_database_that_fails_and_the_oldest_go_past_the_cap(
    tmp_path: Path,
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'not-migrated.sqlite3'}")  # no tables yet
    log = DownloadLog(database, max_pending=3, interval=3600)  # flushed by the test alone
    try:
        for second in range(5):
            log.note(
                MediaRequest(NOON + second, "p" * 12, "a" * 64 + ".mp3", "::1", APPLE, 0, None)
            )
        with pytest.raises(OperationalError):
            log.flush()
        migrate.upgrade(database)
        assert log.flush() == 3  # the newest three waited; the two oldest were dropped
        with database.reading() as connection:
            kept = connection.scalars(select(DownloadEvent.at).order_by(DownloadEvent.at)).all()
        assert kept == [NOON + 2, NOON + 3, NOON + 4]
    finally:
        log.close()
        database.dispose()
