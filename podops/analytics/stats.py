"""Reading the counts back: downloads of a production per episode, day, app or platform.

The daily counts are small (a row per episode, day, app and platform with downloads), and
their key starts with production and day, so a date range is one index range.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal, cast, get_args

from sqlalchemy import Connection, func, select

from podops.analytics.listeners import day_of
from podops.errors import BadRequestError
from podops.models import DownloadCount

Grouping = Literal["episode", "day", "app", "platform"]
GROUPINGS: tuple[Grouping, ...] = get_args(Grouping)
# The longest range one answer covers (a row a day when by day).
MAX_DAYS = 366
DEFAULT_DAYS = 30
_EPOCH = date(1970, 1, 1)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class DayRange:
    """From `first` to `last`, both included (UTC days)."""

    first: date
    last: date

    @property
    def days(self) -> tuple[int, int]:
        """The range as day numbers (days since 1970-01-01), as the counts keep them."""
        return (self.first - _EPOCH).days, (self.last - _EPOCH).days


@dataclass(frozen=True)
class Downloads:
    """Downloads per `by` (an episode's name, an ISO date, an app, a platform)."""

    by: Grouping
    range: DayRange
    rows: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return sum(count for _, count in self.rows)

    def to_json(self) -> dict[str, object]:
        return {
            "by": self.by,
            "from": self.range.first.isoformat(),
            "to": self.range.last.isoformat(),
            "total": self.total,
            "rows": [{"key": key, "downloads": count} for key, count in self.rows],
        }

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([self.by, "downloads"])
        writer.writerows(self.rows)
        return out.getvalue()


def parse_date(field: str, raw: str) -> date:
    """A YYYY-MM-DD date; 400 (in the error shape, naming `field`) for anything else."""
    try:
        if not _ISO_DATE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise BadRequestError(
            f"{field} must be a date as YYYY-MM-DD", code="podops.stats.invalid_date", field=field
        ) from None


def day_range(start: str | None, end: str | None, *, now: float) -> DayRange:
    """The range `start`..`end` (default: the 30 days up to today); 400 when `start` is after
    `end` or the range is longer than `MAX_DAYS`."""
    today = datetime.fromtimestamp(day_of(now) * 86400, UTC).date()
    last = parse_date("to", end) if end is not None else today
    first = parse_date("from", start) if start is not None else last - timedelta(DEFAULT_DAYS - 1)
    if first > last:
        raise BadRequestError("from is after to", code="podops.stats.invalid_range", field="from")
    if (last - first).days >= MAX_DAYS:
        raise BadRequestError(
            f"a range covers at most {MAX_DAYS} days",
            code="podops.stats.invalid_range",
            field="from",
        )
    return DayRange(first, last)


def parse_grouping(raw: str | None) -> Grouping:
    for grouping in GROUPINGS:
        if raw == grouping:
            return grouping
    if raw is None:
        return "episode"
    raise BadRequestError(
        f"by must be one of {', '.join(GROUPINGS)}", code="podops.stats.invalid_by", field="by"
    )


def downloads(
    connection: Connection, production_guid: str, span: DayRange, by: Grouping
) -> Downloads:
    """The production's downloads in `span`, by `by`: days in order (every day, 0 when
    none), anything else most downloaded first."""
    first, last = span.days
    column = {
        "episode": DownloadCount.episode,
        "day": DownloadCount.day,
        "app": DownloadCount.app,
        "platform": DownloadCount.platform,
    }[by]
    found = connection.execute(
        select(column, func.sum(DownloadCount.downloads))
        .where(
            DownloadCount.production_guid == production_guid,
            DownloadCount.day >= first,
            DownloadCount.day <= last,
        )
        .group_by(column)
    ).all()
    if by == "day":
        per_day = {cast(int, day): int(count) for day, count in found}
        rows = [
            ((_EPOCH + timedelta(day)).isoformat(), per_day.get(day, 0))
            for day in range(first, last + 1)
        ]
    else:
        rows = sorted(((str(key), int(count)) for key, count in found), key=_most_first)
    return Downloads(by, span, rows)


def _most_first(row: tuple[str, int]) -> tuple[int, str]:
    return -row[1], row[0]
