"""Checks on single values — URLs, language codes, emails, artwork — shared by the lint rules.

Each returns the problem as (code, what is wrong) or None; the rules decide how bad it is and
name the field.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

from feeds._findings import Code
from feeds.model import Image

__all__ = [
    "ARTWORK_MAX_PX",
    "ARTWORK_MIN_PX",
    "artwork_problems",
    "ascii_url",
    "email_problem",
    "language_problem",
    "uri_problem",
    "url_problem",
]

ARTWORK_MIN_PX = 1400
ARTWORK_MAX_PX = 3000

Problem = tuple[Code, str]

# ISO 639 language, optionally with a region or script (en, en-us, pt-BR, zh-Hant).
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# A URL that passes every check of `url_problem` at a glance: http(s), a host of letters,
# digits, dots and hyphens with perhaps a port, then printable ASCII without spaces.
_PLAIN_URL = re.compile(
    r"https?://[A-Za-z0-9.-]+(?::[0-9]*)?(?:[/?#][!-~]*)?", re.ASCII | re.IGNORECASE
)
# Characters left alone when percent-encoding the path, query and fragment of an IRI.
_URL_SAFE = "/:@!$&'()*+,;=%~-._?#[]"


def url_problem(url: str) -> Problem | None:
    """What keeps `url` from being an absolute http(s) URL in plain ASCII, or None."""
    # Lint checks several URLs of every episode on every build: most are plainly good, and
    # one match says so (a URL it does not match gets the full examination below).
    if _PLAIN_URL.fullmatch(url) is not None:
        return None
    if any(char.isspace() or ord(char) < 0x20 for char in url):
        return Code.INVALID_URL, "contains spaces or control characters (write a space as %20)"
    if not url.isascii():
        suggestion = ascii_url(url)
        hint = f"; written percent-encoded it is {suggestion}" if suggestion else ""
        return (
            Code.NON_ASCII_URL,
            f"contains characters outside ASCII, which many podcast apps cannot fetch{hint}",
        )
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return Code.INVALID_URL, "is not a well-formed URL"
    if parts.scheme.lower() not in ("http", "https"):
        return Code.INVALID_URL, "must be an absolute URL starting with https:// (or http://)"
    if not host:
        return Code.INVALID_URL, "has no host name"
    return None


# A URI scheme (RFC 3986): a letter, then letters, digits, +, - or .
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")


def uri_problem(uri: str) -> Problem | None:
    """What keeps `uri` from being an absolute URI in ASCII (any scheme: ipfs, magnet, at), or
    None; an http(s) URI is held to `url_problem`."""
    scheme, colon, rest = uri.partition(":")
    if scheme.lower() in ("http", "https"):
        return url_problem(uri)
    if not colon or not _SCHEME.fullmatch(scheme) or not rest:
        return Code.INVALID_URL, "must be an absolute URI, such as https://… or ipfs://…"
    if any(char.isspace() or ord(char) < 0x20 for char in uri):
        return Code.INVALID_URL, "contains spaces or control characters (write a space as %20)"
    if not uri.isascii():
        return Code.NON_ASCII_URL, "contains characters outside ASCII"
    return None


def ascii_url(iri: str) -> str | None:
    """`iri` with its host in IDNA form and the rest percent-encoded, or None if it can't be."""
    try:
        parts = urlsplit(iri.strip())
        netloc = parts.netloc.encode("idna").decode("ascii") if parts.netloc else ""
        # A lone surrogate (pasted from a broken document) has no UTF-8 to percent-encode.
        path, query, fragment = (
            quote(part, safe=_URL_SAFE) for part in (parts.path, parts.query, parts.fragment)
        )
    except (ValueError, UnicodeError):
        return None
    return urlunsplit((parts.scheme, netloc, path, query, fragment))


def language_problem(language: str) -> Problem | None:
    """Apple wants an ISO 639 code such as `en` or `en-us`."""
    if _LANGUAGE.fullmatch(language):
        return None
    return Code.INVALID_LANGUAGE, f"{language!r} is not an ISO 639 language code such as en-us"


def email_problem(email: str) -> Problem | None:
    """A rough shape check: something@domain.tld, without spaces."""
    if _EMAIL.fullmatch(email):
        return None
    return Code.INVALID_EMAIL, f"{email!r} is not an email address"


def artwork_problems(image: Image) -> list[Problem]:
    """Apple's artwork rules: JPEG or PNG, square, 1400 to 3000 pixels a side."""
    problems: list[Problem] = []
    try:
        path = urlsplit(image.url).path.lower()
    except ValueError:
        path = ""
    extension = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
    # An URL without an extension says nothing about the format; only a wrong one is reported.
    if extension and extension not in ("jpg", "jpeg", "png"):
        problems.append((Code.ARTWORK_FORMAT, f"is a .{extension} file; use JPEG or PNG"))
    width, height = image.width, image.height
    if width is not None and height is not None:
        square = width == height
        in_range = all(ARTWORK_MIN_PX <= side <= ARTWORK_MAX_PX for side in (width, height))
        if not (square and in_range):
            problems.append(
                (
                    Code.ARTWORK_SIZE,
                    f"is {width}x{height} px; use a square image of "
                    f"{ARTWORK_MIN_PX}x{ARTWORK_MIN_PX} to {ARTWORK_MAX_PX}x{ARTWORK_MAX_PX} px",
                )
            )
    return problems
