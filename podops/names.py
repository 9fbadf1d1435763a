"""PodOps names, GUIDs and kinds: the identifiers in every path and document.

    ValueError
    ├── InvalidNameError   a production or resource name breaks the name rule
    ├── InvalidGuidError   not 12 lower-case hexadecimal characters
    └── InvalidKindError   not `show`, `episode` or `asset` (or `all`, where a list allows it)

The name rule is the seed's: only lower-case letters, digits, '-' and '_', 8 to 44 characters,
no spaces or dots. Pure code: no pydantic, no database; the document models wrap these checks.
"""

from __future__ import annotations

import enum
import re
import secrets
import unicodedata

NAME_MIN_LENGTH = 8
NAME_MAX_LENGTH = 44
# An explicit ASCII class, matched with fullmatch against the whole string: `\w` and `\d`
# would admit Unicode letters and digits (Cyrillic U+0430 'a', full-width U+FF11 '1'), and `$`
# would also match before a trailing newline. The same text, anchored, goes into JSON Schema.
NAME_PATTERN = f"[a-z0-9_-]{{{NAME_MIN_LENGTH},{NAME_MAX_LENGTH}}}"
_NAME = re.compile(NAME_PATTERN)

GUID_LENGTH = 12
GUID_PATTERN = f"[0-9a-f]{{{GUID_LENGTH}}}"
_GUID = re.compile(GUID_PATTERN)

# Shown back to the producer in messages; a hostile 1 MB name should not become a 1 MB message.
_SHOWN_CHARS = 60


class Kind(enum.StrEnum):
    """The kinds of resource a production holds."""

    SHOW = "show"
    EPISODE = "episode"
    ASSET = "asset"


# Only a list of resources accepts this in place of a kind: it means "every kind".
ALL_KINDS = "all"


class InvalidNameError(ValueError):
    """A production or resource name that breaks the name rule."""


class InvalidGuidError(ValueError):
    """A GUID that is not 12 lower-case hexadecimal characters."""


class InvalidKindError(ValueError):
    """A kind that is not one of `Kind` (nor `all`, where a list allows it)."""


def is_name(value: object) -> bool:
    """Whether `value` is a valid production or resource name."""
    return isinstance(value, str) and _NAME.fullmatch(value) is not None


def check_name(value: object) -> str:
    """`value` itself if it is a valid name; else `InvalidNameError` saying what is wrong."""
    if isinstance(value, str) and _NAME.fullmatch(value):
        return value
    raise InvalidNameError(_why_not_a_name(value))


def new_guid() -> str:
    """A fresh GUID: a letter from a-f, then 11 lower-case hex characters from the OS's secure
    random source (46.6 bits).

    It starts with a letter because some feed parsers (podcast-partytime among them) read an
    item GUID that looks like a number as one: `000000000042` came back as `42`, and
    `347822672e57` as `3.47822672e+65`. GUIDs made before this rule keep their form.
    """
    return secrets.choice("abcdef") + secrets.token_hex(GUID_LENGTH // 2)[1:]


def is_guid(value: object) -> bool:
    """Whether `value` is a well-formed GUID (12 lower-case hex characters)."""
    return isinstance(value, str) and _GUID.fullmatch(value) is not None


def check_guid(value: object) -> str:
    """`value` itself if it is a well-formed GUID; else `InvalidGuidError`."""
    if is_guid(value):
        assert isinstance(value, str)
        return value
    if not isinstance(value, str):
        raise InvalidGuidError(f"a GUID must be a string, not {type(value).__name__}")
    raise InvalidGuidError(
        f"{_shown(value)} is not a GUID: a GUID is {GUID_LENGTH} lower-case hexadecimal "
        "characters (0-9, a-f), made by the server"
    )


def parse_kind(value: str) -> Kind:
    """The kind named by `value` (exact, lower case); else `InvalidKindError`."""
    try:
        return Kind(value)
    except ValueError:
        raise InvalidKindError(
            f"{_shown(value)} is not a kind; use one of {_kinds_listed()}"
        ) from None


def parse_list_kind(value: str) -> Kind | None:
    """The kind a list asks for: a `Kind`, or None for `all`; else `InvalidKindError`."""
    if value == ALL_KINDS:
        return None
    try:
        return Kind(value)
    except ValueError:
        raise InvalidKindError(
            f"{_shown(value)} is not a kind; use one of {_kinds_listed()} or {ALL_KINDS}"
        ) from None


def _kinds_listed() -> str:
    return ", ".join(kind.value for kind in Kind)


def _why_not_a_name(value: object) -> str:
    if not isinstance(value, str):
        return f"a name must be a string, not {type(value).__name__}"
    # Characters first: "contains a dot" helps more than "too long" when both are true.
    for char in value:
        if not _is_name_char(char):
            return (
                f"{_shown(value)} contains {_describe(char)}; a name may contain only "
                "lower-case letters a-z, digits 0-9, '-' and '_'"
            )
    return (
        f"{_shown(value)} has {len(value)} characters; a name has "
        f"{NAME_MIN_LENGTH} to {NAME_MAX_LENGTH}"
    )


def _is_name_char(char: str) -> bool:
    return "a" <= char <= "z" or "0" <= char <= "9" or char in "-_"


def _describe(char: str) -> str:
    if char == " ":
        return "a space"
    if char == ".":
        return "a dot ('.')"
    if char == "/":
        return "a slash ('/')"
    if "A" <= char <= "Z":
        return f"the upper-case letter {char!r} (names are lower case)"
    code_point = f"U+{ord(char):04X}"
    if not char.isascii() or not char.isprintable():
        # Name the character: a look-alike such as Cyrillic U+0430 is invisible otherwise.
        return f"{code_point} {unicodedata.name(char, 'a control or unassigned character')}"
    return f"{char!r}"


def _shown(value: str) -> str:
    if len(value) > _SHOWN_CHARS:
        return repr(value[:_SHOWN_CHARS] + "…")
    return repr(value)
