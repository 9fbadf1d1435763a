"""`po apply` and `po diff` against a real uvicorn port: dry runs, field diffs, "unchanged",
every failure reported, and rate limits waited out."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from click.testing import CliRunner

from podops.api import create_app
from podops.client.api import ApiError, Client
from podops.client.cli import main as po
from podops.settings import Settings
from tests.conftest import make_settings
from tests.support.documents import episode, show
from tests.support.processes import LiveServer, free_port
from tests.test_po_cli import api_token, errors_of, po_config, run

__all__ = ["po_config"]  # the fixture, autouse here too


def write(path: Path, *documents: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump_all(documents, allow_unicode=True))
    return path


def catalogue(directory: Path, production: str, episodes: int) -> Path:
    """A show and its episodes as files, the episodes a directory further down."""
    write(directory / "show.yaml", show(production))
    for number in range(1, episodes + 1):
        write(directory / "episodes" / f"{number:04}.yaml", episode(f"episode-{number:04}"))
    return directory


def resource(live_server: LiveServer, token: str, path: str) -> httpx.Response:
    return httpx.get(
        f"{live_server.url}/a/v1/resource/{path}", headers={"Authorization": f"Bearer {token}"}
    )


def test_dry_run_diff_and_unchanged(live_server: LiveServer, tmp_path: Path) -> None:
    token = api_token(live_server)
    api = ["--api", live_server.url, "--token", token]
    run([*api, "create", "apply-show", "--title", "Apply"])
    files = catalogue(tmp_path / "podcast", "apply-show", 2)

    planned = run([*api, "apply", "apply-show", "-f", str(files), "--dry-run"])
    assert "+ create show apply-show" in planned
    assert "+ create episode episode-0002" in planned
    assert "3 to create, 0 to update, 0 unchanged (dry run: nothing applied)" in planned
    assert resource(live_server, token, "apply-show/show/apply-show").status_code == 404

    done = run([*api, "apply", "apply-show", str(files)])
    assert done.splitlines() == [
        "created show apply-show",
        "created episode episode-0001",
        "created episode episode-0002",
    ]
    etag = resource(live_server, token, "apply-show/episode/episode-0001").headers["etag"]

    again = run([*api, "apply", "apply-show", str(files), "-o", "json"])
    assert [step["action"] for step in json.loads(again)] == ["unchanged"] * 3
    assert run([*api, "diff", "apply-show", str(files)]).endswith(
        "0 to create, 0 to update, 3 unchanged\n"
    )
    # Nothing was sent: the episode is the very same version.
    assert resource(live_server, token, "apply-show/episode/episode-0001").headers["etag"] == etag

    write(files / "episodes" / "0001.yaml", episode("episode-0001", title="Épisode un"))
    shown = run([*api, "diff", "apply-show", str(files)], code=1)
    assert "~ update episode episode-0001" in shown
    assert '    description.title: "Episode episode-0001" → "Épisode un"' in shown
    changes = json.loads(run([*api, "apply", "apply-show", str(files), "--dry-run", "-o", "json"]))
    assert [c for step in changes for c in step["changes"]] == [
        {"field": "description.title", "from": "Episode episode-0001", "to": "Épisode un"}
    ]
    assert resource(live_server, token, "apply-show/episode/episode-0001").headers["etag"] == etag

    assert run([*api, "apply", "apply-show", str(files), "-q"]) == "episode-0001\n"
    changed = resource(live_server, token, "apply-show/episode/episode-0001")
    assert changed.json()["description"]["title"] == "Épisode un"
    assert "unchanged episode episode-0001" in run([*api, "apply", "apply-show", str(files)])


def test_every_unusable_file_is_named_and_nothing_is_sent(
    live_server: LiveServer, tmp_path: Path
) -> None:
    token = api_token(live_server)
    api = ["--api", live_server.url, "--token", token]
    run([*api, "create", "broken-show", "--title", "Broken"])
    good = write(tmp_path / "show.yaml", show("broken-show"))
    bad_yaml = tmp_path / "bad-indent.yaml"
    bad_yaml.write_text("kind: episode\nmetadata:\n  name: x\n bad: [\n")
    no_kind = write(tmp_path / "no-kind.yaml", {"metadata": {"name": "episode-0009"}})

    message = errors_of([*api, "apply", "broken-show", str(good), str(bad_yaml), str(no_kind)])
    assert f"{bad_yaml}: not valid YAML:" in message
    assert "line 4" in message
    assert "<unicode string>" not in message
    assert f"{no_kind}: not a resource document: no kind" in message
    assert "2 unusable file(s) or document(s); nothing sent" in message
    assert resource(live_server, token, "broken-show/show/broken-show").status_code == 404


def test_every_refused_document_is_reported_and_the_rest_applied(
    live_server: LiveServer, tmp_path: Path
) -> None:
    token = api_token(live_server)
    api = ["--api", live_server.url, "--token", token]
    run([*api, "create", "refused-show", "--title", "Refused"])
    run([*api, "apply", "refused-show", str(write(tmp_path / "a-show.yaml", show("refused-show")))])
    write(tmp_path / "a-show.yaml", show("refused-show", language="klingon"))
    write(tmp_path / "b-good.yaml", episode("episode-good"))
    bad = episode("episode-bad1")
    bad["enclosure"]["length"] = "many"
    write(tmp_path / "c-bad.yaml", bad)

    result = CliRunner().invoke(po, [*api, "apply", "refused-show", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert f"{tmp_path / 'a-show.yaml'}: 400 podops.request.invalid: description.language" in (
        result.stderr
    )
    assert f"{tmp_path / 'c-bad.yaml'}: 400 podops.request.invalid: enclosure" in result.stderr
    assert "2 of 3 documents failed" in result.stderr
    assert "created episode episode-good" in result.stdout
    assert resource(live_server, token, "refused-show/episode/episode-good").status_code == 200


def test_a_dry_run_reports_what_the_server_would_refuse_by_file(
    live_server: LiveServer, tmp_path: Path
) -> None:
    token = api_token(live_server)
    api = ["--api", live_server.url, "--token", token]
    run([*api, "create", "checked-show", "--title", "Checked"])
    files = catalogue(tmp_path / "podcast", "checked-show", 2)
    # Well-formed, so the local plan cannot tell: only the server knows there is no such asset.
    write(
        files / "episodes" / "0002.yaml",
        {**episode("episode-0002"), "image": {"rel": "asset", "name": "missing-cover"}},
    )
    result = CliRunner().invoke(po, [*api, "apply", "checked-show", str(files), "--dry-run"])
    assert result.exit_code == 1, result.output
    where = files / "episodes" / "0002.yaml"
    assert f"{where}: image.name: episode episode-0002: image.name: production" in result.stderr
    assert "no asset 'missing-cover'" in result.stderr
    assert resource(live_server, token, "checked-show/show/checked-show").status_code == 404


def test_client_retries_429_and_503_after_retry_after_with_one_idempotency_key() -> None:
    seen: list[httpx.Request] = []
    answers = [
        httpx.Response(
            429, headers={"Retry-After": "7"}, json={"code": "podops.auth.rate_limited"}
        ),
        httpx.Response(503, json={"code": "podops.broker.unavailable"}),
        httpx.Response(201, json={"made": True}),
    ]

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers[len(seen) - 1]

    waits: list[float] = []
    client = Client(
        "http://podops.test",
        token="t",
        transport=httpx.MockTransport(answer),
        sleep=waits.append,
    )
    assert client.request("POST", "/a/v1/production", json={"name": "x"}) == {"made": True}
    client.close()
    assert len(seen) == 3
    assert 7 <= waits[0] <= 7.7  # Retry-After, plus a little jitter
    assert 2 <= waits[1] <= 2.2  # no Retry-After: the second backoff step
    keys = {request.headers["idempotency-key"] for request in seen}
    assert len(keys) == 1
    assert len(keys.pop()) == 32

    # Retries end: the last answer is the caller's.
    refusals = [httpx.Response(429, headers={"Retry-After": "1"}, json={"code": "c"})] * 4
    stubborn = Client(
        "http://podops.test",
        token="t",
        transport=httpx.MockTransport(lambda _r: refusals[0]),
        retries=3,
        sleep=lambda _s: None,
    )
    with pytest.raises(ApiError, match="429"):
        stubborn.request("GET", "/a/v1/productions")
    stubborn.close()


class ShiftedClock:
    """`time` for the rate limiter, moved on by the client's waits instead of real sleeping."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.waits: list[float] = []

    def time(self) -> float:
        return time.time() + self.offset

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.offset += seconds


LIMIT = 5


@pytest.fixture
def limited_server(tmp_path: Path, settings: Settings) -> Iterator[LiveServer]:
    """The app with a rate limit of LIMIT requests a minute."""
    limited = make_settings(
        tmp_path / "limited",
        PODOPS_DATABASE_URL=settings.database_url,
        PODOPS_BROKER_URL=settings.broker_url,
        PODOPS_RATE_LIMIT=str(LIMIT),
    )
    server = LiveServer(create_app(limited), free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_apply_of_a_catalogue_fits_in_the_rate_limit(
    limited_server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ShiftedClock()
    monkeypatch.setattr("podops.auth.ratelimit.time", clock)  # counts the window
    monkeypatch.setattr("podops.api.auth.time", clock)  # says Retry-After
    monkeypatch.setattr("podops.client.api.time", clock)
    token = api_token(limited_server)
    api = ["--api", limited_server.url, "--token", token]
    run([*api, "create", "limited-show", "--title", "Limited"])
    files = catalogue(tmp_path / "podcast", "limited-show", 12)

    result = CliRunner().invoke(po, [*api, "apply", "limited-show", str(files), "-q"])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.split()) == 13
    # 1 create + 1 listing + 1 bulk request for the 13 documents: within 5 a minute, where
    # one request a document had to wait twice (the client's waiting on 429 is tested above).
    assert clock.waits == []
    assert "rate limited" not in result.stderr
    reader = Client(limited_server.url, token=token, sleep=clock.sleep)
    listed = reader.request("GET", "/a/v1/resource/limited-show/episode?limit=100")
    reader.close()
    assert len(listed["resources"]) == 12


def test_apply_tells_what_a_build_would_find_in_each_document(
    live_server: LiveServer, tmp_path: Path
) -> None:
    token = api_token(live_server)
    api = ["--api", live_server.url, "--token", token]
    run([*api, "create", "warned-show", "--title", "Warned"])
    show_file = write(tmp_path / "show.yaml", show("warned-show"))

    result = CliRunner().invoke(po, [*api, "apply", "warned-show", str(show_file)])

    assert result.exit_code == 0, result.output
    assert result.stdout == "created show warned-show\n"
    # Accepted, and told on standard error that the feed would not build yet.
    assert f"{show_file}: error no-episodes at episodes: " in result.stderr
