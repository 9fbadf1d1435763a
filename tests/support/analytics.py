"""A production to count downloads of: a long and a short episode, each an uploaded MP3."""

from __future__ import annotations

import math
from dataclasses import dataclass

import httpx

from podops.analytics.aggregate import SETTLE_SECONDS, AggregationReport, aggregate
from podops.analytics.events import MediaRequest
from podops.db import Database
from podops.runtime import Runtime
from tests.media.mpeg_frames import cbr_44100
from tests.support.documents import show

STATS_SCOPES = "production:read production:write resource:read resource:write"
PROD = "stats-podcast"
LONG_MP3 = cbr_44100(frames=6000)  # 156.7 s
SHORT_MP3 = cbr_44100(frames=400)  # 10.4 s: shorter than a minute


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

    @property
    def path(self) -> str:
        return f"/m/{self.guid}/{self.file}"


@dataclass(frozen=True)
class Studio:
    runtime: Runtime
    long: Media
    short: Media


def _upload(client: httpx.Client, guid: str, name: str, audio: bytes) -> Media:
    uploaded = client.post(
        f"/a/v1/upload/{PROD}?name={name}", content=audio, headers={"Content-Type": "audio/mpeg"}
    )
    assert uploaded.status_code == 201, uploaded.text
    facts = uploaded.json()["asset"]["description"]
    return Media(guid, facts["storage_key"].rsplit("/", 1)[1], facts["size"], facts["duration"])


def make_studio(client: httpx.Client, runtime: Runtime) -> Studio:
    """The production `PROD` made through the API `client` (a producer's) speaks to."""
    created = client.post("/a/v1/production", json={"name": PROD, "title": "Stats"})
    assert created.status_code == 201, created.text
    guid = created.json()["guid"]
    long = _upload(client, guid, "long-audio-01", LONG_MP3)
    short = _upload(client, guid, "short-audio-01", SHORT_MP3)
    made = client.post(f"/a/v1/resource/{PROD}/show/{PROD}", json=show(PROD))
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
        made = client.post(f"/a/v1/resource/{PROD}/episode/{episode}", json=body)
        assert made.status_code == 201, made.text
    assert long.duration > 60 > short.duration
    return Studio(runtime, long, short)


def note(
    runtime: Runtime,
    media: Media,
    at: float,
    address: str,
    agent: str,
    first: int | None = 0,
    last: int | None = None,
) -> None:
    """A media request, as a delivery route notes it."""
    runtime.download_log.note(MediaRequest(at, media.guid, media.file, address, agent, first, last))


def count(database: Database, now: float) -> AggregationReport:
    """What was flushed, counted: one run sets the horizon, one after it settled counts."""
    aggregate(database, now=now, keep_raw_days=7)
    return aggregate(database, now=now + SETTLE_SECONDS, keep_raw_days=7)
