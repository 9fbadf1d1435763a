"""`po ops`, `po token`, `po production delete|rename`, `po export` and `po apply --prune`
against a real uvicorn port."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import yaml
from click.testing import CliRunner

from podops.client import ops
from podops.client.apply import pruned
from podops.client.cli import main as po
from podops.client.documents import Document, Step
from tests.support.processes import LiveServer
from tests.test_po_apply import catalogue, write
from tests.test_po_cli import SCOPES, api_token, errors_of, po_config, run

__all__ = ["po_config"]  # the fixture, autouse here too


def api_options(live_server: LiveServer, scopes: str = SCOPES) -> list[str]:
    return ["--api", live_server.url, "--token", api_token(live_server, scopes=scopes)]


def test_ops_list_pages_through_the_cursor_and_show_tells_one(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = api_options(live_server)
    run([*api, "create", "ops-podcast", "--title", "Ops"])
    urls = [f"https://cdn.example.com/{name}.mp3" for name in ("one", "two", "three")]
    start = [*api, "-o", "json", "import", "asset", "ops-podcast"]
    started = [json.loads(run([*start, url, "--no-wait"]))["id"] for url in urls]
    monkeypatch.setattr(ops, "PAGE_SIZE", 2)  # three operations: two pages

    listed = run([*api, "ops", "list", "--production", "ops-podcast", "--limit", "0", "-q"])
    # Newest first (those of the same second by id): each once, over both pages.
    assert sorted(listed.split()) == sorted(started)
    busy = json.loads(
        run([*api, "ops", "list", "--state", "Busy", "--kind", "import_asset", "-o", "json"])
    )
    assert [row["id"] for row in busy["operations"]] == listed.split()
    assert run([*api, "ops", "list", "--state", "Failed", "-q"]) == ""
    assert run([*api, "ops", "list", "--limit", "1", "-q"]).split() == listed.split()[:1]
    table = run([*api, "ops", "list"])
    assert "import_asset" in table
    assert f"{started[0]}" in table
    shown = json.loads(run([*api, "ops", "show", started[0], "-o", "json"]))
    assert shown["status"] == "Busy"
    # The command it always was, still there.
    assert json.loads(run([*api, "operation", started[0], "-o", "json"]))["id"] == started[0]
    waited = errors_of([*api, "ops", "wait", started[0], "--timeout", "0"])
    assert f"import_asset {started[0]} is still busy" in waited

    assert "kind must be one of" in errors_of([*api, "ops", "list", "--kind", "bogus"])
    assert "404" in errors_of([*api, "ops", "list", "--production", "no-such-podcast"])
    assert "404" in errors_of([*api, "ops", "show", "0" * 32])
    assert "'Done' is not one of" in errors_of([*api, "ops", "list", "--state", "Done"], code=2)


def test_tokens_are_created_listed_and_revoked(live_server: LiveServer) -> None:
    api = api_options(live_server)
    created = json.loads(
        run(
            [
                *api,
                "token",
                "create",
                "--scope",
                "resource:read",
                "--expires-in",
                "1h",
                "-o",
                "json",
            ]
        )
    )
    token, jti = created["token"], created["claims"]["jti"]
    assert created["claims"]["scope"] == "resource:read"
    assert created["expires_in"] == 3600
    whoami = httpx.get(f"{live_server.url}/_a/token", headers={"Authorization": f"Bearer {token}"})
    assert whoami.json()["jti"] == jti
    assert jti in run([*api, "token", "list", "-q"]).split()
    assert "resource:read" in run([*api, "token", "list"])
    assert run([*api, "token", "create", "--scope", "resource:read", "-q"]).count(".") == 2

    run([*api, "token", "revoke", jti])
    assert jti not in run([*api, "token", "list", "-q"]).split()
    revoked = json.loads(run([*api, "token", "list", "--all", "-o", "json"]))
    assert [row["revoked"] is not None for row in revoked["tokens"] if row["jti"] == jti] == [True]
    assert (
        httpx.get(
            f"{live_server.url}/_a/token", headers={"Authorization": f"Bearer {token}"}
        ).status_code
        == 401
    )

    # More than the caller holds; a lifetime that is no duration; no scope at all.
    wider = errors_of([*api, "token", "create", "--scope", "api:admin"])
    assert "403" in wider
    assert "po whoami" in wider
    assert "a duration such as" in errors_of(
        [*api, "token", "create", "--scope", "resource:read", "--expires-in", "soon"], code=2
    )
    assert "--scope" in errors_of([*api, "token", "create"], code=2)
    assert "404" in errors_of([*api, "token", "revoke", "no-such-token"])


def test_a_production_is_renamed_then_deleted_once_its_name_is_typed(
    live_server: LiveServer,
) -> None:
    api = api_options(live_server)
    run([*api, "create", "old-podcast", "--title", "Old"])

    renamed = json.loads(
        run([*api, "production", "rename", "old-podcast", "new-podcast", "-o", "json"])
    )
    assert renamed["previous_name"] == "old-podcast"
    assert renamed["production"]["name"] == "new-podcast"
    assert run([*api, "productions", "-q"]).split() == ["new-podcast"]
    assert "404" in errors_of([*api, "production", "rename", "old-podcast", "other-podcast"])
    assert "name" in errors_of([*api, "production", "rename", "new-podcast", "Not A Name"])

    refused = CliRunner().invoke(po, [*api, "production", "delete", "new-podcast"], input="new\n")
    assert refused.exit_code == 1
    assert "Type its name to confirm" in refused.stderr
    assert "'new' is not 'new-podcast': nothing was deleted" in refused.stderr
    assert run([*api, "productions", "-q"]).split() == ["new-podcast"]

    deleted = CliRunner().invoke(
        po, [*api, "production", "delete", "new-podcast"], input="new-podcast\n"
    )
    assert deleted.exit_code == 0, deleted.output
    assert "deleted production new-podcast" in deleted.stdout
    assert run([*api, "productions", "-q"]) == ""
    assert "404" in errors_of([*api, "production", "delete", "new-podcast", "--yes"])


def test_export_round_trips_and_prune_deletes_what_no_file_names(
    live_server: LiveServer, tmp_path: Path
) -> None:
    api = api_options(live_server)
    run([*api, "create", "export-show", "--title", "Export"])
    run([*api, "apply", "export-show", str(catalogue(tmp_path / "written", "export-show", 3))])
    audio = tmp_path / "Intro Music.mp3"
    from tests.media.mpeg_frames import cbr_44100

    audio.write_bytes(cbr_44100(frames=100))
    run([*api, "upload", "export-show", str(audio)])

    exported = tmp_path / "exported"
    files = run([*api, "export", "export-show", "-d", str(exported), "-q"]).split()
    assert sorted(Path(name).relative_to(exported).as_posix() for name in files) == [
        "assets/intro-music.yaml",
        "episodes/episode-0001.yaml",
        "episodes/episode-0002.yaml",
        "episodes/episode-0003.yaml",
        "show.yaml",
    ]
    asset = yaml.safe_load((exported / "assets" / "intro-music.yaml").read_text())
    assert set(asset) == {"apiVersion", "kind", "metadata"}  # what upload found is the server's
    assert "guid" not in asset["metadata"]
    episode = yaml.safe_load((exported / "episodes" / "episode-0002.yaml").read_text())
    assert {"guid", "parent"}.isdisjoint(episode["metadata"])
    assert "podcast_guid" not in yaml.safe_load((exported / "show.yaml").read_text())["description"]

    assert run([*api, "diff", "export-show", str(exported)]).endswith(
        "0 to create, 0 to update, 5 unchanged\n"
    )
    again = json.loads(run([*api, "apply", "export-show", "-f", str(exported), "-o", "json"]))
    assert {step["action"] for step in again} == {"unchanged"}

    (exported / "episodes" / "episode-0002.yaml").unlink()
    write(
        exported / "episodes" / "episode-0004.yaml",
        {**episode, "metadata": {"name": "episode-0004"}},
    )
    checked = CliRunner().invoke(
        po, [*api, "apply", "export-show", str(exported), "--prune", "--dry-run"]
    )
    assert checked.exit_code == 0, checked.output
    assert "- delete episode episode-0002" in checked.stderr
    declined = CliRunner().invoke(
        po, [*api, "apply", "export-show", str(exported), "--prune"], input="n\n"
    )
    assert declined.exit_code == 1
    assert "- delete episode episode-0002" in declined.stderr
    assert "nothing applied, nothing deleted" in declined.stderr
    names = run([*api, "get", "export-show", "episode", "-q"]).split()
    assert sorted(names) == ["episode-0001", "episode-0002", "episode-0003"]

    pruning = run([*api, "apply", "export-show", str(exported), "--prune", "--yes"])
    assert "created episode episode-0004" in pruning
    assert "deleted episode episode-0002" in pruning
    names = run([*api, "get", "export-show", "episode", "-q"]).split()
    assert sorted(names) == ["episode-0001", "episode-0003", "episode-0004"]
    # A directory of episodes alone never deletes the show or the uploaded assets.
    run([*api, "apply", "export-show", str(exported / "episodes"), "--prune", "--yes"])
    assert sorted(run([*api, "get", "export-show", "all", "-q"]).split()) == [
        "episode-0001",
        "episode-0003",
        "episode-0004",
        "export-show",
        "intro-music",
    ]

    unwritable = tmp_path / "a-file"
    unwritable.write_text("")
    assert "a-file" in errors_of([*api, "export", "export-show", "-d", str(unwritable)], code=2)
    assert "404" in errors_of([*api, "export", "no-such-show", "-d", str(tmp_path / "none")])


def test_prune_deletes_episodes_before_their_show() -> None:
    steps = [Step(Document("a.yaml", "asset", "kept-asset", {}), "unchanged")]
    steps.append(Step(Document("b.yaml", "episode", "kept-episode", {}), "unchanged"))
    current = {
        ("show", "the-show"): {},
        ("asset", "old-asset"): {},
        ("episode", "old-episode-2"): {},
        ("asset", "kept-asset"): {},
        ("episode", "old-episode-1"): {},
        ("episode", "kept-episode"): {},
    }
    assert pruned(steps, current) == [
        ("episode", "old-episode-1"),
        ("episode", "old-episode-2"),
        ("asset", "old-asset"),
    ]
    steps.append(Step(Document("c.yaml", "show", "other-show", {}), "create"))
    assert pruned(steps, current)[-1] == ("show", "the-show")
