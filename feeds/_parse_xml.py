"""Reading a foreign feed's bytes into an lxml tree, safely, and finding its `<channel>`.

The bytes come from someone else's server, or from whoever calls the API, so they are read as
hostile: the parser never resolves an entity, never loads a DTD, never touches the network or
the file system, and keeps libxml2's limits on depth, text size and entity amplification
(`huge_tree=False`). On top of that, a document whose DOCTYPE has an internal subset
(`<!DOCTYPE rss [ … ]>`) is refused before it is parsed: that subset is where every entity
attack lives (XXE file or URL entities, parameter entities, billion laughs, quadratic blowup),
and no podcast feed needs one. A DOCTYPE that only names an external DTD, as old RSS 0.91
feeds do, is accepted; the DTD is never fetched.

Feeds that are not well-formed are read as podcast apps read them, and the caller is told
what was repaired (`Root.repairs`): first the faults `_parse_repair` knows how to mend (HTML
entities, stray ampersands, undeclared namespace prefixes, a wrong encoding declaration),
then, for whatever is still wrong, lxml's recovering parser, with the same safe settings. A
document is refused only when nothing of an RSS channel can be read from it, and a feed past
the parser's limits is refused rather than recovered.
"""

from __future__ import annotations

import codecs
import re
from enum import StrEnum
from typing import overload

from lxml import etree

from feeds._parse_fields import ProblemCode
from feeds._parse_repair import Repair, Repaired, mislabelled_utf8, repair

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
    """The parsed `<rss>` and its `<channel>`, and what was repaired to read them."""

    __slots__ = ("channel", "repairs", "rss")

    def __init__(
        self, rss: etree._Element, channel: etree._Element, repairs: tuple[Repair, ...]
    ) -> None:
        self.rss = rss
        self.channel = channel
        self.repairs = repairs


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
    if mislabelled_utf8(data) is None:
        try:
            return _root(_parse(data), ())
        except etree.XMLSyntaxError as error:
            _refuse_past_limits(error)
    repaired = repair(data, wide)
    # The text may have changed encoding: look at it again as it will be parsed.
    if _SUBSET_BYTES.match(repaired.data) is not None:
        raise _unsafe()
    if _HTML_START.match(repaired.data) is not None:
        raise _html_page()
    try:
        return _root(_parse(repaired.data), repaired.repairs)
    except etree.XMLSyntaxError as error:
        _refuse_past_limits(error)
        unrepaired = error
    return _recovered(repaired, unrepaired)


def _root(rss: etree._Element, repairs: tuple[Repair, ...]) -> Root:
    # Belt and braces, should the scan above ever miss a subset that libxml2 reads: an entity
    # declared anywhere in the DTD is refused, although the parser expanded none.
    dtd = rss.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):  # type: ignore[attr-defined]
        raise _unsafe()
    return Root(rss, _channel_of(rss), repairs)


def _recovered(repaired: Repaired, error: etree.XMLSyntaxError) -> Root:
    """The last resort for what the repairs did not mend: lxml's recovering parser, which
    reads what it can and leaves out what it cannot (as podcast apps do)."""
    rss = _parse(repaired.data, recover=True)
    if rss is None:
        raise _syntax_error(error)
    channel = rss.find("channel") if rss.tag == "rss" else None
    if channel is not None and channel.find("title") is None and channel.find("item") is None:
        # Nothing of a podcast survived: say what was wrong, not "no title".
        raise _syntax_error(error)
    recovery = Repair(
        ProblemCode.REPAIRED_XML,
        f"the feed is not well-formed XML ({_reason(error)}); it was read as far as it could "
        "be, as podcast apps read it, so something near there may be missing or cut short: "
        "compare the imported episodes with the old feed",
    )
    return _root(rss, (*repaired.repairs, recovery))


def _refuse_past_limits(error: etree.XMLSyntaxError) -> None:
    """A document past the parser's safety limits is refused, never recovered."""
    failure = _syntax_error(error)
    if failure.code is not ParseErrorCode.NOT_XML:
        raise failure


@overload
def _parse(data: bytes) -> etree._Element: ...
@overload
def _parse(data: bytes, *, recover: bool) -> etree._Element | None: ...
def _parse(data: bytes, *, recover: bool = False) -> etree._Element | None:
    """The document's root element; when recovering, None if not even one could be read."""
    # A parser for each document: lxml parsers keep an error log and are best not shared.
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=recover,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        if recover:
            return None
        raise
    assert root is None or isinstance(root, etree._Element)
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


def _reason(error: etree.XMLSyntaxError) -> str:
    return " ".join((error.msg or "unreadable").split())


def _syntax_error(error: etree.XMLSyntaxError) -> FeedParseError:
    reason = _reason(error)
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
