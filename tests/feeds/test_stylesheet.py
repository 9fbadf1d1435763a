"""`render(..., stylesheet=...)`: the `xml-stylesheet` instruction a browser follows (issue 16),
written where browsers look for it, and nothing but a plain URL in it."""

from __future__ import annotations

import io

import pytest
from lxml import etree

from feeds import render, render_to
from tests.feeds import samples


def test_the_instruction_follows_the_xml_declaration() -> None:
    feed = render(samples.show(), samples.episodes(3), now=samples.NOW, stylesheet="/f/feed.xsl")
    lines = feed.split(b"\n")
    assert lines[0] == b"<?xml version='1.0' encoding='UTF-8'?>"
    assert lines[1] == b'<?xml-stylesheet type="text/xsl" href="/f/feed.xsl"?>'
    document = etree.fromstring(feed).getroottree()
    instruction = document.getroot().getprevious()
    assert isinstance(instruction, etree._XSLTProcessingInstruction)
    assert instruction.get("href") == "/f/feed.xsl"
    # Nothing else changes: without the instruction the rest is the same bytes.
    plain = render(samples.show(), samples.episodes(3), now=samples.NOW)
    assert feed.replace(lines[1] + b"\n", b"", 1) == plain


def test_render_to_writes_the_same_bytes() -> None:
    output = io.BytesIO()
    size = render_to(
        samples.show(), samples.episodes(3), output, now=samples.NOW, stylesheet="/x/feed.xsl"
    )
    expected = render(
        samples.show(), samples.episodes(3), now=samples.NOW, stylesheet="/x/feed.xsl"
    )
    assert output.getvalue() == expected
    assert size == len(expected)


@pytest.mark.parametrize(
    "href", ['/f/feed.xsl"?><x', "/f/feed.xsl?>", "", "/f/a b.xsl", "/f/<x>.xsl", "a&b"]
)
def test_a_stylesheet_url_that_could_end_the_instruction_is_refused(href: str) -> None:
    output = io.BytesIO()
    with pytest.raises(ValueError, match="not a plain stylesheet URL"):
        render_to(samples.show(), samples.episodes(1), output, now=samples.NOW, stylesheet=href)
    assert output.getvalue() == b""
