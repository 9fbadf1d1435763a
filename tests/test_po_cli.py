"""`po` against a real uvicorn port: productions and YAML resource documents."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from podops.client.cli import main as po
from tests.support.auth import token_for
from tests.support.documents import episode, show
from tests.support.processes import LiveServer

SCOPES = "production:read production:write resource:read resource:write"


def run(args: list[str], code: int = 0) -> str:
    result = CliRunner().invoke(po, args, catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def test_a_producer_keeps_documents_as_yaml_files(live_server: LiveServer, tmp_path: Path) -> None:
    context = live_server.server.config.app.state.context  # type: ignore[attr-defined]
    token = token_for(context, "host@example.com", SCOPES)
    api = ["--api", live_server.url, "--token", token]
    created = json.loads(run([*api, "create", "yaml-podcast", "--title", "YAML Podcast"]))
    assert created["name"] == "yaml-podcast"
    show_file = tmp_path / "show.yaml"
    show_file.write_text(yaml.safe_dump(show("yaml-podcast")))
    episode_file = tmp_path / "episode-1.yaml"
    episode_file.write_text(yaml.safe_dump(episode("episode-0001")))
    assert "created show yaml-podcast" in run([*api, "apply", "yaml-podcast", str(show_file)])
    assert "created episode episode-0001" in run([*api, "apply", "yaml-podcast", str(episode_file)])

    changed = episode("episode-0001", title="Renamed in YAML")
    episode_file.write_text(yaml.safe_dump(changed))
    assert "updated episode episode-0001" in run([*api, "apply", "yaml-podcast", str(episode_file)])
    fetched = json.loads(run([*api, "get", "yaml-podcast", "episode", "episode-0001"]))
    assert fetched["description"]["title"] == "Renamed in YAML"
    listed = json.loads(run([*api, "get", "yaml-podcast"]))
    assert len(listed["resources"]) == 2

    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(show("yaml-podcast", language="klingon")))
    assert "400 podops.request.invalid" in run([*api, "apply", "yaml-podcast", str(bad)], code=1)
    run([*api, "delete", "yaml-podcast", "episode", "episode-0001"])
    assert "404" in run([*api, "get", "yaml-podcast", "episode", "episode-0001"], code=1)
