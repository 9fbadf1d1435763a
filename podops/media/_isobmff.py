"""The box structure of MP4, M4A, M4V and QuickTime files, read just far enough to classify them.

mutagen reads an MP4's audio track but does not say whether the file holds video, and it does
not notice a file whose last box was cut short. This walks the top-level boxes and the
`moov/trak/mdia/hdlr` handler types, with a cap on the number of boxes it will look at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from podops.media._io import read_at
from podops.media.errors import ProbeError

_MAX_BOXES = 10_000
_MAX_CHILDREN_SEARCHED = 32
_MEDIA = frozenset({b"mdat", b"moof"})
# Boxes an old QuickTime file (before `ftyp` existed) may start with.
QUICKTIME_FIRST_BOXES = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})


@dataclass(frozen=True, slots=True)
class Movie:
    """What the boxes say."""

    major_brand: bytes | None
    handlers: frozenset[bytes]  # b"soun", b"vide", b"text"...
    has_movie_box: bool
    truncated: bool  # the movie box or the media data is cut short
    trailing: int  # bytes after the last whole box that are not boxes, or a cut minor box


@dataclass(frozen=True, slots=True)
class _Box:
    kind: bytes
    offset: int
    body: int  # where the contents start
    end: int


class _Walker:
    def __init__(self, file: BinaryIO) -> None:
        self._file = file
        self._boxes = 0

    def children(self, start: int, end: int, limit: int = _MAX_BOXES) -> tuple[list[_Box], int]:
        """The boxes between `start` and `end` (the first `limit` of them), the last one
        possibly cut short; and where the walk stopped (`end`, or the start of bytes that
        are no box or a cut box)."""
        boxes: list[_Box] = []
        offset = start
        while offset < end and len(boxes) < limit:
            self._boxes += 1
            if self._boxes > _MAX_BOXES:
                raise ProbeError("podops.media.corrupt", "too many boxes for an MP4 file")
            header = read_at(self._file, offset, min(16, end - offset))
            if len(header) < 8 or not all(0x20 <= byte <= 0x7E for byte in header[4:8]):
                break
            length = int.from_bytes(header[:4], "big")
            body = offset + 8
            if length == 1:
                if len(header) < 16:
                    break
                length = int.from_bytes(header[8:16], "big")
                body += 8
            elif length == 0:  # "to the end of the file", allowed for the last top-level box
                length = end - offset
            if length < body - offset:
                break
            boxes.append(_Box(header[4:8], offset, body, min(end, offset + length)))
            if offset + length > end:
                break
            offset += length
        return boxes, offset

    def read(self, box: _Box, count: int) -> bytes:
        return read_at(self._file, box.body, min(count, box.end - box.body))


def read_movie(file: BinaryIO, size: int) -> Movie:
    """The brands, track handler types, and completeness of an ISO BMFF/QuickTime file."""
    walker = _Walker(file)
    top, stopped = walker.children(0, size)
    cut = top[-1] if top and top[-1].offset == stopped else None
    movie = next((box for box in top if box.kind == b"moov"), None)
    # A cut movie box or media data loses the file; a cut or foreign tail after them does not.
    truncated = stopped < size and (movie is None or movie is cut or (cut and cut.kind in _MEDIA))
    major: bytes | None = None
    if top and top[0].kind == b"ftyp":
        major = walker.read(top[0], 4).ljust(4, b"\0")
    handlers: set[bytes] = set()
    if movie is not None and not truncated:
        for track in _named(walker, movie, b"trak"):
            for media in _named(walker, track, b"mdia"):
                for handler in _named(walker, media, b"hdlr"):
                    # version and flags (4), pre_defined (4), then the handler type
                    data = walker.read(handler, 12)
                    if len(data) == 12:
                        handlers.add(data[8:12])
    return Movie(
        major_brand=major,
        handlers=frozenset(handlers),
        has_movie_box=movie is not None,
        truncated=bool(truncated),
        trailing=size - stopped,
    )


def _named(walker: _Walker, parent: _Box, kind: bytes) -> list[_Box]:
    boxes, stopped = walker.children(parent.body, parent.end)
    if stopped != parent.end:
        raise ProbeError("podops.media.corrupt", f"the MP4 {parent.kind!r} box is malformed")
    return [box for box in boxes if box.kind == kind]


def movie_duration(file: BinaryIO, size: int) -> float | None:
    """The duration the movie header (`moov/mvhd`) states, in seconds; None when the file has
    none, or says it does not know (all ones), or has a time scale of 0.

    Reads the top-level box headers and `mvhd` only, never the media data or the track
    tables: a remote file's head, and the head of its `moov` wherever it lies, suffice.
    """
    walker = _Walker(file)
    top, _ = walker.children(0, size)
    movie = next((box for box in top if box.kind == b"moov"), None)
    if movie is None:
        return None
    header = _first_child(walker, movie, b"mvhd")
    if header is None:
        return None
    data = walker.read(header, 32)
    version = data[:1]
    if version == b"\x00" and len(data) >= 20:
        timescale = int.from_bytes(data[12:16], "big")
        duration, unknown = int.from_bytes(data[16:20], "big"), 0xFFFFFFFF
    elif version == b"\x01" and len(data) >= 32:
        timescale = int.from_bytes(data[20:24], "big")
        duration, unknown = int.from_bytes(data[24:32], "big"), 0xFFFFFFFFFFFFFFFF
    else:
        return None
    if timescale == 0 or duration == unknown:
        return None
    return duration / timescale


def _first_child(walker: _Walker, parent: _Box, kind: bytes) -> _Box | None:
    """The first child of `kind`, walking one header at a time: `mvhd` usually comes first,
    and the boxes after it (the track tables) need not be read."""
    offset = parent.body
    for _ in range(_MAX_CHILDREN_SEARCHED):
        boxes, _ = walker.children(offset, parent.end, limit=1)
        if not boxes:
            return None
        if boxes[0].kind == kind:
            return boxes[0]
        offset = boxes[0].end
    return None
