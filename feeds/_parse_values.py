"""Lenient readers for the values a foreign feed writes as text: dates, durations, numbers.

Each returns the value, or raises ValueError saying what it could not read; the caller decides
what to do without it and reports the problem. Leniency stops where a guess could be wrong:
"yesterday" or "12/03/2024" is not a date anyone can read without knowing more than the feed
says, and no clock is consulted (`feeds` never reads one).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import NamedTuple

__all__ = ["Moment", "read_count", "read_duration", "read_moment"]

_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# RFC 2822's zone names, and the abbreviations feeds written outside the US use most.
_ZONES = {
    "ut": 0,
    "utc": 0,
    "gmt": 0,
    "z": 0,
    "est": -5,
    "edt": -4,
    "cst": -6,
    "cdt": -5,
    "mst": -7,
    "mdt": -6,
    "pst": -8,
    "pdt": -7,
    "akst": -9,
    "akdt": -8,
    "hst": -10,
    "wet": 0,
    "west": 1,
    "bst": 1,
    "cet": 1,
    "cest": 2,
    "met": 1,
    "mest": 2,
    "eet": 2,
    "eest": 3,
    "msk": 3,
    "jst": 9,
    "kst": 9,
    "hkt": 8,
    "sgt": 8,
    "awst": 8,
    "acst": 9.5,
    "acdt": 10.5,
    "aest": 10,
    "aedt": 11,
    "nzst": 12,
    "nzdt": 13,
}
# +0100, +01:00, and GMT+1 or UTC+01:00 as some feeds write them.
_OFFSET = re.compile(r"(?:GMT|UTC)?([+-])(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)
_NOT_RFC2822 = "is not a date like Tue, 03 Dec 2024 10:00:00 GMT (RFC 2822)"
_TIME = re.compile(r"(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,]\d+)?)?")
_COMMENT = re.compile(r"\([^()]*\)")
_DURATION = re.compile(r"(?:(?:(\d+):)?(\d+):)?(\d+(?:\.\d+)?)")


class Moment(NamedTuple):
    """A date read from a feed, in Unix seconds; `caveat` says what had to be assumed."""

    seconds: int
    caveat: str | None = None


def read_moment(value: str) -> Moment:
    """An RFC 2822 date (`pubDate`), read leniently; ISO 8601 is accepted too.

    Accepted beyond the RFC: any case, full day and month names (and "Sept"), a missing or
    wrong day name, commas or hyphens anywhere, no seconds, a 12-hour clock, `+01:00`
    offsets, common zone abbreviations (BST, CET, AEST…), a trailing comment. A date without
    a time is midnight; without a zone, UTC.
    """
    cleaned = " ".join(_COMMENT.sub(" ", value).replace(",", " ").split())
    if not cleaned:
        raise ValueError("is empty")
    try:
        return _rfc2822(cleaned)
    except ValueError as rfc_problem:
        try:
            return _iso8601(cleaned)
        except ValueError:
            raise ValueError(f"{value.strip()!r} {rfc_problem}") from None


def _rfc2822(value: str) -> Moment:
    tokens = value.split(" ")
    if _name_of(tokens[0], _DAYS) is not None:
        tokens = tokens[1:]
    if tokens and tokens[0].count("-") == 2:  # 03-Dec-2024
        tokens = tokens[0].split("-") + tokens[1:]
    if len(tokens) < 3:
        raise ValueError(_NOT_RFC2822)
    first, second, year_text = tokens[:3]
    month = _name_of(second, _MONTHS)
    if month is not None:
        day_text = first
    else:  # Dec 03 2024
        month, day_text = _name_of(first, _MONTHS), second
    if month is None or not day_text.isdigit() or not year_text.isdigit():
        raise ValueError(_NOT_RFC2822)
    year = int(year_text)
    if len(year_text) <= 2:  # RFC 2822's obsolete two-digit years
        year += 2000 if year < 50 else 1900
    rest = tokens[3:]
    hour = minute = second_of_minute = 0
    if rest and (time := _TIME.fullmatch(rest[0])) is not None:
        hour, minute = int(time[1]), int(time[2])
        second_of_minute = int(time[3] or 0)
        rest = rest[1:]
        if rest and rest[0].lower() in ("am", "pm"):
            if not 1 <= hour <= 12:
                raise ValueError(f"has hour {hour} on a 12-hour clock")
            hour = hour % 12 + (12 if rest[0].lower() == "pm" else 0)
            rest = rest[1:]
    offset, caveat = _zone(rest)
    try:
        moment = datetime(year, month, int(day_text), hour, minute, second_of_minute, tzinfo=offset)
    except ValueError as error:
        raise ValueError(f"is not a real date or time ({error})") from None
    return Moment(int(moment.timestamp()), caveat)


def _zone(tokens: list[str]) -> tuple[timezone, str | None]:
    if not tokens:
        return UTC, None
    if len(tokens) > 1:
        raise ValueError("has more than a date, a time and a zone")
    zone = tokens[0]
    if (offset := _OFFSET.fullmatch(zone)) is not None:
        sign = -1 if offset[1] == "-" else 1
        hours, minutes = int(offset[2]), int(offset[3] or 0)
        if hours > 23 or minutes > 59:
            raise ValueError(f"has an impossible zone offset {zone}")
        return timezone(sign * timedelta(hours=hours, minutes=minutes)), None
    hours_east = _ZONES.get(zone.lower())
    if hours_east is not None:
        return timezone(timedelta(hours=hours_east)), None
    if zone.isalpha():
        return UTC, f"its time zone {zone!r} is unknown and was read as UTC"
    raise ValueError(f"ends with {zone!r}, which is not a time zone")


def _name_of(token: str, names: tuple[str, ...]) -> int | None:
    """The 1-based position of the name `token` abbreviates (at least 3 letters), or None."""
    word = token.lower().rstrip(".")
    if len(word) < 3 or not word.isalpha():
        return None
    for position, name in enumerate(names, start=1):
        if name.startswith(word):
            return position
    return None


def _iso8601(value: str) -> Moment:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return Moment(int(moment.timestamp()))


def read_duration(value: str) -> float:
    """`itunes:duration`: seconds ("1800", "1800.5"), "MM:SS" or "HH:MM:SS"."""
    match = _DURATION.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"{value!r} is not a duration in seconds, MM:SS or HH:MM:SS")
    hours, minutes, seconds = match[1], match[2], float(match[3])
    if minutes is not None and seconds >= 60:
        raise ValueError(f"{value!r} has {match[3]} seconds in a minute")
    if hours is not None and int(minutes or 0) >= 60:
        raise ValueError(f"{value!r} has {minutes} minutes in an hour")
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + seconds


def read_count(value: str) -> int:
    """A whole number that is not negative: a season, an episode number, a length in bytes."""
    stripped = value.strip()
    if stripped.isascii() and stripped.isdigit():
        return int(stripped)
    try:
        number = float(stripped)
    except ValueError:
        raise ValueError(f"{value!r} is not a whole number") from None
    if not number.is_integer() or number < 0:
        raise ValueError(f"{value!r} is not a whole number of at least 0")
    return int(number)
