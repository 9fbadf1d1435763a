"""`po stats` against a real uvicorn port, after real media requests were counted."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from podops.client.cli import main as po
from podops.runtime import Runtime
from tests.support.analytics import PROD, STATS_SCOPES, count, make_studio
from tests.support.auth import bearer, token_for
from tests.support.processes import LiveServer

APPLE = "Podcasts/1650.20 CFNetwork/1404.0.5 Darwin/22.3.0"
SPOTIFY = "Spotify/8.8.0 Android/33 (SM-G991B)"


@pytest.fixture(autouse=True)
def po_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PO_CONFIG", str(tmp_path / "po-config" / "config.yaml"))
    for name in ("PO_API", "PO_TOKEN", "PO_CREDENTIALS", "PO_CONTEXT"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def served(live_server: LiveServer) -> list[str]:
    """`po`'s API options, and a studio whose media three podcatchers fetched over HTTP."""
    runtime: Runtime = live_server.server.config.app.state.context  # type: ignore[attr-defined]
    token = token_for(runtime, "host@example.com", STATS_SCOPES)
    with httpx.Client(base_url=live_server.url, headers=bearer(token)) as http:
        studio = make_studio(http, runtime)
        for media, agent in ((studio.long, APPLE), (studio.long, SPOTIFY), (studio.short, APPLE)):
            assert http.get(media.path, headers={"User-Agent": agent}).status_code == 200
    assert runtime.download_log.flush() == 3
    assert count(runtime.database, time.time()).downloads == 3
    return ["--api", live_server.url, "--token", token]


def run(args: list[str], code: int = 0) -> str:
    result = CliRunner().invoke(po, args, catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.stdout if code == 0 else result.stderr


def test_po_stats_prints_a_table_a_producer_can_read(served: list[str]) -> None:
    api = served
    table = run([*api, "stats", PROD])
    lines = [line.split() for line in table.splitlines() if line.strip()]
    assert lines[0] == ["EPISODE", "DOWNLOADS"]
    assert ["long-episode-01", "2"] in lines
    assert ["short-episode-1", "1"] in lines
    assert ["total", "3"] in lines
    apps = [line.split() for line in run([*api, "stats", PROD, "--by", "app"]).splitlines()]
    assert ["Apple", "Podcasts", "2"] in apps
    assert ["Spotify", "1"] in apps


def test_po_stats_as_json_and_csv(served: list[str]) -> None:
    api = served
    body = json.loads(run([*api, "stats", PROD, "--by", "platform", "-o", "json"]))
    assert body["rows"] == [
        {"key": "Apple iPhone", "downloads": 2},
        {"key": "Android Phone", "downloads": 1},
    ]
    rows = list(csv.reader(io.StringIO(run([*api, "stats", PROD, "-o", "csv"]))))
    assert rows == [["episode", "downloads"], ["long-episode-01", "2"], ["short-episode-1", "1"]]


def test_po_stats_reports_bad_dates_and_exits_1(served: list[str]) -> None:
    api = served
    error = run([*api, "stats", PROD, "--from", "2025-12-31", "--to", "2025-12-01"], code=1)
    assert "from is after to" in error
    error = run([*api, "stats", PROD, "--from", "31.12.2025", "-o", "csv"], code=1)
    assert "YYYY-MM-DD" in error
    assert "podops.production.not_found" in run([*api, "stats", "no-such-podcast"], code=1)
