"""Probing WAV (RIFF/WAVE).

The RIFF chunks are read here rather than by mutagen, because mutagen takes the data chunk's
declared size on trust: a file cut in half keeps its full duration, and a file written by a
streaming encoder (size 0 or 0xFFFFFFFF, "unknown") gets a duration of hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from podops.media import formats
from podops.media._io import read_at
from podops.media.errors import ProbeError
from podops.media.result import ProbeResult

_MAX_CHUNKS = 1024
_UNKNOWN_SIZES = (0, 0xFFFFFFFF)
_PCM, _FLOAT, _EXTENSIBLE = 0x0001, 0x0003, 0xFFFE
_CODECS = {_PCM: "pcm", _FLOAT: "float", 0x0055: "mp3", 0x0006: "alaw", 0x0007: "ulaw"}


@dataclass(frozen=True, slots=True)
class _Format:
    tag: int
    channels: int
    sample_rate: int
    byte_rate: int
    block_align: int


def probe_wav(file: BinaryIO, size: int) -> ProbeResult:
    """Duration, sample rate, channels and bitrate of a WAV file."""
    fmt: _Format | None = None
    fact_samples: int | None = None
    offset = 12  # b"RIFF", size, b"WAVE"
    for _ in range(_MAX_CHUNKS):
        header = read_at(file, offset, 8)
        if len(header) < 8:
            riff_size = int.from_bytes(read_at(file, 4, 4), "little")
            if header or (riff_size + 8 > size and riff_size not in _UNKNOWN_SIZES):
                raise _cut()
            raise ProbeError("podops.media.corrupt", "the WAV file has no data chunk")
        kind, length = header[:4], int.from_bytes(header[4:8], "little")
        body = offset + 8
        if kind == b"data":
            if fmt is None:
                raise ProbeError("podops.media.corrupt", "the WAV data comes before its format")
            return _result(fmt, fact_samples, body, length, size)
        if body + length > size:
            raise _cut()
        data = read_at(file, body, min(length, 40))
        if kind == b"fmt ":
            fmt = _read_format(data)
        elif kind == b"fact" and len(data) >= 4:
            fact_samples = int.from_bytes(data[:4], "little")
        offset = body + length + (length & 1)  # chunks are padded to an even length
    raise ProbeError("podops.media.corrupt", "too many chunks for a WAV file")


def _read_format(data: bytes) -> _Format:
    if len(data) < 16:
        raise ProbeError("podops.media.corrupt", "the WAV format chunk is too short")
    tag = int.from_bytes(data[0:2], "little")
    if tag == _EXTENSIBLE and len(data) >= 26:
        tag = int.from_bytes(data[24:26], "little")  # the sub-format GUID starts with it
    fmt = _Format(
        tag=tag,
        channels=int.from_bytes(data[2:4], "little"),
        sample_rate=int.from_bytes(data[4:8], "little"),
        byte_rate=int.from_bytes(data[8:12], "little"),
        block_align=int.from_bytes(data[12:14], "little"),
    )
    if not (fmt.channels and fmt.sample_rate and fmt.block_align):
        raise ProbeError("podops.media.corrupt", "the WAV format chunk has zero values")
    return fmt


def _result(
    fmt: _Format, fact_samples: int | None, body: int, declared: int, size: int
) -> ProbeResult:
    available = size - body
    warnings: list[str] = []
    length = declared
    if declared in _UNKNOWN_SIZES and available != declared:
        length = available
        warnings.append("the WAV header does not state the size of its audio")
    elif declared > available:
        raise _cut()
    if fmt.tag in (_PCM, _FLOAT):
        duration, exact = length // fmt.block_align / fmt.sample_rate, True
    elif fact_samples is not None:
        duration, exact = fact_samples / fmt.sample_rate, True
    elif fmt.byte_rate:
        duration, exact = length / fmt.byte_rate, False
    else:
        raise ProbeError("podops.media.corrupt", "the WAV file states no byte rate")
    return ProbeResult(
        media_format=formats.WAV,
        size=size,
        duration=duration,
        exact_duration=exact,
        bitrate=fmt.byte_rate * 8 or None,
        sample_rate=fmt.sample_rate,
        channels=fmt.channels,
        codec=_CODECS.get(fmt.tag, f"0x{fmt.tag:04x}"),
        warnings=warnings,
    )


def _cut() -> ProbeError:
    return ProbeError("podops.media.truncated", "the WAV file ends inside a chunk")
