"""Every command example of the README, run as a user runs it (issue 16).

The commands are read from README.md itself: each fenced block of commands follows a
`<!-- example: NAME -->` marker, and each is either run here line by line in bash, exactly as
written (but for the placeholders of SUBSTITUTIONS), or skipped with its reason in
SKIPPED_BLOCKS or SKIPPED_LINES. A README block or line that is neither fails the test, so an
example that stops working, or a new one nobody runs, breaks the suite.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.support.processes import REPO, free_port, wait_until

pytestmark = pytest.mark.slow

README = REPO / "README.md"
# Beside this Python: `podops`, `po` and `honcho`, as a user's PATH finds them.
SCRIPTS = Path(sys.executable).parent

# What is changed in a README command before it runs, and nothing else.
SUBSTITUTIONS: dict[str, str] = {
    # README placeholder or value → what runs instead
    "https://podops.example.com": "the live server's URL (README: your server's URL)",
    "http://127.0.0.1:8000": "the live server's URL (it listens on a free port, PODOPS_PORT, "
    "not 8000: other people's servers run on this machine)",
    "PO_TOKEN=…": "PO_TOKEN=<the token the line before printed> (README: `…`)",
}
# And in the environment of every command: PODOPS_PORT (a free port), PODOPS_DATA_DIR (a fresh
# directory), PO_API (the server's URL: po's default is make serve's http://127.0.0.1:8000),
# HOME (a new user's, for po's contexts) and, for honcho, PORT.

SKIPPED_BLOCKS: dict[str, str] = {
    "production-env": "points at PostgreSQL, Redis and S3 on *.internal hosts that do not exist "
    "here; the same processes run against real services in test_topology.py and test_serve.py",
    "traces": "sends spans to the host `collector`, which does not exist here; "
    "test_tracing.py runs both variables against a local OTLP collector",
    "deploy": "needs a Docker engine and a Kubernetes cluster; test_deploy.py validates the "
    "image's Compose file and the manifests without them",
}

SKIPPED_LINES: dict[tuple[str, str], str] = {
    # (block, the line's first words) → reason
    ("two-commands", "make serve"): "make first reinstalls .venv (pip install -e) when its stamp "
    "is older than pyproject.toml, and on the shared test machine .venv is every worktree's; "
    "the server below runs make's own serve recipe (`make -n serve`), from the same directory",
    ("two-commands", "make test"): "runs the whole suite, this test included (16+ minutes)",
    ("honcho", "pip install honcho"): "installs into the environment; honcho is a dev "
    "dependency, already installed beside this Python",
}

MARKER = re.compile(r"<!-- example: ([a-z0-9-]+) -->\n```")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
COMMAND_WORDS = re.compile(r"^\s*(\$ )?(po|podops|curl|make|pip|honcho|docker|kubectl)\s")


def readme_blocks() -> Iterator[tuple[str | None, str, str]]:
    """(marker name or None, language, text) of every fenced block of the README."""
    text = README.read_text()
    for fence in FENCE.finditer(text):
        before = text[: fence.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = re.fullmatch(r"<!-- example: ([a-z0-9-]+) -->", before)
        yield (marker.group(1) if marker else None, fence.group(1), fence.group(2))


def is_command_block(language: str, text: str) -> bool:
    return language in ("sh", "bash", "shell", "console", "") or any(
        COMMAND_WORDS.match(line) for line in text.splitlines()
    )


def command_lines(name: str) -> list[str]:
    """The commands of the README block `name`: continuation lines joined, comments kept."""
    texts = [text for marker, _, text in readme_blocks() if marker == name]
    assert len(texts) == 1, f"the README has {len(texts)} blocks marked {name!r}"
    joined = texts[0].replace("\\\n", "")
    return [line for line in joined.splitlines() if line.strip() and not line.startswith("#")]


# Blocks the tests below run, line by line.
RUN_BLOCKS = ("two-commands", "first-requests", "first-admin", "po-login", "honcho")


def test_every_command_block_of_the_readme_is_run_or_skipped_with_a_reason() -> None:
    names = []
    for marker, language, text in readme_blocks():
        if marker is None:
            assert not is_command_block(language, text), (
                f"a README command block has no <!-- example: NAME --> marker:\n{text}"
            )
            continue
        names.append(marker)
        assert marker in RUN_BLOCKS or marker in SKIPPED_BLOCKS, (
            f"README block {marker!r} is neither run by this file nor in SKIPPED_BLOCKS"
        )
    assert len(names) == len(set(names)), f"a marker is used twice: {names}"
    # Nothing listed here is stale: every block named exists, every skipped line is in it.
    assert set(RUN_BLOCKS) | set(SKIPPED_BLOCKS) == set(names)
    for block, start in SKIPPED_LINES:
        assert any(line.startswith(start) for line in command_lines(block)), (block, start)


@dataclass
class Block:
    """A README block's lines, taken in order; `finish` fails if one was neither run nor
    skipped with a reason."""

    name: str
    lines: list[str] = field(init=False)
    position: int = 0

    def __post_init__(self) -> None:
        self.lines = command_lines(self.name)

    def next(self, start: str) -> str:
        """The next line, which must begin with `start` (the README's order is the user's)."""
        while self.position < len(self.lines):
            line = self.lines[self.position]
            self.position += 1
            if any(line.startswith(s) for (b, s) in SKIPPED_LINES if b == self.name):
                continue
            assert line.startswith(start), f"README block {self.name!r}: {line!r} is not {start!r}"
            return line
        pytest.fail(f"README block {self.name!r} has no line {start!r} any more")

    def finish(self) -> None:
        rest = [
            line
            for line in self.lines[self.position :]
            if not any(line.startswith(s) for (b, s) in SKIPPED_LINES if b == self.name)
        ]
        assert rest == [], f"README block {self.name!r}: lines nobody runs: {rest}"


def substitute(line: str, values: dict[str, str]) -> str:
    """`line` with the placeholders of SUBSTITUTIONS it holds replaced by `values`."""
    for placeholder in SUBSTITUTIONS:
        if placeholder in line:
            line = line.replace(placeholder, values[placeholder])
    return line


def user_env(home: Path, **extra: str) -> dict[str, str]:
    """A new user's environment: podops on PATH, nothing of podops or po configured."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PODOPS_", "PO_", "XDG_")) and k not in ("PORT", "WEB_CONCURRENCY")
    }
    env.update(
        HOME=str(home),
        PATH=f"{SCRIPTS}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=str(REPO),  # this checkout's podops, whichever checkout installed the venv
        PODOPS_LOG_FORMAT="text",
        PODOPS_WORKER_CONCURRENCY="1",
        **extra,
    )
    return env


def bash(
    line: str, cwd: Path, env: dict[str, str], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        ["bash", "-c", line],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, f"{line}\nexit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def start_group(line: str, cwd: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            ["bash", "-c", line],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_for(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    def answers() -> bool:
        assert process.poll() is None, log.read_text()
        try:
            return httpx.get(url, timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(answers, 60, f"{url} to answer", 0.2)


def stop_group(process: subprocess.Popen[bytes], how: signal.Signals) -> None:
    """Stop a process group as a terminal's Ctrl-C does; kill it if that does not do."""
    if process.poll() is None:
        os.killpg(process.pid, how)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@dataclass
class Server:
    url: str
    env: dict[str, str]  # the environment every command of the session runs with
    home: Path  # the user's directory: the working directory of po and podops commands


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The server of "The two commands": make's serve recipe, in the repository as make runs
    it, on a fresh data directory and a free port (both through the environment)."""
    base = tmp_path_factory.mktemp("readme")
    home = base / "home"
    home.mkdir()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = user_env(home, PODOPS_PORT=str(port), PODOPS_DATA_DIR=str(base / "var"), PO_API=url)
    dry_run = subprocess.run(
        ["make", "--no-print-directory", "-n", "serve"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    recipe = dry_run.stdout.strip().splitlines()[-1]  # after the venv's, serve's own
    assert recipe.endswith("podops serve"), dry_run.stdout
    log = base / "serve.log"
    process = start_group(recipe, REPO, env, log)
    try:
        wait_for(process, url + "/", log)
        yield Server(url=url, env=env, home=home)
    finally:
        stop_group(process, signal.SIGINT)  # Ctrl-C, as the README says
    assert process.returncode == 0, log.read_text()


def test_the_first_requests_answer_what_the_readme_says(server: Server) -> None:
    block = Block("two-commands")
    block.finish()  # both lines are skipped with their reasons; the server runs make's recipe
    block = Block("first-requests")
    values = {"http://127.0.0.1:8000": server.url}

    root = block.next("curl http://127.0.0.1:8000/ ")
    printed = bash(substitute(root, values), server.home, server.env).stdout
    # The README shows the answer in the line's comment.
    assert json.loads(printed) == json.loads(root.split("#", 1)[1])

    ready = bash(
        substitute(block.next("curl http://127.0.0.1:8000/readyz"), values), server.home, server.env
    )
    # "database, broker and storage reachable?"
    assert json.loads(ready.stdout)["checks"] == {"database": "ok", "broker": "ok", "storage": "ok"}
    block.finish()


def test_the_first_admin_and_po_login_as_the_readme_says(server: Server) -> None:
    env, home = server.env, server.home
    admin = Block("first-admin")
    created = bash(admin.next("podops users create you@example.com --admin"), home, env)
    assert "you@example.com" in created.stdout
    issued = bash(admin.next("podops token create --user you@example.com"), home, env)
    token = issued.stdout.strip()  # "printed once": the token alone on standard output
    assert re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+", token), issued.stdout
    export = admin.next("export PO_TOKEN=…")
    # The line's comment goes on: "then: po whoami"; in the same shell, as a user types it.
    as_admin = bash(
        substitute(export, {"PO_TOKEN=…": f"PO_TOKEN={token}"}) + "\npo whoami", home, env
    )
    assert re.search(r"scopes\s+api:admin", as_admin.stdout), as_admin.stdout
    admin.finish()

    # A production and its service account's credential file, as the Authentication section
    # makes them, for the `--credentials ci.json` line (its own test is test_service_accounts).
    auth = {"Authorization": f"Bearer {token}"}
    made = httpx.post(
        server.url + "/a/v1/production",
        json={"name": "readme-examples", "title": "R"},
        headers=auth,
    )
    assert made.status_code == 201, made.text
    subprocess.run(
        [
            *["podops", "serviceaccount", "create", "--user", "you@example.com", "--name", "CI"],
            *["--scope", "production:build", "--scope", "production:read"],
            *["--production", "readme-examples", "--output", "ci.json"],
        ],
        cwd=home,
        env=env,
        check=True,
        capture_output=True,
    )

    values = {"https://podops.example.com": server.url}
    block = Block("po-login")
    # "asks for the token": typed at the prompt.
    login = bash(
        substitute(block.next("po login --api https://podops.example.com "), values),
        home,
        env,
        stdin=token + "\n",
    )
    assert "logged in" in login.stdout, login.stdout + login.stderr
    sa_login = bash(
        substitute(
            block.next("po login --api https://podops.example.com --credentials ci.json --name ci"),
            values,
        ),
        home,
        env,
    )
    assert "context 'ci'" in sa_login.stdout, sa_login.stdout

    whoami = bash(block.next("po whoami"), home, env).stdout
    # "the context, subject and scopes in use": the service account's, the last login.
    assert re.search(r"context\s+ci\b", whoami), whoami
    assert re.search(r"scopes\s+production:build, production:read", whoami), whoami
    assert "subject" in whoami

    contexts = bash(block.next("po context list"), home, env).stdout
    assert re.search(r"^\*\s+ci\s", contexts, re.MULTILINE), contexts  # "* marks the one in use"
    # The first login's context is kept beside it, named after its host, unmarked.
    assert re.search(r"^\s+127\.0\.0\.1:\d+\s+" + re.escape(server.url), contexts, re.M), contexts
    used = bash(block.next("po context use ci"), home, env).stdout
    assert "ci" in used
    shown = bash(block.next("po context show"), home, env).stdout
    assert re.search(r"name\s+ci\b", shown), shown

    listed = bash(block.next("po productions -o json"), home, env).stdout
    assert [p["name"] for p in json.loads(listed)["productions"]] == ["readme-examples"]
    block.finish()


def test_the_procfile_under_honcho_as_the_readme_says(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    port = free_port()
    # honcho gives web $PORT (its -p defaults to PORT); a fresh data directory for the release.
    env = user_env(home, PORT=str(port), PODOPS_DATA_DIR=str(tmp_path / "var"))
    block = Block("honcho")
    bash(block.next("podops db upgrade"), REPO, env)  # the release step, from the Procfile's dir
    assert (tmp_path / "var" / "podops.sqlite3").exists()
    log = tmp_path / "honcho.log"
    honcho = start_group(block.next("honcho start web worker beat"), REPO, env, log)
    try:
        wait_for(honcho, f"http://127.0.0.1:{port}/healthz", log)
        wait_until(
            lambda: "beat" in log.read_text() and "ready" in log.read_text(),
            60,
            "the worker and beat to start",
        )
        assert honcho.poll() is None, log.read_text()
    finally:
        stop_group(honcho, signal.SIGINT)
    block.finish()
