"""Repairing a feed that is not well-formed XML, as podcast apps read it anyway.

Feeds in the wild break XML's rules in a few ways over and over: a prefix such as `itunes:`
used without declaring its namespace, HTML entities (`&nbsp;`) that XML does not define, a bare
`&` (`AT&T`, or a media URL's query), bytes in another encoding than the one declared.
feedparser and podcastparser read such feeds, so an import must too. `repair` rewrites the
document's text so that it parses, and says what it changed; each change is one that a strict
parser would have refused the document for (the only exception: a declared legacy encoding
whose bytes are UTF-8 is read as UTF-8, since read as declared the text would be mojibake).

What is not changed: nothing is expanded (a named entity becomes the character it stands for
in HTML, or plain text), no DTD is read, and the DOCTYPE check runs again on the repaired text.
What a repair cannot mend is left to lxml's recovering parser (`_parse_xml`), as a last resort.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.entities import html5

from feeds._namespaces import ATOM, CONTENT, ITUNES, PODCAST
from feeds._parse_fields import ProblemCode

__all__ = ["KNOWN_NAMESPACES", "Repair", "Repaired", "mislabelled_utf8", "repair"]

# The namespaces podcast feeds use, by the prefix they are always written with.
KNOWN_NAMESPACES = {
    "itunes": ITUNES,
    "podcast": PODCAST,
    "content": CONTENT,
    "atom": ATOM,
    "googleplay": "http://www.google.com/schemas/play-podcasts/1.0",
    "media": "http://search.yahoo.com/mrss/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "sy": "http://purl.org/rss/1.0/modules/syndication/",
    "psc": "http://podlove.org/simple-chapters",
    "spotify": "http://www.spotify.com/ns/rss",
    "fyyd": "https://fyyd.de/fyyd-ns/",
    "rawvoice": "http://www.rawvoice.com/rawvoiceRssModule/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "slash": "http://purl.org/rss/1.0/modules/slash/",
    "georss": "http://www.georss.org/georss",
}
# A prefix nobody knows still needs a namespace for the document to be read; its tags are
# then ignored, as they would be under any namespace podops does not read.
_UNKNOWN_NAMESPACE = "urn:podops:undeclared:"

_UTF8 = frozenset({"utf-8", "utf-8-sig"})
_WIDE = ("utf-16", "utf-32")
# Python "encodings" that are transformations, not character sets: never taken from a feed.
_NOT_CHARSETS = frozenset(
    {"unicode-escape", "raw-unicode-escape", "idna", "punycode", "utf-7", "undefined"}
)
_DECLARATION = re.compile(r"\A<\?xml\b[^>]*?\?>")
_DECLARED = re.compile(
    rb"\A(?:\xef\xbb\xbf)?[ \t\r\n]*<\?xml\b[^>]*?\bencoding\s*=\s*[\"']([^\"']{1,40})"
)
_ENCODING = re.compile(r"""\bencoding\s*=\s*(["'])[^"']*\1""")
_NAME = r"[A-Za-z_][A-Za-z0-9_.\-]*"
_TAG_PREFIX = re.compile(rf"</?({_NAME}):{_NAME}")
_START_TAG = re.compile(r"<[A-Za-z_][^<>]*>")
_ATTRIBUTE_PREFIX = re.compile(rf"[ \t\r\n]({_NAME}):{_NAME}[ \t\r\n]*=")
_DECLARED_PREFIX = re.compile(rf"\bxmlns:({_NAME})[ \t\r\n]*=")
# The root element's start tag: after the prolog's comments, PIs and DOCTYPE (no subset:
# those are refused before this runs), the first `<` that opens an element.
_PROLOG = r"(?:[ \t\r\n]|<\?(?:[^?]|\?(?!>))*+\?>|<!--(?:[^-]|-(?!->))*+-->|<!DOCTYPE[^>\[]*>)*+"
_ROOT_NAME = re.compile(rf"\A{_PROLOG}<{_NAME}(?::{_NAME})?")
_REFERENCE = re.compile(rf"&(?:(#[0-9]+|#[xX][0-9A-Fa-f]+)|({_NAME}));|&")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_EXAMPLES = 3
_WORD_END = re.compile(r"[ \t\r\n<>\"']")


@dataclass(frozen=True, slots=True)
class Repair:
    """One kind of change made to the document, for the import report."""

    code: ProblemCode
    message: str


@dataclass(frozen=True, slots=True)
class Repaired:
    """The document as UTF-8 bytes that declare UTF-8, and what was changed to get there."""

    data: bytes
    repairs: tuple[Repair, ...]


def mislabelled_utf8(data: bytes) -> str | None:
    """The encoding `data` declares when it is a legacy one but the bytes are UTF-8 text
    (with something beyond ASCII), else None."""
    declared = _declared_encoding(data)
    if declared is None:
        return None
    name = _codec_name(declared)
    if name is None or name in _UTF8 or name.startswith(_WIDE) or data.isascii():
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return declared


def repair(data: bytes, wide: str | None) -> Repaired:
    """`data` rewritten so that a strict XML parser can read it (when the faults are those
    this module knows), and the repairs made. `wide` is the text when the bytes are UTF-16 or
    UTF-32 (see `_parse_xml`)."""
    repairs: list[Repair] = []
    text = _decoded(data, wide, repairs)
    text = text.removeprefix("\ufeff").lstrip(" \t\r\n")
    declaration = _DECLARATION.match(text)
    if declaration is not None:
        # The text is written out as UTF-8 below: the declaration must say so.
        utf8 = _ENCODING.sub('encoding="UTF-8"', declaration[0])
        text = utf8 + text[declaration.end() :]
    text = _references_repaired(text, repairs)
    text = _namespaces_declared(text, repairs)
    return Repaired(text.encode("utf-8", "surrogatepass"), tuple(repairs))


def _declared_encoding(data: bytes) -> str | None:
    match = _DECLARED.match(data)
    return match[1].decode("ascii", "replace").strip() if match else None


def _codec_name(encoding: str) -> str | None:
    """Python's name for a declared encoding, or None when it is not a character set."""
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        return None
    name = info.name.replace("_", "-")
    if name in _NOT_CHARSETS or not getattr(info, "_is_text_encoding", True):
        return None
    return name


def _decoded(data: bytes, wide: str | None, repairs: list[Repair]) -> str:
    """The document's text, read as it declares when its bytes allow, else as they show."""
    if wide is not None:
        return wide
    declared = _declared_encoding(data)
    name = _codec_name(declared) if declared else "utf-8"
    if declared is not None and name is None:
        problem = f"declares its encoding as {declared!r}, which is not a known character set"
    else:
        assert name is not None
        if declared is not None and mislabelled_utf8(data) is not None:
            repairs.append(
                Repair(
                    ProblemCode.REPAIRED_ENCODING,
                    f"the feed declares its encoding as {declared!r}, but its text is UTF-8; "
                    "it was read as UTF-8",
                )
            )
            return data.decode("utf-8")
        try:
            return data.decode(name)
        except UnicodeDecodeError:
            pass
        problem = (
            f"declares its encoding as {declared!r}, but its bytes are not {declared}"
            if declared is not None
            else "declares no encoding, so it must be UTF-8, but its bytes are not UTF-8"
        )
    for fallback, label in (("utf-8", "UTF-8"), ("cp1252", "windows-1252")):
        if fallback == name:
            continue
        try:
            text = data.decode(fallback)
        except UnicodeDecodeError:
            continue
        repairs.append(
            Repair(ProblemCode.REPAIRED_ENCODING, f"the feed {problem}; read as {label}")
        )
        return text
    repairs.append(Repair(ProblemCode.REPAIRED_ENCODING, f"the feed {problem}; read as ISO-8859-1"))
    return data.decode("latin-1")


def _references_repaired(text: str, repairs: list[Repair]) -> str:
    """HTML's named entities as the characters they stand for, and every `&` that begins no
    reference XML knows as `&amp;`, outside CDATA sections."""
    html: dict[str, None] = {}
    stray: dict[str, None] = {}

    def replace(match: re.Match[str]) -> str:
        number, name = match[1], match[2]
        if number is not None or name in _XML_ENTITIES:
            return match[0]
        if name is not None and (characters := html5.get(name + ";")) is not None:
            html[match[0]] = None
            return "".join(f"&#{ord(char)};" for char in characters)
        stray[match[0] if name is not None else _context(match)] = None
        return "&amp;" + match[0][1:]

    text = _outside_cdata(text, lambda part: _REFERENCE.sub(replace, part))
    if html:
        repairs.append(
            Repair(
                ProblemCode.HTML_ENTITIES,
                "the feed uses HTML entities that XML does not define (such as "
                f"{_examples(html)}); they were read as the characters they stand for",
            )
        )
    if stray:
        repairs.append(
            Repair(
                ProblemCode.REPAIRED_AMPERSANDS,
                f"the feed has an & that begins no entity XML knows ({_examples(stray)}); "
                "it was read as a plain &",
            )
        )
    return text


def _context(match: re.Match[str]) -> str:
    """The `&` with the word around it, as an example for the report: `AT&T`."""
    source, start = match.string, match.start()
    before = _WORD_END.split(source[max(0, start - 16) : start])[-1][-12:]
    after = _WORD_END.split(source[start + 1 : start + 16])[0][:12]
    return f"{before}&{after}"


def _examples(found: dict[str, None]) -> str:
    shown = list(found)[:_EXAMPLES]
    more = f" and {len(found) - len(shown)} more" if len(found) > len(shown) else ""
    return ", ".join(shown) + more


def _outside_cdata(text: str, change: Callable[[str], str]) -> str:
    """`text` with `change` applied to every part outside a CDATA section."""
    # CDATA sections are found with `find`, once each: a pattern would scan to the end of the
    # document again for every unterminated `<![CDATA[`.
    parts: list[str] = []
    position = 0
    while (start := text.find("<![CDATA[", position)) != -1:
        end = text.find("]]>", start)
        end = len(text) if end == -1 else end + 3
        parts.append(change(text[position:start]))
        parts.append(text[start:end])
        position = end
    parts.append(change(text[position:]))
    return "".join(parts)


def _namespaces_declared(text: str, repairs: list[Repair]) -> str:
    """Declare, on the root element, each prefix the document uses but declares nowhere."""
    used: dict[str, None] = {}
    for part in _markup_parts(text):
        used.update(dict.fromkeys(_TAG_PREFIX.findall(part)))
        for tag in _START_TAG.findall(part):
            used.update(dict.fromkeys(_ATTRIBUTE_PREFIX.findall(tag)))
    declared = set(_DECLARED_PREFIX.findall(text)) | {"xml", "xmlns"}
    missing = [prefix for prefix in used if prefix not in declared]
    root = _ROOT_NAME.match(text)
    if not missing or root is None:
        return text
    declarations = "".join(
        f' xmlns:{prefix}="{KNOWN_NAMESPACES.get(prefix, _UNKNOWN_NAMESPACE + prefix)}"'
        for prefix in missing
    )
    known = ", ".join(f"{prefix}:" for prefix in missing if prefix in KNOWN_NAMESPACES)
    unknown = ", ".join(f"{prefix}:" for prefix in missing if prefix not in KNOWN_NAMESPACES)
    said = []
    if known:
        said.append(f"{known} (read in the namespace podcast feeds mean by it)")
    if unknown:
        said.append(f"{unknown} (unknown: its tags were ignored)")
    repairs.append(
        Repair(
            ProblemCode.REPAIRED_NAMESPACES,
            f"the feed uses namespace prefixes it does not declare: {', '.join(said)}",
        )
    )
    return text[: root.end()] + declarations + text[root.end() :]


def _markup_parts(text: str) -> list[str]:
    """The parts of `text` outside CDATA sections and comments, where tags are."""
    parts: list[str] = []
    position = 0
    while True:
        cdata, comment = text.find("<![CDATA[", position), text.find("<!--", position)
        starts = [start for start in (cdata, comment) if start != -1]
        if not starts:
            parts.append(text[position:])
            return parts
        start = min(starts)
        parts.append(text[position:start])
        end = text.find("]]>" if start == cdata else "-->", start)
        if end == -1:
            return parts
        position = end + 3
