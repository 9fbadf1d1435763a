"""Issue 16's "done when": one producer drives `po` through a whole catalogue's life against
uvicorn and a Celery worker on PostgreSQL, under the default rate limit — login, apply of
1,000 episodes, diff, dry run, prune, export and re-apply, upload with a progress bar, build,
feed import, operations and stats."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import yaml
from click.testing import CliRunner

from podops.client.cli import main as po
from podops.runtime import Runtime
from podops.settings import Settings
from tests.conftest import TEST_SECRET, make_settings
from tests.media.mpeg_frames import cbr_44100
from tests.support.analytics import count
from tests.support.processes import REPO, LiveServer
from tests.test_feed_import import ITEMS, foreign_feed
from tests.test_po_apply import catalogue, write
from tests.test_po_cli import api_token, po_config

__all__ = ["po_config"]  # the fixture, autouse here too

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

PROD = "back-catalogue"
EPISODES = 1000
SCOPES = "production:read production:write production:build resource:read resource:write"


def default_rate_limit(tmp_path: Path) -> int:
    """PODOPS_RATE_LIMIT as a server that leaves it unset has it."""
    unset = {"PODOPS_JWT_SECRET": TEST_SECRET, "PODOPS_DATA_DIR": str(tmp_path / "unset")}
    return Settings.from_env(unset).rate_limit


@pytest.fixture
def database_url(postgres_databases: Callable[..., str]) -> str:
    """PostgreSQL only: what a producer's server runs on."""
    return postgres_databases()


@pytest.fixture
def settings(tmp_path: Path, database: object, database_url: str, redis_url: str) -> Settings:
    """The test's database, Redis and queue, and the rate limit every server starts with."""
    return make_settings(
        tmp_path,
        PODOPS_DATABASE_URL=database_url,
        PODOPS_BROKER_URL=redis_url,
        PODOPS_RATE_LIMIT=str(default_rate_limit(tmp_path)),
    )


def run(args: list[str], code: int = 0, *, input: str | None = None) -> str:
    result = CliRunner().invoke(po, args, catch_exceptions=False, input=input)
    assert result.exit_code == code, result.output
    return result.stdout if code == 0 else result.output


def upload_on_a_terminal(audio: Path) -> tuple[dict[str, object], str]:
    """`po upload` as a process whose standard error is a terminal: its result, and what it
    drew there."""
    controller, terminal = pty.openpty()
    process = subprocess.run(
        [sys.executable, "-m", "podops.client.cli", "upload", PROD, str(audio), "-o", "json"],
        env=dict(os.environ, PYTHONPATH=str(REPO), COLUMNS="120"),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=terminal,
        timeout=120,
        check=False,
    )
    os.close(terminal)
    drawn = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the other end is closed: all read
            break
        if not chunk:
            break
        drawn += chunk
    os.close(controller)
    screen = drawn.decode(errors="replace")
    assert process.returncode == 0, screen
    return json.loads(process.stdout), screen


def test_a_producer_runs_a_back_catalogue_with_po(
    live_server: LiveServer, worker: object, settings: Settings, tmp_path: Path
) -> None:
    assert settings.rate_limit == 60
    began = time.monotonic()
    runtime: Runtime = live_server.server.config.app.state.context  # type: ignore[attr-defined]

    # Login: from here on po finds the API and the token in its context.
    token = api_token(live_server, "producer@example.com", SCOPES)
    run(["login", "--api", live_server.url, "--token", token])
    whoami = json.loads(run(["whoami", "-o", "json"]))
    assert whoami["api"] == live_server.url
    assert set(whoami["scope"].split()) == set(SCOPES.split())
    run(["create", PROD, "--title", "Back Catalogue"])

    # 1,000 episodes in one run, under the default limit of 60 requests a minute.
    files = catalogue(tmp_path / "podcast", PROD, EPISODES)
    applied = run(["apply", PROD, "-f", str(files)])
    assert applied.count("created episode ") == EPISODES

    # Diff: nothing to change. Then one change, seen by diff and by the server's dry run.
    assert run(["diff", PROD, str(files)]).endswith(
        f"0 to create, 0 to update, {EPISODES + 1} unchanged\n"
    )
    changed = yaml.safe_load((files / "episodes" / "0007.yaml").read_text())
    changed["description"]["title"] = "Épisode sept"
    write(files / "episodes" / "0007.yaml", changed)
    assert '    description.title: "Episode episode-0007" → "Épisode sept"' in run(
        ["diff", PROD, str(files)], code=1
    )
    checked = run(["apply", PROD, str(files), "--dry-run"])
    assert "~ update episode episode-0007" in checked
    assert f"0 to create, 1 to update, {EPISODES} unchanged (dry run: nothing applied)" in checked

    # Prune: the file of episode 13 is gone, so is the episode (after the --yes).
    (files / "episodes" / "0013.yaml").unlink()
    pruned = run(["apply", PROD, str(files), "--prune", "--yes"])
    assert "updated episode episode-0007" in pruned
    assert "deleted episode episode-0013" in pruned

    # Export and re-apply: the catalogue round-trips with nothing to send.
    exported = tmp_path / "exported"
    run(["export", PROD, "-d", str(exported)])
    assert len(list((exported / "episodes").glob("*.yaml"))) == EPISODES - 1
    again = json.loads(run(["apply", PROD, "-f", str(exported), "-o", "json"]))
    assert {step["action"] for step in again} == {"unchanged"}
    assert len(again) == EPISODES  # the show and 999 episodes

    # Upload with a progress bar; the first episode plays the upload.
    audio = tmp_path / "First Episode.mp3"
    audio.write_bytes(cbr_44100(frames=4000))
    uploaded, screen = upload_on_a_terminal(audio)
    assert "First Episode.mp3" in screen
    size = f"{audio.stat().st_size / 1_000_000:.1f}"
    assert f"{size}/{size} MB" in screen, screen
    first = yaml.safe_load((exported / "episodes" / "episode-0001.yaml").read_text())
    first["enclosure"] = {"rel": "asset", "name": "first-episode"}
    write(exported / "episodes" / "episode-0001.yaml", first)
    assert "updated episode episode-0001" in run(["apply", PROD, str(exported)])
    assert uploaded["asset"]["metadata"]["name"] == "first-episode"  # type: ignore[index]

    # Build: the feed is published with every episode.
    built = json.loads(run(["build", PROD, "-o", "json"]))
    assert built["status"] == "Success", built
    assert built["result"]["items"] == EPISODES - 1
    refused = run(["production", "delete", PROD, "--yes"], code=1)
    assert "--force" in refused

    # A podcast moved in from its old host's feed.
    feed = tmp_path / "old-feed.xml"
    feed.write_bytes(foreign_feed(ITEMS))
    moved = run(["import", "feed", "moved-podcast", "--file", str(feed)])
    assert "2 episodes added" in moved

    # Operations: the build and the import, listed and shown.
    operations = json.loads(run(["ops", "list", "-o", "json"]))["operations"]
    kinds = {row["kind"] for row in operations}
    assert {"build", "import_feed"} <= kinds
    build_id = next(row["id"] for row in operations if row["kind"] == "build")
    assert json.loads(run(["ops", "show", build_id, "-o", "json"]))["status"] == "Success"
    assert run(["ops", "list", "--production", PROD, "--kind", "build", "-q"]).split() == [build_id]

    # Stats: a listener's app fetched the uploaded episode's media, and it was counted.
    facts = uploaded["asset"]["description"]  # type: ignore[index]
    production_guid = json.loads(run(["productions", "-o", "json"]))["productions"][0]["guid"]
    media = f"{live_server.url}/m/{production_guid}/{facts['storage_key'].rsplit('/', 1)[1]}"
    agent = {"User-Agent": "Podcasts/1650.20 CFNetwork/1404.0.5 Darwin/22.3.0"}
    assert httpx.get(media, headers=agent, timeout=10).status_code == 200
    assert runtime.download_log.flush() == 1
    assert count(runtime.database, time.time()).downloads == 1
    lines = [line.split() for line in run(["stats", PROD]).splitlines() if line.strip()]
    assert ["episode-0001", "1"] in lines
    assert ["total", "1"] in lines

    assert time.monotonic() - began < 150
