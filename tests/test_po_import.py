"""`po import feed` against a real uvicorn port and a real worker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from podops.client.cli import main as po
from tests.support.processes import LiveServer
from tests.test_feed_import import ITEMS, foreign_feed
from tests.test_po_cli import api_token, po_config, run

__all__ = ["po_config"]  # the fixture, autouse here too

pytestmark = pytest.mark.slow
SCOPES = "production:read production:write resource:read resource:write"


def test_a_feed_file_is_imported_and_a_second_import_adds_nothing(
    live_server: LiveServer, worker: object, tmp_path: Path
) -> None:
    api = ["--api", live_server.url, "--token", api_token(live_server, "mover@example.com")]
    feed = tmp_path / "old-feed.xml"
    feed.write_bytes(foreign_feed(ITEMS))

    result = CliRunner().invoke(po, [*api, "import", "feed", "moved-show", "--file", str(feed)])
    assert result.exit_code == 0, result.output
    assert "2 episodes added, 0 already there, 2 problems" in result.stdout
    assert "import_feed" in result.stdout  # the operation's table
    again = json.loads(
        run([*api, "import", "feed", "moved-show", "--file", str(feed), "-o", "json"])
    )
    assert again["status"] == "Success"
    assert again["result"]["episodes_already_there"] == 2
    listed = json.loads(run([*api, "get", "moved-show", "episode", "-o", "json"]))
    assert len(listed["resources"]) == 2


def test_a_blocked_feed_url_names_the_setting_that_allows_it(
    live_server: LiveServer, worker: object
) -> None:
    api = ["--api", live_server.url, "--token", api_token(live_server, "mover@example.com")]
    url = "http://127.0.0.1:9/feed.xml"
    result = CliRunner().invoke(po, [*api, "import", "feed", "private-show", "--url", url])
    assert result.exit_code == 1, result.output
    assert "podops.fetch.blocked_address" in result.stderr
    assert "PODOPS_FETCH_ALLOW" in result.stderr


def test_import_feed_wants_one_source(live_server: LiveServer, tmp_path: Path) -> None:
    api = ["--api", live_server.url, "--token", api_token(live_server)]
    result = CliRunner().invoke(po, [*api, "import", "feed", "no-source-show"])
    assert result.exit_code == 2
    assert "--url or its --file" in result.stderr
    # `po import PRODUCTION URL` is still the asset import.
    result = CliRunner().invoke(po, [*api, "import", "no-such-show", "https://x.example/a.mp3"])
    assert result.exit_code == 1
    assert "404" in result.stderr
