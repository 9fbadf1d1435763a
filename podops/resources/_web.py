"""Field types for the web: absolute http(s) URLs, email addresses and MIME types.

Strict on purpose: whatever passes goes into a public feed read by every podcatcher.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field

from podops.resources._types import fail

MAX_URL_CHARS = 2048


# RFC 3986's characters: unreserved, reserved, and '%' for escapes. Everything else (spaces,
# quotes, '<', '\\', non-ASCII) must be percent-encoded before it goes into a feed.
_URL_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_HOST = re.compile(r"[a-z0-9_.-]+|[0-9a-f:.]+")


def _check_url(value: str) -> str:
    if not _URL_CHARS.fullmatch(value):
        char = next(c for c in value if not _URL_CHARS.fullmatch(c))
        what = "whitespace" if char.isspace() else f"U+{ord(char):04X} ({char!r})"
        if not char.isprintable():
            what = f"the control character U+{ord(char):04X}"
        fail("url_invalid", f"contains {what}; percent-encode it")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as error:
        fail("url_invalid", f"is not a valid URL: {error}")
    scheme = parts.scheme.lower()
    if scheme and scheme not in ("http", "https"):
        fail("url_scheme", f"{scheme}: URLs are not allowed; use https:// or http://")
    if not scheme or not value[len(scheme) + 1 :].startswith("//"):
        fail("url_not_absolute", "must be an absolute URL starting with https:// or http://")
    if not parts.hostname or not _HOST.fullmatch(parts.hostname):
        fail("url_no_host", "must name a host, as in https://example.com/…")
    if parts.username is not None or parts.password is not None:
        # Credentials in a feed would be published to every podcatcher.
        fail("url_credentials", "must not carry a user name or password")
    if port == 0:
        fail("url_invalid", "has port 0")
    if _BAD_PERCENT.search(value):
        fail("url_invalid", "has a '%' that does not start a percent-escape such as %20")
    return value


WebUrl = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_URL_CHARS,
        json_schema_extra={"format": "uri", "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://[^/?#]"},
    ),
    AfterValidator(_check_url),
]
"""An absolute http(s) URL with a host: ASCII, no whitespace, at most 2,048 characters."""


_EMAIL = re.compile(
    # dot-atom local part (RFC 5322, no quoted strings) @ a domain of LDH labels with a TLD
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})"
)
MAX_EMAIL_CHARS = 254  # RFC 5321's limit on a forward path


def _check_email(value: str) -> str:
    local, _, _ = value.rpartition("@")
    if not _EMAIL.fullmatch(value) or len(local) > 64:
        fail(
            "email_invalid",
            f"{value[:60]!r} is not an email address; use the form name@example.com",
        )
    return value


Email = Annotated[
    str,
    Field(
        min_length=3,
        max_length=MAX_EMAIL_CHARS,
        json_schema_extra={"format": "email", "pattern": r"^[^@\s]+@[^@\s]+\.[^@\s]+$"},
    ),
    AfterValidator(_check_email),
]
"""An email address in the common `name@example.com` form (no quoted local parts, ASCII)."""


# RFC 6838 type and subtype names, no parameters.
_MIME = re.compile(r"([a-z0-9][a-z0-9!#$&^_.+-]{0,126})/([a-z0-9][a-z0-9!#$&^_.+-]{0,126})")
_MIME_SCHEMA_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$"


def _mime_type(value: str, *, allowed_types: tuple[str, ...] = ()) -> str:
    lowered = value.lower()
    match = _MIME.fullmatch(lowered)
    if match is None:
        fail("mime_type_invalid", f"{value[:60]!r} is not a MIME type such as audio/mpeg")
    if allowed_types and match.group(1) not in allowed_types:
        wanted = " or ".join(f"{kind}/…" for kind in allowed_types)
        fail("mime_type_unexpected", f"{value!r} is not {wanted}")
    # MIME types are case-insensitive; feeds conventionally carry them in lower case.
    return lowered


def _any_mime_type(value: str) -> str:
    return _mime_type(value)


def _media_mime_type(value: str) -> str:
    return _mime_type(value, allowed_types=("audio", "video"))


def _image_mime_type(value: str) -> str:
    return _mime_type(value, allowed_types=("image",))


def _mime_field(pattern: str = _MIME_SCHEMA_PATTERN) -> Any:
    return Field(min_length=3, max_length=255, json_schema_extra={"pattern": pattern})


MimeType = Annotated[str, _mime_field(), AfterValidator(_any_mime_type)]
"""A MIME type without parameters, normalised to lower case."""

MediaMimeType = Annotated[
    str,
    _mime_field(r"^([Aa][Uu][Dd][Ii][Oo]|[Vv][Ii][Dd][Ee][Oo])/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$"),
    AfterValidator(_media_mime_type),
]
"""An audio/… or video/… MIME type, normalised to lower case: what an enclosure may carry."""

ImageMimeType = Annotated[
    str,
    _mime_field(r"^[Ii][Mm][Aa][Gg][Ee]/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$"),
    AfterValidator(_image_mime_type),
]
"""An image/… MIME type, normalised to lower case."""


# RFC 3986 §3.1: a scheme is a letter, then letters, digits, '+', '-' or '.'.
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
# Schemes a podcast app might run or open as a local resource, if a feed handed them one.
_UNSAFE_SCHEMES = frozenset({"javascript", "vbscript", "data", "file", "blob", "about"})


def _check_uri(value: str) -> str:
    scheme, colon, rest = value.partition(":")
    if scheme.lower() in ("http", "https"):
        return _check_url(value)
    if not colon or not _SCHEME.fullmatch(scheme) or not rest:
        fail(
            "uri_not_absolute", "must be an absolute URI with a scheme, such as https:// or ipfs://"
        )
    if scheme.lower() in _UNSAFE_SCHEMES:
        fail("uri_scheme", f"{scheme}: URIs are not allowed in a feed")
    if not _URL_CHARS.fullmatch(value):
        char = next(c for c in value if not _URL_CHARS.fullmatch(c))
        what = "whitespace" if char.isspace() else f"U+{ord(char):04X} ({char!r})"
        if not char.isprintable():
            what = f"the control character U+{ord(char):04X}"
        fail("uri_invalid", f"contains {what}; percent-encode it")
    if _BAD_PERCENT.search(value):
        fail("uri_invalid", "has a '%' that does not start a percent-escape such as %20")
    return value


Uri = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_URL_CHARS,
        description="an absolute URI: https:// (held to the rules of a URL), or another scheme "
        "such as ipfs:, magnet: or at:",
        json_schema_extra={"format": "uri", "pattern": "^[A-Za-z][A-Za-z0-9+.-]*:[^\\s]"},
    ),
    AfterValidator(_check_uri),
]
"""An absolute URI of any safe scheme (ipfs, magnet, at, …); http(s) ones are `WebUrl`s."""
