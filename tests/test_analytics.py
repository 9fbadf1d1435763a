"""Download analytics: a replayed log of media requests with known answers, counted exactly.

The log goes through the real logging path (`DownloadLog`: salts, agent classes, batched
inserts) into the test's database (SQLite and PostgreSQL), and is counted by the workers'
aggregation in two runs, so ranges and duplicates that straddle runs are tested too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from podops.analytics import stats
from podops.analytics.aggregate import SETTLE_SECONDS, AggregationReport, aggregate
from podops.analytics.events import MediaRequest
from podops.analytics.listeners import DAY
from podops.db import Database
from podops.models import AnalyticsSalt, DownloadEvent, ListenerDay
from podops.runtime import Runtime
from tests.media.mpeg_frames import cbr_44100
from tests.support.auth import bearer, context_of, token_for
from tests.support.documents import show

SCOPES = "production:read production:write resource:read resource:write"
PROD = "stats-podcast"
LONG_MP3 = cbr_44100(frames=6000)  # 156.7 s
SHORT_MP3 = cbr_44100(frames=400)  # 10.4 s: shorter than a minute
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


@dataclass(frozen=True)
class Media:
    guid: str  # the production's
    file: str  # the media file's name
    size: int
    duration: float

    @property
    def minute(self) -> int:
        """A minute of audio in bytes, as the counting rule computes it (or all of it)."""
        return min(self.size, math.ceil(self.size * 60 / self.duration))


@dataclass(frozen=True)
class Studio:
    runtime: Runtime
    long: Media
    short: Media


@pytest.fixture
def producer(client: TestClient) -> TestClient:
    client.headers.update(bearer(token_for(context_of(client), "host@example.com", SCOPES)))
    return client


def _upload(client: TestClient, guid: str, name: str, audio: bytes) -> Media:
    uploaded = client.post(
        f"/a/v1/upload/{PROD}?name={name}", content=audio, headers={"Content-Type": "audio/mpeg"}
    )
    assert uploaded.status_code == 201, uploaded.text
    facts = uploaded.json()["asset"]["description"]
    return Media(guid, facts["storage_key"].rsplit("/", 1)[1], facts["size"], facts["duration"])


@pytest.fixture
def studio(producer: TestClient) -> Studio:
    """A production with a long and a short episode, each enclosing an uploaded MP3."""
    created = producer.post("/a/v1/production", json={"name": PROD, "title": "Stats"})
    assert created.status_code == 201, created.text
    guid = created.json()["guid"]
    long = _upload(producer, guid, "long-audio-01", LONG_MP3)
    short = _upload(producer, guid, "short-audio-01", SHORT_MP3)
    made = producer.post(f"/a/v1/resource/{PROD}/show/{PROD}", json=show(PROD))
    assert made.status_code == 201, made.text
    for episode, asset in (
        ("long-episode-01", "long-audio-01"),
        ("short-episode-1", "short-audio-01"),
    ):
        body = {
            "apiVersion": "v1",
            "kind": "episode",
            "metadata": {"name": episode},
            "description": {"title": episode, "summary": "Notes."},
            "enclosure": {"rel": "asset", "name": asset},
        }
        made = producer.post(f"/a/v1/resource/{PROD}/episode/{episode}", json=body)
        assert made.status_code == 201, made.text
    assert long.duration > 60 > short.duration
    return Studio(context_of(producer), long, short)


def note(
    runtime: Runtime,
    media: Media,
    at: float,
    address: str,
    agent: str,
    first: int | None = 0,
    last: int | None = None,
) -> None:
    runtime.download_log.note(MediaRequest(at, media.guid, media.file, address, agent, first, last))


def count(database: Database, now: float) -> AggregationReport:
    """Flushed events counted: one run sets the horizon, one after it settled counts."""
    aggregate(database, now=now, keep_raw_days=7)
    return aggregate(database, now=now + SETTLE_SECONDS, keep_raw_days=7)


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
