"""`po` against a real uvicorn port: productions, YAML documents, output formats, uploads."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from PIL import Image

from podops.client.cli import main as po
from tests.support.auth import token_for
from tests.support.documents import episode, show
from tests.support.processes import REPO, LiveServer

SCOPES = "production:read production:write resource:read resource:write"
PO_VARIABLES = ("PO_API", "PO_TOKEN", "PO_CREDENTIALS", "PO_CONTEXT")


@pytest.fixture(autouse=True)
def po_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A configuration file of the test's own, and none of the caller's PO_* variables."""
    path = tmp_path / "po-config" / "config.yaml"
    monkeypatch.setenv("PO_CONFIG", str(path))
    for name in PO_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return path


def run(
    args: list[str],
    code: int = 0,
    *,
    input: str | None = None,
    env: dict[str, str] | None = None,
) -> str:
    result = CliRunner().invoke(po, args, catch_exceptions=False, input=input, env=env)
    assert result.exit_code == code, result.output
    # Results on standard output; progress and errors on standard error.
    return result.stdout if code == 0 else result.output


def errors_of(args: list[str], code: int = 1) -> str:
    """Standard error of a `po` run that fails with `code`."""
    result = CliRunner().invoke(po, args, catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.stderr


def api_token(
    live_server: LiveServer, email: str = "host@example.com", scopes: str = SCOPES
) -> str:
    context = live_server.server.config.app.state.context  # type: ignore[attr-defined]
    return token_for(context, email, scopes)


def test_a_producer_keeps_documents_as_yaml_files(live_server: LiveServer, tmp_path: Path) -> None:
    api = ["--api", live_server.url, "--token", api_token(live_server)]
    created = json.loads(run([*api, "-o", "json", "create", "yaml-podcast", "--title", "YAML"]))
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
    fetched = json.loads(
        run([*api, "get", "yaml-podcast", "episode", "episode-0001", "-o", "json"])
    )
    assert fetched["description"]["title"] == "Renamed in YAML"
    listed = json.loads(run([*api, "get", "yaml-podcast", "-o", "json"]))
    assert len(listed["resources"]) == 2

    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(show("yaml-podcast", language="klingon")))
    assert "400 podops.request.invalid" in run([*api, "apply", "yaml-podcast", str(bad)], code=1)
    run([*api, "delete", "yaml-podcast", "episode", "episode-0001"])
    assert "404" in run([*api, "get", "yaml-podcast", "episode", "episode-0001"], code=1)


TITLE = "Café Ünïcode — 播客 🎙"


def test_output_is_a_table_json_yaml_or_names_with_unicode_as_is(live_server: LiveServer) -> None:
    api = ["--api", live_server.url, "--token", api_token(live_server)]
    run([*api, "create", "unicode-show", "--title", TITLE])
    run([*api, "create", "second-show", "--title", "Second"])

    table = run([*api, "productions"])
    header, *rows = [line.split() for line in table.strip().splitlines() if line.strip("─ ")]
    assert header == ["NAME", "GUID", "TITLE", "CREATED"]
    assert {row[0] for row in rows} == {"unicode-show", "second-show"}
    assert TITLE in table

    as_json = run([*api, "productions", "-o", "json"])
    assert TITLE in as_json  # not escaped as \u00e9
    assert {p["title"] for p in json.loads(as_json)["productions"]} == {TITLE, "Second"}
    # The format may also come before the command.
    assert json.loads(run([*api, "-o", "json", "productions"])) == json.loads(as_json)

    as_yaml = run([*api, "productions", "-o", "yaml"])
    assert TITLE in as_yaml
    assert {p["title"] for p in yaml.safe_load(as_yaml)["productions"]} == {TITLE, "Second"}

    assert sorted(run([*api, "productions", "-q"]).split()) == ["second-show", "unicode-show"]
    assert run([*api, "create", "quiet-show-x", "--title", "Q", "--quiet"]) == "quiet-show-x\n"


def test_version_flag_and_the_server_s_version(live_server: LiveServer) -> None:
    import podops

    assert run(["--version"]) == f"po {podops.__version__}\n"
    # The server's version needs no token.
    assert json.loads(run(["--api", live_server.url, "version", "-o", "json"]))["name"] == "podops"


def test_upload_and_build_from_the_command_line(
    live_server: LiveServer, worker: object, tmp_path: Path
) -> None:
    from tests.media.mpeg_frames import cbr_44100

    token = api_token(live_server, scopes=SCOPES + " production:build")
    api = ["--api", live_server.url, "--token", token, "-o", "json"]
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


def test_upload_shows_a_progress_bar_on_a_terminal_only(
    live_server: LiveServer, tmp_path: Path
) -> None:
    from tests.media.mpeg_frames import cbr_44100

    api = ["--api", live_server.url, "--token", api_token(live_server)]
    run([*api, "create", "progress-show", "--title", "Progress"])
    audio = tmp_path / "long-episode.mp3"
    audio.write_bytes(cbr_44100(frames=4000))
    size = f"{audio.stat().st_size / 1_000_000:.1f}"

    # Not a terminal (CliRunner): the result, no bar.
    result = CliRunner().invoke(po, [*api, "upload", "progress-show", str(audio), "-q"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "long-episode\n"
    assert result.stderr == ""

    # Standard error a terminal: the bar is drawn there, standard output keeps the result.
    controller, terminal = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(REPO), COLUMNS="120")
    upload = [sys.executable, "-m", "podops.client.cli", *api, "upload", "progress-show"]
    process = subprocess.run(
        [*upload, str(audio), "--name", "long-episode-2", "-o", "json"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=terminal,
        timeout=60,
        check=False,
    )
    os.close(terminal)
    drawn = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal's other end is closed: all read
            break
        if not chunk:
            break
        drawn += chunk
    os.close(controller)
    assert process.returncode == 0, drawn.decode(errors="replace")
    assert json.loads(process.stdout)["asset"]["metadata"]["name"] == "long-episode-2"
    screen = drawn.decode(errors="replace")
    assert "long-episode.mp3" in screen
    assert f"{size}/{size} MB" in screen, screen
