"""`po login`, contexts and `po whoami` against a real uvicorn port."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import yaml

from podops.auth import Scope
from podops.auth.service_accounts import create_service_account
from podops.auth.users import create_user
from tests.support.processes import LiveServer
from tests.test_po_cli import SCOPES, api_token, errors_of, po_config, run

__all__ = ["po_config"]  # the fixture, autouse here too


def test_login_keeps_contexts_and_whoami_tells_which(
    live_server: LiveServer, po_config: Path
) -> None:
    first = api_token(live_server, "first@example.com")
    second = api_token(live_server, "second@example.com", "production:read")

    said = run(["--api", live_server.url, "login", "--token", first, "-o", "json"])
    assert json.loads(said)["scope"] == " ".join(sorted(SCOPES.split()))
    assert stat.S_IMODE(po_config.stat().st_mode) == 0o600
    assert stat.S_IMODE(po_config.parent.stat().st_mode) == 0o700
    host = live_server.url.removeprefix("http://")
    stored = yaml.safe_load(po_config.read_text())
    assert stored["current-context"] == host
    assert stored["contexts"][host] == {"api": live_server.url, "token": first}

    # No --api, no --token: the context has both.
    me = json.loads(run(["whoami", "-o", "json"]))
    assert me["context"] == host
    assert me["api"] == live_server.url
    assert me["scope"] == " ".join(sorted(SCOPES.split()))
    table = run(["whoami"])
    assert "scopes" in table
    assert ", ".join(sorted(SCOPES.split())) in table

    # A second context, read from standard input, becomes the current one.
    run(["login", "--api", live_server.url, "--name", "reader", "--token", "-"], input=second)
    contexts = json.loads(run(["context", "list", "-o", "json"]))
    assert contexts == [
        {"name": host, "api": live_server.url, "auth": "token", "current": False},
        {"name": "reader", "api": live_server.url, "auth": "token", "current": True},
    ]
    assert json.loads(run(["whoami", "-o", "json"]))["scope"] == "production:read"
    table = run(["context", "list"])
    assert [line.split()[:2] for line in table.splitlines() if "reader" in line] == [
        ["*", "reader"]
    ]
    # One command in another context, then switching for good.
    assert json.loads(run(["--context", host, "whoami", "-o", "json"]))["context"] == host
    run(["context", "use", host])
    assert json.loads(run(["whoami", "-o", "json"]))["context"] == host
    shown = json.loads(run(["context", "show", "reader", "-o", "json"]))
    assert shown == {
        "name": "reader",
        "api": live_server.url,
        "auth": "token",
        "config": str(po_config),
    }
    assert second not in run(["context", "show", "reader", "-o", "yaml"])

    # PO_TOKEN wins over the context.
    result = run(["whoami", "-o", "json"], env={"PO_TOKEN": second})
    assert json.loads(result)["scope"] == "production:read"
    assert json.loads(result)["context"] == "(PO_TOKEN or options)"

    run(["logout", "reader"])
    assert [c["name"] for c in json.loads(run(["context", "list", "-o", "json"]))] == [host]
    assert "no context 'reader'" in errors_of(["context", "use", "reader"])


def test_a_context_s_token_is_only_sent_to_its_own_api(live_server: LiveServer) -> None:
    run(["--api", live_server.url, "login", "--token", api_token(live_server)])
    message = errors_of(["--api", "http://127.0.0.1:9", "whoami"])
    assert "no token for http://127.0.0.1:9" in message
    assert "PO_TOKEN" in message
    assert "po login" in message
    assert f"is for {live_server.url}" in message


def test_login_refuses_a_bad_token_and_keeps_nothing(
    live_server: LiveServer, po_config: Path
) -> None:
    message = errors_of(["--api", live_server.url, "login", "--token", "not-a-token"])
    assert "401 podops.auth.invalid_token" in message
    assert "po login" in message
    assert not po_config.exists()


def test_login_with_a_service_account_file(live_server: LiveServer, tmp_path: Path) -> None:
    context = live_server.server.config.app.state.context  # type: ignore[attr-defined]
    with context.database.session() as session:
        user = create_user(session, "ci-owner@example.com")
        _account, credentials = create_service_account(
            session,
            user,
            name="CI",
            production=None,
            scopes=frozenset({Scope.PRODUCTION_BUILD, Scope.RESOURCE_WRITE}),
            token_uri=context.settings.base_url + "/_a/token/exchange",
        )
    file = tmp_path / "ci.json"
    file.write_text(json.dumps(credentials))
    login = ["--api", live_server.url, "-o", "json", "login", "--credentials", str(file)]
    said = json.loads(run([*login, "--name", "ci"]))
    assert said["scope"] == "production:build resource:write"
    file.unlink()  # the context keeps the credentials, not the path
    me = json.loads(run(["whoami", "-o", "json"]))
    assert me["context"] == "ci"
    listed = json.loads(run(["context", "list", "-o", "json"]))
    assert listed[0]["auth"] == f"service account {credentials['client_id']}"
