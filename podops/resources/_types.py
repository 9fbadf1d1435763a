"""Field types shared by the document models: the base model, text, names, GUIDs, times.

Each type checks with PodOps' own message (a `PydanticCustomError`, so the message reads
cleanly and the error keeps its field path in `loc`) and describes itself in JSON Schema, so
the OpenAPI document generated from the models states what the validators enforce. URLs,
emails and MIME types are in `_web`.
"""

from __future__ import annotations

import re
from typing import Annotated, NoReturn

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from podops import names

MAX_TEXT_CHARS = 255  # Apple's limit for most tags: titles, names, author, copyright
MAX_SHORT_TEXT_CHARS = 128  # the podcast namespace's limit for funding and person text
MAX_LONG_TEXT_BYTES = 4000  # Apple's limit for descriptions, counted in UTF-8 bytes
MAX_INT64 = 2**63 - 1
MAX_INT32 = 2**31 - 1
# 9999-12-31T23:59:59Z: the last second Python's datetime (and so RFC 2822 dates) can show.
MAX_UNIX_TIME = 253_402_300_799
# Longest duration a document may state: 1,000,000 s (11.6 days). The prober refuses files
# longer than a week as damaged; the longest real episodes (day-long live archives) are far
# below either, and `itunes:duration` stays a 7-digit number instead of 1e308's 309 digits.
MAX_DURATION_SECONDS = 1_000_000


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


# Control characters (C0, DEL, C1) and the non-characters U+FFFE/U+FFFF: XML cannot carry
# them, so no feed can. (Lone surrogates never get this far: pydantic refuses them itself,
# with the error type `string_unicode`.)
_FORBIDDEN_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ufffe\uffff]")
# Long text may hold line breaks and tabs.
_FORBIDDEN_IN_LONG = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
# The same rules for JSON Schema.
LINE_SCHEMA_PATTERN = r"^[^\x00-\x1F\x7F-\x9F\uFFFE\uFFFF]*$"
_LONG_SCHEMA_PATTERN = r"^[^\x00-\x08\x0B-\x1F\x7F-\x9F\uFFFE\uFFFF]*$"


def _refuse_forbidden(value: str, forbidden: re.Pattern[str]) -> None:
    found = forbidden.search(value)
    if found is None:
        return
    char = found.group()
    what = "the non-character" if char in "\ufffe\uffff" else "the control character"
    fail("text_control_character", f"contains {what} U+{ord(char):04X} at position {found.start()}")


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
        json_schema_extra={"pattern": LINE_SCHEMA_PATTERN},
    ),
    AfterValidator(_check_line),
]
"""One line of text, 1-255 characters (Apple's limit), not blank, no control characters."""

ShortText = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_SHORT_TEXT_CHARS,
        json_schema_extra={"pattern": LINE_SCHEMA_PATTERN},
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
Seconds = Annotated[
    float,
    Field(ge=0, le=MAX_DURATION_SECONDS, allow_inf_nan=False, description="seconds"),
]
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
