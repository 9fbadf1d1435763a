"""The Podcast Index tags beyond the first eight: rendered at their level, read back exactly.

Each tag's attributes and values are those of the namespace's documents
(https://github.com/Podcastindex-org/podcast-namespace, `docs/tags/*.md`).
"""

from __future__ import annotations

from dataclasses import fields, replace

import pytest

from feeds import (
    AlternateEnclosure,
    Chat,
    Code,
    ContentLink,
    Enclosure,
    Episode,
    ImageSource,
    Integrity,
    License,
    Location,
    Person,
    RemoteItem,
    ServiceBlock,
    Show,
    SocialInteract,
    Soundbite,
    Source,
    Trailer,
    Txt,
    UpdateFrequency,
    Value,
    ValueRecipient,
    ValueTimeSplit,
    lint,
    render,
)
from feeds._lint_podcast import rrule_problem
from feeds.parse import ProblemCode, parse_feed
from tests.feeds import samples
from tests.feeds.samples import NOW, attributes, elements, one, texts

CHANNEL = "/rss/channel"
ITEM = "/rss/channel/item"


def built() -> tuple[Show, Episode, bytes]:
    show = samples.namespace_show()
    episode = samples.namespace_episode(1)
    return show, episode, render(show, [episode], now=NOW)


def test_channel_tags_at_the_channel() -> None:
    show, _, xml = built()
    root = samples.parse(xml)
    assert texts(root, f"{CHANNEL}/podcast:medium") == ["podcast"]
    assert texts(root, f"{CHANNEL}/podcast:license") == ["CC-BY-4.0"]
    austin = one(root, f"{CHANNEL}/podcast:location[1]")
    assert (austin.text, attributes(austin)) == (
        "Austin",
        {"rel": "creator", "geo": "geo:30.2711286,-97.7436995", "osm": "R113314", "country": "US"},
    )
    first, second = elements(root, f"{CHANNEL}/podcast:trailer")
    assert attributes(first) == {
        "url": "https://cdn.example.com/p/sample-show/trailer.mp3",
        "pubdate": "Fri, 22 Nov 2024 00:00:00 +0000",
        "length": "123456",
        "type": "audio/mpeg",
    }
    assert (second.text, second.get("season"), second.get("length")) == (
        "Season 2: the sequel",
        "2",
        None,
    )
    assert [(e.get("purpose"), e.text) for e in elements(root, f"{CHANNEL}/podcast:txt")] == [
        ("verify", "S6lpp-7ZCn8-dZfGc-OoyaG"),
        ("ai-content", "false"),
    ]
    frequency = one(root, f"{CHANNEL}/podcast:updateFrequency")
    assert attributes(frequency) == {
        "dtstart": "2025-01-01T00:00:00.000Z",
        "rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;COUNT=10",
    }
    assert [(e.get("id"), e.text) for e in elements(root, f"{CHANNEL}/podcast:block")] == [
        (None, "yes"),
        ("google", "no"),
    ]
    publisher = one(root, f"{CHANNEL}/podcast:publisher/podcast:remoteItem")
    assert attributes(publisher)["medium"] == "publisher"
    assert attributes(one(root, f"{CHANNEL}/podcast:chat")) == {
        "server": "irc.zeronode.net",
        "protocol": "irc",
        "accountId": "@sam",
        "space": "#sampleshow",
    }
    assert texts(root, f"{CHANNEL}/podcast:images/@srcset") == [
        "https://cdn.example.com/p/sample-show/cover-1500.jpg 1500w, "
        "https://cdn.example.com/p/sample-show/cover-600.jpg 600w"
    ]
    value = one(root, f"{CHANNEL}/podcast:value")
    assert attributes(value) == {
        "type": "lightning",
        "method": "keysend",
        "suggested": "0.00000005000",
    }
    recipients = elements(root, f"{CHANNEL}/podcast:value/podcast:valueRecipient")
    assert [attributes(r) for r in recipients] == [
        {"name": "Sam (Podcaster)", "type": "node", "address": samples.NODE, "split": "95"},
        {"name": "Host", "type": "node", "address": samples.HOST_NODE, "split": "5", "fee": "true"},
    ]
    assert one(root, f"{CHANNEL}/podcast:socialInteract").get("priority") == "1"
    assert texts(root, f"{CHANNEL}/podcast:podroll/podcast:remoteItem/@feedGuid") == [
        samples.ROLL_GUID
    ]
    # Channel-only tags stay out of the items, item-only ones out of the channel.
    for tag in ("medium", "trailer", "updateFrequency", "block", "publisher", "podroll"):
        assert not elements(root, f"{ITEM}/podcast:{tag}")
    for tag in ("soundbite", "alternateEnclosure", "contentLink"):
        assert not elements(root, f"{CHANNEL}/podcast:{tag}")
    assert show.medium == "podcast"


def test_item_tags_in_the_item() -> None:
    _, episode, xml = built()
    root = samples.parse(xml)
    season = one(root, f"{ITEM}/podcast:season")
    assert (season.text, season.get("name")) == ("1", "Origins")
    bites = elements(root, f"{ITEM}/podcast:soundbite")
    assert [(attributes(b), b.text) for b in bites] == [
        ({"startTime": "73.0", "duration": "60.0"}, None),
        ({"startTime": "1234.5", "duration": "42.25"}, "Why it matters"),
    ]
    opus = one(root, f"{ITEM}/podcast:alternateEnclosure[1]")
    assert attributes(opus) == {
        "type": "audio/opus",
        "length": "900000",
        "bitrate": "96000.0",
        "lang": "en-US",
        "title": "High quality",
        "codecs": "opus",
    }
    assert texts(root, f"{ITEM}/podcast:alternateEnclosure[1]/podcast:source/@uri") == [
        "https://cdn.example.com/p/sample-show/000000000001.opus",
        "ipfs://QmX33FYehk6ckGQ6g1D9",
    ]
    integrity = one(root, f"{ITEM}/podcast:alternateEnclosure[1]/podcast:integrity")
    assert integrity.get("type") == "sri"
    mp3 = one(root, f"{ITEM}/podcast:alternateEnclosure[2]")
    assert mp3.get("default") == "true"
    torrent = one(root, f"{ITEM}/podcast:alternateEnclosure[2]/podcast:source[2]")
    assert torrent.get("contentType") == "application/x-bittorrent"
    splits = elements(root, f"{ITEM}/podcast:value/podcast:valueTimeSplit")
    assert [attributes(s) for s in splits] == [
        {"startTime": "60.0", "duration": "237.0", "remotePercentage": "95"},
        {"startTime": "400.0", "duration": "30.5", "remoteStartTime": "12.0"},
    ]
    assert texts(
        root, f"{ITEM}/podcast:value/podcast:valueTimeSplit[1]/podcast:remoteItem/@medium"
    ) == ["music"]
    assert attributes(one(root, f"{ITEM}/podcast:socialInteract")) == {"protocol": "disabled"}
    link = one(root, f"{ITEM}/podcast:contentLink")
    assert (link.get("href"), link.text) == (
        "https://www.youtube.com/watch?v=example",
        "On YouTube",
    )
    assert one(root, f"{ITEM}/podcast:license").get("url") == "https://example.com/license.pdf"
    assert episode.chat is not None
    assert one(root, f"{ITEM}/podcast:chat").get("protocol") == episode.chat.protocol


def test_unset_tags_are_not_written() -> None:
    xml = render(samples.show(), samples.episodes(2), now=NOW)
    root = samples.parse(xml)
    written = {
        e.tag.split("}")[1]
        for e in root.iter()
        if isinstance(e.tag, str) and "podcastindex" in e.tag
    }
    assert written == {
        "guid",
        "locked",
        "funding",
        "person",
        "season",
        "episode",
        "transcript",
        "chapters",
    }
    assert one(root, f"{ITEM}[1]/podcast:season").get("name") is None


def test_render_parse_round_trip_is_exact() -> None:
    show, episode, xml = built()
    parsed = parse_feed(xml)
    assert parsed.problems == ()
    again = parsed.show.to_show(feed_url=show.feed_url)
    for field in fields(Show):
        if field.name.startswith(
            ("medium", "license", "locations", "trailers", "txt")
        ) or field.name in {
            "update_frequency",
            "service_blocks",
            "publisher",
            "chat",
            "image_srcset",
            "values",
            "social_interacts",
            "podroll",
            "remote_items",
            "live_items",
        }:
            assert getattr(again, field.name) == getattr(show, field.name), field.name
    (read,) = parsed.episodes
    episode_again = read.to_episode()
    for name in (
        "season",
        "season_name",
        "soundbites",
        "locations",
        "license",
        "alternate_enclosures",
        "image_srcset",
        "txt",
        "chat",
        "values",
        "social_interacts",
        "content_links",
    ):
        assert getattr(episode_again, name) == getattr(episode, name), name


def test_a_list_feed_round_trips_its_remote_items() -> None:
    items = (
        RemoteItem(samples.MUSIC_GUID, "https://example.com/album.xml", "track-1", "music", "One"),
        RemoteItem(samples.ROLL_GUID),
    )
    show = samples.show(medium="musicL", remote_items=items)
    xml = render(show, [samples.episode(1)], now=NOW)
    assert texts(samples.parse(xml), f"{CHANNEL}/podcast:remoteItem/@feedGuid") == [
        samples.MUSIC_GUID,
        samples.ROLL_GUID,
    ]
    parsed = parse_feed(xml)
    assert (parsed.show.medium, parsed.show.remote_items) == ("musicL", items)


def test_item_bytes_match_what_lxml_writes_for_the_channel() -> None:
    # The same tag written both ways (item text, channel lxml) is indented alike.
    show = samples.namespace_show()
    xml = render(show, [samples.namespace_episode(1)], now=NOW).decode()
    assert '\n    <podcast:value type="lightning" method="keysend" suggested=' in xml
    assert '\n      <podcast:valueRecipient name="Sam (Podcaster)"' in xml
    assert '\n      <podcast:value type="lightning" method="keysend">\n' in xml
    assert '\n        <podcast:valueTimeSplit startTime="60.0"' in xml
    assert "\n          <podcast:remoteItem feedGuid=" in xml


FOREIGN = b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel><title>T</title>
<podcast:trailer url="https://example.com/t.mp3">No date</podcast:trailer>
<podcast:trailer url="https://example.com/t.mp3" pubdate="Thu, 01 Apr 2021 08:00:00 EST"
  length="many">Dated</podcast:trailer>
<podcast:block>maybe</podcast:block>
<podcast:images srcset="https://example.com/a.jpg 1500w,
   https://example.com/b.jpg 2x, https://example.com/c.jpg 150w"/>
<podcast:value type="lightning">
  <podcast:valueRecipient type="node" address="x" split="1"/>
</podcast:value>
<podcast:podroll><podcast:remoteItem feedUrl="https://example.com/x.xml"/></podcast:podroll>
<podcast:chat server="irc.example.com"/>
<item><title>E</title><guid>e1</guid>
<podcast:soundbite startTime="ten" duration="60"/>
<podcast:soundbite startTime="10" duration="60">  Ten   seconds in </podcast:soundbite>
<podcast:alternateEnclosure type="audio/opus"><podcast:source/></podcast:alternateEnclosure>
<podcast:alternateEnclosure type="audio/opus" bitrate="fast">
  <podcast:source uri="https://example.com/e.opus"/><podcast:integrity type="sri"/>
</podcast:alternateEnclosure>
<podcast:contentLink>nowhere</podcast:contentLink>
<podcast:location>  </podcast:location>
</item></channel></rss>"""


def test_foreign_namespace_tags_that_cannot_be_read_are_reported() -> None:
    parsed = parse_feed(FOREIGN)
    show = parsed.show
    (trailer,) = show.trailers
    assert (trailer.title, trailer.length, trailer.published) == ("Dated", None, 1617282000)
    assert show.service_blocks == ()
    assert show.image_srcset == (
        ImageSource("https://example.com/a.jpg", 1500),
        ImageSource("https://example.com/c.jpg", 150),
    )
    assert (show.values, show.podroll, show.chat) == ((), (), None)
    (episode,) = parsed.episodes
    assert episode.soundbites == (Soundbite(10.0, 60.0, "Ten seconds in"),)
    (alternate,) = episode.alternate_enclosures
    assert (alternate.bitrate, alternate.integrity) == (None, None)
    assert (episode.content_links, episode.locations) == ((), ())
    messages = [p.message for p in parsed.problems if p.code is ProblemCode.BAD_VALUE]
    for expected in (
        "the channel: a podcast:trailer has no url or no pubdate; it was left out",
        "the channel: podcast:trailer's length 'many' is not",
        "the channel: a podcast:block is 'maybe', not yes or no; it was left out",
        "srcset entry 'https://example.com/b.jpg 2x' is not a URL and a width",
        "the channel: a podcast:value has no type or no method; it was left out",
        "the channel: a podcast:remoteItem has no feedGuid; it was left out",
        "the channel: a podcast:chat has no server or no protocol; it was left out",
        "item 0: a podcast:soundbite cannot be read: its startTime 'ten' is not a number; it",
        "item 0: a podcast:alternateEnclosure has no type or no podcast:source with a uri",
        "item 0: podcast:alternateEnclosure's bitrate 'fast' is not a number; left unset",
        "item 0: a podcast:integrity has no type or no value; it was left out",
        "item 0: a podcast:contentLink has no href; it was left out",
        "item 0: a podcast:location has no name; it was left out",
    ):
        assert any(expected in m for m in messages), (expected, messages)


@pytest.mark.parametrize("persons", [(), (Person("Gina", role="guest"),)])
def test_episode_without_season_writes_no_season_name(persons: tuple[Person, ...]) -> None:
    episode = replace(
        samples.episode(1), season=None, number=None, season_name="Lost", persons=persons
    )
    root = samples.parse(render(samples.show(), [episode], now=NOW))
    assert not elements(root, f"{ITEM}/podcast:season")


# Lint ----------------------------------------------------------------------------------------


def findings(show: Show, episodes: list[Episode]) -> dict[str, tuple[str, Code]]:
    """path → (error or warning, code) of every finding."""
    report = lint(show, episodes, now=NOW)
    found = {f.path: ("error", f.code) for f in report.errors}
    found.update({f.path: ("warning", f.code) for f in report.warnings})
    return found


def test_namespace_samples_are_lint_clean() -> None:
    report = lint(samples.namespace_show(), [samples.namespace_episode(1)], now=NOW)
    assert (report.errors, report.warnings) == ((), ())


def test_lint_names_each_channel_tag_problem() -> None:
    show = samples.namespace_show(
        medium="Podcast",
        license=License("my-own-licence"),
        locations=(Location(" ", geo="geo:91,0", osm="X12", rel="about", country="USA"),),
        trailers=(Trailer("", "ftp://example.com/t.mp3", NOW, 0, "text/html", 0),),
        txt=(Txt("maybe", "ai-content"),),
        update_frequency=UpdateFrequency("Weekly", "FREQ=WEEKLY;COUNT=10"),
        service_blocks=(
            ServiceBlock(True, "google"),
            ServiceBlock(False, "google"),
            ServiceBlock(True, "myspace"),
        ),
        publisher=RemoteItem("not-a-guid", "https://example.com/p.xml"),
        chat=Chat("https://irc.example.com/", "telegraph"),
        image_srcset=(ImageSource("https://example.com/a,b.jpg", 0),),
        values=(Value("lightning", "", (), suggested="lots"),),
        social_interacts=(SocialInteract("myspace", "not a uri", priority=-1),),
        podroll=(RemoteItem(samples.ROLL_GUID, medium="radio"),),
        persons=(
            Person("Vi Sual", group="visuals"),
            Person("Ann Ouncer", role="sound wizard", group="Cast"),
            Person("Ed", role="Editor", group="Nowhere"),
        ),
    )
    found = findings(show, [samples.episode(1)])
    assert {path: kind for path, kind in found.items() if path.startswith("show.")} == {
        "show.medium": ("error", Code.UNKNOWN_VALUE),
        "show.license.url": ("error", Code.MISSING),
        "show.locations[0].name": ("error", Code.MISSING),
        "show.locations[0].geo": ("error", Code.INVALID_VALUE),
        "show.locations[0].osm": ("error", Code.INVALID_VALUE),
        "show.locations[0].rel": ("error", Code.UNKNOWN_VALUE),
        "show.locations[0].country": ("error", Code.INVALID_VALUE),
        "show.trailers[0].title": ("error", Code.MISSING),
        "show.trailers[0].url": ("error", Code.INVALID_URL),
        "show.trailers[0].length": ("error", Code.ENCLOSURE_LENGTH),
        "show.trailers[0].type": ("warning", Code.UNKNOWN_TYPE),
        "show.trailers[0].season": ("error", Code.INVALID_NUMBER),
        "show.txt[0].text": ("error", Code.INVALID_VALUE),
        "show.update_frequency.starts": ("error", Code.MISSING),
        "show.service_blocks[1].service": ("error", Code.INVALID_VALUE),
        "show.service_blocks[2].service": ("warning", Code.UNKNOWN_VALUE),
        "show.publisher.feed_guid": ("error", Code.INVALID_PODCAST_GUID),
        "show.publisher.medium": ("error", Code.INVALID_VALUE),
        "show.chat.server": ("error", Code.INVALID_VALUE),
        "show.chat.protocol": ("warning", Code.UNKNOWN_VALUE),
        "show.image_srcset[0].url": ("error", Code.INVALID_URL),
        "show.image_srcset[0].width": ("error", Code.INVALID_NUMBER),
        "show.values[0].method": ("error", Code.MISSING),
        "show.values[0].suggested": ("error", Code.INVALID_NUMBER),
        "show.values[0].recipients": ("error", Code.MISSING),
        "show.social_interacts[0].protocol": ("warning", Code.UNKNOWN_VALUE),
        "show.social_interacts[0].uri": ("error", Code.INVALID_URL),
        "show.social_interacts[0].priority": ("error", Code.INVALID_NUMBER),
        "show.podroll[0].medium": ("error", Code.UNKNOWN_VALUE),
        "show.persons[0].role": ("warning", Code.UNKNOWN_PERSON_ROLE),
        "show.persons[1].role": ("warning", Code.UNKNOWN_PERSON_ROLE),
        "show.persons[2].group": ("warning", Code.UNKNOWN_PERSON_ROLE),
    }
    messages = {f.path: f.message for f in lint(show, [samples.episode(1)], now=NOW).warnings}
    assert messages["show.persons[0].role"] == (
        "Show: Vi Sual's role 'host' is not one of the visuals group's in the Podcast Taxonomy "
        "(cover art designer, graphic designer); apps will show it as host."
    )


def test_taxonomy_names_compare_without_case() -> None:
    show = samples.show(
        persons=(
            Person("Becky", role="Cover Art Designer", group="Visuals"),
            Person("Ed", role="audio editor", group="audio post-production"),
        ),
    )
    assert lint(show, [samples.episode(1)], now=NOW).warnings == ()


def test_lint_names_each_item_tag_problem() -> None:
    episode = samples.namespace_episode(
        1,
        season=None,
        soundbites=(Soundbite(-1.0, 10.0), Soundbite(1800.0, 60.0), Soundbite(10.0, 5.0)),
        alternate_enclosures=(
            AlternateEnclosure("", (), length=-1, title="A title far longer than thirty-two"),
            AlternateEnclosure(
                "audio/mpeg", (Source("ipfs:"),), default=True, integrity=Integrity("md5", "x")
            ),
            AlternateEnclosure(
                "audio/mpeg",
                (Source("magnet:?xt=urn:btih:c12fe1"),),
                default=True,
                integrity=Integrity("sri", "md5-abc"),
            ),
        ),
        values=(
            Value(
                "lightning",
                "keysend",
                (ValueRecipient("paypal", "", -5),),
                time_splits=(ValueTimeSplit(10.0, 0.0, remote_percentage=120),),
            ),
        ),
        social_interacts=(SocialInteract("activitypub"),),
        content_links=(ContentLink("youtube.com/watch", ""),),
    )
    found = findings(samples.show(), [episode])
    assert {path: kind for path, kind in found.items() if path.startswith("episodes[0]")} == {
        "episodes[0].season": ("error", Code.MISSING),
        "episodes[0].soundbites[0]": ("error", Code.INVALID_NUMBER),
        "episodes[0].soundbites[1]": ("error", Code.INVALID_NUMBER),
        "episodes[0].soundbites[2].duration": ("warning", Code.DURATION),
        "episodes[0].alternate_enclosures[0].type": ("error", Code.MISSING),
        "episodes[0].alternate_enclosures[0].sources": ("error", Code.MISSING),
        "episodes[0].alternate_enclosures[0].length": ("error", Code.INVALID_NUMBER),
        "episodes[0].alternate_enclosures[0].title": ("warning", Code.TOO_LONG),
        "episodes[0].alternate_enclosures[1].sources[0].uri": ("error", Code.INVALID_URL),
        "episodes[0].alternate_enclosures[1].integrity.type": ("error", Code.UNKNOWN_VALUE),
        "episodes[0].alternate_enclosures[2].integrity.value": ("error", Code.INVALID_VALUE),
        "episodes[0].alternate_enclosures": ("warning", Code.INVALID_VALUE),
        "episodes[0].values[0].recipients[0].address": ("error", Code.MISSING),
        "episodes[0].values[0].recipients[0].split": ("error", Code.INVALID_NUMBER),
        "episodes[0].values[0].recipients[0].type": ("warning", Code.UNKNOWN_VALUE),
        "episodes[0].values[0].time_splits[0]": ("error", Code.INVALID_VALUE),
        "episodes[0].values[0].time_splits[0].remote_percentage": ("error", Code.INVALID_NUMBER),
        "episodes[0].social_interacts[0].uri": ("error", Code.MISSING),
        "episodes[0].content_links[0].href": ("error", Code.INVALID_URL),
        "episodes[0].content_links[0].text": ("warning", Code.MISSING),
    }


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ("FREQ=WEEKLY;BYDAY=MO,WE", None),
        ("FREQ=YEARLY;BYDAY=+4TH;BYMONTH=11", None),
        ("FREQ=WEEKLY;UNTIL=2023-12-31T00:00:00.000Z;BYDAY=MO", None),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;COUNT=10", None),
        ("BYDAY=MO", "has no FREQ, which RFC 5545 requires"),
        ("FREQ=FORTNIGHTLY", "has FREQ='FORTNIGHTLY', which is not a valid FREQ"),
        ("FREQ=DAILY;EVERY=2", "has the part 'EVERY=2', which RFC 5545 does not define"),
        ("FREQ=DAILY;COUNT=2;UNTIL=20250101", "has both COUNT and UNTIL; RFC 5545 allows one"),
    ],
)
def test_recurrence_rules(rule: str, problem: str | None) -> None:
    assert rrule_problem(rule) == problem


# podcast:liveItem --------------------------------------------------------------------------


def test_live_items_at_the_channel_with_their_children() -> None:
    show, _, xml = built()
    root = samples.parse(xml)
    pending, ended = elements(root, f"{CHANNEL}/podcast:liveItem")
    assert attributes(pending) == {
        "status": "pending",
        "start": "2025-01-01T01:00:00.000Z",
        "end": "2025-01-01T03:00:00.000Z",
    }
    assert attributes(ended)["status"] == "ended"
    # RSS's own item elements in it, without a prefix, then the namespace's, stream last but
    # for the content links.
    assert [e.tag.split("}")[-1] for e in pending] == [
        "title",
        "description",
        "link",
        "guid",
        "images",
        "person",
        "alternateEnclosure",
        "chat",
        "value",
        "enclosure",
        "contentLink",
        "contentLink",
    ]
    assert texts(pending, "description") == ["Join us & ask <anything>."]
    guid = one(pending, "guid")
    assert (guid.text, guid.get("isPermaLink")) == ("live-2025-01-06", "false")
    assert attributes(one(pending, "enclosure")) == {
        "url": "https://stream.example.com/sample-show/live.mp3",
        "length": "0",
        "type": "audio/mpeg",
    }
    assert texts(pending, "podcast:contentLink") == ["Watch on YouTube", "Listen in the browser"]
    # A live item is no episode: the items are the episodes alone, and no tag leaks out.
    assert len(elements(root, ITEM)) == 1
    assert not elements(root, f"{ITEM}/podcast:liveItem")
    assert show.live_items[0].persons[0].name not in texts(root, f"{CHANNEL}/podcast:person")


def test_a_live_item_round_trips_exactly_without_its_optional_parts() -> None:
    bare = samples.live_item(
        end=None,
        description="",
        link=None,
        persons=(),
        alternate_enclosures=(),
        image_srcset=(),
        values=(),
        chat=None,
        content_links=(),
        enclosure=Enclosure("https://stream.example.com/x.aac", 12, "audio/aac"),
    )
    show = samples.show(live_items=(bare,))
    parsed = parse_feed(render(show, [samples.episode(1)], now=NOW))
    assert parsed.problems == ()
    assert parsed.show.live_items == (bare,)


LIVE_FOREIGN = b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel><title>T</title>
<podcast:liveItem status="live"><title>No start</title><guid>a</guid></podcast:liveItem>
<podcast:liveItem status="live" start="soon"><title>Bad</title><guid>b</guid></podcast:liveItem>
<podcast:liveItem status="live" start="2021-09-26T07:30:00.000-06:00"><guid>c</guid>
</podcast:liveItem>
<podcast:liveItem status="LIVE" start="2021-09-26T07:30:00.000-06:00" end="later">
  <title>Kept</title><guid>d</guid>
  <enclosure url="https://example.com/live.mp3" type="audio/mpeg" length="lots"/>
  <podcast:contentLink>nowhere</podcast:contentLink>
</podcast:liveItem>
<item><title>E</title><guid>e1</guid></item></channel></rss>"""


def test_foreign_live_items_that_cannot_be_read_are_reported() -> None:
    parsed = parse_feed(LIVE_FOREIGN)
    (kept,) = parsed.show.live_items
    # Kept as written (lint judges the status), with what could not be read left unset.
    assert (kept.guid, kept.status, kept.start, kept.end) == ("d", "LIVE", 1632663000, None)
    assert kept.enclosure == Enclosure("https://example.com/live.mp3", 0, "audio/mpeg")
    assert kept.content_links == ()
    messages = [p.message for p in parsed.problems if p.code is ProblemCode.BAD_VALUE]
    for expected in (
        "the channel: a podcast:liveItem has no status, start, guid or title; it was left out",
        "the channel: a podcast:liveItem has a start that",
        "the channel: podcast:liveItem's end ",
        "the channel: podcast:liveItem enclosure's length 'lots' is not",
        "the channel: a podcast:contentLink has no href; it was left out",
    ):
        assert any(expected in m for m in messages), (expected, messages)
    assert sum("has no status, start, guid or title" in m for m in messages) == 2


def test_lint_names_each_live_item_problem() -> None:
    broken = samples.live_item(
        "live-1",
        status="over",
        title=" ",
        end=NOW,  # before its start
        enclosure=Enclosure("rtmp://stream.example.com/live", -1, ""),
        link="not a url",
        persons=(Person("Ed", role="Editor", group="Nowhere"),),
        alternate_enclosures=(AlternateEnclosure("", ()),),
        image_srcset=(ImageSource("https://example.com/a.jpg", 0),),
        values=(Value("lightning", "keysend", ()),),
        chat=Chat("irc.example.com", "telegraph"),
        content_links=(ContentLink("not a uri", ""),),
    )
    ended = samples.live_item("live-2", status="ended", end=None, enclosure=None, content_links=())
    pending = samples.live_item("live-1", end=None)
    show = samples.show(live_items=(broken, ended, pending))
    found = findings(show, [samples.episode(1)])
    assert {path: kind for path, kind in found.items() if "live_items" in path} == {
        "show.live_items[0].status": ("error", Code.UNKNOWN_VALUE),
        "show.live_items[0].title": ("error", Code.MISSING),
        "show.live_items[0].end": ("error", Code.INVALID_VALUE),
        "show.live_items[0].enclosure.url": ("error", Code.INVALID_URL),
        "show.live_items[0].enclosure.type": ("error", Code.MISSING),
        "show.live_items[0].enclosure.length": ("error", Code.ENCLOSURE_LENGTH),
        "show.live_items[0].link": ("error", Code.INVALID_URL),
        "show.live_items[0].persons[0].group": ("warning", Code.UNKNOWN_PERSON_ROLE),
        "show.live_items[0].alternate_enclosures[0].type": ("error", Code.MISSING),
        "show.live_items[0].alternate_enclosures[0].sources": ("error", Code.MISSING),
        "show.live_items[0].image_srcset[0].width": ("error", Code.INVALID_NUMBER),
        "show.live_items[0].values[0].recipients": ("error", Code.MISSING),
        "show.live_items[0].chat.protocol": ("warning", Code.UNKNOWN_VALUE),
        "show.live_items[0].content_links[0].href": ("error", Code.INVALID_URL),
        "show.live_items[0].content_links[0].text": ("warning", Code.MISSING),
        "show.live_items[1].end": ("error", Code.MISSING),
        "show.live_items[1].enclosure": ("error", Code.MISSING),
        "show.live_items[1].content_links": ("warning", Code.MISSING),
        "show.live_items[2].end": ("warning", Code.MISSING),
        "show.live_items[2].guid": ("error", Code.DUPLICATE_GUID),
    }
    messages = {f.path: f.message for f in lint(show, [samples.episode(1)], now=NOW).errors}
    assert messages["show.live_items[0].status"] == (
        "Show: live item 0's status 'over' is not pending, live or ended."
    )
    assert messages["show.live_items[1].end"] == "Show: live item 1 has ended but has no end time."
