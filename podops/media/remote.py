"""The duration of a file elsewhere, from a few ranged reads of its head, where its format
says it there.

    remote_duration(read, size) -> float | None

`read(start, count)` returns up to `count` bytes from `start` (a ranged GET, in practice:
`podops.fetch.read_range`); `size` is the file's length, which a probe learnt. Pure: the
caller brings the reads, and at most `MAX_READS` of `BLOCK` bytes each are made.

What can be known from the head:
- MP3 with a Xing/Info or VBRI frame count: exact, as `probe` finds it.
- MP3 whose first frames all have one bitrate: taken for constant bitrate, the duration is
  the stream's size over it — the estimate `probe` makes for CBR too. A VBR stream without a
  frame count changes bitrate within a few frames; its duration needs every frame, so it is
  not guessed (mutagen's guess was off by half, see DESIGN.md).
- MP4/M4A/MOV: the movie header's (`mvhd`) duration, wherever the `moov` box lies — at the
  head (fast start) or after the media data, found by walking the top-level box headers.
- Ogg Vorbis/Opus, FLAC and WAV: as `probe` reads them, from their heads and tails (the last
  Ogg page's granule position, FLAC's STREAMINFO, WAV's data chunk size).
Anything else (raw AAC, or a file that needs more reads or does not parse) is None: the
duration is optional in a feed, so not learning it is no error.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import BinaryIO, cast

from podops.media._flac import probe_flac
from podops.media._io import read_at
from podops.media._isobmff import QUICKTIME_FIRST_BOXES, movie_duration
from podops.media._mpeg import FrameScanner
from podops.media._ogg import probe_ogg
from podops.media._tags import skip_id3v2
from podops.media._wav import probe_wav
from podops.media.errors import ProbeError

__all__ = ["BLOCK", "MAX_READS", "RangeReader", "remote_duration"]

RangeReader = Callable[[int, int], bytes]

BLOCK = 64 * 1024
# An MP3: its head, maybe the block after a large ID3 tag, and one the frames run into. An
# MP4: its head and the block where `moov` starts. Hostile heads give up here.
MAX_READS = 6
# How far after the ID3 tags an MP3's first frame may be, to be found in the head.
_MP3_SEARCH = 16 * 1024
# How many first frames must agree on their bitrate for the stream to be taken for CBR.
_CBR_FRAMES = 32
_MAX_DURATION = 7 * 24 * 3600.0  # as `probe`: longer is a damaged header


class _OutOfReadsError(Exception):
    """The file needs more reads than `MAX_READS` to say its duration."""


def remote_duration(read: RangeReader, size: int) -> float | None:
    """The duration in seconds of the `size`-byte file `read` reads from; None when its head
    does not say it. Exceptions of `read` itself pass through."""
    remote = _RemoteFile(read, size)
    file = cast(BinaryIO, remote)
    head = remote.read(12)
    try:
        if head[4:8] == b"ftyp" or head[4:8] in QUICKTIME_FIRST_BOXES:
            duration = movie_duration(file, size)
        elif head.startswith(b"OggS"):
            duration = probe_ogg(file, size).duration
        elif head.startswith(b"RIFF") and head[8:12] == b"WAVE":
            duration = probe_wav(file, size).duration
        elif read_at(file, skip_id3v2(file, size), 4) == b"fLaC":
            duration = probe_flac(file, size).duration
        else:
            duration = _mp3_duration(file, size)
    except (_OutOfReadsError, ProbeError):
        return None
    if duration is None or not 0 < duration < _MAX_DURATION:
        return None
    return duration


def _mp3_duration(file: BinaryIO, size: int) -> float | None:
    start = skip_id3v2(file, size)
    scanner = FrameScanner(file, size)
    located = scanner.locate(start, _MP3_SEARCH)
    if located is None:
        return None
    offset, first = located
    if first.layer != 3:
        return None
    vbr = scanner.read_vbr_header(offset, first)
    if vbr is not None and vbr.frames > 0:
        return vbr.frames * first.samples / first.sample_rate
    # A Xing/Info frame without a count is a silent frame: the audio starts after it.
    audio = offset + first.length if vbr is not None else offset
    following = scanner.header_at(audio)
    if following is None:
        return None
    for _ in range(_CBR_FRAMES):
        header = scanner.header_at(audio)
        if header is None or header.stream != first.stream or audio + header.length > size:
            break
        if header.bitrate != following.bitrate:
            return None  # variable bitrate and no frame count: only counting every frame knows
        audio += header.length
    return (size - offset) * 8 / following.bitrate


class _RemoteFile(io.RawIOBase):
    """A read-only file over `read`, fetched a `BLOCK` at a time as it is read, each block
    once, and no more than `MAX_READS` of them."""

    def __init__(self, read: RangeReader, size: int) -> None:
        super().__init__()
        self._read = read
        self._size = size
        self._position = 0
        self._blocks: dict[int, bytes] = {}

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def read(self, size: int | None = -1) -> bytes:
        end = self._size if size is None or size < 0 else min(self._size, self._position + size)
        parts: list[bytes] = []
        while self._position < end:
            index, within = divmod(self._position, BLOCK)
            block = self._block(index)[within : within + end - self._position]
            if not block:
                break  # the server's file is shorter than the probe said
            parts.append(block)
            self._position += len(block)
        return b"".join(parts)

    def _block(self, index: int) -> bytes:
        if index not in self._blocks:
            if len(self._blocks) >= MAX_READS:
                raise _OutOfReadsError
            self._blocks[index] = self._read(index * BLOCK, BLOCK)
        return self._blocks[index]
