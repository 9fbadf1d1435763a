"""MPEG audio frames: their headers, where a stream starts, and how long it really is.

mutagen reads the first frames of an MP3. When a Xing/Info or VBRI header states the frame
count, its duration is exact. Without one, mutagen divides the file size by the first frame's
bitrate, which is right for constant bitrate and wrong, by any factor, for variable bitrate.
This module finds the stream, reads such headers, checks whether the bitrate varies, and can
count every frame: the exact duration is the sum of samples per frame over the sample rate.

Hostile bytes cannot make it run away: all work is one pass over the file at most, a search
for the next frame gives up after `MAX_GAP` bytes, and the whole probe gives up after
`MAX_FALSE_SYNCS` byte pairs that looked like a frame start and were not.
"""

from __future__ import annotations

import functools
import struct
from dataclasses import dataclass
from typing import BinaryIO

from podops.media._io import Window
from podops.media.errors import ProbeError

MAX_GAP = 1 << 20
MAX_FALSE_SYNCS = 1 << 20

_SYNC = 0xFFE00000
# The header bits that decide a frame's length and its stream: version, layer, bitrate, sample
# rate, padding, channel mode. The others (protection, private, copyright, emphasis...) do not,
# and masking them keeps the cache of decoded headers small: at most 2**13 entries.
_KEY_MASK = 0xFFFEFEC0
_U32 = struct.Struct(">I").unpack_from

_KBPS_V1 = {
    1: (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    2: (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
}
_KBPS_V2 = {  # MPEG-2 and MPEG-2.5
    1: (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    3: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_SAMPLE_RATES = {1: (44100, 48000, 32000), 2: (22050, 24000, 16000), 25: (11025, 12000, 8000)}

# Where a Xing/Info tag starts in a frame: after the 4-byte header and the side information,
# whose size depends on (MPEG-1, mono). VBRI always starts at 36.
_XING_OFFSETS = {(True, False): 36, (True, True): 21, (False, False): 21, (False, True): 13}

_TAIL = 16 << 10  # how far before the end the truncation check starts walking frames
_PROBES = 32  # places across the file where the bitrate is sampled
_PROBE_SEARCH = 64 << 10
_FRAMES_PER_PROBE = 8


@dataclass(frozen=True, slots=True)
class FrameHeader:
    """One frame's header. `stream` is the same number for every frame of one stream."""

    version: int  # 1, 2, or 25 for MPEG-2.5
    layer: int
    bitrate: int  # bit/s
    sample_rate: int
    mono: bool
    samples: int  # per frame
    length: int  # bytes, header included
    stream: int

    @property
    def channels(self) -> int:
        return 1 if self.mono else 2

    @property
    def smallest_length(self) -> int:
        """The length of a frame of this stream at its lowest bitrate."""
        lowest = (_KBPS_V1 if self.version == 1 else _KBPS_V2)[self.layer][1] * 1000
        return self.samples // 8 * lowest // self.sample_rate


@dataclass(frozen=True, slots=True)
class VbrHeader:
    """A Xing/Info or VBRI header in the first frame; -1 for a count it does not state."""

    tag: str
    frames: int
    bytes: int


@dataclass(frozen=True, slots=True)
class Scan:
    """A count of every frame of a stream."""

    frames: int
    samples: int
    audio_bytes: int
    skipped: int  # bytes between and after the frames that were not frames
    truncated: bool  # the last frame ends after the file does


@functools.cache
def _decode(key: int) -> FrameHeader | None:
    version_bits = key >> 19 & 3
    layer_bits = key >> 17 & 3
    bitrate_index = key >> 12 & 0xF
    rate_index = key >> 10 & 3
    padding = key >> 9 & 1
    mono = key >> 6 & 3 == 3
    # Reserved values, and the free-format bitrate (index 0) that no podcast encoder writes.
    if version_bits == 1 or layer_bits == 0 or rate_index == 3 or bitrate_index in (0, 15):
        return None
    version = (25, 0, 2, 1)[version_bits]
    layer = 4 - layer_bits
    bitrate = (_KBPS_V1 if version == 1 else _KBPS_V2)[layer][bitrate_index] * 1000
    sample_rate = _SAMPLE_RATES[version][rate_index]
    if layer == 1:
        samples, length = 384, (12 * bitrate // sample_rate + padding) * 4
    elif layer == 3 and version != 1:
        samples, length = 576, 72 * bitrate // sample_rate + padding
    else:
        samples, length = 1152, 144 * bitrate // sample_rate + padding
    stream = (version * 4 + layer) * 100_000 + sample_rate
    return FrameHeader(version, layer, bitrate, sample_rate, mono, samples, length, stream)


def decode_header(word: int) -> FrameHeader | None:
    """The frame header in these four bytes (big-endian), or None when they are not one."""
    if word & _SYNC != _SYNC:
        return None
    return _decode(word & _KEY_MASK)


class FrameScanner:
    """Finds and walks the frames of the MPEG stream that ends at `end`."""

    def __init__(self, file: BinaryIO, end: int) -> None:
        self._file = file
        self._end = end
        # Small blocks for the jumps of sampling and resynchronising; `scan` reads big ones.
        self._window = Window(file, end, 64 << 10)
        self._false_syncs = 0

    def header_at(self, offset: int) -> FrameHeader | None:
        data = self._window.get(offset, 4)
        if len(data) < 4:
            return None
        return decode_header(_U32(data)[0])

    def find_frame(
        self, offset: int, limit: int, stream: int | None = None, want: int = 3
    ) -> tuple[int, FrameHeader] | None:
        """The first frame at or after `offset`, before `limit`, that `want` frames follow.

        A frame start is two bytes in a million of any data; one frame followed by others of
        the same stream, each where the previous one ends, is not a coincidence.
        """
        while True:
            found = self._window.find(b"\xff", offset, limit)
            if found < 0:
                return None
            header = self.header_at(found)
            if (
                header is not None
                and (stream is None or header.stream == stream)
                and found + header.length <= self._end
                and self._chain(found, header.stream, want)
            ):
                return found, header
            self._false_syncs += 1
            if self._false_syncs > MAX_FALSE_SYNCS:
                raise ProbeError("podops.media.corrupt", "too much of the file is not MPEG audio")
            offset = found + 1

    def _chain(self, offset: int, stream: int, want: int) -> bool:
        for count in range(want):
            if offset == self._end:
                return count > 0
            header = self.header_at(offset)
            if header is None or header.stream != stream:
                return False
            if offset + header.length > self._end:
                return count >= 2  # a cut last frame after whole ones: a truncated stream
            offset += header.length
        return True

    def read_vbr_header(self, offset: int, first: FrameHeader) -> VbrHeader | None:
        """The Xing/Info or VBRI header in the frame at `offset`, if it has one."""
        if first.layer != 3:
            return None
        xing_at = _XING_OFFSETS[first.version == 1, first.mono]
        data = self._window.get(offset + xing_at, 16)
        if data[:4] in (b"Xing", b"Info") and len(data) >= 8:
            flags = int.from_bytes(data[4:8], "big")
            counts = [-1, -1]
            at = 8
            for index, flag in enumerate((1, 2)):  # frames, then bytes, when flagged
                if flags & flag:
                    if len(data) < at + 4:
                        return None
                    counts[index] = int.from_bytes(data[at : at + 4], "big")
                    at += 4
            return VbrHeader(data[:4].decode(), counts[0], counts[1])
        data = self._window.get(offset + 36, 18)
        if data[:4] == b"VBRI" and len(data) == 18:
            size = int.from_bytes(data[10:14], "big")
            return VbrHeader("VBRI", int.from_bytes(data[14:18], "big"), size)
        return None

    def locate(self, start: int, search: int = MAX_GAP) -> tuple[int, FrameHeader] | None:
        """The stream's first frame: four frames in a row within `search` bytes of `start`."""
        return self.find_frame(start, start + search, want=4)

    def bitrates_vary(self, start: int, first: FrameHeader) -> bool:
        """Whether frames sampled across the stream have different bitrates.

        VBR streams change bitrate every few frames, so a few frames at many places find it
        cheaply. A CBR stream with a short segment at another bitrate (a spliced-in ad) can
        slip through; its duration is then off by that segment's share only.
        """
        seen = {first.bitrate}
        span = self._end - start
        for probe in range(_PROBES):
            offset = start + span * probe // _PROBES
            found = self.find_frame(offset, offset + _PROBE_SEARCH, first.stream)
            if found is None:
                continue
            offset = found[0]
            for _ in range(_FRAMES_PER_PROBE):
                header = self.header_at(offset)
                if header is None or header.stream != first.stream:
                    break
                seen.add(header.bitrate)
                if len(seen) > 1:
                    return True
                offset += header.length
        return False

    def ends_inside_frame(self, start: int, first: FrameHeader) -> bool:
        """Whether the stream's last frame runs past the end: the file was cut."""
        found = self.find_frame(max(start, self._end - _TAIL), self._end, first.stream)
        if found is None:
            return False
        offset = found[0]
        while offset + 4 <= self._end:
            header = self.header_at(offset)
            if header is None or header.stream != first.stream:
                return False
            if offset + header.length > self._end:
                return True
            offset += header.length
        return False

    def scan(self, offset: int, first: FrameHeader) -> Scan:
        """Count every frame from `offset` to the end, skipping what is not a frame."""
        stream, end = first.stream, self._end
        window = Window(self._file, end, 1 << 20)
        window.load(offset)
        data, base = window.data, window.base
        frames = samples = audio_bytes = skipped = 0
        truncated = False
        # The hot loop: one dictionary-backed decode per frame, no method calls on the way.
        while offset + 4 <= end:
            at = offset - base
            if at < 0 or at + 4 > len(data):
                window.load(offset)
                data, base, at = window.data, window.base, 0
            word = _U32(data, at)[0]
            header = _decode(word & _KEY_MASK) if word & _SYNC == _SYNC else None
            if header is not None and header.stream == stream:
                following = offset + header.length
                if following > end:
                    truncated = True
                    break
                frames += 1
                samples += header.samples
                audio_bytes += header.length
                offset = following
                continue
            found = self.find_frame(offset + 1, offset + MAX_GAP, stream)
            if found is None:
                break  # no frame for MAX_GAP bytes: what follows is not this stream
            skipped += found[0] - offset
            offset = found[0]
        if not truncated:
            skipped += end - offset
        return Scan(frames, samples, audio_bytes, skipped, truncated)
