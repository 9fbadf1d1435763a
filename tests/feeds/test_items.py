"""The `<item>` writer writes what lxml writes, byte for byte, whatever the text.

Items are written as text (`feeds._items`), not through feedgen and lxml: these tests build
the same item with lxml, serialise it in its place in a feed, and compare the bytes, for
plain and for hostile values (markup characters, quotes, line breaks, control characters,
lone surrogates, non-ASCII).
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from lxml import etree

from feeds import Chapters, Enclosure, Episode, EpisodeType, Image, Person, Transcript
from feeds._items import item_xml, rfc2822
from feeds._itunes import whole_seconds
from feeds._text import attribute_value, cdata_content, character_data, writable
from feeds.markup import markdown_to_html
from tests.feeds import samples
from tests.feeds.samples import NOW, NS

ITUNES, PODCAST, CONTENT = NS["itunes"], NS["podcast"], NS["content"]

NASTY = [
    "",
    " ",
    "plain",
    "a&b<c>d\"e'f",
    "line\nbreak\r\nand\ttab",
    "\x00\x08\x0b\x1f control",
    "\ud800 lone surrogate",
    "\ufffe\uffff",
    "Café — 日本語 😀",
    "]]> and ]]",
    "\x7f delete",
    "&amp; already escaped",
]


def lxml_item(episode: Episode) -> bytes:
    """The item as lxml writes it at its place in `<channel>` (the reference)."""
    rss = etree.Element("rss", nsmap=NS)
    channel = etree.SubElement(rss, "channel")
    etree.SubElement(channel, "title").text = "show"
    item = etree.SubElement(channel, "item")

    def text(tag: str, value: str) -> None:
        etree.SubElement(item, tag).text = writable(value)

    def empty(tag: str, *pairs: tuple[str, str | None]) -> etree._Element:
        attributes = {name: writable(value) for name, value in pairs if value}
        return etree.SubElement(item, tag, attrib=attributes)

    if writable(episode.title):
        text("title", episode.title)
    if episode.link and writable(episode.link):
        text("link", episode.link)
    notes = episode.notes_html
    html = cdata_content(markdown_to_html(episode.notes_markdown) if notes is None else notes)
    summary = episode.summary_html
    if summary is None:
        summary = markdown_to_html(episode.summary_markdown)
    summary = cdata_content(summary)
    etree.SubElement(item, "description").text = etree.CDATA(summary or html)
    if summary and html and html != summary:
        etree.SubElement(item, f"{{{CONTENT}}}encoded").text = etree.CDATA(html)
    etree.SubElement(item, "guid", isPermaLink="false").text = writable(episode.guid)
    if episode.enclosure is not None:
        enclosure = episode.enclosure
        # All three attributes, even empty (as feedgen wrote them).
        attributes = {
            "url": writable(enclosure.url),
            "length": str(enclosure.length),
            "type": writable(enclosure.type),
        }
        etree.SubElement(item, "enclosure", attrib=attributes)
    text("pubDate", rfc2822(episode.published))
    if episode.itunes_title and writable(episode.itunes_title):
        text(f"{{{ITUNES}}}title", episode.itunes_title)
    text(f"{{{ITUNES}}}episodeType", episode.type.value)
    if episode.duration is not None:
        text(f"{{{ITUNES}}}duration", str(whole_seconds(episode.duration)))
    if episode.season is not None:
        text(f"{{{ITUNES}}}season", str(episode.season))
    if episode.number is not None:
        text(f"{{{ITUNES}}}episode", str(episode.number))
    if episode.explicit is not None:
        text(f"{{{ITUNES}}}explicit", "true" if episode.explicit else "false")
    if episode.block:
        text(f"{{{ITUNES}}}block", "Yes")
    if episode.image is not None:
        etree.SubElement(item, f"{{{ITUNES}}}image", href=writable(episode.image.url))
    if episode.season is not None:
        text(f"{{{PODCAST}}}season", str(episode.season))
    if episode.number is not None:
        text(f"{{{PODCAST}}}episode", str(episode.number))
    for transcript in episode.transcripts:
        empty(
            f"{{{PODCAST}}}transcript",
            ("url", transcript.url),
            ("type", transcript.type),
            ("language", transcript.language),
            ("rel", transcript.rel),
        )
    if episode.chapters is not None:
        chapters = episode.chapters
        empty(f"{{{PODCAST}}}chapters", ("url", chapters.url), ("type", chapters.type))
    for person in episode.persons:
        element = empty(
            f"{{{PODCAST}}}person",
            ("role", person.role),
            ("group", person.group),
            ("img", person.img),
            ("href", person.href),
        )
        element.text = writable(person.name)
    document = etree.tostring(rss, encoding="UTF-8", pretty_print=True)
    start = document.index(b"    <item>")
    return document[start : document.rindex(b"  </channel>")]


def random_text(rng: random.Random) -> str:
    return "".join(rng.choice(NASTY) for _ in range(rng.randint(1, 3)))


def optional(rng: random.Random) -> str | None:
    return None if rng.random() < 0.3 else random_text(rng)


def random_episode(rng: random.Random) -> Episode:
    guid = f"{rng.getrandbits(48):012x}" + rng.choice(["", random_text(rng)])
    return Episode(
        guid=guid if guid.strip() else "x",
        title=random_text(rng),
        published=rng.randint(-(10**9), 10**10),
        enclosure=None
        if rng.random() < 0.1
        else Enclosure(random_text(rng), rng.randint(-1, 10**10), random_text(rng)),
        notes_markdown=random_text(rng),
        notes_html=rng.choice([None, random_text(rng), "<p>a</p>\n<ul><li>b</li></ul>"]),
        summary_markdown=rng.choice(["", random_text(rng)]),
        summary_html=rng.choice([None, "", random_text(rng), "<p>s</p>"]),
        itunes_title=rng.choice([None, "", random_text(rng)]),
        duration=rng.choice([None, 0.0, 0.5, 61.49, 3600.5]),
        link=rng.choice([None, "", random_text(rng)]),
        season=rng.choice([None, 0, 1, 12]),
        number=rng.choice([None, -1, 3]),
        type=rng.choice(list(EpisodeType)),
        explicit=rng.choice([None, True, False]),
        block=rng.random() < 0.3,
        image=rng.choice([None, Image(random_text(rng))]),
        transcripts=tuple(
            Transcript(random_text(rng), random_text(rng), optional(rng), optional(rng))
            for _ in range(rng.randint(0, 2))
        ),
        chapters=rng.choice([None, Chapters(random_text(rng), random_text(rng))]),
        persons=tuple(
            Person(random_text(rng), optional(rng), optional(rng), optional(rng), optional(rng))
            for _ in range(rng.randint(0, 2))
        ),
    )


def test_a_complete_episode() -> None:
    episode = samples.episode(
        7,
        itunes_title="The seventh",
        summary_markdown="The *seventh* episode.",
        explicit=True,
        block=True,
        image=Image("https://cdn.example.com/7.png"),
        persons=(Person("Gia Guest", role="guest", href="https://gia.example.com"),),
        notes_html='<p>See <a href="https://x.io/?a=1&amp;b=2">this</a></p>',
    )
    assert item_xml(episode) == lxml_item(episode)


@pytest.mark.parametrize("seed", range(40))
def test_any_text_is_written_as_lxml_writes_it(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(25):
        episode = random_episode(rng)
        assert item_xml(episode) == lxml_item(episode), episode


@pytest.mark.parametrize("text", NASTY)
def test_escaping_matches_lxml(text: str) -> None:
    element = etree.Element("e", a=writable(text))
    element.text = writable(text)
    serialised = etree.tostring(element, encoding="UTF-8").decode()
    assert serialised == f'<e a="{attribute_value(text)}">{character_data(text)}</e>'


def test_cdata_content_is_writable_and_cannot_close_the_section() -> None:
    assert cdata_content("<p>a]]>b\x00c</p>") == "<p>a]]&gt;bc</p>"
    assert cdata_content("<p>é\ud800]]></p>") == "<p>é]]&gt;</p>"
    assert cdata_content("<p>\x7f</p>") == "<p>\x7f</p>"
    html = "<p>plain</p>"
    assert cdata_content(html) is html


def test_dates_are_rfc_2822_in_utc_whatever_the_year() -> None:
    assert rfc2822(NOW) == "Wed, 01 Jan 2025 00:00:00 +0000"
    assert rfc2822(0) == "Thu, 01 Jan 1970 00:00:00 +0000"
    assert rfc2822(-1) == "Wed, 31 Dec 1969 23:59:59 +0000"


def test_stored_html_is_used_as_the_description() -> None:
    episode = samples.episode(1, notes_markdown="*Markdown*", notes_html="<p>Stored</p>")
    assert b"<![CDATA[<p>Stored</p>]]>" in item_xml(episode)
    assert b"Markdown" not in item_xml(episode)
    without = replace(episode, notes_html=None)
    assert b"<![CDATA[<p><em>Markdown</em></p>]]>" in item_xml(without)
