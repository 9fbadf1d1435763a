"""`GET /a/v1/production/{prod}/stats`: real media requests through the delivery routes
(served, or redirected to S3), counted, answered as JSON and CSV; and every bad query
answered 400 in the error shape."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from podops.analytics.listeners import day_of
from podops.api import create_app
from podops.db import Database
from tests.conftest import make_settings
from tests.support.analytics import PROD, STATS_SCOPES, Studio, count, make_studio
from tests.support.auth import bearer, context_of, token_for
from tests.support.s3 import s3_environment

STATS = f"/a/v1/production/{PROD}/stats"
APPLE = "Podcasts/1650.20 CFNetwork/1404.0.5 Darwin/22.3.0"
OVERCAST = "Overcast/3.0 (+http://overcast.fm/; iOS podcast app)"
SPOTIFY = "Spotify/8.8.0 Android/33 (SM-G991B)"
GOOGLEBOT = "Googlebot/2.1 (+http://www.google.com/bot.html)"
ANTENNAPOD = "AntennaPod/3.2.0"


def today() -> str:
    return datetime.fromtimestamp(day_of(time.time()) * 86400, UTC).date().isoformat()


@pytest.fixture
def studio(client: TestClient) -> Studio:
    client.headers.update(bearer(token_for(context_of(client), "host@example.com", STATS_SCOPES)))
    return make_studio(client, context_of(client))


@pytest.fixture
def listened(client: TestClient, studio: Studio) -> Studio:
    """Podcatchers' requests to the public media route, logged and counted."""
    long, short = studio.long, studio.short
    asks = [
        (long, APPLE, {}, 200),  # whole → 1
        (long, APPLE, {}, 200),  # again → nothing more
        (long, OVERCAST, {"Range": "bytes=0-99"}, 206),  # 100 bytes → 0
        (long, SPOTIFY, {"Range": f"bytes=-{long.minute}"}, 206),  # the last minute → 1
        (long, GOOGLEBOT, {}, 200),  # a bot → 0
        (short, ANTENNAPOD, {}, 200),  # the whole short file → 1
    ]
    for media, agent, headers, status in asks:
        response = client.get(media.path, headers={"User-Agent": agent, **headers})
        assert response.status_code == status
    head = client.head(long.path, headers={"User-Agent": ANTENNAPOD})  # no bytes → 0
    assert head.status_code == 200
    assert studio.runtime.download_log.flush() == 7
    report = count(studio.runtime.database, time.time())
    assert (report.events, report.downloads) == (7, 3)
    return studio


def test_downloads_per_episode_day_app_and_platform(client: TestClient, listened: Studio) -> None:
    by_episode = client.get(STATS)
    assert by_episode.status_code == 200, by_episode.text
    body = by_episode.json()
    assert body["by"] == "episode"
    assert body["to"] == today()
    assert body["total"] == 3
    assert body["rows"] == [
        {"key": "long-episode-01", "downloads": 2},
        {"key": "short-episode-1", "downloads": 1},
    ]
    apps = client.get(STATS, params={"by": "app"}).json()["rows"]
    assert apps == [
        {"key": "AntennaPod", "downloads": 1},
        {"key": "Apple Podcasts", "downloads": 1},
        {"key": "Spotify", "downloads": 1},
    ]
    platforms = client.get(STATS, params={"by": "platform"}).json()["rows"]
    assert platforms == [
        {"key": "Android Phone", "downloads": 2},
        {"key": "Apple iPhone", "downloads": 1},
    ]
    start = (datetime.fromisoformat(today()) - timedelta(days=2)).date().isoformat()
    days = client.get(STATS, params={"by": "day", "from": start, "to": today()}).json()
    assert [row["downloads"] for row in days["rows"]] == [0, 0, 3]
    assert days["rows"][-1]["key"] == today()


def test_the_same_numbers_as_csv(client: TestClient, listened: Studio) -> None:
    for asked in ({"params": {"format": "csv"}}, {"headers": {"Accept": "text/csv"}}):
        response = client.get(STATS, **asked)  # type: ignore[arg-type]
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows == [
            ["episode", "downloads"],
            ["long-episode-01", "2"],
            ["short-episode-1", "1"],
        ]


def test_a_range_before_the_listening_has_no_downloads(
    client: TestClient, listened: Studio
) -> None:
    body = client.get(STATS, params={"from": "2020-01-01", "to": "2020-01-31"}).json()
    assert (body["total"], body["rows"]) == (0, [])


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ({"from": "2025-13-01"}, "podops.stats.invalid_date", "from"),
        ({"from": "20251201"}, "podops.stats.invalid_date", "from"),
        ({"to": "2025-1-1"}, "podops.stats.invalid_date", "to"),
        ({"to": "yesterday"}, "podops.stats.invalid_date", "to"),
        ({"from": "2025-02-30"}, "podops.stats.invalid_date", "from"),
        ({"from": "\uff12\uff10\uff12\uff15-01-01"}, "podops.stats.invalid_date", "from"),
        ({"from": "2025-12-02", "to": "2025-12-01"}, "podops.stats.invalid_range", "from"),
        ({"from": "2024-01-01", "to": "2025-01-01"}, "podops.stats.invalid_range", "from"),
        ({"by": "week"}, "podops.stats.invalid_by", "by"),
        ({"by": ""}, "podops.stats.invalid_by", "by"),
        ({"format": "xml"}, "podops.stats.invalid_format", "format"),
    ],
)
def test_bad_queries_are_400_in_the_error_shape(
    client: TestClient, studio: Studio, query: dict[str, str], code: str, field: str
) -> None:
    response = client.get(STATS, params=query)
    assert response.status_code == 400
    body = response.json()
    assert (body["success"], body["code"], body["field"]) == (False, code, field)
    assert body["message"]


def test_stats_need_a_token_with_production_read_on_ones_own_production(
    client: TestClient, studio: Studio
) -> None:
    context = context_of(client)
    del client.headers["Authorization"]
    assert client.get(STATS).status_code == 401
    writer = bearer(token_for(context, "host@example.com", "resource:read"))
    assert client.get(STATS, headers=writer).status_code == 403
    other = bearer(token_for(context, "other@example.com", STATS_SCOPES))
    response = client.get(STATS, headers=other)
    assert response.status_code == 404
    assert response.json()["code"] == "podops.production.not_found"
    unknown = client.get("/a/v1/production/no-such-podcast/stats", headers=other)
    assert unknown.status_code == 404


def test_a_subscribers_private_media_is_counted_too(client: TestClient) -> None:
    from tests.test_private_feeds import SCOPES, items, local, produce, subscribe

    client.headers.update(bearer(token_for(context_of(client), "host@example.com", SCOPES)))
    guid = produce(client, access="both")
    subscriber = subscribe(client)
    feed = client.get(local(client, subscriber["feed_url"]))
    media = local(client, items(feed.content)["Episode premium-episode-01"])
    assert client.get(media, headers={"User-Agent": APPLE}).status_code == 200
    ranged = client.get(media, headers={"User-Agent": OVERCAST, "Range": "bytes=0-99"})
    assert ranged.status_code == 206
    runtime = context_of(client)
    assert runtime.download_log.flush() == 2
    assert count(runtime.database, time.time()).downloads == 1
    body = client.get(f"/a/v1/production/{guid}/stats", params={"by": "app"}).json()
    assert body["rows"] == [{"key": "Apple Podcasts", "downloads": 1}]


def test_media_redirected_to_s3_is_counted_by_the_range_it_asked_for(
    tmp_path: Path,
    database: Database,
    redis_url: str,
    moto_endpoint: str,
    s3_bucket: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.support.s3 import use_dummy_aws_credentials

    use_dummy_aws_credentials(monkeypatch)
    settings = make_settings(
        tmp_path,
        PODOPS_DATABASE_URL=database.url,
        PODOPS_BROKER_URL=redis_url,
        **s3_environment(moto_endpoint, s3_bucket, "stats-test"),
    )
    with TestClient(create_app(settings)) as client:
        runtime = context_of(client)
        client.headers.update(bearer(token_for(runtime, "host@example.com", STATS_SCOPES)))
        studio = make_studio(client, runtime)
        long = studio.long
        asks = [
            (APPLE, f"bytes=0-{long.minute - 1}"),  # a minute, from the store → 1
            (OVERCAST, "bytes=0-99"),  # 100 bytes → 0
            (SPOTIFY, None),  # the whole file → 1
        ]
        for agent, wanted in asks:
            headers = {"User-Agent": agent, **({"Range": wanted} if wanted else {})}
            response = client.get(long.path, headers=headers, follow_redirects=False)
            assert response.status_code == 307
            assert response.headers["location"].startswith(moto_endpoint)
        assert runtime.download_log.flush() == 3
        assert count(runtime.database, time.time()).downloads == 2
        apps = client.get(STATS, params={"by": "app"}).json()["rows"]
        assert apps == [
            {"key": "Apple Podcasts", "downloads": 1},
            {"key": "Spotify", "downloads": 1},
        ]
