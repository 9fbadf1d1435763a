"""Probing raw AAC in ADTS frames (`.aac` files)."""

from __future__ import annotations

from typing import BinaryIO

from podops.media import formats
from podops.media._io import read_at
from podops.media._mutagen import read_stream
from podops.media.result import ProbeResult


def is_adts_chain(file: BinaryIO, offset: int, size: int, want: int = 3) -> bool:
    """Whether `want` ADTS frames follow each other from `offset` (or reach the end)."""
    for count in range(want):
        if offset == size:
            return count > 0
        header = read_at(file, offset, 7)
        if len(header) < 7 or header[0] != 0xFF or header[1] & 0xF6 != 0xF0:
            return False
        if header[2] >> 2 & 0xF > 12:  # sampling frequency index
            return False
        length = (header[3] & 0x03) << 11 | header[4] << 3 | header[5] >> 5
        if length < 7:
            return False
        offset += length
    return True


def probe_adts(file: BinaryIO, size: int) -> ProbeResult:
    """Sample rate and channels of an ADTS stream; mutagen estimates its duration."""
    info = read_stream("aac", file)
    return ProbeResult(
        media_format=formats.AAC,
        size=size,
        duration=info.length,
        exact_duration=False,  # mutagen extrapolates from the first frames
        bitrate=info.bitrate or None,
        sample_rate=info.sample_rate,
        channels=info.channels,
        codec="aac",
    )
