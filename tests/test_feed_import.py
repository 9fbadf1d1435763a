"""Moving a podcast in: its feed imported with GUIDs kept, re-imports adding only new items."""

from __future__ import annotations

import io
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import feedparser  # type: ignore[import-untyped]
import podcastparser  # type: ignore[import-untyped]
import pytest
from PIL import Image
from starlette.testclient import TestClient

import feeds
from feeds.parse import parse_feed
from podops.api import create_app
from podops.db import Database
from tests.conftest import make_settings
from tests.feeds import samples
from tests.fetch.servers import Handler, LocalServer, body
from tests.media.mpeg_frames import cbr_44100
from tests.support.auth import bearer, context_of, token_for
from tests.support.operations import poll
from tests.support.partytime import ensure_partytime_installed, parse_with_partytime
from tests.support.processes import WorkerProcess

pytestmark = pytest.mark.slow

SCOPES = "production:read production:write production:build resource:read resource:write"
EMAIL = "mover@example.com"
MP3 = cbr_44100(frames=400)


def item(guid: str | None, title: str, date: str, enclosure: str | None) -> str:
    parts = [
        f"<title>{title}</title>",
        f"<pubDate>{date}</pubDate>",
        '<description><![CDATA[<p>Notes with <a href="https://example.com">a link</a>'
        "<script>alert(1)</script></p>]]></description>",
        "<itunes:duration>00:10:05</itunes:duration><itunes:season>2</itunes:season>"
        "<itunes:episode>7</itunes:episode><itunes:explicit>yes</itunes:explicit>",
    ]
    if guid is not None:
        parts.append(f'<guid isPermaLink="false">{guid}</guid>')
    if enclosure is not None:
        parts.append(f'<enclosure url="{enclosure}" length="{len(MP3)}" type="audio/mpeg"/>')
    return "<item>" + "".join(parts) + "</item>"


def foreign_feed(
    items: list[str], *, locked_by: str | None = None, podcast_guid: str | None = None
) -> bytes:
    locked = f'<podcast:locked owner="{locked_by}">yes</podcast:locked>' if locked_by else ""
    if podcast_guid is not None:
        locked += f"<podcast:guid>{podcast_guid}</podcast:guid>"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel>
  <title>Old Host Show</title>
  <link>https://old-host.example.com/show</link>
  <description><![CDATA[<p>A show that is <b>moving</b>.</p>]]></description>
  <language>en-us</language>
  <itunes:author>Jane</itunes:author>
  <itunes:owner><itunes:name>Jane</itunes:name><itunes:email>{EMAIL}</itunes:email></itunes:owner>
  <itunes:category text="Technology"/>
  <itunes:category text="Made Up Category"/>
  <itunes:explicit>false</itunes:explicit>
  <itunes:image href="https://old-host.example.com/cover.jpg"/>
  {locked}
  {"".join(items)}
</channel>
</rss>""".encode()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    local = LocalServer(routes={"/episode.mp3": body(MP3)})
    local.start()
    try:
        yield local
    finally:
        local.stop()


@pytest.fixture
def mover(
    tmp_path: Path, database: Database, redis_url: str, server: LocalServer
) -> Iterator[TestClient]:
    settings = make_settings(
        tmp_path,
        PODOPS_DATABASE_URL=database.url,
        PODOPS_BROKER_URL=redis_url,
        PODOPS_FETCH_ALLOW=server.allow,
    )
    worker = WorkerProcess(settings, tmp_path / "worker.log")
    worker.start()
    try:
        with TestClient(create_app(settings)) as client:
            client.headers.update(bearer(token_for(context_of(client), EMAIL, SCOPES)))
            yield client
    finally:
        worker.stop()


def import_feed(client: TestClient, **payload: Any) -> dict[str, Any]:
    response = client.post("/a/v1/import/feed", json={"name": "moved-show", **payload})
    assert response.status_code == 202, response.text
    return poll(client, response.headers["location"])


def poll_until(
    client: TestClient, location: str, ready: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """The operation at `location` once `ready` says so (within 60 s)."""
    deadline = time.monotonic() + 60
    while True:
        operation: dict[str, Any] = client.get(location).json()
        if ready(operation) or time.monotonic() > deadline:
            return operation
        time.sleep(0.1)


ITEMS = [
    item(
        "https://old-host.example.com/?p=1",
        "First",
        "Mon, 06 Jan 2020 10:00:00 +0000",
        "https://old-host.example.com/ep1.mp3",
    ),
    item("0042", "Second", "Mon, 13 Jan 2020 10:00:00 GMT", "https://old-host.example.com/ep2.mp3"),
    item(None, "No GUID", "Mon, 20 Jan 2020 10:00:00 +0000", "https://old-host.example.com/x.mp3"),
]


def test_a_feed_is_imported_keeping_guids_and_a_reimport_adds_only_new_items(
    mover: TestClient, server: LocalServer
) -> None:
    server.routes["/feed.xml"] = body(foreign_feed(ITEMS), "application/rss+xml")
    done = import_feed(mover, url=server.url("/feed.xml"))
    assert done["status"] == "Success", done["error"]
    result = done["result"]
    assert result["production_created"] is True
    assert result["episodes_added"] == 2
    codes = {problem["code"] for problem in result["problems"]}
    assert "podops.import.missing_guid" in codes
    assert "podops.import.value_dropped" in codes  # the category not in Apple's list
    episodes = mover.get("/a/v1/resource/moved-show/episode").json()["resources"]
    by_guid = {doc["description"]["feed_guid"]: doc for doc in episodes}
    assert set(by_guid) == {"https://old-host.example.com/?p=1", "0042"}
    first = by_guid["https://old-host.example.com/?p=1"]
    assert first["metadata"]["date"] == 1578304800
    assert first["description"]["season"] == 2
    assert first["description"]["episode"] == 7
    assert first["description"]["explicit"] is True
    assert "<script>" not in first["description"]["notes"]
    assert first["enclosure"]["rel"] == "external"
    assert first["enclosure"]["duration"] == 605
    show = mover.get("/a/v1/resource/moved-show/show/moved-show").json()
    assert show["description"]["categories"] == [{"category": "Technology"}]

    # A re-import of the same feed, now with one more item, adds that item and nothing else.
    newer = item(
        "ep-3", "Third", "Mon, 27 Jan 2020 10:00:00 +0000", "https://old-host.example.com/ep3.mp3"
    )
    server.routes["/feed.xml"] = body(foreign_feed([*ITEMS, newer]), "application/rss+xml")
    again = import_feed(mover, url=server.url("/feed.xml"))
    assert again["result"]["episodes_added"] == 1
    assert again["result"]["episodes_already_there"] == 2
    assert again["result"]["production_created"] is False
    assert again["result"]["show_created"] is False
    assert (
        mover.get("/a/v1/resource/moved-show/episode/" + first["metadata"]["name"]).json() == first
    )


def test_the_rebuilt_feed_keeps_every_guid(mover: TestClient, server: LocalServer) -> None:
    server.routes["/feed.xml"] = body(foreign_feed(ITEMS[:2]), "application/rss+xml")
    assert import_feed(mover, url=server.url("/feed.xml"))["status"] == "Success"
    show = mover.get("/a/v1/resource/moved-show/show/moved-show").json()
    show["image"] = {"rel": "external", "url": "https://old-host.example.com/cover.jpg"}
    assert mover.put("/a/v1/resource/moved-show/show/moved-show", json=show).status_code == 200
    response = mover.post("/a/v1/build", json={"guid": "moved-show"})
    done = poll(mover, response.headers["location"])
    assert done["status"] == "Success", done["error"]
    feed = mover.get(
        done["result"]["feed_url"].removeprefix(context_of(mover).settings.base_url)
    ).content
    guids = {entry.id for entry in feedparser.parse(feed).entries}
    assert guids == {"https://old-host.example.com/?p=1", "0042"}


def built_feed(client: TestClient, name: str = "moved-show") -> bytes:
    """Build the production (with the old host's cover as an external image) and fetch the
    feed it published."""
    show = client.get(f"/a/v1/resource/{name}/show/{name}").json()
    show["image"] = {"rel": "external", "url": "https://old-host.example.com/cover.jpg"}
    assert client.put(f"/a/v1/resource/{name}/show/{name}", json=show).status_code == 200
    response = client.post("/a/v1/build", json={"guid": name})
    done = poll(client, response.headers["location"])
    assert done["status"] == "Success", done["error"]
    return client.get(
        done["result"]["feed_url"].removeprefix(context_of(client).settings.base_url)
    ).content


def test_an_item_of_length_zero_builds_with_the_length_its_server_tells(
    mover: TestClient, server: LocalServer
) -> None:
    server.routes["/media/ep1.mp3"] = body(MP3)
    unsized = item(
        "zero-length", "Zero", "Mon, 06 Jan 2020 10:00:00 +0000", server.url("/media/ep1.mp3")
    ).replace(f'length="{len(MP3)}"', 'length="0"')
    server.routes["/feed.xml"] = body(foreign_feed([unsized]), "application/rss+xml")
    assert import_feed(mover, url=server.url("/feed.xml"))["status"] == "Success"

    [entry] = feedparser.parse(built_feed(mover)).entries

    assert entry.enclosures[0].href == server.url("/media/ep1.mp3")
    assert int(entry.enclosures[0].length) == len(MP3)
    assert [seen.method for seen in server.requests if seen.path == "/media/ep1.mp3"] == ["HEAD"]


def podcast_guid_of(feed: bytes) -> str:
    found = re.findall(rb"<podcast:guid>([^<]*)</podcast:guid>", feed)
    assert len(found) == 1, found
    return found[0].decode()


def test_a_moved_show_keeps_the_podcast_guid_its_feed_declared(mover: TestClient) -> None:
    declared = "5f3c6e8a-1b2d-5c4e-9f00-0a1b2c3d4e5f"
    xml = foreign_feed(ITEMS[:1], podcast_guid=declared).decode()
    assert import_feed(mover, xml=xml)["status"] == "Success"
    path = "/a/v1/resource/moved-show/show/moved-show"
    show = mover.get(path).json()
    assert show["description"]["podcast_guid"] == declared
    assert podcast_guid_of(built_feed(mover)) == declared
    # The server owns it: a producer cannot change it by accident.
    show = mover.get(path).json()
    show["description"]["podcast_guid"] = feeds.podcast_guid("https://elsewhere.example.com/")
    refused = mover.put(path, json=show, headers={"If-Match": "*"})
    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == "podops.resource.server_owned"
    assert mover.get(path).json()["description"]["podcast_guid"] == declared


def test_a_show_without_a_podcast_guid_gets_the_one_its_old_feed_url_implies(
    mover: TestClient, server: LocalServer
) -> None:
    """What the Podcast Index computed for it: the UUIDv5 of the URL it was read from."""
    server.routes["/feed.xml"] = body(foreign_feed(ITEMS[:1]), "application/rss+xml")
    old_url = server.url("/feed.xml")
    assert import_feed(mover, url=old_url)["status"] == "Success"
    assert podcast_guid_of(built_feed(mover)) == feeds.podcast_guid(old_url)


def test_every_item_the_import_could_not_take_whole_is_named_with_its_guid(
    mover: TestClient,
) -> None:
    zero = item("zero-length", "Zero", "Mon, 06 Jan 2020 10:00:00 +0000", "https://o.example/z.mp3")
    zero = zero.replace(f'length="{len(MP3)}"', 'length="0"')
    undated = item("no-date-1", "Undated", "not a date", "https://o.example/u.mp3")
    done = import_feed(mover, xml=foreign_feed([zero, undated]).decode())
    assert done["status"] == "Success", done["error"]
    problems = {(problem["guid"], problem["code"]) for problem in done["result"]["problems"]}
    assert ("zero-length", "podops.import.enclosure_length_missing") in problems
    assert any(guid == "no-date-1" for guid, _code in problems), problems
    assert all("guid" in problem for problem in done["result"]["problems"])


def what_apps_read(feed: bytes) -> dict[str, Any]:
    """The identity of a feed as three independent parsers read it."""
    entries = feedparser.parse(feed).entries
    podcast = podcastparser.parse("https://podops.test/feed.xml", io.BytesIO(feed))
    party = parse_with_partytime(feed)
    return {
        "podcast_guid": podcast_guid_of(feed),
        "partytime_guid": party.get("guid"),
        "feedparser": sorted(
            (
                entry.id,
                entry.enclosures[0].href,
                int(entry.enclosures[0].length),
                entry.enclosures[0].type,
                entry.published,
            )
            for entry in entries
        ),
        "podcastparser": sorted(
            (
                episode["guid"],
                episode["enclosures"][0]["url"],
                episode["enclosures"][0]["file_size"],
                episode["enclosures"][0]["mime_type"],
                episode["published"],
                episode["total_time"],
            )
            for episode in podcast["episodes"]
        ),
        "partytime": sorted(
            (
                item["guid"],
                item["enclosure"]["url"],
                item["enclosure"]["length"],
                item["enclosure"]["type"],
                item["pub_date_ms"],
            )
            for item in party["items"]
        ),
    }


def test_a_feed_moved_twice_keeps_its_identity(mover: TestClient) -> None:
    """import → build → import the built feed into another production → build: both feeds
    carry the same podcast GUID, items, enclosures, lengths, types, durations and dates."""
    ensure_partytime_installed()
    declared = "5f3c6e8a-1b2d-5c4e-9f00-0a1b2c3d4e5f"
    assert (
        import_feed(mover, xml=foreign_feed(ITEMS, podcast_guid=declared).decode())["status"]
        == "Success"
    )
    first = built_feed(mover)
    response = mover.post("/a/v1/import/feed", json={"name": "moved-again", "xml": first.decode()})
    assert response.status_code == 202, response.text
    again = poll(mover, response.headers["location"])
    assert again["status"] == "Success", again["error"]
    second = built_feed(mover, "moved-again")
    before, after = what_apps_read(first), what_apps_read(second)
    assert before["podcast_guid"] == declared
    assert before == after
    assert len(before["feedparser"]) == len(ITEMS) - 1  # the item without a GUID is skipped


def test_import_media_copies_the_media_in(mover: TestClient, server: LocalServer) -> None:
    media_item = item(
        "media-1", "With media", "Mon, 06 Jan 2020 10:00:00 +0000", server.url("/episode.mp3")
    )
    cover = io.BytesIO()
    Image.new("RGB", (1400, 1400), (20, 90, 160)).save(cover, format="JPEG")
    server.routes["/cover.jpg"] = body(cover.getvalue(), "image/jpeg")
    xml = (
        foreign_feed([media_item])
        .decode()
        .replace("https://old-host.example.com/cover.jpg", server.url("/cover.jpg"))
    )
    done = import_feed(mover, xml=xml, import_media=True)
    assert done["status"] == "Success", done["error"]
    imported = [poll(mover, f"/a/v1/operations/{id_}") for id_ in done["result"]["media_imports"]]
    assert [media["status"] for media in imported] == ["Success", "Success"], imported
    assets = {media["result"]["type"]: media["result"]["asset"] for media in imported}
    [doc] = mover.get("/a/v1/resource/moved-show/episode").json()["resources"]
    assert doc["enclosure"] == {"rel": "asset", "name": assets["audio/mpeg"]}
    show = mover.get("/a/v1/resource/moved-show/show/moved-show").json()
    assert show["image"] == {"rel": "asset", "name": assets["image/jpeg"]}


def test_failed_media_imports_are_problems_of_the_feed_import_and_the_show_still_builds(
    mover: TestClient, server: LocalServer
) -> None:
    released = threading.Event()

    def held(handler: Handler) -> None:
        """The media arrive only once the test has seen the feed import wait for them."""
        released.wait(30)
        body(MP3)(handler)

    server.routes["/held.mp3"] = held
    server.routes["/cover.jpg"] = body(b"not an image at all", "image/jpeg")
    items = [
        item("kept-1", "Kept", "Mon, 06 Jan 2020 10:00:00 +0000", server.url("/held.mp3")),
        item("lost-2", "Lost", "Mon, 13 Jan 2020 10:00:00 +0000", server.url("/gone.mp3")),
    ]
    xml = (
        foreign_feed(items)
        .decode()
        .replace("https://old-host.example.com/cover.jpg", server.url("/cover.jpg"))
    )
    response = mover.post(
        "/a/v1/import/feed", json={"name": "moved-show", "xml": xml, "import_media": True}
    )
    assert response.status_code == 202, response.text
    location = response.headers["location"]

    # The feed's own work ends; the operation waits for its media while one is held.
    waiting = poll_until(
        mover, location, lambda _: any(seen.path == "/held.mp3" for seen in server.requests)
    )
    assert waiting["status"] == "Busy"
    assert waiting["finished"] is None
    assert waiting["progress"]["stage"] == "media"
    assert (waiting["progress"]["total"], waiting["progress"]["unit"]) == (3, "operations")
    assert waiting["progress"]["done"] < 3
    released.set()
    done = poll(mover, location)

    assert done["status"] == "Success", done["error"]
    result = done["result"]
    assert result["media"] == {"imported": 1, "failed": 2}
    media = {id_: poll(mover, f"/a/v1/operations/{id_}") for id_ in result["media_imports"]}
    failed = {id_ for id_, op in media.items() if op["status"] == "Failed"}
    problems = {p["operation"]: p for p in result["problems"] if "operation" in p}
    assert set(problems) == failed
    lost = next(p for p in problems.values() if p["guid"] == "lost-2")
    assert lost["code"] == "podops.fetch.not_found"
    assert lost["message"].startswith('episode "Lost" (')
    assert "its enclosure could not be imported" in lost["message"]
    assert f"now links to {server.url('/gone.mp3')}" in lost["message"]
    cover = next(p for p in problems.values() if p["guid"] is None)
    assert cover["message"].startswith("the show's image could not be imported")
    # Each fell back to its old URL, the feed's length, type and duration kept.
    episodes = mover.get("/a/v1/resource/moved-show/episode").json()["resources"]
    by_guid = {doc["description"]["feed_guid"]: doc for doc in episodes}
    assert by_guid["lost-2"]["enclosure"] == {
        "rel": "external",
        "url": server.url("/gone.mp3"),
        "type": "audio/mpeg",
        "length": len(MP3),
        "duration": 605.0,
    }
    assert by_guid["kept-1"]["enclosure"]["rel"] == "asset"
    show = mover.get("/a/v1/resource/moved-show/show/moved-show").json()
    assert show["image"] == {"rel": "external", "url": server.url("/cover.jpg")}

    built = mover.post("/a/v1/build", json={"guid": "moved-show"})
    assert built.status_code == 202, built.text
    build = poll(mover, built.headers["location"])
    assert build["status"] == "Success", build["error"]
    assert build["result"]["items"] == 2


def test_a_feed_that_is_not_well_formed_is_imported_and_every_repair_is_named(
    mover: TestClient,
) -> None:
    """Podcast apps read such feeds; so does the import, as safely, saying what it mended."""
    xml = foreign_feed(ITEMS[:1]).decode()
    xml = xml.replace('xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"', "")
    xml = xml.replace("<title>Old Host Show</title>", "<title>Old Host&nbsp;Show &amp; Co</title>")
    done = import_feed(mover, xml=xml)
    assert done["status"] == "Success", done["error"]
    codes = {problem["code"] for problem in done["result"]["problems"]}
    assert "podops.import.repaired_namespaces" in codes, codes
    assert "podops.import.html_entities" in codes, codes
    assert done["result"]["episodes_added"] == 1
    show = mover.get("/a/v1/resource/moved-show/show/moved-show").json()
    assert show["description"]["owner"]["email"] == EMAIL  # read through the repaired prefix


@pytest.mark.parametrize(
    ("xml", "code"),
    [
        (b"this is not xml at all", "podops.import.not_xml"),
        (b"<html><body>a web page</body></html>", "podops.import.not_rss"),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<rss><channel><title>&x;</title></channel></rss>",
            "podops.import.unsafe_xml",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;'
            b'&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
            b"<rss><channel><title>&c;</title></channel></rss>",
            "podops.import.unsafe_xml",
        ),
    ],
)
def test_unreadable_feeds_fail_and_create_nothing(mover: TestClient, xml: bytes, code: str) -> None:
    done = import_feed(mover, xml=xml.decode())
    assert done["status"] == "Failed"
    assert done["error"]["code"] == code
    assert mover.get("/a/v1/productions").json()["productions"] == []


def test_a_locked_feed_is_refused_unless_it_is_the_importers(mover: TestClient) -> None:
    theirs = foreign_feed(ITEMS[:1], locked_by="someone@else.example")
    refused = import_feed(mover, xml=theirs.decode())
    assert refused["status"] == "Failed"
    assert refused["error"]["code"] == "podops.import.locked"
    mine = foreign_feed(ITEMS[:1], locked_by=EMAIL)
    assert import_feed(mover, xml=mine.decode())["status"] == "Success"


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "moved-show"},
        {"name": "moved-show", "url": "https://x.example/f", "xml": "<a/>"},
        {"name": "Bad Name", "xml": "<rss/>"},
        {"name": "moved-show", "url": "file:///etc/passwd"},
    ],
)
def test_malformed_feed_import_requests(mover: TestClient, payload: dict[str, Any]) -> None:
    assert mover.post("/a/v1/import/feed", json=payload).status_code == 400


def test_someone_elses_production_name_is_409(mover: TestClient) -> None:
    other = bearer(token_for(context_of(mover), "other@example.com", SCOPES))
    assert (
        mover.post(
            "/a/v1/production", json={"name": "taken-name-x", "title": "T"}, headers=other
        ).status_code
        == 201
    )
    response = mover.post("/a/v1/import/feed", json={"name": "taken-name-x", "xml": "<rss/>"})
    assert response.status_code == 409


CHANNEL_TAGS = """
  <podcast:medium>podcast</podcast:medium>
  <podcast:license
      url="https://example.org/mypodcastlicense/full.pdf">my-podcast-license-v1</podcast:license>
  <podcast:location geo="geo:30.2672,-97.7431" osm="R113314" rel="creator"
      country="US">Austin, TX</podcast:location>
  <podcast:trailer pubdate="Thu, 01 Apr 2021 08:00:00 EST"
      url="https://old-host.example.com/trailer.mp3" length="12345678"
      type="audio/mp3">Coming April 1st, 2021</podcast:trailer>
  <podcast:txt purpose="verify">S6lpp-7ZCn8-dZfGc-OoyaG</podcast:txt>
  <podcast:updateFrequency rrule="FREQ=WEEKLY;BYDAY=MO">Weekly, on Mondays</podcast:updateFrequency>
  <podcast:block>no</podcast:block>
  <podcast:block id="spotify">yes</podcast:block>
  <podcast:publisher><podcast:remoteItem medium="publisher"
      feedGuid="003af0a0-6a45-55cf-b765-68e3d349551a"
      feedUrl="https://agilesetmedia.com/feed.xml"/></podcast:publisher>
  <podcast:chat server="irc.zeronode.net" protocol="irc" accountId="@jj" space="#podcastindex"/>
  <podcast:images srcset="https://o.example/c-1500.jpg 1500w, https://o.example/c-600.jpg 600w"/>
  <podcast:value type="lightning" method="keysend" suggested="0.00000015000">
    <podcast:valueRecipient name="Host" type="node"
        address="02d5c1bf8b940dc9cadca86d1b0a3c37fbe39cee4c7e839e33bef9174531d27f52"
        split="99"/>
    <podcast:valueRecipient name="Podcastindex.org" type="node"
        address="03ae9f91a0cb8ff43840e3c322c4c61f019d8c1c3cea15a25cfc425ac605e61a4a" split="1"
        fee="true"/>
  </podcast:value>
  <podcast:socialInteract priority="1" protocol="activitypub"
      uri="https://podcastindex.social/@dave/1" accountId="@dave"
      accountUrl="https://podcastindex.social/@dave"/>
  <podcast:podroll><podcast:remoteItem feedGuid="29cdca4a-32d8-56ba-b48b-09a011c5daa9"
      feedUrl="https://feeds.example.org/buzzcast.xml"/></podcast:podroll>
  <podcast:liveItem status="live" start="2021-09-26T07:30:00.000-0600"
      end="2021-09-26T09:00:00.000-0600">
    <title>Podcasting 2.0 Live Show</title>
    <description>A look into the future of podcasting</description>
    <link>https://example.com/podcast/live</link>
    <guid isPermaLink="true">https://example.com/live</guid>
    <podcast:person href="https://example.com/adam" img="https://example.com/adam.jpg"
        >Adam Curry</podcast:person>
    <podcast:alternateEnclosure type="audio/mpeg" length="312" bitrate="128000">
      <podcast:source uri="https://example.com/pc20/livestream?format=.mp3"/>
    </podcast:alternateEnclosure>
    <enclosure url="https://example.com/pc20/livestream?format=.mp3" type="audio/mpeg"
        length="312"/>
    <podcast:contentLink
        href="https://example.com/html/livestream">Listen Live!</podcast:contentLink>
  </podcast:liveItem>
  <podcast:remoteItem feedGuid="not-a-guid" medium="music"/>
"""

ITEM_TAGS = """
  <podcast:season name="Race for the Whitehouse 2020">3</podcast:season>
  <podcast:soundbite startTime="73.0" duration="60.0"/>
  <podcast:soundbite startTime="234.5"
      duration="42.25">Why the Podcast Namespace Matters</podcast:soundbite>
  <podcast:location osm="R6930627">Birmingham Civil Rights Museum</podcast:location>
  <podcast:alternateEnclosure type="audio/opus" length="32400000" bitrate="96000"
      title="High quality" default="true">
    <podcast:integrity type="sri" value="sha384-ExVqijgYHm15PqQqdXfW95x+Rs6C+d6E/ICxyQOeFev"/>
    <podcast:source uri="https://old-host.example.com/ep1.opus"/>
    <podcast:source uri="ipfs://QmX33FYehk6ckGQ6g1D9D3FqZPix5JpKstKQKbaS8quUFb"/>
  </podcast:alternateEnclosure>
  <podcast:images srcset="https://old-host.example.com/ep1-1500.jpg 1500w"/>
  <podcast:txt purpose="ai-content">false</podcast:txt>
  <podcast:value type="lightning" method="keysend">
    <podcast:valueRecipient type="node"
        address="02d5c1bf8b940dc9cadca86d1b0a3c37fbe39cee4c7e839e33bef9174531d27f52"
        split="100"/>
    <podcast:valueTimeSplit startTime="60" duration="237" remotePercentage="95">
      <podcast:remoteItem itemGuid="https://podcastindex.org/podcast/4148683#1"
          feedGuid="a94f5cc9-8c58-55fc-91fe-a324087a655b" medium="music"/>
    </podcast:valueTimeSplit>
  </podcast:value>
  <podcast:socialInteract protocol="disabled"/>
  <podcast:contentLink href="https://youtube.com/watch?v=x">Watch on YouTube</podcast:contentLink>
"""

SHOW_TAGS = (
    "medium",
    "license",
    "locations",
    "trailers",
    "txt",
    "update_frequency",
    "service_blocks",
    "publisher",
    "chat",
    "image_srcset",
    "values",
    "social_interacts",
    "podroll",
    "live_items",
)
EPISODE_TAGS = (
    "season",
    "season_name",
    "soundbites",
    "locations",
    "alternate_enclosures",
    "image_srcset",
    "txt",
    "values",
    "social_interacts",
    "content_links",
)


def test_a_feeds_podcast_index_tags_are_kept_by_import_and_rebuild(mover: TestClient) -> None:
    """import → build: the built feed carries the tags the foreign feed had, as the feed
    parser reads them; a value the schema refuses is left out and named."""
    tagged = item(
        "tagged-1", "Tagged", "Mon, 06 Jan 2020 10:00:00 +0000", "https://o.example/t.mp3"
    )
    tagged = tagged.replace("<itunes:season>2</itunes:season>", "").replace(
        "</item>", ITEM_TAGS + "</item>"
    )
    xml = foreign_feed([tagged], podcast_guid=feeds.podcast_guid("https://o.example/feed.xml"))
    xml = xml.replace(b"<podcast:guid>", CHANNEL_TAGS.encode() + b"<podcast:guid>")
    before = parse_feed(xml)
    assert not before.problems
    done = import_feed(mover, xml=xml.decode())
    assert done["status"] == "Success", done["error"]
    dropped = [p["message"] for p in done["result"]["problems"] if "remote_items" in p["message"]]
    assert len(dropped) == 1, done["result"]["problems"]

    after = parse_feed(built_feed(mover))
    for field in SHOW_TAGS:
        assert getattr(after.show, field) == getattr(before.show, field), field
    assert after.show.remote_items == ()
    (live,) = after.show.live_items
    assert (live.guid, live.status, live.start, live.end) == (
        "https://example.com/live",
        "live",
        1632663000,
        1632668400,
    )
    (old,), (new,) = before.episodes, after.episodes
    for field in EPISODE_TAGS:
        assert getattr(new, field) == getattr(old, field), field
    assert new.soundbites[1].title == "Why the Podcast Namespace Matters"
    assert old.alternate_enclosures[0].sources[1].uri.startswith("ipfs://")


def paged_feed(server: LocalServer, count: int, size: int) -> dict[str, bytes]:
    """A `count`-episode show published as a paged feed on `server`, `size` episodes a page:
    each document by its path, the main feed first."""
    episodes = [samples.episode(n, guid=f"paged-{n:04d}") for n in range(1, count + 1)]
    show = samples.show(feed_url=server.url("/feed.xml"))
    pages = feeds.paginate(
        episodes,
        now=samples.NOW,
        size=size,
        feed_url=show.feed_url,
        page_url=lambda n: server.url(f"/archive/{n}.xml"),
    )
    documents = {}
    for page in pages:
        path = page.url.removeprefix(server.url("/").rstrip("/"))
        documents[path] = feeds.render(
            feeds.page_show(show, page), page.episodes, now=samples.NOW, links=page.links
        )
        server.routes[path] = body(documents[path], "application/rss+xml")
    return documents


def test_a_paged_feed_is_imported_with_every_archive_page(
    mover: TestClient, server: LocalServer
) -> None:
    documents = paged_feed(server, 25, 10)
    assert list(documents) == ["/feed.xml", "/archive/2.xml", "/archive/1.xml"]
    done = import_feed(mover, url=server.url("/feed.xml"))
    assert done["status"] == "Success", done["error"]
    result = done["result"]
    assert (result["episodes_added"], result["items_in_feed"]) == (25, 25)
    assert not [p for p in result["problems"] if "page" in p["message"]]
    episodes = mover.get("/a/v1/resource/moved-show/episode?limit=100").json()["resources"]
    assert sorted(doc["description"]["feed_guid"] for doc in episodes) == [
        f"paged-{n:04d}" for n in range(1, 26)
    ]
    assert [seen.path for seen in server.requests] == list(documents)


@pytest.mark.parametrize(
    ("link", "code"),
    [
        ("/feed.xml", "podops.import.page_not_followed"),  # back to the start: a loop
        ("http://10.1.2.3/older.xml", None),  # a private address: the fetcher's refusal
        ("ftp://example.com/older.xml", "podops.import.page_not_followed"),
    ],
)
def test_a_page_link_that_cannot_be_followed_is_named_and_the_rest_imported(
    mover: TestClient, server: LocalServer, link: str, code: str | None
) -> None:
    documents = paged_feed(server, 25, 10)
    target = server.url(link) if link.startswith("/") else link
    # The oldest page gains a `next` link of its own, to where no page should be read.
    oldest = documents["/archive/1.xml"].replace(
        b' rel="last"/>', f' rel="last"/>\n    <atom:link href="{target}" rel="next"/>'.encode()
    )
    assert oldest != documents["/archive/1.xml"]
    server.routes["/archive/1.xml"] = body(oldest, "application/rss+xml")
    done = import_feed(mover, url=server.url("/feed.xml"))
    assert done["status"] == "Success", done["error"]
    result = done["result"]
    assert result["episodes_added"] == 25
    (problem,) = [p for p in result["problems"] if target in p["message"]]
    if code is None:
        assert problem["code"].startswith("podops.fetch."), problem
    else:
        assert problem["code"] == code, problem
    assert "10.1.2.3" not in [seen.host for seen in server.requests]
