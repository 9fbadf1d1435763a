"""Auth from the command lines: `podops users|token|serviceaccount` and `po`."""

from __future__ import annotations

import json
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


def test_a_ci_pipeline_uses_a_credential_file_not_a_token(
    env: dict[str, str], live_server: LiveServer, tmp_path: Path
) -> None:
    run(podops, ["users", "create", "host@example.com"], env)
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
