"""The counting rule, pure: when a listener's requests for a file make a download.

IAB Podcast Measurement Technical Guidelines 2.1: a download is counted once per episode per
listener (hashed address + User-Agent) per 24 hours, when at least one minute of audio was
requested — or the whole file, when it is shorter — with the listener's byte ranges combined
(their union: asking twice for the same bytes is not twice as much). The 24 hours are the UTC
day, the fixed window the guidelines allow; it is also the life of a listener hash's salt.

A minute in bytes is the file's size over its duration, times 60. A file whose duration is
unknown is taken at 128 kbit/s; one whose size is unknown (not a podops asset any more) counts
a request to its end as the whole file.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

# 128 kbit/s, the commonest podcast bitrate: a minute when the duration is not known.
DEFAULT_MINUTE_BYTES = 128_000 // 8 * 60
# "To the end" of a file of unknown size.
_UNBOUNDED = 10**18

Span = tuple[int, int]  # first and last byte, inclusive


@dataclass(frozen=True)
class MediaFacts:
    """What the counting knows of a media file: its size and duration (None: unknown), and
    the episode it is the enclosure of (else the asset's or the file's name)."""

    episode: str
    size: int | None = None
    duration: float | None = None


def minute_bytes(facts: MediaFacts) -> int:
    """How many bytes make a minute of the file's audio (all of it, if it is shorter)."""
    if facts.size is None:
        return DEFAULT_MINUTE_BYTES
    if not facts.duration or facts.duration <= 0:
        return min(facts.size, DEFAULT_MINUTE_BYTES)
    return min(facts.size, math.ceil(facts.size * 60 / facts.duration))


def span(first: int | None, last: int | None, size: int | None) -> Span | None:
    """The bytes a request asked for, within the file; None for none (see `DownloadEvent`:
    `last` None is to the end, a negative `first` a suffix of that length)."""
    end = (size if size is not None else _UNBOUNDED) - 1
    if first is None:
        return None
    if first < 0:
        if size is None:
            return None  # the last N bytes of an unknown file: not a minute we can vouch for
        start = max(0, size + first)
    else:
        start = first
    stop = end if last is None else min(last, end)
    if start > stop:
        return None
    return start, stop


def merge(spans: Iterable[Span]) -> list[Span]:
    """The union of `spans`, as sorted, disjoint, non-adjacent spans."""
    merged: list[Span] = []
    for start, stop in sorted(spans):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    return merged


def covered(spans: Iterable[Span]) -> int:
    """Bytes in the union of `spans`."""
    return sum(stop - start + 1 for start, stop in merge(spans))
