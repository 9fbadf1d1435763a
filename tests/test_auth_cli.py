"""Auth from the command lines: `podops users|token|serviceaccount` and `po`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from podops.cli import main as podops
from podops.client.cli import main as po
from podops.settings import Settings
from tests.support.processes import LiveServer, process_env


@pytest.fixture
def env(settings: Settings) -> dict[str, str]:
    return process_env(settings)


def run(command: object, args: list[str], env: dict[str, str], code: int = 0) -> str:
    result = CliRunner().invoke(command, args, env=env, catch_exceptions=False)  # type: ignore[arg-type]
    assert result.exit_code == code, result.output
    return result.output


def test_users_are_created_listed_and_deactivated(env: dict[str, str]) -> None:
    assert "created boss@example.com" in run(
        podops, ["users", "create", "Boss@Example.com", "--admin"], env
    )
    run(podops, ["users", "create", "host@example.com"], env)
    listed = run(podops, ["users", "list"], env)
    assert "boss@example.com  (admin)" in listed
    assert "host@example.com" in listed
    assert "already" in run(podops, ["users", "create", "host@example.com"], env, code=1)
    assert "not an email" in run(podops, ["users", "create", "not-an-email"], env, code=1)
    run(podops, ["users", "deactivate", "host@example.com"], env)
    assert "host@example.com  (deactivated)" in run(podops, ["users", "list"], env)
    assert "no user" in run(podops, ["users", "deactivate", "ghost@example.com"], env, code=1)


def test_the_first_admin_token_comes_from_the_server_cli(
    env: dict[str, str], live_server: LiveServer
) -> None:
    run(podops, ["users", "create", "boss@example.com", "--admin"], env)
    output = run(
        podops,
        [
            "token",
            "create",
            "--user",
            "boss@example.com",
            "--scope",
            "api:admin",
            "--expires",
            "600",
        ],
        env,
    )
    token = output.splitlines()[0]
    whoami = ["--api", live_server.url, "--token", token, "whoami", "-o", "json"]
    claims = json.loads(run(po, whoami, env))
    assert claims["scope"] == "api:admin"
    assert claims["exp"] - claims["iat"] == 600
    run(po, ["--api", live_server.url, "--token", token, "token", "revoke", claims["jti"]], env)
    refused = run(po, ["--api", live_server.url, "--token", token, "whoami"], env, code=1)
    assert "401 podops.auth.invalid_token" in refused


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scope", "root"], "unknown scope"),
        (["--scope", "api:admin"], "not an admin"),
        (["--scope", "resource:read", "--expires", "999999999"], "between 60 and"),
    ],
)
def test_token_create_refuses_what_cannot_be_granted(
    env: dict[str, str], args: list[str], message: str
) -> None:
    run(podops, ["users", "create", "host@example.com"], env)
    output = run(podops, ["token", "create", "--user", "host@example.com", *args], env, code=1)
    assert message in output


def create_production(env: dict[str, str], live_server: LiveServer, email: str, name: str) -> None:
    """`name`, owned by `email`, made as its owner would: a token from the server CLI, then po."""
    token = run(
        podops, ["token", "create", "--user", email, "--scope", "production:write"], env
    ).splitlines()[0]
    run(po, ["--api", live_server.url, "--token", token, "create", name, "--title", "T"], env)


@pytest.mark.parametrize("command", ["token", "serviceaccount"])
def test_a_production_restriction_must_name_a_production_of_the_user(
    env: dict[str, str], live_server: LiveServer, tmp_path: Path, command: str
) -> None:
    # Such a token could reach nothing: ownership is checked on every request. Say so now.
    run(podops, ["users", "create", "host@example.com"], env)
    run(podops, ["users", "create", "other@example.com"], env)
    create_production(env, live_server, "other@example.com", "someone-elses-show")
    extra = ["--name", "CI", "--output", str(tmp_path / "ci.json")]
    args = [command, "create", "--user", "host@example.com", "--scope", "production:read"]
    if command == "serviceaccount":
        args += extra
    for production in ("no-such-show-01", "someone-elses-show"):
        refused = run(podops, [*args, "--production", production], env, code=1)
        assert f"no production {production} of host@example.com" in refused
    assert not (tmp_path / "ci.json").exists()


def test_a_ci_pipeline_uses_a_credential_file_not_a_token(
    env: dict[str, str], live_server: LiveServer, tmp_path: Path
) -> None:
    run(podops, ["users", "create", "host@example.com"], env)
    create_production(env, live_server, "host@example.com", "my-podcast-show")
    credentials = tmp_path / "ci.json"
    run(
        podops,
        [
            "serviceaccount",
            "create",
            "--user",
            "host@example.com",
            "--name",
            "CI",
            "--scope",
            "production:build",
            "--production",
            "my-podcast-show",
            "--output",
            str(credentials),
        ],
        env,
    )
    assert credentials.stat().st_mode & 0o077 == 0
    assert json.loads(credentials.read_text())["client_id"].startswith("sa-")
    claims = json.loads(
        run(
            po,
            ["--api", live_server.url, "--credentials", str(credentials), "-o", "json", "whoami"],
            env,
        )
    )
    assert claims["scope"] == "production:build"
    assert claims["prod"] == "my-podcast-show"
    assert claims["exp"] - claims["iat"] == 3600
    again = run(
        podops,
        [
            "serviceaccount",
            "create",
            "--user",
            "host@example.com",
            "--name",
            "x",
            "--scope",
            "production:build",
            "--output",
            str(credentials),
        ],
        env,
        code=1,
    )
    assert "exists" in again


def test_a_token_made_with_another_port_is_accepted_by_the_server(
    env: dict[str, str], live_server: LiveServer
) -> None:
    # The issuer is the installation, not the address it listens on: a CLI run without the
    # server's port (or with the platform's PORT) makes tokens that server accepts.
    cli_env = {**env, "PODOPS_PORT": "9999", "PORT": "5000"}
    del cli_env["PODOPS_BASE_URL"], cli_env["PODOPS_TOKEN_ISSUER"]
    run(podops, ["users", "create", "boss@example.com", "--admin"], cli_env)
    output = run(
        podops, ["token", "create", "--user", "boss@example.com", "--scope", "api:admin"], cli_env
    )
    token = output.splitlines()[0]
    claims = json.loads(
        run(po, ["--api", live_server.url, "--token", token, "-o", "json", "whoami"], env)
    )
    assert claims["scope"] == "api:admin"


def test_commands_on_a_missing_database_say_what_to_do_and_make_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As a user would: in a directory that holds no podops data, nothing configured.
    monkeypatch.chdir(tmp_path)
    for name in [name for name in os.environ if name.startswith("PODOPS_")]:
        monkeypatch.delenv(name)
    env = {"PODOPS_LOG_FORMAT": "text"}
    for args in (
        ["users", "list"],
        ["users", "create", "me@example.com"],
        ["token", "create", "--user", "me@example.com", "--scope", "api:admin"],
        ["ops", "sweep"],
        ["analytics", "count"],
        ["db", "current"],
    ):
        output = run(podops, args, env, code=1)
        assert f"no database at {tmp_path / 'var' / 'podops.sqlite3'}" in output, args
        assert "podops db upgrade" in output
        assert "Traceback" not in output
    assert list(tmp_path.iterdir()) == []
