"""`po` against a real uvicorn port: productions and YAML resource documents."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner
from PIL import Image

from podops.client.cli import main as po
from tests.support.auth import token_for
from tests.support.documents import episode, show
from tests.support.processes import LiveServer

SCOPES = "production:read production:write resource:read resource:write"


def run(args: list[str], code: int = 0) -> str:
    result = CliRunner().invoke(po, args, catch_exceptions=False)
    assert result.exit_code == code, result.output
    # Results on standard output; progress and errors on standard error.
    return result.stdout if code == 0 else result.output


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


def test_upload_and_build_from_the_command_line(
    live_server: LiveServer, worker: object, tmp_path: Path
) -> None:
    from tests.media.mpeg_frames import cbr_44100

    context = live_server.server.config.app.state.context  # type: ignore[attr-defined]
    token = token_for(context, "host@example.com", SCOPES + " production:build")
    api = ["--api", live_server.url, "--token", token]
    run([*api, "create", "cli-podcast", "--title", "CLI Podcast"])
    audio = tmp_path / "First Episode.mp3"
    audio.write_bytes(cbr_44100(frames=400))
    uploaded = json.loads(run([*api, "upload", "cli-podcast", str(audio)]))
    assert uploaded["asset"]["metadata"]["name"] == "first-episode"
    cover = tmp_path / "cover.png"
    Image.new("RGB", (1400, 1400)).save(cover)
    run([*api, "upload", "cli-podcast", str(cover), "--artwork", "--name", "cover-art-cli"])
    show_file, episode_file = tmp_path / "show.yaml", tmp_path / "episode.yaml"
    show_document = show("cli-podcast")
    show_document["image"] = {"rel": "asset", "name": "cover-art-cli"}
    show_file.write_text(yaml.safe_dump(show_document))
    document = episode("first-episode-doc")
    document["enclosure"] = {"rel": "asset", "name": "first-episode"}
    episode_file.write_text(yaml.safe_dump(document))
    run([*api, "apply", "cli-podcast", str(show_file), str(episode_file)])
    checked = json.loads(run([*api, "build", "cli-podcast", "--validate"]))
    assert checked["status"] == "Success"
    assert checked["result"]["published"] is False
    built = json.loads(run([*api, "build", "cli-podcast"]))
    assert built["status"] == "Success", built
    assert built["result"]["items"] == 1


def test_waiting_shows_an_import_s_progress() -> None:
    from podops.client.cli import busy_line

    operation = {"kind": "import_asset", "id": "ab12", "status": "Busy", "progress": None}
    assert busy_line(operation) == "… import_asset ab12 is busy"
    operation["progress"] = {"stage": "download", "done": 340_000_000, "total": 2_000_000_000}
    assert busy_line(operation) == (
        "… import_asset ab12 is busy: download 340.0 MB of 2,000.0 MB (17%)"
    )
    operation["progress"] = {"stage": "download", "done": 1_500_000, "total": None}
    assert busy_line(operation) == "… import_asset ab12 is busy: download 1.5 MB"
