"""`render`: every tag podcatchers rely on, asserted with XPath on the parsed feed."""

from __future__ import annotations

import email.utils
import io
from dataclasses import replace

import pytest
from lxml import etree, html

from feeds import (
    Category,
    Chapters,
    EpisodeType,
    Funding,
    Image,
    ItemCache,
    Owner,
    Person,
    RenderError,
    ShowType,
    Transcript,
    markdown_to_html,
    podcast_guid,
    render,
    render_to,
)
from tests.feeds import samples
from tests.feeds.samples import DAY, NOW, NS, attributes, elements, one, parse, texts


def rendered(**show_changes: object) -> etree._Element:
    return parse(render(samples.show(**show_changes), samples.episodes(), now=NOW))


def item_of(root: etree._Element, guid: str) -> etree._Element:
    return one(root, f"/rss/channel/item[guid='{guid}']")


def is_cdata(element: etree._Element) -> bool:
    # Whether text was written as CDATA is lexical: only the serialisation shows it.
    return etree.tostring(element).count(b"<![CDATA[") == 1


# --- the document -------------------------------------------------------------------------


def test_is_rss_2_in_utf8_with_the_four_namespaces_declared_on_the_root() -> None:
    feed = render(samples.show(), samples.episodes(), now=NOW)
    tree = etree.ElementTree(parse(feed))
    assert (tree.docinfo.encoding or "").upper() == "UTF-8"
    assert tree.docinfo.xml_version == "1.0"
    root = tree.getroot()
    assert root.tag == "rss"
    assert root.get("version") == "2.0"
    for prefix, uri in NS.items():
        assert root.nsmap[prefix] == uri
    # Items are built apart from the document; none may carry its own declarations.
    for element in root.iter():
        if element is not root and isinstance(element.tag, str):
            assert element.nsmap == root.nsmap


def test_non_ascii_text_survives_as_utf8() -> None:
    root = rendered(title="Café Façade — 日本語")
    assert one(root, "/rss/channel/title").text == "Café Façade — 日本語"


# --- channel ------------------------------------------------------------------------------


def test_channel_basics() -> None:
    show = samples.show()
    root = rendered()
    assert one(root, "/rss/channel/title").text == show.title
    assert one(root, "/rss/channel/link").text == show.link
    assert one(root, "/rss/channel/language").text == "en-us"
    assert one(root, "/rss/channel/copyright").text == show.copyright
    assert one(root, "/rss/channel/generator").text == "podops"


def test_channel_link_falls_back_to_the_feed_url() -> None:
    root = rendered(link=None)
    assert one(root, "/rss/channel/link").text == samples.show().feed_url


def test_channel_description_is_the_summary_as_sanitised_html_in_cdata() -> None:
    root = rendered(
        summary_markdown="A *fine* show. <script>alert(1)</script>\n\n- one\n- two",
    )
    description = one(root, "/rss/channel/description")
    assert is_cdata(description)
    fragment = html.fragment_fromstring(description.text or "", create_parent="div")
    assert [e.tag for e in fragment.iter()] == ["div", "p", "em", "ul", "li", "li"]
    assert "alert" not in (description.text or "")


def test_atom_self_link() -> None:
    link = one(rendered(), "/rss/channel/atom:link[@rel='self']")
    assert link.get("href") == samples.show().feed_url
    assert link.get("type") == "application/rss+xml"


def test_itunes_owner_author_and_image() -> None:
    root = rendered()
    assert one(root, "/rss/channel/itunes:author").text == "Sam Author"
    assert one(root, "/rss/channel/itunes:owner/itunes:name").text == "Sam Owner"
    assert one(root, "/rss/channel/itunes:owner/itunes:email").text == "owner@example.com"
    # .jpeg is fine (feedgen's own podcast extension refuses it).
    href = samples.show().image.url  # type: ignore[union-attr]
    assert one(root, "/rss/channel/itunes:image").get("href") == href
    assert one(root, "/rss/channel/image/url").text == href
    assert one(root, "/rss/channel/image/title").text == samples.show().title
    assert one(root, "/rss/channel/image/link").text == samples.show().link


def test_no_owner_no_author_no_image_leave_their_tags_out() -> None:
    root = rendered(owner=None, author=None, image=None, copyright=None)
    for path in ("itunes:owner", "itunes:author", "itunes:image", "image", "copyright"):
        assert elements(root, f"/rss/channel/{path}") == []


def test_categories_nest_subcategories_and_keep_their_order() -> None:
    root = rendered(
        categories=(
            Category("Society & Culture", "Documentary"),
            Category("Technology"),
            Category("Arts", "Books"),
        )
    )
    outer = elements(root, "/rss/channel/itunes:category")
    assert [c.get("text") for c in outer] == ["Society & Culture", "Technology", "Arts"]
    assert [[s.get("text") for s in c] for c in outer] == [["Documentary"], [], ["Books"]]


@pytest.mark.parametrize(("explicit", "text"), [(True, "true"), (False, "false")])
def test_itunes_explicit_is_true_or_false(explicit: bool, text: str) -> None:
    assert one(rendered(explicit=explicit), "/rss/channel/itunes:explicit").text == text


@pytest.mark.parametrize("show_type", list(ShowType))
def test_itunes_type_is_lower_case(show_type: ShowType) -> None:
    root = rendered(type=show_type)
    assert one(root, "/rss/channel/itunes:type").text == show_type.value
    assert show_type.value.islower()


@pytest.mark.parametrize("tag", ["block", "complete"])
def test_block_and_complete_are_yes_or_absent(tag: str) -> None:
    assert one(rendered(**{tag: True}), f"/rss/channel/itunes:{tag}").text == "Yes"
    assert elements(rendered(**{tag: False}), f"/rss/channel/itunes:{tag}") == []


def test_new_feed_url() -> None:
    assert elements(rendered(), "/rss/channel/itunes:new-feed-url") == []
    root = rendered(new_feed_url="https://new.example.com/feed.xml")
    assert one(root, "/rss/channel/itunes:new-feed-url").text == "https://new.example.com/feed.xml"


def test_podcast_guid_is_derived_from_the_feed_url() -> None:
    root = rendered()
    expected = podcast_guid(samples.show().feed_url)
    assert one(root, "/rss/channel/podcast:guid").text == expected


def test_podcast_guid_given_by_the_show_wins() -> None:
    kept = "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert one(rendered(podcast_guid=kept), "/rss/channel/podcast:guid").text == kept


def test_podcast_locked_names_the_owner() -> None:
    locked = one(rendered(locked=True), "/rss/channel/podcast:locked")
    assert (locked.text, locked.get("owner")) == ("yes", "owner@example.com")
    unlocked = one(rendered(), "/rss/channel/podcast:locked")
    assert (unlocked.text, unlocked.get("owner")) == ("no", "owner@example.com")
    chosen = one(rendered(locked=True, locked_owner="lock@example.com"), "//podcast:locked")
    assert chosen.get("owner") == "lock@example.com"
    ownerless = one(rendered(owner=None), "/rss/channel/podcast:locked")
    assert ownerless.get("owner") is None


def test_podcast_funding_and_persons_on_the_channel() -> None:
    root = rendered(
        funding=(
            Funding("https://example.com/give", "Give"),
            Funding("https://example.com/join", "Join"),
        ),
        persons=(
            Person("Ann Host"),
            Person("Bo Art", role="Cover Art Designer", group="visuals", img="https://x.io/b.png"),
        ),
    )
    assert texts(root, "/rss/channel/podcast:funding") == ["Give", "Join"]
    assert texts(root, "/rss/channel/podcast:funding/@url") == [
        "https://example.com/give",
        "https://example.com/join",
    ]
    first, second = elements(root, "/rss/channel/podcast:person")
    # Unset attributes stay out, so apps apply the defaults (role host, group cast).
    assert (first.text, attributes(first)) == ("Ann Host", {})
    assert second.text == "Bo Art"
    assert attributes(second) == {
        "role": "Cover Art Designer",
        "group": "visuals",
        "img": "https://x.io/b.png",
    }


# --- items --------------------------------------------------------------------------------


def test_item_guid_is_the_episodes_guid_not_a_permalink_and_never_the_media_url() -> None:
    root = rendered()
    for episode in samples.episodes():
        guid = one(item_of(root, episode.guid), "guid")
        assert guid.text == episode.guid
        assert guid.get("isPermaLink") == "false"
        assert episode.enclosure is not None
        assert guid.text != episode.enclosure.url


def test_enclosure_url_length_and_type() -> None:
    root = rendered()
    for episode in samples.episodes():
        enclosure = one(item_of(root, episode.guid), "enclosure")
        assert episode.enclosure is not None
        assert enclosure.get("url") == episode.enclosure.url
        assert enclosure.get("length") == str(episode.enclosure.length)
        assert enclosure.get("type") == "audio/mpeg"


def test_pub_date_is_rfc_2822() -> None:
    root = rendered()
    for episode in samples.episodes():
        text = one(item_of(root, episode.guid), "pubDate").text or ""
        parsed = email.utils.parsedate_to_datetime(text)
        assert parsed.utcoffset() is not None
        assert int(parsed.timestamp()) == episode.published
        assert text == email.utils.formatdate(episode.published, usegmt=False)[:-5] + "+0000"


@pytest.mark.parametrize(
    ("duration", "text"), [(1801.0, "1801"), (61.4, "61"), (61.5, "62"), (0.2, "0")]
)
def test_itunes_duration_is_whole_seconds(duration: float, text: str) -> None:
    feed = render(samples.show(), [samples.episode(1, duration=duration)], now=NOW)
    assert one(parse(feed), "//item/itunes:duration").text == text


def test_unknown_duration_leaves_the_tag_out() -> None:
    feed = render(samples.show(), [samples.episode(1, duration=None)], now=NOW)
    assert elements(parse(feed), "//item/itunes:duration") == []


def test_item_title_link_and_notes_in_cdata() -> None:
    episode = samples.episode(1, notes_markdown="See [here](https://example.com/x) <b>now</b>")
    item = one(parse(render(samples.show(), [episode], now=NOW)), "//item")
    assert one(item, "title").text == "Episode 1"
    assert one(item, "link").text == "https://example.com/show/1"
    expected = '<p>See <a href="https://example.com/x">here</a> <b>now</b></p>'
    element = one(item, "description")
    assert element.text == expected
    assert is_cdata(element)


def test_the_summary_is_the_description_and_the_notes_are_content_encoded() -> None:
    episode = samples.episode(1, summary_markdown="A *short* one.", notes_markdown="- a\n- b")
    item = one(parse(render(samples.show(), [episode], now=NOW)), "//item")
    assert one(item, "description").text == "<p>A <em>short</em> one.</p>"
    assert one(item, "content:encoded").text == "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"
    assert is_cdata(one(item, "description"))
    assert is_cdata(one(item, "content:encoded"))


def test_a_summary_without_notes_has_no_content_encoded() -> None:
    episode = samples.episode(1, summary_markdown="Short.", notes_markdown="")
    item = one(parse(render(samples.show(), [episode], now=NOW)), "//item")
    assert one(item, "description").text == "<p>Short.</p>"
    assert elements(item, "content:encoded") == []


def test_notes_without_a_summary_are_the_description_and_only_that() -> None:
    episode = samples.episode(1, notes_markdown="Notes.")
    item = one(parse(render(samples.show(), [episode], now=NOW)), "//item")
    assert one(item, "description").text == "<p>Notes.</p>"
    assert elements(item, "content:encoded") == []


def test_notes_the_same_as_the_summary_are_published_once() -> None:
    episode = samples.episode(1, summary_markdown="Same.", notes_markdown="Same.")
    item = one(parse(render(samples.show(), [episode], now=NOW)), "//item")
    assert one(item, "description").text == "<p>Same.</p>"
    assert elements(item, "content:encoded") == []


def test_stored_summary_html_is_used_for_the_description() -> None:
    episode = samples.episode(
        1, summary_markdown="*Markdown*", summary_html="<p>Stored</p>", notes_html="<p>N</p>"
    )
    item = one(parse(render(samples.show(), [episode], now=NOW)), "//item")
    assert one(item, "description").text == "<p>Stored</p>"
    assert one(item, "content:encoded").text == "<p>N</p>"


def test_itunes_title_is_apples_title_without_numbers() -> None:
    episode = samples.episode(3, title="S1E3: Tomatoes & more", itunes_title="Tomatoes & more")
    item = one(parse(render(samples.show(), [episode], now=NOW)), "//item")
    assert one(item, "title").text == "S1E3: Tomatoes & more"
    assert one(item, "itunes:title").text == "Tomatoes & more"


@pytest.mark.parametrize("itunes_title", [None, "", "\x00"])
def test_no_itunes_title_leaves_the_tag_out(itunes_title: str | None) -> None:
    episode = samples.episode(1, itunes_title=itunes_title)
    root = parse(render(samples.show(), [episode], now=NOW))
    assert elements(root, "//item/itunes:title") == []


@pytest.mark.parametrize("episode_type", list(EpisodeType))
def test_episode_type_is_lower_case(episode_type: EpisodeType) -> None:
    feed = render(samples.show(), [samples.episode(1, type=episode_type)], now=NOW)
    assert one(parse(feed), "//item/itunes:episodeType").text == episode_type.value


def test_season_and_episode_numbers_in_both_namespaces() -> None:
    feed = render(samples.show(), [samples.episode(7, season=2)], now=NOW)
    item = one(parse(feed), "//item")
    assert one(item, "itunes:season").text == "2"
    assert one(item, "itunes:episode").text == "7"
    assert one(item, "podcast:season").text == "2"
    assert one(item, "podcast:episode").text == "7"


def test_unnumbered_episode_has_no_number_tags() -> None:
    feed = render(samples.show(), [samples.episode(1, season=None, number=None)], now=NOW)
    item = one(parse(feed), "//item")
    for path in ("itunes:season", "itunes:episode", "podcast:season", "podcast:episode"):
        assert elements(item, path) == []


def test_item_explicit_block_and_image() -> None:
    episode = samples.episode(
        1, explicit=True, block=True, image=Image("https://cdn.example.com/ep1.png")
    )
    item = one(parse(render(samples.show(), [episode], now=NOW)), "//item")
    assert one(item, "itunes:explicit").text == "true"
    assert one(item, "itunes:block").text == "Yes"
    assert one(item, "itunes:image").get("href") == "https://cdn.example.com/ep1.png"
    plain = one(parse(render(samples.show(), [samples.episode(1)], now=NOW)), "//item")
    for path in ("itunes:explicit", "itunes:block", "itunes:image"):
        assert elements(plain, path) == []


def test_transcripts_chapters_and_persons_on_an_item() -> None:
    episode = samples.episode(
        1,
        transcripts=(
            Transcript("https://cdn.example.com/1.vtt", "text/vtt", "en", "captions"),
            Transcript("https://cdn.example.com/1.html", "text/html"),
        ),
        chapters=Chapters("https://cdn.example.com/1.json"),
        persons=(Person("Gia Guest", role="guest", href="https://gia.example.com"),),
    )
    item = one(parse(render(samples.show(), [episode], now=NOW)), "//item")
    first, second = elements(item, "podcast:transcript")
    assert attributes(first) == {
        "url": "https://cdn.example.com/1.vtt",
        "type": "text/vtt",
        "language": "en",
        "rel": "captions",
    }
    assert attributes(second) == {"url": "https://cdn.example.com/1.html", "type": "text/html"}
    chapters = one(item, "podcast:chapters")
    assert attributes(chapters) == {
        "url": "https://cdn.example.com/1.json",
        "type": "application/json+chapters",
    }
    person = one(item, "podcast:person")
    assert person.text == "Gia Guest"
    assert attributes(person) == {"role": "guest", "href": "https://gia.example.com"}


def test_episode_without_enclosure_still_renders() -> None:
    feed = render(samples.show(), [samples.episode(1, enclosure=None)], now=NOW)
    assert elements(parse(feed), "//item/enclosure") == []


# --- order, schedule and dates ------------------------------------------------------------


def test_items_are_newest_first() -> None:
    root = rendered()
    assert texts(root, "//item/guid") == [e.guid for e in reversed(samples.episodes())]


def test_same_second_ties_are_ordered_by_guid() -> None:
    same = [samples.episode(n, published=NOW - DAY) for n in (3, 1, 2)]
    root = parse(render(samples.show(), same, now=NOW))
    assert texts(root, "//item/guid") == sorted((e.guid for e in same), reverse=True)


def test_future_episodes_stay_out_until_their_time() -> None:
    scheduled = samples.episode(9, published=NOW + 3600)
    due = samples.episode(8, published=NOW)
    before = parse(render(samples.show(), [due, scheduled], now=NOW))
    assert texts(before, "//item/guid") == [due.guid]
    after = parse(render(samples.show(), [due, scheduled], now=NOW + 3600))
    assert texts(after, "//item/guid") == [scheduled.guid, due.guid]


def test_last_build_date_is_the_newest_episode_or_show_change() -> None:
    newest = max(e.published for e in samples.episodes())
    root = parse(render(samples.show(updated=newest - DAY), samples.episodes(), now=NOW))
    last_build = email.utils.parsedate_to_datetime(one(root, "//lastBuildDate").text or "")
    assert int(last_build.timestamp()) == newest
    channel_date = email.utils.parsedate_to_datetime(one(root, "/rss/channel/pubDate").text or "")
    assert int(channel_date.timestamp()) == newest

    edited = NOW - 60
    root = parse(render(samples.show(updated=edited), samples.episodes(), now=NOW))
    last_build = email.utils.parsedate_to_datetime(one(root, "//lastBuildDate").text or "")
    assert int(last_build.timestamp()) == edited


def test_a_scheduled_episode_does_not_move_last_build_date() -> None:
    episodes = [*samples.episodes(), samples.episode(9, published=NOW + DAY)]
    root = parse(render(samples.show(updated=None), episodes, now=NOW))
    last_build = email.utils.parsedate_to_datetime(one(root, "//lastBuildDate").text or "")
    assert int(last_build.timestamp()) == samples.episodes()[-1].published


def test_no_dates_at_all_leave_last_build_date_out() -> None:
    root = parse(render(samples.show(updated=None), [], now=NOW))
    assert elements(root, "//lastBuildDate") == []
    assert elements(root, "/rss/channel/pubDate") == []


# --- awkward input ------------------------------------------------------------------------


def test_characters_xml_cannot_carry_are_left_out() -> None:
    episode = samples.episode(1, title="Bad\x00 \x08title\x1b", notes_markdown="a\x0cb")
    show = samples.show(title="Show\x07", author="Au\x01thor")
    root = parse(render(show, [episode], now=NOW))
    assert one(root, "/rss/channel/title").text == "Show"
    assert one(root, "/rss/channel/itunes:author").text == "Author"
    assert one(root, "//item/title").text == "Bad title"
    assert one(root, "//item/description").text == "<p>ab</p>"


def test_cdata_terminator_in_notes_cannot_break_out() -> None:
    episode = samples.episode(1, notes_markdown="a ]]> b <a href='https://x.io/]]>'>x</a>")
    item = one(parse(render(samples.show(), [episode], now=NOW)), "//item")
    fragment = html.fragment_fromstring(one(item, "description").text or "", create_parent="div")
    assert fragment.text_content() == "a ]]> b x"


def test_a_show_without_a_title_cannot_be_rendered() -> None:
    with pytest.raises(RenderError, match=r"show\.title"):
        render(samples.show(title="  "), samples.episodes(), now=NOW)


@pytest.mark.parametrize("guid", ["", "  ", "\x00"])
def test_a_published_episode_without_a_guid_cannot_be_rendered(guid: str) -> None:
    # Apps would key such an item on its media URL: exactly the GUID fallback we refuse.
    episodes = [samples.episode(1), samples.episode(2, guid=guid)]
    with pytest.raises(RenderError, match=r"episodes\[1\]\.guid"):
        render(samples.show(), episodes, now=NOW)
    scheduled = [samples.episode(1), samples.episode(2, guid=guid, published=NOW + 1)]
    root = parse(render(samples.show(), scheduled, now=NOW))
    assert texts(root, "//item/guid") == [samples.episode(1).guid]


def test_empty_summary_and_notes_render_empty_descriptions() -> None:
    show = samples.show(summary_markdown="")
    root = parse(render(show, [samples.episode(1, notes_markdown="")], now=NOW))
    assert one(root, "/rss/channel/description").text in ("", None)
    assert one(root, "//item/description").text in ("", None)


def test_the_owner_email_of_a_replaced_owner_is_used() -> None:
    show = replace(samples.show(), owner=Owner("New Owner", "new@example.com"))
    root = parse(render(show, [], now=NOW))
    assert one(root, "//itunes:owner/itunes:email").text == "new@example.com"
    assert one(root, "//podcast:locked").get("owner") == "new@example.com"


# --- stored HTML and streaming -------------------------------------------------------------


def test_stored_html_is_used_for_the_notes_and_the_summary() -> None:
    show = samples.show(summary_markdown="*Markdown*", summary_html="<p>Stored summary</p>")
    episode = samples.episode(1, notes_markdown="*Markdown*", notes_html="<p>Stored notes</p>")
    root = parse(render(show, [episode], now=NOW))
    assert one(root, "/rss/channel/description").text == "<p>Stored summary</p>"
    assert one(root, "//item/description").text == "<p>Stored notes</p>"


def test_stored_html_equal_to_the_rendered_markdown_changes_no_byte() -> None:
    show, episodes = samples.show(), samples.episodes(5)
    stored = [replace(e, notes_html=markdown_to_html(e.notes_markdown)) for e in episodes]
    with_html = replace(show, summary_html=markdown_to_html(show.summary_markdown))
    assert render(with_html, stored, now=NOW) == render(show, episodes, now=NOW)


def test_stored_html_cannot_break_the_feed() -> None:
    episode = samples.episode(1, notes_html="<p>a ]]> b\x00</p>")
    show = samples.show(summary_html="<p>]]>\x0b</p>")
    root = parse(render(show, [episode], now=NOW))
    assert one(root, "//item/description").text == "<p>a ]]&gt; b</p>"
    assert one(root, "/rss/channel/description").text == "<p>]]&gt;</p>"


def test_render_to_writes_the_bytes_render_returns() -> None:
    show, episodes = samples.show(), samples.episodes(12)
    output = io.BytesIO()
    size = render_to(show, episodes, output, now=NOW)
    assert output.getvalue() == render(show, episodes, now=NOW)
    assert size == len(output.getvalue())
    cached, cache = io.BytesIO(), ItemCache()
    render_to(show, episodes, cached, now=NOW, cache=cache)
    assert cached.getvalue() == output.getvalue()
    assert len(cache) == 12


def test_render_to_writes_nothing_when_the_data_cannot_be_rendered() -> None:
    output = io.BytesIO()
    with pytest.raises(RenderError):
        render_to(samples.show(), [samples.episode(1, guid=" ")], output, now=NOW)
    assert output.getvalue() == b""


def test_websub_hubs_are_linked_beside_the_self_link() -> None:
    import feedparser  # type: ignore[import-untyped]

    hubs = ("https://hub.example/", "https://hub2.example/websub")
    show = replace(samples.show(), hubs=hubs)
    feed = render(show, samples.episodes(1), now=samples.NOW)
    links = feedparser.parse(feed).feed.links
    assert [link.href for link in links if link.rel == "hub"] == list(hubs)
    assert b'rel="hub"' not in render(samples.show(), samples.episodes(1), now=samples.NOW)
