"""Text and HTML out of a foreign feed's elements.

Plain values (titles, names, URLs) are an element's text with its descendants' text, and with
any entity reference the parser kept (only possible when the feed names an external DTD, which
is never loaded) read as the HTML character it names.

Descriptions are HTML, however the feed wrote them: escaped text, a CDATA section, or (against
the RSS rules, but it happens) raw XHTML elements. They are made safe with the same policy as
the notes `render` writes (`feeds.markup`): the tags podcast apps show, links only to http,
https and mailto, no scripts, styles, images or event handlers. A description that is plain
text, without a tag or an entity, keeps its paragraphs and line breaks.
"""

from __future__ import annotations

import html
import re

import nh3
from lxml import etree

from feeds.markup import ALLOWED_TAGS

__all__ = [
    "MAX_AMPERSANDS",
    "content",
    "html_source",
    "line_text",
    "safe_html",
    "text",
    "words_of",
]

MAX_AMPERSANDS = 10_000

# The policy of `feeds.markup`, which does not expose its cleaner: keep the two in step.
_SANITISER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    attributes={"a": {"href", "title"}},
    url_schemes={"http", "https", "mailto"},
    url_relative="deny",
    link_rel=None,
)
_LOOKS_LIKE_HTML = re.compile(r"<[A-Za-z!/]|&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")
_TAG = re.compile(r"<[^>]*>")
_NOT_WORD = re.compile(r"[^\w]+")
_BLOCK_TAG = re.compile(r"<(?:p|br|div|ul|ol|li|h[1-6]|blockquote|pre|table|hr)\b", re.IGNORECASE)


def content(element: etree._Element) -> str:
    """The text in `element` and its descendants, exactly as it stands."""
    if len(element) == 0:
        return element.text or ""
    return "".join(_texts(element))


def text(element: etree._Element) -> str:
    """`content(element)` without the whitespace around it."""
    return content(element).strip()


def line_text(element: etree._Element) -> str:
    """`text(element)` with each run of whitespace written as one space."""
    return " ".join(text(element).split())


def _texts(element: etree._Element) -> list[str]:
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            parts.extend(_texts(child))
        else:  # an entity reference kept as such: `&nbsp;` is read as U+00A0
            parts.append(html.unescape(child.text or ""))
        parts.append(child.tail or "")
    return parts


def html_source(element: etree._Element) -> str:
    """The HTML an element carries: its text, or its child elements written out as markup."""
    if len(element) == 0:
        return element.text or ""
    parts = [html.escape(element.text or "", quote=False)]
    for child in element:
        if isinstance(child.tag, str):
            # The element as written, without the namespace declarations lxml would add.
            parts.append(etree.tostring(child, encoding="unicode", with_tail=False))
        else:
            parts.append(child.text or "")  # `&nbsp;` means the same in HTML
        parts.append(html.escape(child.tail or "", quote=False))
    return "".join(parts)


def safe_html(source: str) -> str:
    """`source` (HTML, or plain text) as HTML that is safe to put in a feed."""
    source = source.strip()
    if not source:
        return ""
    if source.count("&") > MAX_AMPERSANDS:
        return _paragraphs(html.escape(_text_of_html(source), quote=False))
    looks_like_html = _LOOKS_LIKE_HTML.search(source) is not None
    if not looks_like_html:
        source = html.escape(source, quote=False)
    if "\n" in source and _BLOCK_TAG.search(source) is None:
        source = _paragraphs(source)
    return _SANITISER.clean(source).strip()


def words_of(source: str) -> str:
    """The words of `source` (safe HTML), without tags, punctuation or case: what a listener
    would read, for telling whether one text says what another already does."""
    return " ".join(_NOT_WORD.sub(" ", html.unescape(_TAG.sub(" ", source))).split()).casefold()


def _text_of_html(source: str) -> str:
    """The text a browser would show for `source`, without scripts and styles."""
    parser = etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
    root = etree.fromstring(source, parser)
    if root is None:
        return ""
    etree.strip_elements(root, "script", "style", with_tail=False)
    return "".join(str(piece) for piece in root.itertext())


def _paragraphs(source: str) -> str:
    """Blank lines as paragraphs and single line breaks as `<br>`: how the text was laid out."""
    paragraphs: list[str] = []
    lines: list[str] = []
    for line in source.split("\n"):
        line = line.strip(" \t\r")
        if line:
            lines.append(line)
        elif lines:
            paragraphs.append("<br>".join(lines))
            lines = []
    if lines:
        paragraphs.append("<br>".join(lines))
    return "\n".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
