"""Text that XML 1.0 can carry, and how it is written into a feed.

XML 1.0 has no way to write most C0 control characters, lone surrogates or U+FFFE/U+FFFF,
and lxml refuses them with a ValueError. Producers paste such characters from word
processors, so `render` leaves them out (and `lint` warns) rather than failing the build.

The escaping functions write character data and attribute values exactly as libxml2 (lxml's
serialiser) does for a UTF-8 document, so text written directly and text written through lxml
give the same bytes: `&`, `<`, `>` and carriage returns escaped in text; in attribute values
also `"`, tabs and line feeds. Each first checks, in one scan, whether there is anything to do:
most values (GUIDs, URLs, numbers) are returned as they came.
"""

from __future__ import annotations

import re

__all__ = ["attribute_value", "cdata_content", "character_data", "has_unwritable_chars", "writable"]

_UNWRITABLE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_PLAIN_ASCII = b"\t\n\r" + bytes(range(0x20, 0x80))
# Anything but writable characters that need no escaping: what makes a value worth a second look.
_TEXT_SPECIAL = re.compile(
    "[^\t\n\x20-\x25\x27-\x3b\x3d\x3f-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_ATTRIBUTE_SPECIAL = re.compile(
    "[^\x20\x21\x23-\x25\x27-\x3b\x3d\x3f-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def writable(text: str) -> str:
    """`text` without the characters XML 1.0 cannot represent."""
    return _UNWRITABLE.sub("", text)


def has_unwritable_chars(text: str) -> bool:
    """True when `writable(text)` would drop something."""
    return _UNWRITABLE.search(text) is not None


def character_data(text: str) -> str:
    """`writable(text)`, escaped to stand between a start tag and an end tag."""
    if _TEXT_SPECIAL.search(text) is None:
        return text
    return (
        writable(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\r", "&#13;")
    )


def attribute_value(text: str) -> str:
    """`writable(text)`, escaped to stand between the double quotes of an attribute."""
    if _ATTRIBUTE_SPECIAL.search(text) is None:
        return text
    return (
        writable(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


def cdata_content(html: str) -> str:
    """`writable(html)`, made safe to stand inside a CDATA section.

    `]]>` would end the section early; `&gt;` means the same in HTML text and attributes.
    """
    # Notes are long and mostly ASCII: deleting every plain ASCII byte and finding nothing
    # left is several times quicker than a regular expression over the text.
    if html.isascii():
        if html.encode().translate(None, _PLAIN_ASCII):
            html = writable(html)
    elif _UNWRITABLE.search(html) is not None:
        html = writable(html)
    if "]]>" in html:
        html = html.replace("]]>", "]]&gt;")
    return html
