"""Probing FLAC: STREAMINFO counts the samples, so the duration is exact.

A cut file keeps its STREAMINFO, so mutagen would report the full duration. The last frame
headers in the file tell where the audio really stops: each names its first sample (or its
frame number) and its block size, and carries a CRC-8.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from podops.media import formats
from podops.media._io import read_at
from podops.media._mutagen import read_stream
from podops.media._tags import skip_id3v2
from podops.media.errors import ProbeError
from podops.media.result import ProbeResult

_MAX_BLOCKS = 1024  # real files have a handful; mutagen would walk any number
_LAST_BLOCK = 0x80
_STREAMINFO = 0
_MIN_TAIL = 64 << 10
_MAX_TAIL = 16 << 20


@dataclass(frozen=True, slots=True)
class _StreamInfo:
    max_block: int
    max_frame: int
    total_samples: int


def probe_flac(file: BinaryIO, size: int) -> ProbeResult:
    """Duration, sample rate, channels and bitrate of a FLAC file."""
    audio_start, stream = _read_metadata(file, size)
    info = read_stream("flac", file)
    if stream.total_samples and _audio_ends(file, audio_start, size, stream) < (
        stream.total_samples
    ):
        raise ProbeError("podops.media.truncated", "the FLAC file ends before its last sample")
    warnings: list[str] = []
    duration: float | None = info.length
    if not stream.total_samples:
        # STREAMINFO may leave the count at 0 ("unknown"), as streaming encoders do.
        duration = None
        warnings.append("the FLAC file does not state its number of samples")
    return ProbeResult(
        media_format=formats.FLAC,
        size=size,
        duration=duration,
        exact_duration=duration is not None,
        bitrate=info.bitrate or None,
        sample_rate=info.sample_rate,
        channels=info.channels,
        codec="flac",
        warnings=warnings,
    )


def _read_metadata(file: BinaryIO, size: int) -> tuple[int, _StreamInfo]:
    """Where the frames start, and STREAMINFO; refuses an endless chain of blocks."""
    offset = skip_id3v2(file, size) + 4  # b"fLaC"
    stream = _StreamInfo(0, 0, 0)
    for _ in range(_MAX_BLOCKS):
        header = read_at(file, offset, 4)
        length = int.from_bytes(header[1:4], "big")
        if len(header) == 4 and header[0] & 0x7F == _STREAMINFO and length >= 18:
            data = read_at(file, offset + 4, 18)
            stream = _StreamInfo(
                max_block=int.from_bytes(data[2:4], "big"),
                max_frame=int.from_bytes(data[7:10], "big"),
                total_samples=int.from_bytes(data[13:18], "big") & 0xFFFFFFFFF,
            )
        offset += 4 + length
        if len(header) < 4 or offset > size:
            raise ProbeError("podops.media.truncated", "the FLAC file ends inside its metadata")
        if header[0] & _LAST_BLOCK:
            return offset, stream
    raise ProbeError("podops.media.corrupt", "too many FLAC metadata blocks")


def _audio_ends(file: BinaryIO, audio_start: int, size: int, stream: _StreamInfo) -> int:
    """The sample after the last whole block the file's last frames announce.

    The answer is trusted only for a frame that the frame before it leads to (its first
    sample is where the previous block ends): a CRC-8 alone passes one false header in 256.
    Without such a pair (a file of one frame, or bytes that are no frames), the file is given
    the benefit of the doubt.
    """
    tail = min(_MAX_TAIL, max(_MIN_TAIL, 2 * stream.max_frame))
    base = max(audio_start, size - tail)
    data = read_at(file, base, size - base)
    frames: list[tuple[int, int]] = []
    at = data.find(b"\xff")
    while 0 <= at < len(data) - 1:
        if data[at + 1] in (0xF8, 0xF9):
            frame = _frame_header(data, at, stream.max_block)
            if frame is not None:
                frames.append(frame)
        at = data.find(b"\xff", at + 1)
    ends = {first + block for first, block in frames}
    for first, block in reversed(frames):
        if first in ends or (first == 0 and base == audio_start):
            return first + block
    return stream.total_samples


def _frame_header(data: bytes, at: int, max_block: int) -> tuple[int, int] | None:
    """(first sample, block size) of the frame header at `at`, if it is one."""
    # A header has 16 bytes at most; zeros past the end make a header cut there fail its CRC.
    head = data[at : at + 16].ljust(16, b"\0")
    block_code, rate_code = head[2] >> 4, head[2] & 0xF
    channels, sample_size = head[3] >> 4, head[3] >> 1 & 0x7
    if block_code == 0 or rate_code == 15 or channels > 10 or sample_size == 3 or head[3] & 1:
        return None
    decoded = _utf8_number(head, 4)
    if decoded is None:
        return None
    number, pos = decoded
    if block_code == 6:
        block, pos = head[pos] + 1, pos + 1
    elif block_code == 7:
        block, pos = int.from_bytes(head[pos : pos + 2], "big") + 1, pos + 2
    elif block_code == 1:
        block = 192
    elif block_code <= 5:
        block = 576 << (block_code - 2)
    else:
        block = 256 << (block_code - 8)
    pos += {12: 1, 13: 2, 14: 2}.get(rate_code, 0)
    if pos >= len(head) or _crc8(head[:pos]) != head[pos]:
        return None
    variable = head[1] & 1
    return (number if variable else number * max_block), block


def _utf8_number(data: bytes, pos: int) -> tuple[int, int] | None:
    """FLAC's frame/sample number, coded like UTF-8 in up to 7 bytes; and the position after."""
    first = data[pos]
    length = next((n for n in range(8) if not first & (0x80 >> n)), 8)
    if length == 1 or length > 7:
        return None  # a continuation byte, or 0xFF
    if length == 0:
        return first, pos + 1
    value = first & (0xFF >> (length + 1))
    for byte in data[pos + 1 : pos + length]:
        if byte & 0xC0 != 0x80:
            return None
        value = value << 6 | byte & 0x3F
    return value, pos + length


def _crc8(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc = _CRC8_TABLE[crc ^ byte]
    return crc


def _crc8_table() -> list[int]:
    table = []
    for index in range(256):
        crc = index
        for _ in range(8):
            crc = (crc << 1 ^ 0x07) & 0xFF if crc & 0x80 else crc << 1 & 0xFF
        table.append(crc)
    return table


_CRC8_TABLE = _crc8_table()
