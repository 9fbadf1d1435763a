"""Markdown → HTML that is safe inside a feed."""

from __future__ import annotations

import pytest
from lxml import html

from feeds import markdown_to_html


def tags(markup: str) -> list[str]:
    fragment = html.fragment_fromstring(markup, create_parent="div")
    return [str(element.tag) for element in fragment.iter()][1:]


def test_markdown_becomes_html() -> None:
    result = markdown_to_html("# Notes\n\nSome *words* and **more**.\n\n1. one\n2. two")
    assert tags(result) == ["h1", "p", "em", "strong", "ol", "li", "li"]


def test_links_keep_their_address_and_title() -> None:
    result = markdown_to_html('[site](https://example.com/a?b=1&c=2 "Title")')
    (link,) = html.fragment_fromstring(result, create_parent="div").iter("a")
    assert link.get("href") == "https://example.com/a?b=1&c=2"
    assert link.get("title") == "Title"


def test_raw_html_from_an_imported_feed_is_kept_when_safe() -> None:
    result = markdown_to_html('<p>Hi <a href="https://x.io">there</a></p><ul><li>a</li></ul>')
    assert tags(result) == ["p", "a", "ul", "li"]


@pytest.mark.parametrize(
    "dangerous",
    [
        "<script>alert(1)</script>",
        "<style>p{}</style>",
        '<img src="https://x.io/pixel.gif">',
        '<iframe src="https://x.io"></iframe>',
        '<b onclick="alert(1)">b</b>',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="/relative">x</a>',
        '<p style="color:red">x</p>',
    ],
)
def test_dangerous_or_meaningless_markup_is_removed(dangerous: str) -> None:
    fragment = html.fragment_fromstring(markdown_to_html(dangerous), create_parent="div")
    for element in fragment.iter():
        assert element.tag not in ("script", "style", "img", "iframe")
        assert set(element.attrib) <= {"title"}, element.attrib  # no href, on…, style
    # What is left is inert text, never the code that was in those elements.
    assert "alert(1)" not in fragment.text_content()


def test_a_markdown_javascript_link_stays_inert_text() -> None:
    fragment = html.fragment_fromstring(
        markdown_to_html("[x](javascript:alert(1))"), create_parent="div"
    )
    assert list(fragment.iter("a")) == []


def test_the_result_can_never_close_a_cdata_section() -> None:
    for text in ("a ]]> b", "<a href='https://x.io/]]>'>x</a>", "`]]>`", "    ]]>"):
        assert "]]>" not in markdown_to_html(text)


def test_empty_text_gives_empty_html() -> None:
    assert markdown_to_html("") == ""
    assert markdown_to_html("   \n") == ""


def test_control_characters_are_dropped() -> None:
    assert markdown_to_html("a\x00b\x1fc") == "<p>abc</p>"
