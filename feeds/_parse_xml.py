"""Reading a foreign feed's bytes into an lxml tree, safely, and finding its `<channel>`.

The bytes come from someone else's server, or from whoever calls the API, so they are read as
hostile: the parser never resolves an entity, never loads a DTD, never touches the network or
the file system, and keeps libxml2's limits on depth, text size and entity amplification
(`huge_tree=False`). On top of that, a document whose DOCTYPE has an internal subset
(`<!DOCTYPE rss [ … ]>`) is refused before it is parsed: that subset is where every entity
attack lives (XXE file or URL entities, parameter entities, billion laughs, quadratic blowup),
and no podcast feed needs one. A DOCTYPE that only names an external DTD, as old RSS 0.91
feeds do, is accepted; the DTD is never fetched.

One leniency: feeds written by templates often use HTML entities such as `&nbsp;` that XML
does not define. When that is the only thing wrong, they are read as the characters they
stand for (outside CDATA sections), and the caller is told.
"""

from __future__ import annotations

import codecs
import re
from enum import StrEnum
from html.entities import html5

from lxml import etree

__all__ = [
    "MAX_FEED_BYTES",
    "FeedParseError",
    "ParseErrorCode",
    "Root",
    "load_channel",
]

MAX_FEED_BYTES = 32 * 1024 * 1024

_RSS_1 = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"
_ATOM_FEED = "{http://www.w3.org/2005/Atom}feed"

# Whitespace, comments and processing instructions may come before a DOCTYPE; then its name
# and external identifier. A `[` after them opens an internal subset. Each comment or PI ends
# at its first terminator and the repetition is possessive, so the scan never backtracks: it
# reads the prolog once and stops at the first thing that does not fit.
_MISC = r"(?:[ \t\r\n]|<\?(?:[^?]|\?(?!>))*+\?>|<!--(?:[^-]|-(?!->))*+-->)*+"
_PROLOG_WITH_SUBSET = (
    r"\A" + _MISC + r"<!DOCTYPE[ \t\r\n]++[^ \t\r\n>\[]++"
    r"(?:[ \t\r\n]++(?:SYSTEM|PUBLIC)(?:[ \t\r\n]++(?:\"[^\"]*+\"|'[^']*+'))++)?+"
    r"[ \t\r\n]*+\["
)
_SUBSET_BYTES = re.compile(_PROLOG_WITH_SUBSET.encode())
_SUBSET_TEXT = re.compile(_PROLOG_WITH_SUBSET)
_HTML_START = re.compile((_MISC + r"<(?:!doctype[ \t\r\n]+html|html)\b").encode(), re.IGNORECASE)
_LEADING_SPACE = re.compile(rb"\A[ \t\r\n]+(?=<)")
_NAMED_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})
_UNDECLARED_ENTITY = 26  # libxml2's XML_ERR_UNDECLARED_ENTITY
_RESOURCE_LIMIT = 114  # XML_ERR_RESOURCE_LIMIT: depth, text size, entity amplification


class ParseErrorCode(StrEnum):
    """Why a feed could not be read at all."""

    NOT_XML = "podops.import.not_xml"
    NOT_RSS = "podops.import.not_rss"
    UNSAFE_XML = "podops.import.unsafe_xml"
    TOO_LARGE = "podops.import.too_large"


class FeedParseError(ValueError):
    """The bytes are not a feed that can be imported; `code` says why, `message` for people."""

    def __init__(self, code: ParseErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"FeedParseError({self.code.value!r}, {self.message!r})"


class Root:
    """The parsed `<rss>` and its `<channel>`, and whether HTML entities had to be read."""

    __slots__ = ("channel", "html_entities", "rss")

    def __init__(self, rss: etree._Element, channel: etree._Element, html_entities: bool) -> None:
        self.rss = rss
        self.channel = channel
        self.html_entities = html_entities


def load_channel(data: bytes) -> Root:
    """Parse `data` as an RSS feed and return its root and channel; FeedParseError if not."""
    if len(data) > MAX_FEED_BYTES:
        raise FeedParseError(
            ParseErrorCode.TOO_LARGE,
            f"the feed is {len(data):,} bytes; feeds larger than {MAX_FEED_BYTES:,} bytes "
            "(32 MiB) are not imported",
        )
    wide = _wide_text(data)
    if _has_internal_subset(data, wide):
        raise _unsafe()
    if wide is None:
        # Generated feeds often start with a blank line, which XML does not allow before
        # `<?xml …?>`; a UTF-8 byte order mark is left to lxml.
        bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
        body = data[len(bom) :]
        if not body.strip():
            raise FeedParseError(ParseErrorCode.NOT_XML, "the feed is empty")
        if _HTML_START.match(body) is not None:
            raise _html_page()
        data = bom + _LEADING_SPACE.sub(b"", body)
    html_entities = False
    try:
        rss = _parse(data)
    except etree.XMLSyntaxError as error:
        if getattr(error, "code", None) != _UNDECLARED_ENTITY:
            raise _syntax_error(error) from None
        try:
            rss = _parse(_html_entities_as_references(data))
        except etree.XMLSyntaxError as again:
            raise _syntax_error(again) from None
        html_entities = True
    # Belt and braces, should the scan above ever miss a subset that libxml2 reads: an entity
    # declared anywhere in the DTD is refused, although the parser expanded none.
    dtd = rss.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):  # type: ignore[attr-defined]
        raise _unsafe()
    return Root(rss, _channel_of(rss), html_entities)


def _parse(data: bytes) -> etree._Element:
    # A parser for each document: lxml parsers keep an error log and are best not shared.
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    root = etree.fromstring(data, parser)
    assert isinstance(root, etree._Element)
    return root


def _channel_of(rss: etree._Element) -> etree._Element:
    tag = rss.tag
    if tag == "rss":
        channel = rss.find("channel")
        if channel is None:
            raise FeedParseError(
                ParseErrorCode.NOT_RSS, "the document is <rss> but has no <channel>: no show in it"
            )
        return channel
    if tag == _ATOM_FEED:
        message = "the document is an Atom feed; podcasts are imported from their RSS 2.0 feed"
    elif tag == _RSS_1:
        message = "the document is an RSS 1.0 (RDF) feed; podcasts are imported from RSS 2.0"
    elif etree.QName(rss).localname.lower() == "html":
        raise _html_page()
    else:
        message = f"the document's root element is <{etree.QName(rss).localname}>, not <rss>"
    raise FeedParseError(ParseErrorCode.NOT_RSS, message)


def _has_internal_subset(data: bytes, wide: str | None) -> bool:
    """Whether the document's DOCTYPE has an internal subset, read before parsing.

    `wide` is the document decoded when it is UTF-16 or UTF-32, else None.
    """
    if wide is not None:
        return _SUBSET_TEXT.match(wide.lstrip("\ufeff")) is not None
    return _SUBSET_BYTES.match(data.removeprefix(codecs.BOM_UTF8)) is not None


def _wide_text(data: bytes) -> str | None:
    """`data` decoded, when it is UTF-16 or UTF-32 (with a BOM, or `<` and zero bytes)."""
    head = data[:4]
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encoding = "utf-32"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif head == b"<\x00\x00\x00":
        encoding = "utf-32-le"
    elif head == b"\x00\x00\x00<":
        encoding = "utf-32-be"
    elif head[:2] == b"<\x00":
        encoding = "utf-16-le"
    elif head[:2] == b"\x00<":
        encoding = "utf-16-be"
    else:
        return None
    return data.decode(encoding, errors="replace")


def _html_entities_as_references(data: bytes) -> bytes:
    """`data` with HTML's named entities (outside CDATA) written as character references."""

    def replace(match: re.Match[bytes]) -> bytes:
        name = match[1]
        characters = None if name in _XML_ENTITIES else html5.get(name.decode("ascii") + ";")
        if characters is None:
            return match[0]
        return "".join(f"&#{ord(char)};" for char in characters).encode("ascii")

    # CDATA sections are found with `find`, once each: a pattern would scan to the end of the
    # document again for every unterminated `<![CDATA[`.
    parts: list[bytes] = []
    position = 0
    while (start := data.find(b"<![CDATA[", position)) != -1:
        end = data.find(b"]]>", start)
        end = len(data) if end == -1 else end + 3
        parts.append(_NAMED_ENTITY.sub(replace, data[position:start]))
        parts.append(data[start:end])
        position = end
    parts.append(_NAMED_ENTITY.sub(replace, data[position:]))
    return b"".join(parts)


def _syntax_error(error: etree.XMLSyntaxError) -> FeedParseError:
    reason = " ".join((error.msg or "unreadable").split())
    if "amplification" in reason:
        return _unsafe()
    if getattr(error, "code", None) == _RESOURCE_LIMIT or "too big" in reason:
        return FeedParseError(
            ParseErrorCode.TOO_LARGE, f"the feed exceeds the XML parser's safety limits: {reason}"
        )
    return FeedParseError(ParseErrorCode.NOT_XML, f"the feed is not well-formed XML: {reason}")


def _unsafe() -> FeedParseError:
    return FeedParseError(
        ParseErrorCode.UNSAFE_XML,
        "the feed has a DOCTYPE with an internal subset (<!DOCTYPE … [ … ]>), where entities "
        "are declared; podcast feeds never need one, and it is how XXE and entity-expansion "
        "attacks work, so the feed is refused and nothing in it was expanded or fetched",
    )


def _html_page() -> FeedParseError:
    return FeedParseError(
        ParseErrorCode.NOT_RSS,
        "the document is an HTML page, not a feed: use the address of the podcast's RSS feed, "
        "not of its web page",
    )
