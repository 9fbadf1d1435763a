"""Field types shared by the document models: text, URLs, emails, MIME types, names, GUIDs.

Each type checks with PodOps' own message (a `PydanticCustomError`, so the message reads
cleanly and the error keeps its field path in `loc`) and describes itself in JSON Schema, so
the OpenAPI document generated from the models states what the validators enforce.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, NoReturn
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from podops import names

MAX_TEXT_CHARS = 255  # Apple's limit for most tags: titles, names, author, copyright
MAX_SHORT_TEXT_CHARS = 128  # the podcast namespace's limit for funding and person text
MAX_LONG_TEXT_BYTES = 4000  # Apple's limit for descriptions, counted in UTF-8 bytes
MAX_URL_CHARS = 2048
MAX_INT64 = 2**63 - 1
MAX_INT32 = 2**31 - 1
# 9999-12-31T23:59:59Z: the last second Python's datetime (and so RFC 2822 dates) can show.
MAX_UNIX_TIME = 253_402_300_799


class DocumentModel(BaseModel):
    """Base of every document model.

    Unknown fields are refused, and types are strict: "5" is not a number and 1 is not true,
    so a client's mistake is reported rather than guessed at. NaN and infinity are refused
    (Python's JSON parser accepts them). Fields with an alias accept their Python name too.
    """

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=False,
        strict=True,
        allow_inf_nan=False,
        populate_by_name=True,
    )


def fail(error_type: str, message: str) -> NoReturn:
    """Raise a validation error of `error_type` whose message is exactly `message`."""
    # The message goes in as context, not as the template, so braces in a client's text
    # cannot be taken for placeholders.
    raise PydanticCustomError(error_type, "{message}", {"message": message})


def wrap_value_error(error_type: str, error: ValueError) -> NoReturn:
    """Re-raise a plain `ValueError` from a pure check as a pydantic error of `error_type`."""
    fail(error_type, str(error))


# Control characters (C0, DEL, C1), lone surrogates (they cannot be written as UTF-8) and the
# non-characters U+FFFE/U+FFFF (not allowed in XML): none of them can go into a feed.
_FORBIDDEN_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Long text may hold line breaks and tabs.
_FORBIDDEN_IN_LONG = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# The same rules for JSON Schema (which cannot express surrogates).
_LINE_SCHEMA_PATTERN = r"^[^\x00-\x1F\x7F-\x9F]*$"
_LONG_SCHEMA_PATTERN = r"^[^\x00-\x08\x0B-\x1F\x7F-\x9F]*$"


def _refuse_forbidden(value: str, forbidden: re.Pattern[str]) -> None:
    found = forbidden.search(value)
    if found is None:
        return
    char = found.group()
    if "\ud800" <= char <= "\udfff":
        fail("text_invalid_unicode", "contains a lone surrogate, which is not valid Unicode")
    fail(
        "text_control_character",
        f"contains the control character U+{ord(char):04X} at position {found.start()}",
    )


def check_no_control_characters(value: str) -> str:
    """`value` itself, unless it holds a character no feed can carry (then a pydantic error)."""
    _refuse_forbidden(value, _FORBIDDEN_IN_LINE)
    return value


def _check_line(value: str) -> str:
    _refuse_forbidden(value, _FORBIDDEN_IN_LINE)
    if not value.strip():
        fail("text_blank", "must not be blank")
    return value


def _check_long_text(value: str) -> str:
    _refuse_forbidden(value, _FORBIDDEN_IN_LONG)
    if not value.strip():
        fail("text_blank", "must not be blank")
    size = len(value.encode("utf-8"))
    if size > MAX_LONG_TEXT_BYTES:
        fail(
            "text_too_many_bytes",
            f"is {size} bytes in UTF-8; Apple allows at most {MAX_LONG_TEXT_BYTES} bytes "
            "(accented letters, emoji and non-Latin scripts take 2 to 4 bytes each)",
        )
    return value


Text = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_TEXT_CHARS,
        json_schema_extra={"pattern": _LINE_SCHEMA_PATTERN},
    ),
    AfterValidator(_check_line),
]
"""One line of text, 1-255 characters (Apple's limit), not blank, no control characters."""

ShortText = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_SHORT_TEXT_CHARS,
        json_schema_extra={"pattern": _LINE_SCHEMA_PATTERN},
    ),
    AfterValidator(_check_line),
]
"""One line of text, 1-128 characters, for the podcast namespace's funding and person tags."""

LongText = Annotated[
    str,
    Field(
        min_length=1,
        # Characters never outnumber bytes, so the byte limit is also a character limit.
        max_length=MAX_LONG_TEXT_BYTES,
        description=f"at most {MAX_LONG_TEXT_BYTES} bytes of UTF-8; line breaks and tabs allowed",
        json_schema_extra={"pattern": _LONG_SCHEMA_PATTERN},
    ),
    AfterValidator(_check_long_text),
]
"""Markdown or HTML text of at most 4,000 UTF-8 bytes: summaries, descriptions, notes."""


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


def _check_name(value: str) -> str:
    try:
        return names.check_name(value)
    except names.InvalidNameError as error:
        wrap_value_error("name_invalid", error)


def _check_guid(value: str) -> str:
    try:
        return names.check_guid(value)
    except names.InvalidGuidError as error:
        wrap_value_error("guid_invalid", error)


Name = Annotated[
    str,
    Field(
        json_schema_extra={
            "pattern": f"^{names.NAME_PATTERN}$",
            "minLength": names.NAME_MIN_LENGTH,
            "maxLength": names.NAME_MAX_LENGTH,
        },
        description="lower-case letters a-z, digits, '-' and '_'; 8-44 characters",
    ),
    AfterValidator(_check_name),
]
"""A production or resource name, by PodOps' name rule (see `podops.names`)."""

Guid = Annotated[
    str,
    Field(
        json_schema_extra={
            "pattern": f"^{names.GUID_PATTERN}$",
            "minLength": names.GUID_LENGTH,
            "maxLength": names.GUID_LENGTH,
        },
        description="12 lower-case hexadecimal characters, made by the server",
    ),
    AfterValidator(_check_guid),
]
"""A GUID: 12 lower-case hex characters."""

UnixTime = Annotated[int, Field(ge=0, le=MAX_UNIX_TIME, description="Unix time in seconds")]
"""A point in time as integer Unix seconds, from 1970 to the end of year 9999."""


_SHA256 = re.compile(r"[0-9a-f]{64}")


def _check_sha256(value: str) -> str:
    if not _SHA256.fullmatch(value):
        fail("sha256_invalid", "must be 64 lower-case hexadecimal characters")
    return value


Sha256 = Annotated[
    str,
    Field(json_schema_extra={"pattern": "^[0-9a-f]{64}$", "minLength": 64, "maxLength": 64}),
    AfterValidator(_check_sha256),
]
"""A SHA-256 digest as 64 lower-case hex characters."""
