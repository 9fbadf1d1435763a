"""Probing Ogg Vorbis and Ogg Opus; Ogg's granule positions make their durations exact."""

from __future__ import annotations

from typing import BinaryIO, Literal

from podops.media import formats
from podops.media._io import read_at
from podops.media._mutagen import Reader, read_stream
from podops.media.errors import ProbeError
from podops.media.result import ProbeResult

_HEADER = 27  # page header before the segment table
_END_OF_STREAM = 0x04
_OPUS_SAMPLE_RATE = 48000  # Opus always decodes at 48 kHz, whatever the input rate was
# The last page and the one before it, at their largest (27 + 255 + 255 * 255 bytes each).
_TAIL = 2 * 65307

LastPage = Literal["complete", "no_end_of_stream", "cut", "unknown"]


def probe_ogg(file: BinaryIO, size: int) -> ProbeResult:
    """Duration, sample rate, channels and bitrate of an Ogg Vorbis or Ogg Opus file."""
    reader: Reader
    first = read_at(file, 0, _HEADER + 255 + 16)
    segments = first[26] if len(first) > 26 else 0
    packet = first[_HEADER + segments : _HEADER + segments + 8]
    if packet.startswith(b"\x01vorbis"):
        media_format, reader = formats.VORBIS, "vorbis"
    elif packet.startswith(b"OpusHead"):
        media_format, reader = formats.OPUS, "opus"
    elif len(first) < _HEADER + segments + 8:
        raise ProbeError("podops.media.truncated", "the Ogg file ends inside its first page")
    else:
        raise ProbeError(
            "podops.media.unsupported_type", "an Ogg stream of a codec other than Vorbis or Opus"
        )
    last = last_page(file, size)
    if last == "cut":
        raise ProbeError("podops.media.truncated", "the Ogg file ends inside a page")
    if last == "no_end_of_stream":
        raise ProbeError(
            "podops.media.truncated", "the Ogg stream stops before its end-of-stream page"
        )
    info = read_stream(reader, file)
    duration = info.length
    is_opus = media_format is formats.OPUS
    sample_rate = _OPUS_SAMPLE_RATE if is_opus else info.sample_rate
    nominal = 0 if is_opus else info.bitrate
    bitrate = nominal or (round(size * 8 / duration) if duration > 0 else None)
    return ProbeResult(
        media_format=media_format,
        size=size,
        duration=duration,
        exact_duration=True,
        bitrate=bitrate,
        sample_rate=sample_rate,
        channels=info.channels,
        codec="opus" if is_opus else "vorbis",
    )


def last_page(file: BinaryIO, size: int) -> LastPage:
    """Whether the file's last Ogg page is whole and ends the stream.

    "OggS" may also occur inside a page's data. A page that ends exactly at the end of the
    file is the last one; a page that runs past the end is a real, cut one only when another
    page ends exactly where it starts (or it is the file's first page).
    """
    base = max(0, size - _TAIL)
    data = read_at(file, base, size - base)
    starts: list[int] = []
    at = data.find(b"OggS")
    while at >= 0:
        starts.append(at)
        at = data.find(b"OggS", at + 1)
    ends = {at: _page_end(data, at) for at in starts}
    page_ends = set(ends.values())
    for at in reversed(starts):
        end = ends[at]
        if end == len(data):
            return "complete" if data[at + 5] & _END_OF_STREAM else "no_end_of_stream"
        if end > len(data) and (base + at == 0 or at in page_ends):
            return "cut"
    return "unknown"


def _page_end(data: bytes, at: int) -> int:
    """Where the page starting at `at` ends; past the data when its header is cut; -1 if bad."""
    if len(data) < at + _HEADER:
        return len(data) + 1
    if data[at + 4] != 0:  # stream structure version
        return -1
    segments = data[at + 26]
    table = data[at + _HEADER : at + _HEADER + segments]
    if len(table) < segments:
        return len(data) + 1
    return at + _HEADER + segments + sum(table)
