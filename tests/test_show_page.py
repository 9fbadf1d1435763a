"""The public show page `/s/{name}/` and the feed stylesheet (issue 16): what the last build
published, for people — public episodes only, escaped, paged, cached, and 404 before a publish."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import feedparser  # type: ignore[import-untyped]
import lxml.html
import podcastparser  # type: ignore[import-untyped]
import pytest
from lxml import etree
from starlette.testclient import TestClient

from feeds import paginate, render
from podops.api.published import PublishedEpisode, PublishedShow, read_published
from podops.api.show_page import EPISODES_PER_PAGE, render_show_page
from podops.jobs import BuildJob
from podops.publish.compressed import put_feed
from podops.publish.pipeline import build_feed
from podops.storage.keys import feed_key, private_feed_key
from tests.feeds import samples
from tests.support.auth import bearer, context_of, token_for
from tests.support.documents import episode, show

SCOPES = "production:read production:write production:build resource:read resource:write"
PROD = "page-podcast"
BASE = f"/a/v1/resource/{PROD}"
PAGE = f"/s/{PROD}/"
STYLESHEET = Path(__file__).resolve().parents[1] / "podops" / "api" / "feed.xsl"


@pytest.fixture
def producer(client: TestClient) -> TestClient:
    client.headers.update(bearer(token_for(context_of(client), "host@example.com", SCOPES)))
    return client


def create(client: TestClient) -> str:
    made = client.post("/a/v1/production", json={"name": PROD, "title": "T"})
    assert made.status_code == 201, made.text
    guid: str = made.json()["guid"]
    return guid


def put_episode(client: TestClient, body: dict[str, Any]) -> None:
    response = client.post(f"{BASE}/episode/{body['metadata']['name']}", json=body)
    assert response.status_code == 201, response.text


def publish(client: TestClient, guid: str) -> dict[str, Any]:
    return build_feed(context_of(client), BuildJob(production=guid), operation_id="page-build")


def produce(client: TestClient) -> str:
    """A show with a free and a premium episode (access both), built; its GUID."""
    guid = create(client)
    summary = "A show about <b>pages</b> & <script>alert(1)</script> *things*."
    document = show(PROD, access="both", title="Page <Show>", summary=summary)
    assert client.post(f"{BASE}/show/{PROD}", json=document).status_code == 201
    now = int(time.time())
    put_episode(client, episode("free-episode-01", date=now - 7200))
    put_episode(client, episode("premium-episode-01", date=now - 3600, premium=True))
    publish(client, guid)
    return guid


def test_the_page_shows_what_the_last_build_published(producer: TestClient) -> None:
    client = producer
    guid = produce(client)
    # A draft written after the build is not on the page until the next build.
    put_episode(client, episode("draft-episode-01", date=int(time.time()) - 60))

    response = client.get(PAGE)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src" not in policy
    assert "'unsafe-inline'" not in policy
    page = lxml.html.fromstring(response.text)
    assert page.xpath("string(//h1)") == "Page <Show>"
    assert page.xpath("//img/@src") == ["https://cdn.example.com/the-daily-show.jpg"]
    assert [" ".join(h.text_content().split()) for h in page.xpath("//article/h2")] == [
        "Episode free-episode-01"
    ]
    assert page.xpath("//audio/source/@src") == ["https://cdn.example.com/free-episode-01.mp3"]
    assert page.xpath("//audio/@preload") == ["none"]
    feed_url = f"{context_of(client).settings.base_url}/f/{guid}/feed.xml"
    assert page.xpath("//section[@class='subscribe']//a/@href") == [feed_url]
    assert page.xpath("//link[@rel='alternate']/@href") == [feed_url]
    # The description is the sanitised HTML as stored: markup kept, the script gone.
    assert page.xpath("//header//em/text()") == ["things"]
    assert page.xpath("//script") == []
    assert "alert(1)" not in response.text
    # Nothing of the premium episode, nor of the draft.
    assert "premium" not in response.text
    assert "draft-episode" not in response.text

    publish(client, guid)
    rebuilt = lxml.html.fromstring(client.get(PAGE).text)
    assert len(rebuilt.xpath("//article")) == 2


def test_the_page_is_cached_by_etag_and_answers_head(producer: TestClient) -> None:
    client = producer
    guid = produce(client)
    first = client.get(PAGE)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=300"
    again = client.get(PAGE, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    head = client.head(PAGE)
    assert head.status_code == 200
    assert head.headers["etag"] == etag
    assert head.content == b""
    assert head.headers["content-length"] == str(len(first.content))
    # Another page of the same feed, or a new publish, is another ETag.
    assert client.get(PAGE + "?page=1").headers["etag"] == etag
    put_episode(client, episode("second-free-01", date=int(time.time()) - 30))
    publish(client, guid)
    changed = client.get(PAGE, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


@pytest.mark.parametrize("name", ["no-such-show", "UPPER-CASE", "a", "x" * 60, "dots.in.name"])
def test_an_unknown_show_is_404(client: TestClient, name: str) -> None:
    response = client.get(f"/s/{name}/")
    assert response.status_code == 404
    assert response.json() == {
        "success": False,
        "code": "podops.show.not_found",
        "message": "no such show",
    }


def test_a_show_never_published_is_404_like_its_feed(producer: TestClient) -> None:
    create(producer)
    assert producer.post(f"{BASE}/show/{PROD}", json=show(PROD)).status_code == 201
    assert producer.get(f"/s/{PROD}/feed.xml", follow_redirects=False).status_code == 404
    response = producer.get(PAGE)
    assert response.status_code == 404
    assert response.json()["code"] == "podops.show.not_found"


def test_a_private_only_show_has_no_public_page(producer: TestClient) -> None:
    client = producer
    guid = create(client)
    assert client.post(f"{BASE}/show/{PROD}", json=show(PROD, access="private")).status_code == 201
    put_episode(client, episode("members-only-01", date=int(time.time()) - 60, premium=True))
    publish(client, guid)
    assert client.get(PAGE).status_code == 404


def sample_feed(episodes: int, *, stylesheet: str | None = None) -> bytes:
    """The sample show's feed with `episodes` episodes, all of them out."""
    return render(
        samples.show(),
        samples.episodes(episodes),
        now=samples.NOW + episodes * samples.DAY,
        stylesheet=stylesheet,
    )


def published_sample(client: TestClient, episodes: int) -> str:
    """A production whose published feed is the sample show with `episodes` episodes, put where
    the build puts it (as the delivery tests do); its GUID."""
    guid = create(client)
    rendered = Path(context_of(client).settings.upload_dir) / "sample.xml"
    rendered.parent.mkdir(parents=True, exist_ok=True)
    rendered.write_bytes(sample_feed(episodes))
    put_feed(context_of(client).storage, feed_key(guid), rendered)
    return guid


def titles(html: str) -> list[str]:
    return [str(title) for title in lxml.html.fromstring(html).xpath("//article/h2/text()")]


def test_a_long_show_is_paged_newest_first(producer: TestClient) -> None:
    client = producer
    published_sample(client, 120)
    first = client.get(PAGE)
    assert titles(first.text) == [f"Episode {n}" for n in range(120, 70, -1)]
    page = lxml.html.fromstring(first.text)
    assert page.xpath("//a[@rel='next']/@href") == ["?page=2"]
    assert page.xpath("//a[@rel='prev']") == []
    third = client.get(PAGE + "?page=3")
    assert titles(third.text) == [f"Episode {n}" for n in range(20, 0, -1)]
    last = lxml.html.fromstring(third.text)
    assert last.xpath("//a[@rel='prev']/@href") == ["?page=2"]
    assert last.xpath("//a[@rel='next']") == []
    assert client.get(PAGE + "?page=2").headers["etag"] != first.headers["etag"]
    beyond = client.get(PAGE + "?page=4")
    assert beyond.status_code == 404
    assert beyond.json()["message"] == "the show has no page 4"


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "", "01", "1000000", " 2", "\uff12"])
def test_a_malformed_page_number_is_refused(producer: TestClient, page: str) -> None:
    published_sample(producer, 3)
    response = producer.get(PAGE, params={"page": page})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "podops.request.invalid"
    assert body["message"] == "page must be a whole number from 1 to 999999"
    assert body["field"] == "page"


def test_reading_stops_at_the_wanted_episodes() -> None:
    feed = sample_feed(200)
    page = read_published(io.BytesIO(feed), skip=EPISODES_PER_PAGE, count=EPISODES_PER_PAGE)
    assert [e.title for e in page.episodes] == [f"Episode {n}" for n in range(150, 100, -1)]
    assert page.more is True
    assert page.title == "The Sample Show"
    assert page.image_url == "https://cdn.example.com/p/sample-show/cover.jpeg"
    assert page.feed_url == "https://cdn.example.com/p/sample-show/feed.xml"
    last = read_published(io.BytesIO(feed), skip=150, count=EPISODES_PER_PAGE)
    assert len(last.episodes) == 50
    assert last.more is False


def test_values_from_the_feed_are_escaped() -> None:
    hostile = PublishedShow(
        title='"><script>alert(1)</script>',
        description_html='<p onclick="x()">hi</p><img src=x onerror=alert(2)>',
        image_url="javascript:alert(3)",
        feed_url='https://example.com/feed.xml"><script>',
        episodes=[
            PublishedEpisode(
                title="<i>ep</i>",
                published="<b>today</b>",
                notes_html='<a href="javascript:alert(4)">x</a><iframe src=//evil></iframe>',
                audio_url="javascript:alert(5)",
                audio_type='audio/mpeg"><script>',
                duration="61",
                link=None,
            )
        ],
    )
    html = render_show_page(hostile, page=1, moved_to=None)
    page = lxml.html.fromstring(html)
    assert page.xpath("//script | //iframe | //img | //audio | //*[@onclick]") == []
    assert "javascript:" not in html
    assert page.xpath("string(//h1)") == '"><script>alert(1)</script>'
    assert page.xpath("string(//article/h2)") == "<i>ep</i>"


def test_a_moved_show_offers_its_new_feed() -> None:
    show_ = PublishedShow(title="Moved", feed_url="https://old.example.com/feed.xml")
    html = render_show_page(show_, page=1, moved_to="https://new.example.com/feed.xml")
    page = lxml.html.fromstring(html)
    assert page.xpath("//section[@class='subscribe']//a/@href") == [
        "https://new.example.com/feed.xml"
    ]
    assert "has moved" in page.xpath("string(//p[@class='moved'])")


def test_built_feeds_name_the_stylesheet_and_parsers_still_read_them(
    producer: TestClient,
) -> None:
    client = producer
    guid = produce(client)
    feed = client.get(f"/f/{guid}/feed.xml", headers={"Accept-Encoding": "identity"}).content
    assert feed.split(b"\n")[1] == b'<?xml-stylesheet type="text/xsl" href="/f/feed.xsl"?>'
    parsed = feedparser.parse(feed)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.feed.title == "Page <Show>"
    assert [entry.title for entry in parsed.entries] == ["Episode free-episode-01"]
    podcast = podcastparser.parse(f"http://127.0.0.1/f/{guid}/feed.xml", io.BytesIO(feed))
    assert [e["title"] for e in podcast["episodes"]] == ["Episode free-episode-01"]
    # The private feed is read by apps only: it names no stylesheet.
    with context_of(client).storage.open(private_feed_key(guid)) as stream:
        assert b"xml-stylesheet" not in stream.read(300)


def test_a_browser_gets_the_feed_as_xml_to_style_and_a_podcatcher_as_rss(
    producer: TestClient,
) -> None:
    guid = published_sample(producer, 2)
    url = f"/f/{guid}/feed.xml"
    browser = producer.get(url, headers={"Accept": "text/html,application/xml;q=0.9,*/*;q=0.8"})
    assert browser.headers["content-type"] == "application/xml; charset=utf-8"
    assert browser.headers["vary"] == "Accept-Encoding, Accept"
    for accept in ("*/*", "application/rss+xml, application/xml;q=0.9", "text/htmlx"):
        app = producer.get(url, headers={"Accept": accept})
        assert app.headers["content-type"] == "application/rss+xml; charset=utf-8", accept
        assert app.headers["vary"] == "Accept-Encoding, Accept"
        assert app.content == browser.content


def test_the_stylesheet_is_served_and_turns_a_feed_into_a_page(client: TestClient) -> None:
    response = client.get("/f/feed.xsl")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/xsl; charset=utf-8"
    transform = etree.XSLT(etree.fromstring(response.content))
    hostile = samples.show()
    feed = render(
        hostile.__class__(**{**_fields(hostile), "title": "<script>alert(1)</script>"}),
        samples.episodes(3),
        now=samples.NOW,
        stylesheet="/f/feed.xsl",
    )
    page = lxml.html.fromstring(str(transform(etree.fromstring(feed))))
    assert page.xpath("string(//h1)") == "<script>alert(1)</script>"
    assert page.xpath("//script") == []
    assert len(page.xpath("//article")) == 3
    assert len(page.xpath("//audio")) == 3
    # HTML notes are shown as their text.
    assert page.xpath("string(//article[1]/p[last()])") == "Notes for episode 3."


def _fields(value: Any) -> dict[str, Any]:
    return {name: getattr(value, name) for name in value.__dataclass_fields__}


def test_a_show_moving_away_offers_its_new_feed_on_its_page(producer: TestClient) -> None:
    client = producer
    guid = produce(client)
    new_home = "https://new-host.example.com/feeds/page.xml"
    moved = show(
        PROD,
        access="both",
        title="Page <Show>",
        new_feed_url=new_home,
        redirect_until=int(time.time()) + 3600,
    )
    assert client.put(f"{BASE}/show/{PROD}", json=moved).status_code == 200
    publish(client, guid)
    assert client.get(f"/s/{PROD}/feed.xml", follow_redirects=False).status_code == 301
    page = lxml.html.fromstring(client.get(PAGE).text)
    assert page.xpath("//section[@class='subscribe']//a/@href") == [new_home]
    assert new_home in page.xpath("string(//p[@class='moved'])")


def test_a_paged_feeds_older_episodes_are_linked_through_its_archive() -> None:
    show_ = PublishedShow(
        title="Paged",
        feed_url="https://pod.example.com/f/0123456789ab/feed.xml",
        archive_url="https://pod.example.com/f/0123456789ab/archive/3.xml",
    )
    page = lxml.html.fromstring(render_show_page(show_, page=1, moved_to=None))
    assert page.xpath("//nav[@class='pages']/a/@href") == [
        "https://pod.example.com/f/0123456789ab/archive/3.xml"
    ]


def test_reading_a_paged_feed_finds_its_archive() -> None:
    now = samples.NOW + 100 * samples.DAY
    pages = paginate(
        samples.episodes(30),
        now=now,
        size=10,
        feed_url="https://pod.example.com/f/0123456789ab/feed.xml",
        page_url=lambda n: f"https://pod.example.com/f/0123456789ab/archive/{n}.xml",
    )
    main = render(samples.show(), pages[0].episodes, now=now, links=pages[0].links)
    read = read_published(io.BytesIO(main), skip=0, count=EPISODES_PER_PAGE)
    assert [e.title for e in read.episodes] == [f"Episode {n}" for n in range(30, 20, -1)]
    assert read.more is False
    assert read.archive_url == "https://pod.example.com/f/0123456789ab/archive/2.xml"
