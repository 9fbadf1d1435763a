"""The pages people open, rendered in a real headless browser (issue 16): `/docs`, a show page
and a feed read through its stylesheet, each from a live uvicorn server, each screenshot saved
under the test's tmp dir and checked for being a real render.

Debian's chromium, driven by Playwright (which downloads no browser of its own here). `.ci/run`
installs it; without it these tests are skipped, saying so.
"""

from __future__ import annotations

import io
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image, ImageStat

from podops.api import create_app
from podops.db import Database
from podops.jobs import BuildJob
from podops.publish.pipeline import build_feed
from podops.runtime import Runtime
from tests.conftest import make_settings
from tests.media.mpeg_frames import cbr_44100
from tests.support.auth import bearer, token_for
from tests.support.documents import episode, show
from tests.support.processes import LiveServer, free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip(
        "Debian's chromium is not installed (apt-get install chromium): the browser tests "
        "need it; .ci/run installs it",
        allow_module_level=True,
    )

from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright  # noqa: E402

pytestmark = pytest.mark.slow

SCOPES = "production:read production:write production:build resource:read resource:write"
PROD = "browser-podcast"
# As the machine's notes have it: no sandbox as root, and none of the background traffic a
# closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    # What a page looks like does not depend on the database: SQLite only, not both.
    return f"sqlite:///{tmp_path / 'podops.sqlite3'}"


@pytest.fixture
def server(database: Database, redis_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """podops on uvicorn, its base URL its own, so the links it hands out lead back to it."""
    port = free_port()
    settings = make_settings(
        tmp_path,
        PODOPS_DATABASE_URL=database.url,
        PODOPS_BROKER_URL=redis_url,
        PODOPS_BASE_URL=f"http://127.0.0.1:{port}",
    )
    live = LiveServer(create_app(settings), port)
    live.start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


def runtime_of(server: LiveServer) -> Runtime:
    runtime: Runtime = server.server.config.app.state.context  # type: ignore[attr-defined]
    return runtime


def artwork() -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", (1400, 1400), (30, 90, 200))
    image.paste((240, 180, 40), (300, 300, 1100, 1100))
    image.save(buffer, format="JPEG")
    return buffer.getvalue()


def publish_show(server: LiveServer) -> str:
    """A show with uploaded artwork and two episodes, one on an uploaded MP3, built; its
    GUID."""
    runtime = runtime_of(server)
    token = token_for(runtime, "host@example.com", SCOPES)
    with httpx.Client(base_url=server.url, headers=bearer(token), timeout=30) as client:
        made = client.post("/a/v1/production", json={"name": PROD, "title": "T"})
        assert made.status_code == 201, made.text
        for query, body, media_type in (
            ("role=artwork&name=cover-artwork", artwork(), "image/jpeg"),
            ("name=episode-one-audio", cbr_44100(frames=1723), "audio/mpeg"),
        ):
            upload = client.post(
                f"/a/v1/upload/{PROD}?{query}", content=body, headers={"Content-Type": media_type}
            )
            assert upload.status_code == 201, upload.text
        document = show(PROD, title="Browser Weekly", summary="Pages, *rendered* for real.")
        document["image"] = {"rel": "asset", "name": "cover-artwork"}
        created = client.post(f"/a/v1/resource/{PROD}/show/{PROD}", json=document)
        assert created.status_code == 201, created.text
        now = int(time.time())
        bodies: list[dict[str, Any]] = [
            episode("first-episode-01", date=now - 7200),
            episode("second-episode-02", date=now - 3600),
        ]
        bodies[1]["enclosure"] = {"rel": "asset", "name": "episode-one-audio"}
        for body in bodies:
            name = body["metadata"]["name"]
            response = client.post(f"/a/v1/resource/{PROD}/episode/{name}", json=body)
            assert response.status_code == 201, response.text
        guid: str = made.json()["guid"]
    result = build_feed(runtime, BuildJob(production=guid), operation_id="browser-build")
    assert result["published"] is True, result
    return guid


def visit(page: Page, url: str) -> list[str]:
    """Open `url`; what the browser's console reported (a refused style or image shows
    there)."""
    messages: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        messages.append(f"{message.type}: {message.text}")

    page.on("console", keep)
    response = page.goto(url, wait_until="load")
    assert response is not None
    assert response.status == 200, url
    return messages


def screenshot(page: Page, path: Path, *, full_page: bool = True) -> Image.Image:
    """A screenshot at `path`, checked for being a real render: not one colour, and with
    many (text, artwork and controls have edges and shades)."""
    page.screenshot(path=str(path), full_page=full_page)
    image = Image.open(path).convert("RGB")
    assert image.width >= 1000
    assert image.height >= 400
    colours = image.getcolors(maxcolors=1_000_000)
    assert colours is not None
    assert len(colours) > 50, f"{path}: {len(colours)} colours, not a rendered page"
    spread = ImageStat.Stat(image.convert("L")).stddev[0]
    assert spread > 10, f"{path}: nearly uniform (stddev {spread:.1f})"
    return image


def test_docs_render_in_chromium(server: LiveServer, page: Page, tmp_path: Path) -> None:
    console = visit(page, f"{server.url}/docs")
    # The first screen: the whole reference is a very long picture.
    screenshot(page, tmp_path / "docs.png", full_page=False)
    assert "podops" in page.locator("h1").inner_text().lower()
    operations = page.locator("section.op h3")
    assert operations.count() > 30
    texts = operations.all_inner_texts()
    assert any("/s/{name}/" in text for text in texts)
    # The style is applied (not refused by the page's CSP): the header is dark.
    header = page.locator("header").evaluate("e => getComputedStyle(e).backgroundColor")
    assert header == "rgb(29, 35, 48)"
    assert [line for line in console if "Content Security Policy" in line] == []


def test_a_show_page_renders_with_artwork_and_players(
    server: LiveServer, page: Page, tmp_path: Path
) -> None:
    publish_show(server)
    console = visit(page, f"{server.url}/s/{PROD}/")
    image = screenshot(page, tmp_path / "show.png")
    assert page.locator("h1").inner_text() == "Browser Weekly"
    assert page.locator("header em").inner_text() == "rendered"
    titles = page.locator("article h2").all_inner_texts()
    assert titles == ["Episode second-episode-02", "Episode first-episode-01"]
    assert page.locator("article audio").count() == 2
    # The artwork loaded from podops' own media route and is drawn (its yellow square).
    artwork_img = page.locator("header img")
    assert artwork_img.evaluate("e => e.complete && e.naturalWidth") == 1400
    box = artwork_img.bounding_box()
    assert box is not None
    centre = image.getpixel((int(box["x"] + box["width"] / 2), int(box["y"] + box["height"] / 2)))
    assert isinstance(centre, tuple)
    red, _green, blue = centre[:3]
    assert red > 200, centre
    assert blue < 100, centre
    # The uploaded episode's player can load its audio through the page's CSP.
    player = page.locator("article audio").first
    player.evaluate("e => { e.preload = 'metadata'; e.load(); }")
    page.wait_for_function(
        "() => document.querySelector('article audio').duration > 0", timeout=15_000
    )
    assert 40 < player.evaluate("e => e.duration") < 50
    subscribe = page.locator("section.subscribe a").get_attribute("href")
    assert subscribe is not None
    assert subscribe.startswith(f"{server.url}/f/")
    assert [line for line in console if "Content Security Policy" in line] == []


def test_a_feed_opened_in_chromium_reads_as_a_page(
    server: LiveServer, page: Page, tmp_path: Path
) -> None:
    guid = publish_show(server)
    visit(page, f"{server.url}/f/{guid}/feed.xml")
    screenshot(page, tmp_path / "feed.png")
    assert page.locator("h1").inner_text() == "Browser Weekly"
    assert page.locator("article h2").all_inner_texts() == [
        "Episode second-episode-02",
        "Episode first-episode-01",
    ]
    assert page.locator("article audio").count() == 2
    assert f"/f/{guid}/feed.xml" in page.locator("p.about code").inner_text()
